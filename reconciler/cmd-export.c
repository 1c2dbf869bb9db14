/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#include "paths.h"
#include "cli.h"
#include "config.h"
#include "diff.h"
#include "export-templates.h"
#include "hooks.h"
#include "render.h"
#include "spec-table.h"
#include "spec-value.h"
#include "virt-conn.h"
#include "xml-util.h"
#include "yaml-tree.h"

/* `virtspec export NAME…`: a spec for existing domains, networks and pools, from their inactive
 * definition. Every key
 * is read back with observe_value, the same function diff compares with, so what a key can say is
 * said with the key; what no key covers (a device virtspec has no list for, a value outside a key's
 * choices, a lifecycle action; a network's DNS forwarder or route; a pool's permissions label) goes
 * into the `xml` escape hatch. The result is checked before it is printed: it must validate, and
 * rendering it and diffing against the object must find nothing. Specs are built as YNode trees
 * and written by libyaml's emitter (specs/yaml-emit.c); Out only collects the comment lines
 * printed after a document. */

typedef struct Out {
    char *text;
    size_t len, cap;
} Out;

static void out_add(Out *o, const char *s) {
    size_t l = strlen(s);
    if (o->len + l + 1 > o->cap) {
        o->cap = (o->len + l + 1) * 2;
        o->text = xrealloc(o->text, o->cap);
    }
    memcpy(o->text + o->len, s, l + 1);
    o->len += l;
}

_printf_(2, 3) static void out_printf(Out *o, const char *fmt, ...) {
    va_list ap;
    char *s;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    va_end(ap);
    out_add(o, s);
    free(s);
}

static char *size_text(int64_t bytes) {
    char *f = format_size(bytes), *sp = strchr(f, ' ');
    if (sp)
        memmove(sp, sp + 1, strlen(sp));
    return f;
}

/* The spec value for row k from an observed canonical value, or NULL when the key cannot say it
 * (then the caller falls back to the escape hatch). */
static YNode *spec_text(const KeyDef *k, const char *canon) {
    _cleanup_free_ char *v = NULL;
    if (!canon)
        return NULL;
    if (k->type == VT_SIZE || (hook_of(k)->flags & HOOK_SIZE)) {
        char *end;
        long long b = strtoll(canon, &end, 10);
        if (*end || b <= 0)
            return NULL;
        v = size_text(b);
    } else
        v = xstrdup(canon);
    /* the loader's own parser decides */
    YNode n = { .type = YNODE_SCALAR, .value = v,
                .quoted = !(k->type == VT_INT || k->type == VT_BOOL) };
    Value val = {};
    _cleanup_free_ char *msg = NULL;
    if (value_parse(k, &n, &val, &msg) < 0)
        return NULL;
    value_clear(&val);
    if (k->type == VT_INT || k->type == VT_BOOL)
        return ynode_new_plain(v);
    return ynode_new_string(v);   /* plain when YAML reads it back as the same string */
}

/* The canonical value export writes for row k below ctx (the hook's, or observe's), or NULL. */
static char *export_value(const KeyDef *k, const xmlNode *ctx) {
    const HookOps *h = hook_of(k);
    return h->export_value ? h->export_value(k, ctx) : observe_value(k, ctx);
}

/* A list value as observe_value reads it: "a,b" (words of the key's choices) or "\"a\", \"b c\""
 * (strings, with \" and \\ escaped), as a flow sequence. */
static YNode *value_list_node(const KeyDef *k, const char *canon) {
    YNode *seq = ynode_new_seq(true);
    if (k->choices) {
        _cleanup_free_ char *c = xstrdup(canon);
        char *save = NULL;
        for (char *t = strtok_r(c, ",", &save); t; t = strtok_r(NULL, ",", &save))
            ynode_seq_push(seq, ynode_new_plain(t));
        return seq;
    }
    for (const char *p = strchr(canon, '"'); p; p = strchr(p + 1, '"')) {
        _cleanup_free_ char *item = xmalloc0(strlen(p) + 1);
        char *o = item;
        for (p++; *p && *p != '"'; p++)
            *o++ = *p == '\\' && p[1] ? *++p : *p;
        ynode_seq_push(seq, ynode_new_quoted(item));
        if (!*p)
            break;
    }
    return seq;
}

typedef struct Export {
    const char *name;
    xmlNode *root;
    YNode *add, *set;           /* xml.add and xml.set entries */
    Out notes;                  /* comments after the document */
    virConnectPtr conn;
    char **remove;              /* xml.remove: defaults the domain does not have */
    size_t n_remove;
    const char *const *skip;    /* top-level keys not to export (NULL-terminated, or NULL) */
    VolumeRefs created;         /* volumes virtspec created for the domain (its metadata) */
} Export;

/* An element the keys cannot express: appended verbatim (without libvirt's alias). */
static void fallback_add(Export *x, const char *at, const xmlNode *e) {
    xmlNode *copy = xmlCopyNode((xmlNode *) e, 1);
    xmlNode *alias = xml_child(copy, "alias");
    if (alias) {
        xmlUnlinkNode(alias);
        xmlFreeNode(alias);
    }
    _cleanup_free_ char *frag = xml_canonical(copy);
    YNode *item = ynode_seq_push(x->add, ynode_new_map(true));
    ynode_map_put(item, "at", ynode_new_quoted(at));
    ynode_map_put(item, "fragment", ynode_new_quoted(frag));
    xmlFreeNode(copy);
}

/* An attribute (attr non-NULL) or element text no key expresses: xml.set. */
static void export_set(Export *x, const char *at, const char *attr, const char *value) {
    _cleanup_free_ char *path = attr ? xasprintf("%s/@%s", at, attr) : xstrdup(at);
    YNode *e = ynode_seq_push(x->set, ynode_new_map(true));
    ynode_map_put(e, "path", ynode_new_quoted(path));
    ynode_map_put(e, "value", ynode_new_quoted(value));
}

