#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A domain waits only for the pools and networks it uses: a disk with a host path uses no pool,
# so a failing managed pool named "default" (the pool key's default) does not hold it up; one
# that does wait has JSON health "waiting" (not "failed"). The
# daemon against libvirt's test driver, from a file with a foreign pool "default" (its spec is a
# foreign conflict: failed).
# Usage: check-dependency-wait.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
dpid=
trap '[ -n "$dpid" ] && kill "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
chmod 0755 "$d"; mkdir -m 0755 "$d/s"
printf "<node>\n  <pool type='dir'><name>default</name><target><path>%s/pool</path></target></pool>\n</node>\n" "$d" > "$d/node.xml"
printf 'kind: Pool\nname: default\npath: %s/pool\n' "$d" > "$d/s/p.yaml"
: > "$d/disk.img"
printf 'kind: Domain\nname: web3\nmemory: 64MiB\ngraphics: {type: none}\ndisks:\n  - {name: root, path: %s/disk.img}\n' "$d" > "$d/s/web3.yaml"
# web4's disk is in pool default: it waits, and its JSON health says waiting, not failed
printf 'kind: Domain\nname: web4\nmemory: 64MiB\ngraphics: {type: none}\ndisks:\n  - {name: root, pool: default, size: 1MiB}\n' > "$d/s/web4.yaml"
chmod 0644 "$d/s"/*.yaml
: > "$d/empty.conf"
VIRTSPEC_LOG_LEVEL=debug "$vs" daemon --config "$d/empty.conf" -c "test://$d/node.xml" --specs "$d/s" \
    --status-file "$d/status.json" > "$d/daemon.log" 2>&1 &
dpid=$!
ok "the pool default fails (foreign conflict)" wait_for 10 grep -q "Pool default: foreign-conflict" "$d/daemon.log"
ok "web3 (a path: disk only) is created anyway" wait_for 10 grep -q "Domain web3: + create" "$d/daemon.log"
ok "…it never waited for pool default" bash -c "! grep -q 'web3: waiting for pool' '$d/daemon.log'"
web4_health() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); o=[o for o in j["objects"] if o["name"]=="web4"][0]; sys.exit(0 if o["health"]==sys.argv[2] and "waiting for pool default" in (o["error"] or "") else 1)' "$d/status.json" "$1" 2>/dev/null; }
ok "web4 (a disk in pool default) waits: health waiting, error says why" wait_for 10 web4_health waiting
kill -TERM "$dpid"; wait "$dpid"; dpid=
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
