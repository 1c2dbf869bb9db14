/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "align.h"
#include "cloud-init.h"
#include "cloud-init-seed.h"
#include "engine-domain.h"
#include "engine-domain-state.h"
#include "engine-move.h"
#include "engine-object.h"
#include "executor.h"
#include "firmware.h"
#include "host-file.h"
#include "hostfwd.h"
#include "reload-mark.h"
#include "render.h"
#include "spec-value.h"
#include "virt-conn.h"
#include "volumes.h"
#include "xml-util.h"

/* graphics.passwd_file (host_file_read: a root-only regular file of at most 4 KiB): its first
 * line is the password, which must be what graphics.passwd may be (a vnc password is at most 8
 * characters). */
static int read_secret_file(const char *path, const char *graphics_type, char **ret, char **ret_error) {
    char *buf = NULL;
    int r = host_file_read(path, "graphics.passwd_file", 4096, true, &buf, NULL, ret_error);
    if (r < 0)
        return r;
    size_t line = strcspn(buf, "\r\n");   /* the first line */
    if (streq_ptr(graphics_type, "vnc") && line > 8) {
        *ret_error = xasprintf("graphics.passwd_file %s: a vnc password is at most 8 characters "
                               "(qemu ignores the rest)", path);
        r = -EINVAL;
    } else
        *ret = xstrndup(buf, line);
    explicit_bzero(buf, strlen(buf));
    free(buf);
    return r;
}

/* One host path the domain uses: it must exist (F_OK: stat(); X_OK for the emulator). libvirtd
 * and QEMU open these paths, not virtspec: whether virtspec itself may open them is no part of
 * the answer, which is then the same for `plan` and for the daemon under its unit. (Not
 * access(F_OK): it asks the device cgroup too, and the unit's DevicePolicy=closed makes it EPERM
 * for /dev/tpm0.) */
/* Whether the text of an attribute or element below n is s. */
static bool xml_has_value(const xmlNode *n, const char *s) {
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next) {
        if (c->type == XML_TEXT_NODE && c->content && streq((const char *) c->content, s))
            return true;
        if (c->type != XML_ELEMENT_NODE)
            continue;
        for (const xmlAttr *a = c->properties; a; a = a->next)
            if (a->children && a->children->content && streq((const char *) a->children->content, s))
                return true;
        if (xml_has_value(c, s))
            return true;
    }
    return false;
}

static int check_path(const Engine *e, ObjectResult *r, const xmlNode *have, const Value *v,
                      int mode, const char *fmt, ...) _printf_(6, 7);
static int check_path(const Engine *e, ObjectResult *r, const xmlNode *have, const Value *v,
                      int mode, const char *fmt, ...) {
    struct stat st;
    if (!v->set || (!e->elsewhere[0] && (mode == F_OK ? stat(v->s, &st) : access(v->s, mode)) == 0))
        return 0;
    int err = errno;
    va_list ap;
    va_start(ap, fmt);
    _cleanup_free_ char *what = NULL;
    if (vasprintf(&what, fmt, ap) < 0)
        abort();
    va_end(ap);
    if (e->elsewhere[0] && xml_has_value(have, v->s))
        return 0;   /* nothing new to the definition: libvirt has it already */
    if (e->elsewhere[0]) {   /* this machine's files are not the host's (agentless mode) */
        diag_add(&r->diags, DIAG_WARNING, r->file, v->line, v->col, "%s %s is not checked: %s "
                 "(libvirt says so when it defines or starts the domain)", what, v->s, e->elsewhere);
        return 0;
    }
    if (xml_has_value(have, v->s)) {
        /* the definition has it already: the spec changes nothing there (an adopted domain
         * whose firmware or disk file is missing on this host) */
        diag_add(&r->diags, DIAG_WARNING, r->file, v->line, v->col, "%s %s: %s (the domain's "
                 "definition has it already: left as it is)", what, v->s, strerror(err));
        return 0;
    }
    return fail_at(r, v, "%s %s: %s", what, v->s, strerror(err));
}

/* Host paths are checked here, per object, not at validation (specs are often validated on
 * another machine): plan and apply name every missing one at its place in the spec, and the
 * object is left alone. A path the domain's definition (have, NULL for a new domain) already
 * has is no change: missing, it is a warning. disks[].image is checked when a volume is made
 * from it (volumes.c): once imported, the image file may go. The NVRAM file itself is libvirt's
 * to create. */
