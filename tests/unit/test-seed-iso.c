/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cloud-init.h"
#include "seed-iso.h"
#include "spec.h"

/* The NoCloud seed ISO (reconciler/seed-iso.c) and the seed's files (reconciler/cloud-init.c). */

static const SeedFile files[] = {
    { "meta-data", "instance-id: \"web1\"\nlocal-hostname: \"web1\"\n", 42 },
    { "user-data", "#cloud-config\nusers: []\n", 24 },
    { "network-config", "version: 2\nethernets: {}\n", 25 },
};

static void test_iso_deterministic(void **state) {
    unsigned char *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    assert_int_equal(seed_iso_build(files, 3, &a, &na), 0);
    assert_int_equal(seed_iso_build(files, 3, &b, &nb), 0);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);   /* no clock, no random value */
    assert_int_equal(na % 2048, 0);
    free(a);
    free(b);
}

static void test_iso_volume_id(void **state) {
    unsigned char *iso = NULL;
    size_t n = 0;
    assert_int_equal(seed_iso_build(files, 3, &iso, &n), 0);
    assert_true(n > 0x8800 + 2048);
    /* the primary volume descriptor at sector 16: type 1, "CD001", volume id at offset 40 */
    assert_int_equal(iso[0x8000], 1);
    assert_memory_equal(iso + 0x8001, "CD001", 5);
    assert_memory_equal(iso + 0x8028, "cidata ", 7);   /* as written, space-padded: blkid's LABEL */
    /* a Joliet supplementary descriptor (type 2, UCS-2 escape %/E) follows */
    bool joliet = false;
    for (size_t s = 0x8800; s + 2048 <= n && iso[s] != 255; s += 2048)
        joliet = joliet || (iso[s] == 2 && !memcmp(iso + s + 88, "%/E", 3));
    assert_true(joliet);
    /* every file's bytes are in the image, and the names as Rock Ridge NM entries */
    for (size_t i = 0; i < 3; i++)
        assert_non_null(memmem(iso, n, files[i].data, files[i].len));
    assert_non_null(memmem(iso, n, "network-config", 14));
    free(iso);
}

static void test_iso_other_content_other_bytes(void **state) {
    SeedFile f2[3];
    memcpy(f2, files, sizeof(f2));
    f2[1].data = "#cloud-config\nusers: [x]\n";
    f2[1].len = 25;
    unsigned char *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    assert_int_equal(seed_iso_build(files, 3, &a, &na), 0);
    assert_int_equal(seed_iso_build(f2, 3, &b, &nb), 0);
    assert_true(na != nb || memcmp(a, b, na) != 0);
    free(a);
    free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso_deterministic),
        cmocka_unit_test(test_iso_volume_id),
        cmocka_unit_test(test_iso_other_content_other_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
