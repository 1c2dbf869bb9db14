/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>

/* before cmocka, whose fail() macro would take engine-result.h's fail() */
#include "hostfwd.h"
#include "term.h"

#include "unit-test.h"

/* reconciler/hostfwd.c: the reader of HMP `info usernet` and the diff of port forwards, which
 * decide the hostfwd_add / hostfwd_remove commands on libvirt < 9.2. The data file is QEMU 7.2's
 * own output (Debian 12), captured through QMP human-monitor-command with two user netdevs
 * hostnet0 and hostnet1 after hostfwd_add of tcp:127.0.0.1:2222-:22 and udp::5353-:53 on
 * hostnet0 and tcp::8080-:80 on hostnet1 (CRLF line ends as QEMU writes them). */

static char *read_data(const char *name) {
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", DATA_DIR, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *buf = calloc(1, 65536);
    size_t n = fread(buf, 1, 65535, f);
    fclose(f);
    assert_true(n > 0);
    return buf;
}

static void test_parse_captured(void **state) {
    _cleanup_free_ char *text = read_data("usernet-qemu-7.2.txt");
    HostFwdList l = {};
    assert_int_equal(hostfwd_parse_usernet(text, "hostnet0", &l), 2);
    assert_string_equal(l.items[0].proto, "tcp");
    assert_string_equal(l.items[0].addr, "127.0.0.1");
    assert_int_equal(l.items[0].host, 2222);
    assert_int_equal(l.items[0].guest, 22);
    assert_string_equal(l.items[1].proto, "udp");
    assert_string_equal(l.items[1].addr, "");   /* "*": every address */
    assert_int_equal(l.items[1].host, 5353);
    assert_int_equal(l.items[1].guest, 53);
    hostfwd_list_clear(&l);
    assert_int_equal(hostfwd_parse_usernet(text, "hostnet1", &l), 1);
    assert_int_equal(l.items[0].host, 8080);
    assert_int_equal(l.items[0].guest, 80);
    hostfwd_list_clear(&l);
    /* another netdev's rules, or a name that is only a prefix of one, are none of ours */
    assert_int_equal(hostfwd_parse_usernet(text, "hostnet", &l), 0);
    assert_int_equal(hostfwd_parse_usernet(text, "hostnet2", &l), 0);
    assert_int_equal(hostfwd_parse_usernet("", "hostnet0", &l), 0);
    assert_int_equal(l.n, 0);
}

static void test_parse_refuses_garbage(void **state) {
    HostFwdList l = {};
    assert_int_equal(hostfwd_parse_usernet("Hub -1 (hostnet0):\n  TCP[HOST_FORWARD] x y\n", "hostnet0", &l),
                     -EINVAL);
    assert_int_equal(hostfwd_parse_usernet("Hub -1 (hostnet0):\n  TCP[HOST_FORWARD]  3  *  99999  10.0.2.15  22  0  0\n",
                                           "hostnet0", &l), -EINVAL);
    hostfwd_list_clear(&l);
}

static HostFwd fwd(const char *proto, const char *addr, int host, int guest) {
    HostFwd h = { .host = host, .guest = guest };
    snprintf(h.proto, sizeof(h.proto), "%s", proto);
    snprintf(h.addr, sizeof(h.addr), "%s", addr);
    return h;
}

/* the plan's steps as text, "+tcp::8080-:80 -tcp::9000" (order visible) */
static char *steps(const HostFwdList *plan) {
    char *t = xstrdup("");
    for (size_t i = 0; i < plan->n; i++) {
        _cleanup_free_ char *rule = hostfwd_rule(&plan->items[i], !plan->items[i].remove);
        char *n = xasprintf("%s%s%c%s", t, i ? " " : "", plan->items[i].remove ? '-' : '+', rule);
        free(t);
        t = n;
    }
    return t;
}

static void assert_plan(const HostFwdList *want, const HostFwdList *have, const char *expect) {
    HostFwdList plan = {};
    hostfwd_diff(want, have, &plan);
    _cleanup_free_ char *got = steps(&plan);
    assert_string_equal(got, expect);
    hostfwd_list_clear(&plan);
}

static void test_diff(void **state) {
    HostFwd w[] = { fwd("tcp", "127.0.0.1", 2222, 22), fwd("tcp", "", 8080, 80), fwd("tcp", "", 9000, 90) };
    HostFwd h[] = { fwd("tcp", "127.0.0.1", 2222, 22), fwd("udp", "", 5353, 53), fwd("tcp", "", 9000, 91) };
    HostFwdList want = { w, 3 }, have = { h, 3 };
    /* the one in force stays; 8080 is added first; 9000 → 91 goes and comes back as 9000 → 90
     * (the same socket); udp 5353 goes last */
    assert_plan(&want, &have, "+tcp::8080-:80 -tcp::9000 +tcp::9000-:90 -udp::5353");
    /* in force as declared: nothing to do (a second apply is a no-op) */
    assert_plan(&want, &want, "");
    /* an empty list removes every rule of the netdev */
    HostFwdList none = {};
    assert_plan(&none, &have, "-tcp:127.0.0.1:2222 -udp::5353 -tcp::9000");
    /* the same host port on another address or protocol is another socket: added before the
     * old one goes */
    HostFwd w2[] = { fwd("tcp", "", 2222, 22), fwd("udp", "127.0.0.1", 2222, 22) };
    HostFwdList want2 = { w2, 2 }, have2 = { h, 1 };
    assert_plan(&want2, &have2, "+tcp::2222-:22 +udp:127.0.0.1:2222-:22 -tcp:127.0.0.1:2222");
}

