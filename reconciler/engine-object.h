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

/* virtspec destroy: whether a domain stays defined (it is not destroyed with the objects it uses). */
typedef bool (*DomainStays)(const char *domain, void *userdata);
/* The domains that stay (stays) and have a NIC on network, or a disk in pool (a volume of it, or
 * a file below pool_dir), ", "-separated and sorted by libvirt's listing; NULL when none. -EIO
 * (and *ret NULL) when libvirt cannot list them. */
int domains_using(Engine *e, const char *network, const char *pool, const char *pool_dir,
                  DomainStays stays, void *userdata, char **ret);
