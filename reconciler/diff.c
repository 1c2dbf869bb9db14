/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "diff.h"
#include "hooks.h"
#include "spec-value.h"
#include "xml-util.h"

/* A space-separated managed-key list, split once per diff into a hash set of its tokens (spans
 * of the list itself): the rows of every spec look their paths up in it. */
typedef struct ManagedToken {
    const char *s;
    size_t len;
} ManagedToken;

typedef struct ManagedSet {
    const char *list;
    ManagedToken *slot;   /* open addressing; size a power of two, at least twice the tokens */
    ManagedToken *head;   /* the same for the tokens' first steps ("graphics" of "graphics.type") */
    size_t mask;
    uint64_t lens, head_lens;   /* the lengths there are (63: that or more): most lookups end here */
    ManagedToken inline_slot[64], inline_head[64];   /* enough for most specs: no allocation */
} ManagedSet;

/* From the length and three letters: a collision costs a probe, the bytes are compared anyway */
static size_t tok_hash(const char *s, size_t len) {
    uint64_t h = len * 0x9e3779b97f4a7c15ULL;
    h ^= (uint64_t) (unsigned char) s[0] << 16 | (uint64_t) (unsigned char) s[len / 2] << 8 |
         (unsigned char) s[len - 1];
    h *= 0xff51afd7ed558ccdULL;
    return (size_t) (h ^ h >> 29);
}

static uint64_t len_bit(size_t len) {
    return 1ULL << (len < 63 ? len : 63);
}

static void set_add(ManagedToken *slot, size_t mask, const char *p, size_t len) {
    size_t i = tok_hash(p, len) & mask;
    while (slot[i].s && !(slot[i].len == len && !memcmp(slot[i].s, p, len)))
        i = (i + 1) & mask;
    slot[i] = (ManagedToken) { p, len };
}

static bool set_has(const ManagedToken *slot, size_t mask, const char *p, size_t len) {
    for (size_t i = tok_hash(p, len) & mask; slot[i].s; i = (i + 1) & mask)
        if (slot[i].len == len && !memcmp(slot[i].s, p, len))
            return true;
    return false;
}

static void managed_set_init(ManagedSet *m, const char *list) {
    m->list = list;
    m->slot = m->head = NULL;
    m->lens = m->head_lens = 0;
    if (!list || !*list)
        return;
    size_t n = 1;
    for (const char *p = list; *p; p++)
        n += *p == ' ';
    size_t size = 8;
    while (size < 2 * n)
        size *= 2;
    bool fits = size <= ELEMENTSOF(m->inline_slot);
    m->slot = fits ? m->inline_slot : xmalloc0(size * sizeof(ManagedToken));
    m->head = fits ? m->inline_head : xmalloc0(size * sizeof(ManagedToken));
    memset(m->slot, 0, size * sizeof(ManagedToken));
    memset(m->head, 0, size * sizeof(ManagedToken));
    m->mask = size - 1;
    for (const char *p = list, *end; *p; p = *end ? end + 1 : end) {
        end = p + strcspn(p, " ");
        size_t len = (size_t) (end - p);
        if (len == 0)
            continue;
        size_t hlen = strcspn(p, ".: ");
        set_add(m->slot, m->mask, p, len);
        m->lens |= len_bit(len);
        if (hlen > 0) {   /* ".x" has no first step a map's path could be */
            set_add(m->head, m->mask, p, hlen);
            m->head_lens |= len_bit(hlen);
        }
    }
}

static void managed_set_clear(ManagedSet *m) {
    if (m->slot != m->inline_slot) {
        free(m->slot);
        free(m->head);
    }
    m->slot = m->head = NULL;
}

/* Whether the list holds tok, between spaces or the ends. A tok with a space in it (an item
 * key's value can have one) spans tokens: the text itself is searched. */
static bool managed_has(const ManagedSet *m, const char *tok) {
    size_t l = strlen(tok);
    if (!m->slot || l == 0)
        return false;
    if (!memchr(tok, ' ', l))
        return (m->lens & len_bit(l)) && set_has(m->slot, m->mask, tok, l);
    for (const char *p = strstr(m->list, tok); p; p = strstr(p + 1, tok))
        if ((p == m->list || p[-1] == ' ') && (p[l] == ' ' || p[l] == 0))
            return true;
    return false;
}