static int check_host_paths(const Engine *e, const DomainSpec *d, const xmlDoc *have_doc,
                            ObjectResult *r) {
    const xmlNode *have = have_doc ? xmlDocGetRootElement((xmlDoc *) have_doc) : NULL;
    int ret = 0;
    const CdromSpec *cd = d->cdroms.items;
    const DiskSpec *dk = d->disks.items;
    const FloppySpec *fd = d->floppies.items;
    const FilesystemSpec *fs = d->filesystems.items;
    for (size_t i = 0; i < d->cdroms.n; i++)
        ret |= check_path(e, r, have, &cd[i].path, F_OK, "cdroms[%s].path", cd[i].dev.s);
    for (size_t i = 0; i < d->disks.n; i++)
        ret |= check_path(e, r, have, &dk[i].path, F_OK, "disks[%s].path", dk[i].dev.s);
    for (size_t i = 0; i < d->floppies.n; i++)
        ret |= check_path(e, r, have, &fd[i].path, F_OK, "floppies[%s].path", fd[i].dev.s);
    for (size_t i = 0; i < d->filesystems.n; i++)
        ret |= check_path(e, r, have, &fs[i].source, F_OK, "filesystems[%s].source", fs[i].target.s);
    ret |= check_path(e, r, have, &spec_box(d, tpm)->path, F_OK, "tpm.path");
    ret |= check_path(e, r, have, &d->loader, F_OK, "loader");
    ret |= check_path(e, r, have, &d->nvram_template, F_OK, "nvram_template");
    ret |= check_path(e, r, have, &d->kernel, F_OK, "kernel");
    ret |= check_path(e, r, have, &d->initrd, F_OK, "initrd");
    ret |= check_path(e, r, have, &d->dtb, F_OK, "dtb");
    ret |= check_path(e, r, have, &d->emulator, X_OK, "emulator");
    return ret < 0 ? -EIO : 0;
}


/* Whether the feature elements of a and b are the same but for <smm>, which libvirt turns on at
 * start for the Secure Boot firmware it picked (firmware by intent). */
static bool features_but_smm_equal(const xmlNode *a, const xmlNode *b) {
    const xmlNode *fa = xml_find(a, "features"), *fb = xml_find(b, "features");
    size_t na = 0, nb = 0;
    for (const xmlNode *x = fa ? fa->children : NULL; x; x = x->next)
        if (x->type == XML_ELEMENT_NODE && !xmlStrEqual(x->name, BAD_CAST "smm")) {
            bool found = false;
            for (const xmlNode *y = fb ? fb->children : NULL; y && !found; y = y->next)
                found = y->type == XML_ELEMENT_NODE && xmlStrEqual(x->name, y->name);
            if (!found)
                return false;
            na++;
        }
    for (const xmlNode *y = fb ? fb->children : NULL; y; y = y->next)
        nb += y->type == XML_ELEMENT_NODE && !xmlStrEqual(y->name, BAD_CAST "smm");
    return na == nb;
}

/* Rows whose live form differs from the persistent one by design. */
static bool live_comparable(const Change *c, xmlDoc *persistent, xmlDoc *live) {
    if (c->op == OP_UNMANAGED)
        return false;
    if (c->op == OP_SET && !c->new_value)
        return false;   /* filled in by libvirt at start: a network NIC's bridge, tap names */
    if (c->row && (hook_of(c->row)->flags & HOOK_LIVE_OWN))
        return false;   /* the balloon's actual size follows the guest */
    if (c->row && (!strncmp(c->path, "firmware.", 9) || streq(c->path, "features"))) {
        /* firmware by intent (os/@firmware) is resolved at start into the loader and NVRAM libvirt
         * picked, and <smm> for a Secure Boot one: the live definition has no firmware attribute
         * or requirements left to compare */
        xmlNode *pr = xmlDocGetRootElement(persistent), *lr = xmlDocGetRootElement(live);
        _cleanup_free_ char *pf = xml_get(pr, "os/@firmware");
        _cleanup_free_ char *lf = xml_get(lr, "os/@firmware");
        bool fw_row = !strncmp(c->path, "firmware.", 9);
        if (pf && !lf && (fw_row || features_but_smm_equal(pr, lr)))
            return false;
    }
    if (c->row && !strncmp(c->path, "cpu.", 4)) {
        /* host-model is expanded into a custom model in the live definition */
        _cleanup_free_ char *pm = xml_get(xmlDocGetRootElement(persistent), "cpu/@mode");
        _cleanup_free_ char *lm = xml_get(xmlDocGetRootElement(live), "cpu/@mode");
        if (streq_ptr(pm, "host-model") && !streq_ptr(lm, "host-model"))
            return false;
    }
    return true;
}

/* The persistent disk with this target, or NULL. */
static xmlNode *disk_of_target(xmlDoc *doc, const char *dev) {
    xmlNode *devs = xml_child(xmlDocGetRootElement(doc), "devices");
    for (xmlNode *e = devs ? xml_child(devs, "disk") : NULL; e; e = xml_next_named(e)) {
        _cleanup_free_ char *t = xml_get(e, "target/@dev");
        if (streq_ptr(t, dev))
            return e;
    }
    return NULL;
}

/* An external snapshot of a running domain (snapshot-external.c) leaves the live disk on its
 * overlay as a file, while the persistent definition names the same overlay as a volume of its
 * pool: the live disk is written back as that volume when its file is the volume's path, so the
 * two compare equal (not a "reload pending" that reload: auto would act on). */
