/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec-internal.h"
#include "spec-template.h"

/* ---- parsing a document through the tables ---- */

static void parse_map(ParseCtx *c, const KeyTable *t, const YNode *map, void *base,
                      const char *path);

/* Map k is written at n: its section (a boxed one allocated now), its `present` set. */
static void *map_written(const KeyDef *k, void *base, const YNode *n) {
    void *sub = spec_section_ensure(base, k);
    Value *present = (k->flags & KEY_BOXED) ? sub : key_value(k, base);
    present->set = true;
    value_set_shared(present, "true");
    present->line = n->line;
    present->col = n->col;
    return sub;
}

static void parse_row(ParseCtx *c, const KeyDef *k, const YNode *n, void *base,
                      const char *path) {
    _cleanup_free_ char *msg = NULL;

    switch (k->type) {
    case VT_MAP: {
        if (n->type == YNODE_SCALAR && (k->flags & KEY_SHORTHAND) && !ynode_is_null(n)) {
            /* `image: PATH` is `image: {path: PATH}` */
            void *sub = map_written(k, base, n);
            KeyDef as = k->sub->keys[0];
            as.key = k->key;   /* messages name the key as written */
            parse_row(c, &as, n, sub, path);
            return;
        }
        if (n->type != YNODE_MAP) {
            if (ynode_is_null(n))
                diag_add(c->diags, DIAG_ERROR, c->file, n->line, n->col,
                         "'%s' is empty; write %s: {} for all defaults, or leave it out", path, path);
            else
                diag_add(c->diags, DIAG_ERROR, c->file, n->line, n->col,
                         "'%s' must be a map of keys (%s)", path, k->sub->doc);
            return;
        }
        parse_map(c, k->sub, n, map_written(k, base, n), path);
        return;
    }
    case VT_LIST:
    case VT_ENUM_LIST: {
        List *l = key_list(k, base);
        if (k->flags & KEY_LABELS) {
            spec_parse_labels(c, k, n, l, path);
            return;
        }
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

        if (!path && (streq(key, "kind") || streq(key, "from")))
            continue;   /* from: the templates, applied before (spec-template.c) */
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
        if (c->template && (k->flags & KEY_NO_TEMPLATE)) {
            diag_add(c->diags, DIAG_ERROR, c->file, map->key_line[i], map->key_col[i],
                     "'%s' cannot be set in a template: each %s sets its own", kpath,
                     path ? "item" : t->name);
            continue;
        }
        parse_row(c, k, map->items[i], base, kpath);
    }
    for (size_t i = 0; i < t->n_keys && !c->template; i++) {
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

HostSpec *host_from_document(const char *file, const YNode *doc, DiagList *diags) {
    size_t before = diags->n_errors;
    ParseCtx c = { .file = file, .diags = diags };
    HostSpec *h = xmalloc0(sizeof(HostSpec));
    h->file = xstrdup(file);
    h->line = doc->line;
    h->col = doc->col;
    parse_map(&c, &host_table, doc, h, NULL);
    if (diags->n_errors > before) {
        host_free(h);
        return NULL;
    }
    apply_defaults(&host_table, h);
    return h;
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
        if (!strcasecmp(v, TEMPLATE_KIND))
            hint = TEMPLATE_KIND;
        if (!strcasecmp(v, HOST_KIND))
            hint = HOST_KIND;
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

void spec_check_template(const char *file, SpecKind kind, const YNode *body, DiagList *diags) {
    ParseCtx c = { .file = file, .diags = diags, .template = true };
    _cleanup_(spec_freep) Spec *s = xmalloc0(sizeof(Spec));
    s->n_ref = 1;
    s->kind = kind;
    parse_map(&c, spec_kind_table(kind), body, &s->domain, NULL);
}

static void add_string(char ***array, size_t *n, const char *s) {
    *(char **) array_push(array, n, sizeof(char *)) = xstrdup(s);
}

void loaded_file_clear(LoadedFile *lf) {
    free(lf->file);
    ynode_free_many(lf->docs, lf->n_docs);
    for (size_t i = 0; i < lf->n_templates; i++)
        template_free(lf->templates[i]);
    free(lf->templates);
    diag_list_clear(&lf->d);
    free(lf->text);
    *lf = (LoadedFile) {};
}

void loaded_file_parse(LoadedFile *lf, const char *file, const char *buf, size_t len) {
    YNode **docs = NULL;
    size_t used = 0;

    lf->file = xstrdup(file);
    if (yaml_refuse_binary(file, buf, len, &lf->d))
        return;
    size_t n = yaml_parse_documents(file, buf, len, &docs, &lf->d);
    for (size_t i = 0; i < n; i++) {
        if (ynode_is_null(docs[i])) {
            ynode_free(docs[i]);   /* empty document, e.g. after a trailing '---' */
            continue;
        }
        used++;
        if (ynode_is_template(docs[i])) {
            Template *t = template_from_document(file, docs[i], &lf->d);
            size_t before = lf->d.n_errors;
            if (t)
                spec_check_template(file, t->applies_to, t->body, &lf->d);
            if (t && lf->d.n_errors > before)
                t->invalid = t->bad = true;
            if (t)
                *(Template **) array_push(&lf->templates, &lf->n_templates, sizeof(Template *)) = t;
            ynode_free(docs[i]);
        } else
            *(YNode **) array_push(&lf->docs, &lf->n_docs, sizeof(YNode *)) = docs[i];
    }
    free(docs);
    if (used == 0 && lf->d.n_errors == 0)
        diag_add(&lf->d, DIAG_ERROR, file, 0, 0, "file holds no spec document");
}

/* Every template of files (in order) into ts, then the checks across them. */
void templates_collect(TemplateSet *ts, LoadedFile *files, size_t n) {
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < files[i].n_templates; j++) {
            files[i].templates[j]->owner_diags = &files[i].d;
            template_set_add(ts, files[i].templates[j]);
        }
    template_set_verify(ts);
}

static SpecKind document_kind(const YNode *doc) {
    const YNode *k = ynode_map_get(doc, "kind");
    return k && k->type == YNODE_SCALAR ? spec_kind_from_string(k->value) : _KIND_INVALID;
}

static void names_free(char **v, size_t n) {
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void loaded_file_build(SpecSet *set, LoadedFile *lf, const TemplateSet *ts) {
    Spec **specs = NULL;
    size_t n_specs = 0;

    HostSpec **hosts = NULL;
    size_t n_hosts = 0;

    add_string(&set->files, &set->n_files, lf->file);
    for (size_t i = 0; i < lf->n_docs && !lf->unread; i++) {
        const YNode *doc = lf->docs[i];
        _cleanup_(ynode_freep) YNode *merged = NULL;
        if (ynode_is_host(doc)) {
            HostSpec *h = host_from_document(lf->file, doc, &lf->d);
            if (h)
                *(HostSpec **) array_push(&hosts, &n_hosts, sizeof(HostSpec *)) = h;
            continue;
        }
        SpecKind k = document_kind(doc);
        char **tfiles = NULL;
        size_t n_tfiles = 0;
        if (k >= 0 && template_expand(ts, lf->file, doc, k, &merged, &tfiles, &n_tfiles, &lf->d) < 0) {
            diag_list_clear_uses(&lf->d);
            names_free(tfiles, n_tfiles);
            continue;
        }
        Spec *s = spec_from_document(lf->file, merged ?: doc, &lf->d);
        diag_list_clear_uses(&lf->d);
        if (s) {
            s->template_files = tfiles;
            s->n_template_files = n_tfiles;
            *(Spec **) array_push(&specs, &n_specs, sizeof(Spec *)) = s;
        } else
            names_free(tfiles, n_tfiles);
    }
    if (lf->d.n_errors > 0) {
        /* A file with any error contributes nothing: half a file is never applied. */
        for (size_t i = 0; i < n_specs; i++)
            spec_free(specs[i]);
        n_specs = 0;
        for (size_t i = 0; i < n_hosts; i++)
            host_free(hosts[i]);
        n_hosts = 0;
        add_string(&set->bad_files, &set->n_bad_files, lf->file);
    }
    for (size_t i = 0; i < n_specs; i++)
        *(Spec **) array_push(&set->specs, &set->n, sizeof(Spec *)) = specs[i];
    free(specs);
    for (size_t i = 0; i < n_hosts; i++)
        *(HostSpec **) array_push(&set->hosts, &set->n_hosts, sizeof(HostSpec *)) = hosts[i];
    free(hosts);
    diag_list_move(&set->diags, &lf->d);
}

int spec_load_buffer(SpecSet *set, const char *file, const char *buf, size_t len) {
    LoadedFile lf = {};
    TemplateSet ts = {};
    loaded_file_parse(&lf, file, buf, len);
    templates_collect(&ts, &lf, 1);
    loaded_file_build(set, &lf, &ts);
    template_set_clear(&ts);
    loaded_file_clear(&lf);
    return 0;
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

static void load_file(LoadedFile *lf, const char *path, const char *root, SpecTrustMemo *memo) {
    _cleanup_free_ char *buf = NULL, *msg = NULL;
    size_t len;
    int r = spec_check_trust(path, root, memo, &msg);
    if (r < 0 && spec_trust_warn_only) {
        /* read-only commands (validate, render, plan) say what apply would refuse */
        diag_add(&lf->d, DIAG_WARNING, path, 0, 0, "apply and the daemon would refuse this "
                 "file: %s", msg);
        free(msg);
        msg = NULL;
        r = 0;
    }
    if (r >= 0)
        r = spec_read_file(path, &buf, &len, &msg);
    if (r < 0) {
        lf->file = xstrdup(path);
        lf->unread = true;
        diag_add(&lf->d, DIAG_ERROR, path, 0, 0, "%s", msg);
        return;
    }
    loaded_file_parse(lf, path, buf, len);
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

/* One loader thread: a contiguous slice of the list, first read and parsed (ts NULL), then
 * built into a set of its own. */
typedef struct LoadSlice {
    const FileList *list;
    LoadedFile *files;
    const TemplateSet *ts;
    size_t from, to;
    SpecSet set;
} LoadSlice;

static void *load_slice(void *arg) {
    LoadSlice *sl = arg;
    SpecTrustMemo memo = {};   /* this load's, on this thread */
    for (size_t i = sl->from; i < sl->to; i++) {
        if (!sl->ts)
            load_file(&sl->files[i], sl->list->items[i].path, sl->list->items[i].root, &memo);
        else
            loaded_file_build(&sl->set, &sl->files[i], sl->ts);
    }
    spec_trust_memo_clear(&memo);
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
    for (size_t i = 0; i < from->n_hosts; i++)
        *(HostSpec **) array_push(&set->hosts, &set->n_hosts, sizeof(HostSpec *)) = from->hosts[i];
    free(from->hosts);
    from->hosts = NULL;
    from->n_hosts = 0;
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

/* The step of loading (ts NULL: read and parse, else build) over every file of list, in
 * slices side by side; what the build gives is appended to set in walk order. */
static void run_slices(SpecSet *set, const FileList *list, LoadedFile *files, const TemplateSet *ts) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n_th = list->n / LOAD_MIN_FILES_PER_THREAD;
    if (n_th > LOAD_THREADS)
        n_th = LOAD_THREADS;
    if (cpus > 0 && n_th > (size_t) cpus)
        n_th = (size_t) cpus;
    if (n_th < 2) {
        LoadSlice all = { .list = list, .files = files, .ts = ts, .from = 0, .to = list->n };
        load_slice(&all);
        set_append(set, &all.set);
        return;
    }
    LoadSlice sl[LOAD_THREADS] = {};
    pthread_t th[LOAD_THREADS];
    bool started[LOAD_THREADS] = {};
    for (size_t t = 0; t < n_th; t++) {
        sl[t] = (LoadSlice) { .list = list, .files = files, .ts = ts, .from = list->n * t / n_th,
                              .to = list->n * (t + 1) / n_th };
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
    LoadedFile *files = xmalloc0((list.n + 1) * sizeof(LoadedFile));
    TemplateSet ts = {};
    run_slices(set, &list, files, NULL);
    templates_collect(&ts, files, list.n);
    run_slices(set, &list, files, &ts);
    template_set_clear(&ts);
    for (size_t i = 0; i < list.n; i++)
        loaded_file_clear(&files[i]);
    free(files);
    for (size_t i = 0; i < list.n; i++)
        free(list.items[i].path);
    free(list.items);
    spec_set_verify(set);
    return ret;
}
