/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "unit-test.h"

#include "placement.h"
#include "spec-internal.h"
#include "util.h"

/* Placement (specs/placement.c, docs/fleet.md): Host documents, the filters, stickiness,
 * rendezvous hashing, spread, and that the answer does not depend on the order of the input. */

static void load(SpecSet *set, const char *text) {
    assert_int_equal(spec_load_buffer(set, "t.yaml", text, strlen(text)), 0);
    spec_set_verify(set);
}

static void load_ok(SpecSet *set, const char *text) {
    load(set, text);
    if (set->diags.n_errors)
        diag_dump(&set->diags);
    assert_int_equal(set->diags.n_errors, 0);
}

/* The host a spec is placed on ("" everywhere, NULL unplaceable). */
static const char *where(const PlacementSet *ps, SpecKind kind, const char *name) {
    const Placement *p = placement_find(ps, kind, name);
    assert_non_null(p);
    if (p->everywhere)
        return "";
    return p->host >= 0 ? ps->hosts[p->host]->name.s : NULL;
}

static PlaceWhy why(const PlacementSet *ps, const char *name, const char *host) {
    const Placement *p = placement_find(ps, KIND_DOMAIN, name);
    for (size_t h = 0; h < ps->n_hosts; h++)
        if (streq(ps->hosts[h]->name.s, host))
            return p->why[h];
    fail_msg("no host %s", host);
    return _PLACE_WHY_MAX;
}

static const char *const three_hosts =
    "kind: Host\n"
    "name: kvm1\n"
    "labels: {role: web, zone: a}\n"
    "---\n"
    "kind: Host\n"
    "name: kvm2\n"
    "labels: {zone: b, role: web}\n"
    "---\n"
    "kind: Host\n"
    "name: kvm3\n"
    "labels: {role: db}\n";

static char *tree(const char *hosts, const char *specs) {
    return xasprintf("%s---\n%s", hosts, specs);
}

static void test_host_document(void **state) {
    SpecSet set = {};
    load_ok(&set, "kind: Host\nname: kvm1\nlabels: {zone: a, role: web}\nuri: qemu+ssh://kvm1/system\n"
                  "capacity: {memory: 8GiB, vcpus: 16}\n");
    assert_int_equal(set.n, 0);
    assert_int_equal(set.n_hosts, 1);
    const HostSpec *h = spec_set_find_host(&set, "kvm1");
    assert_non_null(h);
    assert_int_equal(h->labels.n, 2);
    assert_string_equal(((Value *) h->labels.items)[0].s, "role=web");   /* sorted by label */
    assert_string_equal(((Value *) h->labels.items)[1].s, "zone=a");
    assert_string_equal(h->uri.s, "qemu+ssh://kvm1/system");
    assert_int_equal(value_int(&h->capacity.memory), 8LL << 30);
    assert_int_equal(value_int(&h->capacity.vcpus), 16);
    assert_true(h->maintenance.set && h->maintenance.defaulted);
    assert_int_equal(value_int(&h->maintenance), 0);
    spec_set_clear(&set);
}

static void test_host_bad_values(void **state) {
    SpecSet set = {};
    load(&set, "kind: Host\nname: kvm1\nlabels: [web]\ncapacity: {vcpus: 0}\nmaintenance: maybe\n"
               "colour: red\n");
    assert_diag(&set.diags, 3, 9, "must be a map of labels");
    assert_diag(&set.diags, 4, 19, "'vcpus' must be");
    assert_diag(&set.diags, 5, 14, "maintenance");
    assert_diag(&set.diags, 6, 1, "unknown key 'colour' in Host");
    assert_int_equal(set.n_hosts, 0);
    spec_set_clear(&set);

    load(&set, "kind: Host\nlabels: {\"a b\": x, ok: }\n");
    assert_diag(&set.diags, 1, 1, "Host needs 'name'");
    assert_diag(&set.diags, 2, 10, "label 'a b'");
    assert_diag(&set.diags, 2, 24, "label 'ok' in 'labels' needs a value");
    spec_set_clear(&set);

    load(&set, "kind: Host\nname: kvm1\n---\nkind: Host\nname: kvm1\n");
    assert_diag(&set.diags, 5, 7, "Host 'kvm1' is also defined at t.yaml:2:7");
    assert_int_equal(set.n_hosts, 1);
    spec_set_clear(&set);

    load(&set, "kind: host\nname: kvm1\n");
    assert_diag(&set.diags, 1, 7, "did you mean 'Host'?");
    spec_set_clear(&set);
}

