/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* align: disks and cdroms without `dev` keep the device the observed definition has for their
 * source (issue #4), and the diff compares a disk's source. */
#include "unit-test.h"

#include <libxml/tree.h>
#include <stdio.h>

#include "align.h"
#include "diff.h"
#include "render.h"
#include "spec.h"
#include "xml-util.h"

static Spec *load(const char *body) {
    _cleanup_free_ char *text = xasprintf("kind: Domain\nname: t\nmemory: 64MiB\n%s", body);
    return unit_load_one("t.yaml", text);
}

/* A domain definition with these <disk> elements: "DEV=SOURCE" with SOURCE a volume of pool p
 * (t-NAME.qcow2), "DEV=/file" a file, "DEV=cdrom:/iso" or "DEV=cdrom:" a cdrom. */
static xmlDoc *observed(const char *const *disks) {
    char *acc = xstrdup("");
    for (size_t i = 0; disks[i]; i++) {
        const char *eq = strchr(disks[i], '=');
        _cleanup_free_ char *dev = xstrndup(disks[i], (size_t) (eq - disks[i]));
        const char *src = eq + 1;
        const char *bus = dev[0] == 'v' ? "virtio" : dev[0] == 'h' ? "ide" : "sata";
        char *e;
        if (!strncmp(src, "cdrom:", 6))
            e = src[6] ? xasprintf("<disk type='file' device='cdrom'><source file='%s'/>"
                                   "<target dev='%s' bus='%s'/><readonly/></disk>", src + 6, dev, bus)
                       : xasprintf("<disk type='file' device='cdrom'><target dev='%s' bus='%s'/>"
                                   "<readonly/></disk>", dev, bus);
        else if (src[0] == '/')
            e = xasprintf("<disk type='file' device='disk'><source file='%s'/>"
                          "<target dev='%s' bus='%s'/></disk>", src, dev, bus);
        else
            e = xasprintf("<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>"
                          "<source pool='p' volume='t-%s.qcow2'/>"
                          "<target dev='%s' bus='%s'/></disk>", src, dev, bus);
        char *n = xasprintf("%s%s", acc, e);
        free(acc);
        free(e);
        acc = n;
    }
    _cleanup_free_ char *x = xasprintf("<domain type='qemu'><name>t</name><devices>%s</devices></domain>", acc);
    free(acc);
    xmlDoc *d = xml_parse(x);
    assert_non_null(d);
    return d;
}

/* "NAME=DEV …" of the aligned spec's disks, then "cd=DEV …" of its cdroms */
static char *devs(const Spec *s) {
    const DomainSpec *d = &s->domain;
    char *acc = xstrdup("");
    for (size_t i = 0; i < d->disks.n + d->cdroms.n; i++) {
        char *n;
        if (i < d->disks.n) {
            const DiskSpec *k = &((const DiskSpec *) d->disks.items)[i];
            n = xasprintf("%s%s%s=%s", acc, *acc ? " " : "", k->name.s, k->dev.s);
        } else {
            const CdromSpec *c = &((const CdromSpec *) d->cdroms.items)[i - d->disks.n];
            n = xasprintf("%s%scd=%s", acc, *acc ? " " : "", c->dev.s);
        }
        free(acc);
        acc = n;
    }
    return acc;
}

static void check(const char *body, const char *const *have, const char *expect) {
    _cleanup_(spec_freep) Spec *s = load(body);
    _cleanup_(xmlFreeDocp) xmlDoc *obs = observed(have);
    _cleanup_(spec_freep) Spec *a = align_devices(s, obs, NULL);
    _cleanup_free_ char *got = devs(a);
    if (!streq(got, expect))
        fprintf(stderr, "expected '%s', got '%s'\n", expect, got);
    assert_string_equal(got, expect);
}

#define DISK(n) "  - {name: " n ", pool: p}\n"

static void test_removed_middle_disk_keeps_the_others(void **state) {
    check("disks:\n" DISK("a") DISK("c"), (const char *[]) { "vda=a", "vdb=b", "vdc=c", NULL },
          "a=vda c=vdc");
}

static void test_added_disk_takes_first_free_name(void **state) {
    check("disks:\n" DISK("a") DISK("c") DISK("d"), (const char *[]) { "vda=a", "vdc=c", NULL },
          "a=vda c=vdc d=vdb");
    /* moved in the spec: each keeps its device */
    check("disks:\n" DISK("c") DISK("a"), (const char *[]) { "vda=a", "vdc=c", NULL }, "c=vdc a=vda");
}

/* a disk detached from the definition that the running guest still has: its name is not free */
static void test_name_still_live_is_not_free(void **state) {
    _cleanup_(spec_freep) Spec *s = load("disks:\n" DISK("a") DISK("c") DISK("d"));
    _cleanup_(xmlFreeDocp) xmlDoc *obs = observed((const char *[]) { "vda=a", "vdc=c", NULL });
    _cleanup_(xmlFreeDocp) xmlDoc *live = observed((const char *[]) { "vda=a", "vdb=b", "vdc=c", NULL });
    assert_true(align_assigns_new(s, obs));
    _cleanup_(spec_freep) Spec *a = align_devices(s, obs, live);
    _cleanup_free_ char *got = devs(a);
    assert_string_equal(got, "a=vda c=vdc d=vdd");
    /* once d is defined at vdd it stays there */
    _cleanup_(xmlFreeDocp) xmlDoc *obs2 = observed((const char *[]) { "vda=a", "vdc=c", "vdd=d", NULL });
    assert_false(align_assigns_new(s, obs2));
    _cleanup_(spec_freep) Spec *b = align_devices(s, obs2, NULL);
    _cleanup_free_ char *got2 = devs(b);
    assert_string_equal(got2, "a=vda c=vdc d=vdd");
}

static void test_explicit_dev_wins(void **state) {
    /* c's device is taken by an explicit one: c takes the first free name */
    check("disks:\n  - {name: a, pool: p, dev: vdc}\n" DISK("c"),
          (const char *[]) { "vda=a", "vdc=c", NULL }, "a=vdc c=vda");
}

static void test_bus_change_takes_a_name_of_the_new_bus(void **state) {
    check("disks:\n  - {name: a, pool: p, bus: scsi}\n" DISK("b"),
          (const char *[]) { "vda=a", "vdb=b", NULL }, "a=sda b=vdb");
}

static void test_file_disks_and_cdroms(void **state) {
    check("disks:\n  - {name: x, path: /img/x}\n  - {name: z, path: /img/z}\n"
          "cdroms:\n  - {path: /iso/two}\n  - {}\n",
          (const char *[]) { "vda=/img/x", "vdb=/img/y", "vdc=/img/z", "hdc=cdrom:/iso/one",
                             "hdd=cdrom:/iso/two", "sda=cdrom:", NULL },
          "x=vda z=vdc cd=hdd cd=hdc");
}

static void test_without_observed_the_spec_stands(void **state) {
    _cleanup_(spec_freep) Spec *s = load("disks:\n" DISK("a") DISK("c"));
    _cleanup_(spec_freep) Spec *a = align_devices(s, NULL, NULL);
    assert_ptr_equal(a, s);
    _cleanup_free_ char *got = devs(a);
    assert_string_equal(got, "a=vda c=vdb");
    /* already where the spec puts them: no copy */
    _cleanup_(xmlFreeDocp) xmlDoc *obs = observed((const char *[]) { "vda=a", "vdb=c", NULL });
    _cleanup_(spec_freep) Spec *b = align_devices(s, obs, NULL);
    assert_ptr_equal(b, s);
}

static const Change *find_change(const Diff *d, const char *path) {
    for (size_t i = 0; i < d->n; i++)
        if (streq(d->items[i].path, path))
            return &d->items[i];
    return NULL;
}

/* The diff of spec s (rendered) against obs, with managed as the recorded managed-key list. */
static void diff_spec(const Spec *s, xmlDoc *obs, const char *managed, Diff *d) {
    RenderOpts o = { .show_secrets = true };
    _cleanup_(xmlFreeDocp) xmlDoc *want = NULL;
    assert_int_equal(render_spec(s, &o, &want), 0);
    diff_compute(KIND_DOMAIN, want, obs, managed, d);
}

/* The plan for removing b: exactly disks[vdb] goes. */
static void test_diff_removes_exactly_the_removed_disk(void **state) {
    _cleanup_(spec_freep) Spec *s = load("disks:\n" DISK("a") DISK("c"));
    _cleanup_(xmlFreeDocp) xmlDoc *obs = observed((const char *[]) { "vda=a", "vdb=b", "vdc=c", NULL });
    _cleanup_(spec_freep) Spec *a = align_devices(s, obs, NULL);
    Diff d;
    diff_spec(a, obs, "disks:vda disks:vdb disks:vdc", &d);
    const Change *rm = find_change(&d, "disks[vdb]");
    assert_non_null(rm);
    assert_int_equal(rm->op, OP_REMOVE);
    for (size_t i = 0; i < d.n; i++) {
        if (strstr(d.items[i].path, "vdc"))
            fprintf(stderr, "unexpected change %s\n", d.items[i].path);
        assert_null(strstr(d.items[i].path, "vdc"));
    }
    diff_clear(&d);
}

/* A different volume under the same device is a change of the disk's source (config class). */
static void test_diff_compares_the_source(void **state) {
    _cleanup_(spec_freep) Spec *s = load("disks:\n" DISK("a") "  - {name: d, pool: p, dev: vdb}\n");
    _cleanup_(xmlFreeDocp) xmlDoc *obs = observed((const char *[]) { "vda=a", "vdb=b", NULL });
    Diff d;
    diff_spec(s, obs, "disks:vda disks:vdb", &d);
    const Change *c = find_change(&d, "disks[vdb].source");
    assert_non_null(c);
    assert_int_equal(c->op, OP_SET);
    assert_int_equal(c->cls, CHANGE_CONFIG);
    assert_string_equal(c->old_value, "p/t-b.qcow2");
    assert_string_equal(c->new_value, "p/t-d.qcow2");
    assert_null(find_change(&d, "disks[vda].source"));
    diff_clear(&d);
    /* a path disk's file too */
    _cleanup_(spec_freep) Spec *f = load("disks:\n  - {name: x, path: /img/new}\n");
    _cleanup_(xmlFreeDocp) xmlDoc *fobs = observed((const char *[]) { "vda=/img/old", NULL });
    diff_spec(f, fobs, "disks:vda", &d);
    c = find_change(&d, "disks[vda].source");
    assert_non_null(c);
    assert_string_equal(c->old_value, "/img/old");
    assert_string_equal(c->new_value, "/img/new");
    diff_clear(&d);
}

/* export reads the disk name back from a volume name: the "+2d"/"+2b" escapes of '-' and '+'
 * decoded, so the exported spec renders the same volume; a legacy (0.1.0) name as it is. */
static void test_volume_name_decodes_to_the_disk_name(void **state) {
    static const char *const names[] = { "data-1", "a+b", "x", "a-+-b", "2d", "a+2db" };
    for (size_t i = 0; i < ELEMENTSOF(names); i++) {
        _cleanup_free_ char *body = xasprintf("disks:\n  - {name: \"%s\", pool: p, size: 1GiB}\n", names[i]);
        _cleanup_(spec_freep) Spec *s = load(body);
        const DiskSpec *dk = s->domain.disks.items;
        _cleanup_free_ char *vol = render_volume_name(&s->domain, &dk[0]);
        _cleanup_free_ char *back = render_volume_disk_name("t", "qcow2", vol);
        assert_non_null(back);
        assert_string_equal(back, names[i]);
    }
    _cleanup_free_ char *legacy = render_volume_disk_name("t", "qcow2", "t-data-1.qcow2");
    assert_string_equal(legacy, "data-1");
    _cleanup_free_ char *dashed = render_volume_disk_name("web-x", "raw", "web-x-a+2d1.raw");
    assert_string_equal(dashed, "a-1");
    assert_null(render_volume_disk_name("t", "qcow2", "u-data.qcow2"));
    assert_null(render_volume_disk_name("t", "qcow2", "t-data.raw"));
    assert_null(render_volume_disk_name("t", "qcow2", "t-.qcow2"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_removed_middle_disk_keeps_the_others),
        cmocka_unit_test(test_added_disk_takes_first_free_name),
        cmocka_unit_test(test_name_still_live_is_not_free),
        cmocka_unit_test(test_explicit_dev_wins),
        cmocka_unit_test(test_bus_change_takes_a_name_of_the_new_bus),
        cmocka_unit_test(test_file_disks_and_cdroms),
        cmocka_unit_test(test_without_observed_the_spec_stands),
        cmocka_unit_test(test_diff_removes_exactly_the_removed_disk),
        cmocka_unit_test(test_diff_compares_the_source),
        cmocka_unit_test(test_volume_name_decodes_to_the_disk_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
