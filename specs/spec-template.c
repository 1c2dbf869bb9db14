/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "spec-value.h"
#include "spec-template.h"
#include "util.h"

/* Templates: parsing a `kind: Template` document, the checks across templates, and expansion
 * of a spec document over its templates (docs/templates.md). */

/* ---- trees ---- */

/* A deep copy of n; with o, every position is encoded as coming from o's template. */
static YNode *node_copy(const YNode *n, const SpecOrigin *o) {
    YNode *c = xmalloc0(sizeof(YNode));
    SpecOrigin at;
    c->type = n->type;
    c->col = n->col;
    c->line = n->line;
    if (o) {
        at = *o;
        at.line = n->line;
        c->line = spec_origin_encode(&at);
    }
    c->value = n->value ? xstrdup(n->value) : NULL;
    c->quoted = n->quoted;
    c->flow = n->flow;
    c->n = n->n;
    if (n->n > 0)
        c->items = xmalloc0(n->n * sizeof(YNode *));
    if (n->keys) {
        c->keys = xmalloc0((n->n + 1) * sizeof(char *));
        c->key_line = xmalloc0((n->n + 1) * sizeof(unsigned));
        c->key_col = xmalloc0((n->n + 1) * sizeof(unsigned));
    }
    for (size_t i = 0; i < n->n; i++) {
        c->items[i] = node_copy(n->items[i], o);
        if (n->keys) {
            c->keys[i] = xstrdup(n->keys[i]);
            c->key_col[i] = n->key_col[i];
            c->key_line[i] = n->key_line[i];
            if (o) {
                at.line = n->key_line[i];
                c->key_line[i] = spec_origin_encode(&at);
            }
        }
    }
    return c;
}

static void map_append(YNode *map, const char *key, unsigned line, unsigned col, YNode *v) {
    map->keys = xrealloc(map->keys, (map->n + 1) * sizeof(char *));
    map->key_line = xrealloc(map->key_line, (map->n + 1) * sizeof(unsigned));
    map->key_col = xrealloc(map->key_col, (map->n + 1) * sizeof(unsigned));
    map->items = xrealloc(map->items, (map->n + 1) * sizeof(YNode *));
    map->keys[map->n] = xstrdup(key);
    map->key_line[map->n] = line;
    map->key_col[map->n] = col;
    map->items[map->n++] = v;
}

static void seq_append(YNode *seq, YNode *v) {
    seq->items = xrealloc(seq->items, (seq->n + 1) * sizeof(YNode *));
    seq->items[seq->n++] = v;
}

static ssize_t map_index(const YNode *map, const char *key) {
    for (size_t i = 0; i < map->n; i++)
        if (streq(map->keys[i], key))
            return (ssize_t) i;
    return -1;
}

const char *key_table_merge_key(const KeyDef *k) {
    if (k->type != VT_LIST || (k->flags & KEY_WHOLE))
        return NULL;
    if (k->sub->merge_key)
        return k->sub->merge_key;
    for (size_t i = 0; i < k->sub->n_keys; i++) {
        unsigned f = k->sub->keys[i].flags;
        if ((f & KEY_ITEM_KEY) && (f & KEY_REQUIRED) && k->sub->keys[i].type != VT_MAP &&
            k->sub->keys[i].type != VT_LIST && k->sub->keys[i].type != VT_ENUM_LIST)
            return k->sub->keys[i].key;
    }
    return NULL;
}

static void merge_map(YNode *base, const YNode *over, const KeyTable *t, const SpecOrigin *o);

/* Items of over whose merge key matches an item of base merge into it; the others are
 * appended, in order. */
static void merge_list(YNode *base, const YNode *over, const KeyDef *k, const char *mkey,
                       const SpecOrigin *o) {
    for (size_t i = 0; i < over->n; i++) {
        const YNode *it = over->items[i];
        const YNode *id = it->type == YNODE_MAP ? ynode_map_get(it, mkey) : NULL;
        YNode *match = NULL;
        for (size_t j = 0; id && id->type == YNODE_SCALAR && j < base->n && !match; j++) {
            const YNode *bid = ynode_map_get(base->items[j], mkey);
            if (bid && bid->type == YNODE_SCALAR && streq(bid->value, id->value))
                match = base->items[j];
        }
        if (match)
            merge_map(match, it, k->sub, o);
        else
            seq_append(base, node_copy(it, o));
    }
}

