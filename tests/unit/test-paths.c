/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit-test.h"

#include "config.h"
#include "paths.h"

/* The default paths and the spec trust rule, for root and for a user (issue 23: rootless with
 * qemu:///session). Both are pure: the uid and the environment are arguments. */

static const Paths sys = { .spec_dir = (char *) VIRTSPEC_SPEC_DIR,
                           .config_file = (char *) VIRTSPEC_CONFIG_FILE,
                           .state_dir = (char *) VIRTSPEC_STATE_DIR,
                           .run_dir = (char *) VIRTSPEC_RUN_DIR };

/* An environment: NULL-terminated NAME, VALUE pairs. */
static const char *env_in(const char *name, void *userdata) {
    const char *const *kv = userdata;
    for (; kv[0]; kv += 2)
        if (streq(kv[0], name))
            return kv[1];
    return NULL;
}

static void test_root(void **state) {
    const char *env[] = { "HOME", "/root", "XDG_CONFIG_HOME", "/root/.cfg", "XDG_RUNTIME_DIR", "/run/user/0", NULL };
    _cleanup_(paths_clear) Paths p = {};
    assert_int_equal(paths_for(0, env_in, env, &sys, &p), 0);
    /* root ignores XDG: the system unit's paths */
    assert_string_equal(p.spec_dir, VIRTSPEC_SPEC_DIR);
    assert_string_equal(p.config_file, VIRTSPEC_CONFIG_FILE);
    assert_string_equal(p.state_dir, VIRTSPEC_STATE_DIR);
    assert_string_equal(p.run_dir, VIRTSPEC_RUN_DIR);
    assert_string_equal(p.cache_dir, VIRTSPEC_STATE_DIR);
    assert_string_equal(p.uri, "qemu:///system");
}

static void test_root_overrides(void **state) {
    const char *env[] = { "RUNTIME_DIRECTORY", "/run/virtspec", "VIRTSPEC_STATE_DIR", "/tmp/st",
                          "LIBVIRT_DEFAULT_URI", "test:///default", NULL };
    _cleanup_(paths_clear) Paths p = {};
    assert_int_equal(paths_for(0, env_in, env, &sys, &p), 0);
    assert_string_equal(p.state_dir, "/tmp/st");
    assert_string_equal(p.cache_dir, "/tmp/st");
    assert_string_equal(p.run_dir, "/run/virtspec");
    assert_string_equal(p.uri, "test:///default");
}

static void test_user_xdg(void **state) {
    const char *env[] = { "HOME", "/home/u", "XDG_CONFIG_HOME", "/x/cfg", "XDG_STATE_HOME", "/x/state",
                          "XDG_CACHE_HOME", "/x/cache", "XDG_RUNTIME_DIR", "/run/user/1000", NULL };
    _cleanup_(paths_clear) Paths p = {};
    assert_int_equal(paths_for(1000, env_in, env, &sys, &p), 0);
    assert_string_equal(p.spec_dir, "/x/cfg/virtspec");
    assert_string_equal(p.config_file, "/x/cfg/virtspec.conf");
    assert_string_equal(p.state_dir, "/x/state/virtspec");
    assert_string_equal(p.run_dir, "/run/user/1000/virtspec");
    assert_string_equal(p.cache_dir, "/x/cache/virtspec");
    assert_string_equal(p.uri, "qemu:///session");
}

static void test_user_defaults(void **state) {
    /* unset, empty or relative XDG variables: the XDG specification's defaults under $HOME */
    const char *env[] = { "HOME", "/home/u", "XDG_CONFIG_HOME", "", "XDG_STATE_HOME", "rel/state", NULL };
    _cleanup_(paths_clear) Paths p = {};
    assert_int_equal(paths_for(1000, env_in, env, &sys, &p), 0);
    assert_string_equal(p.spec_dir, "/home/u/.config/virtspec");
    assert_string_equal(p.config_file, "/home/u/.config/virtspec.conf");
    assert_string_equal(p.state_dir, "/home/u/.local/state/virtspec");
    assert_string_equal(p.run_dir, "/run/user/1000/virtspec");
    assert_string_equal(p.cache_dir, "/home/u/.cache/virtspec");
    assert_string_equal(p.uri, "qemu:///session");
}

