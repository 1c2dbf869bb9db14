/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "spec-store.h"

static void spec_file_clear(SpecFile *f) {
    free(f->path);
    for (size_t i = 0; i < f->n_specs; i++)
        spec_unref(f->specs[i]);
    free(f->specs);
    diag_list_clear(&f->diags);
    *f = (SpecFile) {};
}

void spec_store_init(SpecStore *st, const char *root) {
    *st = (SpecStore) { .root = xstrdup(root) };
}

void spec_store_clear(SpecStore *st) {
    for (size_t i = 0; i < st->n_files; i++)
        spec_file_clear(&st->files[i]);
    free(st->files);
    free(st->root);
    diag_list_clear(&st->tree_diags);
    *st = (SpecStore) {};
}

static uint64_t hash_bytes(const char *p, size_t n) {
    return hash_fnv1a(p, n, FNV1A_INIT);
}

typedef struct ScanCtx {
    SpecStore *st;
    bool force;
    int changed;
    size_t n_known;
} ScanCtx;

/* The order spec_walk visits files in: path components compared one by one, each directory's
 * entries sorted by name. Files are kept in this order, whether they were found by a walk or
 * named by an inotify event, so that specs (and the diagnostics about duplicates) come out the
 * same either way. */
static int walk_order_cmp(const char *a, const char *b) {
    for (;;) {
        size_t la = strcspn(a, "/"), lb = strcspn(b, "/");
        int c = strncmp(a, b, la < lb ? la : lb);
        if (c != 0)
            return c;
        if (la != lb)
            return la < lb ? -1 : 1;
        a += la;
        b += lb;
        if (!*a || !*b)
            return !*a && !*b ? 0 : !*a ? -1 : 1;
        a++;
        b++;
    }
}

static int spec_file_cmp(const void *x, const void *y) {
    return walk_order_cmp(((const SpecFile *) x)->path, ((const SpecFile *) y)->path);
}

static int file_key_cmp(const void *key, const void *element) {
    return walk_order_cmp(key, ((const SpecFile *) element)->path);
}

/* Binary search among the first n files (sorted in walk order). */
static size_t file_pos(const SpecStore *st, size_t n, const char *path, bool *ret_found) {
    return array_bsearch(path, st->files, n, sizeof(SpecFile), file_key_cmp, ret_found);
}

/* Reads one file again if its stat or content changed; *f is its entry (new ones have only a
 * path). Returns 1 when its content changed, else 0. */
static int refresh_file(SpecStore *st, SpecFile *f, const struct stat *sb, bool force) {
    const char *path = f->path;
    if (!force && f->content_hash != 0 && sb->st_dev == f->dev && sb->st_ino == f->ino &&
        sb->st_size == f->size && sb->st_mtim.tv_sec == f->mtime.tv_sec &&
        sb->st_mtim.tv_nsec == f->mtime.tv_nsec)
        return 0;
    f->dev = sb->st_dev;
    f->ino = sb->st_ino;
    f->size = sb->st_size;
    f->mtime = sb->st_mtim;

    _cleanup_free_ char *buf = NULL, *msg = NULL;
    size_t len = 0;
    int r = spec_check_trust(path, st->root, &msg);
    if (r >= 0)
        r = spec_read_file(path, &buf, &len, &msg);
    uint64_t h = r < 0 ? 1 : hash_bytes(buf, len) | 1;
    if (h == f->content_hash && !force)
        return 0;   /* touched, not changed */
    f->content_hash = h;
    diag_list_clear(&f->diags);
    if (r < 0) {
        diag_add(&f->diags, DIAG_ERROR, path, 0, 0, "%s", msg);
        return 1;
    }
    SpecSet tmp = {};
    spec_load_buffer(&tmp, path, buf, len);
    if (tmp.diags.n_errors > 0) {
        /* keep the last good version in force */
        diag_list_move(&f->diags, &tmp.diags);
        spec_set_clear(&tmp);
        return 1;
    }
    diag_list_move(&f->diags, &tmp.diags);   /* warnings */
    for (size_t i = 0; i < f->n_specs; i++)
        spec_unref(f->specs[i]);
    free(f->specs);
    f->specs = tmp.specs;
    f->n_specs = tmp.n;
    tmp.specs = NULL;
    tmp.n = 0;
    spec_set_clear(&tmp);
    return 1;
}

static void scan_cb(const char *path, void *userdata) {
    ScanCtx *c = userdata;
    struct stat sb;
    bool found;
    /* the files known before this walk are sorted; those it finds new are appended */
    size_t i = file_pos(c->st, c->n_known, path, &found);
    SpecFile *f = found ? &c->st->files[i] : NULL;

    if (!f) {
        f = array_push(&c->st->files, &c->st->n_files, sizeof(SpecFile));
        f->path = xstrdup(path);
    }
    f->seen = true;
    if (stat(path, &sb) < 0)
        return;
    if (c->st->writing && c->st->writing(path, c->st->writing_userdata)) {
        /* half-written: the stat stays the old one, so the read after its close sees a change */
        diag_add(&c->st->tree_diags, DIAG_WARNING, path, 0, 0, SPEC_STORE_WRITING ": %s",
                 f->content_hash != 0 ? "its last good version stays in force until it is closed"
                                      : "read once it is closed");
        return;
    }
    c->changed += refresh_file(c->st, f, &sb, c->force);
}

