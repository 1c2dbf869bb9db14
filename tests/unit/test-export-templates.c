/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "unit-test.h"

#include "export-templates.h"
#include "yaml-tree.h"

/* export --templates: what moves into the template, what stays, and that expanding the template
 * into each spec (maps merged key by key, the spec's own keys last, anything else replaced) gives
 * every document back as it was. */

typedef struct Docs {
    YNode **docs;
    size_t n;
    YNode **orig;   /* a second parse of the same text: what expansion must give back */
    DiagList diags;
} Docs;

/* The loader's trees carry no style: below the top, flow style, so that expected texts are short. */
static void flow_below(YNode *n) {
    for (size_t i = 0; i < n->n; i++) {
        n->items[i]->flow = true;
        flow_below(n->items[i]);
    }
}

static void docs_parse(Docs *d, const char *text) {
    *d = (Docs) {};
    d->n = yaml_parse_documents("t.yaml", text, strlen(text), &d->docs, &d->diags);
    size_t n2 = yaml_parse_documents("t.yaml", text, strlen(text), &d->orig, &d->diags);
    assert_int_equal(d->diags.n, 0);
    assert_int_equal(n2, d->n);
    for (size_t j = 0; j < d->n; j++)
        flow_below(d->docs[j]);
}

static void docs_clear(Docs *d) {
    ynode_free_many(d->docs, d->n);
    ynode_free_many(d->orig, d->n);
    diag_list_clear(&d->diags);
}

static char *emit(const YNode *n) {
    char *s = yaml_emit_document(n, false);
    assert_non_null(s);
    return s;
}

/* Order-insensitive for maps (a merged map keeps the template's order), exact otherwise. */
static bool same(const YNode *a, const YNode *b) {
    if (!a || !b || a->type != b->type || a->n != b->n)
        return false;
    if (a->type == YNODE_SCALAR)
        return a->quoted == b->quoted && streq(a->value, b->value);
    for (size_t i = 0; i < a->n; i++)
        if (!same(a->items[i], a->type == YNODE_MAP ? ynode_map_get(b, a->keys[i]) : b->items[i]))
            return false;
    return true;
}

static YNode *copy(const YNode *n) {
    YNode *c = n->type == YNODE_MAP ? ynode_new_map(n->flow)
               : n->type == YNODE_SEQ ? ynode_new_seq(n->flow)
                                      : ynode_new_plain(n->value);
    c->quoted = n->quoted;
    for (size_t i = 0; i < n->n; i++) {
        if (n->type == YNODE_MAP)
            ynode_map_put(c, n->keys[i], copy(n->items[i]));
        else
            ynode_seq_push(c, copy(n->items[i]));
    }
    return c;
}

/* into ← over, maps merged key by key (over wins), anything else replaced. */
static void merge(YNode *into, const YNode *over, bool top) {
    for (size_t i = 0; i < over->n; i++) {
        const char *k = over->keys[i];
        if (top && (streq(k, "kind") || streq(k, "from")))
            continue;
        size_t j = 0;
        while (j < into->n && !streq(into->keys[j], k))
            j++;
        if (j < into->n && into->items[j]->type == YNODE_MAP && over->items[i]->type == YNODE_MAP) {
            merge(into->items[j], over->items[i], false);
            continue;
        }
        if (j < into->n) {
            ynode_free(into->items[j]);
            into->items[j] = copy(over->items[i]);
        } else
            ynode_map_put(into, k, copy(over->items[i]));
    }
}

/* The spec with the template expanded into it, as the loader would see it. */
static YNode *expand(const YNode *t, const YNode *spec) {
    YNode *e = ynode_new_map(false);
    ynode_map_put(e, "kind", copy(ynode_map_get(spec, "kind")));
    merge(e, t, true);
    merge(e, spec, true);
    return e;
}

static void assert_expands_back(const Docs *d, const YNode *t) {
    for (size_t j = 0; j < d->n; j++) {
        YNode *e = expand(t, d->docs[j]);
        if (!same(e, d->orig[j])) {
            char *a = emit(e), *b = emit(d->orig[j]);
            fprintf(stderr, "expanded:\n%s\noriginal:\n%s\n", a, b);
            free(a);
            free(b);
        }
        assert_true(same(e, d->orig[j]));
        ynode_free(e);
    }
}

