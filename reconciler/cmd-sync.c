/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "git.h"
#include "log.h"
#include "paths.h"
#include "sync.h"
#include "util.h"

/* virtspec sync (docs/fleet.md): the spec tree from a git remote. git is run as a program with
 * an argument vector (git.h), never through a shell: fetch into a bare cache, verify-commit
 * against an allowed keyring, archive the commit into a new directory, validate it as `virtspec
 * validate` does, then swap the spec tree's symlink to it atomically (symlink + rename). A
 * revision with errors is not put in force: the last good one stays. */

enum {
    SYNC_EXIT_FETCH = 3,        /* the fetch failed or timed out: the revision in force stays */
    SYNC_EXIT_SIGNATURE = 4,    /* the commit is not signed by an allowed key */
    SYNC_EXIT_HELD = 5,         /* the new revision has errors: held at the revision in force */
};

#define LOCAL_TIMEOUT_S 600   /* git init, rev-parse, archive, tar: local, but never unbounded */
#define KEEP_CHECKOUTS 2

typedef struct Sync {
    const DaemonConfig *cfg;
    const char *root;           /* the spec tree: a symlink sync swaps */
    char *dir;                  /* the cache and the checkouts */
    char *cache;                /* dir/cache.git */
    char *said;                 /* the last thing sync_said */
} Sync;

static int git(const Sync *s, const char *const *env, unsigned timeout_s, char **ret_out,
               char **ret_err, const char *const *args) {
    const char *argv[16] = { "git", "--git-dir", s->cache };
    size_t n = 3;
    for (size_t i = 0; args[i] && n + 1 < ELEMENTSOF(argv); i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return run_argv(argv, env, timeout_s, ret_out, ret_err);
}
#define GIT(s, env, t, out, err, ...) git(s, env, t, out, err, (const char *const[]) { __VA_ARGS__, NULL })

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *f) {
    (void) st, (void) type, (void) f;
    return remove(path) < 0 && errno != ENOENT ? -1 : 0;   /* a socket its agent removed meanwhile */
}

static void rm_rf(const char *path) {
    if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
        log_warning_errno(-errno, "cannot remove %s", path);
}

/* The revision in force: the .virtspec-revision of the checkout the spec tree points to. NULL:
 * none (no symlink yet). -ENOTDIR: the spec tree is a directory, not sync's symlink. */
static int current_revision(const Sync *s, char **ret) {
    struct stat st;
    *ret = NULL;
    if (lstat(s->root, &st) < 0)
        return errno == ENOENT ? 0 : -errno;
    if (!S_ISLNK(st.st_mode))
        return -ENOTDIR;
    *ret = sync_revision(s->root);   /* NULL: a symlink sync did not make, replaced */
    return 0;
}

static void short_rev(const char *rev, char out[13]) {
    snprintf(out, 13, "%s", rev ? rev : "none");
}

/* Says what sync did (stderr: the journal of the service); the last is kept for dir/status. */
static void sync_said(const Sync *s, const char *fmt, ...) _printf_(2, 3);
static void sync_said(const Sync *s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "virtspec sync: %s\n", msg);
    free(s->said);
    ((Sync *) s)->said = msg;
}

static int fetch(const Sync *s, char **ret_rev) {
    /* no prompt, ever: a host key or password question would only wait for the timeout (an
     * admin's own GIT_SSH_COMMAND wins) */
    const char *const env[] = { "GIT_TERMINAL_PROMPT=0", "LC_ALL=C",
                                getenv("GIT_SSH_COMMAND") ? NULL : "GIT_SSH_COMMAND=ssh -oBatchMode=yes", NULL };
    const char *ref = s->cfg->sync_ref ? s->cfg->sync_ref : "main";
    _cleanup_free_ char *spec = xasprintf("+%s:refs/virtspec/fetched", ref);
    _cleanup_free_ char *err = NULL, *out = NULL;
    struct stat st;
    if (stat(s->cache, &st) < 0) {
        int r = GIT(s, env, LOCAL_TIMEOUT_S, NULL, &err, "init", "--quiet", "--bare");
        if (r != 0) {
            _cleanup_free_ char *why = last_line(err);
            sync_said(s, "cannot create %s: %s", s->cache, r < 0 ? strerror(-r) : why);
            return -EIO;
        }
        free(TAKE_PTR(err));
    }
    int r = GIT(s, env, s->cfg->sync_timeout_s, NULL, &err, "fetch", "--quiet", "--no-tags",
                "--no-write-fetch-head", s->cfg->sync_remote, spec);
    if (r != 0) {
        _cleanup_free_ char *why = r == -ETIMEDOUT ? xasprintf("no answer after %u s (sync_timeout)", s->cfg->sync_timeout_s)
                                   : r < 0 ? xstrdup(strerror(-r)) : last_line(err);
        sync_said(s, "fetch of %s %s failed: %s; the revision in force stays", s->cfg->sync_remote, ref, why);
        return -EIO;
    }
    free(TAKE_PTR(err));
    r = GIT(s, env, LOCAL_TIMEOUT_S, &out, &err, "rev-parse", "--verify", "--quiet", "refs/virtspec/fetched^{commit}");
    if (r != 0) {
        sync_said(s, "fetch of %s %s: no commit fetched", s->cfg->sync_remote, ref);
        return -EIO;
    }
    out[strcspn(out, "\n")] = 0;
    *ret_rev = TAKE_PTR(out);
    return 0;
}

