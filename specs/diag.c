/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <string.h>

#include "diag.h"
#include "spec-origin.h"

void diag_add(DiagList *l, DiagLevel level, const char *file, unsigned line, unsigned col,
              const char *fmt, ...) {
    va_list ap;
    Diag *d = array_push(&l->items, &l->n, sizeof(Diag));

    _cleanup_free_ char *raw = NULL;

    /* keys and values in messages come from the spec: escaped here, once for every diagnostic
     * (text_escape); the file name stays as it is (it names the file) and is escaped where it is
     * printed */
    d->file = xstrdup(file ? file : "<input>");
    d->line = line;
    d->col = col;
    d->level = level;
    va_start(ap, fmt);
    if (vasprintf(&raw, fmt, ap) < 0)
        abort();
    va_end(ap);
    d->message = text_escape(raw);
    d->via = NULL;
    SpecOrigin o;
    if (spec_origin_decode(line, &o)) {
        const DiagUse *u = NULL;
        for (size_t i = 0; i < l->n_uses && !u; i++)
            if (streq(l->uses[i].tmpl, o.tmpl))
                u = &l->uses[i];
        _cleanup_free_ char *tmpl = text_escape(o.tmpl), *user_file = text_escape(d->file);
        if (u) {
            _cleanup_free_ char *user = text_escape(l->use_user);
            d->via = xasprintf("in template %s, used by %s at %s:%u:%u", tmpl, user, user_file,
                               u->line, u->col);
        } else
            d->via = xasprintf("in template %s, used by %s", tmpl, user_file);
    }
    if (level == DIAG_ERROR)
        l->n_errors++;
}

void diag_list_add_copy(DiagList *l, const Diag *d) {
    Diag *c = array_push(&l->items, &l->n, sizeof(Diag));
    *c = (Diag) {
        .file = xstrdup(d->file), .line = d->line, .col = d->col, .level = d->level,
        .message = xstrdup(d->message), .via = d->via ? xstrdup(d->via) : NULL,
    };
    if (d->level == DIAG_ERROR)
        l->n_errors++;
}

void diag_list_clear(DiagList *l) {
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].file);
        free(l->items[i].message);
        free(l->items[i].via);
    }
    free(l->items);
    diag_list_clear_uses(l);
    *l = (DiagList) {};
}

void diag_list_clear_uses(DiagList *l) {
    for (size_t i = 0; i < l->n_uses; i++)
        free(l->uses[i].tmpl);
    free(l->uses);
    free(l->use_user);
    l->uses = NULL;
    l->n_uses = 0;
    l->use_user = NULL;
}

size_t diag_list_drop_warnings(DiagList *l, const char *file, const char *prefix) {
    size_t k = 0, dropped = 0;
    for (size_t i = 0; i < l->n; i++) {
        Diag *d = &l->items[i];
        if (d->level == DIAG_WARNING && d->file && streq(d->file, file) &&
            strncmp(d->message, prefix, strlen(prefix)) == 0) {
            free(d->file);
            free(d->message);
            free(d->via);
            dropped++;
        } else
            l->items[k++] = *d;
    }
    l->n = k;
    return dropped;
}

static int diag_cmp(const Diag *a, const Diag *b) {
    int r = strcmp(a->file, b->file);
    if (r != 0)
        return r;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return 0;
}

/* The first entry of the sorted l not before (file, line, col), or l->n. */
static size_t lower_bound(const DiagList *l, const Diag *key) {
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (diag_cmp(&l->items[mid], key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool diag_same(const Diag *x, const Diag *y) {
    return x->level == y->level && x->line == y->line && x->col == y->col && streq(x->file, y->file) &&
           streq(x->message, y->message) && streq_ptr(x->via, y->via);
}

bool diag_list_has(const DiagList *sorted, const Diag *d) {
    for (size_t i = lower_bound(sorted, d); i < sorted->n && diag_cmp(&sorted->items[i], d) == 0; i++)
        if (diag_same(&sorted->items[i], d))
            return true;
    return false;
}

bool diag_list_file_has_error(const DiagList *sorted, const char *file) {
    Diag key = { .file = (char *) file };
    for (size_t i = lower_bound(sorted, &key); i < sorted->n && streq(sorted->items[i].file, file); i++)
        if (sorted->items[i].level == DIAG_ERROR)
            return true;
    return false;
}

bool diag_list_equal(const DiagList *a, const DiagList *b) {
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (!diag_same(&a->items[i], &b->items[i]))
            return false;
    return true;
}

void diag_list_sort(DiagList *l) {
    /* Insertion sort: stable, and lists are short. */
    for (size_t i = 1; i < l->n; i++) {
        Diag d = l->items[i];
        size_t j = i;
        while (j > 0 && diag_cmp(&l->items[j - 1], &d) > 0) {
            l->items[j] = l->items[j - 1];
            j--;
        }
        l->items[j] = d;
    }
}

char *diag_shown(const Diag *d, const char **ret_file, unsigned *ret_line) {
    SpecOrigin o;
    if (!spec_origin_decode(d->line, &o)) {
        *ret_file = d->file;
        *ret_line = d->line;
        return xstrdup(d->message);
    }
    /* a value a template gave: its line there, and the spec that used it */
    *ret_file = o.file;
    *ret_line = o.line;
    return d->via ? xasprintf("%s (%s)", d->message, d->via) : xstrdup(d->message);
}

void diag_list_print(const DiagList *l, FILE *f) {
    for (size_t i = 0; i < l->n; i++) {
        const Diag *d = &l->items[i];
        const char *lvl = d->level == DIAG_ERROR ? "error" : "warning", *shown_file;
        unsigned line;
        _cleanup_free_ char *msg = diag_shown(d, &shown_file, &line);
        _cleanup_free_ char *file = text_escape(shown_file);
        if (line > 0)
            fprintf(f, "%s:%u:%u: %s: %s\n", file, line, d->col, lvl, msg);
        else
            fprintf(f, "%s: %s: %s\n", file, lvl, msg);
    }
}

void diag_list_move(DiagList *dst, DiagList *src) {
    for (size_t i = 0; i < src->n; i++)
        *(Diag *) array_push(&dst->items, &dst->n, sizeof(Diag)) = src->items[i];
    dst->n_errors += src->n_errors;
    free(src->items);
    diag_list_clear_uses(src);
    *src = (DiagList) {};
}
