#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The daemon logs each problem of the spec tree once while it stays in force: an edit of another
# file does not log the tree's problems again (before, every edit pass logged every problem in
# force: a tree with one broken file repeated its error on each edit anywhere). SIGHUP logs them
# all again; a new problem is logged when it comes; a file whose errors went says so.
# Libvirt's in-process test driver.
# Usage: check-daemon-problems-once.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
dpid=
trap '[ -n "$dpid" ] && kill "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
chmod 0755 "$d"; mkdir -m 0755 "$d/s"
dom() { printf 'kind: Domain\nname: %s\nmemory: %s\ngraphics: {type: none}\nstate: shutoff\n' "$1" "$2"; }
count() { grep -c -- "$1" "$d/daemon.log"; }
count_is() { [ "$(count "$2")" = "$1" ]; }   # count_is N PATTERN: counted anew on each call (for wait_for)
is() {   # is DESCRIPTION EXPECTED ACTUAL
    ok "$1 (expected $2, got $3)" test "$2" = "$3"
}
dom a 64MiB | put "$d/s/a.yaml"
dom c 64MiB | put "$d/s/c.yaml"
printf 'kind: Domain\nname: b\nmemory: lots\n' | put "$d/s/b.yaml"    # never good
printf 'debounce_ms = 50\nresync_interval = 86400\n' > "$d/daemon.conf"
"$vs" daemon --config "$d/daemon.conf" -c test:///default --specs "$d/s" \
    --status-file "$d/status.json" > "$d/daemon.log" 2>&1 &
dpid=$!
berr='b.yaml:3:9: .*(last good version stays in force)'
ok "the first pass ends" wait_for 30 grep -q "first pass over every object done" "$d/daemon.log"
is "b.yaml's error is logged at start" 1 "$(count "$berr")"
mem=64
for m in 96 128 160; do
    dom a "${m}MiB" | put "$d/s/a.yaml"
    ok "edit a to $m MiB: redefined" wait_for 10 grep -q "Domain a: ~ memory: $mem MiB → $m MiB" "$d/daemon.log"
    mem=$m
done
is "three edits of a.yaml: b.yaml's error is still logged once" 1 "$(count "$berr")"

printf 'kind: Domain\nname: c\nmemory: 64MiB\ngraphics: {type: none}\nstate: shutoff\nbogus: 1\n' | put "$d/s/c.yaml"
cerr="c.yaml:6:1: .*(last good version stays in force)"
ok "a new version of c.yaml refused: its error is logged" wait_for 10 grep -q "$cerr" "$d/daemon.log"
dom a 192MiB | put "$d/s/a.yaml"
ok "edit a again: redefined" wait_for 10 grep -q "Domain a: ~ memory: 160 MiB → 192 MiB" "$d/daemon.log"
is "…c.yaml's error logged once" 1 "$(count "$cerr")"
is "…b.yaml's error still once" 1 "$(count "$berr")"

kill -HUP "$dpid"
ok "SIGHUP: b.yaml's error is logged again" wait_for 10 count_is 2 "$berr"
ok "…and c.yaml's" wait_for 10 count_is 2 "$cerr"

dom b 64MiB | put "$d/s/b.yaml"
ok "b.yaml fixed: it says so" wait_for 10 grep -q "b.yaml: no errors any more" "$d/daemon.log"
ok "…domain b is created" wait_for 10 grep -q "Domain b: + create" "$d/daemon.log"
is "…c.yaml's error is not logged again by b's fix" 2 "$(count "$cerr")"
is "…nor b.yaml's" 2 "$(count "$berr")"
ok "c.yaml still has errors: no such line for it" bash -c "! grep -q 'c.yaml: no errors any more' '$d/daemon.log'"
kill -TERM "$dpid"; wait "$dpid"; dpid=
finish
