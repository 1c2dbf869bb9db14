/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "macro.h"

/* A problem found in a spec: where it is, how bad, and what it is. */
typedef enum DiagLevel {
    DIAG_WARNING,
    DIAG_ERROR,
} DiagLevel;

typedef struct Diag {
    char *file;
    unsigned line, col;   /* 1-based; 0 means "whole file" */
    DiagLevel level;
    char *message;
    char *via;            /* a value a template gave: "in template T, used by SPEC at F:L:C" */
} Diag;

/* A template a spec built on, and the item of its from: that brought it in. */
typedef struct DiagUse {
    char *tmpl;
    unsigned line, col;
} DiagUse;

typedef struct DiagList {
    Diag *items;
    size_t n;
    size_t n_errors;
    /* While one spec built over templates is parsed (spec-load.c): the spec and its templates,
     * so that a problem in a value a template gave names who used it (Diag.via). Outside that,
     * such a problem names the file that used it. */
    char *use_user;
    DiagUse *uses;
    size_t n_uses;
} DiagList;

void diag_add(DiagList *l, DiagLevel level, const char *file, unsigned line, unsigned col,
              const char *fmt, ...) _printf_(6, 7);
void diag_list_clear(DiagList *l);
/* Sorts by file, line, column (stable), so output is deterministic. */
void diag_list_sort(DiagList *l);
void diag_list_print(const DiagList *l, FILE *f);
/* How d is shown: a problem in a value a template gave counts against the spec's file (d->file:
 * that file is refused) but is shown at the template's file and line, the message followed by
 * "(in template T, used by SPEC at FILE:LINE:COL)". Returns the message to show. */
char *diag_shown(const Diag *d, const char **ret_file, unsigned *ret_line);
/* Adds a copy of d (from another list) to l, as it is. */
void diag_list_add_copy(DiagList *l, const Diag *d);
/* Forgets the spec and templates of the parse that ended (DiagList.uses). */
void diag_list_clear_uses(DiagList *l);
/* Whether both hold the same diagnostics in the same order. */
bool diag_list_equal(const DiagList *a, const DiagList *b);
/* Whether the list, sorted (diag_list_sort), holds d (the same file, place, level and message). */
bool diag_list_has(const DiagList *sorted, const Diag *d);
/* Whether the list, sorted, holds an error about file. */
bool diag_list_file_has_error(const DiagList *sorted, const char *file);
/* Removes the warnings about file whose message starts with prefix; returns how many. */
size_t diag_list_drop_warnings(DiagList *l, const char *file, const char *prefix);
/* Moves every entry of src to the end of dst. */
void diag_list_move(DiagList *dst, DiagList *src);
