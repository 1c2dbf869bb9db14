/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "xml-util.h"

bool xml_is(const xmlNode *n, const char *name) {
    return n && n->type == XML_ELEMENT_NODE && streq((const char *) n->name, name);
}

bool xml_secret_attr(const char *name) {
    return streq(name, "passwd") || streq(name, "password") || streq(name, "passphrase");
}

bool xml_path_is_secret(const char *path) {
    const char *at = strrchr(path, '@'), *br = strrchr(path, ']');
    return at && (!br || br < at) && xml_secret_attr(at + 1);
}

size_t xml_mask_secrets(xmlNode *n, const char *mask) {
    size_t found = 0;
    if (!n || n->type != XML_ELEMENT_NODE)
        return 0;
    for (xmlAttr *a = n->properties, *next; a; a = next) {
        next = a->next;
        if (a->ns || !xml_secret_attr((const char *) a->name))
            continue;
        found++;
        if (mask)
            xmlSetProp(n, a->name, (const xmlChar *) mask);
        else
            xmlRemoveProp(a);
    }
    for (xmlNode *c = n->children; c; c = c->next)
        found += xml_mask_secrets(c, mask);
    return found;
}

xmlNode *xml_child(const xmlNode *n, const char *name) {
    if (!n)
        return NULL;
    for (xmlNode *c = n->children; c; c = c->next)
        if (xml_is(c, name))
            return c;
    return NULL;
}

xmlNode *xml_next_named(const xmlNode *n) {
    for (xmlNode *c = n->next; c; c = c->next)
        if (xml_is(c, (const char *) n->name))
            return c;
    return NULL;
}

/* Canonical child order for the elements we create, so rendered XML reads like libvirt's own. */
static const char *const domain_order[] = {
    "name", "uuid", "title", "description", "metadata", "memory", "currentMemory",
    "memoryBacking", "vcpu", "cputune", "memtune", "numatune", "sysinfo", "os", "features",
    "cpu", "clock", "on_poweroff", "on_reboot", "on_crash", "pm", "devices", "launchSecurity",
    "commandline", NULL,
};
static const char *const devices_order[] = {
    "emulator", "disk", "controller", "filesystem", "interface", "smartcard", "serial", "console",
    "channel", "input", "tpm", "graphics", "sound", "audio", "video", "hostdev", "redirdev",
    "redirfilter", "watchdog", "memballoon", "rng", NULL,
};
static const char *const network_order[] = {
    "name", "uuid", "metadata", "forward", "bridge", "mtu", "mac", "domain", "dns", "ip", NULL,
};
static const char *const disk_order[] = {
    "driver", "source", "backingStore", "target", "boot", "readonly", "shareable", "serial",
    "wwn", "alias", "address", NULL,
};
static const char *const iface_order[] = {
    "mac", "source", "virtualport", "target", "model", "driver", "mtu", "boot", "alias",
    "address", NULL,
};
static const char *const os_order[] = { "type", "loader", "nvram", "kernel", "initrd", "cmdline",
                                        "dtb", "boot", "bootmenu", "smbios", NULL };
static const char *const ip_order[] = { "tftp", "dhcp", NULL };

static const char *const *order_for(const xmlNode *parent) {
    const char *p = (const char *) parent->name;
    if (streq(p, "domain"))
        return domain_order;
    if (streq(p, "devices"))
        return devices_order;
    if (streq(p, "network"))
        return network_order;
    if (streq(p, "disk"))
        return disk_order;
    if (streq(p, "interface"))
        return iface_order;
    if (streq(p, "os"))
        return os_order;
    if (streq(p, "ip"))
        return ip_order;
    return NULL;
}

static int order_index(const char *const *order, const char *name) {
    for (int i = 0; order[i]; i++)
        if (order[i][0] == name[0] && streq(order[i], name))   /* the first letter first */
            return i;
    return 1000;
}

static xmlNode *insert_ordered(xmlNode *parent, xmlNode *child) {
    const char *const *order = order_for(parent);
    if (order) {
        int want = order_index(order, (const char *) child->name);
        /* after the last sibling that sorts at or before us (searched from the end: elements are
         * mostly added in order, and the last one is it) */
        xmlNode *after = NULL;
        for (xmlNode *c = parent->last; c && !after; c = c->prev)
            if (c->type == XML_ELEMENT_NODE && order_index(order, (const char *) c->name) <= want)
                after = c;
        if (after)
            return xmlAddNextSibling(after, child);
        xmlNode *first = parent->children;
        while (first && first->type != XML_ELEMENT_NODE)
            first = first->next;
        if (first)
            return xmlAddPrevSibling(first, child);
    }
    return xmlAddChild(parent, child);
}