/* a forward moved to another host port: the new one is added before the old one is removed, so
 * that a taken new port (hostfwd_add fails) leaves the old forward in place */
static void test_diff_move_adds_first(void **state) {
    HostFwd w[] = { fwd("tcp", "127.0.0.1", 2223, 22) }, h[] = { fwd("tcp", "127.0.0.1", 2222, 22) };
    HostFwdList want = { w, 1 }, have = { h, 1 };
    assert_plan(&want, &have, "+tcp:127.0.0.1:2223-:22 -tcp:127.0.0.1:2222");
}

/* libvirt < 9.2: QEMU slirp's hostfwd is IPv4 only ("Bad host port" for tcp:::1:2222-:22), so an
 * IPv6 address is a plan error at its key; every error is reported, not only the first */
static void test_check_ipv6_address(void **state) {
    PortForwardSpec p[] = {
        { .host = { .set = true, .s = "2222" }, .address = { .set = true, .s = "::1", .line = 9, .col = 20 } },
        { .host = { .set = true, .s = "2223" }, .address = { .set = true, .s = "127.0.0.1", .line = 10 } },
        { .host = { .set = true, .s = "2224" }, .address = { .set = true, .s = "fd00::1", .line = 11, .col = 20 } },
    };
    IfaceSpec ifs[] = { { .type = { .set = true, .s = "user" }, .forward = { .items = p, .n = 3, .line = 8 } } };
    DomainSpec d = { .interfaces = { .items = ifs, .n = 1 } };
    ObjectResult r = { .id = -1, .file = xstrdup("vm.yaml") };
    assert_int_equal(hostfwd_check(&d, 9000000, &r), -EIO);
    assert_non_null(r.error);
    assert_non_null(strstr(r.error, "interfaces[0].forward[0].address: ::1 is IPv6"));
    assert_non_null(strstr(r.error, "9.2"));
    assert_non_null(strstr(r.error, "interfaces[0].forward[2].address: fd00::1"));
    assert_null(strstr(r.error, "127.0.0.1"));
    assert_int_equal(r.diags.n, 2);
    assert_int_equal(r.diags.items[0].line, 9);
    assert_int_equal(r.diags.items[1].line, 11);
    object_result_clear(&r);
    /* libvirt 9.2: passt, IPv6 is fine */
    ObjectResult ok = { .id = -1 };
    assert_int_equal(hostfwd_check(&d, 9002000, &ok), 0);
    assert_null(ok.error);
    object_result_clear(&ok);
}

static void test_spec_and_text(void **state) {
    PortForwardSpec p[] = {
        { .host = { .set = true, .s = "2222" }, .guest = { .set = true, .s = "22" },
          .proto = { .set = true, .s = "tcp" }, .address = { .set = true, .s = "127.0.0.1" } },
        { .host = { .set = true, .s = "8080" }, .proto = { .set = true, .s = "udp" } },   /* guest: the host port */
    };
    IfaceSpec f = { .forward = { .items = p, .n = 2, .line = 7 } };
    HostFwdList l = {};
    hostfwd_from_spec(&f, &l);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.items[1].guest, 8080);
    assert_string_equal(l.items[1].addr, "");
    _cleanup_free_ char *add = hostfwd_rule(&l.items[0], true), *rm = hostfwd_rule(&l.items[0], false);
    _cleanup_free_ char *any = hostfwd_rule(&l.items[1], true);
    assert_string_equal(add, "tcp:127.0.0.1:2222-:22");
    assert_string_equal(rm, "tcp:127.0.0.1:2222");
    assert_string_equal(any, "udp::8080-:8080");
    setenv("LC_ALL", "C", 1);
    term_setup();
    _cleanup_free_ char *txt = hostfwd_format(&l.items[0]), *txt2 = hostfwd_format(&l.items[1]);
    assert_string_equal(txt, "tcp 127.0.0.1:2222 -> 22");
    assert_string_equal(txt2, "udp *:8080 -> 8080");
    hostfwd_list_clear(&l);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_captured),
        cmocka_unit_test(test_parse_refuses_garbage),
        cmocka_unit_test(test_diff),
        cmocka_unit_test(test_diff_move_adds_first),
        cmocka_unit_test(test_check_ipv6_address),
        cmocka_unit_test(test_spec_and_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
