/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <libgen.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "spec.h"
#include "watch-git.h"
#include "watch.h"

/* A finished write (a spec renamed into place, or closed after writing) is followed by a quiet
 * period this long: the pass runs once no finished write came for it (each pushes it back), and
 * never later than debounce_ms after the burst's first event. A git checkout waits for git's
 * index lock instead (git_holds); files copied in one command came a median 0.3 ms apart
 * (docs/daemon.md). It adds to each edit's latency (docs/performance.md). */
#define WATCH_QUIET_MS 1
/* A file written in place is read once its writer closed it (IN_CLOSE_WRITE), so a writer that
 * pauses mid-file is not read half-written; one that keeps it open is read after this long
 * without a write. */
#define WATCH_OPEN_QUIET_MS 10000
/* A burst waits while the checkout's index is locked (a git checkout or pull writing the tree),
 * for this long at most after the lock was taken: a git command still running after it, or a
 * lock a killed git left behind, holds nothing back any more. */
#define WATCH_GIT_LOCK_MAX_MS 10000
/* More files than this named in one burst (a big git pull): one walk of the tree is cheaper. */
#define WATCH_MAX_NAMED 256

/* A spec file written in place whose writer has not closed it yet. */
typedef struct OpenFile {
    char *path;
    uint64_t last_write;    /* uv_now of its last write */
} OpenFile;

typedef enum DirRole {
    DIR_SPEC,   /* a directory of the spec tree */
    DIR_PARENT, /* the root's parent directory: only events on the root's name count */
    DIR_GIT,    /* the checkout's git directory: only its index lock counts */
} DirRole;

typedef struct DirWatch {
    int wd;             /* inotify watch descriptor, -1 when none */
    Watch *owner;
    char *path;
    dev_t dev;
    ino_t ino;          /* a path swapped to another directory (symlink flip) is watched anew */
    bool seen;
    DirRole role;
} DirWatch;

struct Watch {
    uv_loop_t *loop;
    int ifd;                /* one inotify instance for every directory, polled by the loop */
    uv_poll_t poll;
    char *root;
    char *root_name;
    uv_timer_t debounce;
    unsigned debounce_ms;
    WatchCallback cb;
    WatchEarlyCallback early;
    void *userdata;
    DirWatch **dirs;
    size_t n_dirs;
    unsigned pending_closes;
    bool closing;
    char **named;           /* files named by the events of this burst */
    size_t n_named;
    OpenFile *open;         /* of those, spec files written in place and not closed yet */
    size_t n_open;
    bool walk;              /* the burst needs a walk of the whole tree */
    bool in_burst;          /* an event came since the last callback */
    uint64_t burst_start;   /* uv_now of the burst's first event */
    uint64_t last_finished; /* uv_hrtime of its last finished write, 0 when none */
    unsigned n_early;       /* finished writes of this burst handed to early */
    char *git_dir;          /* the checkout's git directory (watch-git.h), NULL when none */
    bool git_locked;        /* its index.lock exists */
    bool git_warned;        /* …and was logged as held too long */
    uint64_t git_locked_at; /* uv_now when it was taken (or seen first) */
};

static void strv_clear(char ***v, size_t *n) {
    for (size_t i = 0; i < *n; i++)
        free((*v)[i]);
    free(*v);
    *v = NULL;
    *n = 0;
}

static void open_drop(Watch *w, size_t i) {
    free(w->open[i].path);
    w->open[i] = w->open[--w->n_open];
}

static void forget_named(Watch *w) {
    strv_clear(&w->named, &w->n_named);
}

static void forget_open(Watch *w) {
    while (w->n_open > 0)
        open_drop(w, 0);
    free(w->open);
    w->open = NULL;
}

static OpenFile *find_open(Watch *w, const char *path) {
    for (size_t i = 0; i < w->n_open; i++)
        if (streq(w->open[i].path, path))
            return &w->open[i];
    return NULL;
}

/* A spec file written in place (open) or closed, renamed into place, removed (!open). Only a
 * spec file is waited for: a log or any other file the loader never reads, written all the
 * time, holds nothing back. */
static void note_open(Watch *w, const char *dir, const char *name, bool open) {
    if (!spec_file_name(name))
        return;
    _cleanup_free_ char *p = xasprintf("%s/%s", dir, name);
    OpenFile *f = find_open(w, p);
    if (!open) {
        if (f)
            open_drop(w, (size_t) (f - w->open));
        return;
    }
    if (!f) {
        f = array_push(&w->open, &w->n_open, sizeof(OpenFile));
        f->path = TAKE_PTR(p);
    }
    f->last_write = uv_now(w->loop);
}

