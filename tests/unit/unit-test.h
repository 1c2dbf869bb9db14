/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* cmocka needs these before its header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "diag.h"

/* The index of the first diagnostic at line:col whose message contains text, or -1. */
static inline int diag_find(const DiagList *l, unsigned line, unsigned col, const char *text) {
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].line == line && l->items[i].col == col &&
            strstr(l->items[i].message, text))
            return (int) i;
    return -1;
}

/* Prints the list when an assertion about it is about to fail, so the log shows why. */
static inline void diag_dump(const DiagList *l) {
    diag_list_print(l, stderr);
}

#define assert_diag(l, line, col, text)                         \
    do {                                                    \
        if (diag_find((l), (line), (col), (text)) < 0)      \
            diag_dump(l);                                   \
        assert_true(diag_find((l), (line), (col), (text)) >= 0); \
    } while (0)