xmlNode *xml_add_child(xmlNode *parent, const char *name) {
    xmlNode *c = xmlNewNode(NULL, (const xmlChar *) name);
    return insert_ordered(parent, c);
}

xmlNode *xml_adopt_copy(xmlNode *parent, const xmlNode *n) {
    xmlNode *c = xmlDocCopyNode((xmlNode *) n, parent->doc, 1);
    return insert_ordered(parent, c);
}

/* Attribute name (its first len bytes) of element e, as xmlGetProp reads it. The common shape, a
 * value of one text node (every attribute libxml2 parses or we set), is read in place and
 * *ret_copy stays NULL; the others (a DTD's default, entity references) take xmlGetProp's way and
 * *ret_copy holds the value. Lookups run for every row of every spec: no copy of the name either. */
static const char *prop_peek(const xmlNode *e, const char *name, size_t len, xmlChar **ret_copy) {
    *ret_copy = NULL;
    if (!e || e->type != XML_ELEMENT_NODE)
        return NULL;
    bool dtd = e->doc && (e->doc->intSubset || e->doc->extSubset);
    for (const xmlAttr *a = dtd ? NULL : e->properties; a; a = a->next) {
        if (strncmp((const char *) a->name, name, len) != 0 || a->name[len] != 0)
            continue;
        const xmlNode *t = a->children;
        if (t && !t->next && (t->type == XML_TEXT_NODE || t->type == XML_CDATA_SECTION_NODE) && t->content)
            return (const char *) t->content;
        dtd = true;   /* the first attribute of that name, read the slow way */
        break;
    }
    if (!dtd)
        return NULL;
    _cleanup_free_ char *n = xstrndup(name, len);
    *ret_copy = xmlGetProp(e, (const xmlChar *) n);
    return (const char *) *ret_copy;
}

char *xml_prop(const xmlNode *e, const char *name) {
    _cleanup_xmlchar_ xmlChar *copy = NULL;
    const char *v = prop_peek(e, name, strlen(name), &copy);
    return v ? xstrdup(v) : NULL;
}

bool xml_prop_is(const xmlNode *e, const char *name, size_t len, const char *value, size_t vlen) {
    _cleanup_xmlchar_ xmlChar *copy = NULL;
    const char *v = prop_peek(e, name, len, &copy);
    return v && strlen(v) == vlen && !strncmp(v, value, vlen);
}

/* The bytes step_end stops at; any other byte of a path is passed with one table look-up. */
static const bool path_special[256] = { ['/'] = true, ['['] = true, [']'] = true, ['\''] = true };

/* The next '/' of path outside predicates ("a[b/@c='d/e']/f": the one before f), or NULL. Every
 * path lookup scans its steps with this (a pass reads a few hundred): up to the first special
 * byte no state changes, so that part is skipped by the table; a '/' there is the answer. */
static const char *step_end(const char *p, const char *end) {
    while (p < end && !path_special[(unsigned char) *p])
        p++;
    if (p < end && *p == '/')
        return p;
    bool quoted = false;
    int depth = 0;
    for (; p < end; p++) {
        if (quoted)
            quoted = *p != '\'';
        else if (*p == '\'')
            quoted = true;
        else if (*p == '[')
            depth++;
        else if (*p == ']')
            depth--;
        else if (*p == '/' && depth == 0)
            return p;
    }
    return NULL;
}

/* Whether element c satisfies one predicate, pred..pend without the brackets: @attr='value', or
 * a relative path's text or attribute equal to 'value' (mac/@address='52:54:…'). */
static bool pred_match(const xmlNode *c, const char *pred, const char *pend) {
    const char *eq = NULL;
    for (const char *q = pred; q + 1 < pend && !eq; q++)
        if (q[0] == '=' && q[1] == '\'')
            eq = q;
    if (!eq || pend - eq < 3 || pend[-1] != '\'')
        return false;
    const char *v = eq + 2;
    size_t vlen = (size_t) (pend - 1 - v);
    if (pred[0] == '@')
        return xml_prop_is(c, pred + 1, (size_t) (eq - pred - 1), v, vlen);
    _cleanup_free_ char *rel = xstrndup(pred, (size_t) (eq - pred));
    _cleanup_free_ char *have = xml_get(c, rel);
    return have && strlen(have) == vlen && !strncmp(have, v, vlen);
}