static void note_named(Watch *w, const char *dir, const char *name) {
    if (w->walk)
        return;
    /* (a regular file the loader never reads does not get here: on_event drops its events) */
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

/* Forgets the open spec files without a write for WATCH_OPEN_QUIET_MS (they are read as they
 * are); returns how long until the next of the others is, 0 when none is left. */
static uint64_t open_expire(Watch *w) {
    uint64_t now = uv_now(w->loop), next = 0;
    for (size_t i = w->n_open; i > 0; i--) {
        uint64_t quiet = now - w->open[i - 1].last_write;
        if (quiet >= WATCH_OPEN_QUIET_MS) {
            log_warning("spec file %s has been open for writing without a write for %u s: reading it",
                        w->open[i - 1].path, WATCH_OPEN_QUIET_MS / 1000);
            open_drop(w, i - 1);
        } else if (next == 0 || WATCH_OPEN_QUIET_MS - quiet < next)
            next = WATCH_OPEN_QUIET_MS - quiet;
    }
    return next;
}

static void drain(Watch *w);
static void on_debounce(uv_timer_t *t);

/* Whether a git command is rewriting the checkout now: its index is locked, since less than
 * WATCH_GIT_LOCK_MAX_MS. */
static bool git_holds(const Watch *w) {
    return w->git_locked && uv_now(w->loop) - w->git_locked_at < WATCH_GIT_LOCK_MAX_MS;
}

/* The index lock taken or let go. While it is held, a burst waits (burst_goes_on): a checkout's
 * files are one pass, however far apart git writes them. */
static void on_git_lock(Watch *w, bool taken) {
    log_debug("%s/" WATCH_GIT_LOCK_NAME " %s", w->git_dir,
              taken ? "taken: spec events wait for git" : "let go");
    w->git_locked = taken;
    w->git_warned = false;
    if (taken)
        w->git_locked_at = uv_now(w->loop);
    else if (w->in_burst)
        uv_timer_start(&w->debounce, on_debounce, 0, 0); /* the quiet period is judged as always */
}

static void add_dir(Watch *w, const char *path, DirRole role);

/* Whether the index is locked now, as the file system says: after the git directory is watched
 * (a release after this is seen), after a queue overflow (its release may have been lost). A lock
 * already known keeps its time; one found here dates from the file's last change. */
static void git_lock_check(Watch *w) {
    _cleanup_free_ char *lock = w->git_dir ? xasprintf("%s/" WATCH_GIT_LOCK_NAME, w->git_dir)
                                           : NULL;
    struct stat st;
    bool was = w->git_locked, locked = lock && stat(lock, &st) == 0;
    if (locked && !was) {
        time_t age = time(NULL) - st.st_mtime;
        uint64_t age_ms = age <= 0                              ? 0
                          : age >= WATCH_GIT_LOCK_MAX_MS / 1000 ? WATCH_GIT_LOCK_MAX_MS
                                                                : (uint64_t) age * 1000;
        uint64_t now = uv_now(w->loop);
        w->git_locked_at = now > age_ms ? now - age_ms : 0;
    }
    w->git_locked = locked;
    if (!locked)
        w->git_warned = false;
    if (was && !locked && w->in_burst)
        uv_timer_start(&w->debounce, on_debounce, 0, 0);
}

/* The checkout holding the root, looked for at each walk (a symlink swap may point the root into
 * another one) and when .git comes or goes in the root (a clone into it); its git directory
 * watched, then its lock looked at. */
static void git_refresh(Watch *w) {
    _cleanup_free_ char *g = watch_git_dir(w->root);
    if (!streq_ptr(g, w->git_dir)) {
        bool was = w->git_locked;
        free(w->git_dir);
        w->git_dir = TAKE_PTR(g);
        w->git_locked = w->git_warned = false;
        if (was && w->in_burst) /* the other checkout's lock held nothing here */
            uv_timer_start(&w->debounce, on_debounce, 0, 0);
        if (w->git_dir)
            log_debug("spec tree %s is in the git checkout of %s", w->root, w->git_dir);
    }
    if (w->git_dir) /* only events on its index lock's name count */
        add_dir(w, w->git_dir, DIR_GIT);
    git_lock_check(w);
}

bool watch_git_busy(const Watch *w) {
    return w && git_holds(w);
}

static void burst_begin(Watch *w) {
    if (w->in_burst)
        return;
    w->in_burst = true;
    w->burst_start = uv_now(w->loop);
    w->last_finished = 0;
    w->n_early = 0;
}

/* Whether the burst is still going: events read now (the loop may have been busy) pushed the
 * quiet back, or its last finished write is not WATCH_QUIET_MS old yet; the cap,
 * debounce_ms after its first event, ends it in any case. */
static bool burst_goes_on(Watch *w) {
    drain(w);
    if (!w->in_burst)
        return false;
    if (git_holds(w)) { /* on_git_lock ends the wait when the lock goes */
        uv_timer_start(&w->debounce, on_debounce,
                       w->git_locked_at + WATCH_GIT_LOCK_MAX_MS - uv_now(w->loop), 0);
        return true;
    }
    if (w->git_locked && !w->git_warned) {
        w->git_warned = true;
        log_warning("%s/" WATCH_GIT_LOCK_NAME
                    " has been held for more than %u s (a git command still running, or a "
                    "lock a killed one left): reading the spec tree anyway",
                    w->git_dir, WATCH_GIT_LOCK_MAX_MS / 1000);
    }
    if (uv_now(w->loop) >= w->burst_start + w->debounce_ms) {
        uv_timer_stop(&w->debounce);
        return false;
    }
    if (uv_is_active((uv_handle_t *) &w->debounce))
        return true;
    uint64_t quiet = (uint64_t) WATCH_QUIET_MS * 1000000, since = uv_hrtime() - w->last_finished;
    if (w->last_finished == 0 || since >= quiet)
        return false;
    uv_timer_start(&w->debounce, on_debounce, (quiet - since + 999999) / 1000000, 0);
    return true;
}

static void on_debounce(uv_timer_t *t) {
    Watch *w = t->data;
    if (burst_goes_on(w))
        return;
    w->in_burst = false;
    /* a spec file still being written in place waits for its close (or a long quiet) */
    uint64_t wait = open_expire(w);
    /* a directory created, removed or swapped changes what is watched and what is in force:
     * walk everything; files alone are reread one by one */
    for (size_t i = 0; i < w->n_named && !w->walk; i++) {
        struct stat st;
        if (find_dir(w, w->named[i]) || (stat(w->named[i], &st) == 0 && S_ISDIR(st.st_mode)))
            w->walk = true;
    }
    if (w->walk && w->n_open > 0) {
        /* a walk reads every spec file, the open one too */
        log_debug("spec file %s is open for writing: the walk waits for it to be closed", w->open[0].path);
        uv_timer_start(&w->debounce, on_debounce, wait, 0);
        return;
    }
    if (w->walk) {
        w->walk = false;
        forget_named(w);
        watch_refresh(w);
        w->cb(w->userdata, NULL, 0);
        return;
    }
    /* the files of the burst go, those still open stay named until they are closed */
    char **ready = NULL;
    size_t n = 0, k = 0;
    for (size_t i = 0; i < w->n_named; i++)
        if (find_open(w, w->named[i])) {
            log_debug("spec file %s is open for writing: waiting for it to be closed", w->named[i]);
            w->named[k++] = w->named[i];
        } else
            *(char **) array_push(&ready, &n, sizeof(char *)) = w->named[i];
    w->n_named = k;
    if (w->n_open > 0)
        uv_timer_start(&w->debounce, on_debounce, wait, 0);
    if (n > 0)
        w->cb(w->userdata, ready, n);
    strv_clear(&ready, &n);
}

/* One inotify event on a watched directory (name NULL: the directory itself). */
static void on_event(Watch *w, DirWatch *d, const char *filename, uint32_t mask) {
    if (d->role == DIR_GIT) {
        if (streq_ptr(filename, WATCH_GIT_LOCK_NAME))
            on_git_lock(w, mask & (IN_CREATE | IN_MOVED_TO));
        return;
    }
    bool is_parent = d->role == DIR_PARENT;
    if (is_parent && !streq_ptr(filename, w->root_name))
        return;
    if (!is_parent && streq_ptr(filename, ".git") && streq(d->path, w->root)) {
        git_refresh(w); /* a clone or git init into the root: its lock counts from now */
        return;
    }
    if (!is_parent && ignored_name(filename))
        return;
    if (!is_parent && filename && *filename && !spec_file_name(filename) && !(mask & IN_ISDIR)) {
        _cleanup_free_ char *p = xasprintf("%s/%s", d->path, filename);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISREG(st.st_mode))
            return;   /* a file the loader never reads (a log written beside the specs) */
    }
    log_debug("spec tree event in %s: %s (0x%x)", d->path, strna(filename), mask);
    bool dir_event = (mask & (IN_ISDIR | IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) || !filename || !*filename;
    if (is_parent || dir_event)
        w->walk = true;   /* the root itself (a symlink swap) or a directory */
    else {
        note_named(w, d->path, filename);
        /* written in place: read once closed (IN_CLOSE_WRITE), renamed or removed. A created
         * regular file is open for writing too (not a symlink: nothing closes that) */
        bool writing = mask & IN_MODIFY;
        if (mask & IN_CREATE) {
            _cleanup_free_ char *p = xasprintf("%s/%s", d->path, filename);
            struct stat st;
            writing = lstat(p, &st) == 0 && S_ISREG(st.st_mode);
        }
        bool done = mask & (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE);
        if (writing || done)   /* an attribute change says neither */
            note_open(w, d->path, filename, writing && !done);
    }
    /* A spec renamed into place, or closed after writing, is a finished write: go after
     * WATCH_QUIET_MS without another one (a checkout's renames coalesce). Anything else may be a
     * write still in progress: wait for debounce_ms of quiet. Either way at the latest
     * debounce_ms after the burst's first event (a writer that never pauses still gets passes;
     * its file waits for its close) — except a burst that needs a walk (a directory came or
     * went): its files are not tracked as open yet, so it waits for debounce_ms of quiet. */
    bool finished = !is_parent && (mask & (IN_MOVED_TO | IN_CLOSE_WRITE)) && filename &&
                    spec_file_name(filename);
    burst_begin(w);
    uint64_t now = uv_now(w->loop), cap = w->burst_start + w->debounce_ms;
    uint64_t left = w->walk ? w->debounce_ms : now >= cap ? 0 : cap - now;
    if (finished && !w->walk && w->early && w->n_early < WATCH_EARLY_MAX && !git_holds(w)) {
        w->n_early++;
        _cleanup_free_ char *p = xasprintf("%s/%s", d->path, filename);
        w->early(w->userdata, p);
    }
    if (finished && !w->walk && w->debounce_ms > WATCH_QUIET_MS) {
        w->last_finished = uv_hrtime();
        uv_timer_start(&w->debounce, on_debounce, left < WATCH_QUIET_MS ? left : WATCH_QUIET_MS, 0);
        return;
    }
    uv_timer_start(&w->debounce, on_debounce, left < w->debounce_ms ? left : w->debounce_ms, 0);
}

static DirWatch *find_wd(Watch *w, int wd) {
    for (size_t i = 0; i < w->n_dirs; i++)
        if (w->dirs[i]->wd == wd)
            return w->dirs[i];
    return NULL;
}

/* Reads and handles every queued event. */
static void drain(Watch *w) {
    char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(w->ifd, buf, sizeof(buf));
        if (n <= 0)
            return;   /* EAGAIN: all read */
        uv_update_time(w->loop);
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *) p;
            p += sizeof(struct inotify_event) + ev->len;
            if (w->closing)
                continue;
            if (ev->mask & IN_Q_OVERFLOW) {
                /* events were lost: walk everything */
                burst_begin(w);
                w->walk = true;
                git_lock_check(w); /* its release may be among the events lost */
                uv_timer_start(&w->debounce, on_debounce, w->debounce_ms, 0);
                continue;
            }
            DirWatch *d = find_wd(w, ev->wd);
            if (d)
                on_event(w, d, ev->len ? ev->name : NULL, ev->mask);
        }
    }
}

