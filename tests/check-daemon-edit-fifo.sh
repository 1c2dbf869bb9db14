#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Edits go before the passes already queued, and among themselves in the order they came: a
# second edit does not overtake the first one's passes still queued, and a spec edited again
# while its pass is queued keeps its place (before, each edit went in front of the queue, so a
# steady stream of edits could hold back an earlier one; CI saw a burst split in two come out
# out of table order). Libvirt's in-process test driver, `concurrency = 1`: domain h's live
# memory change is held in flight (the plan shim's SHIM_HOLD_*) while two bursts come, z1…z4
# then a1…a4 with z1 again; when h's pass ends, the passes run z1 z2 z3 z4 a1 a2 a3 a4.
# Usage: check-daemon-edit-fifo.sh VIRTSPEC SHIM
. "$(dirname "$0")/check-lib.sh"
shim=${2:?usage: check-daemon-edit-fifo.sh VIRTSPEC SHIM}
case $shim in /*) ;; *) shim=$PWD/$shim ;; esac
dpid=
trap '[ -n "$dpid" ] && kill -9 "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
chmod 0755 "$d"; mkdir -m 0755 "$d/s" "$d/stage"
dom() { printf 'kind: Domain\nname: %s\nmemory: %s\ngraphics: {type: none}\nstate: shutoff\n' "$1" "$2"; }
for n in a1 a2 a3 a4 z1 z2 z3 z4; do dom "$n" 64MiB | put "$d/s/$n.yaml"; done
h() { printf 'kind: Domain\nname: h\nmax_memory: 1GiB\nmemory: %s\ngraphics: {type: none}\nstate: running\n' "$1"; }
h 64MiB | put "$d/s/h.yaml"
printf 'resync_interval = 86400\nconcurrency = 1\n' > "$d/daemon.conf"
hold=$d/hold   # while it exists, h's live memory change waits (the shim's SHIM_HOLD_*)
SHIM_HOLD_DOMAIN=h SHIM_HOLD_FILE=$hold LD_PRELOAD=$shim \
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" VIRTSPEC_LOG_LEVEL=debug \
    "$vs" daemon --config "$d/daemon.conf" -c test:///default --specs "$d/s" \
    --status-file "$d/status.json" > "$d/daemon.log" 2>&1 &
dpid=$!
log=$d/daemon.log
read_files() {   # the files the edit passes read so far (a burst may come as several passes)
    sed -n 's/.*pass over \([0-9]*\) files\{0,1\}: [0-9]* changed.*/\1/p' "$log" | awk '{ n += $1 } END { print n + 0 }'
}
read_since() { [ "$(read_files)" -ge $(($1 + $2)) ]; }   # read_since BEFORE N
reconciling() {   # reconciling NAME: the status file says NAME's pass is in flight
    python3 -c 'import json, sys
objs = json.load(open(sys.argv[1])).get("objects", [])
sys.exit(0 if any(o.get("name") == sys.argv[2] and o.get("reconciling") for o in objs) else 1)' "$d/status.json" "$1" 2>/dev/null
}
ok "the first pass ends" wait_for 30 grep -q "first pass over every object done" "$log"
touch "$hold"
h 96MiB | put "$d/s/h.yaml"
ok "h's live memory change is held in flight" wait_for 20 reconciling h
# one burst (one process renames the files into place), then a second once the first is read;
# on a loaded machine a burst may be read as two or more (the watch's quiet period is 1 ms):
# in the order of the renames, so the order expected below stays the same
for n in z1 z2 z3 z4; do dom "$n" 96MiB > "$d/stage/$n.yaml"; done
chmod 0644 "$d/stage"/*.yaml; was=$(read_files); mv "$d/stage"/*.yaml "$d/s/"
ok "the first burst is read (z1…z4), its passes queued" wait_for 20 read_since "$was" 4
for n in a1 a2 a3 a4; do dom "$n" 96MiB > "$d/stage/$n.yaml"; done
dom z1 128MiB > "$d/stage/z1.yaml"
chmod 0644 "$d/stage"/*.yaml; was=$(read_files); mv "$d/stage"/*.yaml "$d/s/"
ok "the second burst is read (a1…a4 and z1 again)" wait_for 20 read_since "$was" 5
ok "…h's pass is still in flight" reconciling h
ok "…no pass of the bursts ran meanwhile" bash -c '! grep -q "Domain [az][1-4]: ~" "$1"' _ "$log"
rm -f "$hold"
ok "h's pass ends" wait_for 20 grep -q "Domain h: ~ memory: 64 MiB → 96 MiB" "$log"
ok "the bursts' passes run" wait_for 20 grep -q "Domain a4: ~ memory: 64 MiB → 96 MiB" "$log"
order=$(grep -o "Domain [az][1-4]: ~ memory" "$log" | cut -d' ' -f2 | tr -d : | tr '\n' ' ')
ok "…in the order the edits came, each burst in table order ($order)" test "$order" = "z1 z2 z3 z4 a1 a2 a3 a4 "
ok "…z1, edited again while queued, kept its place: one pass, to the second edit's memory" \
    test "$(grep -c "Domain z1: ~ memory: 64 MiB → 128 MiB" "$log")" = 1
kill -TERM "$dpid"; wait "$dpid"; rc=$?; dpid=
ok "the daemon stops with status 0 (got $rc)" test "$rc" = 0
finish
