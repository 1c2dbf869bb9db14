#!/bin/bash
# Issue 15, item 3: the daemon with --prune never acts on a spec it could not read. A spec moved
# 17 directories down is read (the old walk dropped it and --prune undefined the domain); one
# moved below the depth limit is an error in status, and the domain stays defined; a link out of
# the root is an error too and holds what is in force.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir specs
VIRTSPEC_LOG_LEVEL=debug "$VS" daemon --prune --specs "$WORK/specs" \
    --status-file "$WORK/status.json" >> daemon.log 2>&1 &
dpid=$!
defined() { virsh dominfo "$1" >/dev/null 2>&1; }
cat > specs/.d.tmp <<'YAML'
kind: Domain
name: vs-deep
memory: 64MiB
state: shutoff
YAML
mv specs/.d.tmp specs/d.yaml
ok "the spec becomes a domain" wait_for 30 defined vs-deep
deep() { local p=specs; for i in $(seq "$1"); do p=$p/d; done; mkdir -p "$p"; echo "$p"; }
d17=$(deep 17)
mv specs/d.yaml "$d17/d.yaml"
sleep 1
sed 's/^memory: 64MiB/memory: 96MiB/' "$d17/d.yaml" > "$d17/.t" && mv "$d17/.t" "$d17/d.yaml"
mem() { [ "$(xpath "$(inactive_xml vs-deep)" 'string(/domain/currentMemory)')" = "$1" ]; }
ok "moved 17 levels down: the daemon reads it (an edit there is applied)" wait_for 30 mem 98304
ok "…and the domain is still defined" defined vs-deep
lacks "…not pruned" "vs-deep: pruned" "$(cat daemon.log)"
d70=$(deep 70)
mv "$d17/d.yaml" "$d70/d.yaml"
ok "moved 70 levels down: an error in status" wait_for 30 grep -q "nested more than 64 levels" status.json
sleep 2
ok "…and the domain is still defined" defined vs-deep
lacks "…not pruned" "vs-deep: pruned" "$(cat daemon.log)"
mv "$d70/d.yaml" specs/d.yaml
rm -rf specs/d
ok "back at the top: the error is gone" wait_for 30 sh -c '! grep -q "nested more than" status.json'
ok "…and the domain is still defined" defined vs-deep
kill -TERM $dpid; wait $dpid
finish
