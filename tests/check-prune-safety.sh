#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# "Only objects whose spec says so are removed; prune never acts on a spec it could not read":
# the daemon with --prune never prunes while a spec file is rejected or the tree was read
# incompletely (the orphan stays reported, and why it is not pruned). Libvirt's test driver
# from a file: web2 carries virtspec's metadata (owned).
# Usage: check-prune-safety.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
dpid=
trap '[ -n "$dpid" ] && kill "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
chmod 0755 "$d"
cat > "$d/node.xml" <<'E'
<node>
  <domain type='test'>
    <name>web2</name>
    <memory unit='MiB'>64</memory>
    <os><type>hvm</type></os>
    <metadata><vs:virtspec xmlns:vs='https://virtspec.dev/xmlns/1'><vs:managed>x</vs:managed></vs:virtspec></metadata>
  </domain>
</node>
E
: > "$d/empty.conf"
web2() { printf 'kind: Domain\nname: web2\nmemory: 64MiB\ngraphics: {type: none}\n'; }

## the daemon (F2): nothing pruned at startup while a file is rejected or the tree is read partly
# start_daemon TREE: daemon --prune on TREE, log in $d/daemon.log
start_daemon() {
    "$vs" daemon --prune --config "$d/empty.conf" -c "test://$d/node.xml" --specs "$1" \
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
ok "…the log says why" grep -q "not pruning: part of the spec tree could not be read" "$d/daemon.log"
stop_daemon

echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