static void on_inotify(uv_poll_t *h, int status, int events) {
    drain(h->data);
}

static void dir_free(Watch *w, DirWatch *d) {
    if (d->wd >= 0 && !w->closing) {
        /* another DirWatch may share the descriptor (inotify gives one per inode) */
        bool shared = false;
        for (size_t i = 0; i < w->n_dirs && !shared; i++)
            shared = w->dirs[i] != d && w->dirs[i]->wd == d->wd;
        if (!shared)
            inotify_rm_watch(w->ifd, d->wd);
    }
    free(d->path);
    free(d);
}

static void on_handle_closed(uv_handle_t *h) {
    Watch *w = h->data;
    if (--w->pending_closes == 0) {
        if (w->ifd >= 0)
            close(w->ifd);
        free(w->dirs);
        free(w->root);
        free(w->root_name);
        free(w->git_dir);
        free(w);
    }
}

static DirWatch *find_dir(Watch *w, const char *path) {
    for (size_t i = 0; i < w->n_dirs; i++)
        if (streq(w->dirs[i]->path, path))
            return w->dirs[i];
    return NULL;
}

static void add_dir(Watch *w, const char *path, DirRole role) {
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
    d->role = role;
    /* the root's parent: only the root's name coming and going matters (a symlink swapped), not
     * the writes of files beside it (a log: each write would wake the loop for nothing); the
     * root's own watch sees its attributes. IN_MASK_ADD: should the parent be a watched spec
     * directory too (one descriptor per inode), its mask is not cut. */
    uint32_t mask = role == DIR_GIT ? IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                              IN_ONLYDIR | IN_MASK_ADD
                    : role == DIR_PARENT
                            ? IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF |
                                      IN_MOVE_SELF | IN_ONLYDIR | IN_MASK_ADD
                            : IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM |
                                      IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF |
                                      IN_ONLYDIR | IN_MASK_ADD;
    d->wd = w->ifd < 0 ? -1 : inotify_add_watch(w->ifd, path, mask);
    if (d->wd < 0 && w->ifd >= 0)
        log_warning("cannot watch %s: %m", path);
    *(DirWatch **) array_push(&w->dirs, &w->n_dirs, sizeof(DirWatch *)) = d;
}

