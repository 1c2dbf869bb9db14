/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "spec-internal.h"

/* Post-parse: what a parsed document gets besides what it says (libvirt's post-parse step).
 * apply_defaults fills the key table's defaults, before validation; spec_resolve derives values
 * from others (device names, MACs, buses, serial ports, the cloud_init seed cdrom), after it:
 * validation tells the values a user wrote from derived ones, counts the devices that still need
 * a name, and would refuse the derived seed cdrom (spec-load.c: spec_from_document). */

/* ---- defaults of the key table ---- */

static void set_default(const KeyDef *k, Value *v) {
    YNode n = { .type = YNODE_SCALAR, .value = (char *) k->def };
    _cleanup_free_ char *msg = NULL;
    if (value_parse(k, &n, v, &msg) < 0)
        abort();   /* a default that does not parse is a bug in the table; a test checks all */
    if (!v->shared)   /* every spec shares the one text (docs/performance.md, memory) */
        value_set_shared(v, streq(v->s, k->def) ? k->def : spec_intern(v->s));
    v->defaulted = true;
    v->line = v->col = 0;
}

static void row_default(const KeyDef *k, void *base) {
    if (k->type == VT_MAP) {
        /* a boxed map is never KEY_ALWAYS (tests/unit/test-spec-table.c): absent, it stays NULL */
        if ((k->flags & KEY_BOXED) && !*key_box(k, base))
            return;
        void *sub = spec_section_ensure(base, k);
        Value *present = (k->flags & KEY_BOXED) ? sub : key_value(k, base);
        if (!present->set && (k->flags & KEY_ALWAYS)) {
            present->set = present->defaulted = true;
            value_set_shared(present, "true");
        }
        if (present->set)
            apply_defaults(k->sub, sub);
        return;
    }
    if (k->type == VT_LIST) {
        List *l = key_list(k, base);
        for (size_t i = 0; i < l->n; i++)
            apply_defaults(k->sub, (char *) l->items + i * k->sub->item_size);
        return;
    }
    if (k->type == VT_ENUM_LIST || !k->def)
        return;
    Value *v = key_value(k, base);
    if (!v->set)
        set_default(k, v);
}

void apply_defaults(const KeyTable *t, void *base) {
    for (size_t i = 0; i < t->n_keys; i++)
        row_default(&t->keys[i], base);
}

/* The port each serial (pass 0) or console (pass 1) gets: its own, else the lowest number not
 * given to another one. Verification and resolution share it. */
int64_t *chardev_ports(const DomainSpec *d, bool consoles) {
    const CharDevSpec *l = consoles ? d->consoles.items : d->serials.items;
    size_t n = consoles ? d->consoles.n : d->serials.n;
    int64_t *out = xmalloc0((n + 1) * sizeof(int64_t));
    for (size_t i = 0; i < n; i++) {
        if (l[i].port.set) {
            out[i] = value_int(&l[i].port);
            continue;
        }
        for (int64_t p = 0;; p++) {
            /* taken: an explicit port of another entry, or one given to an earlier entry */
            bool taken = false;
            for (size_t j = 0; j < n && !taken; j++)
                taken = j != i && ((l[j].port.set && value_int(&l[j].port) == p) || (j < i && out[j] == p));
            if (!taken) {
                out[i] = p;
                break;
            }
        }
    }
    return out;
}

bool iface_is_tunnel(const char *type) {
    static const char *const tunnels[] = { "udp", "mcast", "server", "client" };
    for (size_t i = 0; i < ELEMENTSOF(tunnels); i++)
        if (streq(type, tunnels[i]))
            return true;
    return false;
}

/* cloud_init.hostname's default: the domain's name, its characters a host name cannot have
 * written '-' (which may still be no host name: "_db", "a..b", 64 characters). */
