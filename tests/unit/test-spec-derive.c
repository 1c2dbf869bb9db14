/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "unit-test.h"

#include "spec.h"
#include "spec-internal.h"

static const char *const specs_text =
    "kind: Network\n"
    "name: lab\n"
    "ip: 10.77.0.1/24\n"
    "dhcp: {start: 10.77.0.100, end: 10.77.0.200}\n"
    "---\n"
    "kind: Domain\n"
    "name: web1\n"
    "interfaces:\n"
    "  - {ip: 10.77.0.50}\n"
    "  - {ip: 10.88.5.20, mac: \"52:54:00:88:05:20\"}\n";

static void load(SpecSet *set, const char *text) {
    assert_int_equal(spec_load_buffer(set, "t.yaml", text, strlen(text)), 0);
    spec_set_verify(set);
}

static Spec *find(const SpecSet *set, SpecKind kind, const char *name) {
    return (Spec *) spec_set_find(set, kind, name);
}

static const DhcpHostSpec *hosts(const Spec *net) {
    return net->network.dhcp.hosts.items;
}

/* The daemon keeps parsed specs across passes: the derivation must leave them as they were. */
static void test_parsed_specs_untouched(void **state) {
    SpecSet set = {};
    load(&set, specs_text);
    assert_int_equal(set.n, 2);
    Spec *net = spec_ref(find(&set, KIND_NETWORK, "lab"));
    Spec *dom = spec_ref(find(&set, KIND_DOMAIN, "web1"));

    spec_set_derive(&set);
    if (set.diags.n)
        diag_dump(&set.diags);
    assert_int_equal(set.diags.n, 0);
    assert_int_equal(set.n, 3);

    /* the parsed ones: no network on the interfaces, no hosts */
    const IfaceSpec *ifs = dom->domain.interfaces.items;
    assert_false(ifs[0].network.set);
    assert_false(ifs[1].network.set);
    assert_int_equal(net->network.dhcp.hosts.n, 0);

    /* the derived ones */
    const Spec *dn = find(&set, KIND_NETWORK, "lab"), *dd = find(&set, KIND_DOMAIN, "web1");
    assert_ptr_not_equal(dn, net);
    assert_ptr_not_equal(dd, dom);
    const IfaceSpec *dif = dd->domain.interfaces.items;
    assert_string_equal(dif[0].network.s, "lab");
    assert_string_equal(dif[1].network.s, "vs-10.88.5.0-24");
    assert_int_equal(dn->network.dhcp.hosts.n, 1);
    assert_string_equal(hosts(dn)[0].mac.s, ifs[0].mac.s);
    assert_string_equal(hosts(dn)[0].ip.s, "10.77.0.50");
    assert_string_equal(hosts(dn)[0].name.s, "web1");
    /* the derived network: NAT, gateway .1, DHCP over the rest, the reservation */
    const Spec *syn = find(&set, KIND_NETWORK, "vs-10.88.5.0-24");
    assert_non_null(syn);
    assert_string_equal(syn->file, "t.yaml");
    assert_int_equal(syn->line, 10);
    assert_string_equal(syn->network.forward.s, "nat");
    assert_string_equal(syn->network.ip.s, "10.88.5.1/24");
    assert_string_equal(syn->network.dhcp.start.s, "10.88.5.2");
    assert_string_equal(syn->network.dhcp.end.s, "10.88.5.254");
    assert_true(value_int(&syn->network.autostart));
    assert_int_equal(syn->network.dhcp.hosts.n, 1);
    assert_string_equal(hosts(syn)[0].mac.s, "52:54:00:88:05:20");
    assert_string_equal(hosts(syn)[0].ip.s, "10.88.5.20");

    /* a second pass over the same parsed specs derives the same */
    SpecSet again = { .specs = calloc(2, sizeof(Spec *)) };
    again.specs[again.n++] = spec_ref(net);
    again.specs[again.n++] = spec_ref(dom);
    spec_set_derive(&again);
    assert_int_equal(again.n, 3);
    const Spec *n2 = find(&again, KIND_NETWORK, "lab");
    assert_int_equal(n2->network.dhcp.hosts.n, 1);
    assert_string_equal(hosts(n2)[0].mac.s, hosts(dn)[0].mac.s);
    assert_non_null(find(&again, KIND_NETWORK, "vs-10.88.5.0-24"));

    spec_set_clear(&again);
    spec_set_clear(&set);
    spec_unref(net);
    spec_unref(dom);
}