static void on_walk_dir(const char *path, void *userdata) {
    add_dir(userdata, path, DIR_SPEC);
}

void watch_refresh(Watch *w) {
    _cleanup_free_ char *copy = xstrdup(w->root);
    for (size_t i = 0; i < w->n_dirs; i++)
        w->dirs[i]->seen = false;
    add_dir(w, dirname(copy), DIR_PARENT);
    git_refresh(w);
    /* the directories the loader reads, by the same rules (links, loops, limits); the loader
     * reports what is not read */
    SpecWalkOps ops = { .dir = on_walk_dir };
    spec_walk_tree(w->root, &ops, w, NULL);
    /* keep the directories seen, then free the others: dir_free looks through w->dirs for a
     * watch sharing the descriptor, so w->dirs must hold no freed entry by then */
    size_t k = 0, n_gone = 0;
    _cleanup_free_ DirWatch **gone = xmalloc0((w->n_dirs + 1) * sizeof(DirWatch *));
    for (size_t i = 0; i < w->n_dirs; i++) {
        DirWatch *d = w->dirs[i];
        if (d->seen)
            w->dirs[k++] = d;
        else
            gone[n_gone++] = d;
    }
    w->n_dirs = k;
    for (size_t i = 0; i < n_gone; i++)
        dir_free(w, gone[i]);
}

