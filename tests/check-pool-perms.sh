#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A Pool on an existing directory keeps the directory's owner and mode unless the spec declares
# them, and plan says what is kept and what will change (issue 15: a 0700 directory of another
# user became root 0755 and plan only said "build"). libvirt's in-process test driver.
# Usage: check-pool-perms.sh VIRTSPEC
source "$(dirname "$0")/check-lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
chmod 0755 "$d"
mkdir -m 0700 "$d/dir"; chown 65534:65534 "$d/dir"; mkdir -m 0755 "$d/s"
printf 'kind: Pool\nname: p1\npath: %s\n' "$d/dir" > "$d/s/p1.yaml"
printf 'kind: Pool\nname: p2\npath: %s\nmode: "0750"\nowner: 0\n' "$d/dir" > "$d/s/p2.yaml"
printf 'kind: Pool\nname: p3\npath: %s\n' "$d/new" > "$d/s/p3.yaml"
chmod 0644 "$d/s"/*
"$vs" plan -c test:///default "$d/s" > "$d/plan.out" 2>&1
ok "plan says an existing directory's owner and mode are kept" \
    grep -qF "= directory $d/dir exists (owner 65534, group 65534, mode 0700): what the spec does not declare is kept" "$d/plan.out"
ok "plan shows a declared mode and owner that will change the directory" bash -c \
    "grep -qF '~ directory $d/dir: mode 0700 → 0750 (declared in the spec)' '$d/plan.out' &&
     grep -qF '~ directory $d/dir: owner 65534 → 0 (declared in the spec)' '$d/plan.out'"
ok "a new directory gets the spec's defaults, nothing said" bash -c \
    "sed -n '/^Pool p3/,/^Pool/p' '$d/plan.out' | grep -c directory | grep -qx 0"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