static bool values_equal(const KeyDef *k, const char *want, const char *have) {
    if (hook_of(k)->equal)
        return hook_of(k)->equal(k, want, have);
    if (!want || !have)
        return want == have;
    return streq(want, have);
}

static char *display(const KeyDef *k, const char *v) {
    if (!v)
        return NULL;
    if (k->flags & KEY_SECRET)
        return xstrdup("(secret)");
    if (k->type == VT_SIZE || (hook_of(k)->flags & HOOK_SIZE)) {
        char *end;
        long long b = strtoll(v, &end, 10);
        if (!*end)
            return format_size(b);
    }
    return xstrdup(v);
}

/* The parent of a list's items, remembered: most lists live below "devices", and the trees do
 * not change while a diff runs. */
typedef struct ParentMemo {
    const xmlNode *root;
    const char *path;
    size_t len;
    xmlNode *node;
} ParentMemo;

typedef struct DiffCtx {
    SpecKind kind;
    ParentMemo parent[2];      /* desired, observed */
    ManagedSet managed;        /* recorded in the observed object: what virtspec set before */
    ManagedSet want_managed;   /* recorded in the desired document: what the spec sets now */
    bool none_below;           /* neither list names the current map or a key below it */
    Diff *out;
} DiffCtx;

/* managed_has for a row of the current map: none is, when the lists name nothing below it */
static bool ctx_managed(const DiffCtx *c, const ManagedSet *m, const char *path) {
    return !c->none_below && managed_has(m, path);
}

static void diff_rows(DiffCtx *c, const KeyTable *t, const xmlNode *want, const xmlNode *have,
                      const char *prefix, const KeyDef *list, const char *item_key);

static xmlNode *memo_list_parent(ParentMemo *m, const xmlNode *root, const KeyTable *sub) {
    const char *slash = strrchr(sub->xml_elem, '/');
    if (!slash)
        return (xmlNode *) root;
    size_t len = (size_t) (slash - sub->xml_elem);
    if (m->root != root || m->len != len || strncmp(m->path, sub->xml_elem, len) != 0)
        *m = (ParentMemo) { root, sub->xml_elem, len, xml_find_n(root, sub->xml_elem, len) };
    return m->node;
}

static void diff_list(DiffCtx *c, const KeyDef *k, const xmlNode *want, const xmlNode *have,
                      const char *path) {
    const KeyTable *sub = k->sub;
    xmlNode *wp = memo_list_parent(&c->parent[0], want, sub);
    xmlNode *hp = have ? memo_list_parent(&c->parent[1], have, sub) : NULL;
    const char *name = xml_item_name(sub);

    /* desired items, in spec order */
    for (xmlNode *w = wp ? wp->children : NULL; w; w = w->next) {
        if (!xml_item_selected(sub, name, w))
            continue;
        _cleanup_free_ char *key = diff_item_key(sub, w);
        xmlNode *match = NULL;
        for (xmlNode *h = hp ? hp->children : NULL; h && !match; h = h->next) {
            if (!xml_item_selected(sub, name, h))
                continue;
            _cleanup_free_ char *hk = diff_item_key(sub, h);
            if (streq(hk, key))
                match = h;
        }
        _cleanup_free_ char *ipath = xasprintf("%s[%s]", path, key);
        if (!match) {
            Change *ch = diff_add_change(c->out, OP_ADD, k->change, ipath);
            ch->row = k;
            ch->list = k;
            ch->item_key = xstrdup(key);
            continue;
        }
        diff_rows(c, sub, w, match, ipath, k, key);
    }
    /* observed items not in the spec: removed if virtspec managed them, else left alone */
    for (xmlNode *h = hp ? hp->children : NULL; h; h = h->next) {
        if (!xml_item_selected(sub, name, h))
            continue;
        _cleanup_free_ char *hk = diff_item_key(sub, h);
        bool wanted = false;
        for (xmlNode *w = wp ? wp->children : NULL; w && !wanted; w = w->next) {
            if (!xml_item_selected(sub, name, w))
                continue;
            _cleanup_free_ char *key = diff_item_key(sub, w);
            wanted = streq(key, hk);
        }
        if (wanted)
            continue;
        _cleanup_free_ char *tok = xasprintf("%s:%s", path, hk);
        bool ours = ctx_managed(c, &c->managed, tok);
        if (!ours && !(streq(sub->name, "disks") || streq(sub->name, "cdroms") ||
                       streq(sub->name, "interfaces")))
            continue;   /* e.g. the implicit PS/2 inputs, libvirt's own channels */
        _cleanup_free_ char *ipath = xasprintf("%s[%s]", path, hk);
        Change *ch = diff_add_change(c->out, ours ? OP_REMOVE : OP_UNMANAGED, k->change, ipath);
        ch->row = k;
        ch->list = k;
        ch->item_key = xstrdup(hk);
    }
}