/* The keyring imported into a fresh private GNUPGHOME (dir/gnupg-XXXXXX, removed after, its
 * agent stopped), then git verify-commit with it: only the keyring's keys are known there. */
static int verify_with(const Sync *s, const char *home, const char *rev) {
    /* only the keyring: no system or root's git configuration (gpg.program, gpg.format=ssh, …)
     * decides what a valid signature is */
    _cleanup_free_ char *env_home = xasprintf("GNUPGHOME=%s", home), *env_h = xasprintf("HOME=%s", home);
    const char *const env[] = { env_home, env_h, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
                                "LC_ALL=C", NULL };
    _cleanup_free_ char *err = NULL;
    int r = run_argv((const char *const[]) { "gpg", "--batch", "--quiet", "--import", s->cfg->sync_keyring, NULL },
                     env, 60, NULL, &err);
    if (r != 0) {
        _cleanup_free_ char *why = r < 0 ? xstrdup(strerror(-r)) : last_line(err);
        sync_said(s, "cannot import the keyring %s: %s", s->cfg->sync_keyring, why);
        return 1;
    }
    free(TAKE_PTR(err));
    r = GIT(s, env, 60, NULL, &err, "-c", "gpg.format=openpgp", "-c", "gpg.program=gpg", "verify-commit", rev);
    if (r != 0) {
        _cleanup_free_ char *why = r < 0 ? xstrdup(strerror(-r)) : last_line(err);
        char sr[13];
        short_rev(rev, sr);
        sync_said(s, "%s refused: not signed by a key of %s (%s); the revision in force stays",
                  sr, s->cfg->sync_keyring, *why ? why : "no signature");
        return SYNC_EXIT_SIGNATURE;
    }
    return 0;
}

static int verify(const Sync *s, const char *rev) {
    _cleanup_free_ char *home = xasprintf("%s/gnupg-XXXXXX", s->dir);
    if (!mkdtemp(home)) {
        sync_said(s, "cannot create %s: %m", home);
        return 1;
    }
    int r = verify_with(s, home, rev);
    run_argv((const char *const[]) { "gpgconf", "--homedir", home, "--kill", "all", NULL }, NULL, 10, NULL, NULL);
    rm_rf(home);
    return r;
}

/* The commit's tree into dir/REV (through dir/.tmp-REV, renamed once complete). */
static int check_out(const Sync *s, const char *rev, char **ret_dir) {
    _cleanup_free_ char *tmp = xasprintf("%s/.tmp-%s", s->dir, rev), *tar = xasprintf("%s.tar", tmp);
    _cleanup_free_ char *final = xasprintf("%s/%s", s->dir, rev), *err = NULL;
    rm_rf(tmp);
    rm_rf(final);
    unlink(tar);
    int r = GIT(s, NULL, LOCAL_TIMEOUT_S, NULL, &err, "-c", "tar.umask=0022", "archive", "--format=tar", "-o", tar, rev);
    if (r == 0 && mkdir(tmp, 0755) < 0)
        r = -errno;
    if (r == 0) {
        free(TAKE_PTR(err));
        r = run_argv((const char *const[]) { "tar", "-x", "--no-same-owner", "-f", tar, "-C", tmp, NULL },
                     NULL, LOCAL_TIMEOUT_S, NULL, &err);
    }
    unlink(tar);
    /* written by virtspec, never through what the commit put at that name (a symlink to
     * /etc/shadow would have it overwritten as root): removed first, created exclusively */
    _cleanup_free_ char *rf = xasprintf("%s/" SYNC_REVISION_FILE, tmp);
    if (r == 0 && unlink(rf) < 0 && errno != ENOENT)
        r = -errno;
    int fd = r == 0 ? open(rf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644) : -1;
    if (r == 0 && fd < 0)
        r = -errno;
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (fd >= 0 && !f)
        close(fd);
    if (r == 0 && (!f || fprintf(f, "%s\n", rev) < 0))
        r = -EIO;
    if (f && fclose(f) != 0)
        r = -EIO;
    if (r == 0 && rename(tmp, final) < 0)
        r = -errno;
    if (r != 0) {
        _cleanup_free_ char *why = r < 0 ? xstrdup(strerror(-r)) : last_line(err);
        sync_said(s, "cannot check out %s into %s: %s", rev, final, why);
        rm_rf(tmp);
        return -EIO;
    }
    *ret_dir = TAKE_PTR(final);
    return 0;
}

