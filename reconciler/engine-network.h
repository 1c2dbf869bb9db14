/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "engine-context.h"
#include "engine-object.h"
#include "engine-result.h"

/* The reconcile of networks (engine-network.c): observe, diff, and with e->apply change. */
void reconcile_network(Engine *e, const Spec *s, ObjectResult *r);
/* virtspec destroy: destroys and undefines the network name (e->apply false: only says it would),
 * when virtspec owns it and no domain that stays (stays) uses it. r (kind and name set) gets the
 * ACTION_DESTROY; a network virtspec does not own is SYNC_FOREIGN_CONFLICT, one still used
 * SYNC_FAILED with the domains' names; no such network: no action, SYNC_IN_SYNC. */
int engine_destroy_network(Engine *e, const char *name, DomainStays stays, void *userdata,
                           ObjectResult *r);
