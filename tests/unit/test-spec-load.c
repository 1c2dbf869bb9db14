/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit-test.h"

#include "spec.h"
#include "spec-origin.h"
#include "spec-table.h"
#include "util.h"

static void load(SpecSet *set, const char *file, const char *text) {
    assert_int_equal(spec_load_buffer(set, file, text, strlen(text)), 0);
}

static void test_valid_spec(void **state) {
    SpecSet set = {};
    load(&set, "web.yaml",
         "kind: Domain\n"
         "name: web1\n"
         "memory: 1GiB\n"
         "cpus: 2\n"
         "x-owner: team-a\n"
         "disks:\n"
         "  - {name: root, size: 8}\n"
         "  - {name: data, bus: scsi}\n"
         "interfaces:\n"
         "  - {network: default}\n"
         "---\n"
         "kind: Network\n"
         "name: net1\n"
         "ip: 10.1.2.1/24\n"
         "---\n"
         "kind: Pool\n"
         "name: pool1\n"
         "path: /srv/pool\n");
    if (set.diags.n)
        diag_dump(&set.diags);
    assert_int_equal(set.diags.n, 0);
    assert_int_equal(set.n, 3);
    assert_int_equal(set.n_files, 1);
    assert_int_equal(set.n_bad_files, 0);

    const Spec *s = spec_set_find(&set, KIND_DOMAIN, "web1");
    assert_non_null(s);
    assert_string_equal(s->file, "web.yaml");
    assert_int_equal(s->line, 1);
    const DomainSpec *d = &s->domain;
    assert_int_equal(value_int(&d->memory), 1024LL * 1024 * 1024);
    assert_false(d->memory.defaulted);
    assert_int_equal(d->memory.line, 3);
    assert_int_equal(d->memory.col, 9);
    assert_int_equal(value_int(&d->cpus), 2);
    /* defaults from the table */
    assert_true(d->state.defaulted);
    assert_string_equal(d->state.s, "running");
    assert_string_equal(d->graphics.type.s, "vnc");          /* graphics is KEY_ALWAYS */
    assert_true(d->graphics.present.set);
    assert_null(d->tpm);                                      /* tpm only when written (boxed) */
    /* lists, with derived device names */
    assert_int_equal(d->disks.n, 2);
    const DiskSpec *disks = d->disks.items;
    assert_int_equal(value_int(&disks[0].size), 8LL * 1024 * 1024 * 1024);   /* plain number: GiB */
    assert_string_equal(disks[0].dev.s, "vda");
    assert_string_equal(disks[0].pool.s, "default");
    assert_string_equal(disks[1].dev.s, "sda");
    assert_int_equal(d->interfaces.n, 1);

    s = spec_set_find(&set, KIND_NETWORK, "net1");
    assert_non_null(s);
    assert_int_equal(s->line, 12);
    assert_string_equal(s->network.ip.s, "10.1.2.1/24");
    assert_string_equal(s->network.forward.s, "nat");
    assert_null(spec_set_find(&set, KIND_DOMAIN, "net1"));

    s = spec_set_find(&set, KIND_POOL, "pool1");
    assert_non_null(s);
    assert_string_equal(s->pool.mode.s, "0755");
    spec_set_clear(&set);
    assert_int_equal(set.n, 0);
}

static void test_unknown_key_suggestion(void **state) {
    SpecSet set = {};
    load(&set, "a.yaml", "kind: Domain\nname: web1\nmemroy: 1GiB\ngraphics: {tpye: vnc}\nfoo: 1\n");
    assert_int_equal(set.diags.n_errors, 3);
    assert_diag(&set.diags, 3, 1, "unknown key 'memroy', did you mean 'memory'?");
    assert_diag(&set.diags, 4, 12, "unknown key 'graphics.tpye', did you mean 'type'?");
    assert_diag(&set.diags, 5, 1, "unknown key 'foo' in Domain");
    assert_string_equal(set.diags.items[0].file, "a.yaml");
    assert_int_equal(set.n, 0);
    spec_set_clear(&set);
}

