/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "diag.h"

/* A YAML document as a plain tree with source positions. Only yaml-tree.c includes <yaml.h>. */
typedef enum YNodeType {
    YNODE_SCALAR,
    YNODE_MAP,
    YNODE_SEQ,
} YNodeType;

typedef struct YNode YNode;
struct YNode {
    YNodeType type;
    unsigned line, col;
    char *value;        /* scalar text */
    bool quoted;        /* scalar was written in quotes: never a null, bool or number */
    bool flow;          /* written: a map or sequence in flow style ({a: 1}, [a, b]) */
    char **keys;        /* map keys (n of them), in file order */
    unsigned *key_line, *key_col;
    YNode **items;      /* map values or sequence items */
    size_t n;
};

/* Limits; documented in docs/spec-reference.md ("Limits"). */
#define YAML_MAX_FILE_SIZE   (1024u * 1024u)
#define YAML_MAX_DEPTH       32u
#define YAML_MAX_DOCUMENTS   256u
#define YAML_MAX_ITEMS       1024u

/* Parses every document in buf. Problems go to diags (with file:line:col); on a syntax error the
 * documents before it are still returned. Returns the number of documents (>= 0). */
size_t yaml_parse_documents(const char *file, const char *buf, size_t len, YNode ***ret_docs,
                            DiagList *diags);
/* Reports what makes buf no UTF-8 YAML text before it is parsed: UTF-16/32 (by BOM or NUL
 * pattern), a NUL byte (with its position), a byte order mark after the start. True if so. */
bool yaml_refuse_binary(const char *file, const char *buf, size_t len, DiagList *diags);
void ynode_free(YNode *n);
void ynode_free_many(YNode **docs, size_t n);
DEFINE_TRIVIAL_CLEANUP_FUNC(YNode *, ynode_free);
const YNode *ynode_map_get(const YNode *map, const char *key);
bool ynode_is_null(const YNode *n);

/* Documents to write (export), emitted by libyaml's emitter (specs/yaml-emit.c): a node owns
 * what is added to it. */
YNode *ynode_new_map(bool flow);
YNode *ynode_new_seq(bool flow);
/* A scalar written as it is (plain): integers, booleans, enum words. */
YNode *ynode_new_plain(const char *text);
/* A string: plain when every YAML reader reads it back as that string, else double-quoted. */
YNode *ynode_new_string(const char *text);
/* A string always double-quoted. */
YNode *ynode_new_quoted(const char *text);
/* Appends key: value (takes value; a NULL value adds nothing). Returns value. */
YNode *ynode_map_put(YNode *map, const char *key, YNode *value);
/* Appends item (takes it). Returns item. */
YNode *ynode_seq_push(YNode *seq, YNode *item);
/* The text of one document (with "---" first when explicit_start); NULL if libyaml fails. */
char *yaml_emit_document(const YNode *doc, bool explicit_start);
