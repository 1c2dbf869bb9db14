/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host-file.h"

int host_file_read(const char *path, const char *what, size_t max, bool secret, char **ret,
                   size_t *ret_len, char **ret_error) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        *ret_error = e == ENOENT ? xasprintf("%s %s does not exist", what, path)
                                 : xasprintf("cannot open %s %s: %s", what, path, strerror(e));
        return -e;
    }
    struct stat st;
    int r = 0;
    char *buf = NULL;
    ssize_t n = 0;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        *ret_error = xasprintf("%s %s is not a regular file", what, path);
        r = -EINVAL;
    } else if (secret && ((st.st_mode & 0077) != 0 || (geteuid() == 0 && st.st_uid != 0))) {
        *ret_error = xasprintf("%s %s must be owned by root and not readable by group or others",
                               what, path);
        r = -EPERM;
    } else if ((size_t) st.st_size > max) {
        *ret_error = xasprintf("%s %s is larger than %zu bytes", what, path, max);
        r = -EFBIG;
    } else {
        buf = xmalloc0(max + 1);
        for (ssize_t k; (size_t) n < max && (k = read(fd, buf + n, max - (size_t) n)) != 0; n += k)
            if (k < 0) {
                *ret_error = xasprintf("cannot read %s %s: %s", what, path, strerror(errno));
                r = -EIO;
                break;
            }
        if (r == 0 && memchr(buf, 0, (size_t) n)) {
            *ret_error = xasprintf("%s %s contains a NUL byte", what, path);
            r = -EINVAL;
        }
    }
    close(fd);
    if (r < 0) {
        if (buf) {
            explicit_bzero(buf, max + 1);
            free(buf);
        }
        return r;
    }
    *ret = buf;
    if (ret_len)
        *ret_len = (size_t) n;
    return 0;
}
