/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "action.h"
#include "diag.h"
#include "diff.h"
#include "spec.h"

/* What the engine found and did for one object (engine-result.c). */

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
    Action *actions;        /* lifecycle and API actions, in the order decided (action.h) */
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

/* Adds an action about r's object: key (may be NULL) and the reason (fmt, may be NULL). Returns
 * it, for the fields of ACTION_SET. */
Action *action_add(ObjectResult *r, ActionOp op, const char *key, const char *fmt, ...) _printf_(4, 5);
/* ACTION_SET: key from → to (from NULL: a new object), made as cls says, or as note says. */
/* A copy of a, about r's object. */
void action_add_copy(ObjectResult *r, const Action *a);
void action_add_set(ObjectResult *r, const char *key, const char *from, const char *to,
                    ChangeClass cls, const char *note);
void add_pending(ObjectResult *r, const char *path);
/* Records an error on r (state failed) and returns -EIO. */
int fail(ObjectResult *r, const char *fmt, ...) _printf_(2, 3);
/* fail(), and the same message as a `file:line:col: error:` diagnostic at v's place in the spec */
int fail_at(ObjectResult *r, const Value *v, const char *fmt, ...) _printf_(3, 4);

void clear_pending(ObjectResult *r);
void clear_actions(ObjectResult *r);
