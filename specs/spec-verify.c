/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>

#include "spec-internal.h"

#define ERR(v, ...) diag_add(diags, DIAG_ERROR, s->file, (v)->line ? (v)->line : s->line, \
                             (v)->line ? (v)->col : s->col, __VA_ARGS__)

static const Value *explicit_of(const Value *a, const Value *b) {
    /* Prefer pointing at a value the user wrote. */
    if (a->set && !a->defaulted)
        return a;
    return b;
}

static void verify_domain(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;

    if (d->max_memory.set && d->max_memory.i < d->memory.i)
        ERR(&d->max_memory, "max_memory (%s) is below memory (%s)", d->max_memory.s, d->memory.s);
    if (d->memory.i % 1024 != 0)
        ERR(&d->memory, "memory must be a whole number of KiB");
    if (d->max_cpus.set && d->max_cpus.i < d->cpus.i)
        ERR(&d->max_cpus, "max_cpus (%" PRId64 ") is below cpus (%" PRId64 ")", d->max_cpus.i,
            d->cpus.i);
    if (d->cputopology.present.set) {
        int64_t want = d->max_cpus.set ? d->max_cpus.i : d->cpus.i;
        int64_t got = d->cputopology.sockets.i * d->cputopology.cores.i * d->cputopology.threads.i;
        if (got != want)
            ERR(&d->cputopology.present,
                "cputopology gives %" PRId64 " CPUs (sockets %" PRId64 " × cores %" PRId64
                " × threads %" PRId64 ") but %s is %" PRId64,
                got, d->cputopology.sockets.i, d->cputopology.cores.i, d->cputopology.threads.i,
                d->max_cpus.set ? "max_cpus" : "cpus", want);
    }
    if (d->cpu.present.set) {
        const char *mode = d->cpu.mode.s;
        if (streq_ptr(mode, "custom") && !d->cpu.model.set)
            ERR(&d->cpu.mode, "cpu mode custom needs cpu.model");
        if (d->cpu.model.set && mode && !streq(mode, "custom"))
            ERR(&d->cpu.model, "cpu.model only applies to mode custom (mode is %s)", mode);
        if (d->cpu.model.set && !mode)
            ERR(&d->cpu.model, "cpu.model needs mode: custom");
        if (d->cpu.fallback.set && !d->cpu.model.set)
            ERR(&d->cpu.fallback, "cpu.fallback needs cpu.model");
    }

    /* graphics */
    const char *gt = d->graphics.type.s;
    if (streq(gt, "none")) {
        const Value *extra[] = { &d->graphics.port, &d->graphics.autoport, &d->graphics.passwd,
                                 &d->graphics.passwd_file };
        for (size_t i = 0; i < ELEMENTSOF(extra); i++)
            if (extra[i]->set && !extra[i]->defaulted)
                ERR(extra[i], "graphics type none takes no other graphics keys");
    }
    if (d->graphics.port.set && d->graphics.autoport.set && d->graphics.autoport.i)
        ERR(&d->graphics.autoport, "graphics.port conflicts with autoport: true");
    if (d->graphics.autoport.set && !d->graphics.autoport.i && !d->graphics.port.set)
        ERR(&d->graphics.autoport, "graphics.autoport: false needs graphics.port");
    if (d->graphics.passwd.set && d->graphics.passwd_file.set)
        ERR(&d->graphics.passwd_file, "give graphics.passwd or graphics.passwd_file, not both");
    if ((d->graphics.passwd.set || d->graphics.passwd_file.set) && streq(gt, "sdl"))
        ERR(explicit_of(&d->graphics.passwd, &d->graphics.passwd_file),
            "graphics type sdl has no password");
    if (d->graphics.passwd.set && streq(gt, "vnc") && strlen(d->graphics.passwd.s) > 8)
        ERR(&d->graphics.passwd, "a vnc password is at most 8 characters (qemu ignores the rest)");
    if (d->graphics.port.set && streq(gt, "sdl"))
        ERR(&d->graphics.port, "graphics type sdl has no port");
    if (streq(gt, "sdl")) {
        /* libvirt's <graphics type='sdl'> has none of these attributes */
        const struct { const Value *v; const char *key; } no_sdl[] = {
            { &d->graphics.autoport, "autoport" }, { &d->graphics.listen, "listen" },
            { &d->graphics.keymap, "keymap" },
        };
        for (size_t i = 0; i < ELEMENTSOF(no_sdl); i++)
            if (no_sdl[i].v->set && !no_sdl[i].v->defaulted)
                ERR(no_sdl[i].v, "graphics type sdl has no %s", no_sdl[i].key);
    }

    /* video */
    if (d->video.vram.set) {
        static const char *const with_vram[] = { "qxl", "vga", "cirrus", "vmvga" };
        bool ok = false;
        for (size_t i = 0; i < ELEMENTSOF(with_vram); i++)
            ok = ok || streq(d->video.type.s, with_vram[i]);
        if (!ok)
            ERR(&d->video.vram, "video.vram applies to qxl, vga, cirrus and vmvga, not %s",
                d->video.type.s);
    }

    /* tpm */
    if (d->tpm.present.set) {
        bool pass = streq(d->tpm.type.s, "passthrough");
        if (pass && !d->tpm.path.set)
            ERR(&d->tpm.type, "tpm type passthrough needs tpm.path (the host TPM device)");
        if (!pass && d->tpm.path.set)
            ERR(&d->tpm.path, "tpm.path only applies to type passthrough");
        if (pass && d->tpm.version.set)
            ERR(&d->tpm.version, "tpm.version only applies to type emulator");
    }

    /* disks and cdroms: unique names, devices, boot orders */
    const DiskSpec *disks = d->disks.items;
    const CdromSpec *cds = d->cdroms.items;
    for (size_t i = 0; i < d->disks.n; i++) {
        const DiskSpec *a = &disks[i];
        for (size_t j = 0; j < i; j++) {
            if (streq(a->name.s, disks[j].name.s))
                ERR(&a->name, "disk name '%s' is used twice (also line %u)", a->name.s,
                    disks[j].name.line);
            if (a->dev.set && disks[j].dev.set && streq(a->dev.s, disks[j].dev.s))
                ERR(&a->dev, "guest device '%s' is used twice", a->dev.s);
        }
        if (a->path.set && !a->pool.defaulted)
            ERR(&a->path, "a disk takes pool or path, not both");
        if (a->path.set && (a->image.set || a->existing.i))
            ERR(&a->path, "a disk with a host path cannot have image or existing");
        if (a->image.set && a->existing.i)
            ERR(&a->image, "a disk takes image or existing, not both");
        if (a->image.set && streq(a->format.s, "raw"))
            ERR(&a->format, "a disk on a base image is a qcow2 overlay; format raw is not possible");
        if (a->dev.set) {
            static const struct { const char *bus, *prefix; } pre[] = {
                { "virtio", "vd" }, { "scsi", "sd" }, { "sata", "sd" }, { "usb", "sd" }, { "ide", "hd" },
            };
            for (size_t p = 0; p < ELEMENTSOF(pre); p++)
                if (streq(a->bus.s, pre[p].bus) && strncmp(a->dev.s, pre[p].prefix, 2) != 0)
                    ERR(&a->dev, "device '%s' does not fit bus %s (use %s…)", a->dev.s, a->bus.s,
                        pre[p].prefix);
        }
        if (a->shareable.i && a->cache.set && !streq(a->cache.s, "none"))
            ERR(&a->cache, "a shareable disk needs cache: none");
        for (size_t j = 0; j < d->cdroms.n; j++)
            if (a->dev.set && cds[j].dev.set && streq(a->dev.s, cds[j].dev.s))
                ERR(&cds[j].dev, "guest device '%s' is used by a disk and a cdrom", a->dev.s);
    }
    for (size_t i = 0; i < d->cdroms.n; i++)
        for (size_t j = 0; j < i; j++)
            if (cds[i].dev.set && cds[j].dev.set && streq(cds[i].dev.s, cds[j].dev.s))
                ERR(&cds[i].dev, "guest device '%s' is used twice", cds[i].dev.s);

    /* interfaces */
    const IfaceSpec *ifs = d->interfaces.items;
    for (size_t i = 0; i < d->interfaces.n; i++) {
        const IfaceSpec *f = &ifs[i];
        const char *t = f->type.s;
        const struct { const Value *v; const char *key, *type; } only[] = {
            { &f->network, "network", "network" }, { &f->portgroup, "portgroup", "network" },
            { &f->bridge, "bridge", "bridge" }, { &f->dev, "dev", "direct" },
            { &f->mode, "mode", "direct" }, { &f->trust_guest_rx_filters, "trust_guest_rx_filters", "direct" },
        };
        for (size_t k = 0; k < ELEMENTSOF(only); k++)
            if (only[k].v->set && !streq(t, only[k].type))
                ERR(only[k].v, "interfaces[%zu].%s only applies to type %s (type is %s)", i,
                    only[k].key, only[k].type, t);
        if (streq(t, "network") && !f->network.set)
            ERR(&f->type, "interfaces[%zu] of type network needs 'network'", i);
        if (streq(t, "bridge") && !f->bridge.set)
            ERR(&f->type, "interfaces[%zu] of type bridge needs 'bridge'", i);
        if (streq(t, "direct") && !f->dev.set)
            ERR(&f->type, "interfaces[%zu] of type direct needs 'dev'", i);
        if (f->target.set) {
            static const char *const bad[] = { "vnet", "vif", "macvtap", "macvlan" };
            for (size_t k = 0; k < ELEMENTSOF(bad); k++)
                if (!strncmp(f->target.s, bad[k], strlen(bad[k])))
                    ERR(&f->target, "interfaces[%zu].target must not start with '%s' (libvirt "
                        "reserves it)", i, bad[k]);
        }
        if (f->queues.set && !streq(f->model.s, "virtio"))
            ERR(&f->queues, "interfaces[%zu].queues needs model virtio", i);
        for (size_t j = 0; j < i; j++)
            if (f->mac.set && ifs[j].mac.set && streq(f->mac.s, ifs[j].mac.s))
                ERR(&f->mac, "MAC address %s is used twice", f->mac.s);
    }

    /* inputs, channels */
    const InputSpec *in = d->inputs.items;
    for (size_t i = 0; i < d->inputs.n; i++)
        for (size_t j = 0; j < i; j++)
            if (streq(in[i].type.s, in[j].type.s) && streq(in[i].bus.s, in[j].bus.s))
                ERR(&in[i].type, "input %s on bus %s is listed twice", in[i].type.s, in[i].bus.s);
    const ChannelSpec *ch = d->channels.items;
    for (size_t i = 0; i < d->channels.n; i++) {
        for (size_t j = 0; j < i; j++)
            if (streq(ch[i].target_name.s, ch[j].target_name.s))
                ERR(&ch[i].target_name, "channel '%s' is listed twice", ch[i].target_name.s);
        if (d->guest_agent.i && streq(ch[i].target_name.s, "org.qemu.guest_agent.0"))
            ERR(&ch[i].target_name, "guest_agent: true already adds channel "
                "org.qemu.guest_agent.0");
    }

    /* boot order: the domain-level list and per-device orders exclude each other */
    const Value *dev_boot = NULL;
    for (size_t i = 0; i < d->disks.n && !dev_boot; i++)
        if (disks[i].boot.set)
            dev_boot = &disks[i].boot;
    for (size_t i = 0; i < d->interfaces.n && !dev_boot; i++)
        if (ifs[i].boot.set)
            dev_boot = &ifs[i].boot;
    if (dev_boot && d->boot.n > 0)
        ERR(dev_boot, "per-device boot orders cannot be combined with the domain's boot list");
    const Value *bl = d->boot.items;
    for (size_t i = 0; i < d->boot.n; i++)
        for (size_t j = 0; j < i; j++)
            if (streq(bl[i].s, bl[j].s))
                ERR(&bl[i], "boot device '%s' is listed twice", bl[i].s);
}

