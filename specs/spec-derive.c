/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "spec-internal.h"

/* Derived desired state: `ip` on an interface becomes a DHCP reservation in a network.
 *
 * A pure stage over the validated set. Each interface with `ip` is placed on a network: the one
 * it names, else the declared network whose IPv4 subnet holds the address (the longest prefix),
 * else an owned synthetic network for the subnet (`netmask`, default /24, like vagrant-libvirt's
 * private_network), named vs-A.B.C.D-P, NAT, gateway the first host, DHCP over the rest. The
 * network then gets a host {mac, ip, name}. Specs that change are replaced in the set by copies:
 * the parsed ones are shared (the daemon keeps them across passes) and never written. */

typedef struct Subnet {
    uint32_t net, mask, host;   /* host: the network's own address (the guests' gateway) */
    int prefix;
} Subnet;

typedef struct Target {
    char *name;
    size_t index;               /* in set->specs; SIZE_MAX: synthetic, not in the set yet */
    Subnet sub;
    const Spec *decl;           /* the declared network, NULL for a synthetic one */
    const Value *at;            /* synthetic: where it was first asked for */
    const char *file;
    DhcpHostSpec *hosts;        /* reservations added */
    size_t n_hosts;
    const Value *guest_ipv6;    /* synthetic: the interface that set guest_ipv6 first */
} Target;

typedef struct Claim {          /* an address taken by an interface of a kept domain */
    uint32_t ip;
    const Spec *dom;
    size_t iface;
    const Value *at;
} Claim;

typedef struct Derive {
    SpecSet *set;
    DiagList *diags;
    Target **targets;           /* each allocated on its own: interfaces keep pointers */
    size_t n_targets;
    Claim *claims;
    size_t n_claims;
} Derive;

#define ERR(v, ...) diag_add(diags, DIAG_ERROR, s->file, (v)->line ? (v)->line : s->line, \
                             (v)->line ? (v)->col : s->col, __VA_ARGS__)

static uint32_t prefix_mask(int prefix) {
    return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}