/* A volume named DOMAIN-NAME.FORMAT: disk dname of the pool, attached at its present size. */
static void export_own_volume(Export *x, YNode *o, const char *dname, const char *pool, const char *vol) {
    _cleanup_(virStoragePoolFreep) virStoragePoolPtr p =
        x->conn ? virStoragePoolLookupByName(x->conn, pool) : NULL;
    _cleanup_(virStorageVolFreep) virStorageVolPtr v = p ? virStorageVolLookupByName(p, vol) : NULL;
    virStorageVolInfo vi;
    ynode_map_put(o, "name", ynode_new_quoted(dname));
    ynode_map_put(o, "pool", ynode_new_quoted(pool));
    /* a volume virtspec created for this disk is the disk's own, not an existing one */
    if (!volume_refs_has(&x->created, pool, vol))
        ynode_map_put(o, "existing", ynode_new_plain("true"));
    if (v && virStorageVolGetInfo(v, &vi) == 0) {
        _cleanup_free_ char *sz = size_text((int64_t) vi.capacity);
        ynode_map_put(o, "size", ynode_new_plain(sz));
    }
}

/* The item of a list as a flow map, or NULL when one of its values has no spec form. */
static YNode *list_item(Export *x, const KeyDef *list, const xmlNode *e) {
    const KeyTable *sub = list->sub;
    YNode *o = ynode_new_map(true);

    if (streq(sub->name, "disks")) {
        /* source: a volume named DOMAIN-NAME.FORMAT in a pool, or a host file */
        _cleanup_free_ char *type = xml_get(e, "@type"), *pool = xml_get(e, "source/@pool");
        _cleanup_free_ char *vol = xml_get(e, "source/@volume"), *file = xml_get(e, "source/@file");
        _cleanup_free_ char *fmt = xml_get(e, "driver/@type");
        if (streq_ptr(type, "volume") && pool && vol && fmt) {
            _cleanup_free_ char *dname = render_volume_disk_name(x->name, fmt, vol);
            if ((!dname || !valid_name(dname)) && valid_name(vol)) {
                /* a volume of its own name: attached by `volume`, as it is (no size) */
                free(dname);
                dname = xstrndup(vol, strcspn(vol, "."));
                if (!valid_name(dname)) {
                    free(dname);
                    dname = xstrdup("volume");
                }
                ynode_map_put(o, "name", ynode_new_quoted(dname));
                ynode_map_put(o, "pool", ynode_new_quoted(pool));
                ynode_map_put(o, "volume", ynode_new_quoted(vol));
            } else if (!dname || !valid_name(dname)) {
                ynode_free(o);
                return NULL;
            } else {
                export_own_volume(x, o, dname, pool, vol);
            }
        } else if (streq_ptr(type, "file") && file) {
            const char *slash = strrchr(file, '/');
            _cleanup_free_ char *base = xstrdup(slash ? slash + 1 : file);
            base[strcspn(base, ".")] = 0;
            for (char *c = base; *c; c++)
                if (!valid_name((char[]) { *c, 0 }))
                    *c = '_';
            if (!*base || !valid_name(base)) {
                free(base);
                base = xstrdup("disk");
            }
            ynode_map_put(o, "name", ynode_new_quoted(base));
            ynode_map_put(o, "path", ynode_new_quoted(file));
        } else {
            ynode_free(o);
            return NULL;
        }
    }
    if (streq(sub->name, "cdroms")) {
        /* an ISO file or a pool volume (a NoCloud seed stays the cdrom it is: cdroms[].volume) */
        _cleanup_free_ char *type = xml_get(e, "@type");
        if (!streq_ptr(type, "file") && !streq_ptr(type, "volume")) {
            ynode_free(o);
            return NULL;
        }
    }
    for (size_t r = 0; r < sub->n_keys; r++) {
        const KeyDef *k = &sub->keys[r];
        if (k->flags & KEY_NO_XML)
            continue;
        _cleanup_free_ char *canon = export_value(k, e);
        if (!canon)
            continue;
        if (k->type == VT_BOOL && streq(canon, "false") && !k->def && !strchr(k->xml, '@'))
            continue;   /* an absent flag element */
        if (k->type == VT_ENUM_LIST) {
            ynode_map_put(o, k->key, value_list_node(k, canon));
            continue;
        }
        YNode *t = spec_text(k, canon);
        if (!t) {
            ynode_free(o);
            return NULL;
        }
        ynode_map_put(o, k->key, t);
    }
    return o;
}

static void export_list(Export *x, YNode *o, const KeyDef *k) {
    xmlNode *p = diff_list_parent(x->root, k->sub);
    YNode *items = ynode_new_seq(false);
    for (xmlNode *e = p ? p->children : NULL; e; e = e->next) {
        if (!diff_item_selected(k->sub, e))
            continue;
        YNode *item = list_item(x, k, e);
        if (item)
            ynode_seq_push(items, item);
        else {
            const char *slash = strrchr(k->sub->xml_elem, '/');
            _cleanup_free_ char *at = slash ? xstrndup(k->sub->xml_elem,
                                                        (size_t) (slash - k->sub->xml_elem))
                                            : xstrdup(".");
            fallback_add(x, at, e);
        }
    }
    if (items->n)
        ynode_map_put(o, k->key, items);
    else
        ynode_free(items);
}

/* A VT_ENUM_LIST as a flow list from its observed text. */
static void export_value_list(Export *x, YNode *o, const KeyDef *k) {
    _cleanup_free_ char *canon = export_value(k, x->root);
    if (!canon)
        return;
    ynode_map_put(o, k->key, value_list_node(k, canon));
}

static void export_rows(Export *x, YNode *o, const KeyTable *t, bool top);

