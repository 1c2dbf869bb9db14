/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "spec-internal.h"

/* `kind: Host` documents (docs/fleet.md): the hypervisors of a fleet. Like a Template, a Host is
 * not an object virtspec creates: its rows (host_table in spec-table.c) are parsed (spec-load.c,
 * host_from_document) into a HostSpec that only placement reads (specs/placement.c). Here: labels,
 * freeing, the checks across Host documents. */

bool ynode_is_host(const YNode *doc) {
    const YNode *k = doc->type == YNODE_MAP ? ynode_map_get(doc, "kind") : NULL;
    return k && k->type == YNODE_SCALAR && streq(k->value, HOST_KIND);
}

static int label_cmp(const void *a, const void *b) {
    const Value *x = a, *y = b;
    size_t lx = strcspn(x->s, "="), ly = strcspn(y->s, "=");
    int r = strncmp(x->s, y->s, lx < ly ? lx : ly);
    return r ? r : lx < ly ? -1 : lx > ly;
}

void spec_parse_labels(ParseCtx *c, const KeyDef *k, const YNode *n, List *l, const char *path) {
    if (n->type != YNODE_MAP) {
        diag_add(c->diags, DIAG_ERROR, c->file, n->line, n->col,
                 "'%s' must be a map of labels, like {role: web, zone: a}", path);
        return;
    }
    l->line = n->line;
    l->col = n->col;
    for (size_t i = 0; i < n->n; i++) {
        const char *label = n->keys[i];
        const YNode *item = n->items[i];
        _cleanup_free_ char *msg = NULL;
        if (!valid_name(label)) {
            diag_add(c->diags, DIAG_ERROR, c->file, n->key_line[i], n->key_col[i],
                     "label '%s' in '%s' must be a name (letters, digits, _ . + -)", label, path);
            continue;
        }
        if (item->type != YNODE_SCALAR || ynode_is_null(item)) {
            diag_add(c->diags, DIAG_ERROR, c->file, item->line, item->col,
                     "label '%s' in '%s' needs a value (a word like web)", label, path);
            continue;
        }
        KeyDef as = *k;
        as.type = VT_STRING;
        as.key = label;
        as.flags = 0;
        Value v = {};
        if (value_parse(&as, item, &v, &msg) < 0) {
            diag_add(c->diags, DIAG_ERROR, c->file, item->line, item->col, "%s (in '%s')", msg, path);
            continue;
        }
        Value *e = array_push(&l->items, &l->n, sizeof(Value));
        *e = v;
        e->s = xasprintf("%s=%s", label, v.s);
        e->shared = false;   /* its own text now, whatever v's was */
        value_clear(&v);
    }
    if (l->n > 1)
        qsort(l->items, l->n, sizeof(Value), label_cmp);
}

void host_free(HostSpec *h) {
    if (!h)
        return;
    for (size_t i = 0; i < host_table.n_keys; i++) {
        const KeyDef *k = &host_table.keys[i];
        if (k->type == VT_ENUM_LIST) {
            List *l = key_list(k, h);
            for (size_t j = 0; j < l->n; j++)
                value_clear(&((Value *) l->items)[j]);
            free(l->items);
        } else
            value_clear(key_value(k, h));
        for (size_t j = 0; k->type == VT_MAP && j < k->sub->n_keys; j++)
            value_clear(key_value(&k->sub->keys[j], h));
    }
    free(h->file);
    free(h);
}

const HostSpec *spec_set_find_host(const SpecSet *set, const char *name) {
    for (size_t i = 0; i < set->n_hosts; i++)
        if (streq(set->hosts[i]->name.s, name))
            return set->hosts[i];
    return NULL;
}

void spec_set_verify_hosts(SpecSet *set) {
    size_t k = 1;
    for (size_t i = 1; i < set->n_hosts; i++) {
        HostSpec *h = set->hosts[i];
        const HostSpec *o = NULL;
        for (size_t j = 0; j < k && !o; j++)
            if (streq(set->hosts[j]->name.s, h->name.s))
                o = set->hosts[j];
        if (!o) {
            set->hosts[k++] = h;
            continue;
        }
        /* the second leaves the set: placement never sees two hosts of one name */
        diag_add(&set->diags, DIAG_ERROR, h->file, h->name.line, h->name.col,
                 "Host '%s' is also defined at %s:%u:%u", h->name.s, o->file, o->name.line,
                 o->name.col);
        host_free(h);
    }
    if (set->n_hosts > 0)
        set->n_hosts = k;
}
