/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <libxml/parser.h>
#include <stdio.h>

#include "unit-test.h"

#include "snapshot.h"

/* snapshot_method_of_xml: which domains virtspec can snapshot (internal: every writable disk
 * qcow2, no pflash NVRAM; external+nvram with pflash), and why not; snapshot_default_name;
 * snapshot_overlay_name. Pure. */

#define DISK(fmt, extra) "<disk type='file' device='disk'><driver name='qemu' type='" fmt "'/>" \
    "<source file='/x'/><target dev='vda' bus='virtio'/>" extra "</disk>"

static const char *method(const char *os, const char *devices, char **why) {
    _cleanup_free_ char *x = xasprintf("<domain type='qemu'><name>d</name>%s<devices>%s</devices>"
                                       "</domain>", os, devices);
    *why = NULL;
    return snapshot_method_of_xml(x, why);
}

static void test_internal(void **state) {
    char *why;
    assert_string_equal(method("<os><type>hvm</type></os>", DISK("qcow2", ""), &why), "internal");
    assert_null(why);
    /* a read-only raw CD-ROM is left out by libvirt */
    assert_string_equal(method("<os><type>hvm</type></os>", DISK("qcow2", "")
                               "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>"
                               "<target dev='hdc' bus='ide'/><readonly/></disk>", &why), "internal");
    /* no disk at all: libvirt takes the memory state alone */
    assert_string_equal(method("<os><type>hvm</type></os>", "", &why), "internal");
}

static void test_refused(void **state) {
    char *why;
    assert_null(method("<os><type>hvm</type></os>", DISK("raw", ""), &why));
    assert_string_equal(why, "disk vda is raw: internal snapshots need every writable disk in qcow2");
    free(why);
    /* a raw disk marked read-only is left out, like a CD-ROM */
    assert_string_equal(method("<os><type>hvm</type></os>", DISK("raw", "<readonly/>"), &why),
                        "internal");
    static const char *const uefi[] = {
        "<os firmware='efi'><type>hvm</type></os>",
        "<os><type>hvm</type><loader readonly='yes' type='pflash'>/c.fd</loader></os>",
        "<os><type>hvm</type><nvram>/v.fd</nvram></os>",
    };
    /* pflash NVRAM: external disk-only snapshots plus an NVRAM copy; still qcow2 disks only */
    for (size_t i = 0; i < ELEMENTSOF(uefi); i++) {
        assert_string_equal(method(uefi[i], DISK("qcow2", ""), &why), "external+nvram");
        assert_null(method(uefi[i], DISK("raw", ""), &why));
        assert_string_equal(why, "disk vda is raw: external snapshots need every writable disk in "
                            "qcow2");
        free(why);
    }
    assert_null(snapshot_method_of_xml("<domain", &why));
    assert_string_equal(why, "its definition cannot be parsed");
    free(why);
}

static void test_overlay_name(void **state) {
    _cleanup_free_ char *a = snapshot_overlay_name("lab1-root.qcow2", "s1");
    assert_string_equal(a, "lab1-root@s1.qcow2");
    /* an overlay's overlay keeps the first stem: render.c knows the disk by it */
    _cleanup_free_ char *b = snapshot_overlay_name("lab1-root@s1.qcow2", "s2");
    assert_string_equal(b, "lab1-root@s2.qcow2");
    _cleanup_free_ char *c = snapshot_overlay_name("disk.img", "s1.r1");
    assert_string_equal(c, "disk.img@s1.r1.qcow2");
}

static void test_default_name(void **state) {
    _cleanup_free_ char *n = snapshot_default_name(1796546522);   /* 2026-12-06 08:42:02 UTC */
    assert_string_equal(n, "virtspec-20261206-084202");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_internal),
        cmocka_unit_test(test_overlay_name),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_default_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
