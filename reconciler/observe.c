/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "diff.h"
#include "render.h"
#include "spec-value.h"
#include "xml-util.h"

/* libvirt XML → canonical values, the same form spec-value.c produces for the spec side. */

static char *canon_size(const xmlNode *e) {
    _cleanup_xmlchar_ xmlChar *text = xmlNodeGetContent(e);
    _cleanup_xmlchar_ xmlChar *unit = xmlGetProp(e, (const xmlChar *) "unit");
    int64_t v;
    static const struct { const char *u; int64_t m; } units[] = {
        { "b", 1 }, { "bytes", 1 }, { "KiB", 1024 }, { "k", 1024 }, { "KB", 1000 },
        { "MiB", 1024 * 1024 }, { "M", 1024 * 1024 }, { "MB", 1000000 },
        { "GiB", 1024LL * 1024 * 1024 }, { "G", 1024LL * 1024 * 1024 }, { "GB", 1000000000LL },
        { "TiB", 1024LL * 1024 * 1024 * 1024 }, { "T", 1024LL * 1024 * 1024 * 1024 },
    };
    int64_t mult = 1024;   /* libvirt's default unit for memory is KiB */
    if (!text || parse_size((const char *) text, 1, &v) < 0)
        return NULL;
    if (unit) {
        mult = 0;
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
            if (streq((const char *) unit, units[i].u))
                mult = units[i].m;
        if (mult == 0)
            return NULL;
    }
    return xasprintf("%" PRId64, v * mult);
}

static char *canon_scalar(const KeyDef *k, char *raw) {
    if (!raw)
        return NULL;
    switch (k->type) {
    case VT_BOOL: {
        bool b;
        if (parse_bool(raw, &b) < 0)
            return raw;
        free(raw);
        return xstrdup(b ? "true" : "false");
    }
    case VT_INT: {
        char *end;
        long long v = strtoll(raw, &end, 0);
        if (*end || end == raw)
            return raw;
        free(raw);
        if (v == -1)
            return NULL;    /* libvirt's "unset" for ports and the like */
        return xasprintf("%lld", v);
    }
    case VT_MAC: {
        char mac[18];
        if (parse_mac(raw, mac) < 0)
            return raw;
        free(raw);
        return xstrdup(mac);
    }
    case VT_IP: {
        char *c;
        if (parse_ip(raw, false, NULL, &c, NULL) < 0)
            return raw;
        free(raw);
        return c;
    }
    default:
        return raw;
    }
}

bool is_guest_agent_channel(const xmlNode *ch) {
    _cleanup_free_ char *name = xml_get(ch, "target/@name");
    return streq_ptr(name, GUEST_AGENT_CHANNEL);
}

