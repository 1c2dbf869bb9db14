#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A volume's .created marker names the domain and disk it was created for: a domain never
# deletes (delete_volumes_on_removal) a volume whose marker names another domain. The daemon on
# libvirt's in-process test driver.
# Usage: check-volume-owner.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
dpid=
trap '[ -n "$dpid" ] && kill "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
chmod 0755 "$d"; mkdir -m 0755 "$d/s"
spec() { printf 'kind: Domain\nname: m1\nmemory: 64MiB\ngraphics: {type: none}\nstate: shutoff\ndelete_volumes_on_removal: true\ndisks:\n%s\n' "$1"; }
spec '  - {name: d1, pool: default-pool, size: 64MiB}' > "$d/s/a.yaml"; chmod 0644 "$d/s/a.yaml"
: > "$d/empty.conf"
VIRTSPEC_STATE_DIR=$d/state VIRTSPEC_LOG_LEVEL=debug "$vs" daemon --config "$d/empty.conf" -c test:///default \
    --specs "$d/s" --status-file "$d/status.json" > "$d/daemon.log" 2>&1 &
dpid=$!
m=$d/state/volumes/default-pool/m1-d1.qcow2.created
ok "the volume is created with its marker" wait_for 10 test -s "$m"
ok "…which names m1" grep -q "^domain m1 disk d1" "$m"
echo "domain other disk d1" > "$m"
sleep 1
printf 'kind: Domain\nname: m1\nmemory: 64MiB\ngraphics: {type: none}\nstate: shutoff\ndelete_volumes_on_removal: true\n' > "$d/s/.a.tmp"
chmod 0644 "$d/s/.a.tmp"; mv "$d/s/.a.tmp" "$d/s/a.yaml"
ok "the disk entry removed: the volume is kept, the marker names another domain" \
    wait_for 10 grep -q "m1-d1.qcow2 kept: virtspec created it for domain other disk d1" "$d/daemon.log"
ok "…not deleted" bash -c "! grep -q 'deleted volume default-pool/m1-d1' '$d/daemon.log'"
kill -TERM "$dpid"; wait "$dpid"; dpid=
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
