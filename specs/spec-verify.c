/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <libxml/parser.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <strings.h>

#include "spec-internal.h"

#define ERR(v, ...) diag_add(diags, DIAG_ERROR, s->file, (v)->line ? (v)->line : s->line, \
                             (v)->line ? (v)->col : s->col, __VA_ARGS__)

/* ---- CPU and node sets ---- */

/* Parses "0-3,8,^2" into a bitmap of limit bits; false on a syntax error or an id >= limit. */
static bool cpuset_bits(const char *s, unsigned limit, unsigned char *bits) {
    const char *p = s;
    bool any = false;
    if (!*s)
        return false;
    while (*p) {
        bool neg = *p == '^';
        unsigned long a, b;
        char *end;
        if (neg)
            p++;
        if (*p < '0' || *p > '9')
            return false;
        a = strtoul(p, &end, 10);
        b = a;
        p = end;
        if (*p == '-' && !neg) {
            p++;
            if (*p < '0' || *p > '9')
                return false;
            b = strtoul(p, &end, 10);
            p = end;
        }
        if (a > b || b >= limit)
            return false;
        for (unsigned long i = a; i <= b; i++) {
            if (neg)
                bits[i / 8] &= (unsigned char) ~(1u << (i % 8));
            else
                bits[i / 8] |= (unsigned char) (1u << (i % 8));
        }
        any = any || !neg;
        if (*p == ',')
            p++;
        else if (*p)
            return false;
        else
            break;
        if (!*p)
            return false;   /* trailing comma */
    }
    return any;
}

char *cpuset_canonical(const char *s, unsigned limit) {
    unsigned char *bits = xmalloc0(limit / 8 + 1);
    char *acc = NULL;
    if (cpuset_bits(s, limit, bits)) {
        for (unsigned i = 0; i < limit; i++) {
            if (!(bits[i / 8] & (1u << (i % 8))))
                continue;
            unsigned j = i;
            while (j + 1 < limit && (bits[(j + 1) / 8] & (1u << ((j + 1) % 8))))
                j++;
            char *n = j == i ? xasprintf("%s%s%u", acc ? acc : "", acc ? "," : "", i)
                             : xasprintf("%s%s%u-%u", acc ? acc : "", acc ? "," : "", i, j);
            free(acc);
            acc = n;
            i = j;
        }
        if (!acc)
            acc = NULL;   /* everything excluded */
    }
    free(bits);
    return acc;
}

bool cpuset_has(const char *canonical, unsigned id) {
    for (const char *p = canonical; p && *p;) {
        char *end;
        unsigned long a = strtoul(p, &end, 10), b = a;
        if (*end == '-')
            b = strtoul(end + 1, &end, 10);
        if (id >= a && id <= b)
            return true;
        p = *end == ',' ? end + 1 : end;
        if (end == p && *p)
            break;
    }
    return false;
}

/* Standard base64: groups of four characters, '=' padding only at the end. */
static bool valid_base64(const char *s) {
    size_t n = strlen(s), pad = 0;
    if (n == 0 || n % 4)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '=') {
            pad++;
            continue;
        }
        if (pad || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '+' || c == '/'))
            return false;
    }
    return pad <= 2;
}