static void test_user_overrides(void **state) {
    /* the user unit's RuntimeDirectory=, an explicit state directory and URI win */
    const char *env[] = { "HOME", "/home/u", "RUNTIME_DIRECTORY", "/run/user/1000/virtspec",
                          "XDG_RUNTIME_DIR", "/elsewhere", "VIRTSPEC_STATE_DIR", "/tmp/st",
                          "LIBVIRT_DEFAULT_URI", "qemu:///system", NULL };
    _cleanup_(paths_clear) Paths p = {};
    assert_int_equal(paths_for(1000, env_in, env, &sys, &p), 0);
    assert_string_equal(p.run_dir, "/run/user/1000/virtspec");
    assert_string_equal(p.state_dir, "/tmp/st");
    assert_string_equal(p.cache_dir, "/home/u/.cache/virtspec");
    assert_string_equal(p.uri, "qemu:///system");
}

/* libvirt's client configuration names the default URI: a user in the libvirt group who set
 * uri_default = "qemu:///system" gets the system driver, as virsh does */
static void test_user_libvirt_conf(void **state) {
    char dir[] = "/tmp/test-paths-XXXXXX";
    assert_non_null(mkdtemp(dir));
    _cleanup_free_ char *lv = xasprintf("%s/libvirt", dir), *conf = xasprintf("%s/libvirt.conf", lv);
    assert_int_equal(mkdir(lv, 0700), 0);
    FILE *f = fopen(conf, "w");
    assert_non_null(f);
    fputs("# uri_default = \"test:///wrong\"\n  uri_default =  \"qemu:///system\"  \n", f);
    fclose(f);
    const char *env[] = { "HOME", "/home/u", "XDG_CONFIG_HOME", dir, NULL };
    _cleanup_(paths_clear) Paths p = {};
    assert_int_equal(paths_for(1000, env_in, env, &sys, &p), 0);
    assert_string_equal(p.uri, "qemu:///system");
    /* $LIBVIRT_DEFAULT_URI still wins, as in libvirt */
    const char *env2[] = { "HOME", "/home/u", "XDG_CONFIG_HOME", dir, "LIBVIRT_DEFAULT_URI", "test:///default", NULL };
    _cleanup_(paths_clear) Paths p2 = {};
    assert_int_equal(paths_for(1000, env_in, env2, &sys, &p2), 0);
    assert_string_equal(p2.uri, "test:///default");
    _cleanup_free_ char *none = paths_libvirt_uri_default("/nonexistent/libvirt.conf");
    assert_null(none);
    unlink(conf);
    rmdir(lv);
    rmdir(dir);
}

static void test_user_no_home(void **state) {
    const char *env[] = { "XDG_CONFIG_HOME", "/x/cfg", NULL };
    Paths p = {};
    assert_int_equal(paths_for(1000, env_in, env, &sys, &p), -ENOENT);
    assert_null(p.spec_dir);
}

static SpecTrust verdict(uid_t owner, mode_t mode, uid_t me) {
    struct stat st = { .st_uid = owner, .st_mode = mode };
    return spec_trust_verdict(&st, me);
}

static void test_trust(void **state) {
    /* root: root's files only */
    assert_int_equal(verdict(0, S_IFREG | 0644, 0), SPEC_TRUST_OK);
    assert_int_equal(verdict(1000, S_IFREG | 0644, 0), SPEC_TRUST_OWNER);
    assert_int_equal(verdict(0, S_IFREG | 0664, 0), SPEC_TRUST_WRITABLE);
    /* a user: their own and root's, not another user's */
    assert_int_equal(verdict(1000, S_IFREG | 0600, 1000), SPEC_TRUST_OK);
    assert_int_equal(verdict(0, S_IFDIR | 0755, 1000), SPEC_TRUST_OK);
    assert_int_equal(verdict(1001, S_IFREG | 0644, 1000), SPEC_TRUST_OWNER);
    assert_int_equal(verdict(1000, S_IFREG | 0646, 1000), SPEC_TRUST_WRITABLE);
    assert_int_equal(verdict(1000, S_IFDIR | 0775, 1000), SPEC_TRUST_WRITABLE);
    /* sticky directories (/tmp) and links' own modes */
    assert_int_equal(verdict(0, S_IFDIR | 01777, 1000), SPEC_TRUST_OK);
    assert_int_equal(verdict(1000, S_IFLNK | 0777, 1000), SPEC_TRUST_OK);
    assert_int_equal(verdict(1001, S_IFLNK | 0777, 1000), SPEC_TRUST_OWNER);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_root),
        cmocka_unit_test(test_root_overrides),
        cmocka_unit_test(test_user_xdg),
        cmocka_unit_test(test_user_defaults),
        cmocka_unit_test(test_user_overrides),
        cmocka_unit_test(test_user_libvirt_conf),
        cmocka_unit_test(test_user_no_home),
        cmocka_unit_test(test_trust),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
