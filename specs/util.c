/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>

#include "macro.h"

static void oom(void) {
    fputs("virtspec: out of memory\n", stderr);
    abort();
}

void *xmalloc0(size_t n) {
    void *p = calloc(1, n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *xrealloc(void *p, size_t n) {
    p = realloc(p, n ? n : 1);
    if (!p)
        oom();
    return p;
}

char *xstrdup(const char *s) {
    if (!s)
        return NULL;
    char *r = strdup(s);
    if (!r)
        oom();
    return r;
}

char *path_join(char *buf, size_t size, char **heap, const char *prefix, const char *key) {
    size_t pl = prefix ? strlen(prefix) : 0, kl = strlen(key);
    char *p = buf;
    *heap = NULL;
    if (pl + kl + 2 > size)
        p = *heap = xmalloc0(pl + kl + 2);
    if (prefix) {
        memcpy(p, prefix, pl);
        p[pl++] = '.';
    }
    memcpy(p + pl, key, kl + 1);
    return p;
}

const char *int_text(char *buf, long long v) {
    char *p = buf + 24;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long) v : (unsigned long long) v;
    *--p = 0;
    do
        *--p = (char) ('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    return p;
}

void lazy_path_init(LazyPath *p, const char *prefix, const char *key) {
    p->prefix = prefix;
    p->key = key;
    p->s = NULL;
    p->heap = NULL;
}

const char *lazy_path(LazyPath *p) {
    if (!p->s)   /* a top-level row's path is its key */
        p->s = p->prefix ? path_join(p->buf, sizeof(p->buf), &p->heap, p->prefix, p->key) : p->key;
    return p->s;
}

void lazy_path_clear(LazyPath *p) {
    free(p->heap);
}

char *xstrndup(const char *s, size_t n) {
    char *r = strndup(s, n);
    if (!r)
        oom();
    return r;
}

uint64_t hash_fnv1a(const void *data, size_t n, uint64_t h) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

char *xasprintf(const char *fmt, ...) {
    /* most results are short: formatted once into the stack and copied, where vasprintf grows
     * and shrinks a heap buffer; a longer one is formatted again at its size */
    char buf[256];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        oom();
    char *r = malloc((size_t) n + 1);
    if (!r)
        oom();
    if ((size_t) n < sizeof(buf))
        memcpy(r, buf, (size_t) n + 1);
    else {
        va_start(ap, fmt);
        vsnprintf(r, (size_t) n + 1, fmt, ap);
        va_end(ap);
    }
    return r;
}

void *array_push(void *array_ptr, size_t *n, size_t sz) {
    char **a = array_ptr;

    *a = xrealloc(*a, (*n + 1) * sz);
    memset(*a + *n * sz, 0, sz);
    return *a + (*n)++ * sz;
}

size_t array_bsearch(const void *key, const void *base, size_t n, size_t sz,
                     int (*cmp)(const void *key, const void *element), bool *ret_found) {
    size_t lo = 0, hi = n;
    *ret_found = false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp(key, (const char *) base + mid * sz);
        if (c == 0) {
            *ret_found = true;
            return mid;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}