/* "0x" and 1..digits hexadecimal digits. */
static bool valid_hex(const char *s, size_t digits) {
    size_t n = 0;
    if (strncmp(s, "0x", 2) != 0)
        return false;
    for (const char *p = s + 2; *p; p++, n++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')))
            return false;
    return n >= 1 && n <= digits;
}

static bool valid_pci_address(const char *s) {
    /* DDDD:BB:SS.F or BB:SS.F, hexadecimal, slot <= 0x1f, function <= 7 */
    size_t l = strlen(s);
    const char *p = l == 12 ? s + 5 : s;
    if ((l != 12 && l != 7) || (l == 12 && s[4] != ':') || p[2] != ':' || p[5] != '.')
        return false;
    for (size_t i = 0; i < l; i++)
        if (s[i] != ':' && s[i] != '.' && !isxdigit((unsigned char) s[i]))
            return false;
    return strtoul(p + 3, NULL, 16) <= 0x1f && strtoul(p + 6, NULL, 16) <= 7;
}

/* The port each serial (pass 0) or console (pass 1) gets: its own, else the lowest number not
 * given to another one. Verification and resolution share it. */
static int64_t *chardev_ports(const DomainSpec *d, bool consoles) {
    const CharDevSpec *l = consoles ? d->consoles.items : d->serials.items;
    size_t n = consoles ? d->consoles.n : d->serials.n;
    int64_t *out = xmalloc0((n + 1) * sizeof(int64_t));
    for (size_t i = 0; i < n; i++) {
        if (l[i].port.set) {
            out[i] = l[i].port.i;
            continue;
        }
        for (int64_t p = 0;; p++) {
            /* taken: an explicit port of another entry, or one given to an earlier entry */
            bool taken = false;
            for (size_t j = 0; j < n && !taken; j++)
                taken = j != i && ((l[j].port.set && l[j].port.i == p) || (j < i && out[j] == p));
            if (!taken) {
                out[i] = p;
                break;
            }
        }
    }
    return out;
}

/* The bytes of the memory devices (<memory model='dimm'>…) that xml.add puts below devices: a
 * domain's memory is its NUMA nodes' plus theirs (an exported domain with hot-pluggable
 * memory). */
static int64_t hatch_memory_devices(const XmlHatchSpec *x) {
    static const struct { const char *unit; int64_t factor; } units[] = {
        { "b", 1 }, { "bytes", 1 }, { "k", 1024 }, { "KiB", 1024 }, { "KB", 1000 },
        { "M", 1 << 20 }, { "MiB", 1 << 20 }, { "MB", 1000000 }, { "G", 1 << 30 },
        { "GiB", 1 << 30 }, { "GB", 1000000000 }, { "T", (int64_t) 1 << 40 },
        { "TiB", (int64_t) 1 << 40 }, { "TB", 1000000000000 },
    };
    int64_t sum = 0;
    const XmlAddSpec *add = x->add.items;
    for (size_t i = 0; i < x->add.n; i++) {
        if (!add[i].at.set || !streq(add[i].at.s, "devices") || !add[i].fragment.set)
            continue;
        xmlDoc *doc = xmlReadMemory(add[i].fragment.s, (int) strlen(add[i].fragment.s),
                                    "fragment.xml", NULL,
                                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        xmlNode *m = doc ? xmlDocGetRootElement(doc) : NULL;
        xmlNode *t = NULL, *size = NULL;
        if (m && streq((const char *) m->name, "memory"))
            for (t = m->children; t && !(t->type == XML_ELEMENT_NODE && streq((const char *) t->name, "target")); t = t->next)
                ;
        for (size = t ? t->children : NULL; size; size = size->next)
            if (size->type == XML_ELEMENT_NODE && streq((const char *) size->name, "size"))
                break;
        if (size) {
            xmlChar *txt = xmlNodeGetContent(size), *unit = xmlGetProp(size, (const xmlChar *) "unit");
            int64_t factor = unit ? 0 : 1024;   /* KiB without a unit */
            for (size_t u = 0; unit && u < ELEMENTSOF(units); u++)
                if (strcasecmp((const char *) unit, units[u].unit) == 0)
                    factor = units[u].factor;
            char *end = NULL;
            long long n = txt ? strtoll((const char *) txt, &end, 10) : 0;
            if (txt && end && !*end && n > 0 && factor > 0 && n < INT64_MAX / factor)
                sum += n * factor;
            xmlFree(txt);
            xmlFree(unit);
        }
        xmlFreeDoc(doc);
        xmlResetLastError();
    }
    return sum;
}

/* The length of the XML name at p ([A-Za-z_][A-Za-z0-9_.:-]*), 0 when there is none: a step
 * may not start with a digit, '.', '-' or ':' (libxml2 would build the element, and its text
 * would not parse back). */
static size_t xml_name_len(const char *p) {
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_'))
        return 0;
    return 1 + strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-");
}

/* A path of the xml key: element steps (XML names, each optionally with predicates: [@attr='value'],
 * a child's value [child/@attr='value'] or [child='value'], and last a position [N]) separated by
 * '/', optionally ending in @attr when attr_ok. "." is the domain element itself. */
static bool valid_xml_path(const char *s, bool attr_ok, bool elem_ok) {
    if (streq(s, "."))
        return elem_ok;
    const char *p = s;
    bool attr = false;
    if (!*p || *p == '/')
        return false;
    while (*p) {
        if (*p == '@') {
            if (!attr_ok)
                return false;
            attr = true;
            p++;
        }
        size_t n = xml_name_len(p);
        if (n == 0)
            return false;
        p += n;
        if (attr)
            return *p == 0;
        while (*p == '[') {
            p++;
            if (*p >= '1' && *p <= '9') {
                /* [N]: the N-th of the elements the step's name and other predicates select
                 * (1-based, as in XPath); the last predicate of its step */
                char *e;
                long pos = strtol(p, &e, 10);
                if (pos > 4096 || *e != ']' || e[1] == '[')
                    return false;
                p = e + 1;
                continue;
            }
            /* [@name='value'], or a child's text or attribute: [mac/@address='…'], [a/b='…'] */
            for (bool pattr = false; !pattr;) {
                pattr = *p == '@';
                p += pattr;
                n = xml_name_len(p);
                if (n == 0)
                    return false;
                p += n;
                if (*p != '/')
                    break;
                p++;
            }
            if (p[0] != '=' || p[1] != '\'')
                return false;
            p += 2;
            const char *q = strchr(p, '\'');
            if (!q || q[1] != ']')
                return false;
            p = q + 2;
        }
        if (*p == '/') {
            p++;
            if (!*p)
                return false;
        } else if (*p)
            return false;
    }
    return elem_ok;
}

/* Whether a path reaches an object's identity: its first step (the element below the root, with
 * or without a predicate) is name, uuid or metadata (virtspec's ownership record), or the path is
 * the root itself. Such edits could take over another object (set its name and uuid) or forge
 * ownership; no spelling of a path reaches these elements otherwise (steps are XML names). */
static bool path_is_identity(const char *s) {
    static const char *const identity[] = { "name", "uuid", "metadata" };
    if (streq(s, "."))
        return true;
    size_t n = strcspn(s, "[/");
    for (size_t i = 0; i < ELEMENTSOF(identity); i++)
        if (strlen(identity[i]) == n && !strncmp(s, identity[i], n))
            return true;
    return false;
}

/* The escape hatch, the same for every kind: well-formed fragments, plain paths, never the
 * object's identity (name, uuid, metadata). */
static void verify_xml_edits(const Spec *s, DiagList *diags) {
    /* examples in the kind's own vocabulary: parent, attribute, element text, removal */
    static const char *const ex[_KIND_MAX][4] = {
        [KIND_DOMAIN] = { "devices or devices/controller[@type='usb']",
                          "devices/graphics/@sharePolicy", "on_crash", "devices/memballoon" },
        [KIND_NETWORK] = { "dns or ip[@family='ipv6']", "dns/@enable", "domain/@localOnly",
                           "dns/forwarder" },
        [KIND_POOL] = { "target or target/permissions", "features/cow/@state",
                        "target/permissions/label", "target/permissions/group" },
    };
    static const char *const kinds[_KIND_MAX] = { "domain", "network", "pool" };
    const char *const *eg = ex[s->kind];
    const XmlHatchSpec *x = spec_xml_hatch(s);
    const XmlAddSpec *add = x->add.items;
    for (size_t i = 0; i < x->add.n; i++) {
        if (!valid_xml_path(add[i].at.s, false, true))
            ERR(&add[i].at, "xml.add[%zu].at must be an element path like %s, got '%s'", i, eg[0],
                add[i].at.s);
        else if (!streq(add[i].at.s, ".") && path_is_identity(add[i].at.s))
            ERR(&add[i].at, "xml.add[%zu].at '%s' is inside the %s's identity (name, uuid and "
                "metadata are never edited through xml)", i, add[i].at.s, kinds[s->kind]);
        xmlDoc *doc = xmlReadMemory(add[i].fragment.s, (int) strlen(add[i].fragment.s),
                                    "fragment.xml", NULL,
                                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        xmlNode *top = doc ? xmlDocGetRootElement(doc) : NULL;
        if (!doc) {
            const xmlError *e = xmlGetLastError();
            _cleanup_free_ char *msg = xstrdup(e && e->message ? e->message : "malformed");
            msg[strcspn(msg, "\n")] = 0;
            ERR(&add[i].fragment, "xml.add[%zu].fragment is not well-formed XML (fragment line %d, "
                "column %d): %s", i, e ? e->line : 0, e ? e->int2 : 0, msg);
        } else if (top && streq(add[i].at.s, ".") && path_is_identity((const char *) top->name))
            ERR(&add[i].fragment, "xml.add[%zu].fragment may not add <%s> to the %s (name, uuid "
                "and metadata are never edited through xml)", i, (const char *) top->name,
                kinds[s->kind]);
        xmlFreeDoc(doc);
        xmlResetLastError();
    }
    const XmlSetSpec *set = x->set.items;
    for (size_t i = 0; i < x->set.n; i++)
        if (!valid_xml_path(set[i].path.s, true, true) || streq(set[i].path.s, "."))
            ERR(&set[i].path, "xml.set[%zu].path must name an attribute (%s) or an element (%s); "
                "got '%s'", i, eg[1], eg[2], set[i].path.s);
        else if (path_is_identity(set[i].path.s))
            ERR(&set[i].path, "xml.set[%zu].path '%s' reaches the %s's identity (name, uuid and "
                "metadata are never edited through xml)", i, set[i].path.s, kinds[s->kind]);
    const Value *rm = x->remove.items;
    for (size_t i = 0; i < x->remove.n; i++)
        if (!valid_xml_path(rm[i].s, true, true) || streq(rm[i].s, "."))
            ERR(&rm[i], "xml.remove entries must name an element (%s) or an attribute; got '%s'",
                eg[3], rm[i].s);
        else if (path_is_identity(rm[i].s))
            ERR(&rm[i], "xml.remove entry '%s' reaches the %s's identity (name, uuid and metadata "
                "are never edited through xml)", rm[i].s, kinds[s->kind]);
}

/* A position for ERR(). */
typedef struct Pos {
    unsigned line, col;
} Pos;

/* Where a list entry was written: the first value the user gave in it (defaults have no
 * position), else the list itself. The entry is a struct of Values only (IfaceSpec). */
static Pos item_pos(const void *item, size_t size, const List *list) {
    const Value *v = item;
    for (size_t i = 0; i < size / sizeof(Value); i++)
        if (v[i].set && !v[i].defaulted && v[i].line > 0)
            return (Pos) { v[i].line, v[i].col };
    return (Pos) { list->line, list->col };
}

static const Value *explicit_of(const Value *a, const Value *b) {
    /* Prefer pointing at a value the user wrote. */
    if (a->set && !a->defaulted)
        return a;
    return b;
}

static bool iface_is_tunnel(const char *type) {
    static const char *const tunnels[] = { "udp", "mcast", "server", "client" };
    for (size_t i = 0; i < ELEMENTSOF(tunnels); i++)
        if (streq(type, tunnels[i]))
            return true;
    return false;
}

/* 224.0.0.0/4 or ff00::/8 (canonical text, as parse_ip writes it) */
static bool ip_is_multicast(const char *ip) {
    if (strchr(ip, ':'))
        return strlen(ip) >= 2 && (ip[0] == 'f' || ip[0] == 'F') && (ip[1] == 'f' || ip[1] == 'F');
    int first = atoi(ip);
    return first >= 224 && first <= 239;
}

/* `ip` (and `netmask`) on an interface: the reservation itself is derived across the set
 * (spec-derive.c); here, what one document can tell. */
static void verify_iface_ip(const Spec *s, const IfaceSpec *ifs, size_t i, DiagList *diags) {
    const IfaceSpec *f = &ifs[i];
    if (f->netmask.set && !f->ip.set)
        ERR(&f->netmask, "interfaces[%zu].netmask needs 'ip'", i);
    if (f->netmask.set && spec_netmask_prefix(f->netmask.s) < 0)
        ERR(&f->netmask, "interfaces[%zu].netmask must be a mask like 255.255.255.0 or a prefix "
            "length 8..30, got '%s'", i, f->netmask.s);
    if (!f->ip.set)
        return;
    if (f->ip.i != 4)
        ERR(&f->ip, "interfaces[%zu].ip must be an IPv4 address (a DHCP reservation), got %s", i,
            f->ip.s);
    if (!streq(f->type.s, "network"))
        ERR(&f->ip, "interfaces[%zu].ip needs type network (a libvirt network's DHCP hands it "
            "out); type is %s", i, f->type.s);
    for (size_t j = 0; j < i; j++)
        if (ifs[j].ip.set && streq(ifs[j].ip.s, f->ip.s)) {
            ERR(&f->ip, "interfaces[%zu].ip %s is also interfaces[%zu].ip", i, f->ip.s, j);
            break;
        }
}

/* Point-to-point NICs (udp, mcast, server, client): which keys apply, which are required. */
static void verify_tunnel(const Spec *s, const IfaceSpec *f, size_t i, DiagList *diags) {
    const char *t = f->type.s;
    bool tunnel = iface_is_tunnel(t), udp = streq(t, "udp");
    const struct { const Value *v; const char *key; bool ok; const char *types; } only[] = {
        { &f->tunnel_ip, "tunnel_ip", tunnel, "types udp, mcast, server, client" },
        { &f->tunnel_port, "tunnel_port", tunnel, "types udp, mcast, server, client" },
        { &f->tunnel_local_ip, "tunnel_local_ip", udp, "type udp" },
        { &f->tunnel_local_port, "tunnel_local_port", udp, "type udp" },
        { &f->target, "target", !tunnel, "types network, bridge, direct" },
    };
    for (size_t k = 0; k < ELEMENTSOF(only); k++)
        if (only[k].v->set && !only[k].ok)
            ERR(only[k].v, "interfaces[%zu].%s only applies to %s (type is %s)", i, only[k].key,
                only[k].types, t);
    if (!tunnel)
        return;
    if (!f->tunnel_port.set)
        ERR(&f->type, "interfaces[%zu] of type %s needs 'tunnel_port'", i, t);
    if (udp && !f->tunnel_local_port.set)
        ERR(&f->type, "interfaces[%zu] of type udp needs 'tunnel_local_port' (the port it receives on)", i);
    if (f->tunnel_ip.set && streq(t, "mcast") && !ip_is_multicast(f->tunnel_ip.s))
        ERR(&f->tunnel_ip, "interfaces[%zu].tunnel_ip of type mcast must be a multicast group "
            "(224.0.0.0/4 or ff00::/8), got %s", i, f->tunnel_ip.s);
    if (f->tunnel_ip.set && !streq(t, "mcast") && ip_is_multicast(f->tunnel_ip.s))
        ERR(&f->tunnel_ip, "interfaces[%zu].tunnel_ip %s is a multicast group: use type mcast", i,
            f->tunnel_ip.s);
    if (f->tunnel_local_ip.set && ip_is_multicast(f->tunnel_local_ip.s))
        ERR(&f->tunnel_local_ip, "interfaces[%zu].tunnel_local_ip must be a unicast address, got %s",
            i, f->tunnel_local_ip.s);
    if (udp && f->tunnel_port.set && f->tunnel_local_port.set &&
        f->tunnel_port.i == f->tunnel_local_port.i &&
        streq(f->tunnel_ip.set ? f->tunnel_ip.s : "127.0.0.1",
              f->tunnel_local_ip.set ? f->tunnel_local_ip.s : "127.0.0.1"))
        ERR(&f->tunnel_local_port, "interfaces[%zu]: a udp tunnel to its own address and port "
            "talks to itself; the peer needs another port", i);
}

/* memorybacking.pages: sizes a power of two, node sets of existing guest NUMA nodes (node 0 alone
 * without numa), no node in two entries' node sets, at most one entry without a node set (the
 * size of every node no node set names). */
static void verify_hugepages(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    const HugePageSpec *pg = d->memorybacking.pages.items;
    unsigned nodes = d->numa.n > 0 ? (unsigned) d->numa.n : 1;
    if (d->memorybacking.pages.n > 0 && !d->memorybacking.hugepages.i)
        ERR(&d->memorybacking.pages, "memorybacking.pages needs hugepages: true");
    for (size_t i = 0; i < d->memorybacking.pages.n; i++) {
        if (pg[i].size.i & (pg[i].size.i - 1))
            ERR(&pg[i].size, "memorybacking.pages[%zu].size must be a power of two, like 2MiB or "
                "1GiB", i);
        _cleanup_free_ char *c = pg[i].nodeset.set ? cpuset_canonical(pg[i].nodeset.s, 16384) : NULL;
        _cleanup_free_ char *in = pg[i].nodeset.set ? cpuset_canonical(pg[i].nodeset.s, nodes) : NULL;
        if (pg[i].nodeset.set && !c) {
            ERR(&pg[i].nodeset, "'%s' must be a set of guest NUMA nodes like 0 or 1-3",
                pg[i].nodeset.s);
            continue;
        }
        if (pg[i].nodeset.set && !in) {
            if (d->numa.n > 0)
                ERR(&pg[i].nodeset, "memorybacking.pages[%zu].nodeset %s names a guest NUMA node "
                    "that does not exist (nodes are 0..%u)", i, c, nodes - 1);
            else
                ERR(&pg[i].nodeset, "memorybacking.pages[%zu].nodeset %s names a guest NUMA node "
                    "that does not exist (without numa the guest has only node 0)", i, c);
            continue;
        }
        for (size_t j = 0; j < i; j++) {
            _cleanup_free_ char *o = pg[j].nodeset.set ? cpuset_canonical(pg[j].nodeset.s, nodes) : NULL;
            bool overlap = !pg[i].nodeset.set && !pg[j].nodeset.set;
            for (unsigned n = 0; n < nodes && in && o && !overlap; n++)
                overlap = cpuset_has(in, n) && cpuset_has(o, n);
            if (overlap) {
                ERR(pg[i].nodeset.set ? &pg[i].nodeset : &pg[i].size,
                    "memorybacking.pages[%zu] and [%zu] both give the size of the same guest NUMA "
                    "nodes", j, i);
                break;
            }
        }
    }
}
/* qemu's keymap names: "en-us", "de", "fr-ch", "bepo" (letters, one optional dash part). */
static bool valid_keymap(const char *s) {
    size_t a = strspn(s, "abcdefghijklmnopqrstuvwxyz");
    if (a < 2 || a > 4)
        return false;
    if (!s[a])
        return true;
    size_t b = strspn(s + a + 1, "abcdefghijklmnopqrstuvwxyz");
    return s[a] == '-' && b >= 2 && b <= 4 && !s[a + 1 + b];
}

/* A tz database name: parts of letters, digits, '_', '+', '-' separated by '/' (never a path
 * out of the zone directory: no leading '/', no '.' or '..' part). */
static bool valid_timezone(const char *s) {
    for (const char *part = s;;) {
        size_t n = strspn(part, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-");
        if (n == 0 || (part[n] != '/' && part[n]))
            return false;
        if (!part[n])
            return true;
        part += n + 1;
    }
}

static bool valid_hostname(const char *s);

/* cloud_init.hostname's default: the domain's name, its characters a host name cannot have
 * written '-' (which may still be no host name: "_db", "a..b", 64 characters). */
static char *default_hostname(const char *name) {
    char *h = xstrdup(name);
    for (char *c = h; *c; c++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-", *c))
            *c = '-';
    return h;
}

/* A login name as useradd takes it by default: [a-z_][a-z0-9_-]*, at most 32. */
static bool valid_login(const char *u) {
    if (!*u || !((*u >= 'a' && *u <= 'z') || *u == '_'))
        return false;
    return strspn(u, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(u);
}

/* An OpenSSH public key line: TYPE BASE64 [comment], one line. */
static bool valid_ssh_key(const char *k) {
    static const char *const types[] = { "ssh-ed25519 ", "ssh-rsa ", "ecdsa-sha2-nistp256 ",
                                         "ecdsa-sha2-nistp384 ", "ecdsa-sha2-nistp521 ",
                                         "sk-ssh-ed25519@openssh.com ",
                                         "sk-ecdsa-sha2-nistp256@openssh.com ", "ssh-dss ", NULL };
    if (strpbrk(k, "\n\r"))
        return false;
    for (size_t i = 0; types[i]; i++)
        if (!strncmp(k, types[i], strlen(types[i]))) {
            const char *b = k + strlen(types[i]);
            size_t n = strspn(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");
            return n >= 16 && (!b[n] || b[n] == ' ');
        }
    return false;
}

bool spec_ssh_key_line_ok(const char *line, bool options) {
    if (valid_ssh_key(line))
        return true;
    if (!options)
        return false;
    /* sshd(8) AUTHORIZED_KEYS FILE FORMAT: options first, up to the first blank outside quotes */
    bool quoted = false;
    const char *p = line;
    for (; *p && (quoted || (*p != ' ' && *p != '\t')); p++)
        if (*p == '\\' && quoted && p[1])
            p++;
        else if (*p == '"')
            quoted = !quoted;
    if (quoted || p == line || !*p)
        return false;
    return valid_ssh_key(p + strspn(p, " \t"));
}

static void verify_cloud_init(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    if (!d->cloud_init.present.set)
        return;
    if (d->cloud_init.hostname.set && !valid_hostname(d->cloud_init.hostname.s))
        ERR(&d->cloud_init.hostname, "cloud_init.hostname '%s' is not a host name (letters, digits "
            "and '-' in dot-separated labels, at most 63 characters)", d->cloud_init.hostname.s);
    if (!d->cloud_init.hostname.set && d->name.set) {
        _cleanup_free_ char *h = default_hostname(d->name.s);
        if (!valid_hostname(h))
            ERR(&d->cloud_init.present, "cloud_init.hostname: the domain name %s is not a valid host "
                "name (letters, digits and '-' in dot-separated labels, at most 63 characters); "
                "set cloud_init.hostname", d->name.s);
    }
    const CloudUserSpec *u = d->cloud_init.users.items;
    for (size_t i = 0; i < d->cloud_init.users.n; i++) {
        if (!valid_login(u[i].name.s))
            ERR(&u[i].name, "cloud_init.users[%zu].name '%s' is not a login name ([a-z_][a-z0-9_-]*)",
                i, u[i].name.s);
        if (streq(u[i].name.s, "root"))
            ERR(&u[i].name, "cloud_init.users[%zu]: root is not an account to create (give another "
                "user sudo: true)", i);
        for (size_t j = 0; j < i; j++)
            if (streq(u[j].name.s, u[i].name.s))
                ERR(&u[i].name, "cloud_init.users: '%s' is listed twice", u[i].name.s);
        const Value *keys = u[i].ssh_authorized_keys.items;
        for (size_t k = 0; k < u[i].ssh_authorized_keys.n; k++)
            if (!valid_ssh_key(keys[k].s))
                ERR(&keys[k], "cloud_init.users[%zu].ssh_authorized_keys[%zu] is not an OpenSSH "
                    "public key line (TYPE BASE64 [comment], e.g. ssh-ed25519 AAAA… me@host)", i, k);
    }
}

/* A cdrom's volume: with a pool, never with a path; not the domain's own cloud_init seed. */
static void verify_cdrom_volumes(const Spec *s, DiagList *diags) {
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

static void verify_domain(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;

    if (d->max_memory.set && d->max_memory.i < d->memory.i) {
        _cleanup_free_ char *mx = format_size(d->max_memory.i), *mem = format_size(d->memory.i);
        ERR(&d->max_memory, "max_memory (%s) is below memory (%s)", mx, mem);
    }
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

    /* firmware, direct kernel boot, SMBIOS */
    if (d->nvram.set && !d->loader.set)
        ERR(&d->nvram, "nvram needs loader (the UEFI firmware it belongs to)");
    if (d->nvram_template.set && !d->loader.set)
        ERR(&d->nvram_template, "nvram_template needs loader (the UEFI firmware it belongs to)");
    const struct { const Value *v; const char *key; } need_kernel[] = {
        { &d->initrd, "initrd" }, { &d->cmdline, "cmdline" }, { &d->dtb, "dtb" },
    };
    for (size_t i = 0; i < ELEMENTSOF(need_kernel); i++)
        if (need_kernel[i].v->set && !d->kernel.set)
            ERR(need_kernel[i].v, "%s needs kernel", need_kernel[i].key);
    if (d->sysinfo.present.set) {
        const struct { const Value *present; const char *key; } blocks[] = {
            { &d->sysinfo.bios.present, "bios" }, { &d->sysinfo.system.present, "system" },
            { &d->sysinfo.base_board.present, "base_board" }, { &d->sysinfo.chassis.present, "chassis" },
        };
        bool any = d->sysinfo.oem_strings.n > 0;
        for (size_t i = 0; i < ELEMENTSOF(blocks); i++) {
            if (!blocks[i].present->set)
                continue;
            any = true;
            /* the block's entries follow its present flag in the struct */
            bool entries = false;
            for (const Value *e = blocks[i].present + 1;
                 (const char *) e < (const char *) (i + 1 < ELEMENTSOF(blocks) ? blocks[i + 1].present
                                                                               : (const Value *) &d->sysinfo.oem_strings);
                 e++)
                entries = entries || e->set;
            if (!entries)
                ERR(blocks[i].present, "sysinfo.%s has no entries", blocks[i].key);
        }
        if (!any)
            ERR(&d->sysinfo.present, "sysinfo needs at least one of bios, system, base_board, "
                "chassis, oem_strings");
        const Value *date = &d->sysinfo.bios.date, *rel = &d->sysinfo.bios.release;
        if (date->set) {
            unsigned mm, dd, yy;
            int n = 0;
            if (sscanf(date->s, "%2u/%2u/%4u%n", &mm, &dd, &yy, &n) != 3 || date->s[n] ||
                mm < 1 || mm > 12 || dd < 1 || dd > 31 || (yy >= 100 && yy < 1900))
                ERR(date, "sysinfo.bios.date must be mm/dd/yyyy (or mm/dd/yy), got '%s'", date->s);
        }
        if (rel->set) {
            unsigned a, b;
            int n = 0;
            if (sscanf(rel->s, "%3u.%3u%n", &a, &b, &n) != 2 || rel->s[n] || a > 255 || b > 255)
                ERR(rel, "sysinfo.bios.release must be major.minor like 1.2, got '%s'", rel->s);
        }
        const Value *su = &d->sysinfo.system.uuid;
        if (su->set && d->uuid.set && !streq(su->s, d->uuid.s))
            ERR(su, "sysinfo.system.uuid differs from the domain's uuid (libvirt refuses that)");
    }

    /* hypervisor features */
    const char *arch = d->machine_arch.set ? d->machine_arch.s : "x86_64";
    bool x86 = streq(arch, "x86_64") || streq(arch, "i686");
    bool arm = streq(arch, "aarch64") || streq(arch, "armv7l");
    const Value *fe = d->features.items;
    for (size_t i = 0; i < d->features.n; i++) {
        static const char *const x86_only[] = { "apic", "pae", "hap", "viridian", "pvspinlock", "smm" };
        for (size_t j = 0; j < i; j++)
            if (streq(fe[i].s, fe[j].s)) {
                ERR(&fe[i], "feature '%s' is listed twice", fe[i].s);
                break;   /* once per entry, however often it repeats */
            }
        for (size_t j = 0; j < ELEMENTSOF(x86_only); j++)
            if (!x86 && streq(fe[i].s, x86_only[j]))
                ERR(&fe[i], "feature '%s' is for x86 guests (machine_arch is %s)", fe[i].s, arch);
        if (!arm && streq(fe[i].s, "gic"))
            ERR(&fe[i], "feature 'gic' is for ARM guests (machine_arch is %s)", arch);
    }
    const HypervSpec *hv = d->hyperv.items;
    if (d->hyperv.n > 0 && !x86)
        ERR(&hv[0].name, "hyperv enlightenments are for x86 guests (machine_arch is %s)", arch);
    for (size_t i = 0; i < d->hyperv.n; i++) {
        const HypervSpec *h = &hv[i];
        bool spin = streq(h->name.s, "spinlocks"), vendor = streq(h->name.s, "vendor_id");
        for (size_t j = 0; j < i; j++)
            if (streq(h->name.s, hv[j].name.s)) {
                ERR(&h->name, "hyperv '%s' is listed twice", h->name.s);
                break;
            }
        if (h->retries.set && !spin)
            ERR(&h->retries, "hyperv retries only applies to spinlocks");
        if (spin && h->state.i && !h->retries.set)
            ERR(&h->name, "hyperv spinlocks on needs retries (at least 4095)");
        if (h->value.set && !vendor)
            ERR(&h->value, "hyperv value only applies to vendor_id");
        if (vendor && h->state.i && !h->value.set)
            ERR(&h->name, "hyperv vendor_id on needs value (up to 12 characters)");
        if (h->value.set && strchr(h->value.s, ','))
            ERR(&h->value, "hyperv vendor_id value cannot contain ','");
    }

    /* CPU features, NUMA, tuning */
    const CpuFeatureSpec *cf = d->cpu.features.items;
    for (size_t i = 0; i < d->cpu.features.n; i++) {
        const char *n = cf[i].name.s;
        bool ok = *n != 0;
        for (const char *p = n; *p && ok; p++)
            ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("_.-", *p);
        if (!ok)
            ERR(&cf[i].name, "cpu feature name '%s' must be lower-case letters, digits, '_', '.' "
                "and '-'", n);
        if (streq(n, "vmx") || streq(n, "svm"))
            ERR(&cf[i].name, "cpu feature '%s' belongs to nested: true", n);
        for (size_t j = 0; j < i; j++)
            if (streq(n, cf[j].name.s)) {
                ERR(&cf[i].name, "cpu feature '%s' is listed twice", n);
                break;
            }
    }
    if (d->cpu.features.n > 0 && !d->cpu.mode.set)
        ERR(&cf[0].name, "cpu.features need cpu.mode (libvirt needs a model to add features to)");
    int64_t vcpus = d->max_cpus.set ? d->max_cpus.i : d->cpus.i;
    const NumaCellSpec *cells = d->numa.items;
    if (d->numa.n > 0) {
        unsigned char *seen = xmalloc0((size_t) vcpus / 8 + 1);
        int64_t mem = 0;
        bool bad = false;
        for (size_t i = 0; i < d->numa.n; i++) {
            _cleanup_free_ char *c = cpuset_canonical(cells[i].cpus.s, (unsigned) vcpus);
            mem += cells[i].memory.i;
            if (cells[i].memory.i % 1024)
                ERR(&cells[i].memory, "numa memory must be a whole number of KiB");
            if (!c) {
                ERR(&cells[i].cpus, "numa cpus '%s' must be vCPU numbers below %" PRId64
                    " like 0-1 or 0,2", cells[i].cpus.s, vcpus);
                bad = true;
                continue;
            }
            /* membership from the bitmap, not cpuset_has(): that rescans the text per id */
            _cleanup_free_ unsigned char *bits = xmalloc0((size_t) vcpus / 8 + 1);
            bool twice = false;
            cpuset_bits(cells[i].cpus.s, (unsigned) vcpus, bits);
            for (unsigned id = 0; id < (unsigned) vcpus; id++) {
                if (!(bits[id / 8] & (1u << (id % 8))))
                    continue;
                if (!twice && (seen[id / 8] & (1u << (id % 8)))) {
                    ERR(&cells[i].cpus, "numa vCPU %u is in two nodes", id);
                    twice = true;   /* once per node */
                }
                seen[id / 8] |= (unsigned char) (1u << (id % 8));
            }
        }
        for (unsigned id = 0; id < (unsigned) vcpus && !bad; id++)
            if (!(seen[id / 8] & (1u << (id % 8)))) {
                ERR(&d->numa, "numa nodes must cover every vCPU 0..%" PRId64 "; %u is in none",
                    vcpus - 1, id);
                break;
            }
        free(seen);
        const Value *want = d->max_memory.set ? &d->max_memory : &d->memory;
        int64_t devs = hatch_memory_devices(&d->xml);   /* libvirt's <memory> counts them too */
        mem += devs;
        if (mem != want->i) {
            _cleanup_free_ char *a = format_size(mem), *b = format_size(want->i);
            ERR(&d->numa, "numa nodes %sadd up to %s of memory but %s is %s",
                devs ? "and the memory devices of xml.add " : "", a,
                d->max_memory.set ? "max_memory" : "memory", b);
        }
    }
    const Value *sets[] = { &d->cpuset, &d->numatune.nodeset };
    for (size_t i = 0; i < ELEMENTSOF(sets); i++) {
        _cleanup_free_ char *c = sets[i]->set ? cpuset_canonical(sets[i]->s, 16384) : NULL;
        if (sets[i]->set && !c)
            ERR(sets[i], "'%s' must be a set of host %s like 0-3,8 or ^2", sets[i]->s,
                i == 0 ? "CPUs" : "NUMA nodes");
    }
    verify_hugepages(s, diags);
    const VcpuPinSpec *pins = d->cputune.vcpupin.items;
    for (size_t i = 0; i < d->cputune.vcpupin.n; i++) {
        _cleanup_free_ char *c = cpuset_canonical(pins[i].cpuset.s, 16384);
        if (!c)
            ERR(&pins[i].cpuset, "'%s' must be a set of host CPUs like 0-3,8 or ^2", pins[i].cpuset.s);
        if (pins[i].vcpu.i >= vcpus)
            ERR(&pins[i].vcpu, "cputune.vcpupin vcpu %" PRId64 " does not exist (vCPUs are 0..%"
                PRId64 ")", pins[i].vcpu.i, vcpus - 1);
        for (size_t j = 0; j < i; j++)
            if (pins[i].vcpu.i == pins[j].vcpu.i) {
                ERR(&pins[i].vcpu, "vcpu %" PRId64 " is pinned twice", pins[i].vcpu.i);
                break;
            }
    }
    const Value *lims[] = { &d->memtune.hard_limit, &d->memtune.soft_limit, &d->memtune.swap_hard_limit };
    for (size_t i = 0; i < ELEMENTSOF(lims); i++)
        if (lims[i]->set && lims[i]->i % 1024)
            ERR(lims[i], "memtune limits must be a whole number of KiB");
    if (d->memtune.hard_limit.set && d->memtune.swap_hard_limit.set &&
        d->memtune.swap_hard_limit.i < d->memtune.hard_limit.i)
        ERR(&d->memtune.swap_hard_limit, "memtune.swap_hard_limit is below hard_limit");
    if (d->memtune.hard_limit.set && d->memtune.soft_limit.set &&
        d->memtune.soft_limit.i > d->memtune.hard_limit.i)
        ERR(&d->memtune.soft_limit, "memtune.soft_limit is above hard_limit");

    /* clock */
    if (d->clock.present.set) {
        const char *off = d->clock.offset.s;
        const struct { const Value *v; const char *key, *offset; } only[] = {
            { &d->clock.basis, "basis", "variable" }, { &d->clock.adjustment, "adjustment", "variable" },
            { &d->clock.timezone, "timezone", "timezone" }, { &d->clock.start, "start", "absolute" },
        };
        for (size_t i = 0; i < ELEMENTSOF(only); i++)
            if (only[i].v->set && !streq(off, only[i].offset))
                ERR(only[i].v, "clock.%s only applies to offset %s (offset is %s)", only[i].key,
                    only[i].offset, off);
        if (d->clock.timezone.set && !valid_timezone(d->clock.timezone.s))
            ERR(&d->clock.timezone, "clock.timezone must be a zone name like Europe/Berlin or "
                "Etc/GMT+1 (no leading '/', no '.' or '..' parts), got '%s'", d->clock.timezone.s);
        if (streq(off, "timezone") && !d->clock.timezone.set)
            ERR(&d->clock.offset, "clock offset timezone needs clock.timezone");
        if (streq(off, "absolute") && !d->clock.start.set)
            ERR(&d->clock.offset, "clock offset absolute needs clock.start");
        const TimerSpec *tm = d->clock.timers.items;
        for (size_t i = 0; i < d->clock.timers.n; i++) {
            const TimerSpec *t = &tm[i];
            bool tsc = streq(t->name.s, "tsc");
            for (size_t j = 0; j < i; j++)
                if (streq(t->name.s, tm[j].name.s)) {
                    ERR(&t->name, "clock timer '%s' is listed twice", t->name.s);
                    break;
                }
            if (t->track.set && !streq(t->name.s, "rtc") && !streq(t->name.s, "platform"))
                ERR(&t->track, "clock timer track only applies to rtc and platform");
            if (t->frequency.set && !tsc)
                ERR(&t->frequency, "clock timer frequency only applies to tsc");
            if (t->mode.set && !tsc)
                ERR(&t->mode, "clock timer mode only applies to tsc");
            if (t->tickpolicy.set && (tsc || streq(t->name.s, "kvmclock") ||
                                      streq(t->name.s, "hypervclock") || streq(t->name.s, "armvtimer")))
                ERR(&t->tickpolicy, "clock timer %s has no tickpolicy", t->name.s);
        }
    }

    verify_cloud_init(s, diags);
    verify_cdrom_volumes(s, diags);

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
    if (d->graphics.keymap.set && !valid_keymap(d->graphics.keymap.s))
        ERR(&d->graphics.keymap, "graphics.keymap must be a keymap name like en-us, de or "
            "fr-ch, got '%s'", d->graphics.keymap.s);
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
        static const char *const with_vram[] = { "qxl", "vga", "cirrus", "vmvga", "bochs" };
        bool ok = false;
        for (size_t i = 0; i < ELEMENTSOF(with_vram); i++)
            ok = ok || streq(d->video.type.s, with_vram[i]);
        if (!ok)
            ERR(&d->video.vram, "video.vram applies to qxl, vga, cirrus, vmvga and bochs, not %s",
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
        if (a->path.set && !a->pool.defaulted)
            ERR(&a->path, "a disk takes pool or path, not both");
        if (a->path.set && (a->image.set || a->existing.i))
            ERR(&a->path, "a disk with a host path cannot have image or existing");
        if (a->image.set && a->existing.i)
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
        if (a->shareable.i && a->cache.set && !streq(a->cache.s, "none"))
            ERR(&a->cache, "a shareable disk needs cache: none");
        /* libvirt refuses concurrent access to anything but raw ("requires use of supported
         * storage format") */
        if (a->shareable.i && !streq(a->format.s, "raw"))
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

    /* automatic device names end at vdzz, sdzz, hdzz (26 + 26 × 26 per prefix; resolve leaves
     * the rest without a name): beyond that, devices need an explicit dev */
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
        verify_iface_ip(s, ifs, i, diags);
        if (streq(t, "network") && !f->network.set && !f->ip.set) {
            /* type network is the default: then point at the entry, not the document */
            Pos p = f->type.defaulted ? item_pos(f, sizeof(*f), &d->interfaces)
                                      : (Pos) { f->type.line, f->type.col };
            ERR(&p, "interfaces[%zu] of type network needs 'network'", i);
        }
        if (streq(t, "bridge") && !f->bridge.set)
            ERR(&f->type, "interfaces[%zu] of type bridge needs 'bridge'", i);
        if (streq(t, "direct") && !f->dev.set)
            ERR(&f->type, "interfaces[%zu] of type direct needs 'dev'", i);
        verify_tunnel(s, f, i, diags);
        if (f->target.set) {
            static const char *const bad[] = { "vnet", "vif", "macvtap", "macvlan" };
            for (size_t k = 0; k < ELEMENTSOF(bad); k++)
                if (!strncmp(f->target.s, bad[k], strlen(bad[k])))
                    ERR(&f->target, "interfaces[%zu].target must not start with '%s' (libvirt "
                        "reserves it)", i, bad[k]);
        }
        if (f->queues.set && !streq(f->model.s, "virtio"))
            ERR(&f->queues, "interfaces[%zu].queues needs model virtio", i);
        if (f->driver_iommu.set && !streq(f->model.s, "virtio"))
            ERR(&f->driver_iommu, "interfaces[%zu].driver_iommu needs model virtio", i);
        if (f->pci_bus.set != f->pci_slot.set)
            ERR(f->pci_bus.set ? &f->pci_bus : &f->pci_slot,
                "interfaces[%zu] needs pci_bus and pci_slot together", i);
        if (f->ovs.i && !streq(t, "bridge"))
            ERR(&f->ovs, "interfaces[%zu].ovs needs type bridge (an Open vSwitch bridge)", i);
        if (f->ovs_interfaceid.set && !f->ovs.i)
            ERR(&f->ovs_interfaceid, "interfaces[%zu].ovs_interfaceid needs ovs: true", i);
        for (size_t j = 0; j < i; j++)
            if (f->pci_bus.set && f->pci_slot.set && ifs[j].pci_bus.set && ifs[j].pci_slot.set &&
                f->pci_bus.i == ifs[j].pci_bus.i && f->pci_slot.i == ifs[j].pci_slot.i) {
                ERR(&f->pci_slot, "interfaces[%zu] uses PCI bus %" PRId64 " slot %" PRId64 " again",
                    i, f->pci_bus.i, f->pci_slot.i);
                break;
            }
        for (size_t j = 0; j < i; j++)
            if (f->mac.set && ifs[j].mac.set && streq(f->mac.s, ifs[j].mac.s)) {
                ERR(&f->mac, "MAC address %s is used twice", f->mac.s);
                break;
            }
    }

    /* inputs, channels */
    const InputSpec *in = d->inputs.items;
    for (size_t i = 0; i < d->inputs.n; i++)
        for (size_t j = 0; j < i; j++)
            if (streq(in[i].type.s, in[j].type.s) && streq(in[i].bus.s, in[j].bus.s)) {
                ERR(&in[i].type, "input %s on bus %s is listed twice", in[i].type.s, in[i].bus.s);
                break;
            }
    const ChannelSpec *ch = d->channels.items;
    for (size_t i = 0; i < d->channels.n; i++) {
        if (streq(ch[i].target_type.s, "guestfwd")) {
            if (ch[i].target_name.set)
                ERR(&ch[i].target_name, "channels[%zu]: a guestfwd channel has no target_name", i);
            if (!ch[i].target_address.set || !ch[i].target_port.set)
                ERR(&ch[i].target_type, "channels[%zu]: guestfwd needs target_address and "
                    "target_port", i);
            else if (ch[i].target_address.i != 4)
                ERR(&ch[i].target_address, "channels[%zu].target_address must be IPv4 (qemu's "
                    "guestfwd), got %s", i, ch[i].target_address.s);
            for (size_t j = 0; j < i && ch[i].target_address.set && ch[i].target_port.set; j++)
                if (streq_ptr(ch[i].target_address.s, ch[j].target_address.s) &&
                    ch[i].target_port.i == ch[j].target_port.i) {
                    ERR(&ch[i].target_port, "guestfwd %s:%" PRId64 " is listed twice",
                        ch[i].target_address.s, ch[i].target_port.i);
                    break;
                }
            continue;
        }
        if (!ch[i].target_name.set)
            ERR(ch[i].target_type.line ? &ch[i].target_type : &ch[i].type,
                "channels[%zu] needs target_name (target_type virtio)", i);
        if (ch[i].target_address.set || ch[i].target_port.set)
            ERR(ch[i].target_address.set ? &ch[i].target_address : &ch[i].target_port,
                "channels[%zu]: target_address and target_port are for target_type guestfwd", i);
        if (!ch[i].target_name.set)
            continue;
        for (size_t j = 0; j < i; j++)
            if (streq_ptr(ch[i].target_name.s, ch[j].target_name.s)) {
                ERR(&ch[i].target_name, "channel '%s' is listed twice", ch[i].target_name.s);
                break;
            }
        if (d->guest_agent.i && streq(ch[i].target_name.s, "org.qemu.guest_agent.0"))
            ERR(&ch[i].target_name, "guest_agent: true already adds channel "
                "org.qemu.guest_agent.0");
    }

    /* serial ports and consoles */
    const CharDevSpec *sers = d->serials.items;
    for (int pass = 0; pass < 2; pass++) {
        const CharDevSpec *l = pass ? d->consoles.items : sers;
        size_t n = pass ? d->consoles.n : d->serials.n;
        const char *what = pass ? "consoles" : "serials";
        /* ports only matter for a valid count (chardev_ports is cubic in the list length) */
        _cleanup_free_ int64_t *port = pass || n > 4 ? NULL : chardev_ports(d, false);
        if (!pass && n > 4)
            ERR(&d->serials, "a domain has at most 4 serial ports");
        for (size_t i = 0; i < n; i++) {
            const CharDevSpec *c = &l[i];
            bool file = streq(c->type.s, "file");
            if (file && !c->path.set)
                ERR(&c->type, "%s[%zu] of type file needs path", what, i);
            if (!file && c->path.set)
                ERR(&c->path, "%s[%zu].path only applies to type file", what, i);
            if (!file && c->append.set)
                ERR(&c->append, "%s[%zu].append only applies to type file", what, i);
            for (size_t j = 0; j < i && port; j++)
                if (port[i] == port[j]) {
                    ERR(c->port.set ? &c->port : &c->type, "%s[%zu] uses port %" PRId64 " again",
                        what, i, port[i]);
                    break;
                }
        }
    }

    /* memory balloon, USB, smartcard, redirection, passthrough */
    if (d->memballoon.present.set && !d->memballoon.enabled.i) {
        if (d->memballoon.model.set && !d->memballoon.model.defaulted)
            ERR(&d->memballoon.model, "memballoon.model has no meaning with enabled: false");
        if (d->memballoon.stats_period.set)
            ERR(&d->memballoon.stats_period, "memballoon.stats_period has no meaning with enabled: false");
    }
    const char *usbm = d->usb_controller.present.set ? d->usb_controller.model.s : NULL;
    if (d->usb_controller.ports.set && !streq(usbm, "qemu-xhci") && !streq(usbm, "nec-xhci"))
        ERR(&d->usb_controller.ports, "usb_controller.ports needs model qemu-xhci or nec-xhci");
    if (streq_ptr(usbm, "none")) {
        const Value *usb_user = NULL;
        for (size_t i = 0; i < d->usb.n && !usb_user; i++)
            usb_user = ((const UsbHostSpec *) d->usb.items)[i].vendor.set
                           ? &((const UsbHostSpec *) d->usb.items)[i].vendor
                           : &((const UsbHostSpec *) d->usb.items)[i].bus;
        if (!usb_user && d->smartcard.present.set)
            usb_user = &d->smartcard.mode;   /* a CCID device on the USB bus */
        if (!usb_user && d->redirdevs.n)
            usb_user = &((const RedirDevSpec *) d->redirdevs.items)[0].type;
        for (size_t i = 0; i < d->inputs.n && !usb_user; i++)
            if (streq(((const InputSpec *) d->inputs.items)[i].bus.s, "usb"))
                usb_user = &((const InputSpec *) d->inputs.items)[i].bus;
        for (size_t i = 0; i < d->disks.n && !usb_user; i++)
            if (streq(((const DiskSpec *) d->disks.items)[i].bus.s, "usb"))
                usb_user = &((const DiskSpec *) d->disks.items)[i].bus;
        if (usb_user)
            ERR(&d->usb_controller.model, "usb_controller model none, but a USB device is "
                "configured (line %u)", usb_user->line);
    }
    if (d->smartcard.present.set) {
        bool pass = streq(d->smartcard.mode.s, "passthrough");
        bool tcp = pass && streq_ptr(d->smartcard.type.s, "tcp");
        if (!pass && d->smartcard.type.set && !d->smartcard.type.defaulted)
            ERR(&d->smartcard.type, "smartcard.type only applies to mode passthrough");
        if (tcp && (!d->smartcard.host.set || !d->smartcard.service.set))
            ERR(&d->smartcard.type, "smartcard type tcp needs host and service");
        const Value *tcp_only[] = { &d->smartcard.host, &d->smartcard.service, &d->smartcard.source_mode };
        for (size_t i = 0; i < ELEMENTSOF(tcp_only); i++)
            if (!tcp && tcp_only[i]->set)
                ERR(tcp_only[i], "smartcard host, service and source_mode only apply to type tcp");
    }
    const RedirDevSpec *rd = d->redirdevs.items;
    for (size_t i = 0; i < d->redirdevs.n; i++) {
        bool tcp = streq(rd[i].type.s, "tcp");
        if (tcp && (!rd[i].host.set || !rd[i].service.set))
            ERR(&rd[i].type, "redirdevs[%zu] of type tcp needs host and service", i);
        if (!tcp && (rd[i].host.set || rd[i].service.set))
            ERR(rd[i].host.set ? &rd[i].host : &rd[i].service,
                "redirdevs[%zu]: host and service only apply to type tcp", i);
    }
    const RedirFilterSpec *rf = d->redirfilters.items;
    if (d->redirfilters.n > 0 && d->redirdevs.n == 0)
        ERR(&d->redirfilters, "redirfilters need redirdevs");
    for (size_t i = 0; i < d->redirfilters.n; i++) {
        const struct { const Value *v; size_t digits; } hex[] = {
            { &rf[i].class_, 2 }, { &rf[i].vendor, 4 }, { &rf[i].product, 4 },
        };
        for (size_t j = 0; j < ELEMENTSOF(hex); j++)
            if (hex[j].v->set && !valid_hex(hex[j].v->s, hex[j].digits))
                ERR(hex[j].v, "'%s' must be hexadecimal like 0x%.*s", hex[j].v->s,
                    (int) hex[j].digits, "08ef");
        if (rf[i].version.set) {
            unsigned a, b;
            int n = 0;
            if (sscanf(rf[i].version.s, "%2x.%2x%n", &a, &b, &n) != 2 || rf[i].version.s[n])
                ERR(&rf[i].version, "redirfilter version must be like 2.00, got '%s'", rf[i].version.s);
        }
    }
    const PciHostSpec *pci = d->pci.items;
    for (size_t i = 0; i < d->pci.n; i++) {
        if (!valid_pci_address(pci[i].address.s))
            ERR(&pci[i].address, "pci address must be like 0000:03:00.0 or 03:00.0, got '%s'",
                pci[i].address.s);
        for (size_t j = 0; j < i; j++)
            if (!strcasecmp(pci[i].address.s, pci[j].address.s)) {
                ERR(&pci[i].address, "pci device %s is listed twice", pci[i].address.s);
                break;
            }
    }
    const UsbHostSpec *usb = d->usb.items;
    for (size_t i = 0; i < d->usb.n; i++) {
        const UsbHostSpec *u = &usb[i];
        const Value *ids[] = { &u->vendor, &u->product };
        for (size_t j = 0; j < ELEMENTSOF(ids); j++)
            if (ids[j]->set && !valid_hex(ids[j]->s, 4))
                ERR(ids[j], "'%s' must be hexadecimal like 0x1d6b", ids[j]->s);
        if (u->vendor.set != u->product.set)
            ERR(u->vendor.set ? &u->vendor : &u->product, "usb[%zu] needs vendor and product together", i);
        if (u->bus.set != u->device.set)
            ERR(u->bus.set ? &u->bus : &u->device, "usb[%zu] needs bus and device together", i);
        if (!u->vendor.set && !u->product.set && !u->bus.set && !u->device.set)
            ERR(&d->usb, "usb[%zu] needs vendor and product, or bus and device", i);
    }
    if (d->launch_security.policy.set && !valid_hex(d->launch_security.policy.s, 8))
        ERR(&d->launch_security.policy, "launch_security.policy must be hexadecimal like 0x0003");
    const struct { const Value *v; const char *key; } b64[] = {
        { &d->launch_security.dh_cert, "dh_cert" }, { &d->launch_security.session, "session" },
    };
    for (size_t i = 0; i < ELEMENTSOF(b64); i++)
        if (b64[i].v->set && !valid_base64(b64[i].v->s))
            ERR(b64[i].v, "launch_security.%s must be base64 (A-Z a-z 0-9 + /, = padding), as "
                "sevctl or sev-tool write it", b64[i].key);
    const EnvSpec *env = d->qemu_env.items;
    for (size_t i = 0; i < d->qemu_env.n; i++) {
        const char *n = env[i].name.s;
        bool ok = (*n >= 'A' && *n <= 'Z') || (*n >= 'a' && *n <= 'z') || *n == '_';
        for (const char *p = n; *p && ok; p++)
            ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_' ||
                 (*p >= '0' && *p <= '9');
        if (!ok)
            ERR(&env[i].name, "qemu_env name '%s' must be letters, digits and '_', not starting "
                "with a digit", n);
        for (size_t j = 0; j < i; j++)
            if (streq(n, env[j].name.s)) {
                ERR(&env[i].name, "qemu_env '%s' is set twice", n);
                break;
            }
    }
    const FloppySpec *fl = d->floppies.items;
    if (d->floppies.n > 2)
        ERR(&fl[2].dev, "a domain has at most 2 floppy drives (fda, fdb)");
    for (size_t i = 0; i < d->floppies.n; i++) {
        if (fl[i].dev.set && !streq(fl[i].dev.s, "fda") && !streq(fl[i].dev.s, "fdb"))
            ERR(&fl[i].dev, "a floppy drive is fda or fdb, not %s", fl[i].dev.s);
        for (size_t j = 0; j < i; j++)
            if (fl[i].dev.set && fl[j].dev.set && streq(fl[i].dev.s, fl[j].dev.s)) {
                ERR(&fl[i].dev, "guest device '%s' is used twice", fl[i].dev.s);
                break;
            }
    }

    /* shared directories; virtiofs needs guest memory the host can share */
    const FilesystemSpec *fs = d->filesystems.items;
    const Value *virtiofs = NULL;
    for (size_t i = 0; i < d->filesystems.n; i++) {
        const FilesystemSpec *f = &fs[i];
        bool vfs = streq(f->driver.s, "virtiofs");
        const char *t = f->target.s;
        bool ok = *t != 0;
        for (const char *p = t; *p && ok; p++)
            ok = (unsigned char) *p > ' ' && *p != ',';
        if (!ok)
            ERR(&f->target, "filesystems[%zu].target '%s' must be a tag without spaces or ','", i, t);
        for (size_t j = 0; j < i; j++)
            if (streq(t, fs[j].target.s)) {
                ERR(&f->target, "filesystem target '%s' is used twice", t);
                break;
            }
        if (vfs) {
            virtiofs = virtiofs ? virtiofs : f->driver.line ? &f->driver : &f->target;
            if (!streq(f->accessmode.s, "passthrough"))
                ERR(&f->accessmode, "filesystems[%zu]: virtiofs only supports accessmode passthrough", i);
            if (f->readonly.i)
                ERR(&f->readonly, "filesystems[%zu]: virtiofs cannot export read-only (libvirt 9); "
                    "use driver 9p or mount it read-only in the guest", i);
        }
    }
    if (virtiofs) {
        if (d->memorybacking.access.set && streq(d->memorybacking.access.s, "private"))
            ERR(&d->memorybacking.access, "memorybacking.access private contradicts the virtiofs "
                "filesystem (line %u), which needs shared memory", virtiofs->line);
        if (d->memorybacking.source.set && streq(d->memorybacking.source.s, "anonymous"))
            ERR(&d->memorybacking.source, "memorybacking.source anonymous contradicts the virtiofs "
                "filesystem (line %u), which needs memfd or file", virtiofs->line);
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
            if (streq(bl[i].s, bl[j].s)) {
                ERR(&bl[i], "boot device '%s' is listed twice", bl[i].s);
                break;
            }
}

bool spec_ip4(const char *s, uint32_t *ret) {
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1)
        return false;
    *ret = ntohl(a.s_addr);
    return true;
}

/* A host name of RFC 1123 labels (letters, digits, inner dashes; 1..63 each), dot-separated. */
static bool valid_hostname(const char *s) {
    bool ok = strlen(s) <= 253;
    for (const char *c = s, *label = c; ok; c++) {
        if (*c == '.' || !*c) {
            ok = c > label && c - label <= 63 && label[0] != '-' && c[-1] != '-';
            if (!*c)
                break;
            label = c + 1;
        } else
            ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                 (*c >= '0' && *c <= '9') || *c == '-';
    }
    return ok;
}

/* Why an address (with or without a prefix) cannot be a network's: loopback, multicast, the
 * "this network" block; NULL when it can. */
static const char *special_address(const char *s) {
    _cleanup_free_ char *a = xstrndup(s, strcspn(s, "/"));
    unsigned char b[16];
    if (inet_pton(AF_INET, a, b) == 1) {
        if (b[0] == 127)
            return "a loopback address (127.0.0.0/8)";
        if (b[0] >= 224 && b[0] <= 239)
            return "a multicast address (224.0.0.0/4)";
        if (b[0] == 0)
            return "in 0.0.0.0/8 (this host on this network)";
        if (b[0] >= 240)
            return "a reserved or broadcast address (240.0.0.0/4)";
        return NULL;
    }
    if (inet_pton(AF_INET6, a, b) == 1) {
        static const unsigned char loop[16] = { [15] = 1 };
        if (!memcmp(b, loop, 16))
            return "the loopback address (::1)";
        if (b[0] == 0xff)
            return "a multicast address (ff00::/8)";
    }
    return NULL;
}

/* dns.hosts: an address of a family the network has, at least one valid name, no address or
 * name twice (libvirt 9.0 refuses a second record for an address; it accepts a shared name, and
 * then cannot delete either record: tests/integration/NOTES.md k). */
static void verify_dns_hosts(const Spec *s, DiagList *diags) {
    const NetworkSpec *n = &s->network;
    const DnsHostSpec *h = n->dns.hosts.items;
    for (size_t i = 0; i < n->dns.hosts.n; i++) {
        const Value *ip = &h[i].ip;
        if (ip->set && ip->i == 4 && !(n->ip.set && n->ip.i == 4))
            ERR(ip, "dns host address %s is IPv4, and the network has no IPv4 'ip'", ip->s);
        else if (ip->set && ip->i == 6 && !(n->ipv6.set && n->ipv6.i == 6))
            ERR(ip, "dns host address %s is IPv6, and the network has no 'ipv6'", ip->s);
        for (size_t j = 0; j < i && ip->set; j++)
            if (h[j].ip.set && streq(ip->s, h[j].ip.s)) {
                ERR(ip, "dns host address %s is listed twice", ip->s);
                break;
            }
        if (h[i].names.n == 0 && h[i].names.line > 0)
            ERR(&h[i].names, "a dns host needs at least one name");
        const Value *nm = h[i].names.items;
        for (size_t k = 0; k < h[i].names.n; k++) {
            if (!nm[k].s)
                continue;
            if (!valid_hostname(nm[k].s)) {
                ERR(&nm[k], "dns host name '%s' is not a host name (letters, digits, inner "
                    "dashes, dot-separated labels of 1 to 63)", nm[k].s);
                continue;
            }
            bool dup = false;
            for (size_t j = 0; j <= i && !dup; j++) {
                const Value *other = h[j].names.items;
                for (size_t m = 0; m < (j == i ? k : h[j].names.n) && !dup; m++)
                    dup = other[m].s && !strcasecmp(other[m].s, nm[k].s);
            }
            if (dup)
                ERR(&nm[k], "dns host name '%s' is listed twice", nm[k].s);
        }
    }
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
            spec_ip4(a, &host);
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
    const Value *nets[] = { &n->ip, &n->ipv6 };
    for (size_t i = 0; i < ELEMENTSOF(nets); i++) {
        const char *why = nets[i]->set ? special_address(nets[i]->s) : NULL;
        if (why)
            ERR(nets[i], "'%s' %s is %s: a virtual network cannot use it", i ? "ipv6" : "ip",
                nets[i]->s, why);
    }
    if (streq(fwd, "bridge")) {
        if (!n->bridge.set)
            ERR(&n->forward, "forward bridge needs 'bridge' (an existing host bridge)");
        if (n->ip.set)
            ERR(&n->ip, "forward bridge networks have no 'ip': the host bridge carries it");
        if (n->dhcp.present.set)
            ERR(&n->dhcp.present, "forward bridge networks have no DHCP service");
        if (n->dns.present.set)
            ERR(&n->dns.present, "forward bridge networks have no DNS service");
    }
    if (streq(fwd, "veryisolated") && (n->ip.set || n->ipv6.set))
        ERR(n->ip.set ? &n->ip : &n->ipv6, "forward veryisolated networks have no address");
    if (n->forward_dev.set && !(streq(fwd, "nat") || streq(fwd, "route") || streq(fwd, "bridge")))
        ERR(&n->forward_dev, "forward_dev applies to forward nat, route or bridge");
    if (n->domain_local_only.set && !n->domain.set)
        ERR(&n->domain_local_only, "domain_local_only needs 'domain'");
    verify_dns_hosts(s, diags);
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
            if (!spec_ip4(se[i]->s, &x))
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
            /* it goes into dnsmasq's hosts file verbatim: "h1,set:evil" would add options */
            if (h[i].name.set && !valid_hostname(h[i].name.s))
                ERR(&h[i].name, "dhcp host name '%s' is not a host name (letters, digits, inner "
                    "dashes, dot-separated labels)", h[i].name.s);
            if (have4 && (!spec_ip4(h[i].ip.s, &x) || (x & mask) != net || x == host))
                ERR(&h[i].ip, "dhcp host address %s is not a guest address in %s", h[i].ip.s,
                    n->ip.s);
            bool dup_mac = false, dup_ip = false;
            for (size_t j = 0; j < i; j++) {
                if (!dup_mac && streq(h[i].mac.s, h[j].mac.s)) {
                    ERR(&h[i].mac, "dhcp host MAC %s is listed twice", h[i].mac.s);
                    dup_mac = true;
                }
                if (!dup_ip && streq(h[i].ip.s, h[j].ip.s)) {
                    ERR(&h[i].ip, "dhcp host address %s is listed twice", h[i].ip.s);
                    dup_ip = true;
                }
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

    /* which keys a pool type takes */
    const char *t = p->type.s;
    bool logical = streq(t, "logical"), netfs = streq(t, "netfs");
    const struct { const Value *v; const char *key; bool ok; const char *types, *note; } only[] = {
        { &p->vg_name, "vg_name", logical, "type logical", "" },
        { &p->build, "build", logical, "type logical", "" },
        { &p->source_host, "source_host", netfs, "type netfs", "" },
        { &p->source_dir, "source_dir", netfs, "type netfs", "" },
        { &p->format, "format", netfs, "type netfs", "" },
        { &p->path, "path", !logical, "types dir and netfs", "; libvirt sets a logical pool's path to /dev/VG_NAME" },
        { &p->mode, "mode", !logical, "types dir and netfs", "" },
        { &p->owner, "owner", !logical, "types dir and netfs", "" },
        { &p->group, "group", !logical, "types dir and netfs", "" },
    };
    for (size_t k = 0; k < ELEMENTSOF(only); k++)
        if (only[k].v->set && !only[k].v->defaulted && !only[k].ok)
            ERR(only[k].v, "pool %s only applies to %s (type is %s%s)", only[k].key, only[k].types,
                t, only[k].note);
    if (p->source_devices.n > 0 && !logical)
        ERR(&p->source_devices, "pool source_devices only applies to type logical (type is %s)", t);
    if (!logical && !p->path.set)
        ERR(&(Pos) {}, "Pool needs 'path'");   /* the document: where a required key is missing */
    const Value *dev = p->source_devices.items;
    for (size_t i = 0; i < p->source_devices.n; i++) {
        if (dev[i].s[0] != '/' || strstr(dev[i].s, "/../") || strstr(dev[i].s, "/./"))
            ERR(&dev[i], "source_devices[%zu] must be an absolute device path like /dev/sdb, got "
                "'%s'", i, dev[i].s);
        for (size_t j = 0; j < i; j++)
            if (streq(dev[i].s, dev[j].s)) {
                ERR(&dev[i], "source_devices lists %s twice", dev[i].s);
                break;
            }
    }
    if (logical && p->build.i && p->source_devices.n == 0)
        ERR(&p->build, "build: true needs source_devices (the devices the volume group is created on)");
    if (netfs && !p->source_host.set)
        ERR(&p->type, "a netfs pool needs 'source_host'");
    if (netfs && !p->source_dir.set)
        ERR(&p->type, "a netfs pool needs 'source_dir'");
    if (p->source_host.set) {
        /* a host name (RFC 1123 labels) or an address */
        if (parse_ip(p->source_host.s, false, NULL, NULL, NULL) < 0 &&
            !valid_hostname(p->source_host.s))
            ERR(&p->source_host, "source_host must be a host name or an address, got '%s'",
                p->source_host.s);
    }
}

/* Disks in a logical pool are logical volumes: raw, without a backing image. Checked when the
 * pool's spec is in the set (the executor checks the live pool otherwise). */
void spec_verify_cross(const SpecSet *set, DiagList *diags, bool *drop) {
    for (size_t n = 0; n < set->n; n++) {
        const Spec *s = set->specs[n];
        if (s->kind != KIND_DOMAIN)
            continue;
        const DiskSpec *dk = s->domain.disks.items;
        for (size_t i = 0; i < s->domain.disks.n; i++) {
            const DiskSpec *disk = &dk[i];
            if (disk->path.set || !disk->pool.set)
                continue;
            const Spec *pool = spec_set_find(set, KIND_POOL, disk->pool.s);
            if (!pool || !streq(pool->pool.type.s, "logical"))
                continue;
            const Value *at = explicit_of(&disk->format, &disk->pool);
            if (streq(disk->format.s, "qcow2") && !disk->image.set) {
                ERR(at, "disks[%zu] is in pool '%s', a logical pool (%s:%u): its volumes are LVM "
                    "logical volumes, so the disk needs format: raw", i, disk->pool.s, pool->file,
                    pool->line);
                drop[n] = true;
            }
            if (disk->image.set) {
                ERR(&disk->image, "disks[%zu].image: pool '%s' is a logical pool (%s:%u); a base "
                    "image needs qcow2 overlays, which LVM volumes cannot hold", i, disk->pool.s,
                    pool->file, pool->line);
                drop[n] = true;
            }
        }
    }
}

/* The file's name goes into virtspec's metadata, status and logs: libvirt refuses a control
 * character there, JSON a byte that is not UTF-8. */
static void verify_file_name(const Spec *s, DiagList *diags) {
    for (const char *p = s->file; *p;) {
        uint32_t cp;
        size_t n = utf8_char(p, &cp);
        if (n == 0 || codepoint_hidden(cp)) {
            diag_add(diags, DIAG_ERROR, s->file, s->line, s->col, "the file's name %s; rename "
                     "the file (virtspec records it in libvirt's metadata)",
                     n == 0 ? "is not UTF-8" : "contains a control character");
            return;
        }
        p += n;
    }
}

void spec_verify(const Spec *s, DiagList *diags) {
    verify_file_name(s, diags);
    switch (s->kind) {
    case KIND_DOMAIN: verify_domain(s, diags); break;
    case KIND_NETWORK: verify_network(s, diags); break;
    case KIND_POOL: verify_pool(s, diags); break;
    default: return;
    }
    verify_xml_edits(s, diags);
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
    v->i = i;
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
    if (d->smartcard.present.set && streq(d->smartcard.mode.s, "host") && d->smartcard.type.defaulted)
        value_clear(&d->smartcard.type);
    /* virtiofs maps guest memory into virtiofsd: back it with shared memfd memory */
    const FilesystemSpec *fs = d->filesystems.items;
    bool virtiofs = false;
    for (size_t i = 0; i < d->filesystems.n; i++)
        virtiofs = virtiofs || streq(fs[i].driver.s, "virtiofs");
    if (virtiofs) {
        if (!d->memorybacking.present.set)
            set_derived(&d->memorybacking.present, xstrdup("true"));
        if (!d->memorybacking.source.set && !d->memorybacking.hugepages.i)
            set_derived(&d->memorybacking.source, xstrdup("memfd"));
        if (!d->memorybacking.access.set)
            set_derived(&d->memorybacking.access, xstrdup("shared"));
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
