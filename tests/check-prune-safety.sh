#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# "Only objects whose spec says so are removed; prune never acts on a spec it could not read":
# apply --prune (and plan --prune) refuse, exit 1, unless the run read the whole configured spec
# tree without a rejected file or walk error (no other PATH, no lone file); the daemon with --prune never prunes while a spec file is rejected or the tree was read
# incompletely (the orphan stays reported, and why it is not pruned). Libvirt's test driver
# from a file: web2 carries virtspec's metadata (owned).
# Usage: check-prune-safety.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
dpid=
trap '[ -n "$dpid" ] && kill "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
chmod 0755 "$d"
owned_node_xml > "$d/node.xml"
# no grace (check-daemon-prune-burst.sh tests it): a prune would come in the pass that finds the
# orphan, so the "not pruned" checks right after the first pass can fail
printf 'prune_grace = 0\n' > "$d/daemon.conf"
web2() { printf 'kind: Domain\nname: web2\nmemory: 64MiB\ngraphics: {type: none}\n'; }

## the daemon (F2): nothing pruned at startup while a file is rejected or the tree is read partly
# start_daemon TREE: daemon --prune on TREE, log in $d/daemon.log
start_daemon() {
    VIRTSPEC_LOG_LEVEL=debug "$vs" daemon --prune --config "$d/daemon.conf" -c "test://$d/node.xml" --specs "$1" \
        --status-file "$d/status.json" > "$d/daemon.log" 2>&1 &
    dpid=$!
}
stop_daemon() { kill -TERM "$dpid"; wait "$dpid"; dpid=; }
mkdir -m 0755 "$d/s1" "$d/s2" "$d/outside"
web2 | sed 's/64MiB/[/' > "$d/s1/web2.yaml"; chmod 0644 "$d/s1/web2.yaml"
start_daemon "$d/s1"
ok "rejected file: the first pass ends" wait_for 10 grep -q "first pass over every object done" "$d/daemon.log"
ok "…web2 is reported orphaned, not pruning" grep -q "Domain web2: owned by virtspec but no spec names it (orphaned)$" "$d/daemon.log"
ok "…the log says why it does not prune" grep -q "not pruning: 1 spec file rejected" "$d/daemon.log"
ok "…so does the status" bash -c "grep -q 'not pruning: 1 spec file rejected' '$d/status.json'"
ok "…web2 is not pruned" bash -c "! grep -q 'web2: pruned' '$d/daemon.log'"
# the tree reads cleanly again, and names no web2: now the orphan goes
printf 'kind: Pool\nname: p\npath: /srv/p\n' > "$d/s1/.p.tmp"; chmod 0644 "$d/s1/.p.tmp"
mv "$d/s1/.p.tmp" "$d/s1/p.yaml"; rm "$d/s1/web2.yaml"
ok "…once no file is rejected, the orphan is pruned" wait_for 15 grep -q "Domain web2: pruned" "$d/daemon.log"
stop_daemon
web2 > "$d/outside/web2.yaml"; chmod 0644 "$d/outside/web2.yaml"
ln -s "$d/outside/web2.yaml" "$d/s2/web2.yaml"
start_daemon "$d/s2"
ok "walk error (a link out of the root): the first pass ends" wait_for 10 grep -q "first pass over every object done" "$d/daemon.log"
ok "…web2 is not pruned" bash -c "! grep -q 'web2: pruned' '$d/daemon.log'"
ok "…the log says why" wait_for 5 grep -q "not pruning: part of the spec tree could not be read" "$d/daemon.log"
stop_daemon

## the watcher (F3): a spec moved below the depth limit (only IN_MOVED_FROM arrives) is not
## removed: the removal makes a full walk, which keeps what it could not read
mkdir -m 0755 "$d/s3"; web2 > "$d/s3/web2.yaml"; chmod 0644 "$d/s3/web2.yaml"
start_daemon "$d/s3"
ok "deep move: the first pass ends" wait_for 10 grep -q "first pass over every object done" "$d/daemon.log"
deep=$d/s3; for i in $(seq 70); do deep=$deep/d; done; mkdir -p "$deep"
ok "…the directory 70 levels down is an error in status" wait_for 10 grep -q "nested more than 64 levels" "$d/status.json"
sleep 1   # past the debounce: the move comes alone
passes() { grep -c "pass over \|walk of the tree\|^reread " "$d/daemon.log"; }   # rereads, changes found or not
passes_since() { [ "$(passes)" -gt "$1" ]; }   # counted anew on each try of wait_for
n=$(passes)
mv "$d/s3/web2.yaml" "$deep/web2.yaml"
# the reread the removal makes (before the fix: "web2: spec removed" by that pass)
ok "…the move is read" wait_for 10 passes_since "$n"
sleep 0.5   # a pass it made due (a prune is logged when its pass ends) has ended by now
ok "…web2's spec is not taken as removed" bash -c "! grep -q 'web2: spec removed' '$d/daemon.log'"
ok "…web2 is not pruned" bash -c "! grep -q 'web2: pruned' '$d/daemon.log'"
stop_daemon

