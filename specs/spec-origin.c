/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <pthread.h>

#include "spec-origin.h"

/* Where the values a template gave a spec came from: interned for the life of the process, so
 * a value's line can name one (spec-template.h, SPEC_ORIGIN_BIT). Below diag.c, which decodes. */

typedef struct OriginEntry {
    SpecOrigin o;
    uint64_t hash;
    uint32_t next;              /* chain in the bucket, index + 1 (0: end) */
} OriginEntry;

#define ORIGIN_BUCKETS 4096u
#define ORIGIN_MAX (SPEC_ORIGIN_BIT - 1)

static pthread_mutex_t origin_lock = PTHREAD_MUTEX_INITIALIZER;
static OriginEntry *origins;
static size_t n_origins;
static uint32_t origin_bucket[ORIGIN_BUCKETS];

/* Strings of origins are interned too: a template's file name is shared by all its values; so
 * are defaults' canonical texts (spec-post-parse.c). An open-addressing table of the strings. */
static const char *intern_locked(const char *s) {
    static char **slots;
    static size_t cap, used;
    if ((used + 1) * 2 > cap) {
        size_t ncap = cap ? cap * 2 : 256;
        char **n = xmalloc0(ncap * sizeof(char *));
        for (size_t i = 0; i < cap; i++)
            if (slots[i]) {
                size_t j = hash_cstr(slots[i], FNV1A_INIT) & (ncap - 1);
                while (n[j])
                    j = (j + 1) & (ncap - 1);
                n[j] = slots[i];
            }
        free(slots);
        slots = n;
        cap = ncap;
    }
    size_t j = hash_cstr(s, FNV1A_INIT) & (cap - 1);
    for (; slots[j]; j = (j + 1) & (cap - 1))
        if (streq(slots[j], s))
            return slots[j];
    used++;
    return slots[j] = xstrdup(s);
}

const char *spec_intern(const char *s) {
    static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
    if (!s)
        return NULL;
    pthread_mutex_lock(&intern_lock);
    const char *r = intern_locked(s);
    pthread_mutex_unlock(&intern_lock);
    return r;
}

static bool origin_eq(const SpecOrigin *a, const SpecOrigin *b) {
    return a->line == b->line && streq_ptr(a->file, b->file) && streq_ptr(a->tmpl, b->tmpl);
}

unsigned spec_origin_encode(const SpecOrigin *o) {
    uint64_t h = hash_cstr(o->file, FNV1A_INIT);
    h = hash_cstr(o->tmpl, h);
    h = hash_fnv1a(&o->line, sizeof(o->line), h);

    pthread_mutex_lock(&origin_lock);
    uint32_t *b = &origin_bucket[h % ORIGIN_BUCKETS];
    for (uint32_t i = *b; i; i = origins[i - 1].next)
        if (origins[i - 1].hash == h && origin_eq(&origins[i - 1].o, o)) {
            pthread_mutex_unlock(&origin_lock);
            return SPEC_ORIGIN_BIT | (i - 1);
        }
    if (n_origins >= ORIGIN_MAX) {
        pthread_mutex_unlock(&origin_lock);
        return o->line;   /* (never in practice) the template's line without its file */
    }
    OriginEntry *e = array_push(&origins, &n_origins, sizeof(OriginEntry));
    e->o = (SpecOrigin) {
        .file = spec_intern(o->file), .line = o->line, .tmpl = spec_intern(o->tmpl),
    };
    e->hash = h;
    e->next = *b;
    *b = (uint32_t) n_origins;
    unsigned r = SPEC_ORIGIN_BIT | (unsigned) (n_origins - 1);
    pthread_mutex_unlock(&origin_lock);
    return r;
}

bool spec_origin_decode(unsigned line, SpecOrigin *ret) {
    if (!(line & SPEC_ORIGIN_BIT))
        return false;
    size_t i = line & ~SPEC_ORIGIN_BIT;
    pthread_mutex_lock(&origin_lock);
    bool ok = i < n_origins;
    if (ok)
        *ret = origins[i].o;
    pthread_mutex_unlock(&origin_lock);
    return ok;
}


size_t spec_origin_count(void) {
    pthread_mutex_lock(&origin_lock);
    size_t n = n_origins;
    pthread_mutex_unlock(&origin_lock);
    return n;
}

unsigned spec_origin_line(unsigned line) {
    SpecOrigin o;
    return spec_origin_decode(line, &o) ? o.line : line;
}
