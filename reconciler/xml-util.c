/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <libxml/parser.h>

#include "xml-util.h"

bool xml_is(const xmlNode *n, const char *name) {
    return n && n->type == XML_ELEMENT_NODE && streq((const char *) n->name, name);
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
        if (streq(order[i], name))
            return i;
    return 1000;
}

static xmlNode *insert_ordered(xmlNode *parent, xmlNode *child) {
    const char *const *order = order_for(parent);
    if (order) {
        int want = order_index(order, (const char *) child->name);
        /* after the last sibling that sorts at or before us */
        xmlNode *after = NULL;
        for (xmlNode *c = parent->children; c; c = c->next)
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

/* Splits "a[@k='v']" into name and optional predicate. */
static bool seg_match(const xmlNode *c, const char *seg, size_t len) {
    const char *name = (const char *) c->name;
    if (c->type != XML_ELEMENT_NODE || name[0] != seg[0])
        return false;   /* the common case, cheaply: every lookup walks its parent's children */
    const char *br = memchr(seg, '[', len);
    size_t nlen = br ? (size_t) (br - seg) : len;
    if (strncmp(name, seg, nlen) != 0 || name[nlen] != 0)
        return false;
    if (!br)
        return true;
    /* [@attr='value'] */
    const char *at = br + 2, *eq = memchr(at, '=', len - (size_t) (at - seg));
    if (!eq)
        return false;
    _cleanup_free_ char *attr = xstrndup(at, (size_t) (eq - at));
    const char *v = eq + 2;
    const char *vend = memchr(v, '\'', len - (size_t) (v - seg));
    if (!vend)
        return false;
    _cleanup_xmlchar_ xmlChar *have = xmlGetProp(c, (const xmlChar *) attr);
    return have && strlen((char *) have) == (size_t) (vend - v) &&
           !strncmp((char *) have, v, (size_t) (vend - v));
}

static xmlNode *step(const xmlNode *n, const char *seg, size_t len) {
    for (xmlNode *c = n->children; c; c = c->next)
        if (seg_match(c, seg, len))
            return c;
    return NULL;
}

/* The first plen bytes of path. */
static xmlNode *find_n(const xmlNode *n, const char *path, size_t plen) {
    const char *p = path, *end = path + plen;
    xmlNode *cur = (xmlNode *) n;
    while (cur && p < end) {
        const char *slash = memchr(p, '/', (size_t) (end - p));
        size_t len = slash ? (size_t) (slash - p) : (size_t) (end - p);
        cur = step(cur, p, len);
        p += len;
        if (p < end)
            p++;
    }
    return cur;
}

xmlNode *xml_find(const xmlNode *n, const char *path) {
    return find_n(n, path, strlen(path));
}

static void split_attr(const char *path, char **ret_elem, const char **ret_attr) {
    /* the attribute is the last step: "@c" or ".../@c" (an '@' inside a predicate is not) */
    const char *at = path[0] == '@' ? path : NULL;
    for (const char *p = path; (p = strstr(p, "/@")); p++)
        at = p + 1;
    if (at && !strchr(at, '/')) {
        *ret_elem = xstrndup(path, at == path ? 0 : (size_t) (at - path - 1));
        *ret_attr = at + 1;
    } else {
        *ret_elem = xstrdup(path);
        *ret_attr = NULL;
    }
}

char *xml_get(const xmlNode *n, const char *path) {
    /* split_attr without its copies: xml_get runs for every row of every spec */
    const char *attr = path[0] == '@' ? path : NULL;
    for (const char *p = path; (p = strstr(p, "/@")); p++)
        attr = p + 1;
    size_t elen = strlen(path);
    if (attr && !strchr(attr, '/'))
        elen = attr == path ? 0 : (size_t) (attr - path - 1);
    else
        attr = NULL;
    if (attr)
        attr++;
    xmlNode *e = elen ? find_n(n, path, elen) : (xmlNode *) n;
    if (!e)
        return NULL;
    xmlChar *v = attr ? xmlGetProp(e, (const xmlChar *) attr) : xmlNodeGetContent(e);
    if (!v)
        return NULL;
    char *r = xstrdup((char *) v);
    xmlFree(v);
    return r;
}

xmlNode *xml_ensure(xmlNode *n, const char *path, bool always_new) {
    const char *p = path;
    xmlNode *cur = n;
    while (*p) {
        size_t len = strcspn(p, "/");
        bool last = p[len] == 0;
        xmlNode *next = (last && always_new) ? NULL : step(cur, p, len);
        if (!next) {
            const char *br = memchr(p, '[', len);
            _cleanup_free_ char *name = xstrndup(p, br ? (size_t) (br - p) : len);
            next = xml_add_child(cur, name);
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
        if (*p == '/')
            p++;
    }
    return cur;
}

void xml_set(xmlNode *n, const char *path, const char *value) {
    _cleanup_free_ char *elem = NULL;
    const char *attr;
    split_attr(path, &elem, &attr);
    xmlNode *e = *elem ? xml_ensure(n, elem, false) : n;
    if (attr)
        xmlSetProp(e, (const xmlChar *) attr, (const xmlChar *) value);
    else
        xmlNodeSetContent(e, NULL), xmlNodeAddContent(e, (const xmlChar *) value);
}

void xml_unset(xmlNode *n, const char *path) {
    _cleanup_free_ char *elem = NULL;
    const char *attr;
    split_attr(path, &elem, &attr);
    xmlNode *e = *elem ? xml_find(n, elem) : n;
    if (!e)
        return;
    if (attr)
        xmlUnsetProp(e, (const xmlChar *) attr);
    else {
        xmlUnlinkNode(e);
        xmlFreeNode(e);
    }
}

static void strip_blank_text(xmlNode *n) {
    for (xmlNode *c = n->children, *next; c; c = next) {
        next = c->next;
        if (c->type == XML_TEXT_NODE && xmlIsBlankNode(c) && n->children != n->last) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        } else if (c->type == XML_ELEMENT_NODE)
            strip_blank_text(c);
    }
}

char *xml_to_string(xmlDoc *doc) {
    return xml_node_to_string(doc, xmlDocGetRootElement(doc));
}

char *xml_node_to_string(xmlDoc *doc, xmlNode *n) {
    xmlBuffer *buf = xmlBufferCreate();
    strip_blank_text(n);
    xmlNodeDump(buf, doc, n, 0, 1);
    char *r = xasprintf("%s\n", (const char *) xmlBufferContent(buf));
    xmlBufferFree(buf);
    return r;
}

xmlDoc *xml_parse(const char *s) {
    return xmlReadMemory(s, (int) strlen(s), "libvirt.xml", NULL,
                         XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
                         XML_PARSE_NOWARNING);
}