/* One of three domains: i (1…3) sets the name, uuid, mac and the values that differ. */
static char *three_one(int i) {
    static const char *const names[] = { "web1", "web2", "db1" };
    return xasprintf("kind: Domain\n"
                     "name: %s\n"
                     "adopt: true\n"
                     "uuid: %d%d%d%d%d%d%d%d-1111-1111-1111-111111111111\n"
                     "title: first\n"
                     "memory: %s\n"
                     "cpus: 2\n"
                     "features: [acpi, apic]\n"
                     "graphics: {type: vnc, listen: %s}\n"
                     "cpu: {mode: custom, model: qemu64, topology: {sockets: 1, cores: %d}}\n"
                     "sysinfo: {system: {uuid: %d%d%d%d%d%d%d%d-1111-1111-1111-111111111111, "
                     "manufacturer: ACME}}\n"
                     "disks:\n"
                     "  - {name: root, pool: p, size: 1GiB}\n"
                     "interfaces:\n"
                     "  - {network: net, mac: \"52:54:00:00:00:0%d\"}\n"
                     "state: %s\n",
                     names[i - 1], i, i, i, i, i, i, i, i, i == 1 ? "512MiB" : "1GiB",
                     i == 1 ? "127.0.0.1" : "0.0.0.0", i == 1 ? 2 : 4, i, i, i, i, i, i, i, i, i,
                     i == 3 ? "shutoff" : "running");
}

/* Shared keys, map sub-keys at any depth, whole lists; identity stays. */
static void test_factor_three(void **state) {
    (void) state;
    Docs d;
    _cleanup_free_ char *one = three_one(1), *two = three_one(2), *three = three_one(3);
    _cleanup_free_ char *text = xasprintf("%s---\n%s---\n%s", one, two, three);
    docs_parse(&d, text);
    YNode *t = export_templates_factor(d.docs, d.n, "base");
    assert_non_null(t);
    char *tt = emit(t);
    assert_string_equal(tt,
                        "kind: Template\n"
                        "name: base\n"
                        "cpus: 2\n"
                        "features: [acpi, apic]\n"
                        "graphics: {type: vnc}\n"
                        "cpu: {mode: custom, model: qemu64, topology: {sockets: 1}}\n"
                        "sysinfo: {system: {manufacturer: ACME}}\n");
    char *w1 = emit(d.docs[0]);
    /* the same title, adopt and disks in all three: identity, never in a template */
    assert_string_equal(w1,
                        "kind: Domain\n"
                        "name: web1\n"
                        "from: [base]\n"
                        "adopt: true\n"
                        "uuid: 11111111-1111-1111-1111-111111111111\n"
                        "title: first\n"
                        "memory: 512MiB\n"
                        "graphics: {listen: 127.0.0.1}\n"
                        "cpu: {topology: {cores: 2}}\n"
                        "sysinfo: {system: {uuid: 11111111-1111-1111-1111-111111111111}}\n"
                        "disks: [{name: root, pool: p, size: 1GiB}]\n"
                        "interfaces: [{network: net, mac: \"52:54:00:00:00:01\"}]\n"
                        "state: running\n");
    char *d1 = emit(d.docs[2]);
    assert_non_null(strstr(d1, "name: db1\nfrom: [base]\n"));
    assert_non_null(strstr(d1, "state: shutoff\n"));
    assert_expands_back(&d, t);
    free(tt);
    free(w1);
    free(d1);
    ynode_free(t);
    docs_clear(&d);
}

/* A key one domain lacks stays where it is (the template would add it there); a map equal in all
 * moves whole; a map all of whose keys move leaves the spec. */
static void test_missing_and_whole(void **state) {
    (void) state;
    Docs d;
    docs_parse(&d,
               "kind: Domain\nname: a\nmemory: 1GiB\nvideo: {model: vga}\n"
               "cputopology: {sockets: 1, cores: 2}\nboot: [hd]\n"
               "---\n"
               "kind: Domain\nname: b\nmemory: 1GiB\nvideo: {model: vga}\n"
               "cputopology: {sockets: 1, cores: 2}\nboot: [network, hd]\nmachine: q35\n"
               "---\n"
               "kind: Domain\nname: c\nvideo: {model: vga}\n"
               "cputopology: {sockets: 1, cores: 2}\nboot: [hd]\n");
    YNode *t = export_templates_factor(d.docs, d.n, "t");
    assert_non_null(t);
    char *tt = emit(t), *a = emit(d.docs[0]), *b = emit(d.docs[1]);
    assert_string_equal(tt, "kind: Template\nname: t\nvideo: {model: vga}\n"
                            "cputopology: {sockets: 1, cores: 2}\n");
    assert_string_equal(a, "kind: Domain\nname: a\nfrom: [t]\nmemory: 1GiB\nboot: [hd]\n");
    assert_string_equal(b, "kind: Domain\nname: b\nfrom: [t]\nmemory: 1GiB\nboot: [network, hd]\n"
                           "machine: q35\n");
    assert_expands_back(&d, t);
    free(tt);
    free(a);
    free(b);
    ynode_free(t);
    docs_clear(&d);
}