static void test_no_hosts_unchanged(void **state) {
    SpecSet set = {};
    PlacementSet ps = {};
    DiagList d = {};
    load_ok(&set, "kind: Domain\nname: a\n---\nkind: Network\nname: n\nip: 10.9.3.1/24\n---\nkind: Pool\nname: p\n"
                  "path: /var/lib/p\n");
    assert_int_equal(placement_compute(&set, NULL, 0, &ps, &d), 0);
    assert_int_equal(d.n, 0);
    assert_string_equal(where(&ps, KIND_DOMAIN, "a"), "");
    assert_string_equal(where(&ps, KIND_NETWORK, "n"), "");
    assert_string_equal(where(&ps, KIND_POOL, "p"), "");
    assert_true(placement_on_host(&ps, placement_find(&ps, KIND_DOMAIN, "a"), "anything"));
    placement_set_clear(&ps);
    spec_set_clear(&set);
}

static void test_placement_without_hosts(void **state) {
    SpecSet set = {};
    PlacementSet ps = {};
    DiagList d = {};
    load_ok(&set, "kind: Domain\nname: a\nplacement: {host: kvm1}\n");
    assert_int_equal(placement_compute(&set, NULL, 0, &ps, &d), 1);
    assert_diag(&d, 3, 12, "has a placement, but the tree has no `kind: Host`");
    assert_null(where(&ps, KIND_DOMAIN, "a"));
    diag_list_clear(&d);
    placement_set_clear(&ps);
    spec_set_clear(&set);
}

static void test_named_host(void **state) {
    SpecSet set = {};
    PlacementSet ps = {};
    DiagList d = {};
    _cleanup_free_ char *t = tree(three_hosts,
                                  "kind: Domain\nname: a\nplacement: {host: kvm3}\n---\n"
                                  "kind: Domain\nname: b\nplacement:\n  host: kvm7\n");
    load_ok(&set, t);
    assert_int_equal(placement_compute(&set, NULL, 0, &ps, &d), 1);
    assert_string_equal(where(&ps, KIND_DOMAIN, "a"), "kvm3");
    assert_int_equal(why(&ps, "a", "kvm1"), PLACE_NOT_NAMED);
    assert_int_equal(why(&ps, "a", "kvm3"), PLACE_CHOSEN);
    assert_null(where(&ps, KIND_DOMAIN, "b"));
    assert_diag(&d, 20, 9, "names host 'kvm7', which no `kind: Host` document defines");
    diag_list_clear(&d);
    placement_set_clear(&ps);
    spec_set_clear(&set);
}

static void test_labels_and_maintenance(void **state) {
    SpecSet set = {};
    PlacementSet ps = {};
    DiagList d = {};
    _cleanup_free_ char *hosts = xasprintf("%s---\nkind: Host\nname: kvm4\nlabels: {role: db}\n"
                                           "maintenance: true\n", three_hosts);
    _cleanup_free_ char *t = tree(hosts,
                                  "kind: Domain\nname: db1\nplacement: {match: {role: db}}\n---\n"
                                  "kind: Domain\nname: w\nplacement: {match: {role: web, zone: b}}\n---\n"
                                  "kind: Domain\nname: x\nplacement: {match: {role: cache}}\n");
    load_ok(&set, t);
    assert_int_equal(placement_compute(&set, NULL, 0, &ps, &d), 1);
    assert_string_equal(where(&ps, KIND_DOMAIN, "db1"), "kvm3");
    assert_int_equal(why(&ps, "db1", "kvm1"), PLACE_LABELS);
    assert_int_equal(why(&ps, "db1", "kvm4"), PLACE_MAINTENANCE);
    assert_string_equal(where(&ps, KIND_DOMAIN, "w"), "kvm2");
    assert_int_equal(why(&ps, "w", "kvm1"), PLACE_LABELS);
    assert_null(where(&ps, KIND_DOMAIN, "x"));
    assert_diag(&d, 28, 12, "no host can take Domain 'x': kvm1: label mismatch (no role=cache); "
                            "kvm2: label mismatch (no role=cache)");
    diag_list_clear(&d);
    placement_set_clear(&ps);
    spec_set_clear(&set);
}