/* Whether element c is step seg by name and every non-positional predicate; *ret_pos gets a
 * trailing [N] (1-based, as in XPath), else 1. */
static bool seg_match(const xmlNode *c, const char *seg, size_t len, const char *br, long *ret_pos) {
    const char *name = (const char *) c->name, *end = seg + len;
    size_t nlen = br ? (size_t) (br - seg) : len;
    *ret_pos = 1;
    if (strncmp(name, seg, nlen) != 0 || name[nlen] != 0)
        return false;
    for (const char *p = br; p && p < end && *p == '[';) {
        const char *close = p + 1;
        for (bool quoted = false; close < end && (quoted || *close != ']'); close++)
            if (*close == '\'')
                quoted = !quoted;
        if (close >= end)
            return false;
        if (p[1] >= '0' && p[1] <= '9')
            *ret_pos = strtol(p + 1, NULL, 10);
        else if (!pred_match(c, p + 1, close))
            return false;
        p = close + 1;
    }
    return true;
}

static xmlNode *step(const xmlNode *n, const char *seg, size_t len) {
    const char *br = memchr(seg, '[', len);
    long pos, seen = 0;
    /* every lookup walks its parent's children: most differ in their first letter, told here */
    for (xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && c->name[0] == (xmlChar) seg[0] &&
            seg_match(c, seg, len, br, &pos) && ++seen == pos)
            return c;
    return NULL;
}

bool xml_path_selects_one(const char *path) {
    for (const char *p = strchr(path, '['); p; p = strchr(p + 1, '['))
        if (p[1] >= '0' && p[1] <= '9')
            return true;
    return false;
}

xmlNode *xml_find_n(const xmlNode *n, const char *path, size_t plen) {
    const char *p = path, *end = path + plen;
    xmlNode *cur = (xmlNode *) n;
    while (cur && p < end) {
        const char *slash = step_end(p, end);
        size_t len = slash ? (size_t) (slash - p) : (size_t) (end - p);
        cur = step(cur, p, len);
        p += len;
        if (p < end)
            p++;
    }
    return cur;
}

xmlNode *xml_find(const xmlNode *n, const char *path) {
    return xml_find_n(n, path, strlen(path));
}

/* Where path's element part ends (*ret_elen bytes) and its attribute starts: the attribute is the
 * last step when that starts with '@' ("@c" or ".../@c"; an '@' inside a predicate is not).
 * Returns the attribute's name, or NULL for an element's text. */
static const char *split_attr(const char *path, size_t *ret_elen) {
    size_t len = strlen(path);
    const char *slash = NULL;
    if (!strpbrk(path, "[]'"))   /* no predicate (most paths): every '/' ends a step */
        slash = strrchr(path, '/');
    else
        for (const char *s = step_end(path, path + len); s; s = step_end(s + 1, path + len))
            slash = s;
    const char *at = slash ? (slash[1] == '@' ? slash + 1 : NULL) : (path[0] == '@' ? path : NULL);
    *ret_elen = at ? (at == path ? 0 : (size_t) (at - path - 1)) : len;
    return at ? at + 1 : NULL;
}

char *xml_get(const xmlNode *n, const char *path) {
    size_t elen;
    const char *attr = split_attr(path, &elen);
    xmlNode *e = elen ? xml_find_n(n, path, elen) : (xmlNode *) n;
    if (!e)
        return NULL;
    return attr ? xml_prop(e, attr) : xml_text(e);
}

char *xml_text(const xmlNode *e) {
    /* most elements have one text node: what xmlNodeGetContent would return, read in place */
    const xmlNode *t = e->type == XML_ELEMENT_NODE ? e->children : NULL;
    if (t && !t->next && (t->type == XML_TEXT_NODE || t->type == XML_CDATA_SECTION_NODE) && t->content)
        return xstrdup((const char *) t->content);
    xmlChar *v = xmlNodeGetContent(e);
    if (!v)
        return NULL;
    char *r = xstrdup((char *) v);
    xmlFree(v);
    return r;
}

