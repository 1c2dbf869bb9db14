/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#define SD_JOURNAL_SUPPRESS_LOCATION   /* the caller's location is passed down */
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "log.h"

static int max_level = LOG_INFO;
static bool use_journal;
static FILE *fields_file;   /* $VIRTSPEC_LOG_FIELDS: the records, for tests */
static const char *host;    /* $VIRTSPEC_AGENTLESS: the Host this process drives from elsewhere
                             * (a child of daemon --all-hosts): its messages say which */

void log_setup(void) {
    const char *js = getenv("JOURNAL_STREAM");
    struct stat st;
    unsigned long dev, ino;
    if (js && sscanf(js, "%lu:%lu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
        (unsigned long) st.st_dev == dev && (unsigned long) st.st_ino == ino)
        use_journal = true;
    const char *ff = getenv("VIRTSPEC_LOG_FIELDS");
    if (ff && *ff && !fields_file) {
        fields_file = fopen(ff, "ae");
        if (fields_file)
            setvbuf(fields_file, NULL, _IOLBF, 0);
    }
    host = getenv("VIRTSPEC_AGENTLESS");
    if (host && !*host)
        host = NULL;
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

static void send_record(const char *file, int line, const char *func, struct iovec *iov, size_t n) {
    _cleanup_free_ char *f = xasprintf("CODE_FILE=%s", file), *l = xasprintf("CODE_LINE=%d", line);
    if (!fields_file) {
        sd_journal_sendv_with_location(f, l, func, iov, (int) n);
        return;
    }
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    fprintf(fields_file, "%s\n%s\nCODE_FUNC=%s\n", f, l, func);
    for (size_t i = 0; i < n; i++)
        fprintf(fields_file, "%.*s\n", (int) iov[i].iov_len, (const char *) iov[i].iov_base);
    fputc('\n', fields_file);
    pthread_mutex_unlock(&lock);
}

_printf_(7, 0)
static int log_internalv(const char *file, int line, const char *func, int level, int error,
                         const char *const *fields, const char *fmt, va_list ap) {
    _cleanup_free_ char *msg = NULL;
    if (level > max_level)
        return error < 0 ? error : -abs(error);
    if (vasprintf(&msg, fmt, ap) < 0)
        abort();
    if (error != 0) {
        char *m = xasprintf("%s: %s", msg, strerror(abs(error)));
        free(msg);
        msg = m;
    }
    if (host) {   /* one journal for every Host's daemon: "[kvm1] …", and VIRTSPEC_HOST=kvm1 */
        char *m = xasprintf("[%s] %s", host, msg);
        free(msg);
        msg = m;
    }
    if (use_journal || fields_file) {
        struct iovec iov[16];
        char *bufs[16];
        size_t n = 0;
        bufs[n] = xasprintf("MESSAGE=%s", msg);
        bufs[n + 1] = xasprintf("PRIORITY=%d", level);
        bufs[n + 2] = xstrdup("SYSLOG_IDENTIFIER=virtspec");
        n = 3;
        if (host)
            bufs[n++] = xasprintf("VIRTSPEC_HOST=%s", host);
        for (size_t i = 0; fields && fields[i] && n < ELEMENTSOF(bufs); i++)
            bufs[n++] = xstrdup(fields[i]);
        for (size_t i = 0; i < n; i++)
            iov[i] = (struct iovec) { .iov_base = bufs[i], .iov_len = strlen(bufs[i]) };
        send_record(file, line, func, iov, n);
        for (size_t i = 0; i < n; i++)
            free(bufs[i]);
    }
    if (!use_journal)
        fprintf(stderr, "%s%s\n", level <= LOG_ERR ? "virtspec: error: " :
                                   level == LOG_WARNING ? "virtspec: warning: " : "", msg);
    return error < 0 ? error : -abs(error);
}

int log_internal(const char *file, int line, const char *func, int level, int error,
                 const char *const *fields, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = log_internalv(file, line, func, level, error, fields, fmt, ap);
    va_end(ap);
    return r;
}

int log_internal_object(const char *file, int line, const char *func, int level, const char *kind,
                        const char *name, const char *fmt, ...) {
    _cleanup_free_ char *k = xasprintf("OBJECT_KIND=%s", kind), *n = xasprintf("OBJECT_NAME=%s", name);
    const char *fields[] = { k, n, NULL };
    va_list ap;
    va_start(ap, fmt);
    int r = log_internalv(file, line, func, level, 0, fields, fmt, ap);
    va_end(ap);
    return r;
}
