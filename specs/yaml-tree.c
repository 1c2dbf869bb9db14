/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <yaml.h>

#include "yaml-tree.h"

void ynode_free(YNode *n) {
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++) {
        ynode_free(n->items[i]);
        if (n->keys)
            free(n->keys[i]);
    }
    free(n->items);
    free(n->keys);
    free(n->key_line);
    free(n->key_col);
    free(n->value);
    free(n);
}

void ynode_free_many(YNode **docs, size_t n) {
    for (size_t i = 0; i < n; i++)
        ynode_free(docs[i]);
    free(docs);
}

const YNode *ynode_map_get(const YNode *map, const char *key) {
    if (!map || map->type != YNODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (streq(map->keys[i], key))
            return map->items[i];
    return NULL;
}

bool ynode_is_null(const YNode *n) {
    if (!n)
        return true;
    if (n->type != YNODE_SCALAR || n->quoted)
        return false;
    return streq(n->value, "") || streq(n->value, "~") || streq(n->value, "null") ||
           streq(n->value, "Null") || streq(n->value, "NULL");
}

typedef struct Parser {
    yaml_parser_t p;
    const char *file;
    DiagList *diags;
    bool failed;
} Parser;

static YNode *ynode_new(YNodeType type, const yaml_mark_t *m) {
    YNode *n = xmalloc0(sizeof(YNode));
    n->type = type;
    n->line = (unsigned) m->line + 1;
    n->col = (unsigned) m->column + 1;
    return n;
}

_printf_(3, 4)
static void parser_error(Parser *ps, const yaml_mark_t *m, const char *fmt, ...) {
    va_list ap;
    _cleanup_free_ char *msg = NULL;

    if (ps->failed)
        return;
    ps->failed = true;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        abort();
    va_end(ap);
    diag_add(ps->diags, DIAG_ERROR, ps->file, (unsigned) m->line + 1, (unsigned) m->column + 1,
             "%s", msg);
}

static bool next_event(Parser *ps, yaml_event_t *ev) {
    if (yaml_parser_parse(&ps->p, ev))
        return true;
    /* libyaml reports the position of the problem (problem_mark) and a short text. */
    const yaml_mark_t *m = &ps->p.problem_mark;
    char msg[256];
    snprintf(msg, sizeof(msg), "%s%s%s", ps->p.problem ? ps->p.problem : "syntax error",
             ps->p.context ? " " : "", ps->p.context ? ps->p.context : "");
    parser_error(ps, m, "YAML syntax: %s", msg);
    return false;
}

static YNode *parse_node(Parser *ps, yaml_event_t *ev, unsigned depth);

static YNode *parse_children(Parser *ps, YNode *n, yaml_event_type_t end, unsigned depth) {
    for (;;) {
        yaml_event_t ev;
        if (!next_event(ps, &ev))
            goto fail;
        if (ev.type == end) {
            yaml_event_delete(&ev);
            return n;
        }
        if (n->type == YNODE_MAP) {
            yaml_mark_t km = ev.start_mark;
            if (ev.type != YAML_SCALAR_EVENT) {
                parser_error(ps, &km, "%s", "map keys must be plain strings");
                yaml_event_delete(&ev);
                goto fail;
            }
            char *key = xstrndup((const char *) ev.data.scalar.value, ev.data.scalar.length);
            yaml_event_delete(&ev);
            for (size_t i = 0; i < n->n; i++)
                if (streq(n->keys[i], key)) {
                    char buf[64];
                    snprintf(buf, sizeof(buf), "%u:%u", n->key_line[i], n->key_col[i]);
                    if (!ps->failed)
                        diag_add(ps->diags, DIAG_ERROR, ps->file, (unsigned) km.line + 1,
                                 (unsigned) km.column + 1,
                                 "duplicate key '%s' (first given at %s)", key, buf);
                    ps->failed = true;
                    free(key);
                    goto fail;
                }
            yaml_event_t vev;
            if (!next_event(ps, &vev)) {
                free(key);
                goto fail;
            }
            YNode *v = parse_node(ps, &vev, depth + 1);
            if (!v) {
                free(key);
                goto fail;
            }
            n->keys = xrealloc(n->keys, (n->n + 1) * sizeof(char *));
            n->key_line = xrealloc(n->key_line, (n->n + 1) * sizeof(unsigned));
            n->key_col = xrealloc(n->key_col, (n->n + 1) * sizeof(unsigned));
            n->keys[n->n] = key;
            n->key_line[n->n] = (unsigned) km.line + 1;
            n->key_col[n->n] = (unsigned) km.column + 1;
            *(YNode **) array_push(&n->items, &n->n, sizeof(YNode *)) = v;
        } else {
            YNode *v = parse_node(ps, &ev, depth + 1);
            if (!v)
                goto fail;
            *(YNode **) array_push(&n->items, &n->n, sizeof(YNode *)) = v;
        }
        if (n->n > YAML_MAX_ITEMS) {
            parser_error(ps, &ps->p.mark, "too many entries in one map or list (limit %s)",
                         "1024");
            goto fail;
        }
    }
fail:
    ynode_free(n);
    return NULL;
}

/* Consumes ev. */
static YNode *parse_node(Parser *ps, yaml_event_t *ev, unsigned depth) {
    YNode *n = NULL;
    yaml_mark_t m = ev->start_mark;

    if (depth > YAML_MAX_DEPTH) {
        parser_error(ps, &m, "nesting deeper than %s levels", "32");
        yaml_event_delete(ev);
        return NULL;
    }
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        parser_error(ps, &m, "YAML aliases (*%s) are not supported", (const char *) ev->data.alias.anchor);
        break;
    case YAML_SCALAR_EVENT:
        if (ev->data.scalar.anchor) {
            parser_error(ps, &m, "YAML anchors (&%s) are not supported",
                         (const char *) ev->data.scalar.anchor);
            break;
        }
        n = ynode_new(YNODE_SCALAR, &m);
        n->value = xstrndup((const char *) ev->data.scalar.value, ev->data.scalar.length);
        if (strlen(n->value) != ev->data.scalar.length) {
            parser_error(ps, &m, "%s", "a value contains a NUL byte");
            ynode_free(n);
            n = NULL;
            break;
        }
        n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ||
                    ev->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
                    ev->data.scalar.style == YAML_FOLDED_SCALAR_STYLE;
        break;
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT: {
        bool map = ev->type == YAML_MAPPING_START_EVENT;
        const yaml_char_t *anchor = map ? ev->data.mapping_start.anchor
                                        : ev->data.sequence_start.anchor;
        if (anchor) {
            parser_error(ps, &m, "YAML anchors (&%s) are not supported", (const char *) anchor);
            break;
        }
        yaml_event_delete(ev);
        n = ynode_new(map ? YNODE_MAP : YNODE_SEQ, &m);
        return parse_children(ps, n, map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT,
                              depth);
    }
    default:
        parser_error(ps, &m, "%s", "unexpected YAML event");
        break;
    }
    yaml_event_delete(ev);
    return n;
}

