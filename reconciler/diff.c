/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "diff.h"
#include "render.h"
#include "spec-value.h"
#include "xml-util.h"

void diff_clear(Diff *d) {
    for (size_t i = 0; i < d->n; i++) {
        Change *c = &d->items[i];
        free(c->path);
        free(c->old_value);
        free(c->new_value);
        free(c->item_key);
    }
    free(d->items);
    *d = (Diff) {};
}

bool diff_has_class(const Diff *d, ChangeClass cls) {
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].op != OP_UNMANAGED && d->items[i].cls == cls)
            return true;
    return false;
}

size_t diff_count_effective(const Diff *d) {
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++)
        n += d->items[i].op != OP_UNMANAGED;
    return n;
}

static bool managed_has(const char *managed, const char *tok) {
    size_t l = strlen(tok);
    for (const char *p = managed; p && *p;) {
        size_t w = strcspn(p, " ");
        if (w == l && !strncmp(p, tok, l))
            return true;
        p += w;
        p += strspn(p, " ");
    }
    return false;
}

/* libvirt expands "pc" to "pc-i440fx-7.2" and "q35" to "pc-q35-7.2". */
static bool machine_equal(const char *want, const char *have) {
    if (streq(want, have))
        return true;
    if (streq(want, "pc"))
        return !strncmp(have, "pc-i440fx-", 10);
    if (streq(want, "q35"))
        return !strncmp(have, "pc-q35-", 7);
    return false;
}

static bool values_equal(const KeyDef *k, const char *want, const char *have) {
    if (!want || !have)
        return want == have;
    if (k->hook == HOOK_MACHINE)
        return machine_equal(want, have);
    return streq(want, have);
}

static char *display(const KeyDef *k, const char *v) {
    if (!v)
        return NULL;
    if (k->flags & KEY_SECRET)
        return xstrdup("(secret)");
    if (k->type == VT_SIZE || k->hook == HOOK_MEMORY || k->hook == HOOK_MAX_MEMORY) {
        char *end;
        long long b = strtoll(v, &end, 10);
        if (!*end)
            return format_size(b);
    }
    return xstrdup(v);
}

static Change *add_change(Diff *d, ChangeOp op, ChangeClass cls, const char *path) {
    Change *c = array_push(&d->items, &d->n, sizeof(Change));
    c->op = op;
    c->cls = cls;
    c->path = xstrdup(path);
    return c;
}

typedef struct DiffCtx {
    SpecKind kind;
    const char *managed;
    Diff *out;
} DiffCtx;

static void diff_rows(DiffCtx *c, const KeyTable *t, const xmlNode *want, const xmlNode *have,
                      const char *prefix, const KeyDef *list, const char *item_key);

static char *item_key_of(const KeyTable *sub, const xmlNode *e) {
    char *acc = NULL;
    for (size_t r = 0; r < sub->n_keys; r++) {
        const KeyDef *k = &sub->keys[r];
        if (!(k->flags & KEY_ITEM_KEY))
            continue;
        _cleanup_free_ char *v = observe_value(k, e);
        char *n = acc ? xasprintf("%s,%s", acc, strna(v)) : xstrdup(strna(v));
        free(acc);
        acc = n;
    }
    return acc;
}

/* Elements of a list below root: "devices/disk" with match "device=disk". */
static bool item_selected(const KeyTable *sub, const xmlNode *e) {
    if (!xml_is(e, strrchr(sub->xml_elem, '/') ? strrchr(sub->xml_elem, '/') + 1 : sub->xml_elem))
        return false;
    if (sub->xml_match) {
        const char *eq = strchr(sub->xml_match, '=');
        _cleanup_free_ char *attr = xstrndup(sub->xml_match, (size_t) (eq - sub->xml_match));
        _cleanup_xmlchar_ xmlChar *v = xmlGetProp(e, (const xmlChar *) attr);
        if (!v || !streq((char *) v, eq + 1))
            return false;
    }
    if (streq(sub->name, "channels") && is_guest_agent_channel(e))
        return false;   /* managed by the guest_agent key */
    return true;
}

