/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt's client event loop, virtspec's own (reconciler/virt-loop.c), driven the way libvirt's
 * client drives it: through the public virEvent* calls, which go to the registered loop. A watch
 * is called for what it asked, never while disabled (not even for a hang-up), and told a hang-up
 * it did not ask for; a removed watch's or timer's free callback runs on the loop's thread, not
 * inside the removal; a timer fires at its interval, not when disabled, at once when set to 0.
 * And what makes it cheap (docs/performance.md, row 7b): a watch turned off and on around each of
 * hundreds of calls, and a timer moved later after each reply, wake the loop's thread a few
 * times, not once a call. */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "unit-test.h"

#include "util.h"

#include "virt-conn.h"
#include "virt-loop.h"

static atomic_int calls, last_events, freed, ticks;
static atomic_ulong freed_by;   /* pthread_self() of the thread that ran the free callback */
static int rfd = -1, wfd = -1;

/* Waits up to 3 s (valgrind is slow) for *v to reach at least want. */
static bool wait_at_least(atomic_int *v, int want) {
    uint64_t end = monotonic_ms() + 3000;
    while (atomic_load(v) < want && monotonic_ms() < end)
        usleep(1000);
    return atomic_load(v) >= want;
}

static void on_readable(int watch, int fd, int events, void *opaque) {
    char b;
    if (events & VIR_EVENT_HANDLE_READABLE)
        (void) !read(fd, &b, 1);
    if (events & VIR_EVENT_HANDLE_HANGUP)
        virEventUpdateHandle(watch, 0);   /* as libvirt's client does: no spin on a dead socket */
    atomic_store(&last_events, events);
    atomic_fetch_add(&calls, 1);
}

static void on_free(void *opaque) {
    atomic_store(&freed_by, (unsigned long) pthread_self());
    atomic_fetch_add(&freed, 1);
}

static int setup(void **state) {
    assert_int_equal(virt_loop_start(), 0);
    int p[2];
    assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
    rfd = p[0];
    wfd = p[1];
    atomic_store(&calls, 0);
    atomic_store(&last_events, 0);
    atomic_store(&freed, 0);
    atomic_store(&ticks, 0);
    return 0;
}

static int teardown(void **state) {
    close(rfd);
    if (wfd >= 0)
        close(wfd);
    return 0;
}

static void test_watch_is_called_when_readable(void **state) {
    int w = virEventAddHandle(rfd, VIR_EVENT_HANDLE_READABLE, on_readable, NULL, on_free);
    assert_true(w >= 0);
    usleep(50 * 1000);
    assert_int_equal(atomic_load(&calls), 0);   /* nothing to read: not called */
    assert_int_equal(write(wfd, "x", 1), 1);
    assert_true(wait_at_least(&calls, 1));
    assert_int_equal(atomic_load(&last_events), VIR_EVENT_HANDLE_READABLE);
    assert_int_equal(write(wfd, "y", 1), 1);   /* and again, the watch still on */
    assert_true(wait_at_least(&calls, 2));
    assert_int_equal(virEventRemoveHandle(w), 0);
    assert_true(wait_at_least(&freed, 1));
}

static void test_disabled_watch_is_not_called(void **state) {
    int w = virEventAddHandle(rfd, VIR_EVENT_HANDLE_READABLE, on_readable, NULL, NULL);
    assert_true(w >= 0);
    usleep(50 * 1000);   /* the loop polls it by now */
    virEventUpdateHandle(w, 0);
    assert_int_equal(write(wfd, "x", 1), 1);
    usleep(200 * 1000);
    assert_int_equal(atomic_load(&calls), 0);
    virEventUpdateHandle(w, VIR_EVENT_HANDLE_READABLE);
    assert_true(wait_at_least(&calls, 1));
    assert_int_equal(virEventRemoveHandle(w), 0);
    assert_int_equal(virEventRemoveHandle(w), -1);   /* gone: a second removal fails */
}

static void test_hangup_is_told_unasked(void **state) {
    int w = virEventAddHandle(rfd, VIR_EVENT_HANDLE_READABLE, on_readable, NULL, NULL);
    close(wfd);
    wfd = -1;
    assert_true(wait_at_least(&calls, 1));
    assert_true(atomic_load(&last_events) & VIR_EVENT_HANDLE_HANGUP);
    usleep(100 * 1000);
    assert_int_equal(atomic_load(&calls), 1);   /* disabled by its callback: not called again */
    virEventRemoveHandle(w);
}

/* A watch turned off while the loop polls it: its fd is still in that poll, which a hang-up
 * wakes; the watch is not told (libvirt's client reads that socket itself meanwhile). Turned on
 * again, it is. */