size_t yaml_parse_documents(const char *file, const char *buf, size_t len, YNode ***ret_docs,
                            DiagList *diags) {
    Parser ps = { .file = file, .diags = diags };
    YNode **docs = NULL;
    size_t n = 0;

    *ret_docs = NULL;
    if (len > YAML_MAX_FILE_SIZE) {
        diag_add(diags, DIAG_ERROR, file, 0, 0, "file is larger than %u bytes", YAML_MAX_FILE_SIZE);
        return 0;
    }
    if (!yaml_parser_initialize(&ps.p))
        abort();
    yaml_parser_set_input_string(&ps.p, (const unsigned char *) buf, len);

    for (;;) {
        yaml_event_t ev;
        if (!next_event(&ps, &ev))
            break;
        if (ev.type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (ev.type != YAML_DOCUMENT_START_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        yaml_mark_t dm = ev.start_mark;
        yaml_event_delete(&ev);
        if (!next_event(&ps, &ev))
            break;
        YNode *root = parse_node(&ps, &ev, 0);
        if (!root)
            break;
        if (!next_event(&ps, &ev)) {  /* DOCUMENT_END */
            ynode_free(root);
            break;
        }
        yaml_event_delete(&ev);
        if (n >= YAML_MAX_DOCUMENTS) {
            parser_error(&ps, &dm, "more than %s documents in one file", "256");
            ynode_free(root);
            break;
        }
        *(YNode **) array_push(&docs, &n, sizeof(YNode *)) = root;
    }
    yaml_parser_delete(&ps.p);
    *ret_docs = docs;
    return n;
}
