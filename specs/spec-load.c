/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec-internal.h"

/* ---- freeing ---- */

static void table_clear(const KeyTable *t, void *base);

static void row_clear(const KeyDef *k, void *base) {
    switch (k->type) {
    case VT_MAP:
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

static void row_copy(const KeyDef *k, void *dst, const void *src) {
    switch (k->type) {
    case VT_MAP:
        *key_value(k, dst) = (Value) {};
        value_copy(key_value(k, dst), key_value(k, (void *) src));
        table_copy(k->sub, dst, src);
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

/* ---- parsing a document through the tables ---- */

static void set_default(const KeyDef *k, Value *v) {
    YNode n = { .type = YNODE_SCALAR, .value = (char *) k->def };
    _cleanup_free_ char *msg = NULL;
    if (value_parse(k, &n, v, &msg) < 0)
        abort();   /* a default that does not parse is a bug in the table; a test checks all */
    v->defaulted = true;
    v->line = v->col = 0;
}

static void apply_defaults(const KeyTable *t, void *base);

static void row_default(const KeyDef *k, void *base) {
    if (k->type == VT_MAP) {
        Value *present = key_value(k, base);
        if (!present->set && (k->flags & KEY_ALWAYS)) {
            present->set = present->defaulted = true;
            present->s = xstrdup("true");
        }
        if (present->set)
            apply_defaults(k->sub, base);
        return;
    }
    if (k->type == VT_LIST) {
        List *l = key_list(k, base);
        for (size_t i = 0; i < l->n; i++)
            apply_defaults(k->sub, (char *) l->items + i * k->sub->item_size);
        return;
    }
    if (k->type == VT_ENUM_LIST || !k->def)
        return;
    Value *v = key_value(k, base);
    if (!v->set)
        set_default(k, v);
}

static void apply_defaults(const KeyTable *t, void *base) {
    for (size_t i = 0; i < t->n_keys; i++)
        row_default(&t->keys[i], base);
}

static void parse_map(ParseCtx *c, const KeyTable *t, const YNode *map, void *base,
                      const char *path);

static void parse_row(ParseCtx *c, const KeyDef *k, const YNode *n, void *base,
                      const char *path) {
    _cleanup_free_ char *msg = NULL;

    switch (k->type) {
    case VT_MAP: {
        Value *present = key_value(k, base);
        if (n->type != YNODE_MAP) {
            if (ynode_is_null(n))
                diag_add(c->diags, DIAG_ERROR, c->file, n->line, n->col,
                         "'%s' is empty; write %s: {} for all defaults, or leave it out", path, path);
            else
                diag_add(c->diags, DIAG_ERROR, c->file, n->line, n->col,
                         "'%s' must be a map of keys (%s)", path, k->sub->doc);
            return;
        }
        present->set = true;
        present->s = xstrdup("true");
        present->line = n->line;
        present->col = n->col;
        parse_map(c, k->sub, n, base, path);
        return;
    }
    case VT_LIST:
    case VT_ENUM_LIST: {
        List *l = key_list(k, base);
        if (n->type != YNODE_SEQ) {
            diag_add(c->diags, DIAG_ERROR, c->file, n->line, n->col,
                     "'%s' must be a list", path);
            return;
        }
        l->line = n->line;
        l->col = n->col;
        for (size_t i = 0; i < n->n; i++) {
            const YNode *item = n->items[i];
            _cleanup_free_ char *ipath = xasprintf("%s[%zu]", path, i);
            if (k->type == VT_ENUM_LIST) {
                Value *v = array_push(&l->items, &l->n, sizeof(Value));
                if (value_parse(k, item, v, &msg) < 0) {
                    diag_add(c->diags, DIAG_ERROR, c->file, item->line, item->col, "%s", msg);
                    free(msg);
                    msg = NULL;
                }
                continue;
            }
            void *ibase = array_push(&l->items, &l->n, k->sub->item_size);
            if (item->type != YNODE_MAP) {
                diag_add(c->diags, DIAG_ERROR, c->file, item->line, item->col,
                         "each entry of '%s' must be a map", path);
                continue;
            }
            parse_map(c, k->sub, item, ibase, ipath);
        }
        return;
    }
    default:
        if (ynode_is_null(n)) {
            /* a required key has no default to fall back to */
            diag_add(c->diags, DIAG_ERROR, c->file, n->line, n->col,
                     (k->flags & KEY_REQUIRED) ? "'%s' has no value, and it is required"
                                               : "'%s' has no value; leave the key out to get "
                                                 "the default", path);
            return;
        }
        if (value_parse(k, n, key_value(k, base), &msg) < 0) {
            /* Messages name the short key; say the full path for nested keys. */
            if (strchr(path, '.') || strchr(path, '['))
                diag_add(c->diags, DIAG_ERROR, c->file, n->line, n->col, "%s (in '%s')", msg, path);
            else
                diag_add(c->diags, DIAG_ERROR, c->file, n->line, n->col, "%s", msg);
        }
    }
}

static void parse_map(ParseCtx *c, const KeyTable *t, const YNode *map, void *base,
                      const char *path) {
    for (size_t i = 0; i < map->n; i++) {
        const char *key = map->keys[i];
        _cleanup_free_ char *kpath = path ? xasprintf("%s.%s", path, key) : xstrdup(key);

        if (!path && streq(key, "kind"))
            continue;
        if (!strncmp(key, "x-", 2))
            continue;   /* reserved for users' own annotations */
        const KeyDef *k = key_table_find(t, key);
        if (!k) {
            const char *s = key_table_suggest(t, key);
            if (s)
                diag_add(c->diags, DIAG_ERROR, c->file, map->key_line[i], map->key_col[i],
                         "unknown key '%s', did you mean '%s'?", kpath, s);
            else
                diag_add(c->diags, DIAG_ERROR, c->file, map->key_line[i], map->key_col[i],
                         "unknown key '%s' in %s", kpath, t->name);
            continue;
        }
        parse_row(c, k, map->items[i], base, kpath);
    }
    for (size_t i = 0; i < t->n_keys; i++) {
        const KeyDef *k = &t->keys[i];
        if (!(k->flags & KEY_REQUIRED) || ynode_map_get(map, k->key))
            continue;
        if (path)
            diag_add(c->diags, DIAG_ERROR, c->file, map->line, map->col,
                     "'%s' needs '%s'", path, k->key);
        else
            diag_add(c->diags, DIAG_ERROR, c->file, map->line, map->col,
                     "%s needs '%s'", t->name, k->key);
    }
}

static Spec *spec_from_document(const char *file, const YNode *doc, DiagList *diags) {
    const YNode *kind;
    SpecKind k;

    if (doc->type != YNODE_MAP) {
        diag_add(diags, DIAG_ERROR, file, doc->line, doc->col,
                 "a spec document must be a map with 'kind' and 'name'");
        return NULL;
    }
    kind = ynode_map_get(doc, "kind");
    if (!kind) {
        diag_add(diags, DIAG_ERROR, file, doc->line, doc->col,
                 "document has no 'kind' (Domain, Network or Pool)");
        return NULL;
    }
    if (kind->type != YNODE_SCALAR) {
        diag_add(diags, DIAG_ERROR, file, kind->line, kind->col,
                 "'kind' must be Domain, Network or Pool, not a %s",
                 kind->type == YNODE_MAP ? "map" : "list");
        return NULL;
    }
    if (ynode_is_null(kind)) {
        diag_add(diags, DIAG_ERROR, file, kind->line, kind->col,
                 "'kind' has no value (Domain, Network or Pool)");
        return NULL;
    }
    if ((k = spec_kind_from_string(kind->value)) < 0) {
        const char *v = kind->type == YNODE_SCALAR ? kind->value : "";
        const char *hint = NULL;
        for (int i = 0; i < _KIND_MAX; i++)
            if (!strcasecmp(v, spec_kind_to_string(i)))
                hint = spec_kind_to_string(i);
        if (hint)
            diag_add(diags, DIAG_ERROR, file, kind->line, kind->col,
                     "unknown kind '%s', did you mean '%s'?", v, hint);
        else
            diag_add(diags, DIAG_ERROR, file, kind->line, kind->col,
                     "unknown kind '%s' (Domain, Network or Pool)", v);
        return NULL;
    }

    _cleanup_(spec_freep) Spec *s = xmalloc0(sizeof(Spec));
    size_t before = diags->n_errors;
    s->n_ref = 1;
    ParseCtx c = { .file = file, .diags = diags };
    s->kind = k;
    s->file = xstrdup(file);
    s->line = doc->line;
    s->col = doc->col;
    parse_map(&c, spec_kind_table(k), doc, &s->domain, NULL);
    if (diags->n_errors > before)
        return NULL;
    apply_defaults(spec_kind_table(k), &s->domain);
    s->name = xstrdup(((Value *) &s->domain)->s);   /* name is the first field of every kind */
    spec_verify(s, diags);
    if (diags->n_errors > before)
        return NULL;
    spec_resolve(s);
    return TAKE_PTR(s);
}

static void add_string(char ***array, size_t *n, const char *s) {
    *(char **) array_push(array, n, sizeof(char *)) = xstrdup(s);
}

int spec_load_buffer(SpecSet *set, const char *file, const char *buf, size_t len) {
    YNode **docs = NULL;
    DiagList d = {};
    Spec **specs = NULL;
    size_t n_specs = 0;

    add_string(&set->files, &set->n_files, file);
    if (!yaml_refuse_binary(file, buf, len, &d)) {
        size_t n = yaml_parse_documents(file, buf, len, &docs, &d);
        size_t used = 0;
        for (size_t i = 0; i < n; i++) {
            if (ynode_is_null(docs[i]))
                continue;   /* empty document, e.g. after a trailing '---' */
            used++;
            Spec *s = spec_from_document(file, docs[i], &d);
            if (s)
                *(Spec **) array_push(&specs, &n_specs, sizeof(Spec *)) = s;
        }
        if (used == 0 && d.n_errors == 0)
            diag_add(&d, DIAG_ERROR, file, 0, 0, "file holds no spec document");
        ynode_free_many(docs, n);
    }

    if (d.n_errors > 0) {
        /* A file with any error contributes nothing: half a file is never applied. */
        for (size_t i = 0; i < n_specs; i++)
            spec_free(specs[i]);
        n_specs = 0;
        add_string(&set->bad_files, &set->n_bad_files, file);
    }
    for (size_t i = 0; i < n_specs; i++)
        *(Spec **) array_push(&set->specs, &set->n, sizeof(Spec *)) = specs[i];
    free(specs);
    diag_list_move(&set->diags, &d);
    return 0;
}

bool spec_file_name(const char *name) {
    size_t l = strlen(name);
    if (name[0] == '.')
        return false;
    return (l > 5 && streq(name + l - 5, ".yaml")) || (l > 4 && streq(name + l - 4, ".yml"));
}

int spec_read_file(const char *path, char **ret_buf, size_t *ret_len, char **ret_msg) {
    struct stat st;
    int r;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        r = -errno;
        *ret_msg = xasprintf("cannot open: %s", strerror(-r));
        return r;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        *ret_msg = xstrdup("not a regular file");
        return -EINVAL;
    }
    if (st.st_size > (off_t) YAML_MAX_FILE_SIZE) {
        close(fd);
        *ret_msg = xasprintf("file is larger than %u bytes", YAML_MAX_FILE_SIZE);
        return -EFBIG;
    }
    size_t cap = (size_t) st.st_size + 1, len = 0;
    _cleanup_free_ char *buf = xmalloc0(cap + 1);
    for (;;) {
        ssize_t k = read(fd, buf + len, cap - len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            r = -errno;
            close(fd);
            *ret_msg = xasprintf("cannot read: %s", strerror(-r));
            return r;
        }
        if (k == 0)
            break;
        len += (size_t) k;
        if (len == cap) {
            /* the file grew while we read it */
            if (cap > YAML_MAX_FILE_SIZE) {
                close(fd);
                *ret_msg = xasprintf("file is larger than %u bytes", YAML_MAX_FILE_SIZE);
                return -EFBIG;
            }
            cap *= 2;
            buf = xrealloc(buf, cap + 1);
        }
    }
    close(fd);
    buf[len] = 0;
    *ret_buf = TAKE_PTR(buf);
    *ret_len = len;
    return 0;
}

static int load_file(SpecSet *set, const char *path, const char *root) {
    _cleanup_free_ char *buf = NULL, *msg = NULL;
    size_t len;
    int r = spec_check_trust(path, root, &msg);
    if (r < 0 && spec_trust_warn_only) {
        /* read-only commands (validate, render, plan) say what apply would refuse */
        diag_add(&set->diags, DIAG_WARNING, path, 0, 0, "apply and the daemon would refuse this "
                 "file: %s", msg);
        free(msg);
        msg = NULL;
        r = 0;
    }
    if (r >= 0)
        r = spec_read_file(path, &buf, &len, &msg);
    if (r < 0) {
        add_string(&set->files, &set->n_files, path);
        add_string(&set->bad_files, &set->n_bad_files, path);
        diag_add(&set->diags, DIAG_ERROR, path, 0, 0, "%s", msg);
        return r;
    }
    return spec_load_buffer(set, path, buf, len);
}

/* The files to load, in walk order, each with the root it was found under. */
typedef struct FileList {
    struct { char *path; const char *root; } *items;
    size_t n;
    const char *root;   /* while walking */
} FileList;

static void list_cb(const char *file, void *userdata) {
    FileList *l = userdata;
    typeof(*l->items) *it = array_push(&l->items, &l->n, sizeof(*l->items));
    it->path = xstrdup(file);
    it->root = l->root;
}

/* One loader thread: a contiguous slice of the list into a set of its own. */
typedef struct LoadSlice {
    const FileList *list;
    size_t from, to;
    SpecSet set;
} LoadSlice;

static void *load_slice(void *arg) {
    LoadSlice *sl = arg;
    for (size_t i = sl->from; i < sl->to; i++)
        load_file(&sl->set, sl->list->items[i].path, sl->list->items[i].root);
    return NULL;
}

static void move_strv(char ***dst, size_t *n_dst, char ***src, size_t *n_src) {
    for (size_t i = 0; i < *n_src; i++)
        *(char **) array_push(dst, n_dst, sizeof(char *)) = (*src)[i];
    free(*src);
    *src = NULL;
    *n_src = 0;
}

/* Appends what a slice loaded to set, in order (the slice set is left empty). */
static void set_append(SpecSet *set, SpecSet *from) {
    for (size_t i = 0; i < from->n; i++)
        *(Spec **) array_push(&set->specs, &set->n, sizeof(Spec *)) = from->specs[i];
    free(from->specs);
    from->specs = NULL;
    from->n = 0;
    move_strv(&set->files, &set->n_files, &from->files, &from->n_files);
    move_strv(&set->bad_files, &set->n_bad_files, &from->bad_files, &from->n_bad_files);
    diag_list_move(&set->diags, &from->diags);
    spec_set_clear(from);
}

/* Reading and parsing files is independent per file: a large tree is split into contiguous
 * slices loaded side by side (up to LOAD_THREADS, one per CPU), then joined in walk order, so
 * the result is the same as a sequential load. */
#define LOAD_THREADS 4
#define LOAD_MIN_FILES_PER_THREAD 64

int spec_load_paths(SpecSet *set, char *const *paths, size_t n_paths) {
    FileList list = {};
    int ret = 0;
    for (size_t i = 0; i < n_paths; i++) {
        list.root = paths[i];
        int r = spec_walk(paths[i], list_cb, &list, &set->diags);
        if (r != 0)
            set->incomplete = true;
        if (r < 0 && ret == 0)
            ret = r;
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n_th = list.n / LOAD_MIN_FILES_PER_THREAD;
    if (n_th > LOAD_THREADS)
        n_th = LOAD_THREADS;
    if (cpus > 0 && n_th > (size_t) cpus)
        n_th = (size_t) cpus;
    if (n_th < 2) {
        LoadSlice all = { .list = &list, .from = 0, .to = list.n };
        load_slice(&all);
        set_append(set, &all.set);
    } else {
        LoadSlice sl[LOAD_THREADS] = {};
        pthread_t th[LOAD_THREADS];
        bool started[LOAD_THREADS] = {};
        for (size_t t = 0; t < n_th; t++) {
            sl[t] = (LoadSlice) { .list = &list, .from = list.n * t / n_th, .to = list.n * (t + 1) / n_th };
            started[t] = t > 0 && pthread_create(&th[t], NULL, load_slice, &sl[t]) == 0;
        }
        for (size_t t = 0; t < n_th; t++)
            if (!started[t])
                load_slice(&sl[t]);   /* slice 0 on this thread, and any a thread could not take */
        for (size_t t = 0; t < n_th; t++) {
            if (started[t])
                pthread_join(th[t], NULL);
            set_append(set, &sl[t].set);
        }
    }
    for (size_t i = 0; i < list.n; i++)
        free(list.items[i].path);
    free(list.items);
    spec_set_verify(set);
    return ret;
}

static int spec_key_cmp(const void *a, const void *b) {
    const Spec *x = *(Spec *const *) a, *y = *(Spec *const *) b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return strcmp(x->name, y->name);
}

void spec_set_verify(SpecSet *set) {
    /* duplicates by sorting a copy: O(n log n), so a 1000-spec tree stays cheap to rescan */
    Spec **sorted = xmalloc0((set->n + 1) * sizeof(Spec *));
    bool *drop = xmalloc0(set->n * sizeof(bool) + 1);
    if (set->n > 0)
        memcpy(sorted, set->specs, set->n * sizeof(Spec *));
    qsort(sorted, set->n, sizeof(Spec *), spec_key_cmp);
    for (size_t i = 0; i + 1 < set->n; i++) {
        size_t j = i + 1;
        if (spec_key_cmp(&sorted[i], &sorted[j]) != 0)
            continue;
        /* report in file order: the earlier definition first */
        const Spec *a = sorted[i], *b = sorted[j];
        for (size_t k = 0; k < set->n; k++)
            if (set->specs[k] == b) {
                for (size_t m = 0; m < k; m++)
                    if (set->specs[m] == a)
                        goto ordered;
                const Spec *t = a;
                a = b;
                b = t;
                break;
            }
    ordered:
        diag_add(&set->diags, DIAG_ERROR, b->file, b->line, b->col,
                 "%s '%s' is also defined at %s:%u:%u", spec_kind_to_string(b->kind),
                 b->name, a->file, a->line, a->col);
        diag_add(&set->diags, DIAG_ERROR, a->file, a->line, a->col,
                 "%s '%s' is also defined at %s:%u:%u", spec_kind_to_string(a->kind),
                 a->name, b->file, b->line, b->col);
        for (size_t k = 0; k < set->n; k++)
            if (set->specs[k] == a || set->specs[k] == b)
                drop[k] = true;
    }
    free(sorted);
    spec_verify_cross(set, &set->diags, drop);
    spec_set_drop_held(set, drop, set->n);
    free(drop);
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
