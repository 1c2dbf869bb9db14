/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "spec.h"

/* The daemon's share of a fleet (docs/fleet.md): `host =` in the configuration. The daemon takes
 * its share with placement_take_share, the function `apply --host` takes it with: the specs
 * placed on other hosts leave the set and are held (never orphans, never pruned), this host's
 * defined domains are sticky input, and the two warnings of a domain placed elsewhere are the
 * same. What the daemon adds: which objects are now another host's (they are not reconciled
 * here: nothing of them is changed, stopped or undefined), and the counts for STATUS=. */

typedef struct DaemonShare {
    const char *host;           /* NULL: no host = (every spec is this host's) */
    size_t here;                /* specs this host takes (with the networks and pools on every host) */
    size_t elsewhere;           /* specs placed on other hosts */
    size_t moved;               /* domains defined here that placement puts on another host */
    struct { SpecKind kind; char *name; } *others;   /* the specs placed on other hosts */
    char *error;                /* host = names no Host document: nothing is this host's */
    char *revision;             /* the revision `virtspec sync` put in force, or NULL (set by the
                                 * caller; freed by daemon_share_clear) */
    char *sync_failure;         /* what the last `virtspec sync` said when it failed, or NULL
                                 * (set by the caller, likewise) */
} DaemonShare;

/* The share of host (NULL: only placement's checks, as `apply` without --host) of set, with
 * the domains defined_here (their names) as sticky input. The diagnostics go to set->diags. */
void daemon_share_take(SpecSet *set, const char *host, char *const *defined_here, size_t n_defined,
                       DaemonShare *ret);
bool daemon_share_is_other(const DaemonShare *s, SpecKind kind, const char *name);
/* "revision 0123456789ab, host kvm1, 4 of 13 specs (9 on other hosts)", each part when known,
 * or NULL; allocated. */
char *daemon_share_summary(const DaemonShare *s);
void daemon_share_clear(DaemonShare *s);