static void test_all_problems_reported(void **state) {
    SpecSet set = {};
    load(&set, "b.yaml",
         "kind: Domain\n"
         "name: -bad\n"
         "memory: lots\n"
         "cpus: 0\n"
         "state: sleeping\n"
         "disks:\n"
         "  - {name: root, bus: floppy}\n"
         "  - {size: 1GiB}\n");
    diag_list_sort(&set.diags);
    assert_int_equal(set.diags.n_errors, 6);
    assert_diag(&set.diags, 2, 7, "'name' must be 1 to 64 characters");
    assert_diag(&set.diags, 3, 9, "'memory' must be a size such as 512MiB");
    assert_diag(&set.diags, 4, 7, "'cpus' must be between 1 and 4096, got 0");
    assert_diag(&set.diags, 5, 8,
                "'state' must be one of running, shutoff, paused; got 'sleeping'");
    assert_diag(&set.diags, 7, 23, "(in 'disks[0].bus')");
    assert_diag(&set.diags, 8, 5, "'disks[1]' needs 'name'");
    /* sorted by position */
    for (size_t i = 1; i < set.diags.n; i++)
        assert_true(set.diags.items[i - 1].line <= set.diags.items[i].line);
    assert_int_equal(set.n, 0);
    spec_set_clear(&set);
}

static void test_cross_field_problems_all_reported(void **state) {
    SpecSet set = {};
    load(&set, "c.yaml",
         "kind: Domain\n"
         "name: web1\n"
         "memory: 2GiB\n"
         "max_memory: 1GiB\n"
         "cputopology: {sockets: 2, cores: 2, threads: 1}\n"
         "tpm: {type: passthrough}\n");
    assert_int_equal(set.diags.n_errors, 3);
    assert_diag(&set.diags, 4, 13, "max_memory (1 GiB) is below memory (2 GiB)");
    assert_diag(&set.diags, 5, 14, "cputopology gives 4 CPUs");
    assert_diag(&set.diags, 6, 13, "tpm type passthrough needs tpm.path");
    spec_set_clear(&set);
}

static void test_bad_document_drops_file(void **state) {
    SpecSet set = {};
    load(&set, "good.yaml", "kind: Pool\nname: p1\npath: /srv/p1\n");
    load(&set, "mixed.yaml",
         "kind: Pool\nname: p2\npath: /srv/p2\n"
         "---\n"
         "kind: Pool\nname: p3\npath: relative/dir\n");
    assert_int_equal(set.diags.n_errors, 1);
    assert_diag(&set.diags, 7, 7, "'path' must be an absolute path, got 'relative/dir'");
    /* p2 was valid, but its file has an error: the file contributes nothing */
    assert_int_equal(set.n, 1);
    assert_string_equal(set.specs[0]->name, "p1");
    assert_null(spec_set_find(&set, KIND_POOL, "p2"));
    assert_int_equal(set.n_files, 2);
    assert_int_equal(set.n_bad_files, 1);
    assert_string_equal(set.bad_files[0], "mixed.yaml");
    spec_set_clear(&set);
}

static void test_document_shape_errors(void **state) {
    SpecSet set = {};
    load(&set, "k.yaml",
         "kind: domain\nname: a\n---\nname: b\n---\n- a\n---\nkind: Volume\nname: c\n");
    assert_int_equal(set.diags.n_errors, 4);
    assert_diag(&set.diags, 1, 7, "unknown kind 'domain', did you mean 'Domain'?");
    assert_diag(&set.diags, 4, 1, "document has no 'kind'");
    assert_diag(&set.diags, 6, 1, "a spec document must be a map");
    assert_diag(&set.diags, 8, 7, "unknown kind 'Volume' (Domain, Network or Pool)");
    spec_set_clear(&set);

    load(&set, "empty.yaml", "# nothing here\n---\n");
    assert_int_equal(set.diags.n_errors, 1);
    assert_diag(&set.diags, 0, 0, "file holds no spec document");
    spec_set_clear(&set);

    static const char nul[] = "kind: Pool\0\n";
    assert_int_equal(spec_load_buffer(&set, "nul.yaml", nul, sizeof(nul) - 1), 0);
    assert_int_equal(set.diags.n_errors, 1);
    assert_diag(&set.diags, 1, 11, "a NUL byte (byte 11 of the file)");
    assert_int_equal(set.n_bad_files, 1);
    spec_set_clear(&set);
}