static void live_disks_as_volumes(virDomainPtr dom, xmlDoc *persistent, xmlDoc *live) {
    xmlNode *devs = xml_child(xmlDocGetRootElement(live), "devices");
    for (xmlNode *e = devs ? xml_child(devs, "disk") : NULL; e; e = xml_next_named(e)) {
        _cleanup_free_ char *file = xml_get(e, "source/@file"), *dev = xml_get(e, "target/@dev");
        xmlNode *pd = file && dev ? disk_of_target(persistent, dev) : NULL;
        _cleanup_free_ char *pool = pd ? xml_get(pd, "source/@pool") : NULL;
        _cleanup_free_ char *vol = pool ? xml_get(pd, "source/@volume") : NULL;
        if (!vol)
            continue;
        _cleanup_(virStoragePoolFreep) virStoragePoolPtr sp = virStoragePoolLookupByName(virDomainGetConnect(dom), pool);
        _cleanup_(virStorageVolFreep) virStorageVolPtr v = sp ? virStorageVolLookupByName(sp, vol) : NULL;
        _cleanup_free_ char *path = v ? virStorageVolGetPath(v) : NULL;
        if (!streq_ptr(path, file))
            continue;
        xmlNode *src = xml_child(e, "source");
        xmlUnsetProp(src, (const xmlChar *) "file");
        xmlSetProp(src, (const xmlChar *) "pool", (const xmlChar *) pool);
        xmlSetProp(src, (const xmlChar *) "volume", (const xmlChar *) vol);
        xmlSetProp(e, (const xmlChar *) "type", (const xmlChar *) "volume");
    }
}

/* The running definition's changes the persistent one waits to make (r's pending); returns the
 * running definition it read (NULL when it could not), for hostfwd_converge. */
static xmlDoc *compute_pending(virDomainPtr dom, xmlDoc *persistent, ObjectResult *r) {
    xmlDoc *live = domain_xml(dom, 0);
    _cleanup_free_ char *managed = observe_managed(persistent);
    Diff d;
    if (!live)
        return NULL;
    live_disks_as_volumes(dom, persistent, live);
    diff_compute(KIND_DOMAIN, persistent, live, managed, &d);
    for (size_t i = 0; i < d.n; i++)
        if (live_comparable(&d.items[i], persistent, live))
            add_pending(r, d.items[i].path);
    diff_clear(&d);
    return live;
}

/* The guest's addresses: DHCP leases of libvirt networks, and the guest agent when it runs. */
static void collect_addresses(virDomainPtr dom, bool agent, ObjectResult *r) {
    const unsigned sources[] = { VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE,
                                 VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT };
    for (size_t s = 0; s < (agent ? 2u : 1u); s++) {
        virDomainInterfacePtr *ifs = NULL;
        int n = virDomainInterfaceAddresses(dom, &ifs, sources[s], 0);
        for (int i = 0; i < n; i++) {
            for (unsigned a = 0; a < ifs[i]->naddrs; a++) {
                const char *addr = ifs[i]->addrs[a].addr;
                bool dup = false;
                for (size_t k = 0; k < r->n_addresses; k++)
                    dup = dup || !strncmp(r->addresses[k], addr, strlen(addr));
                if (!dup && strncmp(addr, "127.", 4) && strcmp(addr, "::1"))
                    *(char **) array_push(&r->addresses, &r->n_addresses, sizeof(char *)) =
                        xasprintf("%s/%d", addr, ifs[i]->addrs[a].prefix);
            }
            virDomainInterfaceFree(ifs[i]);
        }
        free(ifs);
        if (n > 0)
            break;
    }
}

/* Whether a disk entry of the spec uses pool/name (an `existing` one too). */
static bool spec_uses_volume(const DomainSpec *d, xmlDoc *have, const char *pool, const char *name) {
    const DiskSpec *dk = d->disks.items;
    for (size_t i = 0; i < d->disks.n; i++) {
        _cleanup_free_ char *vn = render_disk_volume(d, &dk[i], have);
        if (!dk[i].path.set && streq_ptr(dk[i].pool.s, pool) && streq(vn, name))
            return true;
    }
    return false;
}

/* delete_volumes_on_removal: the volumes `have` records that no disk entry uses any more (removed
 * disks, deletions still pending). They are recorded in `want` as pending until they are gone. */
