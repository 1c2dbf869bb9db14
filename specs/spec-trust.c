/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The trust check of spec files, like sshd's StrictModes: a spec turns into VMs as root, so
 * whoever can change a spec file — or rename any directory or symbolic link on the way to it —
 * is root. Checked: the file, every directory above it up to '/' along the path as given (so a
 * link in a user-owned directory cannot be swapped), and along the path it resolves to. Run by a
 * user (qemu:///session), the same with "root or that user" for "root": the specs turn into
 * that user's VMs. */
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec-internal.h"

bool spec_trust_relaxed;
bool spec_trust_warn_only;

/* A lookup of path failed: errno is read before anything else may change it (a failed lstat
 * must never come back as 0, "trusted"). */
static int cannot_check(const char *path, char **ret_msg) {
    int e = errno > 0 ? errno : EIO;
    *ret_msg = xasprintf("cannot check %s: %s", path, strerror(e));
    return -e;
}

SpecTrust spec_trust_verdict(const struct stat *st, uid_t me) {
    if (st->st_uid != 0 && st->st_uid != me)
        return SPEC_TRUST_OWNER;
    bool sticky_dir = S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX);
    if (!S_ISLNK(st->st_mode) && !sticky_dir && (st->st_mode & 0022))
        return SPEC_TRUST_WRITABLE;
    return SPEC_TRUST_OK;
}

/* One path, by spec_trust_verdict, for the reader me. what: "file", "directory"; of: the spec
 * path this is an ancestor of, or NULL. */
static int check_one(const char *path, const char *what, const char *of, uid_t me, char **ret_msg) {
    struct stat st;
    if (lstat(path, &st) < 0) {
        return cannot_check(path, ret_msg);
    }
    SpecTrust v = spec_trust_verdict(&st, me);
    if (v == SPEC_TRUST_OK)
        return 0;
    _cleanup_free_ char *where = of ? xasprintf(", on the way to %s", of) : xstrdup("");
    const char *kind = S_ISLNK(st.st_mode) ? "symbolic link" : what;
    if (v == SPEC_TRUST_OWNER && me == 0) {
        *ret_msg = xasprintf("refusing specs: %s %s is owned by uid %u, not root%s (specs turn "
                             "into VMs as root; --insecure-spec-perms relaxes this for "
                             "development)", kind, path, (unsigned) st.st_uid, where);
        return -EPERM;
    }
    if (v == SPEC_TRUST_OWNER) {
        *ret_msg = xasprintf("refusing specs: %s %s is owned by uid %u, not root or uid %u (who "
                             "runs virtspec)%s (--insecure-spec-perms relaxes this for "
                             "development)", kind, path, (unsigned) st.st_uid, (unsigned) me, where);
        return -EPERM;
    }
    *ret_msg = xasprintf("refusing specs: %s %s is writable by %s%s (chmod go-w; "
                         "--insecure-spec-perms relaxes this for development)", kind, path,
                         (st.st_mode & 0020) && (st.st_mode & 0002) ? "group and others"
                         : (st.st_mode & 0020) ? "group" : "others", where);
    return -EPERM;
}

/* Whether the memo's directory kept is the first len characters of path (not a prefix of them:
 * /a/b is not /a/bc). */
static bool remembered(const char *kept, const char *path, size_t len) {
    return kept && strlen(kept) == len && strncmp(kept, path, len) == 0;
}

/* Every directory above abs (an absolute path) up to '/', nearest first. A chain the memo's
 * slot says was found good in this load is not looked at again. */
static int check_ancestors(const char *abs, const char *of, uid_t me, SpecTrustMemo *memo,
                           int slot, char **ret_msg) {
    _cleanup_free_ char *dir = xstrdup(abs);
    char *last = strrchr(dir, '/');
    size_t parent_len = !last ? 0 : last == dir ? 1 : (size_t) (last - dir);
    if (memo && remembered(memo->dir[slot], dir, parent_len))
        return 0;
    for (;;) {
        char *slash = strrchr(dir, '/');
        if (!slash)
            break;
        if (slash == dir) {
            if (!dir[1])
                break;      /* "/" itself was the last one checked */
            slash[1] = 0;   /* "/" */
        } else
            *slash = 0;
        int r = check_one(dir, "directory", of, me, ret_msg);
        if (r < 0)
            return r;
        if (streq(dir, "/"))
            break;
    }
    if (memo && parent_len > 0) {
        free(memo->dir[slot]);
        memo->dir[slot] = xstrndup(abs, parent_len);
    }
    return 0;
}

/* realpath(path) into real. A file that is no link resolves to its directory's resolved path
 * and its name: the memo keeps the last directory's, so a load of 10,000 files in one directory
 * does not resolve that directory's every component (a readlink each) 10,000 times. */
static bool resolve(const char *path, SpecTrustMemo *memo, char real[static PATH_MAX]) {
    struct stat lst;
    const char *slash = strrchr(path, '/');
    if (!memo || !slash || slash == path || !slash[1] || lstat(path, &lst) < 0 ||
        S_ISLNK(lst.st_mode))
        return realpath(path, real) != NULL;
    size_t dir_len = (size_t) (slash - path);
    if (!remembered(memo->given_dir, path, dir_len)) {
        _cleanup_free_ char *dir = xstrndup(path, dir_len);
        char dir_real[PATH_MAX];
        if (!realpath(dir, dir_real))
            return false;
        free(memo->given_dir);
        free(memo->real_dir);
        memo->given_dir = TAKE_PTR(dir);
        memo->real_dir = xstrdup(dir_real);
    }
    int n = snprintf(real, PATH_MAX, "%s/%s", streq(memo->real_dir, "/") ? "" : memo->real_dir,
                     slash + 1);
    if (n < 0 || n >= PATH_MAX) {
        errno = ENAMETOOLONG;
        return false;
    }
    return true;
}

int spec_check_trust(const char *path, const char *root, SpecTrustMemo *memo, char **ret_msg) {
    (void) root;   /* the whole chain up to '/' is checked, the spec root's parents included */
    if (spec_trust_relaxed)
        return 0;
    /* the file as read (a link to a file: the file), then the path as given */
    struct stat st;
    if (stat(path, &st) < 0) {
        return cannot_check(path, ret_msg);
    }
    char real[PATH_MAX];
    if (!resolve(path, memo, real)) {
        return cannot_check(path, ret_msg);
    }
    uid_t me = geteuid();
    int r = check_one(real, "file", streq(real, path) ? NULL : path, me, ret_msg);
    if (r < 0)
        return r;
    _cleanup_free_ char *abs = NULL;
    if (path[0] == '/')
        abs = xstrdup(path);
    else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof(cwd))) {
            return cannot_check(path, ret_msg);
        }
        abs = xasprintf("%s/%s", streq(cwd, "/") ? "" : cwd, path);
    }
    if (!streq(abs, real)) {
        r = check_one(abs, "file", NULL, me, ret_msg);   /* a link: its owner */
        if (r >= 0)
            r = check_ancestors(abs, path, me, memo, 0, ret_msg);
        if (r < 0)
            return r;
    }
    return check_ancestors(real, path, me, memo, 1, ret_msg);
}

void spec_trust_memo_clear(SpecTrustMemo *memo) {
    free(memo->dir[0]);
    free(memo->dir[1]);
    free(memo->given_dir);
    free(memo->real_dir);
    *memo = (SpecTrustMemo) {};
}
