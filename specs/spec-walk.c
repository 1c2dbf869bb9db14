/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec-internal.h"

/* Walking a spec tree. What is followed: directories and spec files below the root, and
 * symbolic links whose target (resolved) is inside the root; a link leaving the root is not
 * followed and is an error. Each directory is read once (device + inode), so a link to a
 * directory already read (a loop, `a -> .`) is skipped with a warning: its files are read
 * under their first path. The work is bounded (depth, directories, entries, files); a limit
 * reached is an error naming where, never a silent drop. Any error makes the walk incomplete:
 * the daemon then keeps every spec it could not read again in force (never orphaned or pruned). */

typedef struct DirId {
    dev_t dev;
    ino_t ino;
} DirId;

typedef struct Walk {
    const SpecWalkOps *ops;
    void *userdata;
    DiagList *diags;
    char *root_real;        /* the root, resolved: links must stay below it */
    DirId *dirs;            /* every directory read */
    size_t n_dirs, n_entries, n_files;
    bool incomplete;
    bool stopped;           /* a tree-wide limit was reached */
} Walk;

/* Records a problem at path (msg is taken); an error makes the walk incomplete. */
static void walk_note(Walk *w, DiagLevel level, const char *path, char *msg) {
    if (level == DIAG_ERROR)
        w->incomplete = true;
    if (w->diags)
        diag_add(w->diags, level, path, 0, 0, "%s", msg);
    free(msg);
}
#define walk_error(w, level, path, ...) walk_note(w, level, path, xasprintf(__VA_ARGS__))

static bool below(const char *root, const char *path) {
    size_t l = strlen(root);
    if (streq(root, "/"))
        return true;
    return strncmp(path, root, l) == 0 && (path[l] == '/' || path[l] == 0);
}

/* Whether a tree-wide limit is reached (reported once, at the root). */
static bool over_limit(Walk *w, const char *root) {
    if (w->stopped)
        return true;
    const char *what = w->n_dirs >= SPEC_WALK_MAX_DIRS ? "directories"
                       : w->n_entries >= SPEC_WALK_MAX_ENTRIES ? "directory entries"
                       : w->n_files >= SPEC_WALK_MAX_FILES ? "spec files" : NULL;
    if (!what)
        return false;
    w->stopped = true;
    walk_error(w, DIAG_ERROR, root, "the spec tree has more than %u %s: the rest is not read "
               "(and what it holds stays as it was)",
               w->n_dirs >= SPEC_WALK_MAX_DIRS ? SPEC_WALK_MAX_DIRS
               : w->n_entries >= SPEC_WALK_MAX_ENTRIES ? SPEC_WALK_MAX_ENTRIES : SPEC_WALK_MAX_FILES,
               what);
    return true;
}

static int name_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *) a, *(char *const *) b);
}

static void walk_dir(Walk *w, const char *root, const char *path, const struct stat *st, unsigned depth);

/* An errno that says nothing is there (a removal raced the walk, a dangling link); any other
 * failure to look may hide a spec: a walk error, the walk is incomplete. */
static bool gone(int e) {
    return e == ENOENT || e == ENOTDIR;
}

/* One entry of a directory: a file, a directory, or a link to either. */
static void walk_entry(Walk *w, const char *root, const char *p, const char *name, unsigned depth) {
    struct stat st;
    if (lstat(p, &st) < 0) {
        if (!gone(errno))
            walk_error(w, DIAG_ERROR, p, "cannot read: %s", strerror(errno));
        return;   /* raced removal */
    }
    if (S_ISLNK(st.st_mode)) {
        char real[PATH_MAX];
        if (!realpath(p, real) || stat(real, &st) < 0) {
            if (!gone(errno))   /* EIO, ESTALE, EACCES, ELOOP: something may be there */
                walk_error(w, DIAG_ERROR, p, "cannot follow the symbolic link: %s", strerror(errno));
            return;   /* dangling link: nothing there */
        }
        if (!below(w->root_real, real)) {
            if (S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) && spec_file_name(name)))
                walk_error(w, DIAG_ERROR, p, "symbolic link to %s leaves the spec root %s: not "
                           "followed (copy the file into the tree, or link inside it)", real,
                           w->root_real);
            return;
        }
    }
    if (S_ISDIR(st.st_mode))
        walk_dir(w, root, p, &st, depth + 1);
    else if (S_ISREG(st.st_mode) && spec_file_name(name)) {
        w->n_files++;
        if (!over_limit(w, root) && w->ops->file)
            w->ops->file(p, w->userdata);
    }
}

