/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "engine-context.h"

/* The daemon's edit prefetch: the moment a spec file is renamed into place or closed after
 * writing (watch_on_finished_write), the domains it declares are read on the thread pool — the
 * handle, the persistent XML and the state, what their pass would ask libvirtd first — while the
 * watch's quiet period runs and the file is read. The pass that follows takes them
 * (domain_index_one's index) instead of three round trips.
 *
 * A prefetch is used only when it is as good as the pass's own read: it began after the edit, no
 * libvirt event for the domain came since it began (the caller's sequence numbers: lifecycle,
 * balloon and metadata events), and it is at most PREFETCH_MAX_AGE_MS old when the pass starts
 * (an edit on a quiet machine: 2–5 ms). Libvirt raises no event for some changes of a definition
 * made by hand (a `virsh setmem --config`, an autostart flag): one made between the read and the
 * define is overwritten; that window is at most this age plus the pass, where the pass's own
 * read leaves only the pass. Otherwise it is dropped and the pass reads afresh. */

#define PREFETCH_MAX_AGE_MS 25
#define PREFETCH_MAX 4          /* at once: an edit's files, not a checkout's */

typedef struct Prefetch Prefetch;

typedef struct Prefetches {
    uv_loop_t *loop;
    Prefetch **items;
    size_t n;
    /* a prefetch ended (its pass may start now); the caller counts them as work in flight */
    void (*done)(void *userdata, const char *name);
    void *userdata;
    unsigned max_age_ms;    /* 0: PREFETCH_MAX_AGE_MS (tests: VIRTSPEC_DEBUG_PREFETCH_AGE_MS) */
    unsigned delay_ms;      /* tests: each read waits this long first (VIRTSPEC_DEBUG_PREFETCH_DELAY_MS) */
} Prefetches;

/* Starts reading domain name on the thread pool, seq being the caller's event count now. A
 * finished read of name, and any too old to be taken, are dropped first. False when one is still
 * reading name or PREFETCH_MAX are kept: nothing started. */
bool prefetch_start(Prefetches *ps, const Engine *e, const char *name, uint64_t seq);
/* Whether a prefetch of name is still reading: its pass waits for it. */
bool prefetch_running(const Prefetches *ps, const char *name);
/* The prefetched index for name's pass starting now, or NULL (none, failed, too old, or
 * last_seq — the domain's last event — after its start). The entry is gone either way. */
DomainIndex *prefetch_take(Prefetches *ps, const char *name, uint64_t last_seq);
/* Drops the finished prefetches of which wanted(name) says no (their spec did not change: no
 * pass takes them), and those too old to be used. */
void prefetch_sweep(Prefetches *ps, bool (*wanted)(const char *name, void *userdata), void *userdata);
/* Drops every finished prefetch (the connection goes); running ones are dropped when they end. */
void prefetch_drop_all(Prefetches *ps);
