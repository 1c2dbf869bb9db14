/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* cmocka needs these before its header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "diag.h"
#include "spec.h"

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

/* The one spec in text (loaded as file name): fails the test, with the diagnostics, otherwise. */
static inline Spec *unit_load_one(const char *name, const char *text) {
    SpecSet set = {};
    spec_load_buffer(&set, name, text, strlen(text));
    if (set.n != 1)
        diag_dump(&set.diags);
    assert_int_equal(set.n, 1);
    Spec *s = spec_ref(set.specs[0]);
    spec_set_clear(&set);
    return s;
}