static void test_duplicate_names_across_buffers(void **state) {
    SpecSet set = {};
    load(&set, "one.yaml", "kind: Domain\nname: web1\n");
    load(&set, "two.yaml", "# same name, other file\n---\nkind: Domain\nname: web1\n---\n"
                           "kind: Network\nname: web1\nip: 10.9.2.1/24\n");
    assert_int_equal(set.diags.n, 0);
    assert_int_equal(set.n, 3);
    spec_set_verify(&set);
    assert_int_equal(set.diags.n_errors, 2);
    assert_diag(&set.diags, 3, 1, "Domain 'web1' is also defined at one.yaml:1:1");
    assert_diag(&set.diags, 1, 1, "Domain 'web1' is also defined at two.yaml:3:1");
    int a = diag_find(&set.diags, 1, 1, "Domain");
    int b = diag_find(&set.diags, 3, 1, "Domain");
    assert_string_equal(set.diags.items[a].file, "one.yaml");
    assert_string_equal(set.diags.items[b].file, "two.yaml");
    /* neither file is used, not even two.yaml's network of the same name (another kind, no
     * conflict): a file with an error contributes nothing… */
    assert_int_equal(set.n, 0);
    assert_int_equal(set.n_bad_files, 2);
    /* …but its objects are held: the daemon keeps their last good version, not orphans */
    assert_int_equal(set.n_held, 2);
    assert_true(spec_set_is_held(&set, KIND_DOMAIN, "web1"));
    assert_true(spec_set_is_held(&set, KIND_NETWORK, "web1"));
    spec_set_clear(&set);
}

static void test_mac_derivation_stable(void **state) {
    char a[18], b[18], c[18], d[18];
    spec_derive_mac("web1", 0, a);
    spec_derive_mac("web1", 0, b);
    spec_derive_mac("web1", 1, c);
    spec_derive_mac("web2", 0, d);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_string_not_equal(a, d);
    assert_int_equal(strncmp(a, "52:54:00:", 9), 0);
    assert_int_equal(strlen(a), 17);
    /* the values themselves are part of the interface: existing guests keep their MACs */
    assert_string_equal(a, "52:54:00:fd:5b:d0");
    assert_string_equal(c, "52:54:00:fd:5d:83");

    /* the loader uses it for interfaces without a mac, and keeps explicit ones */
    SpecSet set = {};
    load(&set, "m.yaml", "kind: Domain\nname: web1\ninterfaces:\n"
                         "  - {network: default}\n"
                         "  - {network: default}\n"
                         "  - {network: default, mac: \"52:54:00:AA:BB:CC\"}\n");
    assert_int_equal(set.diags.n, 0);
    const IfaceSpec *ifs = set.specs[0]->domain.interfaces.items;
    assert_string_equal(ifs[0].mac.s, a);
    assert_string_equal(ifs[1].mac.s, c);
    assert_string_equal(ifs[2].mac.s, "52:54:00:aa:bb:cc");
    assert_true(ifs[0].mac.defaulted);
    assert_false(ifs[2].mac.defaulted);
    spec_set_clear(&set);
}

static void count_file(const char *file, void *userdata) {
    (*(size_t *) userdata)++;
}

/* An empty directory, and one holding only an empty directory: no file, no problem (under UBSan
 * this once stopped the daemon: qsort was given the NULL name list of an empty directory). */
static void test_walk_empty_directory(void **state) {
    char dir[] = "/tmp/virtspec-unit-XXXXXX";
    assert_non_null(mkdtemp(dir));
    _cleanup_free_ char *sub = xasprintf("%s/empty", dir);
    DiagList diags = {};
    size_t n = 0;
    assert_int_equal(spec_walk(dir, count_file, &n, &diags), 0);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(spec_walk(dir, count_file, &n, &diags), 0);
    assert_int_equal(n, 0);
    assert_int_equal(diags.n, 0);
    rmdir(sub);
    rmdir(dir);
}

