/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libxml/tree.h>

#include "spec.h"

/* align: (domain spec, observed definition) → the spec with its disks' and cdroms' guest devices
 * lined up with the domain's. Pure: no libvirt, no I/O.
 *
 * An entry without an explicit `dev` gets its device from its position in the spec (vda, vdb, …),
 * so removing a middle entry would shift the ones behind it onto other devices. Instead, an entry
 * whose source (pool and volume, or file; for an empty cdrom drive, the next empty drive) the
 * observed definition already has, on a device that fits the entry's bus, keeps that device; the
 * other entries take the first free name of their bus. Explicit `dev`s are never changed. Without
 * an observed definition the spec's own devices stand, as `virtspec render` gives them. */

/* For each entry (disks, then cdroms): the device it keeps, or NULL. n_disks + n_cdroms items. */
char **align_kept_devices(const DomainSpec *d, xmlDoc *observed);
void align_kept_free(char **kept, size_t n);
/* Whether an entry without `dev` has no device in observed (a new entry: it takes a free name). */
bool align_assigns_new(const Spec *s, xmlDoc *observed);
/* A new reference: s itself when nothing changes, else an aligned copy. live (optional), the
 * running domain's definition: a device it still has that observed has not (a detach the guest
 * has not completed) is no free name for a new entry. */
Spec *align_devices(const Spec *s, xmlDoc *observed, xmlDoc *live);
