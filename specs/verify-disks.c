/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <strings.h>

#include "spec-internal.h"
#include "verify.h"

/* Validation of disks and cdroms. */

/* A cdrom's volume: with a pool, never with a path; not the domain's own cloud_init seed. */
void verify_cdrom_volumes(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    const CdromSpec *cds = d->cdroms.items;
    _cleanup_free_ char *seed = spec_seed_volume_name(d->name.s);
    for (size_t i = 0; i < d->cdroms.n; i++) {
        if (cds[i].volume.set && cds[i].path.set)
            ERR(&cds[i].volume, "cdroms[%zu]: give path or volume, not both", i);
        if (cds[i].pool.set && !cds[i].pool.defaulted && !cds[i].volume.set)
            ERR(&cds[i].pool, "cdroms[%zu].pool needs volume", i);
        if (cds[i].volume.set && d->cloud_init.present.set && streq(cds[i].volume.s, seed))
            ERR(&cds[i].volume, "cdroms[%zu].volume: %s is this domain's cloud_init seed, which "
                "virtspec attaches itself", i, seed);
    }
}

/* image: a path, or a URL (http, https, file) with the SHA-256 of what it serves. */
static void verify_disk_image(const DiskSpec *a, size_t i, DiagList *diags, const Spec *s) {
    if (!a->image.set)
        return;
    if (a->image_path.set == a->image_url.set)
        ERR(&a->image, "disks[%zu].image: give path (or a plain string) or url, %s", i,
            a->image_path.set ? "not both" : "one of them");
    if (a->image_url.set && !a->image_sha256.set)
        ERR(&a->image_url, "disks[%zu].image.url needs sha256 (the image's identity: a URL alone "
            "could serve anything)", i);
    if (a->image_sha256.set && !a->image_url.set)
        ERR(&a->image_sha256, "disks[%zu].image.sha256 needs url", i);
    if (a->image_url.set) {
        static const char *const schemes[] = { "http://", "https://", "file://" };
        bool ok = false;
        for (size_t k = 0; k < ELEMENTSOF(schemes); k++)
            ok = ok || (strncasecmp(a->image_url.s, schemes[k], strlen(schemes[k])) == 0 &&
                        a->image_url.s[strlen(schemes[k])]);
        if (!ok)
            ERR(&a->image_url, "disks[%zu].image.url '%s': only http://, https:// and file:// "
                "URLs are fetched", i, a->image_url.s);
        const char *host = strstr(a->image_url.s, "://");
        host = host ? host + 3 : a->image_url.s;
        if (memchr(host, '@', strcspn(host, "/?#")))   /* user[:password]@ (not echoed) */
            ERR(&a->image_url, "disks[%zu].image.url: credentials in the URL are printed in plans "
                "and logs: use ~/.netrc", i);
    }
    if (a->image_sha256.set) {
        size_t n = strspn(a->image_sha256.s, "0123456789abcdefABCDEF");
        if (n != 64 || a->image_sha256.s[n])
            ERR(&a->image_sha256, "disks[%zu].image.sha256 must be 64 hexadecimal digits (a "
                "SHA-256), not '%s'", i, a->image_sha256.s);
    }
}