static bool ip4(const char *s, uint32_t *ret) {
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1)
        return false;
    *ret = ntohl(a.s_addr);
    return true;
}

static void verify_network(const Spec *s, DiagList *diags) {
    const NetworkSpec *n = &s->network;
    const char *fwd = n->forward.s;
    uint32_t host = 0, mask = 0, net = 0;
    bool have4 = false;

    if (n->ip.set) {
        if (n->ip.i != 4)
            ERR(&n->ip, "'ip' is the IPv4 address/prefix; put IPv6 in 'ipv6'");
        else {
            _cleanup_free_ char *a = xstrndup(n->ip.s, strcspn(n->ip.s, "/"));
            int prefix = atoi(strchr(n->ip.s, '/') + 1);
            ip4(a, &host);
            mask = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
            net = host & mask;
            have4 = true;
            if (prefix < 8 || prefix > 30)
                ERR(&n->ip, "network prefix /%d is outside /8../30", prefix);
            else if (host == net || host == (net | ~mask))
                ERR(&n->ip, "'%s' is the network or broadcast address; give the host's address "
                    "(e.g. the .1)", n->ip.s);
        }
    }
    if (n->ipv6.set && n->ipv6.i != 6)
        ERR(&n->ipv6, "'ipv6' must be an IPv6 address/prefix");
    if (streq(fwd, "bridge")) {
        if (!n->bridge.set)
            ERR(&n->forward, "forward bridge needs 'bridge' (an existing host bridge)");
        if (n->ip.set)
            ERR(&n->ip, "forward bridge networks have no 'ip': the host bridge carries it");
        if (n->dhcp.present.set)
            ERR(&n->dhcp.present, "forward bridge networks have no DHCP service");
    }
    if (streq(fwd, "veryisolated") && (n->ip.set || n->ipv6.set))
        ERR(n->ip.set ? &n->ip : &n->ipv6, "forward veryisolated networks have no address");
    if (n->forward_dev.set && !(streq(fwd, "nat") || streq(fwd, "route") || streq(fwd, "bridge")))
        ERR(&n->forward_dev, "forward_dev applies to forward nat, route or bridge");
    if (n->dhcp.present.set) {
        if (!have4)
            ERR(&n->dhcp.present, "dhcp needs the network's IPv4 'ip'");
        if (n->dhcp.start.set != n->dhcp.end.set)
            ERR(&n->dhcp.present, "dhcp needs both start and end");
        uint32_t a = 0, b = 0;
        const Value *se[] = { &n->dhcp.start, &n->dhcp.end };
        for (size_t i = 0; i < 2 && have4; i++) {
            uint32_t x = 0;
            if (!se[i]->set)
                continue;
            if (!ip4(se[i]->s, &x))
                ERR(se[i], "dhcp range addresses must be IPv4");
            else if ((x & mask) != net || x == net || x == (net | ~mask))
                ERR(se[i], "dhcp address %s is outside %s", se[i]->s, n->ip.s);
            else if (x == host)
                ERR(se[i], "dhcp address %s is the host's own address", se[i]->s);
            *(i == 0 ? &a : &b) = x;
        }
        if (a && b && a > b)
            ERR(&n->dhcp.end, "dhcp end %s comes before start %s", n->dhcp.end.s, n->dhcp.start.s);
        const DhcpHostSpec *h = n->dhcp.hosts.items;
        for (size_t i = 0; i < n->dhcp.hosts.n; i++) {
            uint32_t x = 0;
            if (have4 && (!ip4(h[i].ip.s, &x) || (x & mask) != net || x == host))
                ERR(&h[i].ip, "dhcp host address %s is not a guest address in %s", h[i].ip.s,
                    n->ip.s);
            for (size_t j = 0; j < i; j++) {
                if (streq(h[i].mac.s, h[j].mac.s))
                    ERR(&h[i].mac, "dhcp host MAC %s is listed twice", h[i].mac.s);
                if (streq(h[i].ip.s, h[j].ip.s))
                    ERR(&h[i].ip, "dhcp host address %s is listed twice", h[i].ip.s);
            }
        }
    }
}

