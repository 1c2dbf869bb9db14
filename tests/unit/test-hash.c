/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <libxml/parser.h>
#include <stdio.h>

#include "unit-test.h"

#include "render.h"
#include "spec.h"

/* the values of the copies the helper replaced (main at f35973f). The canonical hash covers every
 * key of the table with its default, so a new key changes it (cloud_init: 0b9015d004d320db became
 * 2e19e39b58b2726c; firmware: 65b4435df0c7014e; snapshots: 484a639189effaf5; firmware.secure_boot,
 * enrolled_keys, reset_nvram: 4ed2bae8ed7da9b9; both: 45a306be2c04bda8; placement:
 * 1a527b2b62515481); the function itself stayed bit-identical. */
#define CANONICAL_HASH "1a527b2b62515481"
#define RENDER_HASH "78721dac932a4dab"

/* One FNV-1a helper (hash_fnv1a, specs/util.c) for every hash virtspec derives names and
 * identities from: derived MACs, the canonical spec hash, the rendered document's hash, spec
 * store keys, base volume names. These values were produced by the copies it replaced; a change
 * would rename volumes and MACs and make every domain look changed. */

static void test_vectors(void **state) {
    /* the reference vectors of FNV-1a 64 (draft-eastlake-fnv) */
    assert_true(hash_fnv1a("", 0, FNV1A_INIT) == 0xcbf29ce484222325ULL);
    assert_true(hash_fnv1a("a", 1, FNV1A_INIT) == 0xaf63dc4c8601ec8cULL);
    assert_true(hash_fnv1a("foobar", 6, FNV1A_INIT) == 0x85944171f73967e8ULL);
    /* continuing from a hash is hashing the concatenation */
    assert_true(hash_fnv1a("bar", 3, hash_fnv1a("foo", 3, FNV1A_INIT)) == 0x85944171f73967e8ULL);
}

static void test_derived_mac(void **state) {
    char mac[18];
    /* FNV-1a over "web1\0" then "0" (computed outside virtspec, in Python) */
    spec_derive_mac("web1", 0, mac);
    assert_string_equal(mac, "52:54:00:fd:5b:d0");
    spec_derive_mac("db1", 3, mac);
    assert_string_equal(mac, "52:54:00:e1:56:63");
}

static void test_canonical_hash(void **state) {
    static const char text[] = "kind: Domain\nname: c1\nmemory: 1GiB\ncpus: 2\n";
    SpecSet set = {};
    assert_int_equal(spec_load_buffer(&set, "c.yaml", text, strlen(text)), 0);
    assert_int_equal(set.n, 1);
    _cleanup_free_ char *h = spec_canonical_hash(set.specs[0]);
    spec_set_clear(&set);
    assert_string_equal(h, CANONICAL_HASH);
}

/* A model with lists (their "[n" counts) and texts of every length class: computed by the
 * snprintf-based canon_str of main at 6a75bcc; the hand-written decimal that replaced it
 * (docs/performance.md, the daemon's first pass) must hash the same bytes. */
#define CANONICAL_HASH_LISTS "3112dc977f498312"

static void test_canonical_hash_lists(void **state) {
    static const char text[] =
        "kind: Domain\nname: a-domain-name-longer-than-ten\nmemory: 1GiB\ncpus: 12\n"
        "disks:\n  - {name: root, size: 8GiB, bus: virtio, pool: vs-pool}\n"
        "  - {name: data, size: 2GiB, bus: scsi, cache: none, pool: vs-pool}\n"
        "interfaces:\n  - {network: default}\n  - {network: default}\n  - {network: default}\n";
    SpecSet set = {};
    assert_int_equal(spec_load_buffer(&set, "c.yaml", text, strlen(text)), 0);
    if (set.diags.n)
        diag_dump(&set.diags);
    assert_int_equal(set.n, 1);
    _cleanup_free_ char *h = spec_canonical_hash(set.specs[0]);
    spec_set_clear(&set);
    assert_string_equal(h, CANONICAL_HASH_LISTS);
}

static void test_render_hash(void **state) {
    static const char xml[] = "<domain type='kvm'><name>x</name><memory unit='KiB'>1024</memory></domain>";
    xmlDoc *doc = xmlReadMemory(xml, (int) strlen(xml), "x.xml", NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    _cleanup_free_ char *h = render_hash(doc);
    xmlFreeDoc(doc);
    assert_string_equal(h, RENDER_HASH);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_derived_mac),
        cmocka_unit_test(test_canonical_hash),
        cmocka_unit_test(test_canonical_hash_lists),
        cmocka_unit_test(test_render_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