/* ---- maps the spec leaves alone ----
 * A map (cpu, sysinfo, tpm, …) is skipped as a whole when each of its rows would be skipped one by
 * one: no key below it is managed, now or before, and the desired document has none of the
 * elements its rows read, so that every value wanted is absent. Rows whose reading this cannot
 * tell (hooks, lists, attributes of the node itself) keep the map on the row-by-row path. */

/* Whether the list names path or a key below it ("path.…", "path:…"). A path of one step is a
 * token's first step; a longer one is searched in the text. */
static bool managed_under(const ManagedSet *m, const char *path) {
    size_t l = strlen(path);
    if (!m->slot)
        return false;
    if (l > 0 && path[strcspn(path, ".: ")] == 0)
        return (m->head_lens & len_bit(l)) && set_has(m->head, m->mask, path, l);
    for (const char *p = strstr(m->list, path); p; p = strstr(p + 1, path))
        if ((p == m->list || p[-1] == ' ') && strchr(". :", p[l]))   /* p[l] == 0 matches too */
            return true;
    return false;
}

/* Whether want has the element an XML path reads (the path without a last "@attr" step);
 * consecutive rows mostly read the same element, so the last answer is kept. */
typedef struct ElemMemo {
    const char *path;
    size_t len;
    bool present;
} ElemMemo;

static bool element_present(const xmlNode *want, const char *xml, ElemMemo *m) {
    const char *slash = strrchr(xml, '/');
    size_t len = slash && slash[1] == '@' ? (size_t) (slash - xml) : strlen(xml);
    if (m->path && m->len == len && !strncmp(m->path, xml, len))
        return m->present;
    *m = (ElemMemo) { .path = xml, .len = len, .present = xml_find_n(want, xml, len) != NULL };
    return m->present;
}

/* Whether each row of t (and of its maps) is skipped when nothing below it is managed and the
 * desired document lacks the element it reads: see diff_rows and observe_value for the rules
 * this follows. No XML is read here: a table with a row of another kind is compared row by row. */
static bool table_skippable(const KeyTable *t) {
    for (size_t i = 0; i < t->n_keys; i++) {
        const KeyDef *k = &t->keys[i];
        if (k->type == VT_MAP ? !table_skippable(k->sub)
                              : hook_of(k)->diff || (k->type == VT_LIST && !(k->flags & KEY_WHOLE)))
            return false;
        if (k->type == VT_MAP || k->change == CHANGE_NONE || (hook_of(k)->flags & HOOK_NOT_XML))
            continue;
        if (k->type == VT_LIST || k->type == VT_ENUM_LIST)
            return false;
        bool attr_of_node = k->xml && k->xml[0] == '@';
        if (hook_of(k)->flags & HOOK_READS_PATH) {
            if (!k->xml || attr_of_node)
                return false;
            continue;
        }
        bool flag = k->type == VT_BOOL && k->xml && !strchr(k->xml, '@');
        if (k->hook != HOOK_NONE && (!(hook_of(k)->flags & HOOK_READS_PLAIN) || flag))
            return false;   /* a flag element reads "false" when absent: only without a hook is
                             * it compared just when managed */
        if (attr_of_node && !(k->flags & KEY_NO_XML))
            return false;
    }
    return true;
}

