/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "status-json.h"   /* before cmocka: engine-result.h has its own fail() */
#include "unit-test.h"

#include "status-table.h"

/* 2026-12-06T05:00:00Z */
#define NOW ((time_t) 1796533200)

static const char *no_color(TermColor c) {
    return "";
}

static const char *fake_color(TermColor c) {
    static const char *const m[_TERM_COLOR_MAX] = {
        [TERM_RESET] = "</>", [TERM_RED] = "<R>", [TERM_GREEN] = "<G>", [TERM_YELLOW] = "<Y>",
        [TERM_BOLD] = "<B>", [TERM_DIM] = "<D>",
    };
    return m[c];
}

static const char doc[] =
    "{\"schema_version\": 1, \"source\": \"daemon\", \"pid\": 42, \"summary\": \"4 objects: 2 in sync\","
    " \"objects\": ["
    "  {\"kind\": \"Network\", \"name\": \"lab\", \"state\": \"in-sync\", \"addresses\": [\"10.77.0.1/24\"],"
    "   \"last_action_time\": \"2026-12-06T04:57:00Z\", \"fields\": [], \"reload_pending\": []},"
    "  {\"kind\": \"Domain\", \"name\": \"web-frontend-01\", \"state\": \"reload-pending\","
    "   \"addresses\": [\"10.77.0.50/24\", \"fd00::50/64\"], \"last_action_time\": \"2026-12-06T04:59:48Z\","
    "   \"fields\": [\"video.type\"], \"reload_pending\": [\"video.type\"], \"reconciling\": true},"
    "  {\"kind\": \"Pool\", \"name\": \"p\", \"state\": \"failed\", \"addresses\": [], \"last_action_time\": null,"
    "   \"fields\": [], \"error\": \"cannot create /x: Permission denied\"},"
    "  {\"kind\": \"Domain\", \"name\": \"old\", \"state\": \"orphaned\", \"addresses\": [],"
    "   \"last_action_time\": \"2026-12-03T05:00:00Z\"}"
    " ], \"spec_errors\": ["
    "  {\"file\": \"/etc/virtspec/bad.yaml\", \"line\": 3, \"column\": 1, \"level\": \"error\", \"message\": \"unknown key 'x'\"},"
    "  {\"file\": \"/etc/virtspec/bad.yaml\", \"line\": 4, \"column\": 1, \"level\": \"error\", \"message\": \"second\"},"
    "  {\"file\": \"/etc/virtspec/w.yaml\", \"line\": 4, \"column\": 1, \"level\": \"warning\", \"message\": \"w\"}"
    " ]}";

static char *format(unsigned columns, const char *(*color)(TermColor), const char *ellipsis) {
    json_object *root = json_tokener_parse(doc);
    assert_non_null(root);
    StatusTableStyle s = { .columns = columns, .color = color, .ellipsis = ellipsis, .now = NOW };
    char *t = status_table_format(root, &s);
    json_object_put(root);
    return t;
}

static void test_table(void **state) {
    char *t = format(0, no_color, "…");
    assert_string_equal(t,
        "KIND     NAME                    STATE           ADDRESSES                   CHANGED\n"
        "Network  lab                     in-sync         10.77.0.1/24                3 min ago\n"
        "Domain   web-frontend-01         reload-pending  10.77.0.50/24, fd00::50/64  12 s ago\n"
        "         pending: video.type; reconciling now\n"
        "Pool     p                       failed          -                           -\n"
        "         cannot create /x: Permission denied\n"
        "Domain   old                     orphaned        -                           3 days ago\n"
        "         owned by virtspec, no spec names it; apply --prune would undefine it\n"
        "file     /etc/virtspec/bad.yaml  failed          -                           -\n"
        "         unknown key 'x'\n"
        "\n"
        "daemon (pid 42): 4 objects: 2 in sync\n");
    free(t);
}

/* Every line of the table fits in columns when NAME and ADDRESSES can shrink that far. */
static size_t max_line_width(const char *t) {
    size_t max = 0, w = 0;
    for (const char *p = t; *p; p++) {
        if (*p == '\n') {
            max = w > max ? w : max;
            w = 0;
        } else
            w += ((unsigned char) *p & 0xc0) != 0x80;
    }
    return max;
}

