/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libxml/tree.h>

#include "change.h"
#include "metadata.h"
#include "observe.h"
#include "spec-table.h"
#include "xml-hatch.h"
#include "xml-items.h"

/* diff: (desired document, observed document) → field-level changes. Pure: no libvirt, no I/O.
 * Values are compared in canonical form (units, case, defaults, libvirt's expansions), never as
 * XML text, and only on the fields the spec manages, so addresses, aliases, controllers and
 * anything else libvirt adds never show up as a change. */


/* Compares desired with observed. `managed_before` is the space-separated key list recorded in the
 * observed object's metadata (may be NULL): fields listed there but no longer in the spec are
 * brought back to libvirt's default (removed). */
void diff_compute(SpecKind kind, xmlDoc *desired, xmlDoc *observed, const char *managed_before,
                  Diff *ret);

/* Applies changes to observed in place, copying desired's elements for each changed unit and
 * keeping libvirt's own additions (addresses, aliases, generated values). */
void diff_patch(SpecKind kind, const Diff *d, xmlDoc *desired, xmlDoc *observed);
