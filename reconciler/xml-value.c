/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "spec-value.h"
#include "xml-util.h"
#include "xml-value.h"

char *render_value(const KeyDef *k, const Value *v) {
    if (k->type == VT_BOOL && (k->flags & KEY_ONOFF))
        return xstrdup(value_int(v) ? "on" : "off");
    if (k->type == VT_BOOL)
        return xstrdup(value_int(v) ? "yes" : "no");
    return xstrdup(v->s);
}

/* libvirt XML text → canonical values, the same form spec-value.c produces for the spec side. */

char *canon_size_text(const char *text, const char *unit) {
    int64_t v;
    static const struct { const char *u; int64_t m; } units[] = {
        { "b", 1 }, { "bytes", 1 }, { "KiB", 1024 }, { "k", 1024 }, { "KB", 1000 },
        { "MiB", 1024 * 1024 }, { "M", 1024 * 1024 }, { "MB", 1000000 },
        { "GiB", 1024LL * 1024 * 1024 }, { "G", 1024LL * 1024 * 1024 }, { "GB", 1000000000LL },
        { "TiB", 1024LL * 1024 * 1024 * 1024 }, { "T", 1024LL * 1024 * 1024 * 1024 },
    };
    int64_t mult = 1024;   /* libvirt's default unit for memory is KiB */
    if (!text || parse_size(text, 1, &v) < 0)
        return NULL;
    if (unit) {
        mult = 0;
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
            if (streq(unit, units[i].u))
                mult = units[i].m;
        if (mult == 0)
            return NULL;
    }
    if (v > INT64_MAX / mult)
        return NULL;   /* no size libvirt writes; not a value (and no overflow) */
    char buf[24];
    return xstrdup(int_text(buf, v * mult));
}

char *canon_size(const xmlNode *e) {
    if (!e)
        return NULL;
    _cleanup_free_ char *text = xml_text(e), *unit = xml_prop(e, "unit");
    return canon_size_text(text, unit);
}

char *canon_scalar(const KeyDef *k, char *raw) {
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
        char buf[24];
        return xstrdup(int_text(buf, v));
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
    case VT_WWN: {
        char *c = wwn_canonical(raw);
        if (!c)
            return raw;
        free(raw);
        return c;
    }
    default:
        return raw;
    }
}

/* Every value at a repeated element (or its attribute), quoted: "a", "b c". */
char *observe_value_list(const KeyDef *k, const xmlNode *ctx) {
    const char *attr = strstr(k->xml, "/@");
    _cleanup_free_ char *elem = attr ? xstrndup(k->xml, (size_t) (attr - k->xml)) : xstrdup(k->xml);
    const char *slash = strrchr(elem, '/');
    _cleanup_free_ char *parent = slash ? xstrndup(elem, (size_t) (slash - elem)) : NULL;
    const char *name = slash ? slash + 1 : elem;
    xmlNode *p = parent ? xml_find(ctx, parent) : (xmlNode *) ctx;
    char *acc = NULL;
    for (xmlNode *e = p ? p->children : NULL; e; e = e->next) {
        if (!xml_is(e, name))
            continue;
        _cleanup_xmlchar_ xmlChar *v = attr ? xmlGetProp(e, (const xmlChar *) attr + 2)
                                            : xmlNodeGetContent(e);
        /* quoted, with " and \ escaped, so that no two lists read the same */
        size_t len = 3;
        for (const xmlChar *q = v; q && *q; q++)
            len += 1 + (*q == '"' || *q == '\\');
        char *item = xmalloc0(len), *o = item;
        *o++ = '"';
        for (const xmlChar *q = v; q && *q; q++) {
            if (*q == '"' || *q == '\\')
                *o++ = '\\';
            *o++ = (char) *q;
        }
        *o = '"';
        char *n = xasprintf("%s%s%s", acc ? acc : "", acc ? ", " : "", item);
        free(acc);
        free(item);
        acc = n;
    }
    return acc;
}