/* xml_ensure of the first plen bytes of path */
static xmlNode *ensure_n(xmlNode *n, const char *path, size_t plen, bool always_new) {
    const char *p = path, *end = path + plen;
    xmlNode *cur = n;
    while (p < end) {
        const char *slash = step_end(p, end);
        size_t len = slash ? (size_t) (slash - p) : (size_t) (end - p);
        bool last = !slash;
        xmlNode *next = (last && always_new) ? NULL : step(cur, p, len);
        if (!next) {
            const char *br = memchr(p, '[', len);
            /* only [@attr='value'] says what to create: an n-th element or one picked by a
             * child's value that is not there is not made up */
            if (br && (br[1] != '@' || memchr(br + 1, '[', len - (size_t) (br + 1 - p))))
                return NULL;
            size_t nlen = br ? (size_t) (br - p) : len;
            char buf[64];
            _cleanup_free_ char *heap = nlen < sizeof(buf) ? NULL : xstrndup(p, nlen);
            if (!heap) {
                memcpy(buf, p, nlen);
                buf[nlen] = 0;
            }
            next = xml_add_child(cur, heap ? heap : buf);
            if (br) {
                /* create with the predicate's attribute */
                const char *at = br + 2, *eq = strchr(at, '=');
                _cleanup_free_ char *a = xstrndup(at, (size_t) (eq - at));
                const char *v = eq + 2;
                _cleanup_free_ char *val = xstrndup(v, strcspn(v, "'"));
                xmlSetProp(next, (const xmlChar *) a, (const xmlChar *) val);
            }
        }
        cur = next;
        p += len;
        if (p < end)
            p++;
    }
    return cur;
}

xmlNode *xml_ensure(xmlNode *n, const char *path, bool always_new) {
    return ensure_n(n, path, strlen(path), always_new);
}

void xml_set(xmlNode *n, const char *path, const char *value) {
    size_t elen;
    const char *attr = split_attr(path, &elen);
    xmlNode *e = elen ? ensure_n(n, path, elen, false) : n;
    if (!e)
        return;
    if (attr)
        xmlSetProp(e, (const xmlChar *) attr, (const xmlChar *) value);
    else
        xmlNodeSetContent(e, NULL), xmlNodeAddContent(e, (const xmlChar *) value);
}

void xml_unset(xmlNode *n, const char *path) {
    size_t elen;
    const char *attr = split_attr(path, &elen);
    xmlNode *e = elen ? xml_find_n(n, path, elen) : n;
    if (!e)
        return;
    if (attr)
        xmlUnsetProp(e, (const xmlChar *) attr);
    else {
        xmlUnlinkNode(e);
        xmlFreeNode(e);
    }
}

void xml_strip_blank_text(xmlNode *n) {
    for (xmlNode *c = n->children, *next; c; c = next) {
        next = c->next;
        if (c->type == XML_TEXT_NODE && xmlIsBlankNode(c) && n->children != n->last) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        } else if (c->type == XML_ELEMENT_NODE)
            xml_strip_blank_text(c);
    }
}

char *xml_to_string(xmlDoc *doc) {
    return xml_node_to_string(doc, xmlDocGetRootElement(doc));
}

static char *node_dump(xmlDoc *doc, xmlNode *n, bool format) {
    xmlBuffer *buf = xmlBufferCreate();
    xml_strip_blank_text(n);
    xmlNodeDump(buf, doc, n, 0, format);
    size_t len = (size_t) xmlBufferLength(buf);
    char *r = xmalloc0(len + 2);
    memcpy(r, xmlBufferContent(buf), len);
    if (format)
        r[len] = '\n';
    xmlBufferFree(buf);
    return r;
}

char *xml_node_to_string(xmlDoc *doc, xmlNode *n) {
    return node_dump(doc, n, true);
}

char *xml_node_to_compact(xmlDoc *doc, xmlNode *n) {
    return node_dump(doc, n, false);
}

xmlDoc *xml_parse(const char *s) {
    /* libxml2 asks for more input whenever less than a chunk (INPUT_CHUNK, 250 bytes) is left to
     * parse, and for a document in memory every ask grows (reallocates) its buffer: a fifth of
     * the parse over the last 250 bytes. Blanks after the root element, which are no part of the
     * tree, keep a chunk in hand to the end (and no more: they are parsed too). */
    enum { PAD = INPUT_CHUNK };
    size_t len = strlen(s);
    if (len > INT_MAX - PAD)
        return NULL;
    _cleanup_free_ char *padded = xmalloc0(len + PAD + 1);
    memcpy(padded, s, len);
    memset(padded + len, ' ', PAD);
    /* XML_PARSE_COMPACT: text shorter than two pointers ("0x0000", "KiB") is kept in its node,
     * not allocated; libxml2's tree functions know such nodes (a later edit copies the text) */
    xmlDoc *d = xmlReadMemory(padded, (int) (len + PAD), "libvirt.xml", NULL,
                              XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
                              XML_PARSE_NOWARNING | XML_PARSE_COMPACT);
    explicit_bzero(padded, len);   /* a secure XML: it may hold a graphics password */
    return d;
}