static void export_map(Export *x, YNode *o, const KeyDef *k) {
    YNode *inner = ynode_new_map(false);
    export_rows(x, inner, k->sub, false);
    if (inner->n)
        ynode_map_put(o, k->key, inner);
    else
        ynode_free(inner);
}

static bool skipped(const Export *x, const char *key) {
    for (size_t i = 0; x->skip && x->skip[i]; i++)
        if (streq(x->skip[i], key))
            return true;
    return false;
}

static void export_fallback(void *x, const char *at, const xmlNode *e) {
    fallback_add(x, at, e);
}

static void export_rows(Export *x, YNode *o, const KeyTable *t, bool top) {
    const HookExport hx = { .root = x->root, .x = x, .fallback = export_fallback, .text = spec_text };
    for (size_t i = 0; i < t->n_keys; i++) {
        const KeyDef *k = &t->keys[i];
        if ((k->change == CHANGE_NONE && k->type != VT_MAP) || (hook_of(k)->flags & HOOK_NOT_XML) ||
            (k->flags & (KEY_SECRET | KEY_NO_XML)) || (top && skipped(x, k->key)))
            continue;
        if (hook_of(k)->export) {
            hook_of(k)->export(&hx, k, o);
            continue;
        }
        switch (k->type) {
        case VT_MAP:
            export_map(x, o, k);
            continue;
        case VT_LIST:
            export_list(x, o, k);
            continue;
        case VT_ENUM_LIST:
            if (k->xml)
                export_value_list(x, o, k);
            continue;
        default:
            break;
        }
        _cleanup_free_ char *canon = export_value(k, x->root);
        if (!canon)
            continue;
        if (k->type == VT_BOOL && k->xml && !strchr(k->xml, '@') && !k->hook && streq(canon, "false"))
            continue;   /* an absent flag element */
        YNode *v = spec_text(k, canon);
        if (!v) {
            _cleanup_free_ char *esc = text_escape(canon);
            out_printf(&x->notes, "# %s: libvirt has '%s', which the key cannot express\n", k->key,
                       esc);
            continue;
        }
        ynode_map_put(o, k->key, v);
    }
}

/* Elements no key renders, kept through the escape hatch. libvirt's own additions (controllers,
 * the implicit PS/2 inputs, audio, addresses) are left out: libvirt adds them again. */
static void export_leftovers(Export *x) {
    static const char *const top_known[] = {
        "name", "uuid", "title", "description", "metadata", "memory", "currentMemory", "vcpu",
        "os", "features", "cpu", "clock", "devices", "sysinfo", "cputune", "numatune",
        "memoryBacking", "memtune", "launchSecurity", "commandline", "on_poweroff", "on_reboot",
        "on_crash", "resource", "seclabel",
    };
    static const char *const dev_known[] = {
        "emulator", "disk", "controller", "interface", "graphics", "video", "sound", "audio",
        "input", "channel", "tpm", "rng", "watchdog", "memballoon", "serial", "console", "hostdev",
        "redirdev", "redirfilter", "smartcard", "filesystem",
    };
    for (xmlNode *e = x->root->children; e; e = e->next) {
        bool known = e->type != XML_ELEMENT_NODE;
        for (size_t i = 0; i < ELEMENTSOF(top_known) && !known; i++)
            known = streq((const char *) e->name, top_known[i]);
        if (!known)
            fallback_add(x, ".", e);
    }
    xmlNode *devs = xml_child(x->root, "devices");
    for (xmlNode *e = devs ? devs->children : NULL; e; e = e->next) {
        bool known = e->type != XML_ELEMENT_NODE;
        for (size_t i = 0; i < ELEMENTSOF(dev_known) && !known; i++)
            known = streq((const char *) e->name, dev_known[i]);
        if (!known)
            fallback_add(x, "devices", e);
    }
    /* children of elements the keys render, that no key names */
    static const struct { const char *parent; const char *known[12]; } nested[] = {
        { "features", { "kvm", "hyperv", NULL } },
        { "os", { "type", "loader", "nvram", "kernel", "initrd", "cmdline", "dtb", "boot", "smbios",
                  "firmware" /* firmware.secure_boot, enrolled_keys */, NULL } },
        { "cpu", { "topology", "model", "feature", "numa", "vendor", NULL } },
    };
    for (size_t n = 0; n < ELEMENTSOF(nested); n++) {
        xmlNode *p = xml_child(x->root, nested[n].parent);
        const KeyDef *features = key_table_find(&domain_table, "features");
        for (xmlNode *e = p ? p->children : NULL; e; e = e->next) {
            bool known = e->type != XML_ELEMENT_NODE;
            for (size_t i = 0; nested[n].known[i] && !known; i++)
                known = streq((const char *) e->name, nested[n].known[i]);
            for (size_t i = 0; n == 0 && features->choices[i] && !known; i++) {
                /* a feature of the features key, unless it is switched off */
                _cleanup_free_ char *st = xml_get(e, "@state");
                known = streq((const char *) e->name, features->choices[i]) && !streq_ptr(st, "off");
            }
            if (!known)
                fallback_add(x, nested[n].parent, e);
        }
    }
    static const struct { const char *elem, *def; } lifecycle[] = {
        { "on_poweroff", "destroy" }, { "on_reboot", "restart" }, { "on_crash", "destroy" },
    };
    for (size_t i = 0; i < ELEMENTSOF(lifecycle); i++) {
        _cleanup_free_ char *v = xml_get(x->root, lifecycle[i].elem);
        if (v && !streq(v, lifecycle[i].def))
            export_set(x, lifecycle[i].elem, NULL, v);
    }
}

/* Attributes of elements the keys render that no key names (graphics sharePolicy, a network's
 * domain localOnly, …): kept with xml.set. want is the rendering of the spec without them. */
