/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "util.h"
#include "watch-git.h"

/* The directory a .git file names ("gitdir: PATH\n"), relative to the directory holding it;
 * NULL when the file says something else. */
static char *gitfile_target(const char *dir, const char *file) {
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    char buf[PATH_MAX + 16];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    if (strncmp(buf, "gitdir: ", 8) != 0)
        return NULL;
    char *p = buf + 8;
    p[strcspn(p, "\r\n")] = '\0';
    if (!*p)
        return NULL;
    return *p == '/' ? xstrdup(p) : xasprintf("%s/%s", streq(dir, "/") ? "" : dir, p);
}

char *watch_git_dir(const char *dir) {
    _cleanup_free_ char *d = realpath(dir, NULL);
    struct stat top;
    if (!d || stat(d, &top) < 0)
        return NULL;
    for (;;) {
        _cleanup_free_ char *dotgit = xasprintf("%s/.git", streq(d, "/") ? "" : d);
        struct stat st;
        if (stat(dotgit, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                return realpath(dotgit, NULL);
            /* a .git file: the directory it names; git stops at one it cannot read, so do we */
            _cleanup_free_ char *t = S_ISREG(st.st_mode) ? gitfile_target(d, dotgit) : NULL;
            return t ? realpath(t, NULL) : NULL;
        }
        if (streq(d, "/"))
            return NULL;
        char *slash = strrchr(d, '/');
        if (slash == d)
            slash[1] = '\0';
        else
            *slash = '\0';
        /* nor does git look past a file system's boundary (GIT_DISCOVERY_ACROSS_FILESYSTEM) */
        if (stat(d, &st) < 0 || st.st_dev != top.st_dev)
            return NULL;
    }
}