/* Two domains (text): key moved goes into the template, key kept stays in both specs. */
static void check_moves(const char *text, const char *moved, const char *kept) {
    Docs d;
    docs_parse(&d, text);
    YNode *t = export_templates_factor(d.docs, d.n, "t");
    assert_non_null(t);
    assert_non_null(ynode_map_get(t, moved));
    assert_null(ynode_map_get(t, kept));
    assert_non_null(ynode_map_get(d.docs[0], kept));
    assert_non_null(ynode_map_get(d.docs[1], kept));
    assert_expands_back(&d, t);
    ynode_free(t);
    docs_clear(&d);
}

/* A quoted "true" is not the boolean true: not the same value. */
static void test_quoting_is_value(void **state) {
    (void) state;
    check_moves("kind: Domain\nname: a\ndescription: \"true\"\ncpus: 1\n"
                "---\nkind: Domain\nname: b\ndescription: true\ncpus: 1\n", "cpus", "description");
}

/* Nothing to factor: one domain, or domains that share only identity. Documents unchanged. */
static void test_nothing_shared(void **state) {
    (void) state;
    Docs d;
    docs_parse(&d, "kind: Domain\nname: a\nmemory: 1GiB\n");
    assert_null(export_templates_factor(d.docs, d.n, "t"));
    assert_null(ynode_map_get(d.docs[0], "from"));
    docs_clear(&d);
    docs_parse(&d, "kind: Domain\nname: a\ntitle: x\nmemory: 1GiB\n"
                   "disks: [{name: root, path: /i/a.img}]\n"
                   "---\nkind: Domain\nname: b\ntitle: x\nmemory: 2GiB\n"
                   "disks: [{name: root, path: /i/a.img}]\n");
    assert_null(export_templates_factor(d.docs, d.n, "t"));
    for (size_t j = 0; j < d.n; j++) {
        assert_null(ynode_map_get(d.docs[j], "from"));
        assert_true(same(d.docs[j], d.orig[j]));
    }
    docs_clear(&d);
}

/* The key table's KEY_NO_TEMPLATE rows stay, even equal in every domain and deep in a list (a
 * NIC's ip: a template may not hold it); the list around it stays whole. */
static void test_no_template_rows(void **state) {
    (void) state;
    check_moves("kind: Domain\nname: a\ncpus: 1\ninterfaces: [{network: n, ip: 10.0.0.5}]\n"
                "---\nkind: Domain\nname: b\ncpus: 1\ninterfaces: [{network: n, ip: 10.0.0.5}]\n",
                "cpus", "interfaces");
}

/* The print path: the template first, then every document in order, networks untouched. */
static void test_print(void **state) {
    (void) state;
    Docs d;
    docs_parse(&d, "kind: Network\nname: n\nip: 10.0.0.1/24\n"
                   "---\nkind: Domain\nname: a\ncpus: 1\nmemory: 1GiB\n"
                   "---\nkind: Domain\nname: b\ncpus: 1\nmemory: 2GiB\n");
    ExportTemplates et = {};
    for (size_t j = 0; j < d.n; j++)
        export_templates_add(&et, j > 0, TAKE_PTR(d.docs[j]), j == 2 ? xstrdup("# note\n") : NULL);
    export_templates_note(&et, "# password\n");
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_int_equal(export_templates_print(&et, "small", f), 0);
    fclose(f);
    assert_string_equal(out, "kind: Template\nname: small\ncpus: 1\n"
                             "---\nkind: Network\nname: n\nip: 10.0.0.1/24\n"
                             "---\nkind: Domain\nname: a\nfrom: [small]\nmemory: 1GiB\n"
                             "---\nkind: Domain\nname: b\nfrom: [small]\nmemory: 2GiB\n# note\n# password\n");
    free(out);
    f = open_memstream(&out, &len);
    assert_int_equal(export_templates_print(&et, "-bad", f), -EINVAL);
    fclose(f);
    free(out);
    export_templates_clear(&et);
    docs_clear(&d);
}

/* Two groups (web1…3, db-1…3) sharing different values, and what all six share: a base template,
 * one per group building on it, and each domain only what is its own; expanding base, group and
 * spec gives every domain back. A name without a number, and a lone stem, stay on the base. */