static void export_attributes(Export *x, xmlNode *want, const char *const *units, size_t n_units) {
    static const struct { const char *unit, *attr, *value; } noise[] = {
        { "devices/graphics", "port", "-1" }, { "devices/video/model", "heads", "1" },
        { "devices/video/model", "primary", "yes" },
    };
    for (size_t u = 0; u < n_units; u++) {
        xmlNode *h = xml_find(x->root, units[u]), *w = xml_find(want, units[u]);
        if (!h || !w)
            continue;
        for (xmlAttr *a = h->properties; a; a = a->next) {
            if (a->ns || xmlHasProp(w, a->name))
                continue;
            _cleanup_xmlchar_ xmlChar *v = xmlNodeGetContent((xmlNode *) a);
            bool skip = false;
            for (size_t i = 0; i < ELEMENTSOF(noise) && !skip; i++)
                skip = streq(noise[i].unit, units[u]) && streq(noise[i].attr, (const char *) a->name) &&
                       streq(noise[i].value, (const char *) v);
            if (!skip)
                export_set(x, units[u], (const char *) a->name, (const char *) v);
        }
    }
}

/* The hatch path of a list item of have: by its key's value when the key is one attribute
 * ("devices/interface[mac/@address='52:54:00:aa:00:03']"), else by its position among the
 * elements of its name ("devices/hostdev[2]"): xml paths are evaluated on the domain as libvirt
 * keeps it. */
static char *item_path(const KeyTable *sub, const xmlNode *h) {
    const char *slash = strrchr(sub->xml_elem, '/');
    _cleanup_free_ char *parent = slash ? xstrndup(sub->xml_elem, (size_t) (slash - sub->xml_elem))
                                        : xstrdup(".");
    const KeyDef *key = NULL;
    size_t n_keys = 0;
    for (size_t r = 0; r < sub->n_keys; r++)
        if (sub->keys[r].flags & KEY_ITEM_KEY) {
            key = &sub->keys[r];
            n_keys++;
        }
    const char *at = key && key->xml ? strchr(key->xml, '@') : NULL;
    _cleanup_free_ char *v = n_keys == 1 && at && !key->hook ? xml_get(h, key->xml) : NULL;
    const char *sep = streq(parent, ".") ? "" : "/", *dir = streq(parent, ".") ? "" : parent;
    if (v && *v && !strchr(v, '\'') && !strchr(v, ']')) {
        _cleanup_free_ char *sel = at == key->xml ? xstrdup(key->xml)
                                                  : xstrndup(key->xml, (size_t) (at - key->xml) - 1);
        if (at == key->xml)
            return xasprintf("%s%s%s[%s='%s']", dir, sep, (const char *) h->name, sel, v);
        return xasprintf("%s%s%s[%s/%s='%s']", dir, sep, (const char *) h->name, sel, at, v);
    }
    size_t pos = 1;
    for (const xmlNode *e = h->prev; e; e = e->prev)
        pos += xml_is(e, (const char *) h->name);
    return xasprintf("%s%s%s[%zu]", dir, sep, (const char *) h->name, pos);
}

/* What element h of the domain has below it that w, the rendering of the keys, lacks: its
 * attributes with xml.set, its child elements with xml.add (libvirt's guest addresses and
 * aliases left out: libvirt keeps or makes them). path is h's hatch path. */
static void export_element_leftovers(Export *x, const char *path, const xmlNode *h, const xmlNode *w) {
    for (xmlAttr *a = h->properties; a; a = a->next) {
        if (a->ns || xmlHasProp((xmlNode *) w, a->name))
            continue;
        _cleanup_xmlchar_ xmlChar *v = xmlNodeGetContent((xmlNode *) a);
        export_set(x, path, (const char *) a->name, (const char *) v);
    }
    for (xmlNode *c = h->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || xml_is(c, "alias") || xml_is(c, "address"))
            continue;
        /* its counterpart: the element of that name at the same place among its namesakes */
        size_t pos = 1, total = 0;
        for (const xmlNode *e = c->prev; e; e = e->prev)
            pos += xml_is(e, (const char *) c->name);
        for (const xmlNode *e = h->children; e; e = e->next)
            total += xml_is(e, (const char *) c->name);
        const xmlNode *wc = xml_child(w, (const char *) c->name);
        for (size_t i = 1; wc && i < pos; i++)
            wc = xml_next_named(wc);
        if (!wc) {
            fallback_add(x, path, c);
            continue;
        }
        _cleanup_free_ char *cpath = total > 1 ? xasprintf("%s/%s[%zu]", path, (const char *) c->name, pos)
                                               : xasprintf("%s/%s", path, (const char *) c->name);
        export_element_leftovers(x, cpath, c, wc);
    }
}

/* The items of the domain's lists that their keys express, with what the keys leave out. */
static void export_items(Export *x, const KeyTable *t, xmlNode *want) {
    for (size_t i = 0; i < t->n_keys; i++) {
        const KeyDef *k = &t->keys[i];
        if (k->type != VT_LIST || !k->sub || !k->sub->xml_elem || hook_of(k)->export ||
            (k->flags & KEY_NO_XML) || streq(strrchr(k->sub->xml_elem, '/') ?
                                                  strrchr(k->sub->xml_elem, '/') + 1 : k->sub->xml_elem, "*"))
            continue;
        xmlNode *hp = diff_list_parent(x->root, k->sub), *wp = diff_list_parent(want, k->sub);
        xmlNode *wn = wp ? wp->children : NULL;   /* a list without item key: item by item */
        for (xmlNode *h = hp ? hp->children : NULL; h; h = h->next) {
            if (!diff_item_selected(k->sub, h))
                continue;
            while (wn && !diff_item_selected(k->sub, wn))
                wn = wn->next;
            _cleanup_free_ char *key = diff_item_key(k->sub, h);
            xmlNode *w = key ? diff_find_item(want, k->sub, key) : wn;
            wn = wn ? wn->next : NULL;
            if (!w)
                continue;   /* kept whole through xml.add */
            _cleanup_free_ char *path = item_path(k->sub, h);
            export_element_leftovers(x, path, h, w);
        }
    }
}