/* Disks and cdroms: unique names, devices, boot orders */
void verify_disks(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    const DiskSpec *disks = d->disks.items;
    const CdromSpec *cds = d->cdroms.items;
    for (size_t i = 0; i < d->disks.n; i++) {
        const DiskSpec *a = &disks[i];
        bool dup_name = false, dup_dev = false;
        for (size_t j = 0; j < i; j++) {
            if (!dup_name && streq(a->name.s, disks[j].name.s)) {
                ERR(&a->name, "disk name '%s' is used twice (also at %u:%u)", a->name.s,
                    disks[j].name.line, disks[j].name.col);
                dup_name = true;
            }
            if (!dup_dev && a->dev.set && disks[j].dev.set && streq(a->dev.s, disks[j].dev.s)) {
                ERR(&a->dev, "guest device '%s' is used twice", a->dev.s);
                dup_dev = true;
            }
        }
        verify_disk_image(a, i, diags, s);
        if (a->path.set && !a->pool.defaulted)
            ERR(&a->path, "a disk takes pool or path, not both");
        if (a->path.set && (a->image.set || value_int(&a->existing)))
            ERR(&a->path, "a disk with a host path cannot have image or existing");
        if (a->image.set && value_int(&a->existing))
            ERR(&a->image, "a disk takes image or existing, not both");
        if (a->volume.set && (a->image.set || a->path.set || a->size.line))
            ERR(&a->volume, "disks[%zu].volume attaches an existing volume as it is: not with %s", i,
                a->image.set ? "image" : a->path.set ? "path" : "size");
        if (a->image.set && streq(a->format.s, "raw"))
            ERR(&a->format, "a disk on a base image is a qcow2 overlay; format raw is not possible");
        if (a->dev.set) {
            static const struct { const char *bus, *prefix; } pre[] = {
                { "virtio", "vd" }, { "scsi", "sd" }, { "sata", "sd" }, { "usb", "sd" }, { "ide", "hd" },
            };
            /* libvirt accepts any of its prefixes on any bus (a vdc on sata: exported domains
             * have them), and the guest names the disk by its bus anyway: a warning */
            for (size_t p = 0; p < ELEMENTSOF(pre); p++)
                if (streq(a->bus.s, pre[p].bus) && strncmp(a->dev.s, pre[p].prefix, 2) != 0)
                    diag_add(diags, DIAG_WARNING, s->file, a->dev.line, a->dev.col,
                             "device '%s' does not fit bus %s (the guest sees a %s… disk)",
                             a->dev.s, a->bus.s, pre[p].prefix);
        }
        /* libvirt's qemu driver: "Only ide and scsi disk support wwn" (sata included) */
        if (a->wwn.set && !streq(a->bus.s, "scsi") && !streq(a->bus.s, "ide"))
            ERR(&a->wwn, "disks[%zu].wwn needs bus scsi or ide (libvirt gives only those a wwn), "
                "not %s", i, a->bus.s);
        if (value_int(&a->shareable) && a->cache.set && !streq(a->cache.s, "none"))
            ERR(&a->cache, "a shareable disk needs cache: none");
        /* libvirt refuses concurrent access to anything but raw ("requires use of supported
         * storage format") */
        if (value_int(&a->shareable) && !streq(a->format.s, "raw"))
            ERR(&a->shareable, "disks[%zu]: a shareable disk needs format: raw, not %s", i,
                a->format.s);
        for (size_t j = 0; j < d->cdroms.n; j++)
            if (a->dev.set && cds[j].dev.set && streq(a->dev.s, cds[j].dev.s)) {
                ERR(&cds[j].dev, "guest device '%s' is used by a disk and a cdrom", a->dev.s);
                break;
            }
    }
    for (size_t i = 0; i < d->cdroms.n; i++)
        for (size_t j = 0; j < i; j++)
            if (cds[i].dev.set && cds[j].dev.set && streq(cds[i].dev.s, cds[j].dev.s)) {
                ERR(&cds[i].dev, "guest device '%s' is used twice", cds[i].dev.s);
                break;
            }
}

/* Automatic device names end at vdzz, sdzz, hdzz (26 + 26 × 26 per prefix; resolve leaves
 * the rest without a name): beyond that, devices need an explicit dev */
void verify_dev_names(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    const DiskSpec *disks = d->disks.items;
    const CdromSpec *cds = d->cdroms.items;
    static const char *const dev_prefixes[] = { "vd", "sd", "hd" };
    bool q35_machine = d->machine_type.set && strstr(d->machine_type.s, "q35");
    for (size_t p = 0; p < ELEMENTSOF(dev_prefixes); p++) {
        size_t used = streq(dev_prefixes[p], "hd") && !q35_machine ? 2 : 0;   /* hda, hdb */
        const Value *first_auto = NULL;   /* a disk's name, else the cdroms list */
        bool cd_auto = false;
        for (size_t i = 0; i < d->disks.n + d->cdroms.n; i++) {
            const Value *dev = i < d->disks.n ? &disks[i].dev : &cds[i - d->disks.n].dev;
            const char *bus = i < d->disks.n ? disks[i].bus.s
                              : cds[i - d->disks.n].bus.set ? cds[i - d->disks.n].bus.s
                              : q35_machine ? "sata" : "ide";
            const char *pre = dev->set ? dev->s : streq(bus, "virtio") ? "vd"
                                                 : streq(bus, "ide") ? "hd" : "sd";
            if (strncmp(pre, dev_prefixes[p], 2) != 0)
                continue;
            used++;
            if (!dev->set && i < d->disks.n && !first_auto)
                first_auto = &disks[i].name;
            cd_auto = cd_auto || (!dev->set && i >= d->disks.n);
        }
        if ((first_auto || cd_auto) && used > 26 + 26 * 26) {
            if (first_auto)
                ERR(first_auto, "more than %d %s… devices: automatic names end at %szz; give "
                    "the others an explicit dev", 26 + 26 * 26, dev_prefixes[p], dev_prefixes[p]);
            else
                ERR(&d->cdroms, "more than %d %s… devices: automatic names end at %szz; give "
                    "the others an explicit dev", 26 + 26 * 26, dev_prefixes[p], dev_prefixes[p]);
        }
    }
}
