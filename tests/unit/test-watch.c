/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The spec tree watcher (issue 15): a file written in place is not handed over while its writer
 * still has it open, however long the writer pauses (longer than the debounce); it is once the
 * writer closes it. A file renamed into place is handed over at once. Only spec files are waited
 * for, and only the files still open are held back, not the rest of the burst. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit-test.h"

#include "watch.h"

static char root[64];
static unsigned calls;
static char *named;
static char *all_named;   /* every path of the callbacks since it was last freed, space-separated */

static void on_change(void *userdata, char *const *paths, size_t n_paths) {
    calls++;
    free(named);
    named = n_paths > 0 ? xstrdup(paths[0]) : xstrdup("(walk)");
    if (!all_named)
        all_named = xstrdup("");
    for (size_t i = 0; i < n_paths; i++) {
        char *m = xasprintf("%s%s%s", all_named, *all_named ? " " : "", paths[i]);
        free(all_named);
        all_named = m;
    }
}

static void on_stop(uv_timer_t *t) {
    uv_stop(t->loop);
}

static void run_for(uv_loop_t *loop, unsigned ms) {
    uv_timer_t t;
    uv_timer_init(loop, &t);
    uv_timer_start(&t, on_stop, ms, 0);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *) &t, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
}

static void write_all(int fd, const char *s) {
    assert_int_equal(write(fd, s, strlen(s)), (ssize_t) strlen(s));
}

/* Writes a line to fd every 50 ms for ms: a writer that keeps its file open. */
static void run_writing(uv_loop_t *loop, int fd, unsigned ms) {
    for (unsigned t = 0; t < ms; t += 50) {
        write_all(fd, "line\n");
        run_for(loop, 50);
    }
}

/* Renames a new spec into place as name. */
static char *rename_in(const char *name) {
    _cleanup_free_ char *tmp = xasprintf("%s/.%s.tmp", root, name);
    char *p = xasprintf("%s/%s", root, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    write_all(fd, "kind: Domain\nname: q\n");
    close(fd);
    assert_int_equal(rename(tmp, p), 0);
    return p;
}

/* A watcher (debounce 50 ms) on a new directory root. */
static Watch *start(uv_loop_t *loop) {
    snprintf(root, sizeof(root), "/tmp/vs-watch-XXXXXX");
    assert_non_null(mkdtemp(root));
    calls = 0;
    uv_loop_init(loop);
    Watch *w = NULL;
    assert_int_equal(watch_new(loop, root, 50, on_change, NULL, &w), 0);
    return w;
}

static void finish(uv_loop_t *loop, Watch *w) {
    watch_close(w);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(loop), 0);
    free(named);
    free(all_named);
    named = all_named = NULL;
    _cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

static void test_half_written_file_waits_for_close(void **state) {
    uv_loop_t loop;
    Watch *w = start(&loop);

    _cleanup_free_ char *p = xasprintf("%s/a.yaml", root);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    const char *head = "kind: Domain\nname: a\n", *tail = "memory: 2GiB\nstate: shutoff\n";
    assert_int_equal(write(fd, head, strlen(head)), (ssize_t) strlen(head));
    run_for(&loop, 500);   /* ten times the debounce: the writer pauses */
    assert_int_equal(calls, 0);
    assert_int_equal(chmod(p, 0600), 0);   /* an attribute change is no close */
    assert_int_equal(write(fd, tail, strlen(tail)), (ssize_t) strlen(tail));
    run_for(&loop, 200);
    assert_int_equal(calls, 0);
    close(fd);
    run_for(&loop, 300);
    assert_int_equal(calls, 1);
    assert_string_equal(named, p);

    /* renamed into place: at once, no waiting */
    _cleanup_free_ char *tmp = xasprintf("%s/.b.yaml.tmp", root), *b = xasprintf("%s/b.yaml", root);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, head, strlen(head)), (ssize_t) strlen(head));
    close(fd);
    assert_int_equal(rename(tmp, b), 0);
    run_for(&loop, 300);
    assert_int_equal(calls, 2);
    assert_string_equal(named, b);

    finish(&loop, w);
}

/* A log in the tree written all the time (kept open) holds nothing back; a spec still open holds
 * back only itself: the spec renamed into place next to it goes at once. */
static void test_only_open_spec_files_are_held_back(void **state) {
    uv_loop_t loop;
    Watch *w = start(&loop);

    _cleanup_free_ char *log = xasprintf("%s/notes.log", root);
    int lfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    assert_true(lfd >= 0);
    run_writing(&loop, lfd, 200);
    _cleanup_free_ char *q = rename_in("q.yaml");
    run_writing(&loop, lfd, 500);
    assert_int_equal(calls, 1);   /* the spec, not 10 s later once the log is quiet; the log never */
    assert_string_equal(all_named, q);

    /* a spec written in place and left open: only it waits */
    _cleanup_free_ char *a = xasprintf("%s/a.yaml", root);
    int afd = open(a, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(afd >= 0);
    write_all(afd, "kind: Domain\n");
    run_for(&loop, 200);
    assert_int_equal(calls, 1);
    free(all_named);
    all_named = NULL;
    _cleanup_free_ char *r = rename_in("r.yaml");
    run_for(&loop, 300);
    assert_int_equal(calls, 2);
    assert_string_equal(all_named, r);
    free(all_named);
    all_named = NULL;
    write_all(afd, "name: a\n");
    close(afd);
    run_for(&loop, 300);
    assert_int_equal(calls, 3);
    assert_string_equal(all_named, a);

    close(lfd);
    finish(&loop, w);
}

/* Directories that go away are dropped from the watch: several of them at once, between kept
 * ones (a freed entry was once read again while the list was compacted: ASan and valgrind, which
 * run the unit tests in CI, catch that). */
static void test_removed_directories_are_dropped(void **state) {
    char dir[64];
    snprintf(dir, sizeof(dir), "/tmp/vs-watch-XXXXXX");
    assert_non_null(mkdtemp(dir));
    _cleanup_free_ char *mk = xasprintf("mkdir -p '%s/a/x' '%s/a/y' '%s/b' '%s/c/z' '%s/d'", dir, dir,
                                        dir, dir, dir);
    assert_int_equal(system(mk), 0);
    uv_loop_t loop;
    uv_loop_init(&loop);
    Watch *w = NULL;
    assert_int_equal(watch_new(&loop, dir, 50, on_change, NULL, &w), 0);
    size_t before = watch_n_dirs(w);
    _cleanup_free_ char *rm = xasprintf("rm -rf '%s/a' '%s/c'", dir, dir);
    assert_int_equal(system(rm), 0);
    watch_refresh(w);
    /* a, a/x, a/y, c, c/z are gone; the root, its parent, b and d stay */
    assert_int_equal(watch_n_dirs(w), before - 5);
    watch_refresh(w);
    assert_int_equal(watch_n_dirs(w), before - 5);
    watch_close(w);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    _cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_half_written_file_waits_for_close),
        cmocka_unit_test(test_only_open_spec_files_are_held_back),
        cmocka_unit_test(test_removed_directories_are_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