/* over's keys into base: maps merge key by key, lists with a merge key by item, anything else
 * is replaced. t NULL: below a key no table knows (the typed parse reports it). */
static void merge_map(YNode *base, const YNode *over, const KeyTable *t, const SpecOrigin *o) {
    for (size_t i = 0; i < over->n; i++) {
        const char *key = over->keys[i];
        const YNode *v = over->items[i];
        ssize_t j = map_index(base, key);
        if (j < 0) {
            YNode *c = node_copy(v, o);
            unsigned line = over->key_line[i];
            if (o) {
                SpecOrigin at = *o;
                at.line = line;
                line = spec_origin_encode(&at);
            }
            map_append(base, key, line, over->key_col[i], c);
            continue;
        }
        const KeyDef *k = t ? key_table_find(t, key) : NULL;
        YNode *b = base->items[j];
        const char *mkey = k ? key_table_merge_key(k) : NULL;
        if (k && k->type == VT_MAP && b->type == YNODE_MAP && v->type == YNODE_MAP) {
            merge_map(b, v, k->sub, o);
            continue;
        }
        if (mkey && b->type == YNODE_SEQ && v->type == YNODE_SEQ) {
            merge_list(b, v, k, mkey, o);
            continue;
        }
        ynode_free(b);
        base->items[j] = node_copy(v, o);
        base->key_line[j] = over->key_line[i];
        base->key_col[j] = over->key_col[i];
        if (o) {
            SpecOrigin at = *o;
            at.line = over->key_line[i];
            base->key_line[j] = spec_origin_encode(&at);
        }
    }
}

/* ---- a Template document ---- */

static bool is_header_key(const char *key) {
    return streq(key, "kind") || streq(key, "name") || streq(key, "applies_to") ||
           streq(key, "from");
}

bool ynode_is_template(const YNode *doc) {
    const YNode *k = ynode_map_get(doc, "kind");
    return k && k->type == YNODE_SCALAR && streq(k->value, TEMPLATE_KIND);
}

static uint64_t node_hash(const YNode *n, uint64_t h) {
    unsigned char t = (unsigned char) n->type;
    h = hash_fnv1a(&t, 1, h);
    if (n->value)
        h = hash_cstr(n->value, h);
    for (size_t i = 0; i < n->n; i++) {
        if (n->keys)
            h = hash_cstr(n->keys[i], h);
        h = node_hash(n->items[i], h);
    }
    return h;
}

/* The names of a from: value (a name, or a list of names); false after an error. */
static bool parse_from(const char *file, const YNode *n, char ***names, unsigned **lines,
                       unsigned **cols, size_t *n_names, DiagList *diags) {
    const YNode *const *items = &n;
    size_t count = 1;
    if (n->type == YNODE_SEQ) {
        items = (const YNode *const *) n->items;
        count = n->n;
    }
    bool ok = true;
    for (size_t i = 0; i < count; i++) {
        const YNode *it = items[i];
        if (it->type != YNODE_SCALAR || ynode_is_null(it)) {
            diag_add(diags, DIAG_ERROR, file, it->line, it->col,
                     "'from' names templates: a name or a list of names");
            ok = false;
            continue;
        }
        size_t k = *n_names;
        *(char **) array_push(names, n_names, sizeof(char *)) = xstrdup(it->value);
        size_t kk = k;
        *(unsigned *) array_push(lines, &kk, sizeof(unsigned)) = it->line;
        kk = k;
        *(unsigned *) array_push(cols, &kk, sizeof(unsigned)) = it->col;
    }
    return ok;
}