static xmlNode *list_parent(const xmlNode *root, const KeyTable *sub) {
    const char *slash = strrchr(sub->xml_elem, '/');
    if (!slash)
        return (xmlNode *) root;
    _cleanup_free_ char *p = xstrndup(sub->xml_elem, (size_t) (slash - sub->xml_elem));
    return xml_find(root, p);
}

static void diff_list(DiffCtx *c, const KeyDef *k, const xmlNode *want, const xmlNode *have,
                      const char *path) {
    const KeyTable *sub = k->sub;
    xmlNode *wp = list_parent(want, sub), *hp = have ? list_parent(have, sub) : NULL;

    /* desired items, in spec order */
    for (xmlNode *w = wp ? wp->children : NULL; w; w = w->next) {
        if (!item_selected(sub, w))
            continue;
        _cleanup_free_ char *key = item_key_of(sub, w);
        xmlNode *match = NULL;
        for (xmlNode *h = hp ? hp->children : NULL; h && !match; h = h->next) {
            if (!item_selected(sub, h))
                continue;
            _cleanup_free_ char *hk = item_key_of(sub, h);
            if (streq(hk, key))
                match = h;
        }
        _cleanup_free_ char *ipath = xasprintf("%s[%s]", path, key);
        if (!match) {
            Change *ch = add_change(c->out, OP_ADD, k->change, ipath);
            ch->row = k;
            ch->list = k;
            ch->item_key = xstrdup(key);
            continue;
        }
        diff_rows(c, sub, w, match, ipath, k, key);
    }
    /* observed items not in the spec: removed if virtspec managed them, else left alone */
    for (xmlNode *h = hp ? hp->children : NULL; h; h = h->next) {
        if (!item_selected(sub, h))
            continue;
        _cleanup_free_ char *hk = item_key_of(sub, h);
        bool wanted = false;
        for (xmlNode *w = wp ? wp->children : NULL; w && !wanted; w = w->next) {
            if (!item_selected(sub, w))
                continue;
            _cleanup_free_ char *key = item_key_of(sub, w);
            wanted = streq(key, hk);
        }
        if (wanted)
            continue;
        _cleanup_free_ char *tok = xasprintf("%s:%s", path, hk);
        _cleanup_free_ char *ipath = xasprintf("%s[%s]", path, hk);
        bool ours = managed_has(c->managed, tok);
        if (!ours && !(streq(sub->name, "disks") || streq(sub->name, "cdroms") ||
                       streq(sub->name, "interfaces")))
            continue;   /* e.g. the implicit PS/2 inputs, libvirt's own channels */
        Change *ch = add_change(c->out, ours ? OP_REMOVE : OP_UNMANAGED, k->change, ipath);
        ch->row = k;
        ch->list = k;
        ch->item_key = xstrdup(hk);
    }
}

static void diff_rows(DiffCtx *c, const KeyTable *t, const xmlNode *want, const xmlNode *have,
                      const char *prefix, const KeyDef *list, const char *item_key) {
    for (size_t i = 0; i < t->n_keys; i++) {
        const KeyDef *k = &t->keys[i];
        _cleanup_free_ char *path = prefix ? xasprintf("%s.%s", prefix, k->key)
                                           : xstrdup(k->key);
        if (k->type == VT_MAP) {
            diff_rows(c, k->sub, want, have, path, NULL, NULL);
            continue;
        }
        if (k->type == VT_LIST) {
            diff_list(c, k, want, have, path);
            continue;
        }
        if (k->change == CHANGE_NONE || k->hook == HOOK_API)
            continue;
        _cleanup_free_ char *w = observe_value(k, want);
        _cleanup_free_ char *h = have ? observe_value(k, have) : NULL;
        /* A field is compared when the spec sets it, or when virtspec set it before (then it is
         * brought back to libvirt's default). List items are compared on all their fields. */
        if (!w && !list && !managed_has(c->managed, path))
            continue;
        if (!w && list && (k->flags & KEY_WHEN_SET))
            continue;
        if (values_equal(k, w, h))
            continue;
        Change *ch = add_change(c->out, OP_SET, k->change, path);
        ch->row = k;
        ch->list = list;
        ch->item_key = xstrdup(item_key);
        ch->secret = k->flags & KEY_SECRET;
        ch->old_value = display(k, h);
        ch->new_value = display(k, w);
    }
}

