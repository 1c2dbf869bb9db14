/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "spec-table.h"
#include "spec.h"

/* One decision of the engine about an object: what it does (apply) or would do (plan), made
 * once and used twice — `plan` prints it, `apply` executes it and reports it, the daemon logs it,
 * status --json lists it. Callers test op, never the printed text (action_format). */

typedef enum ActionOp {
    ACTION_CREATE,              /* + create[ (REASON)] */
    ACTION_ADOPT,               /* ~ adopt: REASON */
    ACTION_SET,                 /* ~ KEY[: [FROM → ]TO] (REASON, else the change class) */
    ACTION_START,               /* ▶ start */
    ACTION_START_PAUSED,        /* ▶ start paused */
    ACTION_RESUME,              /* ▶ resume */
    ACTION_SUSPEND,             /* ‖ suspend */
    ACTION_STOP,                /* ■ stop (REASON) */
    ACTION_RELOAD,              /* ↻ reload (reload: auto): a domain's restart */
    ACTION_RESTART,             /* ↻ restart (reload: auto)[; REASON]: a network's */
    ACTION_LIVE_WAITS,          /* … KEY waits for a reload: REASON (a network: waits for a restart) */
    ACTION_REPLUG,              /* ⇄ REASON: a guest's tap plugged back into a network's bridge */
    ACTION_VOLUME_CREATE,       /* + REASON: a volume, base image or seed made */
    ACTION_VOLUME_UPLOAD,       /* ↑ upload REASON */
    ACTION_VOLUME_DELETE,       /* - volume KEY (delete_volumes_on_removal): REASON */
    ACTION_VOLUME_WAITS,        /* … volume KEY (delete_volumes_on_removal) waits: REASON */
    ACTION_VOLUME_KEPT,         /* ! volume KEY kept: REASON (never virtspec's to delete) */
    ACTION_VOLUME_KEPT_IN_USE,  /* ! volume KEY (delete_volumes_on_removal) kept: REASON */
    ACTION_ORPHAN,              /* - orphan KEY (REASON): a domain no spec names, plan without --prune */
    ACTION_PRUNE,               /* - prune KEY (REASON) */
    ACTION_NOTE,                /* = REASON: nothing to do, and why */
    ACTION_WARN,                /* ! REASON */
    ACTION_REPORT_ONLY,         /* (drift mode report: not corrected) */
    ACTION_DESTROY,             /* - destroy KIND NAME[ (REASON)]: virtspec destroy */
    ACTION_SNAPSHOT,            /* + snapshot REASON (snapshots.before_reload) */
    ACTION_MOVE,                /* → move NAME FROM → TO (REASON: live|cold, what is copied) */
    ACTION_MOVE_WAITS,          /* … create waits: REASON (a host that may have it did not answer) */
    _ACTION_OP_MAX,
} ActionOp;

typedef struct Action {
    ActionOp op;
    SpecKind kind;              /* the object acted on */
    char *object;
    char *key;                  /* what in it: a spec key ("autostart", "disks[vda].size"), a
                                 * volume ("POOL/NAME"); NULL for the object itself */
    ChangeClass cls;            /* ACTION_SET: how the change is made, printed when no reason */
    char *from, *to;            /* ACTION_SET: the values; from NULL for a new object;
                                 * ACTION_MOVE: the source and destination hosts */
    char *reason;               /* the rest of the line: why, how, details */
} Action;

const char *action_op_to_string(ActionOp op);
/* The line plan, apply and the daemon print (glyphs by the locale: term.h). */
char *action_format(const Action *a);
/* The action is about a volume delete_volumes_on_removal deletes (or will delete). */
bool action_deletes_volume(const Action *a);
void action_clear(Action *a);
void actions_free(Action *a, size_t n);
