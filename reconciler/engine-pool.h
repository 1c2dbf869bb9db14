/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "engine-context.h"
#include "engine-result.h"

/* The reconcile of pools (engine-pool.c): observe, diff, and with e->apply change. */
void reconcile_pool(Engine *e, const Spec *s, ObjectResult *r);
