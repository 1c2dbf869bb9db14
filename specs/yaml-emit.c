/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <pthread.h>
#include <regex.h>
#include <strings.h>
#include <yaml.h>

#include "util.h"
#include "yaml-tree.h"

/* Writing YAML: every document virtspec writes (export) is built as a YNode tree and emitted by
 * libyaml, which quotes and escapes; nothing is written by hand. */

static YNode *node_new(YNodeType type, bool flow) {
    YNode *n = xmalloc0(sizeof(YNode));
    n->type = type;
    n->flow = flow;
    return n;
}

YNode *ynode_new_map(bool flow) {
    return node_new(YNODE_MAP, flow);
}

YNode *ynode_new_seq(bool flow) {
    return node_new(YNODE_SEQ, flow);
}

YNode *ynode_new_plain(const char *text) {
    YNode *n = node_new(YNODE_SCALAR, false);
    n->value = xstrdup(text);
    return n;
}

YNode *ynode_new_quoted(const char *text) {
    YNode *n = ynode_new_plain(text);
    n->quoted = true;
    return n;
}

/* What YAML 1.1 (PyYAML) or 1.2 (core schema) readers resolve as a number or a date, for a
 * scalar that starts with a digit (a sign, '.' or ':' never reaches this: see plain_safe): ints
 * (12, 012, 0o17, 0x1f, 0b101, 1_000), floats (1.5, 1., 1e3, 1.5e-3) and timestamps (2026-12-06).
 * An IPv4 address, a WWN or 512MiB are none of these. */
static const char *const numeric_res[] = {
    "^(0b[01_]+|0o[0-7]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)$",
    "^[0-9][0-9_]*\\.[0-9_]*([eE][-+]?[0-9]+)?$",
    "^[0-9]+[eE][-+]?[0-9]+$",
    "^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}",
};
static regex_t numeric_re[ELEMENTSOF(numeric_res)];
static pthread_once_t numeric_once = PTHREAD_ONCE_INIT;

static void numeric_compile(void) {
    for (size_t i = 0; i < ELEMENTSOF(numeric_res); i++)
        if (regcomp(&numeric_re[i], numeric_res[i], REG_EXTENDED | REG_NOSUB) != 0)
            abort();   /* a constant pattern */
}

static bool numeric(const char *s) {
    pthread_once(&numeric_once, numeric_compile);
    for (size_t i = 0; i < ELEMENTSOF(numeric_res); i++)
        if (regexec(&numeric_re[i], s, 0, NULL, 0) == 0)
            return true;
    return false;
}

/* Whether a plain scalar reads back as the string itself, for virtspec's loader and for any
 * YAML 1.1 or 1.2 reader: letters, digits and _ . / + - only, not starting with an indicator,
 * no null or boolean word (a title "null" written plain is a null) and nothing a reader takes
 * for a number or a date (0x10, 1e3, 1_000, 2026-12-06; 10.0.2.100 and 512MiB stay plain). */
static bool plain_safe(const char *s) {
    static const char *const words[] = { "null", "~", "true", "false", "yes", "no", "on", "off",
                                         "y", "n" };
    if (!*s || strchr("-+.", s[0]))
        return false;
    for (const char *c = s; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              strchr("_./+-", *c)))
            return false;
    if (s[0] >= '0' && s[0] <= '9' && numeric(s))
        return false;
    for (size_t i = 0; i < ELEMENTSOF(words); i++)
        if (strcasecmp(s, words[i]) == 0)
            return false;
    return true;
}

YNode *ynode_new_string(const char *text) {
    YNode *n = ynode_new_plain(text);
    n->quoted = !plain_safe(text);
    return n;
}

YNode *ynode_map_put(YNode *map, const char *key, YNode *value) {
    if (!value)
        return NULL;
    map->keys = xrealloc(map->keys, (map->n + 1) * sizeof(char *));
    map->items = xrealloc(map->items, (map->n + 1) * sizeof(YNode *));
    map->keys[map->n] = xstrdup(key);
    map->items[map->n++] = value;
    return value;
}

YNode *ynode_seq_push(YNode *seq, YNode *item) {
    seq->items = xrealloc(seq->items, (seq->n + 1) * sizeof(YNode *));
    seq->items[seq->n++] = item;
    return item;
}

static int buf_write(void *data, unsigned char *bytes, size_t size) {
    buf_add(data, bytes, size);
    return 1;
}

static int emit_scalar(yaml_emitter_t *e, const char *text, bool quoted) {
    yaml_event_t ev;
    if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *) text, (int) strlen(text),
                                      !quoted, quoted,
                                      quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE))
        return 0;
    return yaml_emitter_emit(e, &ev);
}

static int emit_node(yaml_emitter_t *e, const YNode *n) {
    yaml_event_t ev;
    if (n->type == YNODE_SCALAR)
        return emit_scalar(e, n->value, n->quoted);
    bool map = n->type == YNODE_MAP;
    int ok = map ? yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                                       n->flow ? YAML_FLOW_MAPPING_STYLE
                                                               : YAML_BLOCK_MAPPING_STYLE)
                 : yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                        n->flow ? YAML_FLOW_SEQUENCE_STYLE
                                                                : YAML_BLOCK_SEQUENCE_STYLE);
    if (!ok || !yaml_emitter_emit(e, &ev))
        return 0;
    for (size_t i = 0; i < n->n; i++)
        if ((map && !emit_scalar(e, n->keys[i], false)) || !emit_node(e, n->items[i]))
            return 0;
    ok = map ? yaml_mapping_end_event_initialize(&ev) : yaml_sequence_end_event_initialize(&ev);
    return ok && yaml_emitter_emit(e, &ev);
}

char *yaml_emit_document(const YNode *doc, bool explicit_start) {
    yaml_emitter_t e;
    yaml_event_t ev;
    Buf b = {};
    if (!yaml_emitter_initialize(&e))
        return NULL;
    yaml_emitter_set_output(&e, buf_write, &b);
    yaml_emitter_set_unicode(&e, 1);   /* UTF-8 as it is, not escaped */
    yaml_emitter_set_width(&e, -1);    /* no folded lines: one item, one line */
    yaml_emitter_set_indent(&e, 2);
    bool ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
              yaml_emitter_emit(&e, &ev) &&
              yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, !explicit_start) &&
              yaml_emitter_emit(&e, &ev) && emit_node(&e, doc) &&
              yaml_document_end_event_initialize(&ev, 1) && yaml_emitter_emit(&e, &ev) &&
              yaml_stream_end_event_initialize(&ev) && yaml_emitter_emit(&e, &ev) &&
              yaml_emitter_flush(&e);
    yaml_emitter_delete(&e);
    if (!ok) {
        buf_wipe(&b);   /* what was written so far may hold a secret (a seed's password hash) */
        return NULL;
    }
    return b.p ? b.p : xstrdup("");
}
