/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "engine-context.h"
#include "engine-result.h"

/* What every object kind's reconcile shares (engine-object.c). */

/* The spec uses the xml escape hatch. */
bool has_hatch(const Spec *s);
/* The xml escape hatch can produce any document: libvirt's schema decides whether it may be
 * used, before it is (plan and apply). */
int check_hatch_schema(const Spec *s, xmlDoc *want, ObjectResult *r);
/* An object of the spec's name that virtspec does not own is left alone unless the spec adopts it. */
bool foreign_conflict(ObjectResult *r, bool owned, bool adopt);
/* Replaces the virtspec metadata of `have` with that of `want`. */
void copy_metadata(xmlDoc *want, xmlDoc *have);

/* Networks and pools share their lifecycle: autostart, then start when inactive. */
typedef struct LifecycleOps {
    int (*get_autostart)(void *obj, int *ret);
    int (*set_autostart)(void *obj, int on);
    int (*is_active)(void *obj);
    int (*start)(void *obj);
} LifecycleOps;

void converge_lifecycle(Engine *e, ObjectResult *r, const LifecycleOps *ops, void *obj,
                        Value autostart);
