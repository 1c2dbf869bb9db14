#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# export reads a disk's name back from its volume name DOMAIN-DISK.FORMAT with the "+2d" and "+2b"
# escapes of '-' and '+' decoded (render_volume_disk_name), so the exported spec renders the same
# volumes; a volume named the 0.1.0 way (unescaped) keeps its name. A domain of a custom node
# file for libvirt's in-process test driver. Usage: check-export-names.sh VIRTSPEC
source "$(dirname "$0")/check-lib.sh"
disk() {   # disk DEV VOLUME
    printf "<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>"
    printf "<source pool='default-pool' volume='%s'/><target dev='%s' bus='virtio'/></disk>\n" "$2" "$1"
}
{
    printf "<node><domain type='test'><name>web-x</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
    printf "<os><type arch='x86_64'>hvm</type></os><devices>\n"
    disk vda 'web-x-data+2d1.qcow2'; disk vdb 'web-x-a+2bb.qcow2'; disk vdc 'web-x-old-1.qcow2'
    printf "</devices></domain></node>\n"
} > "$d/node.xml"
# (exit 1: the test driver's domain type "test" has no spec form; the spec is still written)
"$vs" export -c "test://$d/node.xml" web-x > "$d/web-x.yaml" 2> "$d/export.err"
ok "the escapes of a disk name are decoded" bash -c \
    "grep -qF '{name: \"data-1\", pool: \"default-pool\"' '$d/web-x.yaml' &&
     grep -qF '{name: \"a+b\", pool: \"default-pool\"' '$d/web-x.yaml'"
ok "a volume named the 0.1.0 way gives its disk name as it is" \
    grep -qF '{name: "old-1", pool: "default-pool"' "$d/web-x.yaml"
"$vs" render "$d/web-x.yaml" > "$d/render.xml" 2>&1
ok "the exported spec renders the same volumes" bash -c \
    "grep -qF 'volume=\"web-x-data+2d1.qcow2\"' '$d/render.xml' &&
     grep -qF 'volume=\"web-x-a+2bb.qcow2\"' '$d/render.xml'"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
