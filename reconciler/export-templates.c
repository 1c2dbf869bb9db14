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

/* factor_map into a new template name (building on base, when not NULL); each doc then says
 * from: [name] (replacing a from: it had). */
static YNode *factor_on(YNode **docs, size_t n, const char *name, const char *base) {
    if (n < 2)
        return NULL;
    for (size_t j = 0; j < n; j++)
        if (docs[j]->type != YNODE_MAP || map_index(docs[j], "name") == SIZE_MAX)
            return NULL;
    YNode *t = ynode_new_map(false);
    ynode_map_put(t, "kind", ynode_new_plain("Template"));
    ynode_map_put(t, "name", ynode_new_string(name));
    if (base) {
        YNode *from = ynode_new_seq(true);
        ynode_seq_push(from, ynode_new_string(base));
        ynode_map_put(t, "from", from);
    }
    size_t head = t->n;
    factor_map(docs, n, t, &domain_table, true);
    if (t->n == head) {
        ynode_free(t);
        return NULL;
    }
    for (size_t j = 0; j < n; j++) {
        YNode *from = ynode_new_seq(true);
        ynode_seq_push(from, ynode_new_string(name));
        size_t at = map_index(docs[j], "from");
        if (at != SIZE_MAX) {
            ynode_free(docs[j]->items[at]);
            docs[j]->items[at] = from;
        } else
            map_insert(docs[j], map_index(docs[j], "name") + 1, "from", from);
    }
    return t;
}

YNode *export_templates_factor(YNode **docs, size_t n, const char *name) {
    return factor_on(docs, n, name, NULL);
}

/* web1, web-02, db_3 → web, web, db; NULL for a name that does not end in a number. */
static char *name_stem(const YNode *doc) {
    size_t at = map_index(doc, "name");
    const char *name = at != SIZE_MAX && doc->items[at]->type == YNODE_SCALAR ? doc->items[at]->value : NULL;
    size_t n = name ? strlen(name) : 0, e = n;
    while (e > 0 && name[e - 1] >= '0' && name[e - 1] <= '9')
        e--;
    if (e == n)
        return NULL;
    while (e > 0 && strchr("-_.", name[e - 1]))
        e--;
    return e ? strndup(name, e) : NULL;
}

size_t export_templates_groups(YNode **docs, size_t n, const char *name, const char *base,
                               YNode ***ret) {
    size_t n_t = 0;
    char **stem = xmalloc0((n + 1) * sizeof(char *));
    _cleanup_free_ YNode **members = xmalloc0((n + 1) * sizeof(YNode *));
    for (size_t j = 0; j < n; j++)
        stem[j] = name_stem(docs[j]);
    for (size_t j = 0; j < n; j++) {
        bool first = stem[j] != NULL;
        for (size_t i = 0; first && i < j; i++)
            first = !streq_ptr(stem[i], stem[j]);
        size_t k = 0;
        for (size_t i = j; first && i < n; i++)
            if (streq_ptr(stem[i], stem[j]))
                members[k++] = docs[i];
        _cleanup_free_ char *gname = first ? xasprintf("%s-%s", name, stem[j]) : NULL;
        if (!first || k < 2 || k == n || !valid_name(gname))
            continue;   /* a group of every domain: the base has what they share */
        YNode *g = factor_on(members, k, gname, base);
        if (g)
            *(YNode **) array_push(ret, &n_t, sizeof(YNode *)) = g;
    }
    for (size_t j = 0; j < n; j++)
        free(stem[j]);
    free(stem);
    return n_t;
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
    YNode *t = export_templates_factor(domains, n, name);
    _cleanup_free_ YNode **tmpl = NULL;
    size_t n_tmpl = export_templates_groups(domains, n, name, t ? name : NULL, &tmpl);
    if (t)
        *(YNode **) array_push(&tmpl, &n_tmpl, sizeof(YNode *)) = t;   /* printed first */
    else if (n_tmpl == 0)
        fprintf(stderr, "virtspec: --templates: %s, no template written\n",
                n < 2 ? "fewer than two domains" : "the domains share no value");
    else
        fprintf(stderr, "virtspec: --templates: the domains share no value, no template %s "
                "written (only their groups' templates)\n", name);
    size_t written = 0;
    int r = 0;
    for (size_t i = 0; i < n_tmpl + et->n && r == 0; i++) {
        /* the base, the groups' templates, then every document */
        const YNode *doc = i < n_tmpl ? tmpl[(i + n_tmpl - (t ? 1 : 0)) % n_tmpl] : et->docs[i - n_tmpl].doc;
        _cleanup_free_ char *y = yaml_emit_document(doc, written++ > 0);
        if (!y)
            r = -EIO;
        else
            fputs(y, f);
        if (y && i >= n_tmpl && et->docs[i - n_tmpl].notes)
            fputs(et->docs[i - n_tmpl].notes, f);
    }
    ynode_free_many(tmpl, n_tmpl);
    tmpl = NULL;
    return r;
}

void export_templates_clear(ExportTemplates *et) {
    for (size_t i = 0; i < et->n; i++) {
        ynode_free(et->docs[i].doc);
        free(et->docs[i].notes);
    }
    free(et->docs);
    *et = (ExportTemplates) {};
}
