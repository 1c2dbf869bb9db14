/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "engine-context.h"
#include "engine-object.h"
#include "engine-result.h"

/* The reconcile of pools (engine-pool.c): observe, diff, and with e->apply change. */
void reconcile_pool(Engine *e, const Spec *s, ObjectResult *r);
/* virtspec destroy: stops and undefines the pool name (e->apply false: only says it would) when
 * virtspec owns it (its record in the state directory) and no domain that stays (stays) has a
 * disk in it; its directory (volume group) and every volume in it are kept, its ownership record
 * removed. r as for engine_destroy_network. */
int engine_destroy_pool(Engine *e, const char *name, DomainStays stays, void *userdata,
                        ObjectResult *r);
