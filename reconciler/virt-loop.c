/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/param.h>
#include <unistd.h>

#include "macro.h"
#include "util.h"
#include "virt-conn.h"
#include "virt-loop.h"

/* The arrays only grow while the loop's thread is out of the lock: an element keeps its index
 * until that thread compacts them (removed ones dropped), so it can dispatch by index across the
 * unlocked callbacks. Ids are never reused. */
typedef struct Watch {
    int id, fd;
    int events;     /* wanted: VIR_EVENT_HANDLE_*; 0 = disabled */
    uint64_t since; /* ms, CLOCK_MONOTONIC: when events last changed */
    bool removed;
    virEventHandleCallback cb;
    void *opaque;
    virFreeCallback ff;
} Watch;

typedef struct Timer {
    int id;
    int interval;   /* ms; -1 = disabled, 0 = each time the loop turns */
    uint64_t due;   /* ms, CLOCK_MONOTONIC */
    bool removed;
    virEventTimeoutCallback cb;
    void *opaque;
    virFreeCallback ff;
} Timer;

static struct {
    pthread_mutex_t lock;
    Watch *w;
    size_t n_w;
    Timer *t;
    size_t n_t;
    int next_watch, next_timer;
    int wake_fd;
    bool in_poll;        /* the thread is in (or about to enter) poll with what it built */
    bool woken;          /* wake_fd written since: once is enough */
    uint64_t poll_until; /* when that poll times out; UINT64_MAX: never */
    unsigned long wakeups;
    int start_result;
} L = { .lock = PTHREAD_MUTEX_INITIALIZER, .next_watch = 1, .next_timer = 1, .wake_fd = -1 };

/* Under the lock. in_poll is set from the moment the loop built its poll set until poll returned:
 * that includes the free callbacks it runs just before polling, so a change they make wakes the
 * poll too. The watch and timer callbacks run with it clear; the loop builds its next poll after
 * them. */
static void wake_locked(void) {
    if (!L.in_poll || L.woken)
        return;
    L.woken = true;
    uint64_t one = 1;
    ssize_t k = write(L.wake_fd, &one, sizeof(one));
    (void) k;   /* EAGAIN: the counter is full, so the loop is woken anyway */
}

/* A watch turned on is polled once it has stayed on for SETTLE_MS. libvirt's client
 * turns a connection's watch off and on around every call (virNetClientIO: the calling thread
 * reads the socket itself meanwhile); while calls follow each other, the socket is read by them
 * and the loop need not follow each toggle: it wakes about once per SETTLE_MS, not twice per
 * call. An event libvirtd sends right after a call is read by the next call, or by the loop at
 * most SETTLE_MS later; keepalive's timers are seconds. */
#define SETTLE_MS 20

static short to_poll(int events) {
    return (short) ((events & VIR_EVENT_HANDLE_READABLE ? POLLIN : 0) |
                    (events & VIR_EVENT_HANDLE_WRITABLE ? POLLOUT : 0));
}

static int from_poll(short revents) {
    return (revents & POLLIN ? VIR_EVENT_HANDLE_READABLE : 0) |
           (revents & POLLOUT ? VIR_EVENT_HANDLE_WRITABLE : 0) |
           (revents & (POLLERR | POLLNVAL) ? VIR_EVENT_HANDLE_ERROR : 0) |
           (revents & POLLHUP ? VIR_EVENT_HANDLE_HANGUP : 0);
}

static Watch *watch_find(int id) {
    for (size_t i = 0; i < L.n_w; i++)
        if (L.w[i].id == id && !L.w[i].removed)
            return &L.w[i];
    return NULL;
}

static Timer *timer_find(int id) {
    for (size_t i = 0; i < L.n_t; i++)
        if (L.t[i].id == id && !L.t[i].removed)
            return &L.t[i];
    return NULL;
}

/* Under the lock. A watch enabled must be polled from since + SETTLE_MS: the loop is woken if its
 * poll would end later. The loop also wakes at since + SETTLE_MS of a watch disabled, so that
 * the next call's enable finds it due to wake by then and wakes nothing. */
static void watch_set_locked(Watch *w, int events) {
    w->events = events;
    w->since = monotonic_ms();
    if (events && w->since + SETTLE_MS < L.poll_until)
        wake_locked();
}