static void removed_volumes(const DomainSpec *d, xmlDoc *have, xmlDoc *want, const VolumeRefs *had,
                            VolumeRefs *ret) {
    *ret = (VolumeRefs) { .delete_on_removal = value_int(&d->delete_volumes_on_removal) };
    if (!value_int(&d->delete_volumes_on_removal))
        return;
    for (size_t i = 0; i < had->n; i++) {
        const VolumeRef *h = &had->items[i];
        if (spec_uses_volume(d, have, h->pool, h->name) || volume_refs_has(ret, h->pool, h->name))
            continue;
        _cleanup_free_ char *seed = spec_seed_volume_name(d->name.s);
        if (streq(h->name, seed)) {
            /* a seed is never deleted while its domain exists (a guest may boot from it again):
             * its record stays for --prune */
            if (!(d->cloud_init.present.set && streq(d->cloud_init.pool.s, h->pool)))
                render_volume_ref(want, h->pool, h->name, false);
            continue;
        }
        VolumeRef *v = array_push(&ret->items, &ret->n, sizeof(VolumeRef));
        v->pool = xstrdup(h->pool);
        v->name = xstrdup(h->name);
        v->pending = true;
        render_volume_ref(want, h->pool, h->name, true);
    }
}

/* After deletions: drops the records of the volumes that are done from want's metadata and
 * writes it to the persistent definition. */
static void forget_deleted_volumes(Engine *e, virDomainPtr dom, xmlDoc *want, const VolumeRefs *gone,
                                   ObjectResult *r) {
    xmlNode *vs = observe_metadata(want);
    bool changed = false;
    for (xmlNode *c = vs ? vs->children : NULL; c; c = c->next) {
        if (!xml_is(c, "volumes"))
            continue;
        for (xmlNode *v = c->children, *next; v; v = next) {
            next = v->next;
            _cleanup_free_ char *pool = xml_get(v, "@pool"), *name = xml_get(v, "@name");
            _cleanup_free_ char *p = xml_get(v, "@pending");
            for (size_t i = 0; i < gone->n; i++)
                if (gone->items[i].done && p && streq_ptr(pool, gone->items[i].pool) &&
                    streq_ptr(name, gone->items[i].name)) {
                    xmlUnlinkNode(v);
                    xmlFreeNode(v);
                    changed = true;
                    break;
                }
        }
    }
    if (!changed)
        return;
    _cleanup_(xmlFreeDocp) xmlDoc *have = domain_xml(dom, VIR_DOMAIN_XML_INACTIVE);
    if (!have) {
        fail(r, "reading definition: %s", virt_error_message());
        return;
    }
    copy_metadata(want, have);
    _cleanup_free_ char *x = xml_to_string(have);
    virt_count_mutation();
    _cleanup_(virDomainFreep) virDomainPtr nd = virDomainDefineXMLFlags(e->conn, x, 0);
    explicit_bzero(x, strlen(x));
    if (!nd)
        fail(r, "recording deleted volumes: %s", virt_error_message());
}

/* Whether a disk keeps the volume name virtspec 0.1.0 gave it (render_disk_volume). */
static bool keeps_legacy_volume(const DomainSpec *d, xmlDoc *have) {
    const DiskSpec *dk = d->disks.items;
    for (size_t i = 0; i < d->disks.n; i++) {
        _cleanup_free_ char *now = render_volume_name(d, &dk[i]), *kept = render_disk_volume(d, &dk[i], have);
        if (!streq(now, kept))
            return true;
    }
    return false;
}

/* What one pass over a domain knows, shared by its steps. */
typedef struct DomainPass {
    Engine *e;
    const Spec *s;              /* the spec, or its devices aligned to the domain's */
    const DomainSpec *d;
    ObjectResult *r;
    RenderOpts ro;
    Seed *seed;                 /* the cloud-init seed, NULL without cloud_init */
    DomainIndexEntry *ie;       /* the run's index entry, if any */
    virDomainPtr dom;
    xmlDoc *want, *have;        /* rendered, and the persistent definition */
    int st;                     /* run state */
    int autostart;              /* known from the index, else -1 */
    bool waited;                /* waited for another virtspec's restart: the index is stale */
    bool nvram_reset;           /* the changes need a fresh NVRAM, and the spec allows it */
} DomainPass;

/* The password file, the seed, and the document the spec renders to (p->want). */
static int domain_render(DomainPass *p, char **secret, SeedInput *seed_in, Seed *seed) {
    const DomainSpec *d = p->d;
    ObjectResult *r = p->r;
    _cleanup_free_ char *why = NULL;
    if (d->graphics.passwd_file.set && read_secret_file(d->graphics.passwd_file.s, d->graphics.type.s, secret, &why) < 0)
        return fail(r, "%s", why);
    p->ro.passwd = *secret;
    if (d->cloud_init.present.set) {
        _cleanup_free_ char *err = NULL;
        if (seed_gather(d, seed_libvirt_network, p->e, false, seed_in, r) < 0)
            return -EIO;
        if (cloud_init_render(d, seed_in, seed, &err) < 0)
            return fail_at(r, &d->cloud_init.user_data_file, "%s", err);
        p->ro.seed = p->seed = seed;
    }
    if (render_spec(p->s, &p->ro, &p->want) < 0)
        return fail(r, "rendering failed");
    return check_hatch_schema(p->s, p->want, r);
}

