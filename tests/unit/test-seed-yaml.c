/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "unit-test.h"

#include "cloud-init.h"
#include "yaml-tree.h"

/* The seed's YAML (reconciler/cloud-init.c) and export's (specs/yaml-emit.c) are libyaml's to
 * quote: each string below, put where the seed holds free text (host name, domain name, an ssh
 * key's comment, a password hash, addresses), is parsed back with libyaml and must read as
 * itself, a string. */

static const char *const nasty[] = {
    "a: b",
    "# not a comment",
    "#",
    "say \"hi\" and 'bye'",
    "'",
    "\"",
    "- dash",
    "-",
    "null",
    "Null",
    "~",
    "yes",
    "No",
    "on",
    "0x10",
    "1e3",
    "012",
    "1_000",
    ".inf",
    "2026-12-06",
    "",
    " leading and trailing ",
    "line one\nline two\n",
    "tab\there\r",
    "back\\slash",
    "{flow: map}",
    "[flow, seq]",
    "&anchor",
    "*alias",
    "!tag",
    "%YAML 1.1",
    "@at `tick`",
    "| literal",
    "> folded",
    "? key",
    "---",
    "...",
    "x\x7f",                      /* DEL */
    "nel\xc2\x85here",            /* U+0085: a YAML 1.1 line break */
    "ls\xe2\x80\xa8ps\xe2\x80\xa9", /* U+2028, U+2029: YAML 1.1 line breaks */
    "c1\xc2\x80\xc2\x9f",         /* U+0080, U+009F: C1 controls no reader accepts raw */
    "bom\xef\xbb\xbfin",          /* U+FEFF inside */
    "caf\xc3\xa9 \xe2\x9c\x93",   /* plain UTF-8 text stays as it is */
};

/* How a YAML 1.1 reader (cloud-init's PyYAML) resolves a plain scalar: a string unless it is
 * one of the null, boolean, number or date forms. */
static bool plain_reads_as_string(const char *s) {
    static const char *const words[] = { "", "~", "null", "y", "n", "yes", "no", "true", "false",
                                         "on", "off" };
    for (size_t i = 0; i < ELEMENTSOF(words); i++)
        if (strcasecmp(s, words[i]) == 0)
            return false;
    const char *p = s + (*s == '-' || *s == '+');
    if ((*p >= '0' && *p <= '9') || *p == '.')
        return p[strspn(p, "0123456789abcdefABCDEFxXoObB_.:+-")] != 0 && strpbrk(p, " \t") == NULL;
    return true;
}

static void assert_string_node(const YNode *n, const char *want) {
    assert_non_null(n);
    assert_int_equal(n->type, YNODE_SCALAR);
    if (!streq(n->value, want))
        fprintf(stderr, "read back '%s', wrote '%s'\n", n->value, want);
    assert_string_equal(n->value, want);
    if (!n->quoted && !plain_reads_as_string(n->value))
        fprintf(stderr, "'%s' is written plain: a YAML reader takes it for no string\n", want);
    assert_true(n->quoted || plain_reads_as_string(n->value));
}

/* The one document of text, parsed with libyaml (virtspec's loader): no diagnostic. */
static YNode *parse_one(const char *file, const char *text) {
    YNode **docs = NULL;
    DiagList diags = {};
    assert_non_null(text);
    size_t n = yaml_parse_documents(file, text, strlen(text), &docs, &diags);
    if (diags.n > 0 || n != 1) {
        fprintf(stderr, "%s does not parse back:\n%s\n", file, text);
        diag_list_print(&diags, stderr);
    }
    assert_int_equal(diags.n, 0);
    assert_int_equal(n, 1);
    diag_list_clear(&diags);
    YNode *d = docs[0];
    free(docs);
    return d;
}

static const YNode *item(const YNode *seq, size_t i) {
    assert_non_null(seq);
    assert_int_equal(seq->type, YNODE_SEQ);
    assert_true(i < seq->n);
    return seq->items[i];
}

static const YNode *get(const YNode *map, const char *key) {
    assert_non_null(map);
    const YNode *v = ynode_map_get(map, key);
    if (!v)
        fprintf(stderr, "no key %s\n", key);
    assert_non_null(v);
    return v;
}

static const char spec_text[] =
    "kind: Domain\n"
    "name: seed1\n"
    "interfaces:\n"
    "  - {network: default, ip: 192.168.122.10}\n"
    "cloud_init:\n"
    "  hostname: seed1\n"
    "  network: auto\n"
    "  users:\n"
    "    - name: admin\n"
    "      sudo: true\n";

static void set_text(char **field, const char *s) {
    free(*field);
    *field = xstrdup(s);
}

/* A seed whose every free-text place holds s. */
static int render_with(Spec *spec, const char *s, Seed *ret, char **ret_error) {
    DomainSpec *d = &spec->domain;
    set_text(&d->cloud_init.hostname.s, s);
    set_text(&d->name.s, s);
    SeedInput in = {};
    in.n_users = 1;
    in.users = xmalloc0(sizeof(SeedUser));
    in.users[0].n_keys = 2;
    in.users[0].keys = xmalloc0(2 * sizeof(char *));
    in.users[0].keys[0] = xasprintf("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBkQ2M7n5V0fXg4d %s", s);
    in.users[0].keys[1] = xstrdup(s);
    in.users[0].password_hash = xstrdup(s);
    in.n_ifaces = 1;
    in.ifaces = xmalloc0(sizeof(SeedIface));
    in.ifaces[0].mac = xstrdup(s);
    in.ifaces[0].address = xstrdup(s);
    in.ifaces[0].gateway = xstrdup(s);
    in.ifaces[0].dns = xstrdup(s);
    int r = cloud_init_render(d, &in, ret, ret_error);
    seed_input_clear(&in);
    return r;
}

