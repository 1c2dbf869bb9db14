/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit-test.h"

#include "sync.h"

/* What `virtspec sync` leaves for the daemon (reconciler/sync.c): the revision file of a
 * checkout and the status file of the last run, written by cmd-sync.c, read by manager.c. */

static void put(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void test_revision(void **state) {
    (void) state;
    char dir[] = "/tmp/test-sync-XXXXXX";
    assert_non_null(mkdtemp(dir));
    _cleanup_free_ char *file = xasprintf("%s/" SYNC_REVISION_FILE, dir);
    assert_null(sync_revision(dir));   /* none yet */
    const char *rev = "0123456789abcdef0123456789abcdef01234567";
    _cleanup_free_ char *line = xasprintf("%s\n", rev);
    put(file, line);
    _cleanup_free_ char *got = sync_revision(dir);
    assert_string_equal(got, rev);
    put(file, "not a commit\n");
    assert_null(sync_revision(dir));
    assert_true(sync_is_revision_name(rev));
    assert_false(sync_is_revision_name("0123456789ABCDEF0123456789abcdef01234567"));
    unlink(file);
    rmdir(dir);
}

static void test_status(void **state) {
    (void) state;
    char dir[] = "/tmp/test-sync-XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_null(sync_last_failure(dir));   /* never ran */
    sync_status_write(dir, 3, "fetch of origin main failed: timeout");
    _cleanup_free_ char *failed = sync_last_failure(dir);
    assert_non_null(failed);
    assert_non_null(strstr(failed, "exit 3): fetch of origin main failed: timeout"));
    sync_status_write(dir, 0, "unchanged at 0123456789ab");
    assert_null(sync_last_failure(dir));   /* the last one worked */
    _cleanup_free_ char *path = xasprintf("%s/status", dir);
    unlink(path);
    rmdir(dir);
    _cleanup_free_ char *d = sync_checkouts_dir("/srv/co");
    assert_string_equal(d, "/srv/co");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_revision),
        cmocka_unit_test(test_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
