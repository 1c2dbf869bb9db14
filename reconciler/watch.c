/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <libgen.h>
#include <sys/stat.h>

#include "log.h"
#include "spec.h"
#include "watch.h"

#define WATCH_SETTLE_MS 10
/* More files than this named in one burst (a big git pull): one walk of the tree is cheaper. */
#define WATCH_MAX_NAMED 256

typedef struct DirWatch {
    uv_fs_event_t handle;
    Watch *owner;
    char *path;
    dev_t dev;
    ino_t ino;          /* a path swapped to another directory (symlink flip) is watched anew */
    bool seen;
    bool is_parent;     /* the root's parent directory: only events on the root's name count */
} DirWatch;

struct Watch {
    uv_loop_t *loop;
    char *root;
    char *root_name;
    uv_timer_t debounce;
    unsigned debounce_ms;
    WatchCallback cb;
    void *userdata;
    DirWatch **dirs;
    size_t n_dirs;
    unsigned pending_closes;
    bool closing;
    char **named;           /* files named by the events of this burst */
    size_t n_named;
    bool walk;              /* the burst needs a walk of the whole tree */
};

static void forget_named(Watch *w) {
    for (size_t i = 0; i < w->n_named; i++)
        free(w->named[i]);
    free(w->named);
    w->named = NULL;
    w->n_named = 0;
}

static void note_named(Watch *w, const char *dir, const char *name) {
    if (w->walk)
        return;
    _cleanup_free_ char *p = xasprintf("%s/%s", dir, name);
    for (size_t i = 0; i < w->n_named; i++)
        if (streq(w->named[i], p))
            return;
    if (w->n_named >= WATCH_MAX_NAMED) {
        forget_named(w);
        w->walk = true;
        return;
    }
    *(char **) array_push(&w->named, &w->n_named, sizeof(char *)) = TAKE_PTR(p);
}

static bool ignored_name(const char *name) {
    size_t l;
    if (!name || !*name)
        return false;   /* no name: something changed in the directory itself */
    if (name[0] == '.')
        return true;    /* dotfiles, .git, vim's .x.swp */
    l = strlen(name);
    if (name[l - 1] == '~')
        return true;    /* emacs/nano backups */
    if (l > 4 && (streq(name + l - 4, ".swp") || streq(name + l - 4, ".swx") ||
                  streq(name + l - 4, ".tmp")))
        return true;
    if (name[0] == '#' || strspn(name, "0123456789") == l)
        return true;    /* emacs autosave, vim's "4913" probe */
    return false;
}

static DirWatch *find_dir(Watch *w, const char *path);

static void on_debounce(uv_timer_t *t) {
    Watch *w = t->data;
    /* a directory created, removed or swapped changes what is watched and what is in force:
     * walk everything; files alone are reread one by one */
    for (size_t i = 0; i < w->n_named && !w->walk; i++) {
        struct stat st;
        if (find_dir(w, w->named[i]) || (stat(w->named[i], &st) == 0 && S_ISDIR(st.st_mode)))
            w->walk = true;
    }
    if (w->walk) {
        w->walk = false;
        forget_named(w);
        watch_refresh(w);
        w->cb(w->userdata, NULL, 0);
        return;
    }
    char **named = TAKE_PTR(w->named);
    size_t n = w->n_named;
    w->n_named = 0;
    w->cb(w->userdata, named, n);
    for (size_t i = 0; i < n; i++)
        free(named[i]);
    free(named);
}

static void on_fs_event(uv_fs_event_t *h, const char *filename, int events, int status) {
    DirWatch *d = h->data;
    Watch *w = d->owner;
    if (w->closing)
        return;
    if (d->is_parent && !streq_ptr(filename, w->root_name))
        return;
    if (!d->is_parent && ignored_name(filename))
        return;
    log_debug("spec tree event in %s: %s", d->path, strna(filename));
    if (d->is_parent || !filename || !*filename)
        w->walk = true;   /* the root itself (a symlink swap) or the directory as a whole */
    else
        note_named(w, d->path, filename);
    /* A spec renamed into place is a finished write (editors and GitOps tools write a temporary
     * file, then rename): settle briefly and go. Anything else may be a write still in progress:
     * wait for debounce_ms of quiet. A burst of renames (a git checkout) still coalesces while
     * they come closer than the settle time, and an extra pass is harmless anyway. */
    size_t l = filename ? strlen(filename) : 0;
    bool finished = !d->is_parent && (events & UV_RENAME) && l > 4 &&
                    ((l > 5 && streq(filename + l - 5, ".yaml")) || streq(filename + l - 4, ".yml"));
    if (finished && w->debounce_ms > WATCH_SETTLE_MS) {
        if (uv_is_active((uv_handle_t *) &w->debounce) &&
            uv_timer_get_due_in(&w->debounce) <= WATCH_SETTLE_MS)
            return;   /* a pass is due sooner anyway */
        uv_timer_start(&w->debounce, on_debounce, WATCH_SETTLE_MS, 0);
        return;
    }
    uv_timer_start(&w->debounce, on_debounce, w->debounce_ms, 0);   /* wait for quiet */
}