static void test_capacity(void **state) {
    SpecSet set = {};
    PlacementSet ps = {};
    DiagList d = {};
    /* kvm1 takes 2 GiB and 3 vCPUs; domains are counted in name order */
    load_ok(&set, "kind: Host\nname: kvm1\ncapacity: {memory: 2GiB, vcpus: 3}\n---\n"
                  "kind: Domain\nname: c\nmemory: 1GiB\nplacement: {host: kvm1}\n---\n"
                  "kind: Domain\nname: a\nmemory: 1GiB\ncpus: 2\nplacement: {host: kvm1}\n---\n"
                  "kind: Domain\nname: b\nmemory: 512MiB\ncpus: 2\nplacement: {host: kvm1}\n---\n"
                  "kind: Domain\nname: d\nmemory: 1GiB\nplacement: {host: kvm1}\n");
    assert_int_equal(placement_compute(&set, NULL, 0, &ps, &d), 2);
    assert_string_equal(where(&ps, KIND_DOMAIN, "a"), "kvm1");
    assert_null(where(&ps, KIND_DOMAIN, "b"));   /* 2 + 2 vCPUs > 3 */
    assert_int_equal(why(&ps, "b", "kvm1"), PLACE_VCPUS);
    assert_string_equal(where(&ps, KIND_DOMAIN, "c"), "kvm1");   /* 1 + 1 GiB, 2 + 1 vCPUs */
    assert_null(where(&ps, KIND_DOMAIN, "d"));
    assert_int_equal(why(&ps, "d", "kvm1"), PLACE_MEMORY);
    assert_diag(&d, 20, 12, "kvm1: capacity: vcpus (needs 2, 1 left)");
    assert_diag(&d, 25, 12, "kvm1: capacity: memory (needs 1 GiB, 0 B left)");
    diag_list_clear(&d);
    placement_set_clear(&ps);
    spec_set_clear(&set);
}

/* Many domains over five hosts, matched by nothing in particular. */
static char *many(size_t n_domains, bool spread) {
    Buf b = {};
    for (int h = 5; h >= 1; h--)
        buf_printf(&b, "kind: Host\nname: h%d\n---\n", h);
    for (size_t i = 0; i < n_domains; i++)
        buf_printf(&b, "kind: Domain\nname: vm%zu\nplacement: {match: {}%s}\n---\n", i,
                   spread ? ", spread: g" : "");
    buf_puts(&b, "kind: Network\nname: n\nip: 10.9.4.1/24\n");
    return b.p;
}

static void reverse(void *items, size_t n, size_t size) {
    char tmp[64];
    assert_true(size <= sizeof(tmp));
    for (size_t i = 0; i < n / 2; i++) {
        char *a = (char *) items + i * size, *b = (char *) items + (n - 1 - i) * size;
        memcpy(tmp, a, size);
        memcpy(a, b, size);
        memcpy(b, tmp, size);
    }
}