static void test_narrow(void **state) {
    char *t = format(60, no_color, "…");
    /* the rows (not the detail lines, which may wrap) */
    char *row = strstr(t, "Domain   web");
    assert_non_null(row);
    char *eol = strchr(row, '\n');
    *eol = 0;
    assert_true(max_line_width(row) <= 60);
    assert_non_null(strstr(row, "…"));
    assert_non_null(strstr(row, "reload-pending"));   /* STATE never shrinks */
    assert_non_null(strstr(row, "12 s ago"));
    *eol = '\n';
    assert_non_null(strstr(t, "/etc/virt…  failed"));
    free(t);
    /* ASCII fallback of the ellipsis */
    t = format(50, no_color, "...");
    assert_non_null(strstr(t, "..."));
    assert_null(strstr(t, "…"));
    free(t);
    /* far too narrow: NAME and ADDRESSES stop at their minimum, nothing else is cut */
    t = format(10, no_color, "…");
    assert_non_null(strstr(t, "Network  lab       in-sync         10.77.0.…  3 min ago\n"));
    free(t);
}

/* A NAME already narrower than its minimum: ADDRESSES shrinks alone. */
static void test_short_names(void **state) {
    json_object *root = json_tokener_parse(
        "{\"source\": \"one-shot\", \"objects\": [{\"kind\": \"Domain\", \"name\": \"web1\","
        " \"state\": \"in-sync\", \"addresses\": [\"10.77.0.50/24\", \"fd00::50/64\"]}]}");
    StatusTableStyle s = { .columns = 50, .color = no_color, .ellipsis = "…", .now = NOW };
    char *t = status_table_format(root, &s);
    assert_string_equal(t, "KIND    NAME  STATE    ADDRESSES           CHANGED\n"
                           "Domain  web1  in-sync  10.77.0.50/24, fd…  -\n");
    assert_true(max_line_width(t) <= 50);
    free(t);
    json_object_put(root);
}

static void test_color_state_only(void **state) {
    char *t = format(0, fake_color, "…");
    assert_non_null(strstr(t, "<G>in-sync</>         10.77.0.1/24"));
    assert_non_null(strstr(t, "<Y>reload-pending</>  10.77.0.50"));
    assert_non_null(strstr(t, "<R>failed</>          -"));
    assert_non_null(strstr(t, "<Y>orphaned</>"));
    /* the header and the other cells uncoloured: 5 states, 10 escapes */
    size_t n = 0;
    for (const char *p = t; (p = strchr(p, '<')); p++)
        n += p[1] == 'R' || p[1] == 'G' || p[1] == 'Y' || p[1] == '/' || p[1] == 'B' || p[1] == 'D';
    assert_int_equal(n, 10);
    assert_true(strncmp(t, "KIND ", 5) == 0);
    free(t);
}

static void test_age(void **state) {
    char b[32];
    assert_string_equal(status_age(b, sizeof(b), 0, NOW), "-");
    assert_string_equal(status_age(b, sizeof(b), NOW, NOW), "0 s ago");
    assert_string_equal(status_age(b, sizeof(b), NOW + 5, NOW), "0 s ago");   /* clock skew */
    assert_string_equal(status_age(b, sizeof(b), NOW - 59, NOW), "59 s ago");
    assert_string_equal(status_age(b, sizeof(b), NOW - 180, NOW), "3 min ago");
    assert_string_equal(status_age(b, sizeof(b), NOW - 5 * 3600 - 10, NOW), "5 h ago");
    assert_string_equal(status_age(b, sizeof(b), NOW - 3 * 86400, NOW), "3 days ago");
}

