/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "firmware.h"   /* before cmocka, whose fail() macro hides engine-result.h's fail */

#include "unit-test.h"

/* firmware_pick_in over a directory of descriptors: libvirt's order (by file name), a malformed
 * descriptor (a null, a number or a map among its machine patterns) skipped, never a crash. */

#define DESC(machines, file) "{\"interface-types\": [\"uefi\"], \"mapping\": {\"device\": \"flash\", " \
    "\"executable\": {\"filename\": \"" file "\"}, \"nvram-template\": {\"filename\": \"/v.fd\"}}, " \
    "\"targets\": [{\"architecture\": \"x86_64\", \"machines\": " machines "}], \"features\": []}"

static void put(const char *dir, const char *name, const char *text) {
    _cleanup_free_ char *p = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_malformed_machines(void **state) {
    char dir[] = "/tmp/vs-fw-XXXXXX";
    assert_non_null(mkdtemp(dir));
    /* first by name: machines holding null, a number and a map before a real pattern */
    put(dir, "10-bad.json", DESC("[null, 7, {\"a\": 1}, \"pc-i440fx-*\"]", "/bad.fd"));
    put(dir, "20-good.json", DESC("[\"pc-q35-*\"]", "/good.fd"));
    const char *dirs[] = { dir };
    _cleanup_free_ char *tpl = NULL;
    _cleanup_free_ char *pick = firmware_pick_in(dirs, 1, "efi", "x86_64", "pc-q35-7.2", 0, 0, &tpl);
    assert_non_null(pick);
    assert_string_equal(pick, "/good.fd (20-good.json)");
    assert_string_equal(tpl, "/v.fd");
    /* the string pattern of the malformed one still counts */
    _cleanup_free_ char *tpl2 = NULL;
    _cleanup_free_ char *pick2 = firmware_pick_in(dirs, 1, "efi", "x86_64", "pc-i440fx-7.2", 0, 0, &tpl2);
    assert_non_null(pick2);
    assert_string_equal(pick2, "/bad.fd (10-bad.json)");
    _cleanup_free_ char *a = xasprintf("%s/10-bad.json", dir), *b = xasprintf("%s/20-good.json", dir);
    unlink(a);
    unlink(b);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_machines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