static void on_dir_closed(uv_handle_t *h) {
    DirWatch *d = h->data;
    Watch *w = d->owner;
    free(d->path);
    free(d);
    if (--w->pending_closes == 0 && w->closing) {
        free(w->dirs);
        free(w->root);
        free(w->root_name);
        free(w);
    }
}

static void on_timer_closed(uv_handle_t *h) {
    Watch *w = h->data;
    if (--w->pending_closes == 0) {
        free(w->dirs);
        free(w->root);
        free(w->root_name);
        free(w);
    }
}

static DirWatch *find_dir(Watch *w, const char *path) {
    for (size_t i = 0; i < w->n_dirs; i++)
        if (streq(w->dirs[i]->path, path))
            return w->dirs[i];
    return NULL;
}

static void add_dir(Watch *w, const char *path, bool is_parent) {
    struct stat st = {};
    stat(path, &st);
    DirWatch *d = find_dir(w, path);
    if (d && d->dev == st.st_dev && d->ino == st.st_ino) {
        d->seen = true;
        return;
    }
    if (d) {
        /* same path, another directory now: drop the old watch (its path no longer matches) */
        free(d->path);
        d->path = xstrdup("");
    }
    d = xmalloc0(sizeof(DirWatch));
    d->dev = st.st_dev;
    d->ino = st.st_ino;
    d->owner = w;
    d->path = xstrdup(path);
    d->seen = true;
    d->is_parent = is_parent;
    uv_fs_event_init(w->loop, &d->handle);
    d->handle.data = d;
    int r = uv_fs_event_start(&d->handle, on_fs_event, path, 0);
    if (r < 0)
        log_warning("cannot watch %s: %s", path, uv_strerror(r));
    *(DirWatch **) array_push(&w->dirs, &w->n_dirs, sizeof(DirWatch *)) = d;
}

static void on_walk_dir(const char *path, void *userdata) {
    add_dir(userdata, path, false);
}

void watch_refresh(Watch *w) {
    _cleanup_free_ char *copy = xstrdup(w->root);
    for (size_t i = 0; i < w->n_dirs; i++)
        w->dirs[i]->seen = false;
    add_dir(w, dirname(copy), true);
    /* the directories the loader reads, by the same rules (links, loops, limits); the loader
     * reports what is not read */
    SpecWalkOps ops = { .dir = on_walk_dir };
    spec_walk_tree(w->root, &ops, w, NULL);
    size_t k = 0;
    for (size_t i = 0; i < w->n_dirs; i++) {
        DirWatch *d = w->dirs[i];
        if (d->seen) {
            w->dirs[k++] = d;
            continue;
        }
        w->pending_closes++;
        uv_close((uv_handle_t *) &d->handle, on_dir_closed);
    }
    w->n_dirs = k;
}

int watch_new(uv_loop_t *loop, const char *root, unsigned debounce_ms, WatchCallback cb,
              void *userdata, Watch **ret) {
    Watch *w = xmalloc0(sizeof(Watch));
    _cleanup_free_ char *copy = xstrdup(root);
    w->loop = loop;
    w->root = xstrdup(root);
    w->root_name = xstrdup(basename(copy));
    w->debounce_ms = debounce_ms;
    w->cb = cb;
    w->userdata = userdata;
    uv_timer_init(loop, &w->debounce);
    w->debounce.data = w;
    watch_refresh(w);
    *ret = w;
    return 0;
}

void watch_close(Watch *w) {
    if (!w)
        return;
    w->closing = true;
    w->pending_closes += 1 + (unsigned) w->n_dirs;
    uv_close((uv_handle_t *) &w->debounce, on_timer_closed);
    for (size_t i = 0; i < w->n_dirs; i++)
        uv_close((uv_handle_t *) &w->dirs[i]->handle, on_dir_closed);
    w->n_dirs = 0;
    forget_named(w);
}

size_t watch_n_dirs(const Watch *w) {
    return w->n_dirs;
}