static void test_disabled_watch_is_not_told_a_hangup(void **state) {
    int w = virEventAddHandle(rfd, VIR_EVENT_HANDLE_READABLE, on_readable, NULL, NULL);
    usleep(100 * 1000);   /* settled: rfd is in the loop's poll */
    virEventUpdateHandle(w, 0);
    close(wfd);
    wfd = -1;
    usleep(200 * 1000);
    assert_int_equal(atomic_load(&calls), 0);
    virEventUpdateHandle(w, VIR_EVENT_HANDLE_READABLE);
    assert_true(wait_at_least(&calls, 1));
    assert_true(atomic_load(&last_events) & VIR_EVENT_HANDLE_HANGUP);
    virEventRemoveHandle(w);
}

static void test_free_callback_runs_on_the_loop(void **state) {
    int w = virEventAddHandle(rfd, VIR_EVENT_HANDLE_READABLE, on_readable, NULL, on_free);
    int t = virEventAddTimeout(-1, NULL, NULL, on_free);
    assert_true(w >= 0 && t >= 0);
    assert_int_equal(virEventRemoveHandle(w), 0);
    assert_int_equal(virEventRemoveTimeout(t), 0);
    assert_true(wait_at_least(&freed, 2));
    assert_true(atomic_load(&freed_by) != (unsigned long) pthread_self());
    assert_int_equal(virEventRemoveTimeout(t), -1);
}

static void on_timer(int timer, void *opaque) {
    atomic_fetch_add(&ticks, 1);
}

static void test_timer_interval_disable_and_now(void **state) {
    uint64_t t0 = monotonic_ms();
    int t = virEventAddTimeout(30, on_timer, NULL, on_free);
    assert_true(t >= 0);
    assert_true(wait_at_least(&ticks, 3));
    assert_true(monotonic_ms() - t0 >= 3 * 30 - 5);   /* not sooner than its interval */
    virEventUpdateTimeout(t, -1);
    usleep(50 * 1000);
    int n = atomic_load(&ticks);
    /* disabled: silent, also when the loop wakes for something else past its old due time */
    int w = virEventAddHandle(rfd, VIR_EVENT_HANDLE_READABLE, on_readable, NULL, NULL);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(write(wfd, "x", 1), 1);
        usleep(25 * 1000);
    }
    assert_true(wait_at_least(&calls, 1));
    assert_int_equal(atomic_load(&ticks), n);
    virEventRemoveHandle(w);
    /* from disabled to 1 h, then to 0: fires at once, though the loop sleeps */
    virEventUpdateTimeout(t, 3600 * 1000);
    usleep(50 * 1000);
    uint64_t t1 = monotonic_ms();
    virEventUpdateTimeout(t, 0);
    assert_true(wait_at_least(&ticks, n + 1));
    assert_true(monotonic_ms() - t1 < 1000);
    virEventRemoveTimeout(t);
    assert_true(wait_at_least(&freed, 1));
}

static void test_toggles_and_moved_timer_wake_the_loop_little(void **state) {
    int w = virEventAddHandle(rfd, VIR_EVENT_HANDLE_READABLE, on_readable, NULL, NULL);
    int t = virEventAddTimeout(5000, on_timer, NULL, NULL);
    usleep(100 * 1000);   /* settled: the loop polls the watch */
    unsigned long before = virt_loop_wakeups();
    uint64_t t0 = monotonic_ms();
    /* a client's 300 calls in a row, 0.2 ms each: the watch off and on around each, keepalive's
     * timer moved after each reply */
    for (int i = 0; i < 300; i++) {
        virEventUpdateHandle(w, 0);
        usleep(200);
        virEventUpdateHandle(w, VIR_EVENT_HANDLE_READABLE);
        virEventUpdateTimeout(t, 5000);
    }
    uint64_t took = monotonic_ms() - t0;
    usleep(100 * 1000);
    unsigned long woke = virt_loop_wakeups() - before;
    print_message("300 toggles in %llu ms: the loop woke %lu times\n", (unsigned long long) took, woke);
    /* about once per 20 ms of toggling (SETTLE_MS) and once when they stop; GLib's loop: twice a
     * call, and so would a loop that wakes to take each enabled watch back */
    assert_true(woke <= 4 + took / 10);
    /* and the watch still works once they stop */
    assert_int_equal(write(wfd, "x", 1), 1);
    assert_true(wait_at_least(&calls, 1));
    virEventRemoveHandle(w);
    virEventRemoveTimeout(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_watch_is_called_when_readable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disabled_watch_is_not_called, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hangup_is_told_unasked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disabled_watch_is_not_told_a_hangup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_callback_runs_on_the_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timer_interval_disable_and_now, setup, teardown),
        cmocka_unit_test_setup_teardown(test_toggles_and_moved_timer_wake_the_loop_little, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
