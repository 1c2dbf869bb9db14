#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# With prune = true, a domain moved from one spec file to another by two renames that the watch
# splits into two passes (50 ms apart: a hand `git checkout`, two editor saves) must not be
# pruned by the pass that sees the first rename (its spec gone) and created again by the next:
# a stop and start nobody asked for (the promise: a running VM is restarted only when its spec
# says so or a user runs `virtspec reload`). An orphan is pruned only once its spec stayed gone prune_grace.
# Libvirt's in-process test driver. Usage: check-daemon-prune-burst.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
dpid=
trap '[ -n "$dpid" ] && kill "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
chmod 0755 "$d"; mkdir -m 0755 "$d/s"
dom() { printf 'kind: Domain\nname: %s\nmemory: 64MiB\ngraphics: {type: none}\nstate: running\nshutdown_timeout: 1\n' "$1"; }
logged() { grep -q -- "$1" "$d/daemon.log"; }
{ dom keep; printf -- '---\n'; dom web1; } | put "$d/s/a.yaml"
dom other | put "$d/s/b.yaml"
printf 'prune = true\ndebounce_ms = 50\nresync_interval = 86400\n' > "$d/daemon.conf"
VIRTSPEC_LOG_LEVEL=debug "$vs" daemon --config "$d/daemon.conf" -c test:///default --specs "$d/s" \
    --status-file "$d/status.json" > "$d/daemon.log" 2>&1 &
dpid=$!
ok "the first pass ends" wait_for 20 logged "first pass over every object done"
sleep 0.5
# one commit moves web1 from a.yaml to b.yaml; its two renames land in two passes (the second
# once the first pass has seen web1's spec gone: a loaded machine could read two renames 50 ms
# apart as one burst)
dom keep | put "$d/s/a.yaml"
ok "the first rename's pass sees web1's spec gone" wait_for 10 logged "Domain web1: spec removed"
{ dom other; printf -- '---\n'; dom web1; } | put "$d/s/b.yaml"
sleep 3
ok "web1 is in force from b.yaml" grep -q '"file": ".*/s/b.yaml"' "$d/status.json"
ok "web1 was not pruned on the way" bash -c "! grep -q 'Domain web1: pruned' '$d/daemon.log'"
ok "…nor created again (one create: the first pass's)" test "$(grep -c 'Domain web1: + create' "$d/daemon.log")" = 1
ok "…the log said it would wait" grep -q 'Domain web1: spec removed; object kept, pruning in 10 s unless a spec names it again' "$d/daemon.log"
# removed for good: pruned once the grace (3 s here, reread on SIGHUP) is over, not before (3 s:
# the checks within it have the margin a loaded machine needs)
printf 'prune = true\nprune_grace = 3\ndebounce_ms = 50\nresync_interval = 86400\n' > "$d/daemon.conf"
kill -HUP "$dpid"
ok "the configuration is reread" wait_for 10 logged "configuration .* reread"
dom other | put "$d/s/b.yaml"
ok "web1's spec is seen gone" wait_for 10 logged "Domain web1: spec removed; object kept, pruning in 3 s"
sleep 0.3
ok "…not pruned within the grace" bash -c "! grep -q 'Domain web1: pruned' '$d/daemon.log'"
ok "…pruned after it" wait_for 10 logged "Domain web1: pruned"
# removed while a rejected file blocks pruning, for longer than the grace: once the tree reads
# cleanly the grace starts again (what the rejected file declared may still be moving)
printf 'kind: Domain\nname: x\nmemory: lots\n' | put "$d/s/bad.yaml"
ok "a rejected file blocks pruning" wait_for 10 logged "not pruning: 1 spec file rejected"
rm "$d/s/b.yaml"
ok "other's spec is seen gone (orphaned, not pruning)" wait_for 10 logged "Domain other: spec removed; object kept (orphaned)"
sleep 4.5   # past the 3 s grace, with margin
ok "…not pruned while blocked" bash -c "! grep -q 'Domain other: pruned' '$d/daemon.log'"
rm "$d/s/bad.yaml"
ok "the tree reads cleanly again" wait_for 10 logged "the spec tree reads cleanly again"
sleep 0.3
ok "…other is not pruned at once" bash -c "! grep -q 'Domain other: pruned' '$d/daemon.log'"
ok "…but after the grace" wait_for 10 logged "Domain other: pruned"
finish
