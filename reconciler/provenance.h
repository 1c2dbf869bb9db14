/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "change.h"
#include "spec.h"

/* Where a spec's values came from (docs/templates.md): the spec's own line, a template's, or
 * the key table's default. For plan lines and `render --explain`. */

/* "template web, templates/web.yaml:4" when the value a change sets came from a template of s,
 * else NULL. */
char *provenance_of_change(const Spec *s, const Change *c);
/* Every key s sets, one a line: `path: value   # where it came from` (secrets masked). */
void provenance_explain(FILE *f, const Spec *s);
