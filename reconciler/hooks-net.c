/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "hooks-internal.h"
#include "hooks.h"
#include "spec-value.h"
#include "xml-util.h"
#include "xml-value.h"

/* Hooks of networks: forward mode, addresses, DHCP, bridge, local domain. */

/* ---- forward: forward/@mode; none and veryisolated have no <forward> ---- */

void hook_net_forward_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const Value *v = key_value(k, (void *) base);
    if (!streq(v->s, "none") && !streq(v->s, "veryisolated"))
        xml_set(node, "forward/@mode", v->s);
}

char *hook_net_forward_observe(const KeyDef *k, const xmlNode *ctx) {
    char *m = xml_get(ctx, "forward/@mode");
    if (m)
        return m;
    /* no <forward>: isolated; without any address it is "veryisolated" */
    return xstrdup(xml_child(ctx, "ip") ? "none" : "veryisolated");
}

/* ---- ip, ipv6: <ip address prefix> per family ---- */

void hook_net_ip_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const NetworkSpec *n = &c->spec->network;
    if (streq(k->key, "ipv6"))
        return;   /* rendered with the IPv4 row, in address-family order */
    const Value *ips[] = { &n->ip, &n->ipv6 };
    for (size_t i = 0; i < ELEMENTSOF(ips); i++) {
        if (!ips[i]->set)
            continue;
        _cleanup_free_ char *addr = xstrndup(ips[i]->s, strcspn(ips[i]->s, "/"));
        xmlNode *ip = xml_ensure(node, "ip", true);
        if (i == 1)
            xmlSetProp(ip, (const xmlChar *) "family", (const xmlChar *) "ipv6");
        xmlSetProp(ip, (const xmlChar *) "address", (const xmlChar *) addr);
        xmlSetProp(ip, (const xmlChar *) "prefix", (const xmlChar *) (strchr(ips[i]->s, '/') + 1));
    }
}

/* The prefix of <ip>: its prefix, or its netmask's bits; -1 without either. */
static int ip_prefix(const xmlNode *ip) {
    _cleanup_xmlchar_ xmlChar *p = xmlGetProp(ip, (const xmlChar *) "prefix");
    _cleanup_xmlchar_ xmlChar *nm = xmlGetProp(ip, (const xmlChar *) "netmask");
    int prefix = p ? atoi((char *) p) : -1;
    if (prefix < 0 && nm) {
        unsigned b[4];
        if (sscanf((char *) nm, "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]) == 4) {
            uint32_t m = b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
            prefix = __builtin_popcount(m);
        }
    }
    return prefix;
}

char *hook_net_ip_observe(const KeyDef *k, const xmlNode *ctx) {
    const char *fam = k->key && streq(k->key, "ipv6") ? "ipv6" : "ipv4";
    for (xmlNode *ip = xml_child(ctx, "ip"); ip; ip = xml_next_named(ip)) {
        _cleanup_xmlchar_ xmlChar *f = xmlGetProp(ip, (const xmlChar *) "family");
        if (!streq(f ? (char *) f : "ipv4", fam))
            continue;
        _cleanup_xmlchar_ xmlChar *a = xmlGetProp(ip, (const xmlChar *) "address");
        int prefix = ip_prefix(ip);
        if (!a)
            return NULL;
        _cleanup_free_ char *raw = prefix >= 0 ? xasprintf("%s/%d", (char *) a, prefix)
                                                : xstrdup((char *) a);
        char *c;
        if (parse_ip(raw, true, NULL, &c, NULL) < 0)
            return xstrdup(raw);
        return c;
    }
    return NULL;
}

/* A network's <ip> of one family, as hook_net_ip_observe reads it (no family attribute: ipv4). */
static xmlNode *net_ip(xmlNode *root, bool v6) {
    for (xmlNode *ip = xml_child(root, "ip"); ip; ip = xml_next_named(ip)) {
        _cleanup_xmlchar_ xmlChar *f = xmlGetProp(ip, (const xmlChar *) "family");
        if (streq(f ? (const char *) f : "ipv4", v6 ? "ipv6" : "ipv4"))
            return ip;
    }
    return NULL;
}

/* address and prefix change together (libvirt may write a netmask instead of the prefix); the
 * element's children (DHCP range and hosts) are rows of their own and stay. */
void hook_net_ip_patch(const KeyDef *k, xmlNode *want, xmlNode *have) {
    static const char *const attrs[] = { "address", "prefix", "netmask" };
    bool v6 = streq(k->key, "ipv6");
    xmlNode *w = net_ip(want, v6), *h = net_ip(have, v6);
    if (!w) {
        if (h) {
            xmlUnlinkNode(h);
            xmlFreeNode(h);
        }
        return;
    }
    if (!h) {
        xml_adopt_copy(have, w);
        return;
    }
    for (size_t i = 0; i < ELEMENTSOF(attrs); i++) {
        _cleanup_xmlchar_ xmlChar *v = xmlGetProp(w, (const xmlChar *) attrs[i]);
        xmlUnsetProp(h, (const xmlChar *) attrs[i]);
        if (v)
            xmlSetProp(h, (const xmlChar *) attrs[i], v);
    }
}

/* ---- dhcp.start: the range, or the default range for `dhcp: {}` ---- */

void hook_net_dhcp_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    /* `dhcp: {}` (neither start nor end; verify refuses one without the other) is DHCP over the
     * default range, as the docs promise, not a silent no-DHCP; a map with only hosts keeps
     * serving only those static leases (as libvirt does without a range) */
    const NetworkSpec *n = &c->spec->network;
    const Value *v = key_value(k, (void *) base);
    _cleanup_free_ char *start = NULL, *end = NULL;
    if (v->set)
        xml_set(node, k->xml, v->s);
    else if (!n->dhcp.end.set && n->dhcp.hosts.n == 0 && spec_dhcp_default_range(c->spec, &start, &end)) {
        xml_set(node, "ip/dhcp/range/@start", start);
        xml_set(node, "ip/dhcp/range/@end", end);
    }
}

/* ---- domain_local: domain/@localOnly, only beside a domain name ---- */

void hook_net_domain_local_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const Value *v = key_value(k, (void *) base);
    if (c->spec->network.domain.set)   /* unset: yes, the default */
        xml_set(node, k->xml, !v->set || value_int(v) ? "yes" : "no");
}

char *hook_net_domain_local_observe(const KeyDef *k, const xmlNode *ctx) {
    /* nothing without a domain name; libvirt's default beside one is no */
    _cleanup_free_ char *name = xml_get(ctx, "domain/@name");
    char *v = name ? xml_get(ctx, k->xml) : NULL;
    return name ? canon_scalar(k, v ? v : xstrdup("no")) : NULL;
}

/* ---- bridge: bridge/@name; stp and delay unless forwarding to a host bridge ---- */

void hook_net_bridge_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const Value *v = key_value(k, (void *) base);
    if (!v->set)
        return;
    xml_set(node, "bridge/@name", v->s);
    if (!streq(c->spec->network.forward.s, "bridge")) {
        xml_set(node, "bridge/@stp", "on");
        xml_set(node, "bridge/@delay", "0");
    }
}
