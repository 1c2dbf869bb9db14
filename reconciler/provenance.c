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
    void *base = (void *) &s->domain;
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

typedef struct TemplateReach {
    const char *tmpl;           /* interned (spec-origin.c) */
    size_t live, pending, restart, off;   /* off: not running, or stopped by its spec */
    char **restarting;
    size_t n_restarting;
} TemplateReach;

void provenance_blast_radius(FILE *f, const SpecSet *set, const ObjectResult *results, size_t n) {
    TemplateReach *t = NULL;
    size_t n_t = 0;
    for (size_t i = 0; i < n; i++) {
        const ObjectResult *r = &results[i];
        const Spec *s = spec_set_find(set, r->kind, r->name);
        if (!s || s->kind != KIND_DOMAIN)
            continue;
        /* per template: does it change this domain, and does any of its changes wait for a boot */
        const char *seen[16];
        bool boot[16] = {};
        size_t n_seen = 0;
        for (size_t j = 0; j < r->diff.n; j++) {
            SpecOrigin o;
            const Change *c = &r->diff.items[j];
            if (!spec_origin_decode(change_line(s, c), &o))
                continue;
            size_t k = 0;
            while (k < n_seen && seen[k] != o.tmpl)
                k++;
            if (k == n_seen && n_seen < ELEMENTSOF(seen))
                seen[n_seen++] = o.tmpl;
            if (k < n_seen && (c->cls == CHANGE_CONFIG || c->cls == CHANGE_IDENTITY))
                boot[k] = true;
        }
        for (size_t k = 0; k < n_seen; k++) {
            size_t x = 0;
            while (x < n_t && t[x].tmpl != seen[k])
                x++;
            if (x == n_t)
                *(TemplateReach *) array_push(&t, &n_t, sizeof(TemplateReach)) = (TemplateReach) { .tmpl = seen[k] };
            /* a domain not running (the observed id), or one the spec stops, takes every change
             * at its next start: nothing waits for a boot, nothing is restarted */
            if (r->id < 0 || streq_ptr(s->domain.state.s, "shutoff"))
                t[x].off++;
            else if (!boot[k])
                t[x].live++;
            else if (streq_ptr(s->domain.reload.s, "auto")) {
                t[x].restart++;
                *(char **) array_push(&t[x].restarting, &t[x].n_restarting, sizeof(char *)) = xstrdup(s->name);
            } else
                t[x].pending++;
        }
    }
    for (size_t x = 0; x < n_t; x++) {
        size_t total = t[x].live + t[x].pending + t[x].restart + t[x].off;
        _cleanup_free_ char *off = t[x].off ? xasprintf(", %zu at next start", t[x].off) : NULL;
        fprintf(f, "template %s: %zu domain%s %s %zu live, %zu reload-pending, %zu restart%s\n",
                t[x].tmpl, total, total == 1 ? "" : "s", term_glyph(GLYPH_DASH), t[x].live,
                t[x].pending, t[x].restart, off ? off : "");
        for (size_t k = 0; k < t[x].n_restarting; k++) {
            fprintf(f, "  %s restart (reload: auto): %s\n", term_glyph(GLYPH_RELOAD), t[x].restarting[k]);
            free(t[x].restarting[k]);
        }
        free(t[x].restarting);
    }
    free(t);
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
            if (key_value(k, base)->set && !key_value(k, base)->defaulted)
                explain_table(f, s, k->sub, base, path);
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
            _cleanup_free_ char *size = k->type == VT_SIZE ? format_size(v->i) : NULL;
            explain_line(f, s, path, (k->flags & KEY_SECRET) ? "(secret)" : size ? size : v->s, v->line);
        }
        }
    }
}

void provenance_explain(FILE *f, const Spec *s) {
    fprintf(f, "# %s %s (%s:%u)\n", spec_kind_to_string(s->kind), s->name, s->file, s->line);
    explain_table(f, s, spec_kind_table(s->kind), (void *) &s->domain, NULL);
}