/* the firmware file libvirt will pick (firmware: {type: efi}); none: an error before anything
 * is defined */
static int domain_firmware_plan(DomainPass *p) {
    _cleanup_free_ char *virttype = xml_get(xmlDocGetRootElement(p->want), "@type");
    return firmware_plan(p->e->conn, p->e->local, p->d, virttype, p->r);
}

/* No such domain: plan says what apply would make; apply defines it, sets autostart and its
 * run state. */
static void domain_create(DomainPass *p) {
    Engine *e = p->e;
    const DomainSpec *d = p->d;
    ObjectResult *r = p->r;
    r->state = SYNC_MISSING;
    action_add(r, ACTION_CREATE, NULL, NULL);
    if (domain_firmware_plan(p) < 0)
        return;
    if (ensure_volumes(e, d, NULL, NULL, r) < 0)
        return;
    if (p->seed && seed_volume(e, d, NULL, p->seed, r) < 0)
        return;
    if (!e->apply) {
        if (value_int(&d->autostart))
            action_add_set(r, "autostart", NULL, "true", CHANGE_LIVE, NULL);
        if (!streq(d->state.s, "shutoff"))
            action_add(r, streq(d->state.s, "paused") ? ACTION_START_PAUSED : ACTION_START, NULL, NULL);
        return;
    }
    _cleanup_free_ char *x = xml_to_string(p->want);
    virt_count_mutation();
    /* VIR_DOMAIN_DEFINE_VALIDATE only with the xml escape hatch (check_hatch_schema) */
    _cleanup_(virDomainFreep) virDomainPtr dom =
        virDomainDefineXMLFlags(e->conn, x, has_hatch(p->s) ? VIR_DOMAIN_DEFINE_VALIDATE : 0);
    /* x held the password: wipe it before it is freed */
    explicit_bzero(x, strlen(x));
    if (!dom) {
        fail(r, "define failed: %s", virt_error_message());
        return;
    }
    r->mutated = true;
    if (converge_autostart(e, dom, 0, d, r) < 0)
        return;
    if (converge_state(e, dom, VIR_DOMAIN_SHUTOFF, d, r) < 0)
        return;
    if (hostfwd_wanted(d, e->lib_version) && state_running(domain_state(dom)))
        hostfwd_converge(dom, NULL, d, true, r);
    if (r->error)
        return;
    r->state = SYNC_IN_SYNC;
    r->id = virDomainGetID(dom) == (unsigned) -1 ? -1 : (int) virDomainGetID(dom);
}

/* A restart by virtspec in progress (`virtspec reload`, another process): its shutdown is no
 * drift, its start is coming. apply waits for it, then reconciles what the restart left (never
 * reporting success for a domain it did not bring to the spec); the daemon looks again soon.
 * Returns true when this pass ends here. */
static bool domain_restart_busy(DomainPass *p) {
    const DomainSpec *d = p->d;
    ObjectResult *r = p->r;
    if (!p->e->apply)
        return false;
    char *busy = reload_mark_fresh(p->have);
    if (busy && p->e->wait_reload) {
        unsigned limit_s = (unsigned) value_int(&d->shutdown_timeout) + RELOAD_MARK_SLACK_S;
        busy = wait_reload_done(p->dom, d->name.s, limit_s, &p->have, busy);
        p->waited = true;
        if (busy) {
            fail(r, "not applied: %s, still after %u s; apply again once the restart is done",
                 busy, limit_s);
            free(busy);
            return true;
        }
    }
    if (busy) {
        action_add(r, ACTION_NOTE, NULL, "left alone: %s", busy);
        r->deferred = busy;
        r->state = SYNC_IN_SYNC;
        return true;
    }
    return false;
}

/* Disks and cdroms without `dev` keep the devices the domain has for their sources; a new one
 * takes no name a disk detached from the definition still has in the running guest. *ret: a new
 * reference to the spec aligned (p->s itself when nothing moves); when it differs, or a disk
 * keeps a 0.1.0 volume name, it is rendered again into p->want. */
static int domain_align(DomainPass *p, Spec **ret) {
    _cleanup_(xmlFreeDocp) xmlDoc *live_devs =
        state_running(p->st) && align_assigns_new(p->s, p->have) ? domain_xml(p->dom, 0) : NULL;
    Spec *aligned = align_devices(p->s, p->have, live_devs);
    p->ro.observed = p->have;
    *ret = aligned;
    if (aligned == p->s && !keeps_legacy_volume(p->d, p->have))
        return 0;
    xmlFreeDoc(p->want);
    p->want = NULL;
    if (render_spec(aligned, &p->ro, &p->want) < 0)
        return fail(p->r, "rendering failed");
    p->s = aligned;
    p->d = &aligned->domain;
    return 0;
}

