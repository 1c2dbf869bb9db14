/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "unit-test.h"

#include "spec-value.h"

#define KiB 1024LL
#define MiB (1024LL * KiB)
#define GiB (1024LL * MiB)
#define TiB (1024LL * GiB)

static void test_parse_size_units(void **state) {
    static const struct { const char *s; int64_t unit, want; } ok[] = {
        { "512MiB", MiB, 512 * MiB },
        { "1GiB", MiB, GiB },
        { "10G", MiB, 10 * GiB },
        { "1024K", MiB, MiB },
        { "1024KiB", 1, MiB },
        { "1KB", 1, 1000 },
        { "2MB", 1, 2000000 },
        { "3GB", 1, 3000000000LL },
        { "1TB", 1, 1000000000000LL },
        { "1T", 1, TiB },
        { "2TiB", 1, 2 * TiB },
        { "7B", MiB, 7 },
        { "1 GiB", MiB, GiB },          /* a space before the unit is allowed */
        { "5", MiB, 5 * MiB },          /* a plain number counts the row's unit */
        { "5", GiB, 5 * GiB },
        { "5", 1, 5 },
        { "0", MiB, 0 },
        { "9223372036854775807B", 1, INT64_MAX },
    };
    for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
        int64_t v = -1;
        assert_int_equal(parse_size(ok[i].s, ok[i].unit, &v), 0);
        assert_int_equal(v, ok[i].want);
    }
}

static void test_parse_size_bad(void **state) {
    static const char *const inval[] = {
        "", "MiB", "-1", "-1MiB", "1.5GiB", "1XB", "1mib", "1 G B", " 1G", "0x10", "1GiBs",
    };
    for (size_t i = 0; i < ELEMENTSOF(inval); i++) {
        int64_t v = 42;
        assert_int_equal(parse_size(inval[i], MiB, &v), -EINVAL);
        assert_int_equal(v, 42);   /* untouched on failure */
    }
    int64_t v = 42;
    assert_int_equal(parse_size("99999999999999999999999", 1, &v), -ERANGE);
    assert_int_equal(parse_size("8388608T", 1, &v), -ERANGE);      /* 2^63 bytes */
    assert_int_equal(parse_size("9223372036854775807", MiB, &v), -ERANGE);
    assert_int_equal(v, 42);
}

static void test_parse_bool(void **state) {
    static const char *const t[] = { "true", "yes", "on", "True", "YES", "On" };
    static const char *const f[] = { "false", "no", "off", "False", "NO", "Off" };
    static const char *const bad[] = { "", "1", "0", "y", "n", "yEs", "truthy", "enable" };
    bool b;
    for (size_t i = 0; i < ELEMENTSOF(t); i++) {
        b = false;
        assert_int_equal(parse_bool(t[i], &b), 0);
        assert_true(b);
        b = true;
        assert_int_equal(parse_bool(f[i], &b), 0);
        assert_false(b);
    }
    for (size_t i = 0; i < ELEMENTSOF(bad); i++)
        assert_int_equal(parse_bool(bad[i], &b), -EINVAL);
}

static void test_parse_mac(void **state) {
    char mac[18];
    assert_int_equal(parse_mac("52:54:00:AB:cd:EF", mac), 0);
    assert_string_equal(mac, "52:54:00:ab:cd:ef");
    assert_int_equal(parse_mac("525400123456", mac), 0);
    assert_string_equal(mac, "52:54:00:12:34:56");
    assert_int_equal(parse_mac("52-54-00-12-34-56", mac), 0);
    assert_string_equal(mac, "52:54:00:12:34:56");
    assert_int_equal(parse_mac("02:00:00:00:00:00", mac), 0);
    assert_string_equal(mac, "02:00:00:00:00:00");

    /* multicast (low bit of the first byte) */
    assert_int_equal(parse_mac("01:00:5e:00:00:01", mac), -EDOM);
    assert_int_equal(parse_mac("ff:ff:ff:ff:ff:ff", mac), -EDOM);

    static const char *const bad[] = {
        "", "52:54:00:12:34", "52:54:00:12:34:56:78", "52:54:00:12:34:5g", "5254:00:12:34:56:",
        "52:54:00:1234:56", "52 54 00 12 34 56", "52:54:00:12:34:567", "5254001234",
    };
    for (size_t i = 0; i < ELEMENTSOF(bad); i++)
        assert_int_equal(parse_mac(bad[i], mac), -EINVAL);
}