/* dir/dNNN.yaml, opened for writing */
static FILE *open_numbered(const char *dir, int i) {
    _cleanup_free_ char *p = xasprintf("%s/d%03d.yaml", dir, i);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    return f;
}

/* Removes dir/d000.yaml … and dir, and stops relaxing the trust checks. */
static void remove_numbered(const char *dir, int n) {
    for (int i = 0; i < n; i++) {
        _cleanup_free_ char *p = xasprintf("%s/d%03d.yaml", dir, i);
        unlink(p);
    }
    rmdir(dir);
    spec_trust_relaxed = false;
}

/* A tree large enough to be loaded in slices by several threads gives what a sequential load
 * gives: every file in walk order, the specs in file order, a bad file and two files naming the
 * same domain rejected with their diagnostics. */
static void test_large_tree_loads_in_order(void **state) {
    char dir[] = "/tmp/virtspec-unit-XXXXXX";
    assert_non_null(mkdtemp(dir));
    spec_trust_relaxed = true;
    for (int i = 0; i < 300; i++) {
        FILE *f = open_numbered(dir, i);
        if (i == 150)
            fprintf(f, "kind: Domain\nname: vm%03d\nmemory: lots\n", i);
        else
            fprintf(f, "kind: Domain\nname: vm%03d\nmemory: 64MiB\n", i == 200 ? 10 : i);
        assert_int_equal(fclose(f), 0);
    }
    SpecSet set = {};
    char *paths[] = { dir };
    assert_int_equal(spec_load_paths(&set, paths, 1), 0);
    assert_int_equal(set.n_files, 300);
    for (size_t i = 0; i < set.n_files; i++) {
        _cleanup_free_ char *want = xasprintf("%s/d%03zu.yaml", dir, i);
        assert_string_equal(set.files[i], want);
    }
    assert_int_equal(set.n, 297);   /* all but d150 (bad) and d010 + d200 (the same name) */
    int prev = -1;
    for (size_t i = 0; i < set.n; i++) {
        int k = atoi(set.specs[i]->name + 2);
        assert_true(k > prev);
        assert_true(k != 10 && k != 150 && k != 200);
        prev = k;
    }
    assert_int_equal(set.n_bad_files, 3);
    assert_int_equal(set.diags.n_errors, 3);
    assert_true(diag_find(&set.diags, 3, 9, "must be a size") >= 0);
    assert_true(diag_find(&set.diags, 1, 1, "is also defined at") >= 0);
    spec_set_clear(&set);
    remove_numbered(dir, 300);
}

/* Templates across files, loaded in slices by several threads: every user gets the template's
 * value; an error in a value a template gave refuses the user's file (counted there, shown at
 * the template's line), not the template's file nor a good spec beside the template. */
static void test_templates_across_files(void **state) {
    char dir[] = "/tmp/virtspec-unit-XXXXXX";
    assert_non_null(mkdtemp(dir));
    spec_trust_relaxed = true;
    for (int i = 0; i < 160; i++) {
        FILE *f = open_numbered(dir, i);
        if (i == 0)
            fputs("kind: Template\nname: small\nmax_cpus: 2\nmemory: 96MiB\n---\n"
                  "kind: Domain\nname: beside\nfrom: [small]\n", f);
        else
            fprintf(f, "kind: Domain\nname: vm%03d\nfrom: small\ncpus: %d\n", i, i == 100 ? 4 : 1);
        assert_int_equal(fclose(f), 0);
    }
    SpecSet set = {};
    char *paths[] = { dir };
    assert_int_equal(spec_load_paths(&set, paths, 1), 0);
    assert_int_equal(set.n, 159);   /* all but vm100 */
    for (size_t i = 0; i < set.n; i++)
        assert_int_equal(value_int(&set.specs[i]->domain.memory), 96 << 20);
    assert_string_equal(set.specs[0]->name, "beside");
    assert_int_equal(set.n_bad_files, 1);
    _cleanup_free_ char *bad = xasprintf("%s/d100.yaml", dir), *tmpl = xasprintf("%s/d000.yaml", dir);
    assert_string_equal(set.bad_files[0], bad);
    assert_int_equal(set.diags.n_errors, 1);
    const char *file;
    unsigned line;
    _cleanup_free_ char *msg = diag_shown(&set.diags.items[0], &file, &line);
    assert_string_equal(file, tmpl);
    assert_int_equal(line, 3);
    assert_non_null(strstr(msg, "max_cpus (2) is below cpus (4) (in template small, used by vm100 at "));
    spec_set_clear(&set);
    remove_numbered(dir, 160);
}

