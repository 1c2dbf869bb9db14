/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "unit-test.h"

#include "yaml-tree.h"

typedef struct Parsed {
    YNode **docs;
    size_t n;
    DiagList diags;
} Parsed;

static void parse_len(Parsed *p, const char *buf, size_t len) {
    *p = (Parsed) {};
    p->n = yaml_parse_documents("t.yaml", buf, len, &p->docs, &p->diags);
}

static void parse(Parsed *p, const char *buf) {
    parse_len(p, buf, strlen(buf));
}

static void parsed_clear(Parsed *p) {
    ynode_free_many(p->docs, p->n);
    diag_list_clear(&p->diags);
}

static void test_map_and_positions(void **state) {
    Parsed p;
    parse(&p, "kind: Domain\n"
              "name: web1\n"
              "disks:\n"
              "  - {name: root, size: 8GiB}\n"
              "  - name: data\n"
              "quoted: \"yes\"\n"
              "nothing: ~\n");
    assert_int_equal(p.diags.n, 0);
    assert_int_equal(p.n, 1);
    const YNode *d = p.docs[0];
    assert_int_equal(d->type, YNODE_MAP);
    assert_int_equal(d->n, 5);
    assert_string_equal(d->keys[0], "kind");
    assert_string_equal(d->keys[4], "nothing");
    assert_int_equal(d->key_line[1], 2);
    assert_int_equal(d->key_col[1], 1);

    const YNode *name = ynode_map_get(d, "name");
    assert_non_null(name);
    assert_int_equal(name->type, YNODE_SCALAR);
    assert_string_equal(name->value, "web1");
    assert_int_equal(name->line, 2);
    assert_int_equal(name->col, 7);
    assert_false(name->quoted);

    const YNode *disks = ynode_map_get(d, "disks");
    assert_int_equal(disks->type, YNODE_SEQ);
    assert_int_equal(disks->n, 2);
    const YNode *size = ynode_map_get(disks->items[0], "size");
    assert_string_equal(size->value, "8GiB");
    assert_int_equal(size->line, 4);
    assert_int_equal(size->col, 24);
    assert_int_equal(disks->items[1]->line, 5);
    assert_int_equal(disks->items[1]->col, 5);

    const YNode *q = ynode_map_get(d, "quoted");
    assert_true(q->quoted);
    assert_string_equal(q->value, "yes");
    assert_false(ynode_is_null(q));
    assert_true(ynode_is_null(ynode_map_get(d, "nothing")));
    assert_null(ynode_map_get(d, "missing"));
    assert_null(ynode_map_get(disks, "name"));   /* not a map */
    parsed_clear(&p);
}

static void test_null_forms(void **state) {
    Parsed p;
    parse(&p, "a:\nb: null\nc: NULL\nd: ''\ne: 'null'\nf: nil\n");
    assert_int_equal(p.diags.n, 0);
    const YNode *d = p.docs[0];
    assert_true(ynode_is_null(ynode_map_get(d, "a")));
    assert_true(ynode_is_null(ynode_map_get(d, "b")));
    assert_true(ynode_is_null(ynode_map_get(d, "c")));
    assert_false(ynode_is_null(ynode_map_get(d, "d")));   /* quoted empty string */
    assert_false(ynode_is_null(ynode_map_get(d, "e")));
    assert_false(ynode_is_null(ynode_map_get(d, "f")));
    assert_false(ynode_is_null(d));
    assert_true(ynode_is_null(NULL));
    parsed_clear(&p);
}

static void test_duplicate_key(void **state) {
    Parsed p;
    parse(&p, "name: a\nmemory: 1GiB\nname: b\n");
    assert_int_equal(p.diags.n_errors, 1);
    assert_diag(&p.diags, 3, 1, "duplicate key 'name' (first given at 1:1)");
    assert_int_equal(p.n, 0);
    parsed_clear(&p);

    /* nested maps too */
    parse(&p, "graphics:\n  type: vnc\n  port: 5900\n  type: spice\n");
    assert_int_equal(p.diags.n_errors, 1);
    assert_diag(&p.diags, 4, 3, "duplicate key 'type' (first given at 2:3)");
    parsed_clear(&p);
}

static void test_anchors_aliases_refused(void **state) {
    Parsed p;
    parse(&p, "a: &x 1\n");
    assert_int_equal(p.diags.n_errors, 1);
    assert_diag(&p.diags, 1, 4, "YAML anchors (&x) are not supported");
    parsed_clear(&p);

    parse(&p, "a: &m {b: 1}\n");
    assert_diag(&p.diags, 1, 4, "YAML anchors (&m) are not supported");
    parsed_clear(&p);

    parse(&p, "a: &s [1]\n");
    assert_diag(&p.diags, 1, 4, "YAML anchors (&s) are not supported");
    parsed_clear(&p);

    parse(&p, "a: 1\nb: *x\n");
    assert_int_equal(p.diags.n_errors, 1);
    assert_diag(&p.diags, 2, 4, "YAML aliases (*x) are not supported");
    assert_int_equal(p.n, 0);
    parsed_clear(&p);
}

static char *nested(unsigned levels) {
    char *s = xmalloc0(2 * levels + 2);
    memset(s, '[', levels);
    memset(s + levels, ']', levels);
    s[2 * levels] = '\n';
    return s;
}

