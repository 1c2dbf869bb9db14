#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A spec tree that is a git checkout (docs/daemon.md): git holds the index's lock
# (.git/index.lock) while a checkout rewrites the files, and the daemon's watch waits for it, so a
# checkout is one pass however far apart git writes the files. Here a smudge filter makes git take
# 40 ms a file, 1.2 s a checkout — twelve times debounce_ms: without the lock each file would
# be a pass of its own. Also a worktree (.git is a file naming the git directory) and the
# spec tree in a subdirectory of the checkout; the periodic resync waits for the lock too.
# Libvirt's in-process test driver.
# Usage: check-daemon-git-checkout.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
dpid=
trap '[ -n "$dpid" ] && kill "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
chmod 0755 "$d"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
g() { git -C "$1" -c user.name=t -c user.email=t@localhost -c advice.detachedHead=false "${@:2}" >/dev/null 2>&1; }
dom() { printf 'kind: Domain\nname: %s\nmemory: %s\ngraphics: {type: none}\nstate: shutoff\n' "$1" "$2"; }
logged() { grep -q -- "$1" "$2"; }
# passes_since LOG LINE: the edit passes logged after line LINE
passes_since() { tail -n +"$(($2 + 1))" "$1" | grep -c "pass over \(the tree, \)\?[0-9]* file"; }

# a repository with 30 specs in specs/, two commits that change every one of them
r=$(cd "$d" && pwd -P)/repo; mkdir -p "$r/specs"   # as the daemon spells it (TMPDIR may be a link)
g "$r" init -q -b main
printf 'specs/*.yaml filter=slow\n' > "$r/.gitattributes"
for i in $(seq 30); do dom "g$i" 64MiB > "$r/specs/g$i.yaml"; done
g "$r" add -A; g "$r" commit -q -m a; g "$r" tag a
for i in $(seq 30); do dom "g$i" 96MiB > "$r/specs/g$i.yaml"; done
g "$r" commit -q -a -m b; g "$r" tag b
g "$r" checkout -q a
# every file git writes out goes through the filter: 40 ms each
git -C "$r" config filter.slow.smudge 'sleep 0.04; cat'
git -C "$r" config filter.slow.clean cat

printf 'debounce_ms = 100\nresync_interval = 86400\n' > "$d/daemon.conf"
run_daemon() {   # run_daemon SPECS LOG
    VIRTSPEC_LOG_LEVEL=debug "$vs" daemon --config "$d/daemon.conf" -c test:///default --specs "$1" \
        --status-file "$d/status.json" > "$2" 2>&1 &
    dpid=$!
}
log=$d/daemon.log
run_daemon "$r/specs" "$log"
ok "the first pass ends" wait_for 20 logged "first pass over every object done" "$log"
ok "…the watch knows the checkout" logged "is in the git checkout of $r/.git" "$log"
# checkout LOG TREE REV FROM TO WHAT: git checkout REV in TREE changes every domain's memory from
# FROM to TO; all 30 are updated by one pass
checkout() {
    local log=$1 at; at=$(wc -l < "$1")
    local start; start=$(date +%s%N)
    g "$2" checkout -q "$3"
    echo "# git checkout of 30 changed specs: $((($(date +%s%N) - start) / 1000000)) ms"
    ok "$6: every domain updated" \
        wait_for 20 bash -c '[ "$(grep -c "~ memory: $2 MiB → $3 MiB" "$1")" = 30 ]' _ "$log" "$4" "$5"
    sleep 0.3
    ok "…by one pass over the 30 files (not one a file)" test "$(passes_since "$log" "$at")" = 1
}
checkout "$log" "$r" b 64 96 "a slow git checkout (more than debounce_ms)"
ok "…that pass waited for git's lock" logged "index.lock taken: spec events wait for git" "$log"
checkout "$log" "$r" a 96 64 "back"
kill "$dpid"; wait "$dpid"; dpid=

# a worktree (its .git is a file naming .git/worktrees/wt): the lock is the worktree's own
g "$r" worktree add -q "$d/wt" b
wlog=$d/wt.log
run_daemon "$d/wt/specs" "$wlog"
ok "a worktree: the first pass ends" wait_for 20 logged "first pass over every object done" "$wlog"
ok "…the watch knows its git directory" logged "is in the git checkout of $r/.git/worktrees/wt" "$wlog"
checkout "$wlog" "$d/wt" a 96 64 "…a checkout there"
kill "$dpid"; wait "$dpid"; dpid=

# the periodic resync (every 5 s here) does not walk the tree while git holds the lock
printf 'debounce_ms = 100\nresync_interval = 5\n' > "$d/daemon.conf"
rlog=$d/resync.log
run_daemon "$r/specs" "$rlog"
ok "resync every 5 s: the first pass ends" wait_for 20 logged "first pass over every object done" "$rlog"
: > "$r/.git/index.lock"   # as git takes it (a slow start may have let one resync walk before)
walks() { [ "$(grep -cx "periodic resync" "$rlog")" "$1" "$2" ]; }   # walks OP N: resyncs that walked
n0=$(grep -cx "periodic resync" "$rlog")
ok "…a resync due while the lock is held waits" wait_for 10 logged "periodic resync: git is writing the checkout, again in 1 s" "$rlog"
ok "…and does not walk meanwhile" walks -eq "$n0"
rm "$r/.git/index.lock"
ok "…it walks once the lock is let go" wait_for 5 walks -gt "$n0"
kill "$dpid"; wait "$dpid"; dpid=
finish