static void walk_dir(Walk *w, const char *root, const char *path, const struct stat *st, unsigned depth) {
    if (over_limit(w, root))
        return;
    for (size_t i = 0; i < w->n_dirs; i++)
        if (w->dirs[i].dev == st->st_dev && w->dirs[i].ino == st->st_ino) {
            walk_error(w, DIAG_WARNING, path, "directory already read under another path (a "
                       "symbolic link loop or a second link to it): not read again");
            return;
        }
    if (depth > SPEC_WALK_MAX_DEPTH) {
        walk_error(w, DIAG_ERROR, path, "directory nested more than %u levels below the spec "
                   "root: not read (and what it holds stays as it was)", SPEC_WALK_MAX_DEPTH);
        return;
    }
    *(DirId *) array_push(&w->dirs, &w->n_dirs, sizeof(DirId)) = (DirId) { st->st_dev, st->st_ino };
    DIR *d = opendir(path);
    if (!d) {
        walk_error(w, DIAG_ERROR, path, "cannot open directory: %s", strerror(errno));
        return;
    }
    if (w->ops->dir)
        w->ops->dir(path, w->userdata);
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (de->d_name[0] == '.')
            continue;   /* ., .., .git, editor swap files */
        if (++w->n_entries >= SPEC_WALK_MAX_ENTRIES && over_limit(w, root))
            break;
        *(char **) array_push(&names, &n, sizeof(char *)) = xstrdup(de->d_name);
    }
    closedir(d);
    if (n > 1)   /* an empty directory leaves names NULL, which qsort may not be given */
        qsort(names, n, sizeof(char *), name_cmp);   /* deterministic order */
    size_t pl = strlen(path);
    for (size_t i = 0; i < n; i++) {
        _cleanup_free_ char *p = xasprintf("%s%s%s", path, pl && path[pl - 1] == '/' ? "" : "/",
                                           names[i]);
        walk_entry(w, root, p, names[i], depth);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int spec_walk_tree(const char *path, const SpecWalkOps *ops, void *userdata, DiagList *diags) {
    struct stat st;
    if (stat(path, &st) < 0) {
        int r = -errno;
        if (diags)
            diag_add(diags, DIAG_ERROR, path, 0, 0, "%s", strerror(-r));
        return r;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (ops->file)
            ops->file(path, userdata);
        return 0;
    }
    char real[PATH_MAX];
    if (!realpath(path, real)) {
        int r = -errno;
        if (diags)
            diag_add(diags, DIAG_ERROR, path, 0, 0, "%s", strerror(-r));
        return r;
    }
    DIR *probe = opendir(path);
    if (!probe) {
        int r = -errno;
        if (diags)
            diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot open directory: %s", strerror(-r));
        return r;   /* nothing read: not an empty tree */
    }
    closedir(probe);
    Walk w = { .ops = ops, .userdata = userdata, .diags = diags, .root_real = real };
    walk_dir(&w, path, path, &st, 0);
    free(w.dirs);
    return w.incomplete ? 1 : 0;
}

int spec_walk(const char *path, void (*cb)(const char *file, void *userdata), void *userdata,
              DiagList *diags) {
    SpecWalkOps ops = { .file = cb };
    return spec_walk_tree(path, &ops, userdata, diags);
}

bool spec_file_name(const char *name) {
    size_t l = strlen(name);
    if (name[0] == '.')
        return false;
    return (l > 5 && streq(name + l - 5, ".yaml")) || (l > 4 && streq(name + l - 4, ".yml"));
}