Template *template_from_document(const char *file, const YNode *doc, DiagList *diags) {
    const YNode *name = ynode_map_get(doc, "name"), *applies = ynode_map_get(doc, "applies_to");
    const YNode *from = ynode_map_get(doc, "from");
    size_t before = diags->n_errors;
    SpecKind kind = KIND_DOMAIN;

    if (!name) {
        diag_add(diags, DIAG_ERROR, file, doc->line, doc->col, "Template needs 'name'");
        return NULL;
    }
    if (name->type != YNODE_SCALAR || !valid_name(name->value)) {
        diag_add(diags, DIAG_ERROR, file, name->line, name->col,
                 "a template's name is a name like web or base-2 (letters, digits, _ . + -)");
        return NULL;
    }
    if (applies) {
        kind = applies->type == YNODE_SCALAR ? spec_kind_from_string(applies->value) : _KIND_INVALID;
        if (kind < 0) {
            diag_add(diags, DIAG_ERROR, file, applies->line, applies->col,
                     "'applies_to' is Domain, Network or Pool");
            return NULL;
        }
    }
    Template *t = xmalloc0(sizeof(Template));
    t->name = xstrdup(name->value);
    t->applies_to = kind;
    t->file = xstrdup(file);
    t->line = doc->line;
    t->col = doc->col;
    t->name_line = name->line;
    t->name_col = name->col;
    if (from)
        parse_from(file, from, &t->from, &t->from_line, &t->from_col, &t->n_from, diags);

    t->body = ynode_new_map(false);
    t->body->line = doc->line;
    t->body->col = doc->col;
    for (size_t i = 0; i < doc->n; i++)
        if (!is_header_key(doc->keys[i]))
            map_append(t->body, doc->keys[i], doc->key_line[i], doc->key_col[i],
                       node_copy(doc->items[i], NULL));
    t->hash = node_hash(t->body, hash_cstr(t->name, FNV1A_INIT ^ (uint64_t) kind));
    for (size_t i = 0; i < t->n_from; i++)
        t->hash = hash_cstr(t->from[i], t->hash);
    t->bad = diags->n_errors > before;   /* the caller checks the keys (spec_check_template) */
    return t;
}

void template_free(Template *t) {
    if (!t)
        return;
    free(t->name);
    free(t->file);
    ynode_free(t->body);
    for (size_t i = 0; i < t->n_from; i++)
        free(t->from[i]);
    free(t->from);
    free(t->from_line);
    free(t->from_col);
    free(t);
}

/* ---- the set of templates ---- */

const Template *template_set_find(const TemplateSet *ts, const char *name) {
    for (size_t i = 0; ts && i < ts->n; i++)
        if (streq(ts->items[i]->name, name))
            return ts->items[i];
    return NULL;
}

void template_set_add(TemplateSet *ts, Template *t) {
    const Template *other = template_set_find(ts, t->name);
    if (other) {
        diag_add(t->owner_diags, DIAG_ERROR, t->file, t->name_line, t->name_col,
                 "template '%s' is also defined at %s:%u", t->name, other->file, other->name_line);
        t->bad = true;
        return;
    }
    *(Template **) array_push(&ts->items, &ts->n, sizeof(Template *)) = t;
}

void template_set_clear(TemplateSet *ts) {
    free(ts->items);
    *ts = (TemplateSet) {};
}

/* The closest template name by edit distance, or NULL. */
static const char *template_suggest(const TemplateSet *ts, const char *name) {
    const char *best = NULL;
    size_t best_d = strlen(name) <= 4 ? 2 : 3;
    for (size_t i = 0; ts && i < ts->n; i++) {
        size_t d = edit_distance(name, ts->items[i]->name);
        if (d < best_d) {
            best_d = d;
            best = ts->items[i]->name;
        }
    }
    return best;
}

static void report_unknown(DiagList *diags, const TemplateSet *ts, const char *file,
                           unsigned line, unsigned col, const char *name) {
    const char *s = template_suggest(ts, name);
    if (s)
        diag_add(diags, DIAG_ERROR, file, line, col, "unknown template '%s', did you mean '%s'?",
                 name, s);
    else
        diag_add(diags, DIAG_ERROR, file, line, col, "unknown template '%s'", name);
}

/* "a → b → a": the stack from the template named `again` on, and again. */
static char *cycle_text(const Template *const *stack, size_t depth, const char *again) {
    Buf b = {};
    size_t from = 0;
    for (size_t i = 0; i < depth; i++)
        if (streq(stack[i]->name, again))
            from = i;
    for (size_t i = from; i < depth; i++)
        buf_printf(&b, "%s → ", stack[i]->name);
    buf_puts(&b, again);
    return b.p;
}

/* Whether target is reachable from t over from: (each template visited once); path gets the
 * templates on the way, t first. */
