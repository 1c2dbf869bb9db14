/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "unit-test.h"

#include "spec-table.h"
#include "spec-value.h"

/* Every row of every table, recursively, with the path a user writes. */
typedef void (*RowCheck)(const KeyTable *t, const KeyDef *k, const char *path, size_t base_size,
                         unsigned *count);

static void walk(const KeyTable *t, const char *prefix, size_t base_size, RowCheck check,
                 unsigned *count) {
    for (size_t i = 0; i < t->n_keys; i++) {
        const KeyDef *k = &t->keys[i];
        char *path = prefix ? xasprintf("%s.%s", prefix, k->key) : xstrdup(k->key);
        check(t, k, path, base_size, count);
        (*count)++;
        if (k->type == VT_MAP && k->sub)   /* a boxed map's rows count from its section */
            walk(k->sub, path, (k->flags & KEY_BOXED) ? k->sub->item_size : base_size, check, count);
        else if (k->type == VT_LIST && k->sub) {
            char *ipath = xasprintf("%s[]", path);
            walk(k->sub, ipath, k->sub->item_size, check, count);
            free(ipath);
        }
        free(path);
    }
}

static const struct { const KeyTable *t; size_t size; } kinds[] = {
    { &domain_table, sizeof(DomainSpec) },
    { &network_table, sizeof(NetworkSpec) },
    { &pool_table, sizeof(PoolSpec) },
};

static unsigned walk_all(RowCheck check) {
    unsigned count = 0;
    for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
        walk(kinds[i].t, NULL, kinds[i].size, check, &count);
    return count;
}

static void fail_row(const char *path, const char *what) {
    fail_msg("key '%s': %s", path, what);
}

static void check_default(const KeyTable *t, const KeyDef *k, const char *path, size_t base_size,
                          unsigned *count) {
    if (!k->def)
        return;
    if (k->type == VT_MAP || k->type == VT_LIST || k->type == VT_ENUM_LIST)
        fail_row(path, "maps and lists cannot have a default");
    YNode n = { .type = YNODE_SCALAR, .value = (char *) k->def };
    Value v = {};
    char *msg = NULL;
    int r = value_parse(k, &n, &v, &msg);
    if (r < 0)
        fail_msg("key '%s': default '%s' does not parse: %s", path, k->def, msg);
    assert_null(msg);
    assert_true(v.set);
    assert_non_null(v.s);
    /* parsing the canonical text again gives the same value */
    Value again = {};
    YNode n2 = { .type = YNODE_SCALAR, .value = v.s };
    if (k->type != VT_SIZE || k->unit == 1) {
        assert_int_equal(value_parse(k, &n2, &again, &msg), 0);
        assert_string_equal(again.s, v.s);
        assert_int_equal(value_int(&again), value_int(&v));
    }
    value_clear(&again);
    value_clear(&v);
    if (k->flags & KEY_REQUIRED)
        fail_row(path, "a required key with a default");
}