static void verify_pool(const Spec *s, DiagList *diags) {
    const PoolSpec *p = &s->pool;
    const char *m = p->mode.s;
    bool ok = strlen(m) >= 3 && strlen(m) <= 4;
    for (const char *c = m; *c && ok; c++)
        ok = *c >= '0' && *c <= '7';
    if (!ok)
        ERR(&p->mode, "pool mode must be octal like 0755, got '%s'", m);
    if (p->path.set && streq(p->path.s, "/"))
        ERR(&p->path, "a pool cannot be the root directory");
}

void spec_verify(const Spec *s, DiagList *diags) {
    switch (s->kind) {
    case KIND_DOMAIN: verify_domain(s, diags); break;
    case KIND_NETWORK: verify_network(s, diags); break;
    case KIND_POOL: verify_pool(s, diags); break;
    default: break;
    }
}

/* ---- resolve: values derived from other values ---- */

static uint64_t fnv1a(const void *data, size_t n, uint64_t h) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void spec_derive_mac(const char *domain, size_t idx, char ret[static 18]) {
    char buf[32];
    uint64_t h = fnv1a(domain, strlen(domain) + 1, 0xcbf29ce484222325ULL);
    snprintf(buf, sizeof(buf), "%zu", idx);
    h = fnv1a(buf, strlen(buf), h);
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

static void resolve_domain(Spec *s) {
    DomainSpec *d = &s->domain;
    DiskSpec *disks = d->disks.items;
    CdromSpec *cds = d->cdroms.items;
    IfaceSpec *ifs = d->interfaces.items;
    Taken t = {};
    bool q35 = d->machine_type.set && strstr(d->machine_type.s, "q35");

    for (size_t i = 0; i < d->cdroms.n; i++)
        if (!cds[i].bus.set)
            set_derived(&cds[i].bus, xstrdup(q35 ? "sata" : "ide"));
    for (size_t i = 0; i < d->disks.n; i++)
        if (disks[i].dev.set)
            taken_add(&t, disks[i].dev.s);
    for (size_t i = 0; i < d->cdroms.n; i++)
        if (cds[i].dev.set)
            taken_add(&t, cds[i].dev.s);
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

    for (size_t i = 0; i < d->interfaces.n; i++)
        if (!ifs[i].mac.set) {
            char mac[18];
            spec_derive_mac(d->name.s, i, mac);
            set_derived(&ifs[i].mac, xstrdup(mac));
        }
    if (!d->graphics.autoport.set && !streq(d->graphics.type.s, "none") &&
        !streq(d->graphics.type.s, "sdl")) {
        set_derived(&d->graphics.autoport, xstrdup(d->graphics.port.set ? "false" : "true"));
        d->graphics.autoport.i = !d->graphics.port.set;
    }
    if (streq(d->graphics.type.s, "none") || streq(d->graphics.type.s, "sdl")) {
        /* defaults of listen/keymap have no meaning there */
        if (d->graphics.listen.defaulted)
            value_clear(&d->graphics.listen);
        if (d->graphics.keymap.defaulted)
            value_clear(&d->graphics.keymap);
    }
}

void spec_resolve(Spec *s) {
    if (s->kind == KIND_DOMAIN)
        resolve_domain(s);
}
