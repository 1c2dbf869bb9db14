/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The spec tree watcher (issue 15): a file written in place is not handed over while its writer
 * still has it open, however long the writer pauses (longer than the debounce); it is once the
 * writer closes it. A file renamed into place is handed over at once. Only spec files are waited
 * for, and only the files still open are held back, not the rest of the burst. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "unit-test.h"

#include "watch-git.h"
#include "watch.h"

static char root[64];
static unsigned calls;
static char *named;
static char *all_named;   /* every path of the callbacks since it was last freed, space-separated */

static uint64_t called_at;   /* uv_hrtime of the last callback */

static void on_change(void *userdata, char *const *paths, size_t n_paths) {
    calls++;
    called_at = uv_hrtime();
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

/* A watcher with debounce_ms on a new directory root. */
static Watch *start_with(uv_loop_t *loop, unsigned debounce_ms) {
    snprintf(root, sizeof(root), "/tmp/vs-watch-XXXXXX");
    assert_non_null(mkdtemp(root));
    calls = 0;
    uv_loop_init(loop);
    Watch *w = NULL;
    assert_int_equal(watch_new(loop, root, debounce_ms, on_change, NULL, &w), 0);
    return w;
}

static Watch *start(uv_loop_t *loop) {
    return start_with(loop, 50);
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

/* Creates an empty file at path (O_EXCL: as git takes its lock). */
static void create_empty(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    close(fd);
}

/* A writer that renames a spec into place every loop millisecond, n of them (a checkout). */
typedef struct Renamer {
    unsigned i, n;
    unsigned calls_before_last;   /* callbacks before the last rename */
} Renamer;

static void on_rename_tick(uv_timer_t *t) {
    Renamer *r = t->data;
    _cleanup_free_ char *name = xasprintf("f%u.yaml", r->i);
    free(rename_in(name));
    if (++r->i == r->n) {
        r->calls_before_last = calls;
        uv_timer_stop(t);
    }
}

/* Runs the renames, then the loop for 200 ms more; returns how long the renames took, in ms. */
static uint64_t run_renames(uv_loop_t *loop, Renamer *r) {
    uv_timer_t t;
    uv_timer_init(loop, &t);
    t.data = r;
    uint64_t t0 = uv_hrtime();
    uv_timer_start(&t, on_rename_tick, 1, 1);
    while (r->i < r->n)
        uv_run(loop, UV_RUN_ONCE);
    uint64_t took = (uv_hrtime() - t0) / 1000000;
    uv_close((uv_handle_t *) &t, NULL);
    run_for(loop, 200);
    return took;
}

/* Every file the renamer renamed into place was named by a callback. */
static void assert_all_renamed(const Renamer *r) {
    _cleanup_free_ char *all = xasprintf("%s ", all_named);
    for (unsigned i = 0; i < r->n; i++) {
        _cleanup_free_ char *p = xasprintf("%s/f%u.yaml ", root, i);
        assert_non_null(strstr(all, p));
    }
}

/* A git checkout in the tree (it holds GIT_DIR/index.lock while it writes the files): its renames,
 * about 1 ms apart, longer than the quiet period, and a pause of 200 ms are one callback naming
 * all of them, once the lock is let go (without the lock, such gaps split the burst). walked: the
 * .git was there at the last walk; else it was made after (a clone or git init into the root),
 * and only the watch's events tell it. */
static void run_locked_checkout(bool walked) {
    uv_loop_t loop;
    Watch *w = start_with(&loop, 50);
    _cleanup_free_ char *git = xasprintf("%s/.git", root),
                        *lock = xasprintf("%s/.git/index.lock", root),
                        *index = xasprintf("%s/.git/index", root);
    assert_int_equal(mkdir(git, 0755), 0);
    if (walked)
        watch_refresh(w);
    else
        run_for(&loop, 100);
    create_empty(lock);   /* git takes the lock */
    Renamer r = { .n = 40 };
    uint64_t took = run_renames(&loop, &r);   /* then 200 ms more: four times debounce_ms */
    print_message("40 renames in %" PRIu64 " ms with the index locked: %u callback(s)\n", took,
                  calls);
    assert_int_equal(calls, 0);
    assert_int_equal(rename(lock, index), 0);   /* git commits the index: the checkout is done */
    run_for(&loop, 200);
    assert_int_equal(calls, 1);
    assert_all_renamed(&r);
    finish(&loop, w);
}

static void test_git_checkout_is_one_callback(void **state) {
    run_locked_checkout(true);
}

static void test_clone_into_root_is_followed(void **state) {
    run_locked_checkout(false);
}

/* A lock git left behind long ago (a killed git) holds nothing back; nor does a checkout's git
 * directory named by a .git file (a worktree) once its lock is let go. */
static void test_stale_git_lock_holds_nothing(void **state) {
    uv_loop_t loop;
    snprintf(root, sizeof(root), "/tmp/vs-watch-XXXXXX");
    assert_non_null(mkdtemp(root));
    _cleanup_free_ char *gd = xasprintf("%s/gd", root), *dotgit = xasprintf("%s/sub/.git", root),
                        *sub = xasprintf("%s/sub", root),
                        *lock = xasprintf("%s/gd/index.lock", root);
    assert_int_equal(mkdir(gd, 0755), 0);
    assert_int_equal(mkdir(sub, 0755), 0);
    int fd = open(dotgit, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    write_all(fd, "gitdir: ../gd\n");
    close(fd);
    create_empty(lock);
    struct timespec old[2] = { { .tv_sec = time(NULL) - 3600 }, { .tv_sec = time(NULL) - 3600 } };
    assert_int_equal(utimensat(AT_FDCWD, lock, old, 0), 0);

    /* a watch on sub (the worktree): the lock an hour old does not hold the rename back */
    uv_loop_init(&loop);
    calls = 0;
    Watch *w = NULL;
    assert_int_equal(watch_new(&loop, sub, 5000, on_change, NULL, &w), 0);
    _cleanup_free_ char *p = xasprintf("%s/a.yaml", sub), *tmp = xasprintf("%s/.a.yaml.tmp", sub);
    create_empty(tmp);
    assert_int_equal(rename(tmp, p), 0);
    run_for(&loop, 300);
    assert_int_equal(calls, 1);
    /* git takes the lock anew (it removed the old one): the next rename waits for its release */
    assert_int_equal(unlink(lock), 0);
    create_empty(lock);
    create_empty(tmp);
    assert_int_equal(rename(tmp, p), 0);
    run_for(&loop, 300);
    assert_int_equal(calls, 1);
    assert_int_equal(unlink(lock), 0); /* a rollback removes it */
    run_for(&loop, 100);
    assert_int_equal(calls, 2);
    assert_string_equal(named, p);
    finish(&loop, w);
}

/* The lock's release lost in an inotify queue overflow (more events than the queue holds while
 * the loop did not read): the walk that follows does not wait for a lock that is gone (it did,
 * 10 s, with a warning that it was held). */
static void test_lock_release_lost_in_overflow(void **state) {
    uv_loop_t loop;
    Watch *w = start_with(&loop, 50);
    _cleanup_free_ char *git = xasprintf("%s/.git", root),
                        *lock = xasprintf("%s/.git/index.lock", root),
                        *a = xasprintf("%s/a.yaml", root), *b = xasprintf("%s/b.yaml", root);
    assert_int_equal(mkdir(git, 0755), 0);
    watch_refresh(w);
    create_empty(lock);
    run_for(&loop, 20);
    create_empty(a);
    create_empty(b);
    long max = 16384;
    FILE *f = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
    if (f) {
        assert_int_equal(fscanf(f, "%ld", &max), 1);
        fclose(f);
    }
    for (long i = 0; i < max + 1000; i++)
        assert_int_equal(utimensat(AT_FDCWD, i % 2 ? a : b, NULL, 0), 0);
    assert_int_equal(unlink(lock), 0); /* git is done; this event is dropped */
    uint64_t t0 = uv_hrtime();
    while (calls == 0 && uv_hrtime() - t0 < 12000000000ULL)
        run_for(&loop, 100);
    uint64_t ms = (uv_hrtime() - t0) / 1000000;
    print_message("the lock's release lost in an overflow: first callback after %" PRIu64 " ms\n",
                  ms);
    assert_int_equal(calls, 1);
    assert_true(ms < 5000);
    assert_string_equal(named, "(walk)");
    finish(&loop, w);
}

/* Where the checkout's git directory is found: in the directory, in a parent, through a .git
 * file (relative or absolute); nowhere. */
static void test_git_dir_found(void **state) {
    char dir[64];
    snprintf(dir, sizeof(dir), "/tmp/vs-gitdir-XXXXXX");
    assert_non_null(mkdtemp(dir));
    _cleanup_free_ char *mk = xasprintf(
            "mkdir -p '%s/repo/.git' '%s/repo/a/b' '%s/wt' '%s/gd' '%s/none'", dir, dir, dir, dir,
            dir);
    assert_int_equal(system(mk), 0);
    _cleanup_free_ char *repo_git = xasprintf("%s/repo/.git", dir),
                        *b = xasprintf("%s/repo/a/b", dir), *wt = xasprintf("%s/wt", dir),
                        *gd = xasprintf("%s/gd", dir), *none = xasprintf("%s/none", dir),
                        *repo = xasprintf("%s/repo", dir);
    _cleanup_free_ char *g1 = watch_git_dir(repo), *g2 = watch_git_dir(b);
    assert_string_equal(g1, repo_git);
    assert_string_equal(g2, repo_git);
    _cleanup_free_ char *f = xasprintf("%s/wt/.git", dir);
    int fd = open(f, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    write_all(fd, "gitdir: ../gd\n");
    close(fd);
    _cleanup_free_ char *g3 = watch_git_dir(wt);
    assert_string_equal(g3, gd);
    fd = open(f, O_WRONLY | O_TRUNC | O_CLOEXEC);
    assert_true(fd >= 0);
    _cleanup_free_ char *abs = xasprintf("gitdir: %s\n", repo_git);
    write_all(fd, abs);
    close(fd);
    _cleanup_free_ char *g4 = watch_git_dir(wt);
    assert_string_equal(g4, repo_git);
    _cleanup_free_ char *g5 = watch_git_dir(none); /* /tmp is in no checkout */
    assert_null(g5);
    /* a .git file that names nothing ends the search, as it does git's: not the repo's above */
    _cleanup_free_ char *bad = xasprintf("%s/repo/a/.git", dir);
    fd = open(bad, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    write_all(fd, "not a gitdir line\n");
    close(fd);
    _cleanup_free_ char *g6 = watch_git_dir(b);
    assert_null(g6);
    _cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* A single rename is handed over after the quiet period (1 ms), not after debounce_ms (5 s; the
 * bound is loose for valgrind on a loaded machine). */
static void test_single_rename_goes_at_once(void **state) {
    uv_loop_t loop;
    Watch *w = start_with(&loop, 5000);
    uint64_t t0 = uv_hrtime();
    _cleanup_free_ char *p = rename_in("a.yaml");
    run_for(&loop, 500);
    print_message("one rename handed over after %.2f ms\n", (called_at - t0) / 1e6);
    assert_int_equal(calls, 1);
    assert_string_equal(named, p);
    finish(&loop, w);
}

/* A writer that never pauses does not hold the callback back longer than debounce_ms after the
 * burst's first event. */
static void test_steady_renames_are_capped(void **state) {
    uv_loop_t loop;
    Watch *w = start_with(&loop, 50);
    Renamer r = { .n = 300 };
    uint64_t took = run_renames(&loop, &r);
    print_message("300 renames in %" PRIu64 " ms: %u callback(s) before the last\n", took,
                  r.calls_before_last);
    assert_true(r.calls_before_last >= 2);
    assert_true(calls >= r.calls_before_last + 1);
    assert_all_renamed(&r);
    finish(&loop, w);
}

/* Writers that never pause — a log beside the specs, a spec kept open and written every 50 ms,
 * more often than debounce_ms (100) — do not hold back a spec renamed into place meanwhile: the
 * log is not looked at, and the open spec's burst ends debounce_ms after its first event. */
static void test_steady_writers_do_not_hold_back(void **state) {
    uv_loop_t loop;
    Watch *w = start_with(&loop, 100);
    _cleanup_free_ char *log = xasprintf("%s/notes.log", root);
    _cleanup_free_ char *a = xasprintf("%s/a.yaml", root);
    int lfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int afd = open(a, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(lfd >= 0 && afd >= 0);
    _cleanup_free_ char *q = NULL;
    for (unsigned t = 0; t < 800; t += 50) {
        write_all(lfd, "line\n");
        write_all(afd, t == 0 ? "kind: Domain\n" : "# still writing\n");
        if (t == 200) {   /* the writers' next events right behind the rename */
            q = rename_in("q.yaml");
            write_all(lfd, "line\n");
            write_all(afd, "# still writing\n");
        }
        run_for(&loop, 50);
    }
    assert_true(calls >= 1);   /* before: none while the log (or the open spec) was written */
    assert_string_equal(all_named, q);
    close(lfd);
    close(afd);
    finish(&loop, w);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_half_written_file_waits_for_close),
        cmocka_unit_test(test_only_open_spec_files_are_held_back),
        cmocka_unit_test(test_removed_directories_are_dropped),
        cmocka_unit_test(test_git_checkout_is_one_callback),
        cmocka_unit_test(test_stale_git_lock_holds_nothing),
        cmocka_unit_test(test_clone_into_root_is_followed),
        cmocka_unit_test(test_lock_release_lost_in_overflow),
        cmocka_unit_test(test_git_dir_found),
        cmocka_unit_test(test_single_rename_goes_at_once),
        cmocka_unit_test(test_steady_renames_are_capped),
        cmocka_unit_test(test_steady_writers_do_not_hold_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