static void test_one_shot(void **state) {
    /* one-shot: no summary (the rows are the counts), no objects: the header alone */
    json_object *root = json_tokener_parse(
        "{\"source\": \"one-shot\", \"pid\": 7, \"summary\": \"0 objects\", \"objects\": [], \"spec_errors\": []}");
    StatusTableStyle s = { .color = no_color, .ellipsis = "…", .now = NOW };
    char *t = status_table_format(root, &s);
    assert_string_equal(t, "KIND  NAME  STATE  ADDRESSES  CHANGED\n");
    free(t);
    json_object_put(root);
}

/* The daemon's writer puts the bytes expected in the file. */
static void assert_written(StatusDoc *b, StatusPack *const *texts, size_t n, const char *expected) {
    char path[] = "/tmp/test-status-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(status_doc_write_with(b, texts, n, path), 0);
    char *tf = NULL;
    size_t len = 0;
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_true(getdelim(&tf, &len, 0, f) > 0);
    fclose(f);
    unlink(path);
    assert_string_equal(expected, tf);
    free(tf);
}

/* The daemon's status file from cached per-object texts is byte for byte the document
 * status_doc_add builds (nested objects, escapes, empty arrays, no objects at all). */
static void test_object_texts_splice(void **state) {
    char *addr[] = { "10.0.0.5/24", "fd00::5/64" }, *pend[] = { "video.type" };
    Action create = { .op = ACTION_CREATE, .kind = KIND_DOMAIN, .object = "vs-2" };
    ObjectResult rs[] = {
        { .kind = KIND_DOMAIN, .name = "web \"1\"\n\x01", .file = "/s/a b.yaml", .line = 3,
          .state = SYNC_IN_SYNC, .id = 4, .addresses = addr, .n_addresses = 2 },
        { .kind = KIND_NETWORK, .name = "lab", .state = SYNC_FAILED, .id = -1, .error = "no: \"x\"" },
        { .kind = KIND_DOMAIN, .name = "old", .state = SYNC_RELOAD_PENDING, .id = -1,
          .pending = pend, .n_pending = 1 },
        /* a minimal in-sync domain: kept as the lines that differ from the reference entry */
        { .kind = KIND_DOMAIN, .name = "vs-1", .file = "/s/d1.yaml", .line = 1,
          .state = SYNC_IN_SYNC, .id = -1 },
        /* the same after the pass that created it */
        { .kind = KIND_DOMAIN, .name = "vs-2", .file = "/s/d2.yaml", .line = 1,
          .state = SYNC_IN_SYNC, .id = -1, .actions = &create, .n_actions = 1 },
    };
    StatusExtra xs[] = {
        { .last_action = "~ memory", .last_action_time = NOW, .failures = 2, .reconciling = true },
        { .spec_error = "bad", .waiting = true },
        { .orphan = true, .last_pass_time = NOW },
        { .last_action = "+ create", .last_action_time = NOW, .last_pass_time = NOW },
        { .last_action = "+ create", .last_action_time = NOW, .last_pass_time = NOW },
    };
    DiagList diags = {};
    diag_add(&diags, DIAG_ERROR, "/s/bad.yaml", 3, 1, "unknown key 'x'");
    for (size_t n = 0; n <= 5; n++) {
        StatusDoc *a = status_doc_new("daemon"), *b = status_doc_new("daemon");
        StatusPack *texts[5] = {};
        for (size_t i = 0; i < n; i++) {
            status_doc_add(a, &rs[i], &xs[i]);
            texts[i] = status_object_pack(&rs[i], &xs[i]);
        }
        /* the first is kept whole (its addresses: other lines than the references'), the
         * minimal in-sync domains as what differs from a reference */
        if (n > 0)
            assert_int_equal(status_pack_n_pieces(texts[0]), 1);
        for (size_t i = 3; i < n; i++)
            assert_true(status_pack_n_pieces(texts[i]) > 1);
        status_doc_add_diags(a, &diags);
        status_doc_add_diags(b, &diags);
        status_doc_set_counts(a, "3 specs");
        status_doc_set_counts(b, "3 specs");
        char *ta = status_doc_to_string(a), *tb = status_doc_to_string_with(b, texts, n);
        assert_string_equal(ta, tb);
        assert_written(b, texts, n, ta);
        assert_non_null(strstr(tb, n > 0 ? "\"objects\": [\n    {\n" : "\"objects\": [\n  ]"));
        free(ta);
        free(tb);
        for (size_t i = 0; i < n; i++)
            status_pack_free(texts[i]);
        status_doc_free(a);
        status_doc_free(b);
    }
    diag_list_clear(&diags);
}

