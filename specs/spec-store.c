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
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char) p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

typedef struct ScanCtx {
    SpecStore *st;
    bool force;
    int changed;
} ScanCtx;

static SpecFile *find_file(SpecStore *st, const char *path) {
    for (size_t i = 0; i < st->n_files; i++)
        if (streq(st->files[i].path, path))
            return &st->files[i];
    return NULL;
}

static void scan_cb(const char *path, void *userdata) {
    ScanCtx *c = userdata;
    struct stat sb;
    SpecFile *f = find_file(c->st, path);

    if (!f) {
        f = array_push(&c->st->files, &c->st->n_files, sizeof(SpecFile));
        f->path = xstrdup(path);
    }
    f->seen = true;
    if (stat(path, &sb) < 0)
        return;
    if (!c->force && f->content_hash != 0 && sb.st_dev == f->dev && sb.st_ino == f->ino &&
        sb.st_size == f->size && sb.st_mtim.tv_sec == f->mtime.tv_sec &&
        sb.st_mtim.tv_nsec == f->mtime.tv_nsec)
        return;
    f->dev = sb.st_dev;
    f->ino = sb.st_ino;
    f->size = sb.st_size;
    f->mtime = sb.st_mtim;

    _cleanup_free_ char *buf = NULL, *msg = NULL;
    size_t len = 0;
    int r = spec_check_trust(path, c->st->root, &msg);
    if (r >= 0)
        r = spec_read_file(path, &buf, &len, &msg);
    uint64_t h = r < 0 ? 1 : hash_bytes(buf, len) | 1;
    if (h == f->content_hash && !c->force)
        return;   /* touched, not changed */
    f->content_hash = h;
    c->changed++;
    diag_list_clear(&f->diags);
    if (r < 0) {
        diag_add(&f->diags, DIAG_ERROR, path, 0, 0, "%s", msg);
        return;
    }
    SpecSet tmp = {};
    spec_load_buffer(&tmp, path, buf, len);
    if (tmp.diags.n_errors > 0) {
        /* keep the last good version in force */
        diag_list_move(&f->diags, &tmp.diags);
        spec_set_clear(&tmp);
        return;
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
}

int spec_store_scan(SpecStore *st, bool force) {
    ScanCtx c = { .st = st, .force = force };
    for (size_t i = 0; i < st->n_files; i++)
        st->files[i].seen = false;
    diag_list_clear(&st->tree_diags);
    int r = spec_walk(st->root, scan_cb, &c, &st->tree_diags);
    if (r < 0)
        return r;   /* an unreadable or vanished tree is not an empty tree: keep everything */
    /* forget files that are gone: their objects become orphans (kept unless pruning) */
    size_t k = 0;
    for (size_t i = 0; i < st->n_files; i++) {
        if (st->files[i].seen)
            st->files[k++] = st->files[i];
        else {
            spec_file_clear(&st->files[i]);
            c.changed++;
        }
    }
    st->n_files = k;
    return c.changed;
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
    spec_set_verify(ret);
}

size_t spec_store_n_errors(const SpecStore *st) {
    size_t n = st->tree_diags.n_errors;
    for (size_t i = 0; i < st->n_files; i++)
        n += st->files[i].diags.n_errors;
    return n;
}
