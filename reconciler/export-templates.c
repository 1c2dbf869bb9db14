/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>

#include "export-templates.h"
#include "macro.h"
#include "spec-table.h"
#include "spec-value.h"
#include "util.h"

/* Factoring works on the YNode trees export builds, before they are emitted. A key moves into the
 * template only when every domain has it with the same value, so expanding the template (later
 * wins, the spec's own keys last, maps merged key by key) gives each domain back exactly what it
 * had: nothing is added to a domain that lacked a key, nothing taken from one that differs. Lists
 * move only whole (equal in every domain), never item by item. */

static bool in_list(const char *key, const char *const *list, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (streq(key, list[i]))
            return true;
    return false;
}

/* What names one object and never goes into a template: top-level keys, keys at any depth, and
 * every row the key table marks KEY_NO_TEMPLATE (uuid, sysinfo's uuid, a NIC's mac and ip). */
static const char *const identity_top[] = { "kind", "name", "uuid", "title", "adopt", "disks", "from" };
static const char *const identity_any[] = { "uuid", "mac" };

/* The row of key in t (a map's or a list item's table), or NULL. */
static const KeyDef *row_of(const KeyTable *t, const char *key) {
    return t ? key_table_find(t, key) : NULL;
}

static bool identity_key(const KeyTable *t, const char *key) {
    const KeyDef *k = row_of(t, key);
    return in_list(key, identity_any, ELEMENTSOF(identity_any)) || (k && (k->flags & KEY_NO_TEMPLATE));
}

/* Whether n (of table t: a map's keys, or a list's items) holds a value that identifies one
 * machine (an interface's mac, a sysinfo uuid). */
static bool holds_identity(const YNode *n, const KeyTable *t) {
    for (size_t i = 0; i < n->n; i++) {
        const KeyDef *k = n->type == YNODE_MAP ? row_of(t, n->keys[i]) : NULL;
        if ((n->type == YNODE_MAP && identity_key(t, n->keys[i])) ||
            holds_identity(n->items[i], n->type == YNODE_MAP ? (k ? k->sub : NULL) : t))
            return true;
    }
    return false;
}

/* The same value: type, text and quoting of scalars, keys in the same order. */
static bool ynode_same(const YNode *a, const YNode *b) {
    if (a->type != b->type || a->n != b->n)
        return false;
    if (a->type == YNODE_SCALAR)
        return a->quoted == b->quoted && streq(a->value, b->value);
    for (size_t i = 0; i < a->n; i++)
        if ((a->type == YNODE_MAP && !streq(a->keys[i], b->keys[i])) ||
            !ynode_same(a->items[i], b->items[i]))
            return false;
    return true;
}

static size_t map_index(const YNode *map, const char *key) {
    for (size_t i = 0; i < map->n; i++)
        if (streq(map->keys[i], key))
            return i;
    return SIZE_MAX;
}

/* Takes the value at i out of map (the key is freed; so are the positions of parsed trees). */
static YNode *map_take(YNode *map, size_t i) {
    YNode *v = map->items[i];
    free(map->keys[i]);
    size_t rest = map->n - i - 1;
    memmove(&map->keys[i], &map->keys[i + 1], rest * sizeof(char *));
    memmove(&map->items[i], &map->items[i + 1], rest * sizeof(YNode *));
    if (map->key_line)
        memmove(&map->key_line[i], &map->key_line[i + 1], rest * sizeof(unsigned));
    if (map->key_col)
        memmove(&map->key_col[i], &map->key_col[i + 1], rest * sizeof(unsigned));
    map->n--;
    return v;
}

/* Puts key: value at position i of map (takes value). */
static void map_insert(YNode *map, size_t i, const char *key, YNode *value) {
    ynode_map_put(map, key, value);   /* at the end, then moved */
    size_t last = map->n - 1;
    char *k = map->keys[last];
    memmove(&map->keys[i + 1], &map->keys[i], (last - i) * sizeof(char *));
    memmove(&map->items[i + 1], &map->items[i], (last - i) * sizeof(YNode *));
    map->keys[i] = k;
    map->items[i] = value;
    /* a parsed tree's positions: the new key has none */
    unsigned **pos[] = { &map->key_line, &map->key_col };
    for (size_t p = 0; p < ELEMENTSOF(pos); p++) {
        if (!*pos[p])
            continue;
        *pos[p] = xrealloc(*pos[p], map->n * sizeof(unsigned));
        memmove(&(*pos[p])[i + 1], &(*pos[p])[i], (last - i) * sizeof(unsigned));
        (*pos[p])[i] = 0;
    }
}

static void factor_map(YNode **maps, size_t n, YNode *into, const KeyTable *t, bool top);

/* Moves key of maps (the n documents' maps at one place, of table t) into the template map into
 * when every one has the same value; a map value that differs in places is factored key by key.
 * Returns whether maps[0] lost the key. */
