#!/bin/bash
# An edit goes before the passes already queued: a spec edited while the daemon's first pass
# over thousands of domains runs is reconciled next, not after all of them (before, its pass
# waited at its place in the queue: up to the whole first pass, seconds at 10,000 specs).
# Libvirt's in-process test driver, 5,000 specs: while the first pass creates them in order,
# e4999 is edited; it is created long before e2500 (with the edited memory).
# Usage: check-daemon-edit-first.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
dpid=
trap '[ -n "$dpid" ] && kill "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
chmod 0755 "$d"; mkdir -m 0755 "$d/s"
dom() { printf 'kind: Domain\nname: %s\nmemory: %s\ngraphics: {type: none}\nstate: shutoff\n' "$1" "$2"; }
for i in $(seq -w 1 5000); do dom "e$i" 64MiB > "$d/s/e$i.yaml"; done
chmod 0644 "$d/s"/*.yaml
printf 'debounce_ms = 50\nresync_interval = 86400\n' > "$d/daemon.conf"
"$vs" daemon --config "$d/daemon.conf" -c test:///default --specs "$d/s" \
    --status-file "$d/status.json" > "$d/daemon.log" 2>&1 &
dpid=$!
line() { grep -n -m1 -- "$1" "$d/daemon.log" | cut -d: -f1; }
ok "the first pass starts creating" wait_for 60 grep -q "Domain e0001: + create" "$d/daemon.log"
dom e4999 96MiB > "$d/s/.e4999.tmp"; chmod 0644 "$d/s/.e4999.tmp"; mv "$d/s/.e4999.tmp" "$d/s/e4999.yaml"
ok "the first pass ends" wait_for 120 grep -q "first pass over every object done" "$d/daemon.log"
edited=$(line "Domain e4999: + create") mid=$(line "Domain e2500: + create")
ok "the edited e4999 is created before e2500 (log lines ${edited:-none} and ${mid:-none})" \
    test -n "$edited" -a -n "$mid" -a "${edited:-0}" -lt "${mid:-0}"
dom e4999 64MiB > "$d/s/.e4999.tmp"; chmod 0644 "$d/s/.e4999.tmp"; mv "$d/s/.e4999.tmp" "$d/s/e4999.yaml"
ok "…with the edited memory (set back: 96 MiB → 64 MiB)" \
    wait_for 10 grep -q "Domain e4999: ~ memory: 96 MiB → 64 MiB" "$d/daemon.log"
kill -TERM "$dpid"; wait "$dpid"; rc=$?; dpid=
ok "the daemon stops with status 0 (got $rc)" test "$rc" = 0
finish