/* plan / status: what would happen, and what is already waiting. */
static void domain_plan(DomainPass *p, size_t n_changes, bool adopting, VolumeRefs *removed) {
    const DomainSpec *d = p->d;
    ObjectResult *r = p->r;
    int st = p->st, cur = 0;
    bool running = state_running(st);
    if (n_changes > 0 || adopting)
        r->state = SYNC_DRIFTED;
    if (adopting)
        action_add(r, ACTION_ADOPT, NULL, "add virtspec ownership metadata");
    if (running) {
        _cleanup_(xmlFreeDocp) xmlDoc *live = compute_pending(p->dom, p->have, r);
        bool config_change = diff_has_class(&r->diff, CHANGE_CONFIG);
        /* as apply does (domain_converge): a reload only for a domain the spec keeps running; one
         * it stops takes the change at its next start */
        if ((r->n_pending > 0 || config_change) && streq(d->reload.s, "auto") &&
            streq(d->state.s, "running")) {
            action_add(r, ACTION_RELOAD, NULL, NULL);
            snapshot_plan(d, p->have, r);
        }
        else if (config_change && !streq(d->state.s, "shutoff"))
            action_add(r, ACTION_WARN, NULL, "config changes wait for the next boot: virtspec reload %s",
                       d->name.s);
        if (hostfwd_wanted(d, p->e->lib_version))
            hostfwd_converge(p->dom, live, d, false, r);   /* port forwards, live (libvirt < 9.2) */
    }
    if ((p->autostart >= 0 ? (cur = p->autostart, 0) : virDomainGetAutostart(p->dom, &cur)) == 0 &&
        !!cur != !!value_int(&d->autostart))
        action_add_set(r, "autostart", cur ? "true" : "false", d->autostart.s, CHANGE_LIVE, NULL);
    if (streq(d->state.s, "running") && !running)
        action_add(r, ACTION_START, NULL, NULL);
    else if (streq(d->state.s, "running") && st == VIR_DOMAIN_PAUSED)
        action_add(r, ACTION_RESUME, NULL, NULL);
    else if (streq(d->state.s, "shutoff") && running)
        action_add(r, ACTION_STOP, NULL, "ACPI shutdown, forced after %" PRId64 " s", value_int(&d->shutdown_timeout));
    else if (streq(d->state.s, "paused") && st != VIR_DOMAIN_PAUSED)
        action_add(r, running ? ACTION_SUSPEND : ACTION_START_PAUSED, NULL, NULL);
    if (removed->n > 0) {
        /* the persistent definition as apply would write it */
        _cleanup_(xmlFreeDocp) xmlDoc *planned = xmlCopyDoc(p->have, 1);
        diff_patch(KIND_DOMAIN, &r->diff, p->want, planned);
        _cleanup_free_ char *px = xml_to_string(planned);
        engine_delete_volumes(p->e, d->name.s, px, false, removed, r);
    }
    if (r->state == SYNC_IN_SYNC && r->n_actions > 0)
        r->state = SYNC_DRIFTED;
    if (r->state == SYNC_IN_SYNC && r->n_pending > 0)
        r->state = SYNC_RELOAD_PENDING;
    r->id = running ? (int) virDomainGetID(p->dom) : -1;
    if (running)
        collect_addresses(p->dom, value_int(&d->guest_agent), r);   /* status shows them too */
}

/* apply: the persistent definition patched and written, then the live-class changes made on the
 * running domain (those that cannot be wait for a reload). */
static int domain_redefine(DomainPass *p, bool running) {
    Engine *e = p->e;
    ObjectResult *r = p->r;
    _cleanup_(xmlFreeDocp) xmlDoc *live = running ? domain_xml(p->dom, 0) : NULL;
    diff_patch(KIND_DOMAIN, &r->diff, p->want, p->have);
    copy_metadata(p->want, p->have);
    if (p->nvram_reset)   /* the mark goes with the definition: one define, never one without */
        nvram_reset_mark_put(p->have);
    _cleanup_free_ char *x = xml_to_string(p->have);
    virt_count_mutation();
    _cleanup_(virDomainFreep) virDomainPtr nd =
        virDomainDefineXMLFlags(e->conn, x, has_hatch(p->s) ? VIR_DOMAIN_DEFINE_VALIDATE : 0);
    explicit_bzero(x, strlen(x));
    if (!nd)
        return fail(r, "redefine failed: %s", virt_error_message());
    r->mutated = true;
    for (size_t i = 0; running && live && i < r->diff.n; i++) {
        const Change *c = &r->diff.items[i];
        _cleanup_free_ char *reason = NULL;
        if (c->op == OP_UNMANAGED || c->cls != CHANGE_LIVE)
            continue;
        if (apply_live(e, p->dom, p->s, c, p->want, live, &reason) != 0) {
            add_pending(r, c->path);
            action_add(r, ACTION_LIVE_WAITS, c->path, "%s", strna(reason));
        }
    }
    return 0;
}

/* apply, after the definition: autostart, a reload the spec allows (reload: auto) when the
 * running domain's definition differs from the persistent one, then the run state. */
