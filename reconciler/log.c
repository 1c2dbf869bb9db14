/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "log.h"

static int max_level = LOG_INFO;
static bool use_journal;

void log_setup(void) {
    const char *js = getenv("JOURNAL_STREAM");
    struct stat st;
    unsigned long dev, ino;
    if (js && sscanf(js, "%lu:%lu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
        (unsigned long) st.st_dev == dev && (unsigned long) st.st_ino == ino)
        use_journal = true;
    const char *lvl = getenv("VIRTSPEC_LOG_LEVEL");
    if (lvl && streq(lvl, "debug"))
        max_level = LOG_DEBUG;
}

void log_set_max_level(int level) {
    max_level = level;
}

int log_get_max_level(void) {
    return max_level;
}

int log_full(int level, int error, const char *const *fields, const char *fmt, ...) {
    va_list ap;
    _cleanup_free_ char *msg = NULL;
    if (level > max_level)
        return error < 0 ? error : -abs(error);
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        abort();
    va_end(ap);
    if (error != 0) {
        char *m = xasprintf("%s: %s", msg, strerror(abs(error)));
        free(msg);
        msg = m;
    }
    if (use_journal) {
        struct iovec iov[16];
        char *bufs[16];
        size_t n = 0;
        bufs[n] = xasprintf("MESSAGE=%s", msg);
        bufs[n + 1] = xasprintf("PRIORITY=%d", level);
        bufs[n + 2] = xstrdup("SYSLOG_IDENTIFIER=virtspec");
        n = 3;
        for (size_t i = 0; fields && fields[i] && n < ELEMENTSOF(bufs); i++)
            bufs[n++] = xstrdup(fields[i]);
        for (size_t i = 0; i < n; i++)
            iov[i] = (struct iovec) { .iov_base = bufs[i], .iov_len = strlen(bufs[i]) };
        sd_journal_sendv(iov, (int) n);
        for (size_t i = 0; i < n; i++)
            free(bufs[i]);
    } else
        fprintf(stderr, "%s%s\n", level <= LOG_ERR ? "error: " : level == LOG_WARNING ? "warning: " : "",
                msg);
    return error < 0 ? error : -abs(error);
}