/* Where a template's values came from is interned once per template line, not per line and user:
 * a daemon loading the tree again after each edit that moves the template's lines grows by the
 * template's lines, not by its lines times its users. And each user's problem still names it. */
static void test_template_origins_per_line_not_per_user(void **state) {
    (void) state;
    for (int shift = 0; shift < 3; shift++) {
        Buf b = {};
        for (int i = 0; i < shift; i++)
            buf_printf(&b, "# moved down by %d\n", shift);
        buf_printf(&b, "kind: Template\nname: t\nmemory: 1GiB\nmax_cpus: 1\nautostart: true\n");
        for (int i = 0; i < 200; i++)
            buf_printf(&b, "---\nkind: Domain\nname: d%d\ncpus: %d\nfrom: [t]\n", i, i < 2 ? 2 : 1);
        size_t before = spec_origin_count();
        SpecSet set = {};
        load(&set, "tree.yaml", b.p);
        size_t grown = spec_origin_count() - before;
        /* memory, max_cpus and autostart: one origin each (key and value share their line) */
        assert_true(grown <= 3);
        if (shift == 0)
            assert_true(grown > 0);
        /* d0 and d1 ask for 2 cpus, above the template's max_cpus: each error names its user */
        assert_int_equal(set.diags.n_errors, 2);
        for (size_t i = 0; i < 2; i++) {
            const char *file;
            unsigned line;
            _cleanup_free_ char *msg = diag_shown(&set.diags.items[i], &file, &line);
            _cleanup_free_ char *want = xasprintf("(in template t, used by d%zu at tree.yaml:%zu:8)", i,
                                                 (size_t) shift + 5 + 5 * i + 5);
            assert_non_null(strstr(msg, want));
            assert_int_equal(line, shift + 4);
        }
        spec_set_clear(&set);
        free(b.p);
    }
}

/* The index finds what spec_set_find finds: every spec by kind and name, nothing for a name
 * of another kind or none, the first of two of one name. */
static void test_spec_index_finds_as_the_walk(void **state) {
    SpecSet set = {};
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    for (int i = 199; i >= 0; i--)   /* not in name order; ≤ 256 documents in a file */
        fprintf(f, "kind: Domain\nname: d%03d\nmemory: 64MiB\n---\n", i * 7 % 200);
    fprintf(f, "kind: Network\nname: d007\nip: 10.9.0.1/24\n");
    fclose(f);
    load(&set, "many.yaml", text);
    if (set.diags.n)
        diag_dump(&set.diags);
    assert_int_equal(set.diags.n_errors, 0);
    assert_int_equal(set.n, 201);
    SpecIndex ix;
    spec_index_build(&ix, &set);
    assert_int_equal(ix.n, 201);
    for (size_t i = 0; i < set.n; i++)
        assert_ptr_equal(spec_index_find(&ix, set.specs[i]->kind, set.specs[i]->name),
                         spec_set_find(&set, set.specs[i]->kind, set.specs[i]->name));
    assert_ptr_equal(spec_index_find(&ix, KIND_NETWORK, "d007"), spec_set_find(&set, KIND_NETWORK, "d007"));
    assert_int_equal(spec_index_find(&ix, KIND_NETWORK, "d007")->kind, KIND_NETWORK);
    assert_null(spec_index_find(&ix, KIND_NETWORK, "d008"));
    assert_null(spec_index_find(&ix, KIND_POOL, "d007"));
    assert_null(spec_index_find(&ix, KIND_DOMAIN, "d200"));
    assert_null(spec_index_find(&ix, KIND_DOMAIN, ""));
    spec_index_clear(&ix);

    /* two of one kind and name (a set before spec_set_verify): the first in the set */
    Spec *two[] = { set.specs[5], set.specs[9] };
    char *saved = two[1]->name;
    two[1]->name = two[0]->name;
    SpecSet pair = { .specs = two, .n = 2 };
    spec_index_build(&ix, &pair);
    assert_ptr_equal(spec_index_find(&ix, KIND_DOMAIN, two[0]->name), two[0]);
    Spec *swapped[] = { two[1], two[0] };
    pair.specs = swapped;
    spec_index_clear(&ix);
    spec_index_build(&ix, &pair);
    assert_ptr_equal(spec_index_find(&ix, KIND_DOMAIN, two[0]->name), two[1]);
    spec_index_clear(&ix);
    two[1]->name = saved;
    spec_set_clear(&set);
}