static int add_handle(int fd, int events, virEventHandleCallback cb, void *opaque, virFreeCallback ff) {
    pthread_mutex_lock(&L.lock);
    Watch *w = array_push(&L.w, &L.n_w, sizeof(Watch));
    *w = (Watch) { .id = L.next_watch++, .fd = fd, .cb = cb, .opaque = opaque, .ff = ff };
    int id = w->id;
    if (events)
        watch_set_locked(w, events);
    pthread_mutex_unlock(&L.lock);
    return id;
}

/* Disabling wakes nothing: the loop calls a watch only for events it still wants, and its next
 * poll leaves it out. A change between two non-zero sets (libvirt's client adds WRITABLE while a
 * message waits to be sent, a keepalive answer say) is not a toggle: no settling, and the loop is
 * woken when it asks for more than its poll covers. */
static void update_handle(int id, int events) {
    pthread_mutex_lock(&L.lock);
    Watch *w = watch_find(id);
    if (w && events != w->events) {
        int old = w->events;
        if (old && events) {
            w->events = events;
            if ((events & ~old) && w->since + SETTLE_MS <= monotonic_ms())
                wake_locked();
        } else
            watch_set_locked(w, events);
    }
    pthread_mutex_unlock(&L.lock);
}

static int remove_handle(int id) {
    pthread_mutex_lock(&L.lock);
    Watch *w = watch_find(id);
    if (w) {
        w->removed = true;
        wake_locked();   /* its free callback runs when the loop turns */
    }
    pthread_mutex_unlock(&L.lock);
    return w ? 0 : -1;
}

static void timer_set_locked(Timer *t, int interval) {
    t->interval = interval;
    if (interval < 0)
        return;
    t->due = monotonic_ms() + (uint64_t) interval;
    if (t->due < L.poll_until)
        wake_locked();
}

static int add_timeout(int interval, virEventTimeoutCallback cb, void *opaque, virFreeCallback ff) {
    pthread_mutex_lock(&L.lock);
    Timer *t = array_push(&L.t, &L.n_t, sizeof(Timer));
    *t = (Timer) { .id = L.next_timer++, .cb = cb, .opaque = opaque, .ff = ff };
    int id = t->id;
    timer_set_locked(t, interval);
    pthread_mutex_unlock(&L.lock);
    return id;
}

/* keepalive moves its timer on each message received: later than the poll's end, no wake-up. */
static void update_timeout(int id, int interval) {
    pthread_mutex_lock(&L.lock);
    Timer *t = timer_find(id);
    if (t)
        timer_set_locked(t, interval);
    pthread_mutex_unlock(&L.lock);
}

static int remove_timeout(int id) {
    pthread_mutex_lock(&L.lock);
    Timer *t = timer_find(id);
    if (t) {
        t->removed = true;
        wake_locked();
    }
    pthread_mutex_unlock(&L.lock);
    return t ? 0 : -1;
}

typedef struct Freed {
    virFreeCallback ff;
    void *opaque;
} Freed;

/* Under the lock: drops what was removed, collecting the free callbacks to run unlocked (libvirt
 * may take its own locks in them, which a remover can hold). */
static void compact_locked(Freed **freed, size_t *n_freed) {
    size_t k = 0;
    for (size_t i = 0; i < L.n_w; i++)
        if (!L.w[i].removed)
            L.w[k++] = L.w[i];
        else if (L.w[i].ff)
            *(Freed *) array_push(freed, n_freed, sizeof(Freed)) = (Freed) { L.w[i].ff, L.w[i].opaque };
    L.n_w = k;
    k = 0;
    for (size_t i = 0; i < L.n_t; i++)
        if (!L.t[i].removed)
            L.t[k++] = L.t[i];
        else if (L.t[i].ff)
            *(Freed *) array_push(freed, n_freed, sizeof(Freed)) = (Freed) { L.t[i].ff, L.t[i].opaque };
    L.n_t = k;
}

