/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "unit-test.h"

#include "spec.h"

/* The daemon's change detection: the canonical model's hash of the document `kind: Domain`,
 * `name: c1` plus extra lines. */
static char *hash_of(const char *extra) {
    _cleanup_free_ char *text = xasprintf("kind: Domain\nname: c1\n%s", extra);
    SpecSet set = {};
    assert_int_equal(spec_load_buffer(&set, "c.yaml", text, strlen(text)), 0);
    if (set.diags.n)
        diag_dump(&set.diags);
    assert_int_equal(set.n, 1);
    char *h = spec_canonical_hash(set.specs[0]);
    spec_set_clear(&set);
    return h;
}

static void assert_differs(const char *a, const char *b) {
    _cleanup_free_ char *ha = hash_of(a), *hb = hash_of(b);
    if (streq(ha, hb))
        fail_msg("'%s' and '%s' hash the same (%s)", a, b, ha);
}

static void assert_same(const char *a, const char *b) {
    _cleanup_free_ char *ha = hash_of(a), *hb = hash_of(b);
    if (!streq(ha, hb))
        fail_msg("'%s' and '%s' hash differently (%s, %s)", a, b, ha, hb);
}

/* keys that render no XML: their effect is an API call or a policy of virtspec */
static void test_keys_without_xml(void **state) {
    assert_differs("autostart: false\n", "autostart: true\n");
    assert_differs("", "delete_volumes_on_removal: true\n");
    assert_differs("", "adopt: true\n");
    assert_differs("suspend_mode: pause\n", "suspend_mode: managedsave\n");
    assert_differs("state: running\n", "state: shutoff\n");
    assert_differs("shutdown_timeout: 5\n", "shutdown_timeout: 6\n");
    assert_differs("reload: manual\n", "reload: auto\n");
}

static void test_rendered_keys(void **state) {
    assert_differs("memory: 64MiB\n", "memory: 96MiB\n");
    assert_differs("disks: [{name: a, size: 1GiB}]\n", "disks: [{name: a, size: 2GiB}]\n");
    assert_differs("disks: [{name: a}, {name: b}]\n", "disks: [{name: b}, {name: a}]\n");
    assert_differs("boot: [hd, network]\n", "boot: [network, hd]\n");
    assert_differs("graphics: {type: vnc, passwd: one}\n", "graphics: {type: vnc, passwd: two}\n");
}

/* the same content written otherwise: canonical values, positions left out */
static void test_same_model(void **state) {
    assert_same("memory: 64MiB\n", "\n# a comment\nmemory:    65536KiB\n");
    assert_same("autostart: true\n", "autostart: yes\n");
    assert_same("", "state: running\n");   /* the default, written out */
}

/* only a hash comes out: a short password is not readable from it */
static void test_no_secret_in_output(void **state) {
    _cleanup_free_ char *h = hash_of("graphics: {type: vnc, passwd: sekrit}\n");
    assert_null(strstr(h, "sekrit"));
    assert_int_equal(strlen(h), 16);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_without_xml),
        cmocka_unit_test(test_rendered_keys),
        cmocka_unit_test(test_same_model),
        cmocka_unit_test(test_no_secret_in_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
