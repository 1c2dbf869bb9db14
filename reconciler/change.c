/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "change.h"

void diff_clear(Diff *d) {
    for (size_t i = 0; i < d->n; i++) {
        Change *c = &d->items[i];
        free(c->path);
        free(c->old_value);
        free(c->new_value);
        free(c->item_key);
        free(c->note);
    }
    free(d->items);
    *d = (Diff) {};
}

bool diff_has_class(const Diff *d, ChangeClass cls) {
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].op != OP_UNMANAGED && d->items[i].cls == cls)
            return true;
    return false;
}

size_t diff_count_effective(const Diff *d) {
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++)
        n += d->items[i].op != OP_UNMANAGED;
    return n;
}

Change *diff_add_change(Diff *d, ChangeOp op, ChangeClass cls, const char *path) {
    Change *c = array_push(&d->items, &d->n, sizeof(Change));
    c->op = op;
    c->cls = cls;
    c->path = xstrdup(path);
    return c;
}
