/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's edit prefetch (reconciler/edit-prefetch.h) on libvirt's in-process test driver:
 * what was read is taken by the pass only when no event came since it began and it is young
 * enough; unused ones are swept; those dropped while reading are freed when they end. */
#include <libvirt/libvirt.h>
#include <string.h>
#include <unistd.h>

#include "unit-test.h"
#include "edit-prefetch.h"

typedef struct Fixture {
    uv_loop_t loop;
    virConnectPtr conn;
    Engine engine;
    Prefetches ps;
    unsigned n_done;
    char last_done[32];
} Fixture;

static void on_done(void *userdata, const char *name) {
    Fixture *f = userdata;
    f->n_done++;
    snprintf(f->last_done, sizeof(f->last_done), "%s", name);
}

static int setup(void **state) {
    Fixture *f = calloc(1, sizeof(Fixture));
    uv_loop_init(&f->loop);
    f->conn = virConnectOpen("test:///default");
    assert_non_null(f->conn);
    f->engine.conn = f->conn;
    /* young enough whatever the machine's speed (a sanitizer build's first call takes long);
     * test_too_old_is_not_used sets the age it tests */
    f->ps = (Prefetches) { .loop = &f->loop, .done = on_done, .userdata = f, .max_age_ms = 60000 };
    *state = f;
    return 0;
}

static int teardown(void **state) {
    Fixture *f = *state;
    prefetch_drop_all(&f->ps);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(f->ps.n, 0);
    free(f->ps.items);
    uv_loop_close(&f->loop);
    virConnectClose(f->conn);
    free(f);
    return 0;
}

static void test_read_is_taken_with_handle_state_and_xml(void **state) {
    Fixture *f = *state;
    assert_true(prefetch_start(&f->ps, &f->engine, "test", 7));
    assert_true(prefetch_running(&f->ps, "test"));
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(f->n_done, 1);
    assert_string_equal(f->last_done, "test");
    assert_false(prefetch_running(&f->ps, "test"));
    DomainIndex *ix = prefetch_take(&f->ps, "test", 7);
    assert_non_null(ix);
    assert_int_equal(f->ps.n, 0);
    assert_true(domain_index_fresh(ix));
    Engine e = { .conn = f->conn, .index = ix };
    DomainIndexEntry *ie = index_find(&e, "test");
    assert_non_null(ie);
    assert_int_equal(ie->state, VIR_DOMAIN_RUNNING);
    assert_int_equal(ie->autostart, -1);   /* no event says when it changes: the pass asks */
    assert_string_equal(virDomainGetName(ie->dom), "test");
    xmlDoc *x = index_take_ahead(ie);
    assert_non_null(x);
    assert_string_equal((const char *) xmlDocGetRootElement(x)->name, "domain");
    xmlFreeDoc(x);
    assert_null(index_find(&e, "other"));
    domain_index_unref(ix);
}

static void test_event_since_its_start_drops_it(void **state) {
    Fixture *f = *state;
    assert_true(prefetch_start(&f->ps, &f->engine, "test", 7));
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_null(prefetch_take(&f->ps, "test", 8));   /* the domain's last event: after it began */
    assert_int_equal(f->ps.n, 0);                     /* gone: the pass reads afresh */
    assert_null(prefetch_take(&f->ps, "test", 7));
}

static void test_too_old_is_not_used(void **state) {
    Fixture *f = *state;
    f->ps.max_age_ms = 0;   /* the default, PREFETCH_MAX_AGE_MS */
    assert_true(prefetch_start(&f->ps, &f->engine, "test", 7));
    uv_run(&f->loop, UV_RUN_DEFAULT);
    usleep((PREFETCH_MAX_AGE_MS + 20) * 1000);
    uv_update_time(&f->loop);
    assert_null(prefetch_take(&f->ps, "test", 7));
    assert_int_equal(f->ps.n, 0);
}