void diff_compute(SpecKind kind, xmlDoc *desired, xmlDoc *observed, const char *managed_before,
                  Diff *ret) {
    DiffCtx c = { .kind = kind, .managed = managed_before, .out = ret };
    *ret = (Diff) {};
    diff_rows(&c, spec_kind_table(kind), xmlDocGetRootElement(desired),
              observed ? xmlDocGetRootElement(observed) : NULL, NULL, NULL, NULL);
}

/* ---- patch ---- */

/* The element a change replaces as a whole: "devices/tpm", "cpu", "memory", "os/type". */
static char *unit_of(const KeyDef *k) {
    const char *x = k->xml;
    if (!x || x[0] == '@')
        return NULL;
    if (k->hook == HOOK_NESTED)
        return xstrdup("cpu");
    size_t first = strcspn(x, "/@[");
    if (!strncmp(x, "devices/", 8) || !strncmp(x, "os/", 3) || !strncmp(x, "ip/", 3)) {
        size_t second = strcspn(x + first + 1, "/@[");
        return xstrndup(x, first + 1 + second);
    }
    return xstrndup(x, first);
}

static void replace_unit(xmlNode *want, xmlNode *have, const char *unit) {
    const char *slash = strrchr(unit, '/');
    _cleanup_free_ char *ppath = slash ? xstrndup(unit, (size_t) (slash - unit)) : xstrdup("");
    const char *name = slash ? slash + 1 : unit;
    xmlNode *wp = *ppath ? xml_find(want, ppath) : want;
    xmlNode *hp = *ppath ? xml_find(have, ppath) : have;

    if (!hp) {
        if (!wp)
            return;
        hp = xml_ensure(have, ppath, false);
    }
    for (xmlNode *c = hp->children, *next; c; c = next) {
        next = c->next;
        if (xml_is(c, name) && !(streq(name, "channel") && is_guest_agent_channel(c))) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
    }
    for (xmlNode *c = wp ? wp->children : NULL; c; c = c->next)
        if (xml_is(c, name) && !(streq(name, "channel") && is_guest_agent_channel(c)))
            xml_adopt_copy(hp, c);
}

static xmlNode *find_item(xmlNode *root, const KeyTable *sub, const char *key) {
    xmlNode *p = list_parent(root, sub);
    for (xmlNode *e = p ? p->children : NULL; e; e = e->next) {
        if (!item_selected(sub, e))
            continue;
        _cleanup_free_ char *k = item_key_of(sub, e);
        if (streq(k, key))
            return e;
    }
    return NULL;
}

static void patch_guest_agent(xmlNode *want, xmlNode *have) {
    xmlNode *hd = xml_ensure(have, "devices", false), *wd = xml_child(want, "devices");
    for (xmlNode *c = hd->children, *next; c; c = next) {
        next = c->next;
        if (xml_is(c, "channel") && is_guest_agent_channel(c)) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
    }
    for (xmlNode *c = wd ? wd->children : NULL; c; c = c->next)
        if (xml_is(c, "channel") && is_guest_agent_channel(c))
            xml_adopt_copy(hd, c);
}

/* A new machine type or architecture has other buses: drop every guest address and the
 * controllers, and let libvirt lay the machine out again. */
static void strip_addressing(xmlNode *root) {
    xmlNode *devs = xml_child(root, "devices");
    for (xmlNode *dev = devs ? devs->children : NULL, *next; dev; dev = next) {
        next = dev->next;
        if (xml_is(dev, "controller")) {
            xmlUnlinkNode(dev);
            xmlFreeNode(dev);
            continue;
        }
        xmlNode *a = xml_child(dev, "address");
        if (a) {
            xmlUnlinkNode(a);
            xmlFreeNode(a);
        }
    }
}

