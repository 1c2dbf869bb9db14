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
    const char *buf;
    size_t len;
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

_printf_(4, 5)
static void parser_error_at(Parser *ps, unsigned line, unsigned col, const char *fmt, ...) {
    va_list ap;
    _cleanup_free_ char *msg = NULL;

    if (ps->failed)
        return;
    ps->failed = true;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        abort();
    va_end(ap);
    diag_add(ps->diags, DIAG_ERROR, ps->file, line, col, "%s", msg);
}

#define parser_error(ps, m, ...) \
    parser_error_at((ps), (unsigned) (m)->line + 1, (unsigned) (m)->column + 1, __VA_ARGS__)

/* 1-based line and column (in characters, as libyaml counts them) of a byte offset. */
static void offset_pos(const Parser *ps, size_t offset, unsigned *ret_line, unsigned *ret_col) {
    unsigned line = 1, col = 1;
    for (size_t i = 0; i < offset && i < ps->len; i++) {
        unsigned char c = (unsigned char) ps->buf[i];
        if (c == '\n') {
            line++;
            col = 1;
        } else if ((c & 0xc0) != 0x80)   /* not a UTF-8 continuation byte */
            col++;
    }
    *ret_line = line;
    *ret_col = col;
}

static bool next_event(Parser *ps, yaml_event_t *ev) {
    if (yaml_parser_parse(&ps->p, ev))
        return true;
    if (ps->p.error == YAML_READER_ERROR) {
        /* bad bytes (invalid UTF-8, control characters): libyaml gives a byte offset only */
        unsigned line, col;
        int v = ps->p.problem_value;
        size_t off = ps->p.problem_offset;
        char what[32] = "";
        if (ps->p.problem && strstr(ps->p.problem, "trailing UTF-8") && off < ps->len) {
            /* libyaml points at the byte that fails to continue a character: report the
             * character's first byte (a Latin-1 'é' is 0xE9, not the space after it) */
            while (off > 0 && ((unsigned char) ps->buf[off - 1] & 0xc0) == 0x80)
                off--;
            if (off > 0)
                off--;
            offset_pos(ps, off, &line, &col);
            parser_error_at(ps, line, col, "YAML syntax: invalid UTF-8 sequence starting with "
                            "byte 0x%02X", (unsigned char) ps->buf[off]);
            return false;
        }
        offset_pos(ps, off, &line, &col);
        if (v >= 0 && v <= 0xff)
            snprintf(what, sizeof(what), " (byte 0x%02X)", (unsigned) v);
        else if (v > 0xff)
            snprintf(what, sizeof(what), " (U+%04X)", (unsigned) v);
        parser_error_at(ps, line, col, "YAML syntax: %s%s",
                        ps->p.problem ? ps->p.problem : "unreadable input", what);
        return false;
    }
    /* libyaml reports the position of the problem (problem_mark), a short text and what it was
     * reading (context, which started at context_mark: an unclosed bracket or quote). */
    const yaml_mark_t *m = &ps->p.problem_mark, *cm = &ps->p.context_mark;
    const char *problem = ps->p.problem ? ps->p.problem : "syntax error";
    char where[64] = "";
    if (ps->p.context && (cm->line != m->line || cm->column != m->column) &&
        !strstr(ps->p.context, "plain scalar"))   /* a plain scalar's start says nothing */
        snprintf(where, sizeof(where), " that starts at %u:%u", (unsigned) cm->line + 1,
                 (unsigned) cm->column + 1);
    const char *hint = "";
    char c = m->index < ps->len ? ps->buf[m->index] : 0;
    if (c == '\t' && !strstr(problem, "tab"))
        hint = " (a tab: YAML indents with spaces only)";
    else if (c == '@' || c == '`')
        hint = " ('@' and '`' cannot start a plain value: quote it)";
    parser_error(ps, m, "YAML syntax: %s%s%s%s%s", problem, ps->p.context ? " " : "",
                 ps->p.context ? ps->p.context : "", where, hint);
    return false;
}

/* "!!str" for libyaml's expanded "tag:yaml.org,2002:str". */
static void tag_error(Parser *ps, const yaml_mark_t *m, const yaml_char_t *tag) {
    const char *t = (const char *) tag, *std = "tag:yaml.org,2002:";
    bool is_std = !strncmp(t, std, strlen(std));
    parser_error(ps, m, "YAML tags (%s%s) are not supported; write the value plainly, or quoted "
                 "for a string",
                 is_std ? "!!" : "", is_std ? t + strlen(std) : t);
}

static YNode *parse_node(Parser *ps, yaml_event_t *ev, unsigned depth);

/* What keys and values share: no anchor, no tag, no NUL byte (a C string would end there:
 * "memory\0junk" would read as memory). False after an error. */