static void turn(struct pollfd **fds, size_t **idx, size_t *cap) {
    _cleanup_free_ Freed *freed = NULL;
    size_t n_freed = 0;

    pthread_mutex_lock(&L.lock);
    compact_locked(&freed, &n_freed);
    if (*cap < L.n_w + 1) {
        *cap = L.n_w + 8;
        *fds = xrealloc(*fds, *cap * sizeof(struct pollfd));
        *idx = xrealloc(*idx, *cap * sizeof(size_t));
    }
    size_t n = 0;
    (*fds)[n++] = (struct pollfd) { .fd = L.wake_fd, .events = POLLIN };
    uint64_t now = monotonic_ms(), until = UINT64_MAX;
    for (size_t i = 0; i < L.n_w; i++) {
        if (L.w[i].since + SETTLE_MS > now) {
            until = MIN(until, L.w[i].since + SETTLE_MS);
            continue;
        }
        if (!L.w[i].events)
            continue;
        (*idx)[n] = i;
        (*fds)[n++] = (struct pollfd) { .fd = L.w[i].fd, .events = to_poll(L.w[i].events) };
    }
    for (size_t i = 0; i < L.n_t; i++)
        if (L.t[i].interval >= 0 && L.t[i].due < until)
            until = L.t[i].due;
    int timeout = until == UINT64_MAX ? -1 : until <= now ? 0 : until - now > INT_MAX ? INT_MAX : (int) (until - now);
    L.poll_until = until;
    L.in_poll = true;
    L.woken = false;
    pthread_mutex_unlock(&L.lock);

    for (size_t i = 0; i < n_freed; i++)
        freed[i].ff(freed[i].opaque);

    int r = poll(*fds, n, timeout);

    pthread_mutex_lock(&L.lock);
    L.in_poll = false;
    L.wakeups++;
    if (r > 0 && ((*fds)[0].revents & POLLIN)) {
        uint64_t v;
        ssize_t k = read(L.wake_fd, &v, sizeof(v));
        (void) k;
    }
    /* timers first, then the sockets, as libvirt's own loops do */
    now = monotonic_ms();
    for (size_t i = 0; i < L.n_t; i++) {
        Timer *t = &L.t[i];
        if (t->removed || t->interval < 0 || t->due > now)
            continue;
        t->due = now + (uint64_t) t->interval;
        int id = t->id;
        virEventTimeoutCallback cb = t->cb;
        void *opaque = t->opaque;
        pthread_mutex_unlock(&L.lock);
        cb(id, opaque);
        pthread_mutex_lock(&L.lock);
    }
    for (size_t k = 1; r > 0 && k < n; k++) {
        if (!(*fds)[k].revents)
            continue;
        Watch *w = &L.w[(*idx)[k]];
        /* ERROR and HANGUP are told whatever was asked; nothing to a watch disabled meanwhile */
        int ev = from_poll((*fds)[k].revents) & (w->events | VIR_EVENT_HANDLE_ERROR | VIR_EVENT_HANDLE_HANGUP);
        if (w->removed || !w->events || !ev)
            continue;
        int id = w->id, fd = w->fd;
        virEventHandleCallback cb = w->cb;
        void *opaque = w->opaque;
        pthread_mutex_unlock(&L.lock);
        cb(id, fd, ev, opaque);
        pthread_mutex_lock(&L.lock);
    }
    pthread_mutex_unlock(&L.lock);
}

static void *loop_thread(void *arg) {
    struct pollfd *fds = NULL;
    size_t *idx = NULL, cap = 0;
    for (;;)
        turn(&fds, &idx, &cap);
    return NULL;
}

static void start_once(void) {
    virt_init();
    L.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (L.wake_fd < 0) {
        L.start_result = -errno;
        return;
    }
    /* signals stay with the threads that handle them (libuv's) */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_t thread;
    int r = pthread_create(&thread, NULL, loop_thread, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (r != 0) {
        L.start_result = -r;
        return;
    }
    pthread_detach(thread);
    virEventRegisterImpl(add_handle, update_handle, remove_handle, add_timeout, update_timeout,
                         remove_timeout);
}

int virt_loop_start(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, start_once);
    return L.start_result;
}

unsigned long virt_loop_wakeups(void) {
    pthread_mutex_lock(&L.lock);
    unsigned long n = L.wakeups;
    pthread_mutex_unlock(&L.lock);
    return n;
}
