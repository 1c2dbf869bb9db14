/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "engine-context.h"
#include "engine-domain-state.h"
#include "engine-result.h"
#include "volumes.h"

/* The reconcile engine: one object at a time, observe → diff → (apply). The same code answers
 * plan, apply and status; `apply` decides whether anything is changed. Its parts: the context
 * (engine-context.h), results (engine-result.h), each object kind (engine-domain.c,
 * engine-network.c, engine-pool.c) and what they share (engine-object.c). */

/* Reconciles one spec. Never aborts other objects: errors land in r->error / SYNC_FAILED. */
void engine_reconcile(Engine *e, const Spec *s, ObjectResult *r);