/* Of a skippable table: whether the desired document lacks every element its rows read (a flag
 * element's row, compared only when managed, and rows without XML read none). */
static bool table_absent(const KeyTable *t, const xmlNode *want, ElemMemo *m) {
    for (size_t i = 0; i < t->n_keys; i++) {
        const KeyDef *k = &t->keys[i];
        if (k->type == VT_MAP) {
            if (!table_absent(k->sub, want, m))
                return false;
            continue;
        }
        if (k->change == CHANGE_NONE || (hook_of(k)->flags & HOOK_NOT_XML))
            continue;
        if (!(hook_of(k)->flags & HOOK_READS_PATH) &&
            (!k->xml || (k->flags & KEY_NO_XML) ||
             (k->hook == HOOK_NONE && k->type == VT_BOOL && !strchr(k->xml, '@'))))
            continue;
        if (element_present(want, k->xml, m))
            return false;   /* xml_get reads the element's text or attribute: a value, maybe */
    }
    return true;
}

/* A map: skipped as a whole when every row of it would be. */
static void diff_map(DiffCtx *c, const KeyDef *k, const xmlNode *want, const xmlNode *have,
                     const char *path) {
    bool saved = c->none_below;
    if (!saved)
        c->none_below = !managed_under(&c->managed, path) && !managed_under(&c->want_managed, path);
    ElemMemo m = {};
    if (!c->none_below || !table_skippable(k->sub) || !table_absent(k->sub, want, &m))
        diff_rows(c, k->sub, want, have, path, NULL, NULL);
    c->none_below = saved;
}