static void domain_converge(DomainPass *p) {
    Engine *e = p->e;
    const DomainSpec *d = p->d;
    ObjectResult *r = p->r;
    if (converge_autostart(e, p->dom, r->mutated ? -1 : p->autostart, d, r) < 0)
        return;
    /* reload-pending is read back from libvirt: live definition vs persistent one. The state
     * domain_update took (from the index or its own call) holds unless this pass changed the
     * domain since */
    int st = r->mutated ? domain_state(p->dom) : p->st;
    /* the running definition compute_pending read: hostfwd_converge's too, unless the domain
     * started again since (a reload, or a start from shutoff: no live then) */
    _cleanup_(xmlFreeDocp) xmlDoc *live = NULL;
    if (state_running(st)) {
        _cleanup_(xmlFreeDocp) xmlDoc *persistent = domain_xml(p->dom, VIR_DOMAIN_XML_INACTIVE);
        if (persistent)
            live = compute_pending(p->dom, persistent, r);
        if (r->n_pending > 0 && streq(d->reload.s, "auto") && streq(d->state.s, "running")) {
            _cleanup_free_ char *err = NULL, *snap = NULL;
            action_add(r, ACTION_RELOAD, NULL, NULL);
            int rr = engine_reload_domain(e, d->name.s, d, (unsigned) value_int(&d->shutdown_timeout), &snap,
                                          &err);
            if (snap)
                action_add(r, ACTION_SNAPSHOT, NULL, "%s", snap);
            if (rr < 0) {
                if (rr == -ECANCELED)
                    fail(r, "reload %s", err);   /* "reload interrupted after …" */
                else
                    fail(r, "reload failed: %s", err);
                return;
            }
            r->mutated = true;
            clear_pending(r);
            xmlFreeDoc(TAKE_PTR(live));   /* another QEMU now */
        }
    }
    if (r->mutated)
        st = domain_state(p->dom);
    if (converge_state(e, p->dom, st, d, r) < 0)
        return;
    /* port forwards through the monitor (libvirt < 9.2), after a start too */
    if (hostfwd_wanted(d, e->lib_version) && state_running(domain_state(p->dom)))
        hostfwd_converge(p->dom, live, d, true, r);
    if (r->error)
        return;
    r->state = r->n_pending > 0 ? SYNC_RELOAD_PENDING : SYNC_IN_SYNC;
    unsigned id = virDomainGetID(p->dom);
    r->id = id == (unsigned) -1 ? -1 : (int) id;
    if (r->id >= 0)
        collect_addresses(p->dom, value_int(&d->guest_agent), r);
}

