/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "progress.h"

char *progress_bytes(char *buf, size_t n, uint64_t bytes) {
    static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
    if (bytes < 1024) {
        snprintf(buf, n, "%" PRIu64 " B", bytes);
        return buf;
    }
    double v = (double) bytes / 1024;
    size_t u = 0;
    while (v >= 1024 && u + 1 < ELEMENTSOF(units)) {
        v /= 1024;
        u++;
    }
    snprintf(buf, n, "%.1f %s", v, units[u]);
    return buf;
}

char *progress_eta(char *buf, size_t n, long seconds) {
    if (seconds < 0)
        snprintf(buf, n, "--:--");
    else
        snprintf(buf, n, "%02ld:%02ld", seconds / 60, seconds % 60);
    return buf;
}

int progress_step(uint64_t done, uint64_t total) {
    if (total == 0 || done >= total)
        return 10;
    return (int) (done * 10 / total);
}

char *progress_line(const char *what, uint64_t done, uint64_t total, double elapsed) {
    char d[32], t[32], r[32], eta[32];
    double rate = elapsed > 0 ? (double) done / elapsed : 0;
    if (rate >= 1)
        progress_bytes(r, sizeof(r), (uint64_t) rate);
    if (total == 0)   /* not known */
        return xasprintf("%s: %s of unknown size, %s%s", what, progress_bytes(d, sizeof(d), done),
                         rate >= 1 ? r : "-", rate >= 1 ? "/s" : "");
    long left = done >= total ? 0 : rate >= 1 ? (long) ((double) (total - done) / rate + 0.5) : -1;
    unsigned pct = (unsigned) (done >= total ? 100 : done * 100 / total);
    return xasprintf("%s: %s of %s (%u%%), %s%s, ETA %s", what, progress_bytes(d, sizeof(d), done),
                     progress_bytes(t, sizeof(t), total), pct, rate >= 1 ? r : "-", rate >= 1 ? "/s" : "",
                     progress_eta(eta, sizeof(eta), left));
}

static double since(const struct timespec *a) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double) (now.tv_sec - a->tv_sec) + (double) (now.tv_nsec - a->tv_nsec) / 1e9;
}

double progress_elapsed(const Progress *p) {
    return since(&p->start);
}

/* The terminal's one unterminated line (a progress or countdown line) and the lock every writer
 * of a line to the terminal takes: a worker's upload draws while another worker's result is
 * printed (apply streams them), and a result must not land behind the drawn text. */
static pthread_mutex_t term_lock = PTHREAD_MUTEX_INITIALIZER;
static bool line_drawn;

static void draw_line(const char *line) {
    pthread_mutex_lock(&term_lock);
    printf("\r%s\033[K", line);
    fflush(stdout);
    line_drawn = true;
    pthread_mutex_unlock(&term_lock);
}

/* Ends the drawn line, if one is, keeping it on screen. */
static void end_line(void) {
    pthread_mutex_lock(&term_lock);
    if (line_drawn) {
        putchar('\n');
        fflush(stdout);
    }
    line_drawn = false;
    pthread_mutex_unlock(&term_lock);
}

void progress_output_begin(void) {
    pthread_mutex_lock(&term_lock);
    if (line_drawn) {
        fputs("\r\033[K", stdout);   /* the next update draws it again, below */
        line_drawn = false;
    }
}

void progress_output_end(void) {
    fflush(stdout);
    pthread_mutex_unlock(&term_lock);
}

void progress_start(Progress *p, const char *what, uint64_t total, bool tty) {
    *p = (Progress) { .what = xstrdup(what), .total = total, .tty = tty };
    clock_gettime(CLOCK_MONOTONIC, &p->start);
}

void progress_update(Progress *p, uint64_t done) {
    p->done = done;
    if (p->tty) {
        /* a few redraws a second are enough, the last one always */
        if ((p->total == 0 || done < p->total) && p->drawn.tv_sec && since(&p->drawn) < 0.25)
            return;
        clock_gettime(CLOCK_MONOTONIC, &p->drawn);
        _cleanup_free_ char *line = progress_line(p->what, done, p->total, progress_elapsed(p));
        draw_line(line);
        return;
    }
    uint64_t step = p->total ? (uint64_t) progress_step(done, p->total) : done / PROGRESS_UNKNOWN_STEP;
    if (step == p->step)
        return;
    p->step = step;
    _cleanup_free_ char *line = progress_line(p->what, done, p->total, progress_elapsed(p));
    log_info("%s", line);
}

void progress_end(Progress *p) {
    if (p->tty && p->drawn.tv_sec)
        end_line();
    p->tty = false;   /* once */
    free(p->what);
    p->what = NULL;
}

struct Countdown {
    char *what;
    unsigned total_s, elapsed_s;
    bool stop;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
};

char *countdown_line(const char *what, unsigned elapsed_s, unsigned total_s) {
    /* past the timeout the forced stop and the start run: the count stays at its end */
    return xasprintf("%s: %u s of %u", what, elapsed_s < total_s ? elapsed_s : total_s, total_s);
}

static void *countdown_run(void *arg) {
    Countdown *c = arg;
    struct timespec next;
    clock_gettime(CLOCK_REALTIME, &next);
    pthread_mutex_lock(&c->lock);
    while (!c->stop) {
        next.tv_sec++;
        if (pthread_cond_timedwait(&c->cond, &c->lock, &next) != ETIMEDOUT)
            continue;   /* stopped (or a spurious wake: the deadline stays) */
        c->elapsed_s++;
        _cleanup_free_ char *line = countdown_line(c->what, c->elapsed_s, c->total_s);
        draw_line(line);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

Countdown *countdown_start(const char *what, unsigned total_s, bool tty) {
    if (!tty)
        return NULL;
    Countdown *c = xmalloc0(sizeof(Countdown));
    c->what = xstrdup(what);
    c->total_s = total_s;
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cond, NULL);
    if (pthread_create(&c->thread, NULL, countdown_run, c) != 0)
        abort();
    return c;
}

void countdown_stop(Countdown *c) {
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    c->stop = true;
    pthread_cond_signal(&c->cond);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    if (c->elapsed_s > 0)
        end_line();
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->lock);
    free(c->what);
    free(c);
}
