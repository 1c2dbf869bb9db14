#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# export of a foreign domain with a NoCloud seed: the seed is left as the cdrom it is, an ISO file
# (cdroms[].path) or a pool volume (cdroms[].volume, cdroms[].pool); the exported spec has no
# cloud_init and renders the same cdroms. A domain of a custom node file for libvirt's in-process
# test driver. Usage: check-export-seed.sh VIRTSPEC
source "$(dirname "$0")/check-lib.sh"
cdrom() {   # cdrom DEV SOURCE-ATTRIBUTES TYPE
    printf "<disk type='%s' device='cdrom'><driver name='qemu' type='raw'/><source %s/>" "$3" "$2"
    printf "<target dev='%s' bus='sata'/><readonly/></disk>\n" "$1"
}
{
    printf "<node><domain type='test'><name>old-vm</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
    printf "<os><type arch='x86_64' machine='q35'>hvm</type></os><devices>\n"
    cdrom sda "file='/var/lib/libvirt/images/old-vm-cidata.iso'" file
    cdrom sdb "pool='default' volume='old-vm-seed.iso'" volume
    printf "</devices></domain></node>\n"
} > "$d/node.xml"
# (exit 1: the test driver's domain type "test" has no spec form; the spec is still written)
"$vs" export -c "test://$d/node.xml" old-vm > "$d/old-vm.yaml" 2> "$d/export.err"
ok "a seed ISO file stays a cdrom with its path" \
    grep -qF '{path: /var/lib/libvirt/images/old-vm-cidata.iso, dev: sda' "$d/old-vm.yaml"
ok "a seed volume stays a cdrom with its pool and volume" \
    grep -qF '{dev: sdb, bus: sata, volume: old-vm-seed.iso, pool: default}' "$d/old-vm.yaml"
ok "no cloud_init is made up" bash -c "! grep -q cloud_init '$d/old-vm.yaml'"
"$vs" render --insecure-spec-perms "$d/old-vm.yaml" > "$d/render.xml" 2>&1
ok "the exported spec renders the same cdrom sources" bash -c \
    "grep -qF 'file=\"/var/lib/libvirt/images/old-vm-cidata.iso\"' '$d/render.xml' &&
     grep -qF 'volume=\"old-vm-seed.iso\" pool=\"default\"' '$d/render.xml'"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
