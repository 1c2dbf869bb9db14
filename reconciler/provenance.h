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
/* Blast radius of template edits (docs/templates.md): per template whose values change objects of
 * a plan, how each takes them. Networks and pools too: a network "restarts" when apply restarts
 * it (reload: auto), a pool never does. */
typedef struct BlastTemplate {
    const char *tmpl, *file;    /* interned (spec-origin.c): the template, the file it is in */
    SpecKind kind;              /* of the objects it changes */
    size_t live, pending, restart, off;   /* off: at the object's next start */
    char **objects;             /* every object its values change, in plan order */
    size_t n_objects;
    char **restarting;          /* those apply restarts because of it */
    size_t n_restarting;
} BlastTemplate;

typedef struct BlastRadius {
    BlastTemplate *items;       /* in the order the templates are first met */
    size_t n;
} BlastRadius;

/* One object: s and its plan's result r. */
void blast_radius_add(BlastRadius *b, const Spec *s, const ObjectResult *r);
/* Every result of a plan, with its spec found in index (of the plan's set). */
void blast_radius_compute(BlastRadius *b, const SpecIndex *index, const ObjectResult *results,
                          size_t n);
void blast_radius_clear(BlastRadius *b);
/* plan, before the objects' lines: "template web: 3 domains — 2 live, 1 reload-pending,
 * 0 restart" and each object it would restart. */
void blast_radius_print(FILE *f, const BlastRadius *b);
/* apply, before anything is done: "template web: 2 domains will restart (reload: auto): db1,
 * db2"; NULL when it restarts nothing. */
char *blast_radius_restart_line(const BlastTemplate *t);
