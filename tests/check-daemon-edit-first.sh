#!/bin/bash
# An edit goes before the passes already queued: a spec edited while the daemon's first pass
# over thousands of domains runs is reconciled next, not after all of them (before, its pass
# waited at its place in the queue: up to the whole first pass, seconds at 10,000 specs).
# Libvirt's in-process test driver, 5,000 specs: while the first pass creates them in order,
# e4999 is edited, then ten more at once; they are created long before e2500 (with the edited
# memory), the ten in table order.
# Usage: check-daemon-edit-first.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
dpid=
trap '[ -n "$dpid" ] && kill "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
chmod 0755 "$d"; mkdir -m 0755 "$d/s"
dom() { printf 'kind: Domain\nname: %s\nmemory: %s\ngraphics: {type: none}\nstate: shutoff\n' "$1" "$2"; }
for i in $(seq -w 1 5000); do dom "e$i" 64MiB > "$d/s/e$i.yaml"; done
chmod 0644 "$d/s"/*.yaml
printf 'debounce_ms = 50\nresync_interval = 86400\nconcurrency = 1\n' > "$d/daemon.conf"   # passes end in the order they start
"$vs" daemon --config "$d/daemon.conf" -c test:///default --specs "$d/s" \
    --status-file "$d/status.json" > "$d/daemon.log" 2>&1 &
dpid=$!
line() { grep -n -m1 -- "$1" "$d/daemon.log" | cut -d: -f1; }
ok "the first pass starts creating" wait_for 60 grep -q "Domain e0001: + create" "$d/daemon.log"
dom e4999 96MiB > "$d/s/.e4999.tmp"; chmod 0644 "$d/s/.e4999.tmp"; mv "$d/s/.e4999.tmp" "$d/s/e4999.yaml"
# ten more edited at once (one process renames them into place), e4980…e4989: created next, in
# table order (not the other way round) — also when a loaded machine reads the burst as two
# (a later edit does not overtake an earlier one's queued passes: check-daemon-edit-fifo.sh)
mkdir -m 0755 "$d/stage"
for i in $(seq 4980 4989); do dom "e$i" 96MiB > "$d/stage/e$i.yaml"; done
chmod 0644 "$d/stage"/*.yaml; mv "$d/stage"/*.yaml "$d/s/"
ok "the first pass ends" wait_for 120 grep -q "first pass over every object done" "$d/daemon.log"
edited=$(line "Domain e4999: + create") mid=$(line "Domain e2500: + create")
ok "the edited e4999 is created before e2500 (log lines ${edited:-none} and ${mid:-none})" \
    test -n "$edited" -a -n "$mid" -a "${edited:-0}" -lt "${mid:-0}"
batch=$(grep -o "Domain e498[0-9]: + create" "$d/daemon.log" | cut -d' ' -f2 | tr -d : | tr '\n' ' ')
ok "the ten edited at once are created in table order ($batch)" test "$batch" = "$(printf 'e%s ' $(seq 4980 4989))"
first10=$(line "Domain e4980: + create")
ok "…before e2500 (e4980 at log line ${first10:-none})" test -n "$first10" -a "${first10:-0}" -lt "${mid:-0}"
dom e4999 64MiB > "$d/s/.e4999.tmp"; chmod 0644 "$d/s/.e4999.tmp"; mv "$d/s/.e4999.tmp" "$d/s/e4999.yaml"
ok "…with the edited memory (set back: 96 MiB → 64 MiB)" \
    wait_for 10 grep -q "Domain e4999: ~ memory: 96 MiB → 64 MiB" "$d/daemon.log"
kill -TERM "$dpid"; wait "$dpid"; rc=$?; dpid=
ok "the daemon stops with status 0 (got $rc)" test "$rc" = 0
finish