int spec_store_scan(SpecStore *st, bool force) {
    ScanCtx c = { .st = st, .force = force, .n_known = st->n_files };
    for (size_t i = 0; i < st->n_files; i++)
        st->files[i].seen = false;
    DiagList before = st->tree_diags;
    st->tree_diags = (DiagList) {};
    int r = spec_walk(st->root, scan_cb, &c, &st->tree_diags);
    if (!diag_list_equal(&before, &st->tree_diags))
        c.changed++;   /* a problem of the tree came or went: report it */
    diag_list_clear(&before);
    if (r < 0) {
        /* an unreadable or vanished tree is not an empty tree: keep everything */
        for (size_t i = c.n_known; i < st->n_files; i++)
            spec_file_clear(&st->files[i]);
        st->n_files = c.n_known;
        return r;
    }
    /* forget files that are gone: their objects become orphans (kept unless pruning). Not when
     * part of the tree could not be read (r > 0, the places are in tree_diags): a file not seen
     * may be there, so its specs stay in force, never orphaned or pruned. */
    size_t k = 0;
    for (size_t i = 0; i < st->n_files; i++) {
        if (st->files[i].seen || r > 0)
            st->files[k++] = st->files[i];
        else {
            spec_file_clear(&st->files[i]);
            c.changed++;
        }
    }
    st->n_files = k;
    if (st->n_files > 1 && (k > c.n_known || c.changed > 0))
        qsort(st->files, st->n_files, sizeof(SpecFile), spec_file_cmp);
    return c.changed;
}

/* Whether path names a file spec_walk would read under root: below it, no component a dotfile,
 * a spec file name, at most SPEC_WALK_MAX_DEPTH directories deep. */
static bool under_root(const char *root, const char *path) {
    size_t rl = strlen(root);
    while (rl > 1 && root[rl - 1] == '/')
        rl--;
    if (strncmp(path, root, rl) != 0 || path[rl] != '/')
        return false;
    const char *rel = path + rl + 1;
    unsigned depth = 0;
    for (const char *p = rel;; depth++) {
        size_t l = strcspn(p, "/");
        if (l == 0 || p[0] == '.')
            return false;
        if (!p[l])
            return depth <= SPEC_WALK_MAX_DEPTH && spec_file_name(p);
        p += l + 1;
    }
}

int spec_store_update(SpecStore *st, char *const *paths, size_t n_paths) {
    int changed = 0;
    for (size_t i = 0; i < n_paths; i++) {
        const char *path = paths[i];
        if (!under_root(st->root, path))
            continue;
        bool found;
        size_t pos = file_pos(st, st->n_files, path, &found);
        struct stat sb;
        if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode))
            return spec_store_scan(st, false);   /* the walk decides which links are followed */
        if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode)) {
            /* removed (or no longer a file, or moved where no watch sees it arrive: below the
             * depth limit, out of a link): only a walk of the whole tree can tell. It keeps the
             * files it did not see when it could not read all of the tree. */
            if (found) {
                int r = spec_store_scan(st, false);
                return r < 0 ? r : changed + r;
            }
            continue;
        }
        if (!found) {
            array_push(&st->files, &st->n_files, sizeof(SpecFile));
            memmove(&st->files[pos + 1], &st->files[pos], (st->n_files - pos - 1) * sizeof(SpecFile));
            st->files[pos] = (SpecFile) { .path = xstrdup(path) };
        }
        st->files[pos].seen = true;
        changed += refresh_file(st, &st->files[pos], &sb, false);
        /* a file the last walk found open for writing has been read now: its warning goes */
        changed += diag_list_drop_warnings(&st->tree_diags, path, SPEC_STORE_WRITING);
    }
    return changed;
}

void spec_store_collect(SpecStore *st, SpecSet *ret) {
    *ret = (SpecSet) {};
    for (size_t i = 0; i < st->n_files; i++) {
        SpecFile *f = &st->files[i];
        *(char **) array_push(&ret->files, &ret->n_files, sizeof(char *)) = xstrdup(f->path);
        if (f->diags.n_errors > 0)
            *(char **) array_push(&ret->bad_files, &ret->n_bad_files, sizeof(char *)) = xstrdup(f->path);
        for (size_t j = 0; j < f->n_specs; j++)
            *(Spec **) array_push(&ret->specs, &ret->n, sizeof(Spec *)) = spec_ref(f->specs[j]);
        for (size_t j = 0; j < f->diags.n; j++) {
            const Diag *d = &f->diags.items[j];
            diag_add(&ret->diags, d->level, d->file, d->line, d->col, "%s", d->message);
        }
    }
    for (size_t j = 0; j < st->tree_diags.n; j++) {
        const Diag *d = &st->tree_diags.items[j];
        diag_add(&ret->diags, d->level, d->file, d->line, d->col, "%s", d->message);
    }
    spec_set_verify(ret);
}

size_t spec_store_n_errors(const SpecStore *st) {
    size_t n = st->tree_diags.n_errors;
    for (size_t i = 0; i < st->n_files; i++)
        n += st->files[i].diags.n_errors;
    return n;
}