static bool factor_key(YNode **maps, size_t n, YNode *into, const KeyTable *t, const char *key,
                       bool top) {
    if ((top && in_list(key, identity_top, ELEMENTSOF(identity_top))) || identity_key(t, key))
        return false;
    const KeyDef *k = row_of(t, key);
    const KeyTable *sub = k ? k->sub : NULL;
    _cleanup_free_ size_t *at = xmalloc0(n * sizeof(size_t));
    _cleanup_free_ YNode **v = xmalloc0(n * sizeof(YNode *));
    bool maps_all = true, same = true;
    for (size_t j = 0; j < n; j++) {
        at[j] = map_index(maps[j], key);
        if (at[j] == SIZE_MAX)
            return false;   /* one domain lacks it: the template would add it there */
        v[j] = maps[j]->items[at[j]];
        maps_all = maps_all && v[j]->type == YNODE_MAP && v[j]->n > 0;
        same = same && ynode_same(v[0], v[j]);
    }
    if (maps_all && (!same || holds_identity(v[0], sub))) {
        YNode *part = ynode_new_map(v[0]->flow);
        factor_map(v, n, part, sub, false);
        if (!part->n) {
            ynode_free(part);
            return false;
        }
        ynode_map_put(into, key, part);
        /* a map every key of which moved goes too */
        for (size_t j = n; j-- > 0;)
            if (!v[j]->n)
                ynode_free(map_take(maps[j], at[j]));
        return !v[0]->n;
    }
    if (!same || holds_identity(v[0], sub))
        return false;
    ynode_map_put(into, key, map_take(maps[0], at[0]));
    for (size_t j = 1; j < n; j++)
        ynode_free(map_take(maps[j], at[j]));
    return true;
}

static void factor_map(YNode **maps, size_t n, YNode *into, const KeyTable *t, bool top) {
    for (size_t i = 0; i < maps[0]->n;) {
        _cleanup_free_ char *key = xstrdup(maps[0]->keys[i]);
        if (!factor_key(maps, n, into, t, key, top))
            i++;
    }
}

YNode *export_templates_factor(YNode **docs, size_t n, const char *name) {
    if (n < 2)
        return NULL;
    for (size_t j = 0; j < n; j++)
        if (docs[j]->type != YNODE_MAP || map_index(docs[j], "name") == SIZE_MAX)
            return NULL;
    YNode *t = ynode_new_map(false);
    ynode_map_put(t, "kind", ynode_new_plain("Template"));
    ynode_map_put(t, "name", ynode_new_string(name));
    size_t head = t->n;
    factor_map(docs, n, t, &domain_table, true);
    if (t->n == head) {
        ynode_free(t);
        return NULL;
    }
    for (size_t j = 0; j < n; j++) {
        YNode *from = ynode_new_seq(true);
        ynode_seq_push(from, ynode_new_string(name));
        map_insert(docs[j], map_index(docs[j], "name") + 1, "from", from);
    }
    return t;
}

void export_templates_add(ExportTemplates *et, bool domain, YNode *doc, char *notes) {
    struct ExportTemplatesDoc *d = array_push(&et->docs, &et->n, sizeof(*d));
    *d = (struct ExportTemplatesDoc) { .doc = doc, .notes = notes, .domain = domain };
}

void export_templates_note(ExportTemplates *et, const char *line) {
    if (!et->n)
        return;
    struct ExportTemplatesDoc *d = &et->docs[et->n - 1];
    char *notes = xasprintf("%s%s", d->notes ? d->notes : "", line);
    free(d->notes);
    d->notes = notes;
}

int export_templates_print(ExportTemplates *et, const char *name, FILE *f) {
    if (!valid_name(name)) {
        fprintf(stderr, "virtspec: --templates %s: not a valid template name\n", name);
        return -EINVAL;
    }
    _cleanup_free_ YNode **domains = xmalloc0((et->n + 1) * sizeof(YNode *));
    size_t n = 0;
    for (size_t i = 0; i < et->n; i++)
        if (et->docs[i].domain)
            domains[n++] = et->docs[i].doc;
    _cleanup_(ynode_freep) YNode *t = export_templates_factor(domains, n, name);
    if (!t)
        fprintf(stderr, "virtspec: --templates: %s, no template written\n",
                n < 2 ? "fewer than two domains" : "the domains share no value");
    size_t written = 0;
    for (size_t i = 0; i <= et->n; i++) {
        const YNode *doc = i == 0 ? t : et->docs[i - 1].doc;
        if (!doc)
            continue;
        _cleanup_free_ char *y = yaml_emit_document(doc, written++ > 0);
        if (!y)
            return -EIO;
        fputs(y, f);
        if (i > 0 && et->docs[i - 1].notes)
            fputs(et->docs[i - 1].notes, f);
    }
    return 0;
}

void export_templates_clear(ExportTemplates *et) {
    for (size_t i = 0; i < et->n; i++) {
        ynode_free(et->docs[i].doc);
        free(et->docs[i].notes);
    }
    free(et->docs);
    *et = (ExportTemplates) {};
}
