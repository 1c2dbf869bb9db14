/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit-test.h"

#include "log.h"
#include "progress.h"

static void test_bytes(void **state) {
    char b[32];
    assert_string_equal(progress_bytes(b, sizeof(b), 0), "0 B");
    assert_string_equal(progress_bytes(b, sizeof(b), 1023), "1023 B");
    assert_string_equal(progress_bytes(b, sizeof(b), 1024), "1.0 KiB");
    assert_string_equal(progress_bytes(b, sizeof(b), 1536), "1.5 KiB");
    assert_string_equal(progress_bytes(b, sizeof(b), 20ull << 20), "20.0 MiB");
    assert_string_equal(progress_bytes(b, sizeof(b), (10ull << 30) - (200ull << 20)), "9.8 GiB");
    assert_string_equal(progress_bytes(b, sizeof(b), 3ull << 40), "3.0 TiB");
}

static void test_eta(void **state) {
    char b[32];
    assert_string_equal(progress_eta(b, sizeof(b), 0), "00:00");
    assert_string_equal(progress_eta(b, sizeof(b), 108), "01:48");
    assert_string_equal(progress_eta(b, sizeof(b), 125 * 60 + 3), "125:03");
    assert_string_equal(progress_eta(b, sizeof(b), -1), "--:--");
}

static void test_steps(void **state) {
    uint64_t total = 1000;
    int last = 0, lines = 0;
    /* one line per 10 %: 10 lines whatever the chunk size, the last at 100 % */
    for (uint64_t done = 7; ; done += 7) {
        if (done > total)
            done = total;
        int s = progress_step(done, total);
        assert_true(s >= last && s <= 10);
        if (s != last)
            lines++;
        last = s;
        if (done == total)
            break;
    }
    assert_int_equal(lines, 10);
    assert_int_equal(progress_step(99, 100), 9);
    assert_int_equal(progress_step(100, 100), 10);
    assert_int_equal(progress_step(0, 0), 10);
}

static void test_line(void **state) {
    char *l = progress_line("uploading /img/base.qcow2", 1ull << 30, 10ull << 30, 12.0);
    /* 1 GiB in 12 s: 85.3 MiB/s, 9 GiB left: 108 s */
    assert_string_equal(l, "uploading /img/base.qcow2: 1.0 GiB of 10.0 GiB (10%), 85.3 MiB/s, ETA 01:48");
    free(l);
    l = progress_line("x", 0, 4096, 0);
    assert_string_equal(l, "x: 0 B of 4.0 KiB (0%), -, ETA --:--");
    free(l);
    l = progress_line("x", 4096, 4096, 2.0);
    assert_string_equal(l, "x: 4.0 KiB of 4.0 KiB (100%), 2.0 KiB/s, ETA 00:00");
    free(l);
    /* total 0: the size is not known (a download without Content-Length) */
    l = progress_line("x", 64ull << 20, 0, 2.0);
    assert_string_equal(l, "x: 64.0 MiB of unknown size, 32.0 MiB/s");
    free(l);
    l = progress_line("x", 0, 0, 0);
    assert_string_equal(l, "x: 0 B of unknown size, -");
    free(l);
}

/* The lines progress_update logs off a terminal (to stderr, captured) for updates every chunk
 * bytes up to end, of total (0: unknown); each must contain what. Returns their number. */
static int logged_lines(uint64_t total, uint64_t chunk, uint64_t end, const char *what) {
    char path[] = "/tmp/test-progress.XXXXXX";
    int fd = mkstemp(path), saved = dup(STDERR_FILENO);
    assert_true(fd >= 0);
    unsetenv("JOURNAL_STREAM");
    unsetenv("VIRTSPEC_LOG_FIELDS");
    log_setup();
    fflush(stderr);
    dup2(fd, STDERR_FILENO);
    Progress p;
    progress_start(&p, "up", total, false);
    for (uint64_t d = chunk; d <= end; d += chunk)
        progress_update(&p, d);
    progress_end(&p);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    FILE *f = fdopen(fd, "r");
    rewind(f);
    char line[256];
    int n = 0;
    while (fgets(line, sizeof(line), f)) {
        assert_non_null(strstr(line, what));
        n++;
    }
    fclose(f);
    unlink(path);
    return n;
}