char *observe_value(const KeyDef *k, const xmlNode *ctx) {
    switch (k->hook) {
    case HOOK_API:
        return NULL;
    case HOOK_MEMORY: {
        xmlNode *e = xml_child(ctx, "currentMemory");
        return canon_size(e ? e : xml_child(ctx, "memory"));
    }
    case HOOK_MAX_MEMORY: {
        xmlNode *e = xml_child(ctx, "memory");
        return e ? canon_size(e) : NULL;
    }
    case HOOK_VCPU: {
        char *cur = xml_get(ctx, "vcpu/@current");
        return canon_scalar(k, cur ? cur : xml_get(ctx, "vcpu"));
    }
    case HOOK_MAX_VCPU:
        return canon_scalar(k, xml_get(ctx, "vcpu"));
    case HOOK_DOMAIN_TYPE:
        return xml_get(ctx, "@type");
    case HOOK_BOOT: {
        char *acc = NULL;
        for (xmlNode *b = xml_child(xml_child(ctx, "os"), "boot"); b; b = xml_next_named(b)) {
            _cleanup_xmlchar_ xmlChar *dev = xmlGetProp(b, (const xmlChar *) "dev");
            char *n = acc ? xasprintf("%s,%s", acc, (char *) dev) : xstrdup((char *) dev);
            free(acc);
            acc = n;
        }
        return acc;
    }
    case HOOK_NESTED: {
        bool vmx = false;
        for (xmlNode *f = xml_child(xml_child(ctx, "cpu"), "feature"); f; f = xml_next_named(f)) {
            _cleanup_xmlchar_ xmlChar *name = xmlGetProp(f, (const xmlChar *) "name");
            _cleanup_xmlchar_ xmlChar *pol = xmlGetProp(f, (const xmlChar *) "policy");
            if (name && (streq((char *) name, "vmx") || streq((char *) name, "svm")) &&
                !(pol && (streq((char *) pol, "disable") || streq((char *) pol, "forbid"))))
                vmx = true;
        }
        return xstrdup(vmx ? "true" : "false");
    }
    case HOOK_GRAPHICS_NONE: {
        char *t = xml_get(ctx, k->xml);
        return t ? t : xstrdup("none");
    }
    case HOOK_GUEST_AGENT: {
        xmlNode *devs = xml_child(ctx, "devices");
        for (xmlNode *c = xml_child(devs, "channel"); c; c = xml_next_named(c))
            if (is_guest_agent_channel(c))
                return xstrdup("true");
        return xstrdup("false");
    }
    case HOOK_RNG_BACKEND:
        return xml_get(ctx, "devices/rng/backend");
    case HOOK_NET_FORWARD: {
        char *m = xml_get(ctx, "forward/@mode");
        if (m)
            return m;
        /* no <forward>: isolated; without any address it is "veryisolated" */
        return xstrdup(xml_child(ctx, "ip") ? "none" : "veryisolated");
    }
    case HOOK_NET_IP: {
        const char *fam = k->key && streq(k->key, "ipv6") ? "ipv6" : "ipv4";
        for (xmlNode *ip = xml_child(ctx, "ip"); ip; ip = xml_next_named(ip)) {
            _cleanup_xmlchar_ xmlChar *f = xmlGetProp(ip, (const xmlChar *) "family");
            if (!streq(f ? (char *) f : "ipv4", fam))
                continue;
            _cleanup_xmlchar_ xmlChar *a = xmlGetProp(ip, (const xmlChar *) "address");
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
    default:
        break;
    }
    if (!k->xml || (k->flags & KEY_NO_XML))
        return NULL;
    if (k->type == VT_BOOL && !strchr(k->xml, '@'))
        return xstrdup(xml_find(ctx, k->xml) ? "true" : "false");
    return canon_scalar(k, xml_get(ctx, k->xml));
}

static xmlNode *metadata_node(xmlDoc *doc) {
    xmlNode *md = xml_child(xmlDocGetRootElement(doc), "metadata");
    for (xmlNode *c = md ? md->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && c->ns && c->ns->href &&
            streq((const char *) c->ns->href, VIRTSPEC_XMLNS) && streq((const char *) c->name, "virtspec"))
            return c;
    return NULL;
}

bool observe_owned(xmlDoc *doc) {
    return metadata_node(doc) != NULL;
}

char *observe_managed(xmlDoc *doc) {
    xmlNode *vs = metadata_node(doc);
    for (xmlNode *c = vs ? vs->children : NULL; c; c = c->next)
        if (xml_is(c, "managed")) {
            xmlChar *t = xmlNodeGetContent(c);
            char *r = xstrdup((char *) t);
            xmlFree(t);
            return r;
        }
    return NULL;
}

char *observe_spec_hash(xmlDoc *doc) {
    xmlNode *vs = metadata_node(doc);
    for (xmlNode *c = vs ? vs->children : NULL; c; c = c->next)
        if (xml_is(c, "spec")) {
            xmlChar *t = xmlGetProp(c, (const xmlChar *) "hash");
            char *r = xstrdup((char *) t);
            xmlFree(t);
            return r;
        }
    return NULL;
}
