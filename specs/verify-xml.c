/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <libxml/parser.h>
#include <strings.h>

#include "spec-internal.h"
#include "verify.h"

/* Validation of the xml escape hatch of every kind. */

/* The bytes of the memory devices (<memory model='dimm'>…) that xml.add puts below devices: a
 * domain's memory is its NUMA nodes' plus theirs (an exported domain with hot-pluggable
 * memory). */
int64_t hatch_memory_devices(const XmlHatchSpec *x) {
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
void verify_xml_edits(const Spec *s, DiagList *diags) {
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