/* A domain with a bad reservation takes its file out of the set (held: the daemon keeps the last
 * good version); what it would have derived does not appear; other files go on. */
static void test_error_drops_its_file_only(void **state) {
    SpecSet set = {};
    const char *good = "kind: Network\nname: lab\nip: 10.77.0.1/24\ndhcp: {}\n"
                       "---\nkind: Domain\nname: good\ninterfaces:\n  - {ip: 10.77.0.9}\n";
    const char *bad = "kind: Domain\nname: bad\ninterfaces:\n"
                      "  - {ip: 10.50.0.5}\n"
                      "  - {ip: 10.77.0.1}\n"
                      "---\nkind: Domain\nname: also-in-bad\n";
    assert_int_equal(spec_load_buffer(&set, "good.yaml", good, strlen(good)), 0);
    assert_int_equal(spec_load_buffer(&set, "bad.yaml", bad, strlen(bad)), 0);
    spec_set_verify(&set);
    spec_set_derive(&set);
    assert_int_equal(set.diags.n_errors, 1);
    assert_diag(&set.diags, 5, 10, "is the address of network 'lab' itself");
    assert_null(find(&set, KIND_DOMAIN, "bad"));
    assert_null(find(&set, KIND_DOMAIN, "also-in-bad"));
    assert_true(spec_set_is_held(&set, KIND_DOMAIN, "bad"));
    assert_true(spec_set_is_held(&set, KIND_DOMAIN, "also-in-bad"));
    assert_int_equal(set.n_bad_files, 1);
    assert_string_equal(set.bad_files[0], "bad.yaml");
    assert_null(find(&set, KIND_NETWORK, "vs-10.50.0.0-24"));
    assert_non_null(find(&set, KIND_DOMAIN, "good"));
    const Spec *net = find(&set, KIND_NETWORK, "lab");
    assert_int_equal(net->network.dhcp.hosts.n, 1);
    assert_string_equal(hosts(net)[0].ip.s, "10.77.0.9");
    spec_set_clear(&set);
}

/* An address also written as a static host with the same MAC is not added twice. */
static void test_declared_host_not_repeated(void **state) {
    SpecSet set = {};
    load(&set,
         "kind: Network\nname: lab\nip: 10.77.0.1/24\n"
         "dhcp: {hosts: [{mac: \"52:54:00:00:00:07\", ip: 10.77.0.7}]}\n"
         "---\nkind: Domain\nname: d\ninterfaces:\n  - {ip: 10.77.0.7, mac: \"52:54:00:00:00:07\"}\n");
    spec_set_derive(&set);
    assert_int_equal(set.diags.n, 0);
    const Spec *net = find(&set, KIND_NETWORK, "lab");
    assert_int_equal(net->network.dhcp.hosts.n, 1);
    const IfaceSpec *ifs = find(&set, KIND_DOMAIN, "d")->domain.interfaces.items;
    assert_string_equal(ifs[0].network.s, "lab");
    spec_set_clear(&set);
}

static void test_netmask_prefix(void **state) {
    assert_int_equal(spec_netmask_prefix("255.255.255.0"), 24);
    assert_int_equal(spec_netmask_prefix("255.255.0.0"), 16);
    assert_int_equal(spec_netmask_prefix("255.255.255.252"), 30);
    assert_int_equal(spec_netmask_prefix("24"), 24);
    assert_int_equal(spec_netmask_prefix("/8"), 8);
    assert_true(spec_netmask_prefix("255.0.255.0") < 0);     /* not contiguous */
    assert_true(spec_netmask_prefix("255.255.255.254") < 0); /* /31: no room for guests */
    assert_true(spec_netmask_prefix("7") < 0);
    assert_true(spec_netmask_prefix("24x") < 0);
    assert_true(spec_netmask_prefix("") < 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parsed_specs_untouched),
        cmocka_unit_test(test_error_drops_its_file_only),
        cmocka_unit_test(test_declared_host_not_repeated),
        cmocka_unit_test(test_netmask_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