static char *ip4_text(uint32_t a) {
    return xasprintf("%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

static bool network_subnet(const Spec *n, Subnet *ret) {
    if (n->kind != KIND_NETWORK || !n->network.ip.set || value_ip_family(&n->network.ip) != 4)
        return false;
    _cleanup_free_ char *a = xstrndup(n->network.ip.s, strcspn(n->network.ip.s, "/"));
    ret->prefix = atoi(strchr(n->network.ip.s, '/') + 1);
    ret->mask = prefix_mask(ret->prefix);
    if (!spec_ip4(a, &ret->host))
        return false;
    ret->net = ret->host & ret->mask;
    return true;
}

static bool subnet_has(const Subnet *sub, uint32_t ip) {
    return (ip & sub->mask) == sub->net;
}

static bool subnets_overlap(const Subnet *a, const Subnet *b) {
    uint32_t m = a->prefix < b->prefix ? a->mask : b->mask;
    return (a->net & m) == (b->net & m);
}

static Target *target_find(Derive *d, const char *name) {
    for (size_t i = 0; i < d->n_targets; i++)
        if (streq(d->targets[i]->name, name))
            return d->targets[i];
    return NULL;
}

static Target *target_add(Derive *d, Target t) {
    Target *p = xmalloc0(sizeof(Target));
    *p = t;
    *(Target **) array_push(&d->targets, &d->n_targets, sizeof(Target *)) = p;
    return p;
}

static Target *target_declared(Derive *d, size_t index, const Subnet *sub) {
    const Spec *n = d->set->specs[index];
    Target *t = target_find(d, n->name);
    if (t)
        return t;
    return target_add(d, (Target) { .name = xstrdup(n->name), .index = index, .sub = *sub,
                                    .decl = n, .file = n->file });
}

/* The network an interface's address goes to, or NULL after an error. */
static Target *pick_target(Derive *d, const Spec *s, const IfaceSpec *f, size_t i, uint32_t ip) {
    DiagList *diags = d->diags;
    SpecSet *set = d->set;
    int prefix = f->netmask.set ? spec_netmask_prefix(f->netmask.s) : 24;
    Subnet sub;

    if (f->network.set) {
        for (size_t k = 0; k < set->n; k++)
            if (set->specs[k]->kind == KIND_NETWORK && streq(set->specs[k]->name, f->network.s)) {
                if (!network_subnet(set->specs[k], &sub)) {
                    ERR(&f->ip, "interfaces[%zu].ip: network '%s' (%s:%u) has no IPv4 'ip' to "
                        "hand out %s", i, f->network.s, set->specs[k]->file, set->specs[k]->line,
                        f->ip.s);
                    return NULL;
                }
                if (!subnet_has(&sub, ip)) {
                    ERR(&f->ip, "interfaces[%zu].ip %s is outside network '%s' (%s)", i, f->ip.s,
                        f->network.s, set->specs[k]->network.ip.s);
                    return NULL;
                }
                return target_declared(d, k, &sub);
            }
        ERR(&f->ip, "interfaces[%zu].ip: network '%s' has no spec here; a reservation needs the "
            "network's spec (or leave out 'network' to have one derived)", i, f->network.s);
        return NULL;
    }

    /* a declared network whose subnet holds the address: the most specific one */
    size_t best = SIZE_MAX;
    Subnet best_sub = {};
    for (size_t k = 0; k < set->n; k++)
        if (network_subnet(set->specs[k], &sub) && subnet_has(&sub, ip) &&
            (best == SIZE_MAX || sub.prefix > best_sub.prefix)) {
            best = k;
            best_sub = sub;
        }
    if (best != SIZE_MAX) {
        if (f->netmask.set && prefix != best_sub.prefix) {
            ERR(&f->netmask, "interfaces[%zu].netmask /%d differs from network '%s' (%s, %s:%u), "
                "which holds %s", i, prefix, set->specs[best]->name,
                set->specs[best]->network.ip.s, set->specs[best]->file, set->specs[best]->line,
                f->ip.s);
            return NULL;
        }
        return target_declared(d, best, &best_sub);
    }

    /* none: an owned network for the subnet */
    sub.prefix = prefix;
    sub.mask = prefix_mask(prefix);
    sub.net = ip & sub.mask;
    sub.host = sub.net + 1;
    _cleanup_free_ char *net = ip4_text(sub.net);
    _cleanup_free_ char *name = xasprintf("vs-%s-%d", net, prefix);
    Target *t = target_find(d, name);
    if (t)
        return t;
    for (size_t k = 0; k < set->n; k++) {
        const Spec *n = set->specs[k];
        Subnet other;
        if (n->kind != KIND_NETWORK)
            continue;
        if (streq(n->name, name)) {
            ERR(&f->ip, "interfaces[%zu].ip %s would derive network '%s', but a network of that "
                "name is declared at %s:%u for another subnet", i, f->ip.s, name, n->file, n->line);
            return NULL;
        }
        if (network_subnet(n, &other) && subnets_overlap(&sub, &other)) {
            ERR(&f->ip, "interfaces[%zu].ip %s: its subnet %s/%d overlaps network '%s' (%s, %s:%u) "
                "without being inside it; give 'network' or a 'netmask' that fits", i, f->ip.s,
                net, prefix, n->name, n->network.ip.s, n->file, n->line);
            return NULL;
        }
    }
    return target_add(d, (Target) { .name = TAKE_PTR(name), .index = SIZE_MAX, .sub = sub,
                                    .at = &f->ip, .file = s->file });
}

/* A DHCP host name: the domain's, when libvirt accepts it (a letter first, then letters, digits
 * and dashes) and no other host of the network has it. */
static bool host_name_ok(const char *name, const Target *t, Target *const *more_to,
                         const DhcpHostSpec *more, size_t n_more) {
    if (!((*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z')) || strlen(name) > 63)
        return false;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-'))
            return false;
    const DhcpHostSpec *decl = t->decl ? t->decl->network.dhcp.hosts.items : NULL;
    size_t n_decl = t->decl ? t->decl->network.dhcp.hosts.n : 0;
    for (size_t k = 0; k < n_decl; k++)
        if (decl[k].name.set && streq(decl[k].name.s, name))
            return false;
    for (size_t k = 0; k < t->n_hosts; k++)
        if (t->hosts[k].name.set && streq(t->hosts[k].name.s, name))
            return false;
    for (size_t k = 0; k < n_more; k++)
        if (more_to[k] == t && more[k].name.set && streq(more[k].name.s, name))
            return false;
    return true;
}

static void derived_value(Value *v, const Value *at, char *s) {
    *v = (Value) { .set = true, .defaulted = true, .s = s, .line = at->line, .col = at->col };
}

/* Checks one interface's reservation against its network; false after an error. */
static bool check_reservation(Derive *d, const Spec *s, const IfaceSpec *f, size_t i, uint32_t ip,
                              const Target *t) {
    DiagList *diags = d->diags;
    const Subnet *sub = &t->sub;
    if (ip == sub->net || ip == (sub->net | ~sub->mask)) {
        _cleanup_free_ char *net = ip4_text(sub->net);
        ERR(&f->ip, "interfaces[%zu].ip %s is the %s address of %s/%d (network '%s')", i,
            f->ip.s, ip == sub->net ? "network" : "broadcast", net, sub->prefix, t->name);
        return false;
    }
    if (ip == sub->host) {
        ERR(&f->ip, "interfaces[%zu].ip %s is the address of network '%s' itself (the guests' "
            "gateway)", i, f->ip.s, t->name);
        return false;
    }
    if (t->decl && !t->decl->network.dhcp.present.set) {
        ERR(&f->ip, "interfaces[%zu].ip %s is in network '%s' (%s:%u), which has no dhcp: the "
            "reservation needs its DHCP service (add dhcp: {} or a range)", i, f->ip.s, t->name,
            t->decl->file, t->decl->line);
        return false;
    }
    const DhcpHostSpec *h = t->decl ? t->decl->network.dhcp.hosts.items : NULL;
    for (size_t k = 0; t->decl && k < t->decl->network.dhcp.hosts.n; k++) {
        bool same_ip = streq(h[k].ip.s, f->ip.s), same_mac = streq(h[k].mac.s, f->mac.s);
        if (same_ip != same_mac) {
            ERR(&f->ip, "interfaces[%zu].ip %s (MAC %s) conflicts with static host %s → %s of "
                "network '%s' (%s:%u)", i, f->ip.s, f->mac.s, h[k].mac.s, h[k].ip.s, t->name,
                t->decl->file, h[k].mac.line);
            return false;
        }
    }
    for (size_t k = 0; k < d->n_claims; k++)
        if (d->claims[k].ip == ip) {
            const Claim *c = &d->claims[k];
            ERR(&f->ip, "interfaces[%zu].ip %s is also taken by domain '%s' interfaces[%zu] "
                "(%s:%u:%u)", i, f->ip.s, c->dom->name, c->iface, c->dom->file, c->at->line,
                c->at->col);
            return false;
        }
    for (size_t k = 0; k < t->n_hosts; k++)
        if (streq(t->hosts[k].mac.s, f->mac.s)) {
            ERR(&f->mac, "interfaces[%zu]: MAC %s already has a reservation in network '%s'", i,
                f->mac.s, t->name);
            return false;
        }
    return true;
}

/* guest_ipv6 of an interface: the derived network's; one value per network. */
static bool derive_guest_ipv6(Derive *d, const Spec *s, const IfaceSpec *f, size_t i, Target *t) {
    DiagList *diags = d->diags;
    if (!f->guest_ipv6.set)
        return true;
    if (t->decl) {
        ERR(&f->guest_ipv6, "interfaces[%zu].guest_ipv6: network '%s' is declared (%s:%u): set "
            "guest_ipv6 there", i, t->name, t->decl->file, t->decl->line);
        return false;
    }
    if (t->guest_ipv6 && value_int(t->guest_ipv6) != value_int(&f->guest_ipv6)) {
        ERR(&f->guest_ipv6, "interfaces[%zu].guest_ipv6 contradicts another interface on network "
            "'%s' (line %u)", i, t->name, spec_origin_line(t->guest_ipv6->line));
        return false;
    }
    t->guest_ipv6 = &f->guest_ipv6;
    return true;
}

static bool declared_host(const Target *t, const char *mac) {
    const DhcpHostSpec *h = t->decl ? t->decl->network.dhcp.hosts.items : NULL;
    for (size_t k = 0; t->decl && k < t->decl->network.dhcp.hosts.n; k++)
        if (streq(h[k].mac.s, mac))
            return true;   /* the same host, written out already */
    return false;
}

/* One domain: its copy with networks filled in, and the hosts it adds. NULL when it has no `ip`
 * or after an error (*failed). */
static Spec *derive_domain(Derive *d, const Spec *s, bool *failed) {
    const IfaceSpec *ifs = s->domain.interfaces.items;
    size_t n = s->domain.interfaces.n;
    _cleanup_free_ Target **to = xmalloc0(n * sizeof(Target *) + 1);
    _cleanup_free_ DhcpHostSpec *add = xmalloc0(n * sizeof(DhcpHostSpec) + 1);
    bool any = false;

    *failed = false;
    for (size_t i = 0; i < n; i++) {
        uint32_t ip;
        if (!ifs[i].ip.set || value_ip_family(&ifs[i].ip) != 4 || !spec_ip4(ifs[i].ip.s, &ip))
            continue;
        any = true;
        to[i] = pick_target(d, s, &ifs[i], i, ip);
        if (!to[i] || !check_reservation(d, s, &ifs[i], i, ip, to[i]) ||
            !derive_guest_ipv6(d, s, &ifs[i], i, to[i])) {
            *failed = true;
            to[i] = NULL;
            continue;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (ifs[i].guest_ipv6.set && !(ifs[i].ip.set && value_ip_family(&ifs[i].ip) == 4)) {
            DiagList *diags = d->diags;
            ERR(&ifs[i].guest_ipv6, "interfaces[%zu].guest_ipv6 is for the network derived for an "
                "IPv4 'ip'", i);
            *failed = true;
        }
    if (!any || *failed)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        uint32_t ip;
        if (!to[i] || !spec_ip4(ifs[i].ip.s, &ip))
            continue;
        *(Claim *) array_push(&d->claims, &d->n_claims, sizeof(Claim)) =
            (Claim) { .ip = ip, .dom = s, .iface = i, .at = &ifs[i].ip };
        if (declared_host(to[i], ifs[i].mac.s))
            continue;
        DhcpHostSpec h = {};
        derived_value(&h.mac, &ifs[i].ip, xstrdup(ifs[i].mac.s));
        derived_value(&h.ip, &ifs[i].ip, xstrdup(ifs[i].ip.s));
        if (host_name_ok(s->name, to[i], to, add, n))
            derived_value(&h.name, &ifs[i].ip, xstrdup(s->name));
        add[i] = h;
    }
    Spec *c = spec_copy(s);
    IfaceSpec *cifs = c->domain.interfaces.items;
    for (size_t i = 0; i < n; i++) {
        if (!to[i])
            continue;
        if (!cifs[i].network.set)
            derived_value(&cifs[i].network, &cifs[i].ip, xstrdup(to[i]->name));
        if (add[i].mac.set)
            *(DhcpHostSpec *) array_push(&to[i]->hosts, &to[i]->n_hosts, sizeof(DhcpHostSpec)) = add[i];
    }
    return c;
}

static void hosts_append(Spec *n, Target *t) {
    List *l = &n->network.dhcp.hosts;
    for (size_t k = 0; k < t->n_hosts; k++)
        *(DhcpHostSpec *) array_push(&l->items, &l->n, sizeof(DhcpHostSpec)) = t->hosts[k];
    free(t->hosts);
    t->hosts = NULL;
    t->n_hosts = 0;
}

/* The default DHCP range of a subnet: see spec_dhcp_default_range. */
static bool subnet_range(const Subnet *sub, uint32_t *ret_start, uint32_t *ret_end) {
    /* the range stays inside the subnet's first /16: older libvirt refuses wider ones, and a
     * reservation beyond it is served all the same (dnsmasq knows the whole subnet) */
    uint32_t last = sub->prefix >= 16 ? (sub->net | ~sub->mask) - 1 : sub->net | 0xfffe;
    if (sub->prefix > 30)
        return false;
    if (sub->host < last) {
        *ret_start = sub->host + 1;
        *ret_end = last;
    } else {   /* the host is the last address (of the first /16): the ones before it */
        *ret_start = sub->net + 1;
        *ret_end = sub->host - 1;
    }
    return *ret_start <= *ret_end;
}

bool spec_dhcp_default_range(const Spec *n, char **ret_start, char **ret_end) {
    Subnet sub;
    uint32_t a, b;
    if (!network_subnet(n, &sub) || !subnet_range(&sub, &a, &b))
        return false;
    *ret_start = ip4_text(a);
    *ret_end = ip4_text(b);
    return true;
}

/* The owned network for a subnet, through the parser: the same defaults as a written spec. */
static Spec *synthetic_network(Target *t) {
    const Subnet *sub = &t->sub;
    uint32_t a, b;
    if (!subnet_range(sub, &a, &b))
        return NULL;
    _cleanup_free_ char *gw = ip4_text(sub->host), *start = ip4_text(a), *end = ip4_text(b);
    _cleanup_free_ char *yaml = xasprintf(
        "kind: Network\nname: %s\nforward: nat\nip: %s/%d\ndhcp: {start: %s, end: %s}\n%s",
        t->name, gw, sub->prefix, start, end,
        !t->guest_ipv6 ? "" : value_int(t->guest_ipv6) ? "guest_ipv6: true\n" : "guest_ipv6: false\n");
    _cleanup_(spec_set_clear) SpecSet tmp = {};
    if (spec_load_buffer(&tmp, t->file, yaml, strlen(yaml)) < 0 || tmp.n != 1)
        return NULL;
    Spec *n = tmp.specs[0];
    tmp.n = 0;
    n->line = t->at->line;
    n->col = t->at->col;
    return n;
}

static void replace_spec(SpecSet *set, size_t index, Spec *with) {
    spec_unref(set->specs[index]);
    set->specs[index] = with;
}

void spec_set_derive(SpecSet *set) {
    Derive d = { .set = set, .diags = &set->diags };
    size_t n_orig = set->n;
    bool *drop = xmalloc0(n_orig + 1);
    Spec **copies = xmalloc0((n_orig + 1) * sizeof(Spec *));

    for (size_t k = 0; k < n_orig; k++) {
        const Spec *s = set->specs[k];
        bool failed;
        if (s->kind != KIND_DOMAIN)
            continue;
        copies[k] = derive_domain(&d, s, &failed);
        drop[k] = failed;
    }
    for (size_t i = 0; i < d.n_targets; i++) {
        Target *t = d.targets[i];
        if (t->index != SIZE_MAX) {
            if (t->n_hosts > 0) {
                Spec *c = spec_copy(set->specs[t->index]);
                hosts_append(c, t);
                replace_spec(set, t->index, c);
            }
        } else if (t->n_hosts > 0) {   /* none: every domain that asked for it failed */
            Spec *n = synthetic_network(t);
            if (n) {
                hosts_append(n, t);
                *(Spec **) array_push(&set->specs, &set->n, sizeof(Spec *)) = n;
            }
        }
        for (size_t k = 0; k < t->n_hosts; k++) {
            value_clear(&t->hosts[k].mac);
            value_clear(&t->hosts[k].ip);
            value_clear(&t->hosts[k].name);
        }
        free(t->hosts);
        free(t->name);
        free(t);
    }
    free(d.targets);
    free(d.claims);
    /* claims and targets point into the parsed domains: they are replaced only now */
    for (size_t k = 0; k < n_orig; k++)
        if (copies[k])
            replace_spec(set, k, copies[k]);
    free(copies);
    spec_set_drop_held(set, drop, n_orig);
    free(drop);
}
