/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _warn_unused_result_ __attribute__((warn_unused_result))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

static inline void freep(void *p) {
    free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

/* Take ownership away from a _cleanup_ variable. */
#define TAKE_PTR(p)                          \
    ({                                   \
        __typeof__(p) _tp_ = (p);    \
        (p) = NULL;                  \
        _tp_;                        \
    })

/* Define foo_freep() for a NULL-safe foo_free(). */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)   \
    static inline void func##p(type *p) {     \
        if (*p)                           \
                func(*p);                 \
    }

static inline bool streq_ptr(const char *a, const char *b) {
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}
#define streq(a, b) (strcmp((a), (b)) == 0)

/* Allocation failure is not a recoverable condition for a reconciler: abort loudly. */
void *xmalloc0(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) _printf_(1, 2);

/* FNV-1a 64 of n bytes, continuing from h (start with FNV1A_INIT). */
#define FNV1A_INIT 0xcbf29ce484222325ULL
uint64_t hash_fnv1a(const void *data, size_t n, uint64_t h);

/* "prefix.key" (or "key" without a prefix) in buf when it fits, else in *heap (allocated, for the
 * caller to free). For the per-row paths of the spec tables, built for every row of every spec. */
char *path_join(char *buf, size_t size, char **heap, const char *prefix, const char *key);
/* v as "%lld" writes it, in buf (24 bytes hold any); returns where the digits start. For the
 * numbers of every rendered and observed document: no printf machinery. */
const char *int_text(char *buf, long long v);

/* A row's path ("graphics.type"), joined on first use (lazy_path): most rows of most specs need
 * none. lazy_path_clear frees what a long one took. */
typedef struct LazyPath {
    const char *prefix, *key, *s;
    char *heap;
    char buf[256];
} LazyPath;
void lazy_path_init(LazyPath *p, const char *prefix, const char *key);   /* buf left as it is */
const char *lazy_path(LazyPath *p);
void lazy_path_clear(LazyPath *p);

/* Grow *array (of *n elements of size sz) by one zeroed element; returns it. */
void *array_push(void *array_ptr, size_t *n, size_t sz);
/* Binary search of a sorted array: the index of the element equal to key (*ret_found true), or
 * where key would be inserted. cmp(key, element) like strcmp. */
size_t array_bsearch(const void *key, const void *base, size_t n, size_t sz,
                     int (*cmp)(const void *key, const void *element), bool *ret_found);

/* The length of the valid UTF-8 character at s (1 to 4), 0 when the bytes are not one (a stray
 * continuation, an overlong form, a surrogate, beyond U+10FFFF, cut by the string's end);
 * *ret_cp is its code point. */
size_t utf8_char(const char *s, uint32_t *ret_cp);
/* Whether code point cp is shown escaped: C0 and C1 controls, DEL, the bidirectional overrides
 * and isolates (U+202A-U+202E, U+2066-U+2069), non-characters. */
bool codepoint_hidden(uint32_t cp);
/* s for a terminal, a log or JSON: every hidden code point and every byte that is not UTF-8
 * written as an escape (\n, \t, \x1b, \u202e, \xff), the rest as is. One function for every
 * diagnostic: a newline in a key or file name can never forge a second "FILE:LINE:COL: error:"
 * line, an ANSI escape never reaches a terminal. Newly allocated. */
char *text_escape(const char *s);

static inline const char *strna(const char *s) {
    return s ? s : "n/a";
}