static bool scalar_ok(Parser *ps, const yaml_event_t *ev, const char *what) {
    const yaml_mark_t *m = &ev->start_mark;
    if (ev->data.scalar.anchor) {
        parser_error(ps, m, "YAML anchors (&%s) are not supported", (const char *) ev->data.scalar.anchor);
        return false;
    }
    if (ev->data.scalar.tag) {
        tag_error(ps, m, ev->data.scalar.tag);
        return false;
    }
    const char *v = (const char *) ev->data.scalar.value;
    const char *nul = memchr(v, 0, ev->data.scalar.length);
    if (nul) {
        /* the character's place in the text as written (escapes make the source column differ) */
        size_t chars = 0;
        for (const char *p = v; p < nul; p++)
            chars += ((unsigned char) *p & 0xc0) != 0x80;
        parser_error(ps, m, "%s contains a NUL byte (its character %zu)", what, chars + 1);
        return false;
    }
    return true;
}

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
            if (!scalar_ok(ps, &ev, "a key")) {
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
            /* at the first entry over the limit: its key, or the item itself */
            const YNode *last = n->items[n->n - 1];
            parser_error_at(ps, n->type == YNODE_MAP ? n->key_line[n->n - 1] : last->line,
                            n->type == YNODE_MAP ? n->key_col[n->n - 1] : last->col,
                            "too many entries in one map or list (limit %s)", "1024");
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
        if (!scalar_ok(ps, ev, "a value"))
            break;
        n = ynode_new(YNODE_SCALAR, &m);
        n->value = xstrndup((const char *) ev->data.scalar.value, ev->data.scalar.length);
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
        const yaml_char_t *tag = map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
        if (anchor) {
            parser_error(ps, &m, "YAML anchors (&%s) are not supported", (const char *) anchor);
            break;
        }
        if (tag) {
            tag_error(ps, &m, tag);
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

/* The encoding a file with NUL bytes is in, by its byte order mark or its first bytes (YAML
 * text starts with ASCII: "k\0\0\0" is UTF-32LE), or NULL. */
static const char *wide_encoding(const unsigned char *b, size_t len) {
    if (len >= 4 && b[0] == 0xff && b[1] == 0xfe && !b[2] && !b[3])
        return "UTF-32LE";
    if (len >= 4 && !b[0] && !b[1] && b[2] == 0xfe && b[3] == 0xff)
        return "UTF-32BE";
    if (len >= 2 && b[0] == 0xff && b[1] == 0xfe)
        return "UTF-16LE";
    if (len >= 2 && b[0] == 0xfe && b[1] == 0xff)
        return "UTF-16BE";
    if (len >= 4 && b[0] && !b[1] && !b[2] && !b[3])
        return "UTF-32LE";
    if (len >= 4 && !b[0] && !b[1] && !b[2] && b[3])
        return "UTF-32BE";
    if (len >= 2 && b[0] && !b[1])
        return "UTF-16LE";
    if (len >= 2 && !b[0] && b[1])
        return "UTF-16BE";
    return NULL;
}

bool yaml_refuse_binary(const char *file, const char *buf, size_t len, DiagList *diags) {
    const char *nul = memchr(buf, 0, len);
    if (nul) {
        const char *enc = wide_encoding((const unsigned char *) buf, len);
        if (enc) {
            diag_add(diags, DIAG_ERROR, file, 0, 0, "file is %s text; only UTF-8 is accepted "
                     "(iconv -f %s -t UTF-8)", enc, enc);
            return true;
        }
        Parser ps = { .file = file, .buf = buf, .len = len };
        unsigned line, col;
        offset_pos(&ps, (size_t) (nul - buf), &line, &col);
        diag_add(diags, DIAG_ERROR, file, line, col, "a NUL byte (byte %zu of the file); not a "
                 "YAML text file", (size_t) (nul - buf) + 1);
        return true;
    }
    /* a byte order mark is a YAML stream's first character or nothing: libyaml reads a later
     * one (before a second document) into the next key ("Domain needs 'name'") */
    for (size_t from = len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3) ? 3 : 0; from < len;) {
        const char *bom = memmem(buf + from, len - from, "\xef\xbb\xbf", 3);
        if (!bom)
            break;
        Parser ps = { .file = file, .buf = buf, .len = len };
        unsigned line, col;
        offset_pos(&ps, (size_t) (bom - buf), &line, &col);
        diag_add(diags, DIAG_ERROR, file, line, col, "a byte order mark (U+FEFF) inside the file: "
                 "only its very first character may be one (files joined with cat?)");
        return true;
    }
    return false;
}

size_t yaml_parse_documents(const char *file, const char *buf, size_t len, YNode ***ret_docs,
                            DiagList *diags) {
    Parser ps = { .file = file, .buf = buf, .len = len, .diags = diags };
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
