/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helper for tests/golden/check-coverage.sh: which spec keys a golden case touches.
 *
 *   golden-keys set FILE.yaml…     every key path written in the files, as "KIND<TAB>PATH"
 *                                  (list items as PATH[].KEY; `kind` and x- keys left out)
 *   golden-keys mentions FILE.err  for every FILE:LINE:COL diagnostic in the .err file, the key
 *                                  path whose value (or, failing that, key) sits at LINE:COL
 *
 * It reads YAML with the project's own reader (yaml-tree.c) and knows nothing about the key
 * tables: the list of keys to cover comes from `virtspec reference`. */
#include <stdio.h>

#include "yaml-tree.h"

static char *read_file(const char *path, size_t *ret_len) {
    FILE *f = fopen(path, "re");
    char *buf = NULL;
    size_t len = 0, cap = 0;

    if (!f)
        return NULL;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            buf = xrealloc(buf, cap + 1);
        }
        size_t k = fread(buf + len, 1, cap - len, f);
        len += k;
        if (k == 0)
            break;
    }
    fclose(f);
    buf[len] = 0;
    *ret_len = len;
    return buf;
}

static const char *doc_kind(const YNode *doc) {
    const YNode *k = ynode_map_get(doc, "kind");
    return k && k->type == YNODE_SCALAR ? k->value : "?";
}

static char *join(const char *prefix, const char *key) {
    return prefix ? xasprintf("%s.%s", prefix, key) : xstrdup(key);
}

static void print_set(const char *kind, const YNode *n, const char *path) {
    if (n->type == YNODE_MAP) {
        for (size_t i = 0; i < n->n; i++) {
            if ((!path && streq(n->keys[i], "kind")) || !strncmp(n->keys[i], "x-", 2))
                continue;
            _cleanup_free_ char *p = join(path, n->keys[i]);
            printf("%s\t%s\n", kind, p);
            print_set(kind, n->items[i], p);
        }
    } else if (n->type == YNODE_SEQ && path) {
        _cleanup_free_ char *p = xasprintf("%s[]", path);
        for (size_t i = 0; i < n->n; i++)
            if (n->items[i]->type == YNODE_MAP)
                print_set(kind, n->items[i], p);
    }
}

typedef struct Match {
    char *value_path;   /* a value node at the position */
    char *key_path;     /* a map key at the position */
} Match;

static void find_at(const YNode *n, const char *path, unsigned line, unsigned col, Match *m) {
    if (path && n->line == line && n->col == col && !m->value_path)
        m->value_path = xstrdup(path);
    if (n->type == YNODE_MAP) {
        for (size_t i = 0; i < n->n; i++) {
            _cleanup_free_ char *p = join(path, n->keys[i]);
            if (n->key_line[i] == line && n->key_col[i] == col && !m->key_path)
                m->key_path = xstrdup(p);
            find_at(n->items[i], p, line, col, m);
        }
    } else if (n->type == YNODE_SEQ && path) {
        _cleanup_free_ char *p = xasprintf("%s[]", path);
        for (size_t i = 0; i < n->n; i++)
            /* a scalar in a list is the list's value (enum lists such as boot) */
            find_at(n->items[i], n->items[i]->type == YNODE_SCALAR ? path : p, line, col, m);
    }
}

static int cmd_set(int argc, char **argv) {
    for (int a = 0; a < argc; a++) {
        size_t len;
        _cleanup_free_ char *buf = read_file(argv[a], &len);
        if (!buf) {
            fprintf(stderr, "golden-keys: cannot read %s\n", argv[a]);
            return 1;
        }
        YNode **docs;
        DiagList d = {};
        size_t n = yaml_parse_documents(argv[a], buf, len, &docs, &d);
        for (size_t i = 0; i < n; i++)
            if (docs[i]->type == YNODE_MAP)
                print_set(doc_kind(docs[i]), docs[i], NULL);
        ynode_free_many(docs, n);
        diag_list_clear(&d);
    }
    return 0;
}

static int cmd_mentions(const char *err_path) {
    FILE *f = fopen(err_path, "re");
    char line[8192];

    if (!f) {
        fprintf(stderr, "golden-keys: cannot read %s\n", err_path);
        return 1;
    }
    while (fgets(line, sizeof(line), f)) {
        char file[4096];
        unsigned l, c;
        if (sscanf(line, "%4095[^:]:%u:%u: ", file, &l, &c) != 3)
            continue;
        size_t len;
        _cleanup_free_ char *buf = read_file(file, &len);
        if (!buf)
            continue;
        YNode **docs;
        DiagList d = {};
        size_t n = yaml_parse_documents(file, buf, len, &docs, &d);
        for (size_t i = 0; i < n; i++) {
            Match m = {};
            find_at(docs[i], NULL, l, c, &m);
            const char *p = m.value_path ? m.value_path : m.key_path;
            if (p)
                printf("%s\t%s\n", doc_kind(docs[i]), p);
            free(m.value_path);
            free(m.key_path);
        }
        ynode_free_many(docs, n);
        diag_list_clear(&d);
    }
    fclose(f);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && streq(argv[1], "set"))
        return cmd_set(argc - 2, argv + 2);
    if (argc == 3 && streq(argv[1], "mentions"))
        return cmd_mentions(argv[2]);
    fprintf(stderr, "usage: golden-keys set FILE.yaml… | golden-keys mentions FILE.err\n");
    return 2;
}
