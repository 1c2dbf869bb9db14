/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <string.h>

#include "status-pack.h"
#include "util.h"

/* A run of the reference: keep bytes of it, then skip bytes of it that the pack's own bytes
 * (own of them, in order after the segments) replace. */
typedef struct Segment {
    uint32_t keep, skip, own;
} Segment;

struct StatusPack {
    uint16_t n_seg;             /* 0: whole, the text is own[] */
    uint16_t ref;               /* which reference */
    uint32_t len;               /* own bytes */
    char data[];                /* n_seg Segments, then the own bytes (STATUS_PACK_LEAD first) */
};

/* More runs than this and the entry is kept whole: it is no in-sync object's. */
#define MAX_SEGMENTS 6
#define LEAD_LEN (sizeof(STATUS_PACK_LEAD) - 1)

static size_t line_len(const char *s) {
    const char *nl = strchr(s, '\n');
    return nl ? (size_t) (nl - s + 1) : strlen(s);
}

/* The lines of text that are the reference's: each but the first ("{", which the lead joins) */
static bool line_shared(const char *a, size_t la, const char *b, size_t lb, bool first) {
    return !first && la == lb && !memcmp(a, b, la);
}

/* The segments of text against the reference in seg (at most MAX_SEGMENTS); the number, or -1
 * when the lines do not pair up or there are more runs. *ret_own: the own bytes (no lead). */
static int segments(const char *reference, const char *text, Segment *seg, uint32_t *ret_own) {
    const char *a = reference, *b = text;
    int n = 0;
    uint32_t own = 0;
    bool differing = false;
    while (*a && *b) {
        size_t la = line_len(a), lb = line_len(b);
        bool same = line_shared(a, la, b, lb, a == reference);
        if (n == 0 || (same && differing)) {
            if (n == MAX_SEGMENTS)
                return -1;
            seg[n++] = (Segment) {};
        }
        if (same)
            seg[n - 1].keep += (uint32_t) la;
        else {
            seg[n - 1].skip += (uint32_t) la;
            seg[n - 1].own += (uint32_t) lb;
            own += (uint32_t) lb;
        }
        differing = !same;
        a += la;
        b += lb;
    }
    *ret_own = own;
    return *a || *b ? -1 : n;
}

static StatusPack *pack_whole(const char *text) {
    size_t len = strlen(text);
    StatusPack *p = xmalloc0(sizeof(StatusPack) + LEAD_LEN + len);
    p->len = (uint32_t) (LEAD_LEN + len);
    memcpy(mempcpy(p->data, STATUS_PACK_LEAD, LEAD_LEN), text, len);
    return p;
}

/* The reference text shares most with (its index), its segments in seg; -1: none pairs up. */
static int best_reference(const char *text, const char *const *references, size_t n_refs,
                          Segment *seg, int *ret_n, uint32_t *ret_own) {
    int best = -1;
    *ret_own = UINT32_MAX;
    for (int i = 0; i < (int) n_refs; i++) {
        Segment s[MAX_SEGMENTS];
        uint32_t o = 0;
        int k = segments(references[i], text, s, &o);
        if (k > 0 && o < *ret_own) {
            memcpy(seg, s, sizeof(s));
            *ret_n = k, *ret_own = o, best = i;
        }
    }
    return best;
}

StatusPack *status_pack(const char *text, const char *const *references, size_t n_refs) {
    Segment seg[MAX_SEGMENTS];
    uint32_t own;
    int n = 0, ref = best_reference(text, references, n_refs, seg, &n, &own);
    if (ref < 0 || own * 2 > strlen(text))   /* whole: it shares too little */
        return pack_whole(text);
    seg[0].own += LEAD_LEN;
    StatusPack *p = xmalloc0(sizeof(StatusPack) + n * sizeof(Segment) + LEAD_LEN + own);
    p->n_seg = (uint16_t) n;
    p->ref = (uint16_t) ref;
    p->len = (uint32_t) LEAD_LEN + own;
    memcpy(p->data, seg, n * sizeof(Segment));
    char *o = mempcpy(p->data + n * sizeof(Segment), STATUS_PACK_LEAD, LEAD_LEN);
    /* the own bytes: text's lines where the reference's differ, in order */
    for (const char *a = references[ref], *b = text; *a && *b;) {
        size_t la = line_len(a), lb = line_len(b);
        if (!line_shared(a, la, b, lb, a == references[ref]))
            o = mempcpy(o, b, lb);
        a += la;
        b += lb;
    }
    return p;
}

void status_pack_free(StatusPack *p) {
    free(p);
}

size_t status_pack_n_pieces(const StatusPack *p) {
    return p->n_seg ? 2u * p->n_seg : 1;
}

size_t status_pack_pieces(const StatusPack *p, const char *const *references, struct iovec *v) {
    if (!p->n_seg) {
        v[0] = (struct iovec) { (void *) p->data, p->len };
        return 1;
    }
    const Segment *seg = (const Segment *) p->data, *end = seg + p->n_seg;
    const char *ref = references[p->ref], *own = (const char *) end;
    struct iovec *w = v;
    for (; seg < end; seg++) {   /* the first keeps nothing: the lead and "{" are own */
        if (seg->keep)
            *w++ = (struct iovec) { (void *) ref, seg->keep };
        if (seg->own)
            *w++ = (struct iovec) { (void *) own, seg->own };
        ref += seg->keep + seg->skip;
        own += seg->own;
    }
    return (size_t) (w - v);
}