/* Many objects: the daemon's writer takes the pieces a batch at a time (status-json.c,
 * PIECES_BATCH); the file is the same bytes across the batches' edges, whole entries and packed
 * ones of 1 to 6 pieces falling on them. */
static void test_object_texts_splice_many(void **state) {
    Action create = { .op = ACTION_CREATE, .kind = KIND_DOMAIN, .object = "" };
    enum { N = 700 };
    StatusDoc *a = status_doc_new("daemon"), *b = status_doc_new("daemon");
    StatusPack **texts = calloc(N, sizeof(StatusPack *));
    char name[32], file[32], when[32];
    for (size_t i = 0; i < N; i++) {
        snprintf(name, sizeof(name), "vs-%zu", i);
        snprintf(file, sizeof(file), "/s/d%zu.yaml", i);
        snprintf(when, sizeof(when), "~ memory %zu", i);
        ObjectResult r = { .kind = KIND_DOMAIN, .name = name, .file = file, .line = 1,
                           .state = SYNC_IN_SYNC, .id = i % 7 == 0 ? (int) i : -1 };
        if (i % 3 == 1)
            r.actions = &create, r.n_actions = 1;
        StatusExtra x = { .last_action = i % 5 ? when : NULL, .last_pass_time = NOW + (time_t) i };
        status_doc_add(a, &r, &x);
        texts[i] = status_object_pack(&r, &x);
    }
    char *ta = status_doc_to_string(a), *tb = status_doc_to_string_with(b, texts, N);
    assert_string_equal(ta, tb);
    assert_written(b, texts, N, ta);
    free(ta);
    free(tb);
    for (size_t i = 0; i < N; i++)
        status_pack_free(texts[i]);
    free(texts);
    status_doc_free(a);
    status_doc_free(b);
}

/* A base image downloading: STATE "fetching", the bytes, size and rate under the row (the bytes
 * and rate only when the size is unknown). */
static void test_fetching(void **state) {
    json_object *root = json_tokener_parse(
        "{\"source\": \"daemon\", \"objects\": ["
        " {\"kind\": \"Domain\", \"name\": \"a\", \"state\": \"missing\", \"reconciling\": true,"
        "  \"fetching\": {\"url\": \"http://h/a.raw\", \"done\": 4194304, \"total\": 16777216, \"rate\": 1048576}},"
        " {\"kind\": \"Domain\", \"name\": \"b\", \"state\": \"missing\","
        "  \"fetching\": {\"url\": \"http://h/b.raw\", \"done\": 3145728, \"total\": null, \"rate\": 2097152}},"
        " {\"kind\": \"Domain\", \"name\": \"c\", \"state\": \"in-sync\", \"fetching\": null}]}");
    assert_non_null(root);
    StatusTableStyle s = { .columns = 0, .color = no_color, .ellipsis = "…", .now = NOW };
    char *t = status_table_format(root, &s);
    assert_string_equal(t,
        "KIND    NAME  STATE     ADDRESSES  CHANGED\n"
        "Domain  a     fetching  -          -\n"
        "        reconciling now; fetching http://h/a.raw: 4.0 MiB of 16.0 MiB (25%), 1.0 MiB/s, ETA 00:12\n"
        "Domain  b     fetching  -          -\n"
        "        fetching http://h/b.raw: 3.0 MiB, 2.0 MiB/s\n"
        "Domain  c     in-sync   -          -\n");
    free(t);
    json_object_put(root);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_fetching),
        cmocka_unit_test(test_narrow),
        cmocka_unit_test(test_short_names),
        cmocka_unit_test(test_color_state_only),
        cmocka_unit_test(test_age),
        cmocka_unit_test(test_one_shot),
        cmocka_unit_test(test_object_texts_splice),
        cmocka_unit_test(test_object_texts_splice_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