/* Renders what the keys say so far (the document doc), to see which attributes of units they
 * leave out. */
static void export_draft_attributes(Export *x, SpecKind kind, const YNode *doc,
                                    const char *const *units, size_t n_units) {
    _cleanup_free_ char *draft = yaml_emit_document(doc, false);
    SpecSet set = {};
    if (draft)
        spec_load_buffer(&set, x->name, draft, strlen(draft));
    if (set.n == 1) {
        RenderOpts ro = {};
        _cleanup_(xmlFreeDocp) xmlDoc *want = NULL;
        if (render_spec(set.specs[0], &ro, &want) == 0) {
            export_attributes(x, xmlDocGetRootElement(want), units, n_units);
            if (kind == KIND_DOMAIN)
                export_items(x, &domain_table, xmlDocGetRootElement(want));
        }
    }
    spec_set_clear(&set);
}

/* The xml key of an exported spec, when anything went into it. */
static void export_hatch(Export *x, YNode *o) {
    if (!x->add->n && !x->set->n && !x->n_remove)
        return;
    YNode *h = ynode_map_put(o, "xml", ynode_new_map(false));
    if (x->n_remove) {
        YNode *rm = ynode_map_put(h, "remove", ynode_new_seq(false));
        for (size_t i = 0; i < x->n_remove; i++)
            ynode_seq_push(rm, ynode_new_quoted(x->remove[i]));
    }
    if (x->add->n)
        ynode_map_put(h, "add", TAKE_PTR(x->add));
    if (x->set->n)
        ynode_map_put(h, "set", TAKE_PTR(x->set));
}

static void export_init(Export *x) {
    x->add = ynode_new_seq(false);
    x->set = ynode_new_seq(false);
}

static void export_clear(Export *x) {
    ynode_free(x->add);
    ynode_free(x->set);
    free(x->notes.text);
    volume_refs_clear(&x->created);
}

/* An exported spec: the document, and comments to print after it. */
typedef struct ExportDoc {
    YNode *doc;
    char *notes;
} ExportDoc;

static void export_doc_clear(ExportDoc *d) {
    ynode_free(d->doc);
    free(d->notes);
    *d = (ExportDoc) {};
}

/* The document's text, with its comments (explicit_start: "---" first). */
static char *export_doc_text(const ExportDoc *d, bool explicit_start) {
    _cleanup_free_ char *y = yaml_emit_document(d->doc, explicit_start);
    if (!y)
        return NULL;
    return xasprintf("%s%s", y, d->notes ? d->notes : "");
}

/* The document's first keys: kind, name, and adopt when virtspec does not own the object. */
static YNode *export_head(SpecKind kind, const char *name, bool owned) {
    YNode *o = ynode_new_map(false);
    ynode_map_put(o, "kind", ynode_new_plain(spec_kind_to_string(kind)));
    ynode_map_put(o, "name", ynode_new_string(name));
    if (!owned)
        ynode_map_put(o, "adopt", ynode_new_plain("true"));
    return o;
}

/* The rows of a kind's table but its name row (written by export_head). */
static KeyTable rows_after_name(SpecKind kind) {
    KeyTable rest = *spec_kind_table(kind);
    rest.keys++;
    rest.n_keys--;
    return rest;
}

/* The spec for one domain; remove: paths of defaults to take out again. */
static ExportDoc export_domain_spec(const char *name, xmlDoc *doc, virConnectPtr conn, int autostart,
                                    const char *state, char **remove, size_t n_remove) {
    Export x = { .name = name, .root = xmlDocGetRootElement(doc), .conn = conn, .remove = remove,
                 .n_remove = n_remove };
    export_init(&x);
    YNode *o = export_head(KIND_DOMAIN, name, observe_owned(doc));
    VolumeRefs refs = {};
    observe_volume_refs(doc, &refs);
    x.created = refs;
    if (refs.delete_on_removal)   /* only in virtspec's metadata */
        ynode_map_put(o, "delete_volumes_on_removal", ynode_new_plain("true"));
    KeyTable rest = rows_after_name(KIND_DOMAIN);
    export_rows(&x, o, &rest, true);
    export_leftovers(&x);
    static const char *const units[] = {
        "devices/graphics", "devices/video/model", "devices/sound", "devices/tpm", "devices/rng",
        "devices/watchdog", "devices/memballoon", "clock", "numatune/memory",
    };
    export_draft_attributes(&x, KIND_DOMAIN, o, units, ELEMENTSOF(units));
    export_hatch(&x, o);
    if (autostart >= 0)
        ynode_map_put(o, "autostart", ynode_new_plain(autostart ? "true" : "false"));
    if (state)
        ynode_map_put(o, "state", ynode_new_plain(state));
    ExportDoc d = { .doc = o, .notes = TAKE_PTR(x.notes.text) };
    export_clear(&x);
    return d;
}

/* The shortest prefix of path (element steps, then @attr) that root does not have. */
static char *absent_prefix(const xmlNode *root, const char *path) {
    for (const char *p = strchr(path, '/'); p; p = strchr(p + 1, '/')) {
        _cleanup_free_ char *pre = xstrndup(path, (size_t) (p - path));
        if (!xml_find(root, pre))
            return TAKE_PTR(pre);
    }
    return xstrdup(path);
}

/* Loads the exported text, renders it and diffs it against the domain: 0 when nothing would
 * change. Otherwise, with fix, the paths of values only the rendering has (defaults the domain
 * lacks) are added to *remove and a positive count returned; without fix the differing paths are
 * printed. */
