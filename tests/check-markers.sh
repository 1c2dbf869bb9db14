#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A marker that cannot be written fails the action (issue 15: with a full state directory,
# volumes were made without their .created markers, so they could never be cleaned up). The
# state directory is made unwritable by a file in its way. libvirt's in-process test driver.
# Usage: check-markers.sh VIRTSPEC
source "$(dirname "$0")/check-lib.sh"
chmod 0755 "$d"; mkdir -m 0755 "$d/s"
printf 'kind: Domain\nname: m1\nmemory: 64MiB\ndisks:\n  - {name: d1, pool: default-pool, size: 64MiB}\n' > "$d/s/a.yaml"
chmod 0644 "$d/s/a.yaml"; touch "$d/blocker"
VIRTSPEC_STATE_DIR=$d/blocker/state "$vs" apply -c test:///default "$d/s" > "$d/apply.out" 2>&1; rc=$?
ok "apply fails when the volume marker cannot be written" test "$rc" = 1
ok "…naming the marker and the reason, before the volume is made" bash -c \
    "grep -qF 'failed: cannot write the volume marker $d/blocker/state/volumes/default-pool/m1-d1.qcow2.created: Not a directory' '$d/apply.out' &&
     grep -qF '0 libvirt changes' '$d/apply.out'"
VIRTSPEC_STATE_DIR=$d/state "$vs" apply -c test:///default "$d/s" > "$d/apply2.out" 2>&1; rc=$?
ok "with a writable state directory the marker is written" bash -c \
    "[ $rc = 0 ] && test -f '$d/state/volumes/default-pool/m1-d1.qcow2.created'"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