static void test_depth_limit(void **state) {
    Parsed p;
    /* the root is depth 0: YAML_MAX_DEPTH more levels below it are allowed */
    char *ok = nested(YAML_MAX_DEPTH + 1);
    parse(&p, ok);
    assert_int_equal(p.diags.n, 0);
    assert_int_equal(p.n, 1);
    parsed_clear(&p);
    free(ok);

    char *deep = nested(YAML_MAX_DEPTH + 2);
    parse(&p, deep);
    assert_int_equal(p.diags.n_errors, 1);
    assert_diag(&p.diags, 1, YAML_MAX_DEPTH + 2, "nesting deeper than 32 levels");
    assert_int_equal(p.n, 0);
    parsed_clear(&p);
    free(deep);
}

static void test_multi_document(void **state) {
    Parsed p;
    parse(&p, "kind: Domain\nname: a\n---\nkind: Network\nname: b\n---\n");
    assert_int_equal(p.diags.n, 0);
    assert_int_equal(p.n, 3);
    assert_string_equal(ynode_map_get(p.docs[0], "name")->value, "a");
    assert_string_equal(ynode_map_get(p.docs[1], "kind")->value, "Network");
    assert_int_equal(p.docs[1]->line, 4);
    assert_true(ynode_is_null(p.docs[2]));   /* empty document after the trailing --- */
    parsed_clear(&p);

    /* a syntax error: the documents before it are still returned */
    parse(&p, "a: 1\n---\nb: [1, 2\n");
    assert_int_equal(p.n, 1);
    assert_int_equal(p.diags.n_errors, 1);
    assert_int_equal(p.diags.items[0].line, 4);
    assert_non_null(strstr(p.diags.items[0].message, "YAML syntax: "));
    parsed_clear(&p);

    parse(&p, "");
    assert_int_equal(p.n, 0);
    assert_int_equal(p.diags.n, 0);
    parsed_clear(&p);
}

static void test_document_limit(void **state) {
    Parsed p;
    size_t n = YAML_MAX_DOCUMENTS + 1, len = 0;
    char *buf = xmalloc0(n * 16);
    for (size_t i = 0; i < n; i++)
        len += (size_t) sprintf(buf + len, "---\na: %zu\n", i);
    parse_len(&p, buf, len);
    assert_int_equal(p.n, YAML_MAX_DOCUMENTS);
    assert_int_equal(p.diags.n_errors, 1);
    assert_diag(&p.diags, 2 * YAML_MAX_DOCUMENTS + 1, 1, "more than 256 documents in one file");
    parsed_clear(&p);

    /* exactly at the limit is fine */
    parse_len(&p, buf, len - strlen("---\na: 256\n"));
    assert_int_equal(p.n, YAML_MAX_DOCUMENTS);
    assert_int_equal(p.diags.n, 0);
    parsed_clear(&p);
    free(buf);
}

static void test_item_limit(void **state) {
    Parsed p;
    size_t n = YAML_MAX_ITEMS + 1, len = 0;
    char *buf = xmalloc0(n * 8 + 8);
    len += (size_t) sprintf(buf, "[");
    for (size_t i = 0; i < n; i++)
        len += (size_t) sprintf(buf + len, "%s1", i ? "," : "");
    len += (size_t) sprintf(buf + len, "]\n");
    parse_len(&p, buf, len);
    assert_int_equal(p.n, 0);
    assert_int_equal(p.diags.n_errors, 1);
    assert_non_null(strstr(p.diags.items[0].message,
                           "too many entries in one map or list (limit 1024)"));
    parsed_clear(&p);

    /* 1024 items: accepted */
    buf[len - 4] = ']';
    buf[len - 3] = '\n';
    parse_len(&p, buf, len - 2);
    assert_int_equal(p.diags.n, 0);
    assert_int_equal(p.n, 1);
    assert_int_equal(p.docs[0]->n, YAML_MAX_ITEMS);
    parsed_clear(&p);
    free(buf);
}

static void test_nul_byte(void **state) {
    Parsed p;
    /* escaped NUL inside a double-quoted scalar */
    parse(&p, "a: \"x\\0y\"\n");
    assert_int_equal(p.diags.n_errors, 1);
    assert_diag(&p.diags, 1, 4, "a value contains a NUL byte");
    assert_int_equal(p.n, 0);
    parsed_clear(&p);

    /* a raw NUL in the text is not YAML */
    static const char raw[] = "a: x\0y\n";
    parse_len(&p, raw, sizeof(raw) - 1);
    assert_int_equal(p.diags.n_errors, 1);
    assert_int_equal(p.diags.items[0].line, 1);
    assert_non_null(strstr(p.diags.items[0].message, "YAML syntax"));
    parsed_clear(&p);
}

static void test_file_size_limit(void **state) {
    Parsed p;
    size_t len = YAML_MAX_FILE_SIZE + 1;
    char *buf = xmalloc0(len);
    memset(buf, '#', len);
    parse_len(&p, buf, len);
    assert_int_equal(p.n, 0);
    assert_int_equal(p.diags.n_errors, 1);
    assert_diag(&p.diags, 0, 0, "file is larger than 1048576 bytes");
    parsed_clear(&p);
    free(buf);
}

static void test_complex_keys_refused(void **state) {
    Parsed p;
    parse(&p, "? [a, b]\n: 1\n");
    assert_int_equal(p.diags.n_errors, 1);
    assert_diag(&p.diags, 1, 3, "map keys must be plain strings");
    parsed_clear(&p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_and_positions),
        cmocka_unit_test(test_null_forms),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_anchors_aliases_refused),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_multi_document),
        cmocka_unit_test(test_document_limit),
        cmocka_unit_test(test_item_limit),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_file_size_limit),
        cmocka_unit_test(test_complex_keys_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