static void test_order_independent(void **state) {
    for (int spread = 0; spread < 2; spread++) {
        SpecSet set = {};
        PlacementSet a = {}, b = {};
        DiagList d = {};
        _cleanup_free_ char *t = many(40, spread);
        load_ok(&set, t);
        PlaceObserved obs[] = { { KIND_DOMAIN, "vm3", "h4" }, { KIND_DOMAIN, "vm7", "h1" } };
        assert_int_equal(placement_compute(&set, obs, 2, &a, &d), 0);
        reverse(set.specs, set.n, sizeof(Spec *));
        reverse(set.hosts, set.n_hosts, sizeof(HostSpec *));
        /* swap the two first specs too: not just a reversal */
        Spec *s0 = set.specs[0];
        set.specs[0] = set.specs[1];
        set.specs[1] = s0;
        reverse(obs, 2, sizeof(PlaceObserved));
        assert_int_equal(placement_compute(&set, obs, 2, &b, &d), 0);
        size_t used[5] = {};
        for (size_t i = 0; i < 40; i++) {
            char name[16];
            snprintf(name, sizeof(name), "vm%zu", i);
            const char *ha = where(&a, KIND_DOMAIN, name), *hb = where(&b, KIND_DOMAIN, name);
            assert_non_null(ha);
            assert_string_equal(ha, hb);
            used[ha[1] - '1']++;
        }
        for (size_t h = 0; h < 5; h++) {
            if (spread)
                assert_int_equal(used[h], 8);   /* 40 over 5, evenly */
            else
                assert_true(used[h] > 0);       /* hashing uses every host */
        }
        assert_string_equal(where(&a, KIND_NETWORK, "n"), "");
        placement_set_clear(&a);
        placement_set_clear(&b);
        spec_set_clear(&set);
    }
}

/* The host of ps with the highest rendezvous score for domain name. */
static size_t best_host(const PlacementSet *ps, const char *name) {
    uint64_t best = 0;
    size_t arg = 0;
    for (size_t h = 0; h < ps->n_hosts; h++) {
        uint64_t s = placement_score(KIND_DOMAIN, name, ps->hosts[h]->name.s);
        if (s > best) {
            best = s;
            arg = h;
        }
    }
    return arg;
}

/* The highest score wins: the choice is the argmax of placement_score over the candidates. */
static void test_rendezvous(void **state) {
    SpecSet set = {};
    PlacementSet ps = {};
    DiagList d = {};
    _cleanup_free_ char *t = many(30, false);
    load_ok(&set, t);
    assert_int_equal(placement_compute(&set, NULL, 0, &ps, &d), 0);
    for (size_t i = 0; i < ps.n; i++) {
        const Placement *p = &ps.items[i];
        if (p->everywhere)
            continue;
        size_t arg = best_host(&ps, p->spec->name);
        assert_int_equal(p->host, (ssize_t) arg);
        for (size_t h = 0; h < ps.n_hosts; h++)
            assert_int_equal(p->why[h], h == arg ? PLACE_CHOSEN : PLACE_RANK);
    }
    /* the score depends on the kind, the name and the host, and on nothing else */
    assert_true(placement_score(KIND_DOMAIN, "a", "h1") == placement_score(KIND_DOMAIN, "a", "h1"));
    assert_true(placement_score(KIND_DOMAIN, "a", "h1") != placement_score(KIND_NETWORK, "a", "h1"));
    assert_true(placement_score(KIND_DOMAIN, "ab", "h1") != placement_score(KIND_DOMAIN, "a", "bh1"));

    /* a host leaving moves only what it had (the rendezvous property) */
    PlacementSet after = {};
    const char *gone = ps.hosts[0]->name.s;
    HostSpec *removed = NULL;
    for (size_t h = 0; h < set.n_hosts; h++)
        if (streq(set.hosts[h]->name.s, gone)) {
            removed = set.hosts[h];
            set.hosts[h] = set.hosts[--set.n_hosts];
        }
    assert_int_equal(placement_compute(&set, NULL, 0, &after, &d), 0);
    size_t moved = 0;
    for (size_t i = 0; i < ps.n; i++) {
        const char *name = ps.items[i].spec->name;
        const char *was = where(&ps, ps.items[i].spec->kind, name);
        const char *now = where(&after, ps.items[i].spec->kind, name);
        if (streq(was, gone))
            moved++;
        else
            assert_string_equal(was, now);
        assert_string_not_equal(now, gone);
    }
    assert_true(moved > 0);
    set.hosts[set.n_hosts++] = removed;
    placement_set_clear(&after);
    placement_set_clear(&ps);
    spec_set_clear(&set);
}

