#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The daemon's edit prefetch (reconciler/edit-prefetch.h): a spec renamed into place has its
# domain read (handle, persistent XML, state) while the watch's quiet period runs; the pass takes
# what was read when it is young enough and no libvirt event came since, else reads afresh.
# Libvirt's in-process test driver, 20 specs. VIRTSPEC_DEBUG_PREFETCH_AGE_MS=1500: a read is young
# enough for 1.5 s (not 25 ms), so that a slow build (ASan) or a loaded machine takes it too;
# the burst held 3 s makes one too old all the same. VIRTSPEC_DEBUG_PREFETCH_DELAY_MS=300: each
# read takes 300 ms, far longer than the quiet period: the pass must wait for it.
# Usage: check-daemon-edit-prefetch.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
dpid=
trap '[ -n "$dpid" ] && kill "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
chmod 0755 "$d"; mkdir -m 0755 "$d/s"
dom() { printf 'kind: Domain\nname: %s\nmemory: %s\ngraphics: {type: none}\nstate: shutoff\n' "$1" "$2"; }
for i in $(seq -w 1 20); do dom "e$i" 64MiB | put "$d/s/e$i.yaml"; done
printf 'debounce_ms = 3000\nresync_interval = 86400\n' > "$d/daemon.conf"
VIRTSPEC_LOG_LEVEL=debug VIRTSPEC_DEBUG_PREFETCH_AGE_MS=1500 VIRTSPEC_DEBUG_PREFETCH_DELAY_MS=300 "$vs" daemon --config "$d/daemon.conf" -c test:///default --specs "$d/s" \
    --status-file "$d/status.json" > "$d/daemon.log" 2>&1 &
dpid=$!
ok "the first pass ends" wait_for 60 grep -q "first pass over every object done" "$d/daemon.log"

dom e05 96MiB | put "$d/s/e05.yaml"
ok "edit e05: redefined" wait_for 10 grep -q "Domain e05: ~ memory: 64 MiB → 96 MiB" "$d/daemon.log"
ok "…by a pass that took what was read while the edit settled" \
    grep -q "Domain e05: its pass takes what was read .* ms ago, after the edit" "$d/daemon.log"
age=$(sed -n 's/^Domain e05: its pass takes what was read \([0-9]*\) ms ago.*/\1/p' "$d/daemon.log")
ok "…having waited for the slow read (${age:-no} ms old, the read takes 300)" test "${age:-0}" -ge 300

# e06 renamed into place while e07 is being written in place (appended to, not closed, for 3.3 s):
# a write in progress holds the burst for debounce_ms (3 s), then e06's pass runs without e07, and
# what was read for e06 at the burst's start is too old to be patched
dom e06 96MiB > "$d/e06.new"; chmod 0644 "$d/e06.new"
python3 - "$d" <<'PY'
import os, sys, time
d = sys.argv[1]
fd = os.open(d + "/s/e07.yaml", os.O_WRONLY | os.O_APPEND)
os.rename(d + "/e06.new", d + "/s/e06.yaml")
for i in range(66):
    os.write(fd, b"# still writing\n")
    time.sleep(0.05)
os.close(fd)
PY
ok "edit e06 in a burst held by a write in progress: redefined" wait_for 10 grep -q "Domain e06: ~ memory: 64 MiB → 96 MiB" "$d/daemon.log"
ok "…after reading afresh: what was read at the burst's start is too old" \
    grep -q "Domain e06: what was read after the edit is not used (too old): read afresh" "$d/daemon.log"

# the same file written in place and closed (IN_CLOSE_WRITE) is a finished write too
dom e08 128MiB > "$d/s/e08.yaml"
ok "edit e08 in place: redefined" wait_for 10 grep -q "Domain e08: ~ memory: 64 MiB → 128 MiB" "$d/daemon.log"
ok "…by a pass that took what was read while the edit settled" \
    grep -q "Domain e08: its pass takes what was read" "$d/daemon.log"

# e07's close is read (the pass over it after its close event), and a pass of e07, had one been
# due, would have taken its 300 ms read by 0.6 s later (checked after e08's edit, which takes
# longer than that read too: a slow machine does not make the check pass without looking)
e07_read() { awk '/e07.yaml \(0x8\)/ { c = 1 } c && /pass over 1 file/ { f = 1 } END { exit !f }' "$d/daemon.log"; }
ok "e07's close is read" wait_for 10 e07_read
sleep 0.6
ok "e07, closed with only comments added, had no pass to take its read" \
    bash -c "! grep -q 'Domain e07: its pass takes\|Domain e07: ~' '$d/daemon.log'"

kill -TERM "$dpid"; wait "$dpid"; rc=$?; dpid=
ok "the daemon stops with status 0 (got $rc)" test "$rc" = 0
finish
