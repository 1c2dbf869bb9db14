/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libxml/tree.h>
#include <stdbool.h>

#include "virt-conn.h"

/* The engine's context (engine-context.c): the connection, what this run may do, and the domain
 * index of one-shot runs. */

typedef struct DomainIndex DomainIndex;

typedef struct Engine {
    void *conn;             /* virConnectPtr */
    bool apply;
    bool host_kvm;
    bool local;             /* a qemu driver on this host, in this network namespace */
    char elsewhere[160];    /* not local, and libvirt drives another machine (a URI with a host
                             * part, or VIRTSPEC_AGENTLESS: a Host driven from here): why this
                             * machine's kernel and files are not looked at; "" otherwise */
    unsigned long lib_version;  /* libvirt's (virConnectGetLibVersion): < 9.2 has no passt (hostfwd.h) */
    const char *state_dir;  /* pool ownership records */
    const char *cache_dir;  /* base images by URL (images/ inside) */
    unsigned poll_ms;       /* state polling while waiting for shutdown */
    bool report_drift;      /* drift mode "report": never correct what the spec did not change */
    const bool *cancel;     /* the daemon is stopping (read atomically): waits (a guest's graceful
                             * shutdown) end at once, leaving the domain as it is */
    DomainIndex *index;     /* one-shot runs: every domain listed once, with state and autostart */
    bool wait_reload;       /* `apply`: a restart another virtspec performs is waited for, then
                             * the domain reconciled (the daemon looks again later instead) */
    const char *host;       /* --host: this host's name in the tree (fleet), else NULL */
    struct FleetPeers *peers;   /* the other Hosts, looked at before a create (engine-move.h) */
} Engine;

/* Lists every domain once (handles, state, autostart) into e->index, for a pass over many specs.
 * The index must not outlive the pass: the daemon, whose domains change under it, gives it only
 * to the passes of its full resync that no libvirt event has touched since the listing. */
int domain_index_build(Engine *e, char **ret_error);   /* *ret_error (may be NULL): libvirt's why */
/* e->index dropped (the last reference frees it) */
void domain_index_free(Engine *e);
DomainIndex *domain_index_ref(DomainIndex *ix);
void domain_index_unref(DomainIndex *ix);
/* Reads persistent definitions of listed domains ahead (any number of threads may call it) until
 * *stop becomes true (atomic); a plan's reconcile then takes the one read for its domain. */
void domain_index_read_ahead(Engine *e, const bool *stop);
/* An index of one domain, read now: its handle, persistent XML (taken by its pass, an apply too)
 * and state; autostart unknown. For the daemon's edit prefetch (edit-prefetch.h). */
int domain_index_one(Engine *e, const char *name, DomainIndex **ret);
/* Whether ix was read by domain_index_one: its XML is as fresh as a pass's own read. */
bool domain_index_fresh(const DomainIndex *ix);

/* One listing per run instead of a lookup, a state and an autostart call per domain: a no-op
 * pass then costs one XML read per domain, as the floor does. */
typedef struct DomainIndexEntry {
    char *name;
    virDomainPtr dom;
    int state;          /* -1: active, in no state listed (its pass asks) */
    int autostart;
    char *ahead;        /* persistent XML read ahead (domain_index_read_ahead), taken once */
} DomainIndexEntry;

DomainIndexEntry *index_find(const Engine *e, const char *name);
/* The persistent definition read ahead for this entry, parsed; NULL when there is none. */
xmlDoc *index_take_ahead(DomainIndexEntry *ie);

int engine_open(Engine *e, const char *uri, bool apply);
void engine_close(Engine *e);
/* Whether the daemon is stopping (Engine.cancel): long waits end. */
bool engine_cancelled(const Engine *e);
