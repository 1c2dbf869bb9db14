/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>

/* before cmocka, which has a macro fail() */
#include "engine-result.h"
#include "term.h"

#include "unit-test.h"

/* One Action per decision: action_format gives the line plan and apply print (the exact text
 * tests/golden and the integration tests grep), glyphs by the locale (term.h); callers test op. */

static ObjectResult r;

static void with_locale(const char *lc_all) {
    setenv("LC_ALL", lc_all, 1);
    term_setup();
}

static void expect(size_t i, const char *want) {
    _cleanup_free_ char *s = action_format(&r.actions[i]);
    assert_string_equal(s, want);
}

static void fill(void) {
    object_result_clear(&r);
    r = (ObjectResult) { .kind = KIND_DOMAIN, .name = xstrdup("web") };
    action_add(&r, ACTION_CREATE, NULL, NULL);                                          /* 0 */
    action_add_set(&r, "autostart", "false", "true", CHANGE_LIVE, NULL);                /* 1 */
    action_add_set(&r, "autostart", NULL, "true", CHANGE_LIVE, NULL);                   /* 2 */
    action_add_set(&r, "volume records", NULL, NULL, CHANGE_NONE, "virtspec metadata"); /* 3 */
    action_add(&r, ACTION_START, NULL, NULL);                                           /* 4 */
    action_add(&r, ACTION_SUSPEND, NULL, NULL);                                         /* 5 */
    action_add(&r, ACTION_STOP, NULL, "ACPI shutdown, forced after %d s", 60);          /* 6 */
    action_add(&r, ACTION_RELOAD, NULL, NULL);                                          /* 7 */
    action_add(&r, ACTION_LIVE_WAITS, "memory", "above the running domain's ceiling");  /* 8 */
    action_add(&r, ACTION_VOLUME_DELETE, "p/web-vdb.qcow2", "1 GiB, 200 KiB allocated");/* 9 */
    action_add(&r, ACTION_VOLUME_WAITS, "p/x", "pool p is not defined");                /* 10 */
    action_add(&r, ACTION_VOLUME_KEPT, "p/y", "virtspec did not create it for a disk"); /* 11 */
    action_add(&r, ACTION_VOLUME_UPLOAD, NULL, "cloud_init seed p/web-seed.iso");       /* 12 */
    action_add(&r, ACTION_REPORT_ONLY, NULL, NULL);                                     /* 13 */
    action_add(&r, ACTION_CREATE, NULL, "and build %s", "/srv/p");                      /* 14 */
}

static void test_format_utf8(void **state) {
    with_locale("C.UTF-8");
    fill();
    expect(0, "+ create");
    expect(1, "~ autostart: false → true (live)");
    expect(2, "~ autostart: true (live)");
    expect(3, "~ volume records (virtspec metadata)");
    expect(4, "▶ start");
    expect(5, "‖ suspend");
    expect(6, "■ stop (ACPI shutdown, forced after 60 s)");
    expect(7, "↻ reload (reload: auto)");
    expect(8, "… memory waits for a reload: above the running domain's ceiling");
    expect(9, "- volume p/web-vdb.qcow2 (delete_volumes_on_removal): 1 GiB, 200 KiB allocated");
    expect(10, "… volume p/x (delete_volumes_on_removal) waits: pool p is not defined");
    expect(11, "! volume p/y kept: virtspec did not create it for a disk");
    expect(12, "↑ upload cloud_init seed p/web-seed.iso");
    expect(13, "(drift mode report: not corrected)");
    expect(14, "+ create (and build /srv/p)");
    /* the object and the key travel with the decision */
    assert_int_equal(r.actions[1].kind, KIND_DOMAIN);
    assert_string_equal(r.actions[1].object, "web");
    assert_string_equal(r.actions[1].key, "autostart");
}

static void test_format_ascii(void **state) {
    with_locale("C");
    fill();
    expect(1, "~ autostart: false -> true (live)");
    expect(4, "> start");
    expect(5, "|| suspend");
    expect(6, "# stop (ACPI shutdown, forced after 60 s)");
    expect(7, "@ reload (reload: auto)");
    expect(8, "... memory waits for a reload: above the running domain's ceiling");
    expect(12, "^ upload cloud_init seed p/web-seed.iso");
}

static void test_network_live_waits(void **state) {
    with_locale("C.UTF-8");
    ObjectResult n = { .kind = KIND_NETWORK, .name = xstrdup("net") };
    action_add(&n, ACTION_LIVE_WAITS, "dhcp_hosts[web]", "%s", "busy");
    _cleanup_free_ char *s = action_format(&n.actions[0]);
    assert_string_equal(s, "… dhcp_hosts[web] could not change live (busy): waits for a network restart");
    object_result_clear(&n);
}

static void test_deletes_volume(void **state) {
    fill();
    /* what plan's "- disks[vdb] (…; delete_volumes_on_removal: see below)" asks */
    for (size_t i = 0; i < r.n_actions; i++)
        assert_int_equal(action_deletes_volume(&r.actions[i]), i == 9 || i == 10);
    object_result_clear(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_utf8),
        cmocka_unit_test(test_format_ascii),
        cmocka_unit_test(test_network_live_waits),
        cmocka_unit_test(test_deletes_volume),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