static bool reaches(const TemplateSet *ts, const Template *t, const Template *target,
                    const Template **path, size_t depth, size_t *ret_depth, bool *seen) {
    path[depth++] = t;
    for (size_t i = 0; i < t->n_from; i++) {
        const Template *f = template_set_find(ts, t->from[i]);
        if (!f)
            continue;
        if (f == target) {
            *ret_depth = depth;
            return true;
        }
        size_t k = 0;
        while (ts->items[k] != f)
            k++;
        if (seen[k] || depth >= TEMPLATE_MAX_DEPTH)
            continue;
        seen[k] = true;
        if (reaches(ts, f, target, path, depth, ret_depth, seen))
            return true;
    }
    return false;
}

void template_set_verify(TemplateSet *ts) {
    const Template *path[TEMPLATE_MAX_DEPTH + 1];
    _cleanup_free_ bool *seen = xmalloc0(ts->n + 1);
    _cleanup_free_ bool *bad = xmalloc0(ts->n + 1);
    for (size_t i = 0; i < ts->n; i++) {
        Template *t = ts->items[i];
        for (size_t j = 0; j < t->n_from && !bad[i]; j++) {
            const Template *f = template_set_find(ts, t->from[j]);
            if (!f) {
                report_unknown(t->owner_diags, ts, t->file, t->from_line[j], t->from_col[j], t->from[j]);
                bad[i] = true;
            } else if (f->applies_to != t->applies_to) {
                diag_add(t->owner_diags, DIAG_ERROR, t->file, t->from_line[j], t->from_col[j],
                         "template '%s' applies to %s, '%s' to %s: a template builds only on "
                         "templates of its kind", t->name, spec_kind_to_string(t->applies_to),
                         f->name, spec_kind_to_string(f->applies_to));
                bad[i] = true;
            }
        }
        if (bad[i])
            continue;
        size_t depth = 0;
        memset(seen, 0, ts->n);
        if (reaches(ts, t, t, path, 0, &depth, seen)) {
            _cleanup_free_ char *c = cycle_text(path, depth, t->name);
            /* at the from: item that starts the cycle */
            size_t j = 0;
            while (j + 1 < t->n_from && (depth < 2 ? !streq(t->from[j], t->name)
                                                   : !streq(t->from[j], path[1]->name)))
                j++;
            diag_add(t->owner_diags, DIAG_ERROR, t->file, t->from_line[j], t->from_col[j],
                     "templates build on each other in a cycle: %s", c);
            bad[i] = true;
        }
    }
    for (size_t i = 0; i < ts->n; i++)
        if (bad[i])
            ts->items[i]->bad = true;
}

/* ---- expansion ---- */

typedef struct ExpandCtx {
    const TemplateSet *ts;
    const char *file;
    DiagList *diags;
    const Template **applied;
    size_t n_applied;
    YNode *merged;
    bool failed;
} ExpandCtx;

static void apply_template(ExpandCtx *c, const Template *t, unsigned line, unsigned col,
                           unsigned depth) {
    for (size_t i = 0; i < c->n_applied; i++)
        if (c->applied[i] == t)
            return;   /* once, where it first comes */
    if (t->bad) {
        diag_add(c->diags, DIAG_ERROR, c->file, line, col,
                 "template '%s' has errors (%s:%u)", t->name, t->file, t->line);
        c->failed = true;
        return;
    }
    if (depth > TEMPLATE_MAX_DEPTH) {
        c->failed = true;   /* (a cycle: verify reported it and marked the template bad) */
        return;
    }
    for (size_t i = 0; i < t->n_from; i++) {
        const Template *f = template_set_find(c->ts, t->from[i]);
        if (!f) {
            c->failed = true;
            continue;
        }
        apply_template(c, f, line, col, depth + 1);
    }
    *(const Template **) array_push(&c->applied, &c->n_applied, sizeof(Template *)) = t;
    *(DiagUse *) array_push(&c->diags->uses, &c->diags->n_uses, sizeof(DiagUse)) =
        (DiagUse) { .tmpl = xstrdup(t->name), .line = line, .col = col };
    SpecOrigin o = { .file = t->file, .tmpl = t->name };
    if (!c->merged) {
        c->merged = ynode_new_map(false);
    }
    merge_map(c->merged, t->body, spec_kind_table(t->applies_to), &o);
}

