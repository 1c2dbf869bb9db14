/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "align.h"
#include "render.h"
#include "xml-util.h"

/* What a disk or cdrom element holds: "volume POOL/NAME", "file PATH", "" for an empty drive. */
static char *element_source(const xmlNode *e) {
    _cleanup_free_ char *pool = xml_get(e, "source/@pool"), *vol = xml_get(e, "source/@volume");
    _cleanup_free_ char *file = xml_get(e, "source/@file");
    if (pool && vol)
        return xasprintf("volume %s/%s", pool, vol);
    if (file)
        return xasprintf("file %s", file);
    return xstrdup("");
}

/* The same for entry i of the spec (disks, then cdroms). */
static char *entry_source(const DomainSpec *d, size_t i, xmlDoc *observed) {
    if (i < d->disks.n) {
        const DiskSpec *k = &((const DiskSpec *) d->disks.items)[i];
        if (k->path.set)
            return xasprintf("file %s", k->path.s);
        _cleanup_free_ char *vol = render_disk_volume(d, k, observed);
        return xasprintf("volume %s/%s", k->pool.s, vol);
    }
    const CdromSpec *c = &((const CdromSpec *) d->cdroms.items)[i - d->disks.n];
    if (c->volume.set)
        return xasprintf("volume %s/%s", c->pool.s, c->volume.s);
    return c->path.set ? xasprintf("file %s", c->path.s) : xstrdup("");
}

typedef struct Seen {
    char *dev, *device, *source;
    bool claimed;
} Seen;

static bool explicit_dev(const Value *dev) {
    return dev->set && !dev->defaulted;
}

static const Value *entry_dev(const DomainSpec *d, size_t i, const char **ret_device, const char **ret_bus) {
    if (i < d->disks.n) {
        const DiskSpec *k = &((const DiskSpec *) d->disks.items)[i];
        *ret_device = "disk";
        *ret_bus = k->bus.s;
        return &k->dev;
    }
    const CdromSpec *c = &((const CdromSpec *) d->cdroms.items)[i - d->disks.n];
    *ret_device = "cdrom";
    *ret_bus = c->bus.s;
    return &c->dev;
}

/* Whether dev is one an explicit `dev` of the spec names. */
static bool dev_explicit(const DomainSpec *d, const char *dev) {
    for (size_t i = 0; i < d->disks.n + d->cdroms.n; i++) {
        const char *device, *bus;
        const Value *v = entry_dev(d, i, &device, &bus);
        if (explicit_dev(v) && streq(v->s, dev))
            return true;
    }
    return false;
}

char **align_kept_devices(const DomainSpec *d, xmlDoc *observed) {
    size_t n = d->disks.n + d->cdroms.n;
    char **kept = xmalloc0((n + 1) * sizeof(char *));
    Seen *seen = NULL;
    size_t n_seen = 0;
    xmlNode *devs = observed ? xml_child(xmlDocGetRootElement(observed), "devices") : NULL;

    for (xmlNode *e = devs ? xml_child(devs, "disk") : NULL; e; e = xml_next_named(e)) {
        Seen *s = array_push(&seen, &n_seen, sizeof(Seen));
        s->dev = xml_get(e, "target/@dev");
        s->device = xml_get(e, "@device");
        s->source = element_source(e);
        /* a device an explicit `dev` takes is that entry's, whatever it holds now */
        s->claimed = !s->dev || !s->device || dev_explicit(d, s->dev);
    }
    for (size_t i = 0; i < n; i++) {
        const char *device, *bus;
        const Value *dev = entry_dev(d, i, &device, &bus);
        if (explicit_dev(dev))
            continue;
        _cleanup_free_ char *src = entry_source(d, i, observed);
        const char *prefix = spec_dev_prefix(bus);
        /* the first unclaimed element of that kind and source whose name fits the bus (a bus
         * change gives the entry a new name); empty drives pair up in order */
        for (size_t j = 0; j < n_seen && !kept[i]; j++) {
            Seen *s = &seen[j];
            if (s->claimed || !streq(s->device, device) || !streq(s->source, src) ||
                strncmp(s->dev, prefix, strlen(prefix)) != 0)
                continue;
            s->claimed = true;
            kept[i] = xstrdup(s->dev);
        }
    }
    for (size_t j = 0; j < n_seen; j++) {
        free(seen[j].dev);
        free(seen[j].device);
        free(seen[j].source);
    }
    free(seen);
    return kept;
}

void align_kept_free(char **kept, size_t n) {
    for (size_t i = 0; kept && i < n; i++)
        free(kept[i]);
    free(kept);
}

bool align_assigns_new(const Spec *s, xmlDoc *observed) {
    const DomainSpec *d = &s->domain;
    size_t n = d->disks.n + d->cdroms.n;
    if (s->kind != KIND_DOMAIN || !observed || n == 0)
        return false;
    char **kept = align_kept_devices(d, observed);
    bool any = false;
    for (size_t i = 0; i < n && !any; i++) {
        const char *device, *bus;
        any = !kept[i] && !explicit_dev(entry_dev(d, i, &device, &bus));
    }
    align_kept_free(kept, n);
    return any;
}

/* The devices of live that observed has not: detached from the definition, still in the guest. */
static char **live_only(xmlDoc *observed, xmlDoc *live) {
    char **ret = NULL;
    size_t n = 0;
    xmlNode *ld = live ? xml_child(xmlDocGetRootElement(live), "devices") : NULL;
    xmlNode *od = xml_child(xmlDocGetRootElement(observed), "devices");
    for (xmlNode *e = ld ? xml_child(ld, "disk") : NULL; e; e = xml_next_named(e)) {
        char *dev = xml_get(e, "target/@dev");
        bool defined = false;
        for (xmlNode *o = od ? xml_child(od, "disk") : NULL; o && dev && !defined; o = xml_next_named(o)) {
            _cleanup_free_ char *odev = xml_get(o, "target/@dev");
            defined = streq_ptr(odev, dev);
        }
        if (!dev || defined) {
            free(dev);
            continue;
        }
        *(char **) array_push(&ret, &n, sizeof(char *)) = dev;
    }
    if (ret)
        *(char **) array_push(&ret, &n, sizeof(char *)) = NULL;
    return ret;
}

Spec *align_devices(const Spec *s, xmlDoc *observed, xmlDoc *live) {
    const DomainSpec *d = &s->domain;
    size_t n = d->disks.n + d->cdroms.n;
    if (s->kind != KIND_DOMAIN || !observed || n == 0)
        return spec_ref((Spec *) s);
    char **kept = align_kept_devices(d, observed);
    char **busy = live_only(observed, live);
    Spec *a = spec_copy(s);
    spec_reassign_devices(&a->domain, kept, busy);
    align_kept_free(kept, n);
    for (size_t i = 0; busy && busy[i]; i++)
        free(busy[i]);
    free(busy);
    bool same = true;
    for (size_t i = 0; i < n && same; i++) {
        const char *device, *bus;
        same = streq(entry_dev(d, i, &device, &bus)->s, entry_dev(&a->domain, i, &device, &bus)->s);
    }
    if (same) {
        spec_unref(a);
        return spec_ref((Spec *) s);
    }
    return a;
}