static void test_sticky(void **state) {
    SpecSet set = {};
    PlacementSet free_ps = {}, ps = {};
    DiagList d = {};
    _cleanup_free_ char *t = tree(three_hosts,
                                  "kind: Domain\nname: w1\nmemory: 1GiB\nplacement: {match: {role: web}}\n");
    load_ok(&set, t);
    assert_int_equal(placement_compute(&set, NULL, 0, &free_ps, &d), 0);
    const char *hashed = where(&free_ps, KIND_DOMAIN, "w1");
    const char *other = streq(hashed, "kvm1") ? "kvm2" : "kvm1";

    /* observed on the other web host: it stays there */
    PlaceObserved obs[] = { { KIND_DOMAIN, "w1", other } };
    assert_int_equal(placement_compute(&set, obs, 1, &ps, &d), 0);
    assert_string_equal(where(&ps, KIND_DOMAIN, "w1"), other);
    assert_true(placement_find(&ps, KIND_DOMAIN, "w1")->sticky);
    assert_int_equal(why(&ps, "w1", hashed), PLACE_STICKY);
    assert_int_equal(why(&ps, "w1", "kvm3"), PLACE_LABELS);
    placement_set_clear(&ps);

    /* observed on a host it does not match, or one placement does not know: hashed */
    PlaceObserved wrong[] = { { KIND_DOMAIN, "w1", "kvm3" }, { KIND_DOMAIN, "w1", "gone" },
                              { KIND_NETWORK, "w1", other } };
    assert_int_equal(placement_compute(&set, wrong, 3, &ps, &d), 0);
    assert_string_equal(where(&ps, KIND_DOMAIN, "w1"), hashed);
    assert_false(placement_find(&ps, KIND_DOMAIN, "w1")->sticky);
    placement_set_clear(&ps);
    placement_set_clear(&free_ps);
    spec_set_clear(&set);

    /* a host in maintenance does not keep what it runs: drained to the other */
    _cleanup_free_ char *t2 = tree("kind: Host\nname: kvm1\nmaintenance: true\n---\n"
                                   "kind: Host\nname: kvm2\n",
                                   "kind: Domain\nname: w1\nplacement: {}\n");
    load_ok(&set, t2);
    PlaceObserved on1[] = { { KIND_DOMAIN, "w1", "kvm1" } };
    assert_int_equal(placement_compute(&set, on1, 1, &ps, &d), 0);
    assert_string_equal(where(&ps, KIND_DOMAIN, "w1"), "kvm2");
    placement_set_clear(&ps);
    spec_set_clear(&set);
}

/* Sticky domains are counted first: they keep their room, the others go elsewhere. */
static void test_sticky_capacity(void **state) {
    SpecSet set = {};
    PlacementSet ps = {};
    DiagList d = {};
    load_ok(&set, "kind: Host\nname: kvm1\ncapacity: {memory: 1GiB}\n---\nkind: Host\nname: kvm2\n"
                  "---\nkind: Domain\nname: a\nmemory: 1GiB\nplacement: {}\n---\n"
                  "kind: Domain\nname: z\nmemory: 1GiB\nplacement: {}\n");
    PlaceObserved obs[] = { { KIND_DOMAIN, "z", "kvm1" } };
    assert_int_equal(placement_compute(&set, obs, 1, &ps, &d), 0);
    assert_string_equal(where(&ps, KIND_DOMAIN, "z"), "kvm1");
    assert_string_equal(where(&ps, KIND_DOMAIN, "a"), "kvm2");
    assert_int_equal(why(&ps, "a", "kvm1"), PLACE_MEMORY);
    placement_set_clear(&ps);
    spec_set_clear(&set);
}

