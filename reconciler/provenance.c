/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "provenance.h"
#include "spec-template.h"
#include "spec-value.h"
#include "util.h"

static char *template_origin(unsigned line) {
    SpecOrigin o;
    if (!spec_origin_decode(line, &o))
        return NULL;
    return xasprintf("template %s, %s:%u", o.tmpl, o.file, o.line);
}

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
    if (!s || !c->row || c->op == OP_UNMANAGED || c->op == OP_REMOVE)
        return NULL;
    void *base = (void *) &s->domain;
    if (c->list) {
        base = list_item(c->list, base, c->item_key);
        if (!base)
            return NULL;
        if (c->row == c->list) {
            /* a whole item: where its first value came from */
            for (size_t k = 0; k < c->list->sub->n_keys; k++) {
                const KeyDef *r = &c->list->sub->keys[k];
                if (r->type != VT_LIST && r->type != VT_ENUM_LIST && key_value(r, base)->set &&
                    !key_value(r, base)->defaulted)
                    return template_origin(key_value(r, base)->line);
            }
            return NULL;
        }
    }
    if (c->row->type == VT_LIST || c->row->type == VT_ENUM_LIST)
        return template_origin(key_list(c->row, base)->line);
    const Value *v = key_value(c->row, base);
    return v->set && !v->defaulted ? template_origin(v->line) : NULL;
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
