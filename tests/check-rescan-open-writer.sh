#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A full rescan (SIGHUP, the periodic resync: both tested) does not read a spec file a writer still holds
# open mid-write: the watcher saw its IN_MODIFY without IN_CLOSE_WRITE, so the file keeps its
# last good version until the writer closes it; then the finished file is applied. The daemon
# on libvirt's in-process test driver.
# Usage: check-rescan-open-writer.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
dpid=
trap '[ -n "$dpid" ] && kill "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
chmod 0755 "$d"; mkdir -m 0755 "$d/s"
head='kind: Domain\nname: m1\ngraphics: {type: none}\n'
printf "${head}memory: 128MiB\nstate: shutoff\n" > "$d/s/a.yaml"; chmod 0644 "$d/s/a.yaml"
printf 'debounce_ms = 200\nresync_interval = 5\n' > "$d/daemon.conf"
VIRTSPEC_LOG_LEVEL=debug "$vs" daemon --config "$d/daemon.conf" -c test:///default --specs "$d/s" \
    --status-file "$d/status.json" > "$d/daemon.log" 2>&1 &
dpid=$!
ok "the first pass ends" wait_for 10 grep -q "first pass over every object done" "$d/daemon.log"
ok "…m1 is created" grep -q "Domain m1: + create" "$d/daemon.log"

# the writer: truncates the file and writes a valid prefix (no memory, no state: the defaults
# would change the memory and start m1), then holds it open
exec 3> "$d/s/a.yaml"
printf "$head" >&3
sleep 1.5   # well past the debounce: the watcher holds the file back
kill -HUP "$dpid"
ok "SIGHUP: the rescan is done" wait_for 10 grep -q "reloading: rereading" "$d/daemon.log"
sleep 2     # a pass on the prefix would have started m1 and changed its memory by now
ok "…the open file is reported as held" \
    grep -q "a.yaml: open for writing: its last good version stays in force until it is closed" "$d/daemon.log"
ok "…m1 is not started (the prefix is not read)" bash -c "! grep -q 'Domain m1: ▶ start' '$d/daemon.log'"
ok "…its memory is not changed" bash -c "! grep -q 'm1.*memory' '$d/daemon.log'"
printf 'memory: 256MiB\nstate: shutoff\n' >&3
exec 3>&-
ok "the writer closes it: the finished file is applied (256 MiB)" \
    wait_for 10 grep -q "m1.*memory.*256" "$d/daemon.log"
ok "…m1 was never started" bash -c "! grep -q 'Domain m1: ▶ start' '$d/daemon.log'"
# the same across the periodic resync (every 5 s here)
exec 3> "$d/s/a.yaml"
printf "$head" >&3
n=$(grep -c "periodic resync" "$d/daemon.log")
ok "a writer holds it open again: the next periodic resync comes" \
    wait_for 8 bash -c "[ \$(grep -c 'periodic resync' '$d/daemon.log') -gt $n ]"
sleep 1
ok "…it holds the file too" test "$(grep -c "a.yaml: open for writing: its last good version" "$d/daemon.log")" -ge 2
ok "…m1 keeps 256 MiB" bash -c "! grep -q 'memory: 256 MiB → 512' '$d/daemon.log'"
printf 'memory: 192MiB\nstate: shutoff\n' >&3
exec 3>&-
ok "the writer closes it: 192 MiB applied" wait_for 10 grep -q "m1.*memory: 256 MiB → 192 MiB" "$d/daemon.log"
ok "…m1 was never started" bash -c "! grep -q 'Domain m1: ▶ start' '$d/daemon.log'"
kill -TERM "$dpid"; wait "$dpid"; dpid=
finish