/* An existing domain: observe, diff, and plan or apply. */
static void domain_update(DomainPass *p) {
    Engine *e = p->e;
    ObjectResult *r = p->r;
    /* read ahead only for a plan: apply patches what it has just read — or what the edit's
     * prefetch read after the edit, with no libvirt event for it since (edit-prefetch.h) */
    p->have = e->apply && !domain_index_fresh(e->index) ? NULL : index_take_ahead(p->ie);
    if (!p->have)
        p->have = domain_xml(p->dom, VIR_DOMAIN_XML_INACTIVE);
    if (!p->have) {
        fail(r, "reading definition: %s", virt_error_message());
        return;
    }
    if (domain_restart_busy(p))
        return;
    if (foreign_conflict(r, observe_owned(p->have), value_int(&p->d->adopt)))
        return;
    if (check_host_paths(p->e, p->d, p->have, r) < 0)
        return;
    /* the index predates a wait; an active domain in no listed state is asked */
    p->st = p->ie && !p->waited && p->ie->state >= 0 ? p->ie->state : domain_state(p->dom);
    _cleanup_(spec_freep) Spec *aligned = NULL;
    if (domain_align(p, &aligned) < 0)
        return;
    const DomainSpec *d = p->d;
    _cleanup_free_ char *managed = observe_managed(p->have);
    diff_compute(KIND_DOMAIN, p->want, p->have, managed, &r->diff);
    if (p->seed)
        seed_changes(d, p->have, p->seed, r);
    int fw = firmware_nvram_changes(value_int(&spec_box(d, firmware)->reset_nvram), &r->diff, r);
    if (fw < 0 && e->apply) {
        fail(r, "not applied: the firmware change needs a fresh NVRAM; set firmware.reset_nvram: true "
                "to allow virtspec to reset it (the guest's UEFI variables are lost)");
        return;
    }
    p->nvram_reset = fw > 0;
    for (size_t i = 0; i < r->diff.n; i++)
        if (r->diff.items[i].op == OP_SET && strncmp(r->diff.items[i].path, "firmware.", 9) == 0) {
            if (domain_firmware_plan(p) < 0)
                return;
            break;
        }
    size_t n_changes = diff_count_effective(&r->diff);
    bool adopting = !observe_owned(p->have);
    _cleanup_(volume_refs_clear) VolumeRefs had = {}, wanted = {}, removed = {};
    observe_volume_refs(p->have, &had);
    removed_volumes(d, p->have, p->want, &had, &removed);
    observe_volume_refs(p->want, &wanted);
    /* the switch and the volume records live in virtspec's metadata only */
    bool records_changed = !adopting && !volume_refs_equal(&had, &wanted);
    if (records_changed && had.delete_on_removal != wanted.delete_on_removal)
        action_add_set(r, "delete_volumes_on_removal", had.delete_on_removal ? "true" : "false",
                       d->delete_volumes_on_removal.s, CHANGE_NONE, "virtspec metadata");
    else if (records_changed && n_changes == 0)
        action_add_set(r, "volume records", NULL, NULL, CHANGE_NONE, "virtspec metadata");
    p->autostart = p->ie && !p->waited ? p->ie->autostart : -1;
    bool running = state_running(p->st);

    if (ensure_volumes(e, d, p->dom, p->have, r) < 0)
        return;
    /* Drift mode "report": when the spec is the one virtspec last applied (same hash), a
     * difference was made behind virtspec's back: report it, change nothing — a missing seed
     * too, which the plan below reports (the hash apply records has the seed's digest mixed in:
     * render_metadata) */
    _cleanup_free_ char *want_hash = observe_spec_hash(p->want), *have_hash = observe_spec_hash(p->have);
    bool report_only = e->apply && e->report_drift && streq_ptr(want_hash, have_hash);
    if (p->seed && !report_only && seed_volume(e, d, p->have, p->seed, r) < 0)
        return;

    if (!e->apply) {
        domain_plan(p, n_changes, adopting, &removed);
        return;
    }
    if (report_only) {
        Engine plan_only = *e;
        plan_only.apply = false;
        plan_only.report_drift = false;
        diff_clear(&r->diff);
        clear_actions(r);
        reconcile_domain(&plan_only, p->s, r);
        if (r->state == SYNC_DRIFTED)
            action_add(r, ACTION_REPORT_ONLY, NULL, NULL);
        return;
    }
    if ((n_changes > 0 || adopting || records_changed) && domain_redefine(p, running) < 0)
        return;
    /* removed disks' volumes: only after the definitions (persistent and live) let them go */
    if (removed.n > 0) {
        int k = engine_delete_volumes(e, d->name.s, NULL, false, &removed, r);
        forget_deleted_volumes(e, p->dom, p->want, &removed, r);
        if (k < 0 || r->error)
            return;
    }
    domain_converge(p);
}

/* Not defined here: moved here from the host that has it (engine-move.h), else created. */
static void domain_pull_or_create(DomainPass *p) {
    _cleanup_(virDomainFreep) virDomainPtr moved = NULL;
    if (check_host_paths(p->e, p->d, NULL, p->r) < 0)   /* created or moved: its paths here */
        return;
    switch (domain_pull(p->e, p->s, p->r, &moved)) {
    case MOVE_NONE:
        domain_create(p);
        return;
    case MOVE_HANDLED:
        return;
    case MOVE_DONE:
        p->ie = NULL;   /* not in the run's index: looked at afresh */
        p->dom = moved;
        domain_update(p);
        p->dom = NULL;
        return;
    }
}

/* The domain looked up (in the run's index, if any): updated, or created. */
static void domain_find(DomainPass *p) {
    Engine *e = p->e;
    p->ie = e->index ? index_find(e, p->d->name.s) : NULL;
    /* the index holds a reference for the whole run: no reference of our own (virDomainRef and
     * virDomainFree each format the UUID for libvirt's debug log, used or not) */
    _cleanup_(virDomainFreep) virDomainPtr owned = NULL;
    p->dom = p->ie ? p->ie->dom : NULL;
    if (!p->ie && !e->index)
        p->dom = owned = virDomainLookupByName(e->conn, p->d->name.s);
    if (hostfwd_check(p->d, e->lib_version, p->r) < 0)
        return;
    if (p->dom)
        domain_update(p);
    else if (!e->index && virt_error_errno() != -ENOENT)
        fail(p->r, "looking up domain: %s", virt_error_message());
    else
        domain_pull_or_create(p);
}

void reconcile_domain(Engine *e, const Spec *s, ObjectResult *r) {
    _cleanup_free_ char *secret = NULL;
    _cleanup_(seed_input_clear) SeedInput seed_in = {};
    _cleanup_(seed_clear) Seed seed = {};
    DomainPass p = {
        .e = e, .s = s, .d = &s->domain, .r = r, .autostart = -1,
        .ro = { .host_kvm = e->host_kvm, .show_secrets = true, .compare_only = !e->apply,
                .forwards_by_monitor = e->lib_version < HOSTFWD_PASST_LIBVIRT },
    };
    if (domain_render(&p, &secret, &seed_in, &seed) == 0)
        domain_find(&p);
    xmlFreeDoc(p.want);
    xmlFreeDoc(p.have);
}
