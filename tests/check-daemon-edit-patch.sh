#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The daemon's edit pass patches the set of specs in force in place for the common edit (one
# spec's content changed, nothing across specs: docs/performance.md) and builds it again for the
# rest (a spec renamed, an interface given an ip:). VIRTSPEC_DEBUG_SET_CHECK=1 (check-lib.sh)
# makes the daemon compare each patched set with one built again and abort on a difference.
# Libvirt's in-process test driver, 300 specs.
# Usage: check-daemon-edit-patch.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
dpid=
trap '[ -n "$dpid" ] && kill "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
chmod 0755 "$d"; mkdir -m 0755 "$d/s"
dom() { printf 'kind: Domain\nname: %s\nmemory: %s\ngraphics: {type: none}\nstate: shutoff\n%s' "$1" "$2" "${3:-}"; }
count() { grep -c -- "$1" "$d/daemon.log"; }
more() {   # more PATTERN N: the log has more than N lines matching
    [ "$(count "$1")" -gt "$2" ]
}
for i in $(seq -w 1 300); do dom "e$i" 64MiB | put "$d/s/e$i.yaml"; done
printf 'debounce_ms = 50\nresync_interval = 86400\n' > "$d/daemon.conf"
VIRTSPEC_LOG_LEVEL=debug "$vs" daemon --config "$d/daemon.conf" -c test:///default --specs "$d/s" \
    --status-file "$d/status.json" > "$d/daemon.log" 2>&1 &
dpid=$!
ok "the first pass ends" wait_for 60 grep -q "first pass over every object done" "$d/daemon.log"

patched_edit() {   # patched_edit NAME OLD NEW: NAME's memory edited, the set patched in place
    local p c
    p=$(count "patched into the set in place")
    c=$(count "the set patched in place is the set built again")
    dom "$1" "${3}MiB" | put "$d/s/$1.yaml"
    ok "edit $1 to $3 MiB: the domain is redefined" wait_for 10 grep -q "$1: ~ memory: $2 MiB → $3 MiB" "$d/daemon.log"
    ok "…by a set patched in place" more "edit pass: 1 file patched into the set in place" "$p"
    ok "…which the check found equal to a set built again" more "the set patched in place is the set built again" "$c"
}
mem=64
for m in 96 128 160 192 224; do
    patched_edit e007 "$mem" "$m"
    mem=$m
done
ok "no edit built the set again" bash -c "! grep -q 'edit pass: the set built again' '$d/daemon.log'"

dom e300x 64MiB | put "$d/s/e300.yaml"
ok "a spec renamed: the set is built again" wait_for 10 grep -q "edit pass: the set built again (a spec renamed)" "$d/daemon.log"
ok "…the new name's domain is created" wait_for 10 grep -q "Domain e300x: + create" "$d/daemon.log"
ok "…the old name is an orphan" wait_for 10 grep -q "Domain e300: spec removed" "$d/daemon.log"

dom e008 64MiB "$(printf 'interfaces:\n  - {mac: "52:54:00:00:00:08", ip: 10.9.0.8}\n')" | put "$d/s/e008.yaml"
ok "an ip: added: the set is built again" wait_for 10 grep -q "edit pass: the set built again (a spec in a check across specs)" "$d/daemon.log"
ok "…its derived network is created" wait_for 10 grep -q "Network vs-10.9.0.0-24: + create" "$d/daemon.log"

p=$(count "patched into the set in place")
dom e009 80MiB | put "$d/s/e009.yaml"
ok "an edit after them: patched in place again" wait_for 10 more "edit pass: 1 file patched into the set in place" "$p"
ok "…the domain is redefined" wait_for 10 grep -q "e009: ~ memory: 64 MiB → 80 MiB" "$d/daemon.log"
# a broken file elsewhere in the tree (its new version refused, the last good one in force, and a
# file never good) does not make every edit build the set again
printf 'kind: Domain\nname: e010\nmemory: lots\n' | put "$d/s/e010.yaml"
ok "a broken file: refused" wait_for 10 grep -q "error: .*/e010.yaml:3:9: .*last good version stays in force" "$d/daemon.log"
printf 'kind: Domain\nname: bad1\nmemroy: 64MiB\n' | put "$d/s/bad1.yaml"
ok "a file never good: refused" wait_for 10 grep -q "error: .*/bad1.yaml:3:1: .*last good version stays in force" "$d/daemon.log"
patched_edit e011 64 96
patched_edit e011 96 112
dom e010 72MiB | put "$d/s/e010.yaml"
ok "the broken file fixed: its domain is redefined" wait_for 10 grep -q "e010: ~ memory: 64 MiB → 72 MiB" "$d/daemon.log"
ok "…by a set built again (its problems went)" grep -q "edit pass: the set built again (not only the specs of files without problems changed)" "$d/daemon.log"
ok "the daemon is still running" kill -0 "$dpid"
ok "no check found a difference" bash -c "! grep -q 'is not the set built again' '$d/daemon.log'"
finish