void watch_on_finished_write(Watch *w, WatchEarlyCallback early) {
    w->early = early;
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
    w->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->ifd < 0)
        log_warning("cannot watch %s (inotify: %m): only the periodic rescans see changes", root);
    else {
        uv_poll_init(loop, &w->poll, w->ifd);
        w->poll.data = w;
        uv_poll_start(&w->poll, UV_READABLE, on_inotify);
    }
    watch_refresh(w);
    *ret = w;
    return 0;
}

void watch_close(Watch *w) {
    if (!w)
        return;
    w->closing = true;
    w->pending_closes += w->ifd >= 0 ? 2 : 1;
    if (w->ifd >= 0) {
        uv_poll_stop(&w->poll);
        uv_close((uv_handle_t *) &w->poll, on_handle_closed);
    }
    uv_close((uv_handle_t *) &w->debounce, on_handle_closed);
    for (size_t i = 0; i < w->n_dirs; i++)
        dir_free(w, w->dirs[i]);   /* close() of the inotify fd drops the watches */
    w->n_dirs = 0;
    forget_named(w);
    forget_open(w);
}

bool watch_writing(const Watch *w, const char *path) {
    if (!w)
        return false;
    for (size_t i = 0; i < w->n_open; i++)
        if (streq(w->open[i].path, path))
            return uv_now(w->loop) - w->open[i].last_write < WATCH_OPEN_QUIET_MS;
    return false;
}

size_t watch_n_writing(const Watch *w) {
    size_t n = 0;
    for (size_t i = 0; w && i < w->n_open; i++)
        n += watch_writing(w, w->open[i].path);
    return n;
}

size_t watch_n_dirs(const Watch *w) {
    return w->n_dirs;
}