static int export_check(SpecKind kind, const char *name, const char *text, xmlDoc *have,
                        bool host_kvm, bool fix, char ***remove, size_t *n_remove) {
    SpecSet set = {};
    spec_load_buffer(&set, name, text, strlen(text));
    if (set.n != 1 || set.diags.n_errors > 0) {
        fprintf(stderr, "virtspec: the spec exported for %s %s does not validate:\n",
                spec_kind_to_string(kind), name);
        diag_list_print(&set.diags, stderr);
        spec_set_clear(&set);
        return -EINVAL;
    }
    RenderOpts ro = { .host_kvm = host_kvm, .show_secrets = true };
    _cleanup_(xmlFreeDocp) xmlDoc *want = NULL;
    render_spec(set.specs[0], &ro, &want);
    /* what the exported spec itself would manage from now on (pools: every key they have) */
    _cleanup_free_ char *managed = kind == KIND_POOL ? render_managed_keys(set.specs[0])
                                                     : observe_managed(have);
    Diff d;
    diff_compute(kind, want, have, managed, &d);
    int n = 0;
    for (size_t i = 0; i < d.n; i++) {
        const Change *c = &d.items[i];
        if (c->op == OP_UNMANAGED)
            continue;
        n++;
        if (fix) {
            /* a default the domain does not have: rendered at a plain path, absent in libvirt */
            const KeyDef *k = c->row;
            if (c->op == OP_SET && !c->list && !c->old_value && k && k->xml &&
                (!k->hook || (hook_of(k)->flags & HOOK_RENDERS_PATH)) && k->xml[0] != '@' &&
                !strchr(k->xml, '[')) {
                /* the outermost element the domain lacks goes, not the attribute alone: without
                 * video, "devices/video", never a <video><model/></video> libvirt's schema
                 * refuses */
                _cleanup_free_ char *path = absent_prefix(xmlDocGetRootElement(have), k->xml);
                bool dup = false;
                for (size_t j = 0; j < *n_remove && !dup; j++)
                    dup = streq((*remove)[j], path);
                if (!dup)
                    *(char **) array_push(remove, n_remove, sizeof(char *)) = TAKE_PTR(path);
            }
            continue;
        }
        fprintf(stderr, "virtspec: export of %s: %s would change: %s → %s\n", name, c->path,
                c->old_value ? c->old_value : "(unset)", c->new_value ? c->new_value : "(unset)");
    }
    diff_clear(&d);
    spec_set_clear(&set);
    return n;
}

/* Children of parent that no key renders, kept through the escape hatch (known: the names the
 * keys render, NULL-terminated). */
static void export_children(Export *x, const char *parent, const char *const *known) {
    xmlNode *p = streq(parent, ".") ? x->root : xml_find(x->root, parent);
    for (xmlNode *e = p ? p->children : NULL; e; e = e->next) {
        bool k = e->type != XML_ELEMENT_NODE;
        for (size_t i = 0; known[i] && !k; i++)
            k = streq((const char *) e->name, known[i]);
        if (!k)
            fallback_add(x, parent, e);
    }
}

/* The extras of a network's <ip> elements (localPtr, an IPv6 DHCP range, DHCP options the keys
 * leave out): the IPv4 one at "ip" when it comes first (the path names the first), the IPv6 one
 * at "ip[@family='ipv6']". */
static void export_network_ip(Export *x) {
    static const char *const v4[] = { "dhcp", "tftp", NULL }, *const v6[] = { NULL };
    static const char *const dhcp[] = { "range", "host", "bootp", NULL };
    static const char *const attrs[] = { "address", "prefix", "netmask", "family" };
    bool first = true;
    for (xmlNode *ip = xml_child(x->root, "ip"); ip; ip = xml_next_named(ip), first = false) {
        _cleanup_free_ char *fam = xml_get(ip, "@family");
        bool six = streq_ptr(fam, "ipv6");
        if (!six && !first)
            continue;   /* a second IPv4 address: no key, no path of its own */
        const char *path = six ? "ip[@family='ipv6']" : "ip";
        export_children(x, path, six ? v6 : v4);
        if (!six)
            export_children(x, "ip/dhcp", dhcp);
        for (xmlAttr *a = ip->properties; a; a = a->next) {
            bool known = false;
            for (size_t i = 0; i < ELEMENTSOF(attrs) && !known; i++)
                known = streq((const char *) a->name, attrs[i]);
            _cleanup_xmlchar_ xmlChar *v = xmlNodeGetContent((xmlNode *) a);
            if (!known)
                export_set(x, path, (const char *) a->name, (const char *) v);
        }
    }
}

/* A network's leftovers: elements no key renders (routes, port isolation, port groups, DNS
 * forwarders, TXT and SRV records, NAT port ranges), the DNS server's switches, and attributes
 * of the elements the keys render. */
static void export_network_leftovers(Export *x, const YNode *body) {
    static const char *const top[] = {
        "name", "uuid", "metadata", "forward", "bridge", "mac", "ip", "mtu", "domain", "dns", NULL,
    };
    static const char *const dns[] = { "host", NULL };
    export_children(x, ".", top);
    export_children(x, "dns", dns);
    xmlNode *d = xml_child(x->root, "dns");
    for (xmlAttr *a = d ? d->properties : NULL; a; a = a->next) {
        _cleanup_xmlchar_ xmlChar *v = xmlNodeGetContent((xmlNode *) a);
        export_set(x, "dns", (const char *) a->name, (const char *) v);
    }
    /* forward's children, but the <interface> libvirt writes for forward_dev */
    _cleanup_free_ char *dev = xml_get(x->root, "forward/@dev");
    xmlNode *f = xml_child(x->root, "forward");
    for (xmlNode *e = f ? f->children : NULL; e; e = e->next) {
        _cleanup_free_ char *idev = e->type == XML_ELEMENT_NODE ? xml_get(e, "@dev") : NULL;
        if (e->type == XML_ELEMENT_NODE && !(xml_is(e, "interface") && streq_ptr(idev, dev)))
            fallback_add(x, "forward", e);
    }
    export_network_ip(x);
    static const char *const units[] = { "domain", "bridge", "forward" };
    export_draft_attributes(x, KIND_NETWORK, body, units, ELEMENTSOF(units));
}