static void test_unknown_domain_leaves_nothing(void **state) {
    Fixture *f = *state;
    assert_true(prefetch_start(&f->ps, &f->engine, "no-such-domain", 7));
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(f->n_done, 1);   /* its pass, if waiting, goes on */
    assert_int_equal(f->ps.n, 0);
    assert_null(prefetch_take(&f->ps, "no-such-domain", 7));
}

static bool wanted_none(const char *name, void *userdata) {
    return false;
}

static bool wanted_all(const char *name, void *userdata) {
    return true;
}

static void test_sweep_drops_what_no_pass_wants(void **state) {
    Fixture *f = *state;
    assert_true(prefetch_start(&f->ps, &f->engine, "test", 7));
    prefetch_sweep(&f->ps, wanted_none, NULL);   /* still reading: left to finish */
    assert_int_equal(f->ps.n, 1);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    prefetch_sweep(&f->ps, wanted_all, NULL);
    assert_int_equal(f->ps.n, 1);
    prefetch_sweep(&f->ps, wanted_none, NULL);
    assert_int_equal(f->ps.n, 0);
}

static void test_dropped_while_reading_is_freed_when_it_ends(void **state) {
    Fixture *f = *state;
    assert_true(prefetch_start(&f->ps, &f->engine, "test", 7));
    prefetch_drop_all(&f->ps);   /* the connection goes */
    assert_false(prefetch_running(&f->ps, "test"));
    assert_true(prefetch_start(&f->ps, &f->engine, "test", 9));   /* a new one may begin */
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(f->n_done, 2);
    assert_int_equal(f->ps.n, 1);
    assert_null(prefetch_take(&f->ps, "test", 10));
}

static void test_a_newer_write_replaces_a_finished_read(void **state) {
    Fixture *f = *state;
    assert_true(prefetch_start(&f->ps, &f->engine, "test", 7));
    assert_false(prefetch_start(&f->ps, &f->engine, "test", 8));   /* reading: that one will do */
    uv_run(&f->loop, UV_RUN_DEFAULT);
    /* finished and not taken (its file's spec did not change): a later write reads again */
    assert_true(prefetch_start(&f->ps, &f->engine, "test", 9));
    assert_int_equal(f->ps.n, 1);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    DomainIndex *ix = prefetch_take(&f->ps, "test", 9);   /* the newer read's (7 < 9 would be refused) */
    assert_non_null(ix);
    domain_index_unref(ix);
}

static void test_stale_reads_free_their_slots(void **state) {
    Fixture *f = *state;
    f->ps.max_age_ms = 1;
    assert_true(prefetch_start(&f->ps, &f->engine, "test", 1));
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(f->ps.n, 1);
    usleep(5000);
    const char *names[] = { "a", "b", "c", "d", "e", "f" };
    for (size_t i = 0; i < PREFETCH_MAX; i++)   /* the old read holds no slot any more */
        assert_true(prefetch_start(&f->ps, &f->engine, names[i], 1));
    assert_int_equal(f->ps.n, PREFETCH_MAX);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(f->ps.n, 0);
}

static void test_at_most_one_per_domain_and_a_few_at_once(void **state) {
    Fixture *f = *state;
    const char *names[] = { "a", "b", "c", "d", "e", "f" };
    for (size_t i = 0; i < PREFETCH_MAX; i++)
        assert_true(prefetch_start(&f->ps, &f->engine, names[i], 1));
    assert_false(prefetch_start(&f->ps, &f->engine, names[PREFETCH_MAX], 1));
    assert_false(prefetch_start(&f->ps, &f->engine, "a", 1));
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(f->n_done, PREFETCH_MAX);
    assert_int_equal(f->ps.n, 0);   /* none exists on the test driver */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_read_is_taken_with_handle_state_and_xml, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_since_its_start_drops_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_old_is_not_used, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_domain_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sweep_drops_what_no_pass_wants, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dropped_while_reading_is_freed_when_it_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_newer_write_replaces_a_finished_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_reads_free_their_slots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_at_most_one_per_domain_and_a_few_at_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
