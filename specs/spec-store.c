/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "spec-internal.h"
#include "spec-store.h"

static void loaded_file_free(LoadedFile *lf) {
    if (lf)
        loaded_file_clear(lf);
    free(lf);
}

static void spec_file_clear(SpecFile *f) {
    free(f->path);
    loaded_file_free(f->good);
    loaded_file_free(f->cand);
    for (size_t i = 0; i < f->n_specs; i++)
        spec_unref(f->specs[i]);
    free(f->specs);
    diag_list_clear(&f->diags);
    *f = (SpecFile) {};
}

void spec_store_init(SpecStore *st, const char *root) {
    *st = (SpecStore) { .root = xstrdup(root) };
}

void spec_store_forget_changes(SpecStore *st) {
    for (size_t i = 0; i < st->n_changes; i++) {
        for (size_t j = 0; j < st->changes[i].n_old; j++)
            spec_unref(st->changes[i].old[j]);
        free(st->changes[i].old);
    }
    free(st->changes);
    st->changes = NULL;
    st->n_changes = 0;
}

void spec_store_clear(SpecStore *st) {
    spec_store_forget_changes(st);
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
    SpecTrustMemo memo;         /* this walk's */
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
static int refresh_file(SpecStore *st, SpecFile *f, const struct stat *sb, bool force,
                        SpecTrustMemo *memo) {
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
    int r = spec_check_trust(path, st->root, memo, &msg);
    if (r >= 0)
        r = spec_read_file(path, &buf, &len, &msg);
    uint64_t h = r < 0 ? 1 : hash_bytes(buf, len) | 1;
    if (h == f->content_hash && (!force || (f->good && !f->cand)))
        return 0;   /* touched, not changed; or, forced, the very bytes of the version in force:
                     * the same bytes build the same specs (a build reads no other file), so the
                     * version in force stays, and no second copy of every spec is made. (A
                     * content of the same 64-bit FNV-1a hash, made on purpose, is not seen even
                     * by a SIGHUP: whoever may write spec files is trusted, docs/daemon.md.) */
    f->content_hash = h;
    diag_list_clear(&f->diags);
    loaded_file_free(f->cand);
    f->cand = xmalloc0(sizeof(LoadedFile));
    if (r < 0) {
        f->cand->file = xstrdup(path);
        f->cand->unread = true;
        diag_add(&f->cand->d, DIAG_ERROR, path, 0, 0, "%s", msg);
        diag_add(&f->diags, DIAG_ERROR, path, 0, 0, "%s", msg);
        return 1;
    }
    /* parsed now; in force once its specs build with the tree's templates (store_build) */
    loaded_file_parse(f->cand, path, buf, len);
    f->cand->text = TAKE_PTR(buf);   /* kept if it can be slim once in force (store_build) */
    f->cand->text_len = (uint32_t) len;
    return 1;
}

/* The documents a file contributes templates from: its new content when that parses, else
 * the version in force. */
static LoadedFile *template_source(const SpecFile *f, const bool *refused, size_t i) {
    if (f->cand && f->cand->d.n_errors == 0 && !refused[i])
        return f->cand;
    return f->good;
}

static void diag_list_copy(DiagList *dst, const DiagList *src) {
    for (size_t j = 0; j < src->n; j++)
        diag_list_add_copy(dst, &src->items[j]);
}

/* The files a build takes templates from (template_source), by index in walk order, and the
 * problems across templates of each (reg[k] for idx[k]): the passes over templates look at
 * these, and only these have lists (an edit pass of 10,000 files with no template allocates and
 * clears none). */
typedef struct TemplateFiles {
    size_t *idx;
    size_t n;
    DiagList *reg;
} TemplateFiles;

static void template_files_clear(TemplateFiles *tf) {
    for (size_t k = 0; tf->reg && k < tf->n; k++)
        diag_list_clear(&tf->reg[k]);
    free(tf->reg);
    tf->reg = NULL;
    tf->n = 0;
}

/* The tree's templates from every file, with the files that have any (*tf). A new version whose
 * templates are refused across the tree is refused (refused[i]), and the templates are collected
 * again without it. */
static void collect_templates(SpecStore *st, TemplateSet *ts, bool *refused, TemplateFiles *tf) {
    for (unsigned pass = 0; pass < 2; pass++) {
        template_set_clear(ts);
        template_files_clear(tf);
        for (size_t i = 0; i < st->n_files; i++) {
            LoadedFile *lf = template_source(&st->files[i], refused, i);
            if (lf && lf->n_templates > 0)
                *(size_t *) array_push(&tf->idx, &tf->n, sizeof(size_t)) = i;
        }
        tf->reg = xmalloc0((tf->n + 1) * sizeof(DiagList));   /* owner_diags point into it */
        for (size_t k = 0; k < tf->n; k++) {
            LoadedFile *lf = template_source(&st->files[tf->idx[k]], refused, tf->idx[k]);
            for (size_t j = 0; j < lf->n_templates; j++) {
                Template *t = lf->templates[j];
                t->bad = t->invalid;
                t->owner_diags = &tf->reg[k];
                template_set_add(ts, t);
            }
        }
        template_set_verify(ts);
        bool again = false;
        for (size_t k = 0; k < tf->n; k++) {
            size_t i = tf->idx[k];
            if (tf->reg[k].n_errors > 0 &&
                template_source(&st->files[i], refused, i) == st->files[i].cand && st->files[i].good)
                refused[i] = again = true;
        }
        if (!again)
            break;
    }
}

/* Replaces file i's specs by those built; the old ones go to the store's changes. */
static void spec_file_set_specs(SpecStore *st, size_t i, SpecSet *built) {
    SpecFile *f = &st->files[i];
    *(SpecChange *) array_push(&st->changes, &st->n_changes, sizeof(SpecChange)) =
        (SpecChange) { .file = i, .old = f->specs, .n_old = f->n_specs };
    f->specs = built->specs;
    f->n_specs = built->n;
    built->specs = NULL;
    built->n = 0;
}

/* (A slim version in force, without its tree, hashes the same: its documents have no `from:`.) */
static uint64_t file_deps(const TemplateSet *ts, const LoadedFile *lf) {
    uint64_t deps = FNV1A_INIT;
    for (size_t j = 0; j < lf->n_docs + lf->n_slim; j++) {
        const YNode *doc = lf->n_slim > 0 ? NULL : lf->docs[j];
        SpecKind kind = doc ? loaded_doc_deps_kind(doc) : lf->slim_kinds[j];
        uint64_t h = template_deps_hash(ts, doc, kind);
        deps = hash_fnv1a(&h, sizeof(h), deps);
    }
    return deps;
}

/* What every file's specs are built with: the templates in force, in file order (content, name,
 * refused or not). Unchanged since the last build: a file without new content needs no look. */
static uint64_t templates_hash(const SpecStore *st, const bool *refused, const TemplateFiles *tf) {
    uint64_t h = FNV1A_INIT;
    for (size_t k = 0; k < tf->n; k++) {
        size_t i = tf->idx[k];
        const LoadedFile *lf = template_source(&st->files[i], refused, i);
        for (size_t j = 0; lf && j < lf->n_templates; j++) {
            const Template *t = lf->templates[j];
            uint64_t th = t->hash ^ (t->bad ? 1 : 0) ^ ((uint64_t) t->applies_to << 1);
            h = hash_fnv1a(&th, sizeof(th), h);
            h = hash_fnv1a(t->name ? t->name : "", t->name ? strlen(t->name) + 1 : 1, h);
        }
    }
    return h;
}

/* Builds file i's specs when it has new content or its templates changed (reg: its problems
 * across templates); a file whose build fails keeps its specs in force (and its newer content,
 * tried again when the templates change). Returns 1 when its specs or problems changed. */
static int build_file(SpecStore *st, size_t i, const TemplateSet *ts, const bool *refused,
                      const DiagList *reg) {
    SpecFile *f = &st->files[i];
    int changed = 0;
    bool use_cand = f->cand && f->cand->d.n_errors == 0 && !refused[i];
    LoadedFile *lf = use_cand ? f->cand : f->good;
    if (f->cand && !use_cand) {
        /* the new content is refused: its problems, the last good version stays */
        DiagList d = {};
        diag_list_copy(&d, &f->cand->d);
        diag_list_copy(&d, reg);
        if (!diag_list_equal(&d, &f->diags))
            changed = 1;
        diag_list_clear(&f->diags);
        f->diags = d;
        if (!f->good || file_deps(ts, f->good) == f->deps_hash)
            return changed;
        lf = f->good;   /* its templates changed: the version in force is built again */
    } else if (!lf || (!use_cand && file_deps(ts, lf) == f->deps_hash && f->diags.n_errors == 0))
        return 0;
    uint64_t deps = file_deps(ts, lf);
    /* the build consumes lf->d: a copy keeps the file's own warnings for the next one */
    SpecSet built = {};
    DiagList own = {};
    diag_list_copy(&own, &lf->d);
    loaded_file_unslim(lf);
    loaded_file_build(&built, lf, ts);
    lf->d = own;
    diag_list_copy(&built.diags, reg);
    if (built.diags.n_errors > 0 && !(f->cand && !use_cand)) {
        /* (a refused new version keeps its own problems, above) */
        diag_list_clear(&f->diags);
        diag_list_move(&f->diags, &built.diags);
    } else if (built.diags.n_errors == 0) {
        if (lf == f->cand) {
            loaded_file_free(f->good);
            f->good = TAKE_PTR(f->cand);
        }
        if (!(f->cand && !use_cand)) {
            diag_list_clear(&f->diags);
            diag_list_move(&f->diags, &built.diags);   /* warnings */
        }
        spec_file_set_specs(st, i, &built);
        f->deps_hash = deps;
    }
    if (f->good)
        loaded_file_slim(f->good);   /* its tree, or its bytes, are no longer needed */
    spec_set_clear(&built);
    return 1;
}

/* Builds the specs of every file with new content, and of every file whose templates changed.
 * Returns the number of files whose specs or problems changed. The store's changes stay exact
 * (the set in force may be patched with them) while every file with problems has the same ones
 * as before and kept its specs: a broken file elsewhere in the tree, looked at again on every
 * update, does not make each edit build the set again. */
static int store_build(SpecStore *st) {
    TemplateSet ts = {};
    bool *refused = xmalloc0(st->n_files + 1);
    int changed = 0;
    TemplateFiles tf = {};
    collect_templates(st, &ts, refused, &tf);
    /* the same templates as the last build: a file without new content and without errors was
     * built with them (or found up to date), so its dependencies need no hashing (10,000 files) */
    uint64_t th = templates_hash(st, refused, &tf);
    bool same_templates = th == st->templates_hash;
    st->changes_exact = st->changes_exact && same_templates;
    st->templates_hash = th;
    static const DiagList no_problems = {};
    for (size_t i = 0, k = 0; i < st->n_files; i++) {
        SpecFile *f = &st->files[i];
        /* file i's problems across templates (tf.idx is in file order) */
        const DiagList *reg = k < tf.n && tf.idx[k] == i ? &tf.reg[k++] : &no_problems;
        if (same_templates && !f->cand && f->diags.n_errors == 0 && reg->n == 0)
            continue;
        _cleanup_(diag_list_clear) DiagList before = {};
        diag_list_copy(&before, &f->diags);
        size_t n_changes = st->n_changes;
        changed += build_file(st, i, &ts, refused, reg);
        if (!diag_list_equal(&before, &f->diags) || (st->n_changes != n_changes && f->diags.n > 0))
            st->changes_exact = false;
    }
    template_files_clear(&tf);
    free(tf.idx);
    free(refused);
    template_set_clear(&ts);
    return changed;
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
    c->changed += refresh_file(c->st, f, &sb, c->force, &c->memo);
}

int spec_store_scan(SpecStore *st, bool force) {
    spec_store_forget_changes(st);
    st->changes_exact = false;
    ScanCtx c = { .st = st, .force = force, .n_known = st->n_files };
    for (size_t i = 0; i < st->n_files; i++)
        st->files[i].seen = false;
    DiagList before = st->tree_diags;
    st->tree_diags = (DiagList) {};
    int r = spec_walk(st->root, scan_cb, &c, &st->tree_diags);
    spec_trust_memo_clear(&c.memo);
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
    if (c.changed > 0)
        store_build(st);
    spec_store_forget_changes(st);   /* a walk's are not kept: the set is built again */
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

/* A file a set may be patched for: no problems, no Host documents, no templates. */
static bool file_plain(const SpecFile *f) {
    if (f->diags.n > 0)
        return false;
    for (size_t j = 0; f->good && j < f->good->n_docs; j++)
        if (ynode_is_host(f->good->docs[j]))
            return false;
    return !f->good || f->good->n_templates == 0;
}

int spec_store_update(SpecStore *st, char *const *paths, size_t n_paths) {
    int changed = 0;
    spec_store_forget_changes(st);
    st->changes_exact = true;
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
            st->changes_exact = false;
        }
        st->files[pos].seen = true;
        st->changes_exact = st->changes_exact && file_plain(&st->files[pos]);
        changed += refresh_file(st, &st->files[pos], &sb, false, NULL);
        /* a file the last walk found open for writing has been read now: its warning goes */
        size_t dropped = diag_list_drop_warnings(&st->tree_diags, path, SPEC_STORE_WRITING);
        st->changes_exact = st->changes_exact && dropped == 0;
        changed += (int) dropped;
    }
    if (changed > 0)
        store_build(st);
    for (size_t i = 0; i < st->n_changes && st->changes_exact; i++)
        st->changes_exact = file_plain(&st->files[st->changes[i].file]);
    return changed;
}