static void test_spread(void **state) {
    SpecSet set = {};
    PlacementSet ps = {};
    DiagList d = {};
    _cleanup_free_ char *t = tree(three_hosts,
                                  "kind: Domain\nname: a\nplacement: {spread: g}\n---\n"
                                  "kind: Domain\nname: b\nplacement: {spread: g}\n---\n"
                                  "kind: Domain\nname: c\nplacement: {spread: g}\n---\n"
                                  "kind: Domain\nname: d\nplacement: {spread: g}\n---\n"
                                  "kind: Domain\nname: e\nplacement: {spread: other}\n");
    load_ok(&set, t);
    assert_int_equal(placement_compute(&set, NULL, 0, &ps, &d), 0);
    const char *ha = where(&ps, KIND_DOMAIN, "a"), *hb = where(&ps, KIND_DOMAIN, "b");
    const char *hc = where(&ps, KIND_DOMAIN, "c"), *hd = where(&ps, KIND_DOMAIN, "d");
    assert_string_not_equal(ha, hb);
    assert_string_not_equal(ha, hc);
    assert_string_not_equal(hb, hc);
    /* the fourth: any host has one; among equals the highest score */
    assert_int_equal(why(&ps, "b", ha), PLACE_SPREAD);
    assert_string_equal(hd, ps.hosts[best_host(&ps, "d")]->name.s);
    /* another group does not count: e goes by its score alone */
    assert_string_equal(where(&ps, KIND_DOMAIN, "e"), ps.hosts[best_host(&ps, "e")]->name.s);
    placement_set_clear(&ps);
    spec_set_clear(&set);
}

static void test_networks_and_pools(void **state) {
    SpecSet set = {};
    PlacementSet ps = {};
    DiagList d = {};
    _cleanup_free_ char *t = tree(three_hosts,
                                  "kind: Network\nname: everywhere\nip: 10.9.5.1/24\n---\n"
                                  "kind: Network\nname: dbnet\nip: 10.9.6.1/24\nplacement: {match: {role: db}}\n---\n"
                                  "kind: Pool\nname: p\npath: /var/lib/p\nplacement: {host: kvm2}\n---\n"
                                  "kind: Domain\nname: free\n");
    load_ok(&set, t);
    assert_int_equal(placement_compute(&set, NULL, 0, &ps, &d), 0);
    assert_string_equal(where(&ps, KIND_NETWORK, "everywhere"), "");
    assert_string_equal(where(&ps, KIND_NETWORK, "dbnet"), "kvm3");
    assert_string_equal(where(&ps, KIND_POOL, "p"), "kvm2");
    const char *h = where(&ps, KIND_DOMAIN, "free");   /* a domain without placement: any host */
    assert_non_null(h);
    assert_true(strlen(h) > 0);
    assert_true(placement_on_host(&ps, placement_find(&ps, KIND_NETWORK, "everywhere"), "kvm1"));
    assert_false(placement_on_host(&ps, placement_find(&ps, KIND_NETWORK, "dbnet"), "kvm1"));
    assert_true(placement_on_host(&ps, placement_find(&ps, KIND_NETWORK, "dbnet"), "kvm3"));
    placement_set_clear(&ps);
    spec_set_clear(&set);
}

static void test_placement_bad_values(void **state) {
    SpecSet set = {};
    load(&set, "kind: Domain\nname: a\nplacement: {host: \"bad name\", match: [x], zone: a}\n");
    assert_diag(&set.diags, 3, 19, "'host'");
    assert_diag(&set.diags, 3, 38, "must be a map of labels");
    assert_diag(&set.diags, 3, 43, "unknown key 'placement.zone'");
    spec_set_clear(&set);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_document),
        cmocka_unit_test(test_host_bad_values),
        cmocka_unit_test(test_no_hosts_unchanged),
        cmocka_unit_test(test_placement_without_hosts),
        cmocka_unit_test(test_named_host),
        cmocka_unit_test(test_labels_and_maintenance),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_order_independent),
        cmocka_unit_test(test_rendezvous),
        cmocka_unit_test(test_sticky),
        cmocka_unit_test(test_sticky_capacity),
        cmocka_unit_test(test_spread),
        cmocka_unit_test(test_networks_and_pools),
        cmocka_unit_test(test_placement_bad_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