static void check_shape(const KeyTable *t, const KeyDef *k, const char *path, size_t base_size,
                        unsigned *count) {
    if (!k->key || !*k->key)
        fail_row(path, "no key name");
    if (!k->doc || !*k->doc)
        fail_row(path, "no doc line");
    if (!change_class_to_string(k->change))
        fail_row(path, "bad change class");
    /* the field lies inside the struct the row belongs to */
    size_t field = k->type == VT_LIST || k->type == VT_ENUM_LIST ? sizeof(List)
                   : (k->flags & KEY_BOXED) ? sizeof(void *) : sizeof(Value);
    if (k->offset + field > base_size)
        fail_row(path, "offset outside its struct");
    /* keys are unique within their table */
    for (size_t j = 0; j < t->n_keys; j++)
        if (&t->keys[j] != k && streq(t->keys[j].key, k->key))
            fail_row(path, "key appears twice in its table");

    switch (k->type) {
    case VT_ENUM_LIST:
        if (!k->choices) {
            /* a list of free strings: needs a length limit */
            if (k->max <= 0)
                fail_row(path, "string list without a length limit");
            break;
        }
        __attribute__((fallthrough));   /* a fixed list: its choices as for an enum */
    case VT_ENUM:
        if (!k->choices || !k->choices[0])
            fail_row(path, "enum without choices");
        for (size_t a = 0; k->choices[a]; a++)
            for (size_t b = 0; b < a; b++)
                if (streq(k->choices[a], k->choices[b]))
                    fail_row(path, "enum choice listed twice");
        break;
    case VT_MAP:
        if (!k->sub || k->sub->n_keys == 0)
            fail_row(path, "map without a sub table");
        if (k->sub->xml_elem || (k->sub->item_size != 0) != !!(k->flags & KEY_BOXED))
            fail_row(path, "a map's sub table is not a list table (item_size: boxed maps only)");
        if ((k->flags & KEY_BOXED) && (k->flags & (KEY_ALWAYS | KEY_SHORTHAND)))
            fail_row(path, "a boxed map is allocated when written: not KEY_ALWAYS nor KEY_SHORTHAND");
        if ((k->flags & KEY_BOXED) && k->sub->item_size > sizeof(spec_zero_section))
            fail_row(path, "a boxed section larger than spec_zero_section");
        break;
    case VT_LIST:
        if (!k->sub || k->sub->n_keys == 0)
            fail_row(path, "list without a sub table");
        if (!k->sub->xml_elem || !*k->sub->xml_elem)
            fail_row(path, "list sub table without xml_elem");
        if (k->sub->item_size == 0)
            fail_row(path, "list sub table without item_size");
        if (!k->sub->doc)
            fail_row(path, "list sub table without doc");
        break;
    case VT_INT:
        if (k->max != 0 && k->min > k->max)
            fail_row(path, "min above max");
        break;
    case VT_SIZE:
        if (k->unit <= 0)
            fail_row(path, "size without a unit for plain numbers");
        if (k->max != 0 && k->min > k->max)
            fail_row(path, "min above max");
        break;
    default:
        if (k->sub)
            fail_row(path, "a scalar with a sub table");
        if (k->choices)
            fail_row(path, "choices on a non-enum row");
    }
    if ((k->flags & (KEY_ALWAYS | KEY_BOXED)) && k->type != VT_MAP)
        fail_row(path, "KEY_ALWAYS or KEY_BOXED on a non-map row");
    if ((k->flags & KEY_ITEM_KEY) && base_size != t->item_size)
        fail_row(path, "KEY_ITEM_KEY outside a list item");
}

static void test_every_default_parses(void **state) {
    unsigned n = walk_all(check_default);
    assert_true(n > 100);   /* the walk really went through the sub tables */
}

static void test_every_row_well_formed(void **state) {
    walk_all(check_shape);
}

static unsigned rows_with_default;
static void count_defaults(const KeyTable *t, const KeyDef *k, const char *path, size_t base_size,
                           unsigned *count) {
    rows_with_default += k->def != NULL;
}

static void test_walk_reaches_nested(void **state) {
    /* spot-check rows deep in the tree, so a broken walk cannot pass the checks above vacuously */
    const KeyDef *dhcp = key_table_find(&network_table, "dhcp");
    assert_non_null(dhcp);
    assert_int_equal(dhcp->type, VT_MAP);
    const KeyDef *hosts = key_table_find(dhcp->sub, "hosts");
    assert_non_null(hosts);
    assert_int_equal(hosts->type, VT_LIST);
    assert_string_equal(hosts->sub->xml_elem, "ip/dhcp/host");
    assert_non_null(key_table_find(hosts->sub, "mac"));
    const KeyDef *disks = key_table_find(&domain_table, "disks");
    assert_string_equal(disks->sub->xml_elem, "devices/disk");
    const KeyDef *bus = key_table_find(disks->sub, "bus");
    assert_string_equal(bus->def, "virtio");
    rows_with_default = 0;
    walk_all(count_defaults);
    assert_true(rows_with_default > 30);
}

static void test_suggest(void **state) {
    assert_string_equal(key_table_suggest(&domain_table, "memroy"), "memory");
    assert_string_equal(key_table_suggest(&domain_table, "memory"), "memory");
    assert_string_equal(key_table_suggest(&domain_table, "cpu"), "cpu");
    assert_string_equal(key_table_suggest(&domain_table, "cpuss"), "cpus");
    assert_string_equal(key_table_suggest(&domain_table, "max_memroy"), "max_memory");
    assert_string_equal(key_table_suggest(&domain_table, "autstart"), "autostart");
    assert_string_equal(key_table_suggest(&network_table, "fowrard"), "forward");
    assert_string_equal(key_table_suggest(&pool_table, "pth"), "path");
    assert_null(key_table_suggest(&domain_table, "zzzzzzzz"));
    assert_null(key_table_suggest(&domain_table, "x"));
    assert_null(key_table_suggest(&pool_table, "description"));
    /* very long input: no crash, no suggestion */
    char long_key[200];
    memset(long_key, 'm', sizeof(long_key) - 1);
    long_key[sizeof(long_key) - 1] = 0;
    assert_null(key_table_suggest(&domain_table, long_key));
}