int template_expand(const TemplateSet *ts, const char *file, const YNode *doc, SpecKind kind,
                    YNode **ret, char ***used, size_t *n_used, DiagList *diags) {
    const YNode *from = ynode_map_get(doc, "from"), *name = ynode_map_get(doc, "name");
    _cleanup_free_ char **names = NULL;
    _cleanup_free_ unsigned *lines = NULL, *cols = NULL;
    size_t n_names = 0;
    int r = 0;

    *ret = NULL;
    /* who uses which template, for the problems of the values they give (DiagList.uses): until
     * the next spec's expansion or the end of this spec's parse (loaded_file_build) */
    diag_list_clear_uses(diags);
    diags->use_user = xstrdup(name && name->type == YNODE_SCALAR && name->value ? name->value : "?");
    ExpandCtx c = {
        .ts = ts, .file = file, .diags = diags,
    };
    const Template *def = template_set_find(ts, TEMPLATE_DEFAULT);
    bool opt_out = from && from->type == YNODE_SEQ && from->n == 0;
    if (def && def->applies_to == kind && !opt_out)
        apply_template(&c, def, doc->line, doc->col, 0);
    if (from && !opt_out && !ynode_is_null(from) &&
        !parse_from(file, from, &names, &lines, &cols, &n_names, diags))
        c.failed = true;
    for (size_t i = 0; i < n_names; i++) {
        const Template *t = template_set_find(ts, names[i]);
        if (!t) {
            report_unknown(diags, ts, file, lines[i], cols[i], names[i]);
            c.failed = true;
        } else if (t->applies_to != kind) {
            diag_add(diags, DIAG_ERROR, file, lines[i], cols[i],
                     "template '%s' applies to %s, not to %s", t->name,
                     spec_kind_to_string(t->applies_to), spec_kind_to_string(kind));
            c.failed = true;
        } else
            apply_template(&c, t, lines[i], cols[i], 0);
        free(names[i]);
    }
    for (size_t i = 0; used && i < c.n_applied; i++) {
        bool seen = false;
        for (size_t j = 0; j < *n_used && !seen; j++)
            seen = streq((*used)[j], c.applied[i]->file);
        if (!seen)
            *(char **) array_push(used, n_used, sizeof(char *)) = xstrdup(c.applied[i]->file);
    }
    free(c.applied);
    if (c.failed) {
        ynode_free(c.merged);
        return -EINVAL;
    }
    if (c.merged) {
        /* the spec's own keys last, and its document's position */
        merge_map(c.merged, doc, spec_kind_table(kind), NULL);
        c.merged->line = doc->line;
        c.merged->col = doc->col;
        *ret = c.merged;
    }
    return r;
}

static uint64_t deps_walk(const TemplateSet *ts, const char *name, uint64_t h, unsigned depth) {
    const Template *t = template_set_find(ts, name);
    h = hash_cstr(name, h);
    if (!t)
        return h;
    uint64_t th = t->hash ^ (t->bad ? 1 : 0);
    h = hash_fnv1a(&th, sizeof(th), h);
    for (size_t i = 0; i < t->n_from && depth < TEMPLATE_MAX_DEPTH; i++)
        h = deps_walk(ts, t->from[i], h, depth + 1);
    return h;
}

uint64_t template_deps_hash(const TemplateSet *ts, const YNode *doc, SpecKind kind) {
    const YNode *from = ynode_map_get(doc, "from");
    uint64_t h = FNV1A_INIT;
    bool opt_out = from && from->type == YNODE_SEQ && from->n == 0;
    const Template *def = template_set_find(ts, TEMPLATE_DEFAULT);
    if (def && def->applies_to == kind && !opt_out)
        h = deps_walk(ts, TEMPLATE_DEFAULT, h, 0);
    if (from && from->type == YNODE_SCALAR)
        h = deps_walk(ts, from->value, h, 0);
    for (size_t i = 0; from && from->type == YNODE_SEQ && i < from->n; i++)
        if (from->items[i]->type == YNODE_SCALAR)
            h = deps_walk(ts, from->items[i]->value, h, 0);
    return h;
}