/* A pool's leftovers: elements below the root, target, its permissions and source that no key
 * renders (copy-on-write features, a permissions label, a netfs protocol version…). */
static void export_pool_leftovers(Export *x) {
    static const char *const top[] = {
        "name", "uuid", "capacity", "allocation", "available", "source", "target", NULL,
    };
    static const char *const target[] = { "path", "permissions", NULL };
    static const char *const perms[] = { "mode", "owner", "group", NULL };
    static const char *const source[] = { "host", "dir", "format", "device", "name", NULL };
    export_children(x, ".", top);
    export_children(x, "target", target);
    export_children(x, "target/permissions", perms);
    export_children(x, "source", source);
}

/* Networks and pools: keys where they exist, the escape hatch for the rest. */
static ExportDoc export_plain_spec(SpecKind kind, const char *name, xmlDoc *doc, bool owned,
                                   int autostart, char **remove, size_t n_remove) {
    /* what libvirt fills in for a pool type that the keys only take for other types: a logical
     * pool's path (/dev/VG) and source format (lvm2) */
    static const char *const pool_not_logical[] = { "path", "format", NULL };
    static const char *const pool_not_dir[] = { "format", NULL };
    Export x = { .name = name, .root = xmlDocGetRootElement(doc), .remove = remove,
                 .n_remove = n_remove };
    export_init(&x);
    if (kind == KIND_POOL) {
        _cleanup_free_ char *type = xml_get(x.root, "@type");
        x.skip = streq_ptr(type, "logical") ? pool_not_logical
                 : streq_ptr(type, "dir")   ? pool_not_dir
                                            : NULL;
    }
    YNode *o = export_head(kind, name, owned);
    KeyTable rest = rows_after_name(kind);
    export_rows(&x, o, &rest, true);
    if (kind == KIND_NETWORK)
        export_network_leftovers(&x, o);
    else
        export_pool_leftovers(&x);
    export_hatch(&x, o);
    if (autostart >= 0)
        ynode_map_put(o, "autostart", ynode_new_plain(autostart ? "true" : "false"));
    ExportDoc d = { .doc = o, .notes = TAKE_PTR(x.notes.text) };
    export_clear(&x);
    return d;
}

/* What one export is made from. */
typedef struct ExportIn {
    SpecKind kind;
    const char *name;
    xmlDoc *doc;
    virConnectPtr conn;
    bool owned, kvm;
    int autostart;
    const char *state;
} ExportIn;

static ExportDoc export_text(const ExportIn *in, char **remove, size_t n_remove) {
    return in->kind == KIND_DOMAIN
               ? export_domain_spec(in->name, in->doc, in->conn, in->autostart, in->state, remove,
                                    n_remove)
               : export_plain_spec(in->kind, in->name, in->doc, in->owned, in->autostart, remove,
                                   n_remove);
}

/* The spec; defaults of the tables the object does not have go out again through
 * xml.remove. */
static ExportDoc export_checked(const ExportIn *in) {
    char **remove = NULL;
    size_t n_remove = 0;
    ExportDoc d = export_text(in, NULL, 0);
    _cleanup_free_ char *text = export_doc_text(&d, false);
    if (text && export_check(in->kind, in->name, text, in->doc, in->kvm, true, &remove, &n_remove) > 0 &&
        n_remove > 0) {
        export_doc_clear(&d);
        d = export_text(in, remove, n_remove);
    }
    for (size_t j = 0; j < n_remove; j++)
        free(remove[j]);
    free(remove);
    return d;
}

static ExportDoc export_network(virConnectPtr conn, const char *name, xmlDoc **ret) {
    _cleanup_(virNetworkFreep) virNetworkPtr net = virNetworkLookupByName(conn, name);
    if (!net)
        return (ExportDoc) {};
    char *xml = virNetworkGetXMLDesc(net, VIR_NETWORK_XML_INACTIVE);
    *ret = xml ? xml_parse(xml) : NULL;
    free(xml);
    if (!*ret)
        return (ExportDoc) {};
    int autostart = -1;
    if (virNetworkGetAutostart(net, &autostart) < 0)
        autostart = -1;
    return export_checked(&(ExportIn) { .kind = KIND_NETWORK, .name = name, .doc = *ret,
                                        .owned = observe_owned(*ret), .autostart = autostart });
}

static ExportDoc export_pool(virConnectPtr conn, const char *state_dir, const char *name,
                             xmlDoc **ret) {
    _cleanup_(virStoragePoolFreep) virStoragePoolPtr pool = virStoragePoolLookupByName(conn, name);
    if (!pool)
        return (ExportDoc) {};
    char *xml = virStoragePoolGetXMLDesc(pool, VIR_STORAGE_XML_INACTIVE);
    *ret = xml ? xml_parse(xml) : NULL;
    free(xml);
    if (!*ret)
        return (ExportDoc) {};
    int autostart = -1;
    if (virStoragePoolGetAutostart(pool, &autostart) < 0)
        autostart = -1;
    /* pools carry no metadata: ownership is the marker file the executor writes */
    _cleanup_free_ char *marker = xasprintf("%s/pools/%s", state_dir, name);
    return export_checked(&(ExportIn) { .kind = KIND_POOL, .name = name, .doc = *ret,
                                        .owned = access(marker, F_OK) == 0, .autostart = autostart });
}