## a file still being written (the watcher holds it back) may declare a domain that would look
## orphaned meanwhile: a domain moved from one file into a new one that is still being written
mkdir -m 0755 "$d/s4"; web2 > "$d/s4/a.yaml"; chmod 0644 "$d/s4/a.yaml"
start_daemon "$d/s4"
ok "move into a file being written: the first pass ends" wait_for 10 grep -q "first pass over every object done" "$d/daemon.log"
exec 3> "$d/s4/b.yaml"
printf 'kind: Domain\n' >&3
sleep 1.5   # past the debounce: the watcher holds b.yaml back
rm "$d/s4/a.yaml"
ok "…web2's old file removed: the log says why it does not prune" \
    wait_for 10 grep -q "not pruning: 1 spec file still being written" "$d/daemon.log"
ok "…web2 is not pruned" bash -c "! grep -q 'web2: pruned' '$d/daemon.log'"
web2 | tail -n +2 >&3
exec 3>&-
ok "…the writer closes b.yaml: web2 is declared again" \
    wait_for 10 bash -c "grep -q \"b.yaml\" \"$d/status.json\" && ! grep -q \"open for writing\" \"$d/status.json\""
sleep 1
ok "…and was never pruned" bash -c "! grep -q 'web2: pruned' '$d/daemon.log'"
stop_daemon

## the CLI (F1): orphans and prunes only against the whole configured tree, read completely
mkdir -p "$d/tree/a" "$d/tree/b" "$d/lone"
printf 'kind: Pool\nname: p1\npath: /srv/p1\n' > "$d/tree/a/p.yaml"
printf 'kind: Pool\nname: p9\npath: /srv/p9\n' > "$d/lone/x.yaml"
web2 > "$d/tree/b/web2.yaml"
chmod -R go-w "$d/tree" "$d/lone"
printf 'specs = %s\nconnect = test://%s/node.xml\n' "$d/tree" "$d" > "$d/t.conf"
# no_prune DESCRIPTION TEXT ARGS…: exit 1, TEXT said, web2 not pruned
no_prune() {
    local what=$1 text=$2; shift 2
    t "$what: refused (exit 1)" 1 "$text" "$@"
    ok "…said so" bash -c 'grep -qF "virtspec: not pruning: " <<<"$1"' _ "$out"
    ok "…web2 not pruned" bash -c '! grep -qF "= pruned" <<<"$1"' _ "$out"
}
no_prune "apply --prune on a subdirectory of the tree" "prunes against the whole spec tree $d/tree only" \
    apply --config "$d/t.conf" --prune "$d/tree/a/"
no_prune "apply --prune on a lone file with -t Domain/web2" "prunes against the whole spec tree" \
    apply --config "$d/t.conf" --prune "$d/lone/x.yaml" -t Domain/web2
no_prune "plan --prune on a file of the tree" "prunes against the whole spec tree" \
    plan --config "$d/t.conf" --prune "$d/tree/a/p.yaml"
out=$("$vs" plan --config "$d/t.conf" "$d/tree/a/" 2>&1)
ok "plan on a subdirectory (no --prune): web2 is no orphan" bash -c '! grep -q orphan <<<"$1"' _ "$out"
mv "$d/tree/b/web2.yaml" "$d/outside/web2.yaml"
ln -s "$d/outside/web2.yaml" "$d/tree/b/web2.yaml"
no_prune "apply --prune, web2's spec a link out of the root" "the spec tree $d/tree was not read completely" \
    apply --config "$d/t.conf" --prune
out=$("$vs" plan --config "$d/t.conf" 2>&1)
ok "…plan without --prune: no orphan from a partly read tree" bash -c '! grep -q orphan <<<"$1"' _ "$out"
rm "$d/tree/b/web2.yaml"
deep=$d/tree/b; for i in $(seq 66); do deep=$deep/d; done; mkdir -p "$deep"
web2 > "$deep/web2.yaml"
no_prune "apply --prune, web2's spec nested 66 directories deep" "was not read completely" \
    apply --config "$d/t.conf" --prune -t web2
rm -r "$d/tree/b/d"
## a failure to look that is not "nothing there" is a walk error (F4): a link loop (ELOOP; EIO,
## ESTALE, EACCES alike, which root cannot provoke here); a dangling link is nothing there
ln -s loop.yaml "$d/tree/b/loop.yaml"
no_prune "apply --prune, a spec name that is a link loop" "loop.yaml: error: cannot follow the symbolic link" \
    apply --config "$d/t.conf" --prune
rm "$d/tree/b/loop.yaml"; ln -s nothing.yaml "$d/tree/b/dangling.yaml"
t "the whole tree, read cleanly, names no web2: apply --prune prunes it" 0 "= pruned" apply --config "$d/t.conf" --prune
out=$("$vs" apply --config "$d/t.conf" --prune 2>&1)
ok "…a dangling link beside it is no error" bash -c '! grep -q dangling <<<"$1"' _ "$out"
t "…so does apply --prune -t web2 on the tree itself" 0 "= pruned" apply --config "$d/t.conf" --prune -t web2 "$d/tree"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