static void test_groups(void **state) {
    (void) state;
    Docs d;
    docs_parse(&d, "kind: Domain\nname: web1\ncpus: 2\nmemory: 1GiB\ngraphics: {type: vnc, listen: 0.0.0.0}\n"
                   "---\nkind: Domain\nname: web2\ncpus: 2\nmemory: 1GiB\ngraphics: {type: vnc, listen: 0.0.0.0}\n"
                   "---\nkind: Domain\nname: web3\ncpus: 2\nmemory: 2GiB\ngraphics: {type: vnc, listen: 0.0.0.0}\n"
                   "---\nkind: Domain\nname: db-1\ncpus: 2\nmemory: 4GiB\ngraphics: {type: vnc, listen: 127.0.0.1}\n"
                   "---\nkind: Domain\nname: db-2\ncpus: 2\nmemory: 4GiB\ngraphics: {type: vnc, listen: 127.0.0.1}\n"
                   "---\nkind: Domain\nname: db-3\ncpus: 2\nmemory: 4GiB\ngraphics: {type: vnc, listen: 127.0.0.1}\n"
                   "---\nkind: Domain\nname: mail\ncpus: 2\nmemory: 4GiB\ngraphics: {type: vnc, listen: 127.0.0.1}\n"
                   "---\nkind: Domain\nname: ci7\ncpus: 2\nmemory: 1GiB\ngraphics: {type: vnc, listen: 0.0.0.0}\n");
    ExportTemplates et = {};
    for (size_t j = 0; j < d.n; j++)
        export_templates_add(&et, true, TAKE_PTR(d.docs[j]), NULL);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_int_equal(export_templates_print(&et, "base", f), 0);
    fclose(f);
    assert_string_equal(out,
        "kind: Template\nname: base\ncpus: 2\ngraphics: {type: vnc}\n"
        "---\nkind: Template\nname: base-web\nfrom: [base]\ngraphics: {listen: 0.0.0.0}\n"
        "---\nkind: Template\nname: base-db\nfrom: [base]\nmemory: 4GiB\ngraphics: {listen: 127.0.0.1}\n"
        "---\nkind: Domain\nname: web1\nfrom: [base-web]\nmemory: 1GiB\n"
        "---\nkind: Domain\nname: web2\nfrom: [base-web]\nmemory: 1GiB\n"
        "---\nkind: Domain\nname: web3\nfrom: [base-web]\nmemory: 2GiB\n"
        "---\nkind: Domain\nname: db-1\nfrom: [base-db]\n"
        "---\nkind: Domain\nname: db-2\nfrom: [base-db]\n"
        "---\nkind: Domain\nname: db-3\nfrom: [base-db]\n"
        "---\nkind: Domain\nname: mail\nfrom: [base]\nmemory: 4GiB\ngraphics: {listen: 127.0.0.1}\n"
        "---\nkind: Domain\nname: ci7\nfrom: [base]\nmemory: 1GiB\ngraphics: {listen: 0.0.0.0}\n");
    free(out);
    export_templates_clear(&et);
    docs_clear(&d);

    /* the same through the pure functions: base, then the group's template, then the spec */
    docs_parse(&d, "kind: Domain\nname: web1\ncpus: 2\nmemory: 1GiB\ngraphics: {type: vnc, listen: 0.0.0.0}\n"
                   "---\nkind: Domain\nname: web2\ncpus: 2\nmemory: 2GiB\ngraphics: {type: vnc, listen: 0.0.0.0}\n"
                   "---\nkind: Domain\nname: db1\ncpus: 2\nmemory: 4GiB\ngraphics: {type: vnc, listen: 127.0.0.1}\n"
                   "---\nkind: Domain\nname: db2\ncpus: 2\nmemory: 4GiB\ngraphics: {type: vnc, listen: 127.0.0.1}\n");
    YNode *base = export_templates_factor(d.docs, d.n, "b");
    assert_non_null(base);
    YNode **g = NULL;
    assert_int_equal(export_templates_groups(d.docs, d.n, "b", "b", &g), 2);
    for (size_t j = 0; j < d.n; j++) {
        YNode *e = ynode_new_map(false);
        ynode_map_put(e, "kind", copy(ynode_map_get(d.docs[j], "kind")));
        merge(e, base, true);                /* base, then the group's template… */
        merge(e, g[j / 2], true);
        merge(e, d.docs[j], true);           /* …then the spec's own keys */
        if (!same(e, d.orig[j])) {
            char *a = emit(e), *b = emit(d.orig[j]);
            fprintf(stderr, "expanded:\n%s\noriginal:\n%s\n", a, b);
            free(a);
            free(b);
        }
        assert_true(same(e, d.orig[j]));
        ynode_free(e);
    }
    ynode_free_many(g, 2);
    ynode_free(base);
    docs_clear(&d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_factor_three),
        cmocka_unit_test(test_missing_and_whole),
        cmocka_unit_test(test_quoting_is_value),
        cmocka_unit_test(test_nothing_shared),
        cmocka_unit_test(test_no_template_rows),
        cmocka_unit_test(test_print),
        cmocka_unit_test(test_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