static void test_find_and_kinds(void **state) {
    assert_null(key_table_find(&domain_table, "memroy"));
    assert_int_equal(key_table_find(&domain_table, "memory")->type, VT_SIZE);
    assert_ptr_equal(spec_kind_table(KIND_DOMAIN), &domain_table);
    assert_ptr_equal(spec_kind_table(KIND_NETWORK), &network_table);
    assert_ptr_equal(spec_kind_table(KIND_POOL), &pool_table);
    assert_null(spec_kind_table(_KIND_MAX));
    assert_int_equal(spec_kind_from_string("Domain"), KIND_DOMAIN);
    assert_int_equal(spec_kind_from_string("Pool"), KIND_POOL);
    assert_true(spec_kind_from_string("domain") < 0);
    assert_string_equal(spec_kind_to_string(KIND_NETWORK), "Network");
    assert_null(spec_kind_to_string(_KIND_MAX));
    assert_string_equal(change_class_to_string(CHANGE_LIVE), "live");
    assert_string_equal(change_class_to_string(CHANGE_CONFIG), "config");
    assert_string_equal(change_class_to_string(CHANGE_IDENTITY), "identity");
    assert_string_equal(change_class_to_string(CHANGE_NONE), "none");
    assert_null(change_class_to_string(_CHANGE_MAX));
    /* name is the first field of every kind (spec-load.c relies on it) */
    for (size_t i = 0; i < ELEMENTSOF(kinds); i++) {
        assert_string_equal(kinds[i].t->keys[0].key, "name");
        assert_int_equal(kinds[i].t->keys[0].offset, 0);
        assert_true(kinds[i].t->keys[0].flags & KEY_REQUIRED);
    }
}

/* A Value is 16 bytes (docs/performance.md, memory): an integer's, a size's or a boolean's
 * number and an address's family are read from the canonical text value_parse leaves. */
static int64_t parsed_int(const KeyDef *k, const char *text, bool ip) {
    YNode n = { .type = YNODE_SCALAR, .value = (char *) text };
    Value v = {};
    char *msg = NULL;
    assert_int_equal(value_parse(k, &n, &v, &msg), 0);
    assert_null(msg);
    int64_t r = ip ? value_ip_family(&v) : value_int(&v);
    value_clear(&v);
    return r;
}

static void test_value_numbers(void **state) {
    assert_int_equal(sizeof(Value), 16);
    KeyDef i = { .key = "i", .type = VT_INT, .min = -100, .max = 100 };
    KeyDef sz = { .key = "sz", .type = VT_SIZE, .unit = 1024 * 1024 };
    KeyDef b = { .key = "b", .type = VT_BOOL };
    KeyDef ip = { .key = "ip", .type = VT_IP };
    assert_int_equal(parsed_int(&i, "-7", false), -7);
    assert_int_equal(parsed_int(&i, "100", false), 100);
    assert_int_equal(parsed_int(&sz, "2GiB", false), 2LL << 30);
    assert_int_equal(parsed_int(&sz, "512", false), 512LL << 20);
    assert_int_equal(parsed_int(&b, "yes", false), 1);
    assert_int_equal(parsed_int(&b, "off", false), 0);
    assert_int_equal(parsed_int(&ip, "10.0.0.1", true), 4);
    assert_int_equal(parsed_int(&ip, "FE80::1", true), 6);
    Value unset = {};
    assert_int_equal(value_int(&unset), 0);
    assert_int_equal(value_ip_family(&unset), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_default_parses),
        cmocka_unit_test(test_value_numbers),
        cmocka_unit_test(test_every_row_well_formed),
        cmocka_unit_test(test_walk_reaches_nested),
        cmocka_unit_test(test_suggest),
        cmocka_unit_test(test_find_and_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
