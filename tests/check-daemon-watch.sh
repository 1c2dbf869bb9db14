#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The daemon's edit passes read only what inotify named (docs/performance.md), and still pick up
# every kind of change: an edit, a new file, a renamed file, a deleted file, an edited template
# (its users re-evaluated), a directory moved in and out, and an inotify queue overflow (events
# lost: IN_Q_OVERFLOW makes a walk of the whole tree). The periodic resync is kept out of the
# way (once a day), so only the watcher can find these. Libvirt's in-process test driver.
# Usage: check-daemon-watch.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
dpid=
trap '[ -n "$dpid" ] && kill -CONT "$dpid" 2>/dev/null && kill "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
chmod 0755 "$d"; mkdir -m 0755 "$d/s" "$d/out"
dom() { printf 'kind: Domain\nname: %s\nmemory: %s\ngraphics: {type: none}\nstate: shutoff\n' "$1" "$2"; }
logged() { grep -q -- "$1" "$d/daemon.log"; }
passes() { grep -c "pass over $1" "$d/daemon.log"; }

dom m1 128MiB | put "$d/s/a.yaml"
printf 'kind: Template\nname: tpl\nmemory: 256MiB\ngraphics: {type: none}\nstate: shutoff\n' | put "$d/s/t.yaml"
printf 'kind: Domain\nname: u1\nfrom: [tpl]\n' | put "$d/s/u1.yaml"
printf 'kind: Domain\nname: u2\nfrom: [tpl]\n' | put "$d/s/u2.yaml"
for i in $(seq 20); do dom "x$i" 64MiB | put "$d/s/x$i.yaml"; done
printf 'debounce_ms = 50\nresync_interval = 86400\n' > "$d/daemon.conf"
VIRTSPEC_LOG_LEVEL=debug "$vs" daemon --config "$d/daemon.conf" -c test:///default --specs "$d/s" \
    --status-file "$d/status.json" > "$d/daemon.log" 2>&1 &
dpid=$!
ok "the first pass ends" wait_for 20 logged "first pass over every object done"
walks=$(passes "the tree")

sleep 0.5
at=$(wc -l < "$d/daemon.log")
dom m1 160MiB | put "$d/s/a.yaml"
ok "an edit is applied" wait_for 10 logged "m1.*memory: 128 MiB → 160 MiB"
ok "…by a pass over the one file named" logged "pass over 1 file: 1 changed"
sleep 0.5
ok "…only m1 is reconciled again" bash -c "! tail -n +$((at + 1)) '$d/daemon.log' | grep -q 'Domain [^m]'"
dom m2 96MiB | put "$d/s/b.yaml"
ok "a new file: its domain is created" wait_for 10 logged "Domain m2: + create"
mv "$d/s/b.yaml" "$d/s/c.yaml"
ok "a renamed file: status names the new file" wait_for 10 grep -q '"file": ".*/s/c.yaml"' "$d/status.json"
ok "…its domain is not taken as removed" bash -c "! grep -q 'm2: spec removed' '$d/daemon.log'"
rm "$d/s/a.yaml"
ok "a deleted file: its domain is an orphan" wait_for 10 logged "Domain m1: spec removed; object kept (orphaned)"
printf 'kind: Template\nname: tpl\nmemory: 320MiB\ngraphics: {type: none}\nstate: shutoff\n' | put "$d/s/t.yaml"
ok "a template edit: its first user is re-evaluated" wait_for 10 logged "u1.*memory: 256 MiB → 320 MiB"
ok "…and the second" wait_for 10 logged "u2.*memory: 256 MiB → 320 MiB"
mkdir -m 0755 "$d/out/sub"; dom m3 64MiB | put "$d/out/sub/m3.yaml"
mv "$d/out/sub" "$d/s/sub"
ok "a directory moved in: its spec's domain is created" wait_for 10 logged "Domain m3: + create"
mv "$d/s/sub" "$d/out/sub2"
ok "a directory moved out: its spec's domain is an orphan" wait_for 10 logged "Domain m3: spec removed"

# overflow: with the daemon stopped, more events than the queue holds (16384 by default: each
# file makes IN_CREATE, IN_CLOSE_WRITE, IN_DELETE), then a new spec whose events are lost
sleep 0.5
walks=$(passes "the tree")
kill -STOP "$dpid"
max=$(cat /proc/sys/fs/inotify/max_queued_events 2>/dev/null || echo 16384)
python3 - "$d/s" "$max" <<'EOF'
import os, sys
d, n = sys.argv[1], int(sys.argv[2]) // 3 + 100
for i in range(n):
    p = os.path.join(d, "f%d.txt" % i)
    open(p, "w").close()
    os.unlink(p)
EOF
dom m4 64MiB | put "$d/s/e.yaml"
kill -CONT "$dpid"
ok "queue overflow: the tree is walked" wait_for 20 bash -c "[ \$(grep -c 'pass over the tree' '$d/daemon.log') -gt $walks ]"
ok "…and the spec whose events were lost is applied" wait_for 10 logged "Domain m4: + create"
kill -TERM "$dpid"; wait "$dpid"; dpid=

# the root spelled "." (a daemon started in a checkout with --specs .): its edits are seen too
# (the root was watched only as its own parent's entry, whose events name other files: dropped)
mkdir -m 0755 "$d/dot"
dom n1 64MiB | put "$d/dot/n.yaml"
(cd "$d/dot" && exec "$vs" daemon --config "$d/daemon.conf" -c test:///default --specs . \
    --status-file "$d/status2.json" > "$d/daemon2.log" 2>&1) &
dpid=$!
ok "--specs .: the first pass ends" wait_for 30 grep -q "first pass over every object done" "$d/daemon2.log"
dom n1 96MiB | put "$d/dot/n.yaml"
ok "--specs .: an edit is applied by the watch" wait_for 10 grep -q "Domain n1: ~ memory: 64 MiB → 96 MiB" "$d/daemon2.log"
kill -TERM "$dpid"; wait "$dpid"; dpid=
finish