/* Whether the domain's graphics has a password (read with VIR_DOMAIN_XML_SECURE, wiped at once). */
static bool has_display_password(virConnectPtr conn, const char *name) {
    _cleanup_(virDomainFreep) virDomainPtr dom = virDomainLookupByName(conn, name);
    char *xml = dom ? virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE) : NULL;
    if (!xml)
        return false;
    _cleanup_(xmlFreeDocp) xmlDoc *doc = xml_parse(xml);
    explicit_bzero(xml, strlen(xml));
    free(xml);
    xmlNode *devs = doc ? xml_child(xmlDocGetRootElement(doc), "devices") : NULL;
    for (xmlNode *g = devs ? devs->children : NULL; g; g = g->next)
        if (g->type == XML_ELEMENT_NODE && streq((const char *) g->name, "graphics") &&
            xmlHasProp(g, (const xmlChar *) "passwd"))
            return true;
    return false;
}

/* The spec text for domain name and its definition in *ret, or NULL when there is no such
 * domain (or it cannot be read: then *failed). */
static ExportDoc export_domain(virConnectPtr conn, const char *name, xmlDoc **ret, bool *failed) {
    _cleanup_(virDomainFreep) virDomainPtr dom = virDomainLookupByName(conn, name);
    if (!dom)
        return (ExportDoc) {};
    /* without VIR_DOMAIN_XML_SECURE: a graphics password stays out of the spec */
    char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    *ret = xml ? xml_parse(xml) : NULL;
    free(xml);
    if (!*ret) {
        fprintf(stderr, "virtspec: reading %s: %s\n", name, virt_error_message());
        *failed = true;
        return (ExportDoc) {};
    }
    xmlDoc *doc = *ret;
    int autostart = -1, st = 0, reason;
    if (virDomainGetAutostart(dom, &autostart) < 0)
        autostart = -1;
    const char *state = NULL;
    if (virDomainGetState(dom, &st, &reason, 0) == 0)
        state = st == VIR_DOMAIN_RUNNING || st == VIR_DOMAIN_BLOCKED ? "running"
                : st == VIR_DOMAIN_PAUSED                             ? "paused"
                                                                      : "shutoff";
    _cleanup_free_ char *type = xml_get(xmlDocGetRootElement(doc), "@type");
    return export_checked(&(ExportIn) { .kind = KIND_DOMAIN, .name = name, .doc = doc, .conn = conn,
                                        .kvm = streq_ptr(type, "kvm"), .autostart = autostart,
                                        .state = state });
}

/* NAME, or KIND/NAME (domain/, network/, pool/) when the same name is used by several kinds;
 * a bare name exports every object of that name. */
int cmd_export(const CliOpts *o) {
    _cleanup_(virConnectClosep) virConnectPtr conn = NULL;
    int ret = 0;
    size_t n_out = 0;
    _cleanup_(export_templates_clear) ExportTemplates et = {};   /* --templates: printed at the end */

    if (o->n_paths == 0) {
        fprintf(stderr, "virtspec: export needs at least one name\n");
        return 1;
    }
    const char *uri = virt_default_uri(o->connect);
    if (virt_open(uri, &conn) < 0) {
        fprintf(stderr, "virtspec: cannot connect to %s: %s\n", uri, virt_error_message());
        return 1;
    }
    const char *state_dir = paths_default()->state_dir;
    for (size_t i = 0; i < o->n_paths; i++) {
        const char *arg = o->paths[i], *slash = strchr(arg, '/');
        const char *name = slash ? slash + 1 : arg;
        _cleanup_free_ char *want_kind = slash ? xstrndup(arg, (size_t) (slash - arg)) : NULL;
        if (want_kind && !streq(want_kind, "domain") && !streq(want_kind, "network") &&
            !streq(want_kind, "pool")) {
            fprintf(stderr, "virtspec: %s: the kind is domain, network or pool\n", arg);
            ret = 1;
            continue;
        }
        size_t found = 0;
        for (SpecKind kind = 0; kind < _KIND_MAX; kind++) {
            if (want_kind && strcasecmp(want_kind, spec_kind_to_string(kind)) != 0)
                continue;
            _cleanup_(xmlFreeDocp) xmlDoc *doc = NULL;
            bool failed = false;
            _cleanup_(export_doc_clear) ExportDoc d =
                kind == KIND_DOMAIN    ? export_domain(conn, name, &doc, &failed)
                : kind == KIND_NETWORK ? export_network(conn, name, &doc)
                                       : export_pool(conn, state_dir, name, &doc);
            if (failed)
                ret = 1;
            if (!d.doc)
                continue;
            found++;
            bool kvm = false;
            if (kind == KIND_DOMAIN) {
                _cleanup_free_ char *type = xml_get(xmlDocGetRootElement(doc), "@type");
                kvm = streq_ptr(type, "kvm");
            }
            _cleanup_free_ char *check = export_doc_text(&d, false);
            _cleanup_free_ char *text = export_doc_text(&d, n_out++ > 0);
            if (!check || !text) {
                fprintf(stderr, "virtspec: %s: the YAML emitter failed\n", name);
                ret = 1;
                continue;
            }
            if (export_check(kind, name, check, doc, kvm, false, NULL, NULL) != 0)
                ret = 1;
            if (o->templates)
                export_templates_add(&et, kind == KIND_DOMAIN, TAKE_PTR(d.doc), TAKE_PTR(d.notes));
            else
                fputs(text, stdout);
            if (kind == KIND_DOMAIN && has_display_password(conn, name)) {
                static const char note[] = "# the display password is not exported: add "
                                           "graphics.passwd_file, or applying this spec removes it\n";
                if (o->templates)
                    export_templates_note(&et, note);
                else
                    fputs(note, stdout);
                fprintf(stderr, "virtspec: %s has a display password, which is not exported: add "
                        "graphics.passwd_file to its spec, or applying it removes the password\n",
                        name);
            }
        }
        if (!found) {
            fprintf(stderr, "virtspec: no %s '%s'\n", want_kind ? want_kind : "domain, network or pool",
                    name);
            ret = 1;
        }
    }
    if (o->templates && export_templates_print(&et, o->templates, stdout) < 0)
        ret = 1;
    return fflush(stdout) == 0 && !ferror(stdout) ? ret : 1;
}
