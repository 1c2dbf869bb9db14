/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>
#include <time.h>

#include "term.h"

/* `virtspec status` for people: a table like `networkctl list`, from a status document (the
 * format of status-json.h: the daemon's status.json, or one-shot's), so both sources print
 * alike. `--json` prints the document itself. */

typedef struct StatusTableStyle {
    unsigned columns;                   /* the terminal's width; 0: none, nothing truncated */
    const char *(*color)(TermColor c);  /* term_color: "" when colour is off */
    const char *ellipsis;               /* term_glyph(GLYPH_ELLIPSIS) */
    time_t now;
} StatusTableStyle;

struct json_object;

/* KIND NAME STATE ADDRESSES CHANGED: a header, a row per object (CHANGED: the age of its
 * last_action_time, "-" without one), under a row what else it has to say (fields that differ,
 * pending fields, its error, reconciling), a row per rejected spec file, the daemon's summary. NAME
 * and ADDRESSES shrink (ending in the ellipsis) when the table is wider than columns; colour on
 * the state only. Pure; caller frees. */
char *status_table_format(struct json_object *root, const StatusTableStyle *s);
/* "12 s ago", "3 min ago", "5 h ago", "2 days ago"; "-" when then is 0. Returns buf. */
char *status_age(char *buf, size_t n, time_t then, time_t now);
/* status_table_format for stdout: the terminal's width, colour and glyphs, the current time. */
void status_table_print(struct json_object *root);