void diff_patch(SpecKind kind, const Diff *d, xmlDoc *desired, xmlDoc *observed) {
    xmlNode *want = xmlDocGetRootElement(desired), *have = xmlDocGetRootElement(observed);
    char **done = NULL;
    size_t n_done = 0;

    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].op == OP_SET && !d->items[i].list && d->items[i].row &&
            (d->items[i].row->flags & KEY_READDRESS))
            strip_addressing(have);

    for (size_t i = 0; i < d->n; i++) {
        const Change *c = &d->items[i];
        if (c->op == OP_UNMANAGED)
            continue;
        if (c->list) {
            /* one device: replace (or add, or remove) the element, keeping libvirt's additions */
            const KeyTable *sub = c->list->sub;
            bool seen = false;
            for (size_t j = 0; j < n_done; j++)
                seen = seen || streq(done[j], c->item_key);
            if (seen)
                continue;
            *(char **) array_push(&done, &n_done, sizeof(char *)) = xstrdup(c->item_key);
            xmlNode *h = find_item(have, sub, c->item_key);
            xmlNode *w = find_item(want, sub, c->item_key);
            if (c->op == OP_REMOVE || !w) {
                if (h) {
                    xmlUnlinkNode(h);
                    xmlFreeNode(h);
                }
                continue;
            }
            xmlNode *copy = xmlDocCopyNode(w, observed, 1);
            if (h) {
                /* Keep the guest address and alias unless the bus changed: a PCI address
                 * does not fit a SCSI disk. */
                bool readdress = false;
                for (size_t j = 0; j < d->n; j++)
                    if (d->items[j].list == c->list && streq_ptr(d->items[j].item_key, c->item_key) &&
                        d->items[j].row && (d->items[j].row->flags & KEY_READDRESS))
                        readdress = true;
                static const char *const keep[] = { "alias", "address" };
                for (size_t j = 0; j < ELEMENTSOF(keep); j++) {
                    xmlNode *old = xml_child(h, keep[j]);
                    if (old && !(readdress && streq(keep[j], "address")))
                        xml_adopt_copy(copy, old);
                }
                xmlReplaceNode(h, copy);
                xmlFreeNode(h);
            } else {
                const char *slash = strrchr(sub->xml_elem, '/');
                _cleanup_free_ char *pp = xstrndup(sub->xml_elem, (size_t) (slash - sub->xml_elem));
                xmlNode *p = xml_ensure(have, pp, false);
                xmlFreeNode(copy);
                xml_adopt_copy(p, w);
            }
            continue;
        }
        const KeyDef *k = c->row;
        if (k->hook == HOOK_DOMAIN_TYPE) {
            _cleanup_xmlchar_ xmlChar *t = xmlGetProp(want, (const xmlChar *) "type");
            xmlSetProp(have, (const xmlChar *) "type", t);
            continue;
        }
        if (k->hook == HOOK_GUEST_AGENT) {
            patch_guest_agent(want, have);
            continue;
        }
        if (k->xml && k->xml[0] == '@') {
            _cleanup_free_ char *v = xml_get(want, k->xml);
            if (v)
                xml_set(have, k->xml, v);
            else
                xml_unset(have, k->xml);
            continue;
        }
        _cleanup_free_ char *unit = unit_of(k);
        if (!unit)
            continue;
        bool seen = false;
        for (size_t j = 0; j < n_done; j++)
            seen = seen || streq(done[j], unit);
        if (seen)
            continue;
        *(char **) array_push(&done, &n_done, sizeof(char *)) = xstrdup(unit);
        replace_unit(want, have, unit);
        if (k->hook == HOOK_MEMORY || k->hook == HOOK_MAX_MEMORY) {
            /* memory and currentMemory move together: libvirt refuses current > max */
            replace_unit(want, have, k->hook == HOOK_MEMORY ? "memory" : "currentMemory");
        }
    }
    for (size_t j = 0; j < n_done; j++)
        free(done[j]);
    free(done);
}
