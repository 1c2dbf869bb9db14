/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "provenance.h"
#include "term.h"
#include "spec-template.h"
#include "spec-value.h"
#include "util.h"

static char *template_origin(unsigned line) {
    SpecOrigin o;
    if (!spec_origin_decode(line, &o))
        return NULL;
    return xasprintf("template %s, %s:%u", o.tmpl, o.file, o.line);
}

/* The line (maybe an encoded origin) of the value a change sets, 0 when unknown. */
static unsigned change_line(const Spec *s, const Change *c);

/* The item of list row `list` in base whose item key (any KEY_ITEM_KEY row) reads key. */
static void *list_item(const KeyDef *list, void *base, const char *key) {
    const List *l = key_list(list, base);
    for (size_t i = 0; key && i < l->n; i++) {
        void *it = (char *) l->items + i * list->sub->item_size;
        for (size_t k = 0; k < list->sub->n_keys; k++) {
            const KeyDef *r = &list->sub->keys[k];
            if ((r->flags & KEY_ITEM_KEY) && r->type != VT_LIST && r->type != VT_ENUM_LIST &&
                r->type != VT_MAP && streq_ptr(key_value(r, it)->s, key))
                return it;
        }
    }
    return NULL;
}

char *provenance_of_change(const Spec *s, const Change *c) {
    return template_origin(change_line(s, c));
}

static unsigned change_line(const Spec *s, const Change *c) {
    if (!s || !c->row || c->op == OP_UNMANAGED || c->op == OP_REMOVE)
        return 0;
    /* a row (or a list) inside a boxed section counts its offset from that section */
    void *base = (void *) &s->domain;
    base = (void *) (spec_row_base(spec_kind_table(s->kind), c->list ? c->list : c->row, base) ?: base);
    if (c->list) {
        base = list_item(c->list, base, c->item_key);
        if (!base)
            return 0;
        if (c->row == c->list) {
            /* a whole item: where its first value came from */
            for (size_t k = 0; k < c->list->sub->n_keys; k++) {
                const KeyDef *r = &c->list->sub->keys[k];
                if (r->type != VT_LIST && r->type != VT_ENUM_LIST && key_value(r, base)->set &&
                    !key_value(r, base)->defaulted)
                    return key_value(r, base)->line;
            }
            return 0;
        }
    }
    if (c->row->type == VT_LIST || c->row->type == VT_ENUM_LIST)
        return key_list(c->row, base)->line;
    const Value *v = key_value(c->row, base);
    return v->set && !v->defaulted ? v->line : 0;
}

/* ---- blast radius ---- */

/* The templates whose values change one object (interned names, so a pointer compare), each
 * with whether one of its changes waits for a boot (or a network's restart). Grows with the
 * templates: a spec may build on any number of them. */
typedef struct Reach {
    const char *tmpl, *file;
    bool boot;
} Reach;

static size_t object_reach(const Spec *s, const ObjectResult *r, Reach **ret) {
    size_t n = 0;
    for (size_t j = 0; j < r->diff.n; j++) {
        SpecOrigin o;
        const Change *c = &r->diff.items[j];
        if (!spec_origin_decode(change_line(s, c), &o))
            continue;
        size_t k = 0;
        while (k < n && (*ret)[k].tmpl != o.tmpl)
            k++;
        if (k == n)
            *(Reach *) array_push(ret, &n, sizeof(Reach)) = (Reach) { .tmpl = o.tmpl, .file = o.file };
        if (c->cls == CHANGE_CONFIG || c->cls == CHANGE_IDENTITY)
            (*ret)[k].boot = true;
    }
    return n;
}

static bool has_action(const ObjectResult *r, ActionOp a, ActionOp b) {
    for (size_t i = 0; i < r->n_actions; i++)
        if (r->actions[i].op == a || r->actions[i].op == b)
            return true;
    return false;
}

/* How a template's changes reach one object: at its next start (a domain not running, or one
 * its spec stops; a network or pool being created or started: nothing waits, nothing is
 * restarted), live, restarted (a reload: auto domain, a network apply restarts) or pending. */
typedef enum Reached { REACH_OFF, REACH_LIVE, REACH_RESTART, REACH_PENDING } Reached;

static Reached reached(const Spec *s, const ObjectResult *r, bool boot) {
    bool off = s->kind == KIND_DOMAIN ? r->id < 0 || streq_ptr(s->domain.state.s, "shutoff")
                                      : has_action(r, ACTION_CREATE, ACTION_START);
    if (off)
        return REACH_OFF;
    if (!boot)
        return REACH_LIVE;
    bool restart = s->kind == KIND_DOMAIN ? streq_ptr(s->domain.reload.s, "auto")
                                          : has_action(r, ACTION_RESTART, ACTION_RELOAD);
    return restart ? REACH_RESTART : REACH_PENDING;
}