/* Size unknown: one line per PROGRESS_UNKNOWN_STEP (64 MiB), none before the first. */
static void test_log_unknown(void **state) {
    assert_int_equal(logged_lines(0, 1 << 20, 200ull << 20, "of unknown size"), 3);
    assert_int_equal(logged_lines(0, 1 << 20, 63ull << 20, "up: "), 0);
}

/* Off a terminal, progress_update logs one line per 10 % (here to stderr, captured). */
static void test_log_steps(void **state) {
    assert_int_equal(logged_lines(1 << 20, 4096, 1 << 20, "up: "), 10);
}

/* stdout into a temporary file while fn runs; its content (caller frees). */
static char *capture_stdout(void (*fn)(void)) {
    char path[] = "/tmp/test-progress.XXXXXX";
    int fd = mkstemp(path), saved = dup(STDOUT_FILENO);
    assert_true(fd >= 0);
    fflush(stdout);
    dup2(fd, STDOUT_FILENO);
    fn();
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    char *buf = xmalloc0(4096);
    assert_true(pread(fd, buf, 4095, 0) >= 0);
    close(fd);
    unlink(path);
    return buf;
}

static void count_two_seconds(void) {
    Countdown *c = countdown_start("waiting for web1 to shut down", 60, true);
    assert_non_null(c);
    usleep(2300 * 1000);
    countdown_stop(c);
}

static void count_nothing(void) {
    countdown_stop(countdown_start("waiting for web1 to shut down", 60, true));   /* ends at once */
    assert_null(countdown_start("off a terminal", 60, false));
    countdown_stop(NULL);
}

static void test_countdown(void **state) {
    char *l = countdown_line("waiting for web1 to shut down", 12, 60);
    assert_string_equal(l, "waiting for web1 to shut down: 12 s of 60");
    free(l);
    l = countdown_line("waiting for web1 to shut down", 64, 60);   /* forced stop, start */
    assert_string_equal(l, "waiting for web1 to shut down: 60 s of 60");
    free(l);
    char *out = capture_stdout(count_two_seconds);
    assert_string_equal(out, "\rwaiting for web1 to shut down: 1 s of 60\033[K"
                             "\rwaiting for web1 to shut down: 2 s of 60\033[K\n");
    free(out);
    out = capture_stdout(count_nothing);
    assert_string_equal(out, "");
    free(out);
}

/* A result line printed while an upload's line is drawn (apply's streamed results on a TTY):
 * the drawn line is cleared first, the result has a line of its own, the next update draws the
 * progress again, and the end keeps it. */
static void draw_then_result(void) {
    Progress p;
    progress_start(&p, "up", 100, true);
    progress_update(&p, 50);
    progress_output_begin();
    printf("Pool p (p.yaml:1)\n  = in sync\n");
    progress_output_end();
    progress_update(&p, 100);
    progress_end(&p);
    progress_output_begin();   /* nothing drawn: nothing cleared */
    printf("done\n");
    progress_output_end();
}

static void test_output_clears_line(void **state) {
    char *out = capture_stdout(draw_then_result);
    /* the rate and ETA depend on the time: compare the text around them */
    assert_true(strncmp(out, "\rup: 50 B of 100 B (50%)", 24) == 0);
    /* the first line on screen: the progress line cleared, then the result's first line */
    char *clear = strstr(out, "\033[K\r\033[KPool p (p.yaml:1)\n  = in sync\n\rup: 100 B of 100 B (100%)");
    assert_non_null(clear);
    assert_non_null(strstr(clear, "\033[K\ndone\n"));
    assert_null(strstr(out, "\033[K\r\033[Kdone"));
    free(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_eta),
        cmocka_unit_test(test_steps),
        cmocka_unit_test(test_line),
        cmocka_unit_test(test_log_steps),
        cmocka_unit_test(test_log_unknown),
        cmocka_unit_test(test_countdown),
        cmocka_unit_test(test_output_clears_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
