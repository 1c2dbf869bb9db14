/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* Provenance. A node copied from a template into a spec's merged tree carries, instead of its
 * line, SPEC_ORIGIN_BIT | an index into a process-wide table of origins (its column stays). The
 * typed parse copies it into Value.line; diag_add, render --explain and plan decode it. An origin
 * is a place in a template only, never who used it (diag.h: DiagList.uses says that while a spec
 * is parsed): the table holds one entry per template line ever loaded, not per line and user,
 * so a long-running daemon grows by a template's lines per edit that moves them. */
#define SPEC_ORIGIN_BIT 0x80000000u

typedef struct SpecOrigin {
    const char *file;           /* the template's file and line */
    unsigned line;
    const char *tmpl;           /* the template's name */
} SpecOrigin;

/* The encoded line for o (the same for equal origins). */
unsigned spec_origin_encode(const SpecOrigin *o);
/* Fills *ret (pointers valid for the life of the process) when line is an encoded one. */
bool spec_origin_decode(unsigned line, SpecOrigin *ret);
/* The one copy of s (NULL: NULL) for the life of the process; thread-safe. */
const char *spec_intern(const char *s);
/* How many origins the process has interned (tests). */
size_t spec_origin_count(void);
/* The line to show in a message: a template value's line in its template, else line. */
unsigned spec_origin_line(unsigned line);
/* FNV-1a of s with its terminating NUL (NULL as ""), continuing from h. */
static inline uint64_t hash_cstr(const char *s, uint64_t h) {
    return hash_fnv1a(s ? s : "", s ? strlen(s) + 1 : 1, h);
}
static inline bool spec_line_from_template(unsigned line) {
    return (line & SPEC_ORIGIN_BIT) != 0;
}