/* The spec tree's symlink to target, atomically: a new symlink renamed over it. */
static int swap_root(const Sync *s, const char *target) {
    _cleanup_free_ char *tmp = xasprintf("%s.virtspec-sync-new", s->root);
    unlink(tmp);
    if (symlink(target, tmp) < 0 || rename(tmp, s->root) < 0) {
        int r = -errno;
        unlink(tmp);
        return r;
    }
    return 0;
}

/* Keeps the revision in force and the one before (KEEP_CHECKOUTS); removes older ones. */
static void prune(const Sync *s, const char *keep1, const char *keep2) {
    DIR *d = opendir(s->dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!sync_is_revision_name(e->d_name) || streq_ptr(e->d_name, keep1) || streq_ptr(e->d_name, keep2))
            continue;
        _cleanup_free_ char *p = xasprintf("%s/%s", s->dir, e->d_name);
        rm_rf(p);
    }
    if (d)
        closedir(d);
}

static size_t validate(const CliOpts *o, const char *tree) {
    CliOpts vo = *o;
    char *paths[] = { (char *) tree };
    vo.paths = paths;
    vo.n_paths = 1;
    vo.specs_dir = tree;
    vo.targets = NULL;
    vo.n_targets = 0;
    _cleanup_(spec_set_clear) SpecSet set = {};
    return cli_load_specs(&vo, &set);
}

static int sync_run(const CliOpts *o, Sync *s) {
    _cleanup_free_ char *old = NULL, *rev = NULL, *tree = NULL;
    char so[13], sn[13];
    int r = current_revision(s, &old);
    if (r == -ENOTDIR) {
        sync_said(s, "%s is a directory, not a symlink to a checkout: move it away (sync makes the "
                  "symlink)", s->root);
        return 1;
    }
    if (fetch(s, &rev) < 0)
        return SYNC_EXIT_FETCH;
    short_rev(old, so);
    short_rev(rev, sn);
    if (streq_ptr(old, rev)) {
        /* a keyring set since this revision was put in force: it is checked too */
        if (s->cfg->sync_keyring && (r = verify(s, rev)) != 0) {
            if (r == SYNC_EXIT_SIGNATURE)
                sync_said(s, "the revision in force %s is not signed by a key of %s: it stays (sync "
                          "never rolls back); push a signed commit", sn, s->cfg->sync_keyring);
            return r;
        }
        sync_said(s, "unchanged at %s", sn);
        return 0;
    }
    if (s->cfg->sync_keyring && (r = verify(s, rev)) != 0)
        return r;
    if (check_out(s, rev, &tree) < 0)
        return 1;
    size_t errors = validate(o, tree);
    if (errors > 0) {
        rm_rf(tree);
        sync_said(s, "held at %s: %s has %zu error%s", so, sn, errors, errors == 1 ? "" : "s");
        return SYNC_EXIT_HELD;
    }
    r = swap_root(s, tree);
    if (r < 0) {
        sync_said(s, "cannot point %s to %s: %s", s->root, tree, strerror(-r));
        return 1;
    }
    prune(s, rev, old);
    sync_said(s, "updated %s → %s", so, sn);
    return 0;
}

int cmd_sync(const CliOpts *o) {
    const DaemonConfig *cfg = o->cfg;
    run_argv_forward_signals();
    if (!cfg->sync_remote) {
        fprintf(stderr, "virtspec sync: no sync_remote in %s (docs/fleet.md)\n",
                cfg->file ? cfg->file : paths_default()->config_file);
        return 1;
    }
    if (cfg->sync_remote[0] == '-' || (cfg->sync_ref && cfg->sync_ref[0] == '-')) {
        /* git would read it as an option (--upload-pack=…) */
        fprintf(stderr, "virtspec sync: sync_remote and sync_ref must not start with '-'\n");
        return 1;
    }
    Sync s = {
        .cfg = cfg,
        .root = o->specs_dir ? o->specs_dir : paths_default()->spec_dir,
        .dir = sync_checkouts_dir(cfg->sync_checkouts),
    };
    s.cache = xasprintf("%s/cache.git", s.dir);
    int r = 1;
    _cleanup_free_ char *lock = xasprintf("%s/.lock", s.dir);
    int fd = -1;
    if (mkdir(s.dir, 0755) < 0 && errno != EEXIST)
        fprintf(stderr, "virtspec sync: cannot create %s: %m\n", s.dir);
    else if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
        fprintf(stderr, "virtspec sync: %s: %s\n", lock, errno == EWOULDBLOCK ? "another sync runs" : strerror(errno));
    else {
        r = sync_run(o, &s);
        sync_status_write(s.dir, r, s.said);   /* the daemon shows a failed one */
    }
    if (fd >= 0)
        close(fd);
    free(s.said);
    free(s.dir);
    free(s.cache);
    return r;
}
