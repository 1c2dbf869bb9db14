/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "spec-internal.h"

/* The canonical model of a spec: every row of its kind's key table, walked in table order, with
 * each value's canonical text — not where it was written. Two parses of documents that say the
 * same thing give the same text, and a change of any key (one that renders no XML too: autostart,
 * adopt, delete_volumes_on_removal…) gives another. Only its hash leaves this file: the text has
 * the secrets in it. */

typedef struct Canon {
    uint64_t h;
} Canon;

static void canon_bytes(Canon *c, const void *data, size_t n) {
    c->h = hash_fnv1a(data, n, c->h);
}

/* n in decimal, as "%zu" writes it, ending at end (not NUL-terminated): its first byte. Not
 * snprintf: a domain's model is about a thousand texts, and snprintf was most of the hash's
 * time (the daemon hashes every spec it loads, docs/performance.md). */
static char *decimal_before(char *end, size_t n) {
    do
        *--end = (char) ('0' + n % 10);
    while ((n /= 10) > 0);
    return end;
}

/* length-prefixed: no text can pass for a separator */
static void canon_str(Canon *c, const char *s) {
    size_t n = s ? strlen(s) : SIZE_MAX;
    char len[24];
    len[sizeof(len) - 1] = ':';
    char *p = decimal_before(&len[sizeof(len) - 1], n);
    canon_bytes(c, p, (size_t) (&len[sizeof(len)] - p));
    if (s)
        canon_bytes(c, s, n);
}

static void canon_value(Canon *c, const Value *v) {
    canon_str(c, v->set ? (v->s ? v->s : "") : NULL);
}

static void canon_table(Canon *c, const KeyTable *t, const void *base);

static void canon_row(Canon *c, const KeyDef *k, const void *base) {
    canon_str(c, k->key);
    switch (k->type) {
    case VT_MAP:
        canon_value(c, map_present(k, base));
        canon_table(c, k->sub, spec_section(base, k));
        break;
    case VT_LIST:
    case VT_ENUM_LIST: {
        const List *l = key_list(k, (void *) base);
        size_t size = k->type == VT_LIST ? k->sub->item_size : sizeof(Value);
        char n[24];
        n[sizeof(n) - 1] = 0;
        char *p = decimal_before(&n[sizeof(n) - 1], l->n);
        *--p = '[';
        canon_str(c, p);
        for (size_t i = 0; i < l->n; i++) {
            const void *item = (const char *) l->items + i * size;
            if (k->type == VT_LIST)
                canon_table(c, k->sub, item);
            else
                canon_value(c, item);
        }
        break;
    }
    default:
        canon_value(c, key_value(k, (void *) base));
    }
}

static void canon_table(Canon *c, const KeyTable *t, const void *base) {
    canon_str(c, t->name);
    for (size_t i = 0; i < t->n_keys; i++)
        canon_row(c, &t->keys[i], base);
}

uint64_t spec_canonical_hash64(const Spec *s) {
    Canon c = { FNV1A_INIT };
    canon_str(&c, spec_kind_to_string(s->kind));
    canon_str(&c, s->name);
    canon_table(&c, spec_kind_table(s->kind), &s->domain);
    return c.h;
}

char *spec_canonical_hash(const Spec *s) {
    return xasprintf("%016" PRIx64, spec_canonical_hash64(s));
}
