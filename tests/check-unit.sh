#!/bin/bash
# The installed unit passes `systemd-analyze verify`, and its offline security exposure stays at
# or below the figure recorded in docs/daemon.md. Usage: check-unit.sh BUILT-UNIT VIRTSPEC-BINARY
set -u
unit=$1 bin=$2
command -v systemd-analyze >/dev/null || { echo "systemd-analyze not installed"; exit 77; }
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
sed "s|^ExecStart=[^ ]*virtspec|ExecStart=$bin|" "$unit" > "$d/virtspec.service"
systemd-analyze verify "$d/virtspec.service" || { echo "FAIL: systemd-analyze verify"; exit 1; }
score=$(systemd-analyze security --offline=true "$d/virtspec.service" 2>/dev/null |
        sed -n 's/.*Overall exposure level for virtspec.service: \([0-9.]*\).*/\1/p')
echo "exposure score: $score"
awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 3.0) }' || { echo "FAIL: exposure $score > 3.0"; exit 1; }
echo "ok"