char *default_hostname(const char *name) {
    char *h = xstrdup(name);
    for (char *c = h; *c; c++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-", *c))
            *c = '-';
    return h;
}

/* ---- resolve: values derived from other values ---- */

void spec_derive_mac(const char *domain, size_t idx, char ret[static 18]) {
    char buf[32];
    uint64_t h = hash_fnv1a(domain, strlen(domain) + 1, FNV1A_INIT);
    snprintf(buf, sizeof(buf), "%zu", idx);
    h = hash_fnv1a(buf, strlen(buf), h);
    snprintf(ret, 18, "52:54:00:%02x:%02x:%02x", (unsigned) (h >> 16) & 0xff,
             (unsigned) (h >> 8) & 0xff, (unsigned) h & 0xff);
}

static void set_derived(Value *v, char *s) {
    value_clear(v);
    v->set = v->defaulted = true;
    v->s = s;
}

static const char *bus_prefix(const char *bus) {
    if (streq(bus, "virtio"))
        return "vd";
    if (streq(bus, "ide"))
        return "hd";
    return "sd";
}

/* Names already taken, explicit ones first, so derived names never collide. */
typedef struct Taken {
    char **names;
    size_t n;
} Taken;

static bool taken_has(const Taken *t, const char *s) {
    for (size_t i = 0; i < t->n; i++)
        if (streq(t->names[i], s))
            return true;
    return false;
}

static void taken_add(Taken *t, const char *s) {
    *(char **) array_push(&t->names, &t->n, sizeof(char *)) = xstrdup(s);
}

static char *next_dev(Taken *t, const char *prefix) {
    for (int i = 0; i < 26 * 27; i++) {
        char name[8];
        if (i < 26)
            snprintf(name, sizeof(name), "%s%c", prefix, 'a' + i);
        else
            snprintf(name, sizeof(name), "%s%c%c", prefix, 'a' + i / 26 - 1, 'a' + i % 26);
        if (!taken_has(t, name)) {
            taken_add(t, name);
            return xstrdup(name);
        }
    }
    return NULL;
}

/* Guest devices of the disks and cdroms that name none: kept[i] when given (disk i, then cdrom
 * i - n_disks: the device the domain already has for that entry), else the first name of the
 * item's bus that neither an explicit, a kept, a busy nor an earlier entry uses. */
static void assign_devices(DomainSpec *d, char *const *kept, char *const *busy) {
    DiskSpec *disks = d->disks.items;
    CdromSpec *cds = d->cdroms.items;
    Taken t = {};
    bool q35 = d->machine_type.set && strstr(d->machine_type.s, "q35");

    for (size_t i = 0; busy && busy[i]; i++)
        taken_add(&t, busy[i]);

    for (size_t i = 0; i < d->disks.n + d->cdroms.n; i++) {
        Value *dev = i < d->disks.n ? &disks[i].dev : &cds[i - d->disks.n].dev;
        if (!dev->set && kept && kept[i])
            set_derived(dev, xstrdup(kept[i]));
        if (dev->set)
            taken_add(&t, dev->s);
    }
    for (size_t i = 0; i < d->disks.n; i++)
        if (!disks[i].dev.set)
            set_derived(&disks[i].dev, next_dev(&t, bus_prefix(disks[i].bus.s)));
    /* ide cdroms conventionally start at hdc (hda/hdb are the first channel's disks) */
    if (!q35) {
        taken_add(&t, "hda");
        taken_add(&t, "hdb");
    }
    for (size_t i = 0; i < d->cdroms.n; i++)
        if (!cds[i].dev.set)
            set_derived(&cds[i].dev, next_dev(&t, bus_prefix(cds[i].bus.s)));
    for (size_t i = 0; i < t.n; i++)
        free(t.names[i]);
    free(t.names);
}

const char *spec_dev_prefix(const char *bus) {
    return bus_prefix(bus);
}

void spec_reassign_devices(DomainSpec *d, char *const *kept, char *const *busy) {
    DiskSpec *disks = d->disks.items;
    CdromSpec *cds = d->cdroms.items;
    for (size_t i = 0; i < d->disks.n + d->cdroms.n; i++) {
        Value *dev = i < d->disks.n ? &disks[i].dev : &cds[i - d->disks.n].dev;
        if (dev->defaulted)
            value_clear(dev);
    }
    assign_devices(d, kept, busy);
}

static void resolve_features(DomainSpec *d) {
    const char *arch = d->machine_arch.set ? d->machine_arch.s : "x86_64";
    static const char *const x86_64[] = { "acpi", "apic", NULL };
    static const char *const i686[] = { "acpi", "apic", "pae", NULL };
    const char *const *def = streq(arch, "x86_64") ? x86_64 : streq(arch, "i686") ? i686 : NULL;
    if (d->features.line > 0 || d->features.n > 0 || !def)
        return;   /* written in the spec (even as []), or no default for this architecture */
    for (size_t i = 0; def[i]; i++)
        set_derived(array_push(&d->features.items, &d->features.n, sizeof(Value)), xstrdup(def[i]));
}

static void set_derived_int(Value *v, int64_t i) {
    set_derived(v, xasprintf("%" PRId64, i));
}

static void resolve_devices(DomainSpec *d) {
    CharDevSpec *sers = d->serials.items;
    _cleanup_free_ int64_t *port = chardev_ports(d, false);
    for (size_t i = 0; i < d->serials.n; i++)
        if (!sers[i].port.set)
            set_derived_int(&sers[i].port, port[i]);
    FloppySpec *fl = d->floppies.items;
    for (size_t i = 0; i < d->floppies.n; i++) {
        if (fl[i].dev.set)
            continue;
        static const char *const names[] = { "fda", "fdb", "fdc", "fdd" };
        for (size_t n = 0; n < ELEMENTSOF(names); n++) {
            bool taken = false;
            for (size_t j = 0; j < d->floppies.n; j++)
                taken = taken || (j != i && fl[j].dev.set && streq(fl[j].dev.s, names[n]));
            if (!taken) {
                set_derived(&fl[i].dev, xstrdup(names[n]));
                break;
            }
        }
    }
    SmartcardSpec *sc = d->smartcard;   /* boxed: NULL when not written */
    if (sc && sc->present.set && streq(sc->mode.s, "host") && sc->type.defaulted)
        value_clear(&sc->type);
    /* virtiofs maps guest memory into virtiofsd: back it with shared memfd memory */
    const FilesystemSpec *fs = d->filesystems.items;
    bool virtiofs = false;
    for (size_t i = 0; i < d->filesystems.n; i++)
        virtiofs = virtiofs || streq(fs[i].driver.s, "virtiofs");
    if (virtiofs) {
        if (!d->memorybacking)   /* boxed: allocated for what virtiofs needs */
            d->memorybacking = xmalloc0(sizeof(*d->memorybacking));
        if (!d->memorybacking->present.set)
            set_derived(&d->memorybacking->present, xstrdup("true"));
        if (!d->memorybacking->source.set && !value_int(&d->memorybacking->hugepages))
            set_derived(&d->memorybacking->source, xstrdup("memfd"));
        if (!d->memorybacking->access.set)
            set_derived(&d->memorybacking->access, xstrdup("shared"));
    }
}

char *spec_seed_volume_name(const char *domain) {
    return xasprintf("cidata-%s.iso", domain);
}

/* cloud_init: the hostname and pool defaults, and the seed's cdrom (last of the cdroms: it gets
 * its device after theirs). */
static void resolve_cloud_init(DomainSpec *d) {
    if (!d->cloud_init.hostname.set)
        set_derived(&d->cloud_init.hostname, default_hostname(d->name.s));
    if (!d->cloud_init.pool.set) {
        const DiskSpec *dk = d->disks.items;
        const char *pool = "default";
        for (size_t i = 0; i < d->disks.n; i++)
            if (!dk[i].path.set && dk[i].pool.set) {
                pool = dk[i].pool.s;
                break;
            }
        set_derived(&d->cloud_init.pool, xstrdup(pool));
    }
    CdromSpec seed = {};
    set_derived(&seed.volume, spec_seed_volume_name(d->name.s));
    set_derived(&seed.pool, xstrdup(d->cloud_init.pool.s));
    seed.volume.line = seed.pool.line = d->cloud_init.present.line;
    seed.volume.col = seed.pool.col = d->cloud_init.present.col;
    *(CdromSpec *) array_push(&d->cdroms.items, &d->cdroms.n, sizeof(CdromSpec)) = seed;
}

static void resolve_domain(Spec *s) {
    DomainSpec *d = &s->domain;
    CdromSpec *cds = d->cdroms.items;
    IfaceSpec *ifs = d->interfaces.items;
    bool q35 = d->machine_type.set && strstr(d->machine_type.s, "q35");

    for (size_t i = 0; i < d->cdroms.n; i++)
        if (cds[i].volume.set && !cds[i].pool.set)
            set_derived(&cds[i].pool, xstrdup("default"));
    if (d->cloud_init.present.set) {
        resolve_cloud_init(d);
        cds = d->cdroms.items;
    }
    for (size_t i = 0; i < d->cdroms.n; i++)
        if (!cds[i].bus.set)
            set_derived(&cds[i].bus, xstrdup(q35 ? "sata" : "ide"));
    assign_devices(d, NULL, NULL);

    resolve_features(d);
    resolve_devices(d);
    for (size_t i = 0; i < d->interfaces.n; i++) {
        /* vagrant-libvirt's defaults: loopback, or a site-local group for mcast */
        if (iface_is_tunnel(ifs[i].type.s) && !ifs[i].tunnel_ip.set)
            set_derived(&ifs[i].tunnel_ip,
                        xstrdup(streq(ifs[i].type.s, "mcast") ? "239.255.1.1" : "127.0.0.1"));
        if (streq(ifs[i].type.s, "udp") && !ifs[i].tunnel_local_ip.set)
            set_derived(&ifs[i].tunnel_local_ip, xstrdup("127.0.0.1"));
    }
    for (size_t i = 0; i < d->interfaces.n; i++)
        if (!ifs[i].mac.set) {
            char mac[18];
            spec_derive_mac(d->name.s, i, mac);
            set_derived(&ifs[i].mac, xstrdup(mac));
        }
    if (!d->graphics.autoport.set && !streq(d->graphics.type.s, "none") &&
        !streq(d->graphics.type.s, "sdl")) {
        set_derived(&d->graphics.autoport, xstrdup(d->graphics.port.set ? "false" : "true"));
    }
    if (streq(d->graphics.type.s, "none") || streq(d->graphics.type.s, "sdl")) {
        /* defaults of listen/keymap have no meaning there */
        if (d->graphics.listen.defaulted)
            value_clear(&d->graphics.listen);
        if (d->graphics.keymap.defaulted)
            value_clear(&d->graphics.keymap);
    }
}

static void resolve_pool(Spec *s) {
    PoolSpec *p = &s->pool;
    if (!streq(p->type.s, "logical"))
        return;
    if (!p->vg_name.set)   /* libvirt's default too */
        set_derived(&p->vg_name, xstrdup(p->name.s));
    set_derived(&p->path, xasprintf("/dev/%s", p->vg_name.s));   /* what libvirt makes it */
    /* /dev/VG_NAME has no permissions of its own: the defaults do not apply */
    Value *perms[] = { &p->mode, &p->owner, &p->group };
    for (size_t i = 0; i < ELEMENTSOF(perms); i++)
        if (perms[i]->defaulted)
            value_clear(perms[i]);
}

void spec_resolve(Spec *s) {
    if (s->kind == KIND_DOMAIN)
        resolve_domain(s);
    else if (s->kind == KIND_POOL)
        resolve_pool(s);
}