void spec_store_collect(SpecStore *st, SpecSet *ret) {
    *ret = (SpecSet) {};
    /* sized once: a push per file and spec would be a realloc each, 20,000 at 10,000 files */
    size_t n_specs = 0;
    for (size_t i = 0; i < st->n_files; i++)
        n_specs += st->files[i].n_specs;
    ret->files = xmalloc0((st->n_files + 1) * sizeof(char *));
    ret->specs = xmalloc0((n_specs + 1) * sizeof(Spec *));
    for (size_t i = 0; i < st->n_files; i++) {
        SpecFile *f = &st->files[i];
        ret->files[ret->n_files++] = xstrdup(f->path);
        if (f->diags.n_errors > 0)
            *(char **) array_push(&ret->bad_files, &ret->n_bad_files, sizeof(char *)) = xstrdup(f->path);
        for (size_t j = 0; j < f->n_specs; j++)
            ret->specs[ret->n++] = spec_ref(f->specs[j]);
        diag_list_copy(&ret->diags, &f->diags);
        /* its Host documents, of the version in force (the daemon's share, docs/fleet.md) */
        for (size_t j = 0; f->good && j < f->good->n_docs; j++) {
            if (!ynode_is_host(f->good->docs[j]))
                continue;
            DiagList said = {};   /* said when the version was built */
            HostSpec *h = host_from_document(f->path, f->good->docs[j], &said);
            diag_list_clear(&said);
            if (h)
                *(HostSpec **) array_push(&ret->hosts, &ret->n_hosts, sizeof(HostSpec *)) = h;
        }
    }
    diag_list_copy(&ret->diags, &st->tree_diags);
    spec_set_verify(ret);
}

const SpecFile *spec_store_find(const SpecStore *st, const char *path) {
    bool found;
    size_t i = file_pos(st, st->n_files, path, &found);
    return found ? &st->files[i] : NULL;
}

size_t spec_store_n_errors(const SpecStore *st) {
    size_t n = st->tree_diags.n_errors;
    for (size_t i = 0; i < st->n_files; i++)
        n += st->files[i].diags.n_errors;
    return n;
}
