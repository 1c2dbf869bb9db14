/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "engine-context.h"
#include "engine-result.h"

/* Moving a domain to this host (docs/fleet.md#moving): the destination acts. Before a domain of
 * this host's share is created, the other Hosts (e->peers) are asked whether one of them has it
 * (owned by virtspec). Running there: a live migration (virDomainMigrate3, this host's connection
 * as the destination, the local disks copied by libvirt into volumes it pre-creates in the pools
 * of the same names). Shut off: a cold move (each volume created here and its content copied
 * with storage streams, holes kept; defined here, undefined there). The source's volumes are
 * always kept. */

typedef enum MoveOutcome {
    MOVE_NONE,          /* on no other host: create it */
    MOVE_HANDLED,       /* planned, waits, a conflict or a failure: r says which; stop here */
    MOVE_DONE,          /* moved here: *ret_dom, to be reconciled like any defined domain */
} MoveOutcome;

MoveOutcome domain_pull(Engine *e, const Spec *s, ObjectResult *r, virDomainPtr *ret_dom);
