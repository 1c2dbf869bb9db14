/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "spec-internal.h"

/* Specs and spec sets as objects: freeing, copying, references, the held and dropped entries. */

/* ---- freeing ---- */

static void table_clear(const KeyTable *t, void *base);

static void row_clear(const KeyDef *k, void *base) {
    switch (k->type) {
    case VT_MAP:
        if (k->flags & KEY_BOXED) {
            void **box = key_box(k, base);
            if (*box) {
                value_clear(*box);
                table_clear(k->sub, *box);
            }
            free(*box);
            *box = NULL;
            break;
        }
        value_clear(key_value(k, base));
        table_clear(k->sub, base);
        break;
    case VT_LIST: {
        List *l = key_list(k, base);
        for (size_t i = 0; i < l->n; i++)
            table_clear(k->sub, (char *) l->items + i * k->sub->item_size);
        free(l->items);
        *l = (List) {};
        break;
    }
    case VT_ENUM_LIST: {
        List *l = key_list(k, base);
        for (size_t i = 0; i < l->n; i++)
            value_clear(&((Value *) l->items)[i]);
        free(l->items);
        *l = (List) {};
        break;
    }
    default:
        value_clear(key_value(k, base));
    }
}

static void table_clear(const KeyTable *t, void *base) {
    for (size_t i = 0; i < t->n_keys; i++)
        row_clear(&t->keys[i], base);
}

/* ---- copying ---- */

static void table_copy(const KeyTable *t, void *dst, const void *src);

/* A map's present and rows; dst and src are where the rows count from (for a boxed map, its
 * sections, whose present comes first). */
static void map_copy(const KeyDef *k, void *dst, const void *src) {
    bool boxed = k->flags & KEY_BOXED;
    Value *to = boxed ? dst : key_value(k, dst);
    *to = (Value) {};
    value_copy(to, boxed ? src : key_value(k, (void *) src));
    table_copy(k->sub, dst, src);
}

static void row_copy(const KeyDef *k, void *dst, const void *src) {
    switch (k->type) {
    case VT_MAP:
        if (k->flags & KEY_BOXED) {
            *key_box(k, dst) = NULL;
            if (*key_box(k, (void *) src))
                map_copy(k, spec_section_ensure(dst, k), *key_box(k, (void *) src));
            break;
        }
        map_copy(k, dst, src);
        break;
    case VT_LIST:
    case VT_ENUM_LIST: {
        const List *from = key_list(k, (void *) src);
        List *to = key_list(k, dst);
        size_t size = k->type == VT_LIST ? k->sub->item_size : sizeof(Value);
        *to = *from;
        to->items = xmalloc0(from->n * size + 1);
        for (size_t i = 0; i < from->n; i++) {
            void *d = (char *) to->items + i * size;
            const void *f = (const char *) from->items + i * size;
            if (k->type == VT_LIST)
                table_copy(k->sub, d, f);
            else
                value_copy(d, f);
        }
        break;
    }
    default:
        *key_value(k, dst) = (Value) {};
        value_copy(key_value(k, dst), key_value(k, (void *) src));
    }
}

static void table_copy(const KeyTable *t, void *dst, const void *src) {
    for (size_t i = 0; i < t->n_keys; i++)
        row_copy(&t->keys[i], dst, src);
}

Spec *spec_copy(const Spec *s) {
    Spec *c = xmalloc0(sizeof(Spec));
    c->n_ref = 1;
    c->kind = s->kind;
    c->file = xstrdup(s->file);
    c->line = s->line;
    c->col = s->col;
    c->name = xstrdup(s->name);
    for (size_t i = 0; i < s->n_template_files; i++)
        *(char **) array_push(&c->template_files, &c->n_template_files, sizeof(char *)) =
            xstrdup(s->template_files[i]);
    table_copy(spec_kind_table(s->kind), &c->domain, &s->domain);
    return c;
}

Spec *spec_ref(Spec *s) {
    if (s)
        __atomic_add_fetch(&s->n_ref, 1, __ATOMIC_SEQ_CST);
    return s;
}

Spec *spec_unref(Spec *s) {
    if (!s)
        return NULL;
    if (__atomic_sub_fetch(&s->n_ref, 1, __ATOMIC_SEQ_CST) > 0)
        return NULL;
    const KeyTable *t = spec_kind_table(s->kind);
    if (t)
        table_clear(t, &s->domain);
    free(s->file);
    free(s->name);
    for (size_t i = 0; i < s->n_template_files; i++)
        free(s->template_files[i]);
    free(s->template_files);
    free(s);
    return NULL;
}

void spec_set_clear(SpecSet *set) {
    for (size_t i = 0; i < set->n; i++)
        spec_free(set->specs[i]);
    free(set->specs);
    for (size_t i = 0; i < set->n_files; i++)
        free(set->files[i]);
    free(set->files);
    for (size_t i = 0; i < set->n_bad_files; i++)
        free(set->bad_files[i]);
    free(set->bad_files);
    for (size_t i = 0; i < set->n_held; i++)
        free(set->held[i].name);
    free(set->held);
    for (size_t i = 0; i < set->n_hosts; i++)
        host_free(set->hosts[i]);
    free(set->hosts);
    diag_list_clear(&set->diags);
    *set = (SpecSet) {};
}

static bool strv_has(char *const *v, size_t n, const char *s) {
    for (size_t i = 0; i < n; i++)
        if (streq(v[i], s))
            return true;
    return false;
}

