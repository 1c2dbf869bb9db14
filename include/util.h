/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdarg.h>
#include <stdint.h>

#include "macro.h"

/* A growable text buffer, always NUL-terminated once anything was added (p NULL before). */
typedef struct Buf {
    char *p;
    size_t n, cap;
} Buf;

void buf_add(Buf *b, const void *s, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_printf(Buf *b, const char *fmt, ...) _printf_(2, 3);
/* Frees what b holds after overwriting it (it may hold a secret); b is empty after. */
void buf_wipe(Buf *b);

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t monotonic_ms(void);

/* vasprintf that aborts on allocation failure (like xasprintf). */
char *xvasprintf(const char *fmt, va_list ap) _printf_(1, 0);