static void diff_rows(DiffCtx *c, const KeyTable *t, const xmlNode *want, const xmlNode *have,
                      const char *prefix, const KeyDef *list, const char *item_key) {
    for (size_t i = 0; i < t->n_keys; i++) {
        const KeyDef *k = &t->keys[i];
        if (k->change == CHANGE_FIRST_BOOT)
            continue;   /* compared through the seed's record (cloud-init-seed.c) */
        /* the pool row compares the whole source: pool and volume, or the file */
        _cleanup_(lazy_path_clear) LazyPath path;
        lazy_path_init(&path, prefix, hook_of(k)->diff_name ? hook_of(k)->diff_name : k->key);
        if (k->type == VT_MAP) {
            diff_map(c, k, want, have, lazy_path(&path));
            continue;
        }
        if (hook_of(k)->diff) {
            /* the rows of a table compared as a whole (the xml key: add, set and remove) */
            if (i == 0 || t->keys[i - 1].hook != k->hook)
                hook_of(k)->diff(c->out, t, want, have);
            continue;
        }
        if (k->type == VT_LIST && !(k->flags & KEY_WHOLE)) {
            diff_list(c, k, want, have, lazy_path(&path));
            continue;
        }
        if (k->change == CHANGE_NONE || (hook_of(k)->flags & HOOK_NOT_XML))
            continue;
        /* A flag element (<hugepages/>) reads as false when absent: outside list items it is
         * compared only when the spec sets it, now or before, so one libvirt or a user added
         * is left alone. */
        if (!list && k->type == VT_BOOL && k->xml && !strchr(k->xml, '@') && k->hook == HOOK_NONE &&
            !ctx_managed(c, &c->want_managed, lazy_path(&path)) &&
            !ctx_managed(c, &c->managed, lazy_path(&path)))
            continue;
        _cleanup_free_ char *w = observe_value(k, want);
        /* A field is compared when the spec sets it, or when virtspec set it before (then it is
         * brought back to libvirt's default). List items are compared on all their fields. */
        if (!w && !list && !ctx_managed(c, &c->managed, lazy_path(&path)))
            continue;
        if (!w && list && (k->flags & KEY_WHEN_SET))
            continue;
        _cleanup_free_ char *h = have ? observe_value(k, have) : NULL;
        if (values_equal(k, w, h))
            continue;
        Change *ch = diff_add_change(c->out, OP_SET, k->change, lazy_path(&path));
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
    _cleanup_free_ char *want_managed = observe_managed(desired);
    DiffCtx c;   /* not zeroed as a whole: the sets' inline tables are 4 KiB */
    c.kind = kind;
    c.out = ret;
    c.none_below = false;
    c.parent[0] = c.parent[1] = (ParentMemo) {};
    managed_set_init(&c.managed, managed_before);
    managed_set_init(&c.want_managed, want_managed);
    *ret = (Diff) {};
    diff_rows(&c, spec_kind_table(kind), xmlDocGetRootElement(desired),
              observed ? xmlDocGetRootElement(observed) : NULL, NULL, NULL, NULL);
    managed_set_clear(&c.managed);
    managed_set_clear(&c.want_managed);
}

/* ---- patch ---- */

/* The element a change replaces as a whole: "devices/tpm", "cpu", "memory", "os/type". */
static char *unit_of(const KeyDef *k) {
    const char *x = k->xml;
    if (!x || x[0] == '@')
        return NULL;
    if (hook_of(k)->unit)
        return xstrdup(hook_of(k)->unit);
    size_t first = strcspn(x, "/@[");
    if (!strncmp(x, "devices/", 8) || !strncmp(x, "os/", 3) || !strncmp(x, "ip/", 3)) {
        size_t second = strcspn(x + first + 1, "/@[");
        return xstrndup(x, first + 1 + second);
    }
    return xstrndup(x, first);
}

/* "name" or "name[@attr='value']": whether element c is one of them. */
static bool unit_match(const xmlNode *c, const char *seg) {
    const char *br = strchr(seg, '[');
    /* the name compared in place: a patch asks this of every child of the unit's parent */
    size_t nlen = br ? (size_t) (br - seg) : strlen(seg);
    if (!c || c->type != XML_ELEMENT_NODE || strncmp((const char *) c->name, seg, nlen) != 0 ||
        c->name[nlen] != 0)
        return false;
    if (nlen == 7 && strncmp(seg, "channel", 7) == 0 && is_guest_agent_channel(c))
        return false;   /* the guest_agent key's */
    if (!br)
        return true;
    const char *eq = strchr(br, '=');
    if (!eq || br[1] != '@')
        return false;
    _cleanup_free_ char *attr = xstrndup(br + 2, (size_t) (eq - br - 2));
    _cleanup_free_ char *val = xstrndup(eq + 2, strcspn(eq + 2, "'"));
    _cleanup_xmlchar_ xmlChar *have = xmlGetProp(c, (const xmlChar *) attr);
    return have && streq((char *) have, val);
}

/* The parent path of a unit ("" for the root) and its last step. */
static char *unit_split(const char *unit, const char **ret_last) {
    const char *slash = NULL;
    int depth = 0;
    for (const char *p = unit; *p; p++) {
        depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
        if (*p == '/' && depth == 0)
            slash = p;
    }
    *ret_last = slash ? slash + 1 : unit;
    return slash ? xstrndup(unit, (size_t) (slash - unit)) : xstrdup("");
}

static void replace_unit(xmlNode *want, xmlNode *have, const char *unit) {
    const char *name;
    _cleanup_free_ char *ppath = unit_split(unit, &name);
    xmlNode *wp = *ppath ? xml_find(want, ppath) : want;
    xmlNode *hp = *ppath ? xml_find(have, ppath) : have;

    if (streq(name, "@*")) {
        /* every attribute of one element, keeping its children */
        if (!wp) {
            if (hp && hp != have) {
                xmlUnlinkNode(hp);
                xmlFreeNode(hp);
            }
            return;
        }
        if (!hp)
            hp = xml_ensure(have, ppath, false);
        while (hp->properties)
            xmlRemoveProp(hp->properties);
        for (xmlAttr *a = wp->properties; a; a = a->next) {
            _cleanup_xmlchar_ xmlChar *v = xmlNodeGetContent((xmlNode *) a);
            xmlSetProp(hp, a->name, v);
        }
        return;
    }
    if (name[0] == '@') {
        _cleanup_free_ char *v = xml_get(want, unit);
        if (v)
            xml_set(have, unit, v);
        else
            xml_unset(have, unit);
        return;
    }
    if (!hp) {
        if (!wp)
            return;
        hp = xml_ensure(have, ppath, false);
    }
    for (xmlNode *c = hp->children, *next; c; c = next) {
        next = c->next;
        if (unit_match(c, name)) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
    }
    for (xmlNode *c = wp ? wp->children : NULL; c; c = c->next)
        if (unit_match(c, name))
            xml_adopt_copy(hp, c);
}

/* A list compared as a whole: every item of it in have is replaced by want's, in order. */
static void replace_items(const KeyTable *sub, xmlNode *want, xmlNode *have) {
    xmlNode *wp = diff_list_parent(want, sub), *hp = diff_list_parent(have, sub);
    for (xmlNode *c = hp ? hp->children : NULL, *next; c; c = next) {
        next = c->next;
        if (diff_item_selected(sub, c)) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
    }
    if (!wp)
        return;
    if (!hp) {
        const char *slash = strrchr(sub->xml_elem, '/');
        _cleanup_free_ char *pp = xstrndup(sub->xml_elem, (size_t) (slash - sub->xml_elem));
        hp = xml_ensure(have, pp, false);
    }
    for (xmlNode *c = wp->children; c; c = c->next)
        if (diff_item_selected(sub, c))
            xml_adopt_copy(hp, c);
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
        if (c->op == OP_UNMANAGED || c->cls == CHANGE_FIRST_BOOT)
            continue;   /* first-boot: the seed's record, copied with the metadata */
        if (c->list) {
            /* one device: replace (or add, or remove) the element, keeping libvirt's additions */
            const KeyTable *sub = c->list->sub;
            /* done per list and item: vcpupin 0 and serial port 0 are different devices */
            _cleanup_free_ char *tok = xasprintf("%s[%s]", sub->name, c->item_key);
            bool seen = false;
            for (size_t j = 0; j < n_done; j++)
                seen = seen || streq(done[j], tok);
            if (seen)
                continue;
            *(char **) array_push(&done, &n_done, sizeof(char *)) = xstrdup(tok);
            xmlNode *h = diff_find_item(have, sub, c->item_key);
            xmlNode *w = diff_find_item(want, sub, c->item_key);
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
                    /* an address the spec gives itself (interfaces' pci_bus) wins */
                    if (old && !(readdress && streq(keep[j], "address")) && !xml_child(copy, keep[j]))
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
        const HookOps *hook = hook_of(k);
        if (hook->patch) {
            /* the hook's own patch; once per unit when it names one (the xml key's edits) */
            bool seen = false;
            for (size_t j = 0; hook->unit && j < n_done; j++)
                seen = seen || streq(done[j], hook->unit);
            if (seen)
                continue;
            if (hook->unit)
                *(char **) array_push(&done, &n_done, sizeof(char *)) = xstrdup(hook->unit);
            hook->patch(k, want, have);
            continue;
        }
        if (k->type == VT_LIST && (k->flags & KEY_WHOLE) && !k->patch) {
            replace_items(k->sub, want, have);
            continue;
        }
        if (k->xml && k->xml[0] == '@' && !k->patch) {
            _cleanup_free_ char *v = xml_get(want, k->xml);
            if (v)
                xml_set(have, k->xml, v);
            else
                xml_unset(have, k->xml);
            continue;
        }
        _cleanup_free_ char *unit = k->patch ? xstrdup(k->patch) : unit_of(k);
        if (!unit)
            continue;
        bool seen = false;
        for (size_t j = 0; j < n_done; j++)
            seen = seen || streq(done[j], unit);
        if (seen)
            continue;
        *(char **) array_push(&done, &n_done, sizeof(char *)) = xstrdup(unit);
        replace_unit(want, have, unit);
        if (streq(unit, "sysinfo"))
            replace_unit(want, have, "os/smbios");   /* qemu reads sysinfo only with it */
        if (hook->also)   /* memory and currentMemory move together: libvirt refuses current > max */
            replace_unit(want, have, hook->also);
    }
    for (size_t j = 0; j < n_done; j++)
        free(done[j]);
    free(done);
}