/* A boxed section (KEY_BOXED: sysinfo, clock, …) costs a pointer until a document writes it: a
 * spec without it holds NULL and reads the zeroed block; one with it owns a section that a copy duplicates. */
static void test_boxed_section_only_when_written(void **state) {
    SpecSet set = {};
    load(&set, "box.yaml",
         "kind: Domain\nname: plain\nmemory: 64MiB\n"
         "---\n"
         "kind: Domain\nname: smbios\nmemory: 64MiB\n"
         "sysinfo: {bios: {vendor: ACME, date: 01/02/2024}, oem_strings: [a, b]}\n");
    if (set.diags.n)
        diag_dump(&set.diags);
    assert_int_equal(set.diags.n, 0);
    assert_int_equal(set.n, 2);
    const DomainSpec *plain = &set.specs[0]->domain, *with = &set.specs[1]->domain;
    assert_null(plain->sysinfo);
    const void *boxes[] = { plain->clock, plain->cputune, plain->numatune, plain->memorybacking,
                            plain->memtune, plain->firmware, plain->smartcard, plain->launch_security,
                            plain->cputopology, plain->cpu, plain->sound, plain->tpm, plain->rng,
                            plain->watchdog, plain->memballoon, plain->usb_controller,
                            plain->snapshots };
    for (size_t i = 0; i < ELEMENTSOF(boxes); i++)
        assert_null(boxes[i]);
    assert_false(spec_box(plain, sysinfo)->present.set);
    assert_false(spec_box(plain, sysinfo)->bios.vendor.set);
    assert_non_null(with->sysinfo);
    assert_true(with->sysinfo->present.set);
    assert_string_equal(with->sysinfo->bios.vendor.s, "ACME");
    assert_int_equal(with->sysinfo->oem_strings.n, 2);

    Spec *c = spec_copy(set.specs[1]), *p = spec_copy(set.specs[0]);
    assert_null(p->domain.sysinfo);
    assert_non_null(c->domain.sysinfo);
    assert_ptr_not_equal(c->domain.sysinfo, with->sysinfo);
    assert_string_equal(c->domain.sysinfo->bios.date.s, "01/02/2024");
    _cleanup_free_ char *h1 = spec_canonical_hash(set.specs[1]), *h2 = spec_canonical_hash(c);
    assert_string_equal(h1, h2);
    spec_unref(c);
    spec_unref(p);
    spec_set_clear(&set);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_templates_across_files),
        cmocka_unit_test(test_valid_spec),
        cmocka_unit_test(test_unknown_key_suggestion),
        cmocka_unit_test(test_all_problems_reported),
        cmocka_unit_test(test_cross_field_problems_all_reported),
        cmocka_unit_test(test_bad_document_drops_file),
        cmocka_unit_test(test_document_shape_errors),
        cmocka_unit_test(test_duplicate_names_across_buffers),
        cmocka_unit_test(test_mac_derivation_stable),
        cmocka_unit_test(test_walk_empty_directory),
        cmocka_unit_test(test_large_tree_loads_in_order),
        cmocka_unit_test(test_template_origins_per_line_not_per_user),
        cmocka_unit_test(test_spec_index_finds_as_the_walk),
        cmocka_unit_test(test_boxed_section_only_when_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
