/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "change.h"
#include "engine-result.h"
#include "spec.h"

/* Where a spec's values came from (docs/templates.md): the spec's own line, a template's, or
 * the key table's default. For plan lines and `render --explain`. */

/* "template web, templates/web.yaml:4" when the value a change sets came from a template of s,
 * else NULL. */
char *provenance_of_change(const Spec *s, const Change *c);
/* Every key s sets, one a line: `path: value   # where it came from` (secrets masked). */
void provenance_explain(FILE *f, const Spec *s);
/* Blast radius of template edits, before the objects' lines of a plan: per template whose
 * values change domains, "template web: 3 domains — 2 live, 1 reload-pending, 0 restart", and
 * each reload: auto domain it would restart. Nothing when no change comes from a template. */
void provenance_blast_radius(FILE *f, const SpecSet *set, const ObjectResult *results, size_t n);