void spec_set_drop_bad_files(SpecSet *set) {
    if (set->diags.n_errors == 0)
        return;
    size_t k = 0;
    for (size_t i = 0; i < set->n; i++) {
        Spec *s = set->specs[i];
        /* a file already rejected whose specs are here is the daemon's last good version */
        bool bad = !strv_has(set->bad_files, set->n_bad_files, s->file);
        bool err = false;
        for (size_t j = 0; bad && j < set->diags.n && !err; j++)
            err = set->diags.items[j].level == DIAG_ERROR && streq(set->diags.items[j].file, s->file);
        if (bad && err) {
            spec_set_hold(set, s);
            spec_free(s);
        } else
            set->specs[k++] = s;
    }
    set->n = k;
    for (size_t j = 0; j < set->diags.n; j++) {
        const Diag *d = &set->diags.items[j];
        if (d->level == DIAG_ERROR && !strv_has(set->bad_files, set->n_bad_files, d->file) &&
            strv_has(set->files, set->n_files, d->file))
            *(char **) array_push(&set->bad_files, &set->n_bad_files, sizeof(char *)) = xstrdup(d->file);
    }
}

void spec_set_hold(SpecSet *set, const Spec *s) {
    if (spec_set_is_held(set, s->kind, s->name))
        return;
    struct SpecHeld *h = array_push(&set->held, &set->n_held, sizeof(struct SpecHeld));
    *h = (struct SpecHeld) { .kind = s->kind, .name = xstrdup(s->name) };
}

bool spec_set_is_held(const SpecSet *set, SpecKind kind, const char *name) {
    for (size_t i = 0; i < set->n_held; i++)
        if (set->held[i].kind == kind && streq(set->held[i].name, name))
            return true;
    return false;
}

void spec_set_drop_held(SpecSet *set, const bool *drop, size_t n_drop) {
    size_t w = 0;
    for (size_t k = 0; k < set->n; k++) {
        if (k < n_drop && drop[k]) {
            spec_set_hold(set, set->specs[k]);
            spec_free(set->specs[k]);
        } else
            set->specs[w++] = set->specs[k];
    }
    set->n = w;
    spec_set_drop_bad_files(set);
}

const Spec *spec_set_find(const SpecSet *set, SpecKind kind, const char *name) {
    for (size_t i = 0; i < set->n; i++)
        if (set->specs[i]->kind == kind && streq(set->specs[i]->name, name))
            return set->specs[i];
    return NULL;
}

static int index_cmp_key(SpecKind kind, const char *name, const struct SpecIndexEntry *e) {
    if (kind != e->spec->kind)
        return kind < e->spec->kind ? -1 : 1;
    return strcmp(name, e->spec->name);
}

/* Sorted by kind, name, then position in the set: the first of equals is the set's first. */
static int index_cmp(const void *a, const void *b) {
    const struct SpecIndexEntry *x = a, *y = b;
    int c = index_cmp_key(x->spec->kind, x->spec->name, y);
    return c != 0 ? c : x->pos < y->pos ? -1 : x->pos > y->pos;
}

void spec_index_build(SpecIndex *ix, const SpecSet *set) {
    *ix = (SpecIndex) { .items = xmalloc0((set->n + 1) * sizeof(struct SpecIndexEntry)) };
    for (size_t i = 0; i < set->n; i++)
        if (set->specs[i]->name)
            ix->items[ix->n++] = (struct SpecIndexEntry) { set->specs[i], i };
    qsort(ix->items, ix->n, sizeof(struct SpecIndexEntry), index_cmp);
}

const Spec *spec_index_find(const SpecIndex *ix, SpecKind kind, const char *name) {
    size_t lo = 0, hi = ix->n;   /* the first entry not below (kind, name) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (index_cmp_key(kind, name, &ix->items[mid]) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ix->n && index_cmp_key(kind, name, &ix->items[lo]) == 0 ? ix->items[lo].spec : NULL;
}

void spec_index_clear(SpecIndex *ix) {
    free(ix->items);
    *ix = (SpecIndex) {};
}

static bool strv_equal(char *const *a, size_t na, char *const *b, size_t nb) {
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (!streq(a[i], b[i]))
            return false;
    return true;
}

static bool spec_same(const Spec *a, const Spec *b) {
    if (a == b)
        return true;
    if (a->kind != b->kind || !streq(a->name, b->name) || !streq(a->file, b->file) ||
        a->line != b->line || a->col != b->col)
        return false;
    return spec_canonical_hash64(a) == spec_canonical_hash64(b);
}

const char *spec_set_difference(const SpecSet *a, const SpecSet *b) {
    if (a->n != b->n)
        return "not as many specs";
    for (size_t i = 0; i < a->n; i++)
        if (!spec_same(a->specs[i], b->specs[i]))
            return "a spec differs (kind, name, place or content)";
    if (!diag_list_equal(&a->diags, &b->diags))
        return "the diagnostics differ";
    if (!strv_equal(a->files, a->n_files, b->files, b->n_files))
        return "the files differ";
    if (!strv_equal(a->bad_files, a->n_bad_files, b->bad_files, b->n_bad_files))
        return "the files with errors differ";
    if (a->n_held != b->n_held || a->n_hosts != b->n_hosts || a->incomplete != b->incomplete)
        return "the held specs or the hosts differ";
    for (size_t i = 0; i < a->n_held; i++)
        if (a->held[i].kind != b->held[i].kind || !streq(a->held[i].name, b->held[i].name))
            return "the held specs differ";
    return NULL;
}