static void test_seed_round_trip(void **state) {
    Spec *spec = unit_load_one("seed1.yaml", spec_text);
    for (size_t i = 0; i < ELEMENTSOF(nasty); i++) {
        const char *s = nasty[i];
        Seed seed = {};
        _cleanup_free_ char *err = NULL;
        int r = render_with(spec, s, &seed, &err);
        if (r < 0)
            fprintf(stderr, "'%s': %s\n", s, err);
        assert_int_equal(r, 0);

        YNode *md = parse_one("meta-data", seed.meta_data);
        assert_int_equal(md->n, 2);
        assert_string_node(get(md, "instance-id"), s);
        assert_string_node(get(md, "local-hostname"), s);
        ynode_free(md);

        assert_true(strncmp(seed.user_data, "#cloud-config\n", 14) == 0);
        YNode *ud = parse_one("user-data", seed.user_data);
        assert_int_equal(ud->n, 1);   /* users: alone, the domain's name stayed in its comment */
        const YNode *users = get(ud, "users");
        assert_int_equal(users->n, 2);
        assert_string_node(item(users, 0), "default");
        const YNode *u = item(users, 1);
        assert_string_node(get(u, "name"), "admin");
        assert_string_node(get(u, "passwd"), s);
        assert_string_equal(get(u, "lock_passwd")->value, "false");
        assert_false(get(u, "lock_passwd")->quoted);
        _cleanup_free_ char *key = xasprintf("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBkQ2M7n5V0fXg4d %s", s);
        assert_string_node(item(get(u, "ssh_authorized_keys"), 0), key);
        assert_string_node(item(get(u, "ssh_authorized_keys"), 1), s);
        ynode_free(ud);

        YNode *nc = parse_one("network-config", seed.network_config);
        assert_string_equal(get(nc, "version")->value, "2");
        assert_false(get(nc, "version")->quoted);
        const YNode *e = get(get(nc, "ethernets"), "eth0");
        assert_string_node(get(get(e, "match"), "macaddress"), s);
        assert_string_node(get(e, "set-name"), "eth0");
        assert_string_node(item(get(e, "addresses"), 0), s);
        assert_string_node(get(e, "gateway4"), s);
        assert_string_node(item(get(get(e, "nameservers"), "addresses"), 0), s);
        ynode_free(nc);
        seed_clear(&seed);
    }
    spec_unref(spec);
}

/* A key file's line that is no UTF-8 text is refused, not written into a document no reader
 * takes. */
static void test_seed_not_utf8(void **state) {
    Spec *spec = unit_load_one("seed1.yaml", spec_text);
    Seed seed = {};
    _cleanup_free_ char *err = NULL;
    assert_int_equal(render_with(spec, "latin1 caf\xe9", &seed, &err), -EINVAL);
    assert_non_null(err);
    assert_non_null(strstr(err, "not UTF-8 text"));
    assert_null(seed.user_data);
    assert_null(seed.meta_data);
    spec_unref(spec);
}

/* export's strings (ynode_new_string): plain only where every reader reads the string back. */
static void test_emit_strings(void **state) {
    for (size_t i = 0; i < ELEMENTSOF(nasty); i++) {
        YNode *doc = ynode_new_map(false);
        ynode_map_put(doc, "k", ynode_new_string(nasty[i]));
        YNode *seq = ynode_map_put(doc, "s", ynode_new_seq(false));
        ynode_seq_push(seq, ynode_new_string(nasty[i]));
        _cleanup_free_ char *text = yaml_emit_document(doc, true);
        ynode_free(doc);
        YNode *back = parse_one("export", text);
        assert_string_node(get(back, "k"), nasty[i]);
        assert_string_node(item(get(back, "s"), 0), nasty[i]);
        ynode_free(back);
    }
    /* the common words stay plain */
    const char *const plain[] = { "web1", "512MiB", "q35", "/var/lib/x.qcow2", "1web",
                                  /* no number nor date for PyYAML or a YAML 1.2 reader */
                                  "10.0.2.100", "5000c50015ea71ae", "1.2.3" };
    for (size_t i = 0; i < ELEMENTSOF(plain); i++) {
        YNode *n = ynode_new_string(plain[i]);
        if (n->quoted)
            fprintf(stderr, "'%s' is quoted\n", plain[i]);
        assert_false(n->quoted);
        ynode_free(n);
    }
    /* numbers and dates for PyYAML (python3 -c 'import yaml; yaml.safe_load(…)') or YAML 1.2's
     * core schema (1e3, 0o17) */
    const char *const numbers[] = { "3", "012", "0o17", "0b101", "0x1f", "1_000", "1.5", "1.",
                                    "1e3", "1.0e+3", "2026-12-06" };
    for (size_t i = 0; i < ELEMENTSOF(numbers); i++) {
        YNode *n = ynode_new_string(numbers[i]);
        if (!n->quoted)
            fprintf(stderr, "'%s' is plain\n", numbers[i]);
        assert_true(n->quoted);
        ynode_free(n);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_round_trip),
        cmocka_unit_test(test_seed_not_utf8),
        cmocka_unit_test(test_emit_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