void blast_radius_add(BlastRadius *b, const Spec *s, const ObjectResult *r) {
    _cleanup_free_ Reach *seen = NULL;
    size_t n_seen = object_reach(s, r, &seen);
    for (size_t k = 0; k < n_seen; k++) {
        size_t x = 0;
        while (x < b->n && b->items[x].tmpl != seen[k].tmpl)
            x++;
        if (x == b->n)
            *(BlastTemplate *) array_push(&b->items, &b->n, sizeof(BlastTemplate)) =
                (BlastTemplate) { .tmpl = seen[k].tmpl, .file = seen[k].file, .kind = s->kind };
        BlastTemplate *t = &b->items[x];
        *(char **) array_push(&t->objects, &t->n_objects, sizeof(char *)) = xstrdup(s->name);
        switch (reached(s, r, seen[k].boot)) {
        case REACH_OFF: t->off++; break;
        case REACH_LIVE: t->live++; break;
        case REACH_PENDING: t->pending++; break;
        case REACH_RESTART:
            t->restart++;
            *(char **) array_push(&t->restarting, &t->n_restarting, sizeof(char *)) = xstrdup(s->name);
            break;
        }
    }
}

void blast_radius_compute(BlastRadius *b, const SpecIndex *index, const ObjectResult *results,
                          size_t n) {
    for (size_t i = 0; i < n; i++) {
        const Spec *s = spec_index_find(index, results[i].kind, results[i].name);
        if (s)
            blast_radius_add(b, s, &results[i]);
    }
}

static void names_free(char **v, size_t n) {
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void blast_radius_clear(BlastRadius *b) {
    for (size_t x = 0; x < b->n; x++) {
        names_free(b->items[x].objects, b->items[x].n_objects);
        names_free(b->items[x].restarting, b->items[x].n_restarting);
    }
    free(b->items);
    *b = (BlastRadius) {};
}

/* "domain", "networks", … */
static const char *noun(SpecKind k, size_t n) {
    if (k == KIND_NETWORK)
        return n == 1 ? "network" : "networks";
    if (k == KIND_POOL)
        return n == 1 ? "pool" : "pools";
    return n == 1 ? "domain" : "domains";
}

void blast_radius_print(FILE *f, const BlastRadius *b) {
    for (size_t x = 0; x < b->n; x++) {
        const BlastTemplate *t = &b->items[x];
        _cleanup_free_ char *off = t->off ? xasprintf(", %zu at next start", t->off) : NULL;
        fprintf(f, "template %s: %zu %s %s %zu live, %zu reload-pending, %zu restart%s\n",
                t->tmpl, t->n_objects, noun(t->kind, t->n_objects), term_glyph(GLYPH_DASH), t->live,
                t->pending, t->restart, off ? off : "");
        for (size_t k = 0; k < t->n_restarting; k++)
            fprintf(f, "  %s restart (reload: auto): %s\n", term_glyph(GLYPH_RELOAD), t->restarting[k]);
    }
}

char *blast_radius_restart_line(const BlastTemplate *t) {
    if (t->n_restarting == 0)
        return NULL;
    Buf b = {};
    buf_printf(&b, "template %s: %zu %s will restart (reload: auto):", t->tmpl, t->n_restarting,
               noun(t->kind, t->n_restarting));
    for (size_t k = 0; k < t->n_restarting; k++)
        buf_printf(&b, "%s %s", k ? "," : "", t->restarting[k]);
    return b.p;
}

static void explain_line(FILE *f, const Spec *s, const char *path, const char *value,
                         unsigned line) {
    _cleanup_free_ char *from = template_origin(line);
    _cleanup_free_ char *esc = text_escape(value);
    _cleanup_free_ char *where = from ? TAKE_PTR(from)
                                      : line ? xasprintf("%s:%u", s->file, line)
                                             : xstrdup("default or derived");
    _cleanup_free_ char *kv = xasprintf("%s: %s", path, esc);
    fprintf(f, "%-44s # %s\n", kv, where);
}

static void explain_table(FILE *f, const Spec *s, const KeyTable *t, void *base,
                          const char *prefix) {
    for (size_t i = 0; i < t->n_keys; i++) {
        const KeyDef *k = &t->keys[i];
        _cleanup_free_ char *path = prefix ? xasprintf("%s.%s", prefix, k->key) : xstrdup(k->key);
        switch (k->type) {
        case VT_MAP:
            if (map_present(k, base)->set && !map_present(k, base)->defaulted)
                explain_table(f, s, k->sub, (void *) spec_section(base, k), path);
            break;
        case VT_LIST: {
            const List *l = key_list(k, base);
            for (size_t j = 0; j < l->n; j++) {
                _cleanup_free_ char *ipath = xasprintf("%s[%zu]", path, j);
                explain_table(f, s, k->sub, (char *) l->items + j * k->sub->item_size, ipath);
            }
            break;
        }
        case VT_ENUM_LIST: {
            const List *l = key_list(k, base);
            if (l->n == 0)
                break;
            Buf b = {};
            for (size_t j = 0; j < l->n; j++)
                buf_printf(&b, "%s%s", j ? ", " : "[", ((const Value *) l->items)[j].s);
            buf_puts(&b, "]");
            explain_line(f, s, path, b.p, l->line);
            free(b.p);
            break;
        }
        default: {
            const Value *v = key_value(k, base);
            if (!v->set || v->defaulted)
                break;   /* defaults: docs/spec-reference.md */
            _cleanup_free_ char *size = k->type == VT_SIZE ? format_size(value_int(v)) : NULL;
            explain_line(f, s, path, (k->flags & KEY_SECRET) ? "(secret)" : size ? size : v->s, v->line);
        }
        }
    }
}

void provenance_explain(FILE *f, const Spec *s) {
    fprintf(f, "# %s %s (%s:%u)\n", spec_kind_to_string(s->kind), s->name, s->file, s->line);
    explain_table(f, s, spec_kind_table(s->kind), (void *) &s->domain, NULL);
}
