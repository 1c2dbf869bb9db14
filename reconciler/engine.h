/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "diag.h"
#include "diff.h"
#include "spec.h"

/* The reconcile engine: one object at a time, observe → diff → (apply). The same code answers
 * plan, apply and status; `apply` decides whether anything is changed. */

typedef enum SyncState {
    SYNC_IN_SYNC,
    SYNC_DRIFTED,           /* libvirt differs from the spec (plan: there are changes) */
    SYNC_RELOAD_PENDING,    /* persistent config differs from the running object */
    SYNC_FAILED,
    SYNC_MISSING,
    SYNC_FOREIGN_CONFLICT,  /* an object of that name exists that virtspec does not own */
    _SYNC_MAX,
} SyncState;

const char *sync_state_to_string(SyncState s);

typedef struct ObjectResult {
    SpecKind kind;
    char *name, *file;
    unsigned line;
    SyncState state;
    Diff diff;              /* spec vs persistent definition */
    char **actions;         /* lifecycle and API actions, display form ("▶ start") */
    size_t n_actions;
    char **pending;         /* fields waiting for a reload (after apply, if applying) */
    size_t n_pending;
    char *error;
    DiagList diags;         /* errors with a place in the spec (a host path that does not exist) */
    char **addresses;       /* guest addresses (DHCP leases, guest agent), "10.0.0.5/24" */
    size_t n_addresses;
    bool mutated;           /* apply changed something */
    int id;                 /* domain id when running, else -1 */
    char *deferred;         /* left alone for now, and why (a restart by virtspec in progress):
                             * look again soon */
} ObjectResult;

void object_result_clear(ObjectResult *r);

typedef struct DomainIndex DomainIndex;

typedef struct Engine {
    void *conn;             /* virConnectPtr */
    bool apply;
    bool host_kvm;
    bool local;             /* a qemu driver on this host, in this network namespace */
    const char *state_dir;  /* pool ownership records */
    unsigned poll_ms;       /* state polling while waiting for shutdown */
    bool report_drift;      /* drift mode "report": never correct what the spec did not change */
    const bool *cancel;     /* the daemon is stopping (read atomically): waits (a guest's graceful
                             * shutdown) end at once, leaving the domain as it is */
    DomainIndex *index;     /* one-shot runs: every domain listed once, with state and autostart */
    bool wait_reload;       /* `apply`: a restart another virtspec performs is waited for, then
                             * the domain reconciled (the daemon looks again later instead) */
} Engine;

/* Lists every domain once (handles, state, autostart) for a one-shot run over many specs. The
 * index must not outlive the pass: the daemon, whose state changes under it, does not use one. */
int domain_index_build(Engine *e);
void domain_index_free(Engine *e);
/* Reads persistent definitions of listed domains ahead (any number of threads may call it) until
 * *stop becomes true (atomic); a plan's reconcile then takes the one read for its domain. */
void domain_index_read_ahead(Engine *e, const bool *stop);

int engine_open(Engine *e, const char *uri, bool apply);
void engine_close(Engine *e);
/* Reconciles one spec. Never aborts other objects: errors land in r->error / SYNC_FAILED. */
void engine_reconcile(Engine *e, const Spec *s, ObjectResult *r);
/* delete_volumes_on_removal: deletes each recorded volume that is not done, if virtspec created it
 * for a disk (its record in the state directory), it is no base image, and no domain's persistent
 * or live definition (the domain's own included) nor another volume's backing store uses it.
 * One still in use stays pending (retried on a later pass), or with last_chance (pruning: the
 * record goes with the domain) is kept for good; one virtspec did not create is marked done and
 * kept. A plan (e->apply false) only says what would happen; planned is then the domain's
 * persistent definition as apply would write it (the disk's removal is not applied yet), checked
 * instead of the present one. Each deletion is an action and a log line with the volume's size. */
int engine_delete_volumes(Engine *e, const char *domain, const char *planned, bool last_chance,
                          VolumeRefs *refs, ObjectResult *r);
/* Whether the daemon is stopping (Engine.cancel): long waits end. */
bool engine_cancelled(const Engine *e);
/* Graceful shutdown (ACPI, then destroy after timeout_s), then start. -ECANCELED: the wait was
 * interrupted (engine_cancelled), nothing forced, not started again. */
int engine_reload_domain(Engine *e, const char *name, unsigned timeout_s, char **ret_error);
/* Records for status: a spec file that failed to load. */
