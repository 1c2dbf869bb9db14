/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "macro.h"
#include "util.h"

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

char *xvasprintf(const char *fmt, va_list ap) {
    /* most results are short: formatted once into the stack and copied, where vasprintf grows
     * and shrinks a heap buffer; a longer one is formatted again at its size */
    char buf[256];
    va_list again;

    va_copy(again, ap);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    if (n < 0)
        oom();
    char *r = malloc((size_t) n + 1);
    if (!r)
        oom();
    if ((size_t) n < sizeof(buf))
        memcpy(r, buf, (size_t) n + 1);
    else
        vsnprintf(r, (size_t) n + 1, fmt, again);
    va_end(again);
    return r;
}

char *xasprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *r = xvasprintf(fmt, ap);
    va_end(ap);
    return r;
}

void buf_add(Buf *b, const void *s, size_t n) {
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

void buf_puts(Buf *b, const char *s) {
    buf_add(b, s, strlen(s));
}

void buf_printf(Buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    _cleanup_free_ char *s = xvasprintf(fmt, ap);
    va_end(ap);
    buf_puts(b, s);
}

void buf_wipe(Buf *b) {
    if (b->p) {
        explicit_bzero(b->p, b->cap);
        free(b->p);
    }
    *b = (Buf) {};
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

size_t utf8_char(const char *s, uint32_t *ret_cp) {
    const unsigned char *p = (const unsigned char *) s;
    size_t n;
    uint32_t cp, min;
    if (p[0] < 0x80) {
        *ret_cp = p[0];
        return 1;
    } else if ((p[0] & 0xe0) == 0xc0)
        n = 2, cp = p[0] & 0x1f, min = 0x80;
    else if ((p[0] & 0xf0) == 0xe0)
        n = 3, cp = p[0] & 0x0f, min = 0x800;
    else if ((p[0] & 0xf8) == 0xf0)
        n = 4, cp = p[0] & 0x07, min = 0x10000;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    *ret_cp = cp;
    return n;
}

bool codepoint_hidden(uint32_t cp) {
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069) || (cp >= 0xfdd0 && cp <= 0xfdef) ||
           (cp & 0xfffe) == 0xfffe;
}

char *text_escape(const char *s) {
    size_t len = strlen(s);
    char *r = xmalloc0(len * 6 + 1), *o = r;   /* the longest escape: 6 bytes for 3 (\u202e) */
    for (const char *p = s; *p;) {
        uint32_t cp;
        size_t n = utf8_char(p, &cp);
        if (n == 0) {
            o += sprintf(o, "\\x%02x", (unsigned char) *p);
            p++;
            continue;
        }
        if (!codepoint_hidden(cp))
            memcpy(o, p, n), o += n;
        else if (cp == '\n')
            o = stpcpy(o, "\\n");
        else if (cp == '\t')
            o = stpcpy(o, "\\t");
        else if (cp == '\r')
            o = stpcpy(o, "\\r");
        else if (cp < 0x100)
            o += sprintf(o, "\\x%02x", (unsigned) cp);
        else
            o += sprintf(o, "\\u%04x", (unsigned) cp);
        p += n;
    }
    *o = 0;
    return r;
}

uint64_t monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}