static void test_parse_ip(void **state) {
    int fam = 0, prefix = 0;
    char *canon = NULL;

    assert_int_equal(parse_ip("10.0.0.1", false, &fam, &canon, &prefix), 0);
    assert_int_equal(fam, 4);
    assert_int_equal(prefix, -1);
    assert_string_equal(canon, "10.0.0.1");
    free(canon);

    assert_int_equal(parse_ip("2001:DB8:0:0::1", false, &fam, &canon, &prefix), 0);
    assert_int_equal(fam, 6);
    assert_string_equal(canon, "2001:db8::1");
    free(canon);

    assert_int_equal(parse_ip("192.168.122.1/24", true, &fam, &canon, &prefix), 0);
    assert_int_equal(fam, 4);
    assert_int_equal(prefix, 24);
    assert_string_equal(canon, "192.168.122.1/24");
    free(canon);

    assert_int_equal(parse_ip("FD00::1/64", true, &fam, &canon, &prefix), 0);
    assert_int_equal(fam, 6);
    assert_int_equal(prefix, 64);
    assert_string_equal(canon, "fd00::1/64");
    free(canon);

    /* the out-parameters are optional */
    assert_int_equal(parse_ip("::1", false, NULL, NULL, NULL), 0);

    canon = NULL;
    assert_int_equal(parse_ip("10.0.0.1/33", true, &fam, &canon, &prefix), -ERANGE);
    assert_int_equal(parse_ip("fd00::1/129", true, &fam, &canon, &prefix), -EINVAL);
    assert_int_equal(parse_ip("10.0.0.1", true, &fam, &canon, &prefix), -ENODATA);
    assert_int_equal(parse_ip("10.0.0.1/24", false, &fam, &canon, &prefix), -EINVAL);
    static const char *const bad[] = {
        "", "300.1.1.1", "10.0.0", "10.0.0.1.", "host.example", "10.0.0.1 ", "1:2:3",
    };
    for (size_t i = 0; i < ELEMENTSOF(bad); i++)
        assert_int_equal(parse_ip(bad[i], false, &fam, &canon, &prefix), -EINVAL);
    static const char *const bad_prefix[] = {
        "10.0.0.1/", "10.0.0.1/x", "10.0.0.1/-1", "10.0.0.1/ 8", "/24",
    };
    for (size_t i = 0; i < ELEMENTSOF(bad_prefix); i++)
        assert_int_equal(parse_ip(bad_prefix[i], true, &fam, &canon, &prefix), -EINVAL);
    assert_null(canon);   /* nothing allocated on failure */
}

static void test_valid_name(void **state) {
    char long_name[66];
    assert_true(valid_name("web1"));
    assert_true(valid_name("a.b+c_d-e"));
    assert_true(valid_name("X"));
    assert_true(valid_name("1"));
    assert_false(valid_name(""));
    assert_false(valid_name(".hidden"));
    assert_false(valid_name("-opt"));
    assert_false(valid_name("a b"));
    assert_false(valid_name("a/b"));
    assert_false(valid_name("a:b"));
    assert_false(valid_name("caf\xc3\xa9"));
    memset(long_name, 'a', 64);
    long_name[64] = 0;
    assert_true(valid_name(long_name));
    long_name[64] = 'a';
    long_name[65] = 0;
    assert_false(valid_name(long_name));
}

static void test_format_size(void **state) {
    static const struct { int64_t b; const char *want; } t[] = {
        { 0, "0 B" },
        { 1, "1 B" },
        { 1023, "1023 B" },
        { 1024, "1 KiB" },
        { 1536, "1536 B" },                 /* exact, never rounded */
        { MiB, "1 MiB" },
        { 512 * MiB, "512 MiB" },
        { 1536 * MiB, "1536 MiB" },
        { GiB, "1 GiB" },
        { 10 * GiB, "10 GiB" },
        { 1025 * KiB, "1025 KiB" },
        { TiB, "1 TiB" },
        { 64 * TiB, "64 TiB" },
        { 1000000000LL, "1000000000 B" },    /* 10^9 is not a whole number of KiB */
    };
    for (size_t i = 0; i < ELEMENTSOF(t); i++) {
        char *s = format_size(t[i].b);
        assert_string_equal(s, t[i].want);
        free(s);
    }
}

/* format_size's output is what parse_size reads back. */
static void test_format_size_round_trip(void **state) {
    static const int64_t sizes[] = { 7, 1024, 3 * MiB, 5 * GiB + MiB, 2 * TiB, 123456789 };
    for (size_t i = 0; i < ELEMENTSOF(sizes); i++) {
        char *s = format_size(sizes[i]);
        int64_t back = -1;
        assert_int_equal(parse_size(s, 1, &back), 0);
        assert_int_equal(back, sizes[i]);
        free(s);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_size_units),
        cmocka_unit_test(test_parse_size_bad),
        cmocka_unit_test(test_parse_bool),
        cmocka_unit_test(test_parse_mac),
        cmocka_unit_test(test_parse_ip),
        cmocka_unit_test(test_valid_name),
        cmocka_unit_test(test_format_size),
        cmocka_unit_test(test_format_size_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
