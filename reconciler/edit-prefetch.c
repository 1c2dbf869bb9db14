/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "edit-prefetch.h"
#include "log.h"
#include "macro.h"

struct Prefetch {
    uv_work_t req;
    Prefetches *owner;
    Engine engine;          /* the connection, as the caller had it */
    char *name;
    uint64_t seq;           /* the caller's event count when it began */
    uint64_t started;       /* uv_hrtime when it began */
    uint64_t ran;           /* …when a thread of the pool took it (set on that thread) */
    uint64_t finished;      /* …when its end reached the loop */
    unsigned delay_ms;      /* tests: the read waits this long first */
    DomainIndex *ix;        /* the result, NULL when the read failed */
    int r;
    bool done;
    bool dropped;           /* prefetch_drop_all while it ran: freed when it ends */
};

static void prefetch_free(Prefetch *p) {
    domain_index_unref(p->ix);
    free(p->name);
    free(p);
}

static size_t find(const Prefetches *ps, const char *name) {
    for (size_t i = 0; i < ps->n; i++)
        if (!ps->items[i]->dropped && streq(ps->items[i]->name, name))
            return i;
    return ps->n;
}

static void remove_at(Prefetches *ps, size_t i) {
    ps->items[i] = ps->items[--ps->n];
}

/* Its age now, in ms: the clock read afresh (uv_now is the loop iteration's start, older by
 * whatever ran since — a rescan of a large tree). */
static uint64_t age_ms(const Prefetch *p) {
    return (uv_hrtime() - p->started) / 1000000;
}

static bool young(const Prefetches *ps, const Prefetch *p) {
    return age_ms(p) <= (ps->max_age_ms ? ps->max_age_ms : PREFETCH_MAX_AGE_MS);
}

static void run(uv_work_t *req) {
    Prefetch *p = req->data;
    p->ran = uv_hrtime();
    if (p->delay_ms)
        nanosleep(&(struct timespec) { p->delay_ms / 1000, (long) (p->delay_ms % 1000) * 1000000 }, NULL);
    p->r = domain_index_one(&p->engine, p->name, &p->ix);
}

static void done(uv_work_t *req, int status) {
    Prefetch *p = req->data;
    Prefetches *ps = p->owner;
    p->done = true;
    p->finished = uv_hrtime();
    if (p->r < 0)
        log_debug("Domain %s: not read ahead of its edit's pass: %s", p->name, strerror(-p->r));
    if (!p->dropped && p->r >= 0) {
        _cleanup_free_ char *name = xstrdup(p->name);   /* done() may take and free p */
        ps->done(ps->userdata, name);
        return;
    }
    for (size_t i = 0; i < ps->n; i++)
        if (ps->items[i] == p) {
            remove_at(ps, i);
            break;
        }
    _cleanup_free_ char *name = TAKE_PTR(p->name);
    prefetch_free(p);
    ps->done(ps->userdata, name);
}

/* Finished reads no pass took in time (a file whose spec did not change, read after its
 * burst's callback): they must not hold a slot, nor keep a newer edit of the same domain from
 * being read. */
static void drop_stale(Prefetches *ps, const char *name) {
    for (size_t i = ps->n; i-- > 0;) {
        Prefetch *p = ps->items[i];
        if (p->done && !p->dropped && (!young(ps, p) || streq(p->name, name))) {
            remove_at(ps, i);
            prefetch_free(p);
        }
    }
}

bool prefetch_start(Prefetches *ps, const Engine *e, const char *name, uint64_t seq) {
    drop_stale(ps, name);
    if (ps->n >= PREFETCH_MAX || find(ps, name) < ps->n)
        return false;   /* one is reading it already: a read that began after this write */
    Prefetch *p = xmalloc0(sizeof(Prefetch));
    p->owner = ps;
    p->engine = *e;
    p->engine.index = NULL;
    p->name = xstrdup(name);
    p->seq = seq;
    p->started = uv_hrtime();
    p->delay_ms = ps->delay_ms;
    p->req.data = p;
    *(Prefetch **) array_push(&ps->items, &ps->n, sizeof(Prefetch *)) = p;
    uv_queue_work(ps->loop, &p->req, run, done);
    return true;
}

bool prefetch_running(const Prefetches *ps, const char *name) {
    size_t i = find(ps, name);
    return i < ps->n && !ps->items[i]->done;
}

DomainIndex *prefetch_take(Prefetches *ps, const char *name, uint64_t last_seq) {
    size_t i = find(ps, name);
    if (i == ps->n || !ps->items[i]->done)
        return NULL;
    Prefetch *p = ps->items[i];
    remove_at(ps, i);
    DomainIndex *ix = NULL;
    if (last_seq > p->seq)
        log_debug("Domain %s: what was read after the edit is not used (a libvirt event came since): "
                  "read afresh", name);
    else if (!young(ps, p))
        log_debug("Domain %s: what was read after the edit is not used (too old): read afresh", name);
    else {
        ix = TAKE_PTR(p->ix);
        /* where an edit's time goes: the read waiting for a thread, the read, and the loop after
         * it (the watch's quiet period, the rescan, other work): 0.00 ms if the pass waited */
        uint64_t now = uv_hrtime();
        log_debug("Domain %s: its pass takes what was read %" PRIu64 " ms ago, after the edit "
                  "(%.2f ms for a thread, %.2f ms the read, its end %.2f ms before the pass)",
                  name, (now - p->started) / 1000000, (double) (p->ran - p->started) / 1e6,
                  (double) (p->finished - p->ran) / 1e6, (double) (now - p->finished) / 1e6);
    }
    prefetch_free(p);
    return ix;
}

void prefetch_sweep(Prefetches *ps, bool (*wanted)(const char *name, void *userdata), void *userdata) {
    for (size_t i = ps->n; i-- > 0;) {
        Prefetch *p = ps->items[i];
        if (!p->done || p->dropped)
            continue;
        if (wanted(p->name, userdata) && young(ps, p))
            continue;
        remove_at(ps, i);
        prefetch_free(p);
    }
}

void prefetch_drop_all(Prefetches *ps) {
    for (size_t i = ps->n; i-- > 0;) {
        Prefetch *p = ps->items[i];
        if (p->done) {
            remove_at(ps, i);
            prefetch_free(p);
        } else
            p->dropped = true;
    }
}
