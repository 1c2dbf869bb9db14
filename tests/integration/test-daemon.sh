#!/bin/bash
# Issue 5: virtspec daemon against a private libvirtd.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/daemon-lib.sh"

start_daemon
ok "READY=1 is sent" wait_for 30 grep -q 'READY=1' notify.log

# --- a spec written appears as a running domain (how fast: bench/run, edit latency) ---------
write_spec d1.yaml <<'YAML'
kind: Domain
name: vs-d1
memory: 64MiB
max_memory: 128MiB
shutdown_timeout: 1
YAML
ms=$(wait_for 30 running vs-d1)
ok "spec written → domain running (took ${ms} ms)" running vs-d1
id1=$(domid vs-d1)
ok "STATUS= reports the counts" wait_for 30 grep -q 'STATUS=1 spec: 1 in sync' notify.log

# --- memory edited → applied live -------------------------------------------------------------
sed 's/^memory: 64MiB/memory: 96MiB/' specs/d1.yaml | write_spec d1.yaml
cur() { [ "$(xpath "$(inactive_xml vs-d1)" 'string(/domain/currentMemory)')" = "$1" ]; }
ms=$(wait_for 30 cur 98304)
ok "memory edit applied (took ${ms} ms)" cur 98304
is "memory edit applied live: same domain id" "$id1" "$(domid vs-d1)"

# --- a broken spec keeps the last good version; the error is in status ----------------------
printf 'kind: Domain\nname: vs-d1\nmemory: lots\n' | write_spec d1.yaml
ok "the broken spec's error reaches status.json" wait_for 30 grep -q "must be a size" status.json
is "the domain is still running" "running" "$(domstate vs-d1)"
is "last good memory stays in force" "98304" "$(xpath "$(inactive_xml vs-d1)" 'string(/domain/currentMemory)')"
contains "status names the object's spec error" "must be a size" "$(status_field vs-d1 spec_error)"
vs status --status-file status.json
is "virtspec status exits 1 while a spec file is rejected" 1 "$rc"
contains "the daemon log has file:line:col" "d1.yaml:3:9: 'memory' must be a size" "$(cat daemon.log)"
# fixed again
sed 's/^memory: 96MiB/memory: 80MiB/' > fixed.yaml <<'YAML'
kind: Domain
name: vs-d1
memory: 96MiB
max_memory: 128MiB
shutdown_timeout: 1
YAML
write_spec d1.yaml < fixed.yaml
ok "the fixed spec is applied" wait_for 30 cur 81920

# --- virsh destroy → restarted -------------------------------------------------------------
virsh destroy vs-d1 >/dev/null
ms=$(wait_for 30 running vs-d1)
ok "virsh destroy → running again (took ${ms} ms)" running vs-d1

# --- virsh edit of a managed field → reverted ------------------------------------------------
edit_title() {
    virsh dumpxml --inactive vs-d1 | sed "s|<name>vs-d1</name>|<name>vs-d1</name><title>$1</title>|" > edit.xml
    virsh define edit.xml >/dev/null
}
has_title() { [ "$(xpath "$(inactive_xml vs-d1)" 'string(/domain/title)')" = "$1" ]; }
printf 'title: managed\n' >> fixed.yaml
write_spec d1.yaml < fixed.yaml
ok "title from the spec" wait_for 30 has_title managed
virsh dumpxml --inactive vs-d1 | sed 's|<title>managed</title>|<title>hand-edited</title>|' > edit.xml
virsh define edit.xml >/dev/null
ms=$(wait_for 30 has_title managed)
ok "virsh edit of a managed field is reverted (took ${ms} ms)" has_title managed

# --- a reload: auto domain waiting for its guest's shutdown shows as reconciling ----------------
# (the pass's result and log lines come only when the reload is done: no OS here answers the ACPI
# shutdown, so that is shutdown_timeout later)
reload_edit vs-r1 r1.yaml 8
ok "a config edit: status says reconciling during the reload's shutdown wait" wait_for 8 reconciling vs-r1 True
contains "…and virtspec status shows it" "reconciling now" "$("$VS" status --status-file status.json)"
ok "…no longer once the reload is done" wait_for 30 reconciling vs-r1 False
contains "the reload happened" "↻ reload" "$(status_field vs-r1 last_action)"

# --- SIGHUP: RELOADING=1 then READY=1 -----------------------------------------------------------
before=$(wc -l < notify.log)
kill -HUP $dpid
ok "SIGHUP sends RELOADING=1" wait_for 30 bash -c "tail -n +$((before + 1)) notify.log | grep -q RELOADING=1"
ok "then READY=1" wait_for 30 bash -c "tail -n +$((before + 1)) notify.log | grep -A100 RELOADING=1 | grep -q READY=1"

# --- 200 rapid edits converge to the last content -----------------------------------------------
id_before=$(domid vs-d1)
for i in $(seq 1 200); do
    sed "s/^title: .*/title: edit-$i/" fixed.yaml | write_spec d1.yaml
done
ms=$(wait_for 30 has_title edit-200)
ok "200 rapid edits converge to the last one (took ${ms} ms after the last write)" has_title edit-200
is "…without restarting the domain" "$id_before" "$(domid vs-d1)"

# --- files are reread one by one; a new directory makes the daemon walk the tree again ---------
defined() { virsh dominfo "$1"; }
mkdir -p specs/team/inner
printf 'kind: Domain\nname: vs-sub\nmemory: 64MiB\nstate: shutoff\n' > specs/team/inner/.s.tmp
mv specs/team/inner/.s.tmp specs/team/inner/s.yaml
ok "a spec in a new nested directory is found" wait_for 30 defined vs-sub
# written in place (no rename): picked up once the writes have been quiet for the debounce
printf 'kind: Domain\nname: vs-sub\nmemory: 80MiB\nstate: shutoff\n' > specs/team/inner/s.yaml
mem80() { [ "$(xpath "$(inactive_xml vs-sub)" 'string(/domain/memory)')" = 81920 ]; }
ok "a spec rewritten in place in the new directory (now watched) is applied" wait_for 30 mem80
rm -r specs/team
ok "removing the directory: reported as orphaned" wait_for 30 state_is vs-sub orphaned
ok "…and the domain is kept" defined vs-sub
contains "the daemon reread single files, not the tree, for the edits" "pass over 1 file" "$(cat daemon.log)"

# --- libvirtd killed and restarted: reconnect and converge --------------------------------------
lpid=$(cat /run/libvirt/libvirtd.pid)
kill -9 "$lpid"
sleep 1
libvirtd --pid-file /run/libvirt/libvirtd.pid --config /etc/libvirt/libvirtd.conf \
    </dev/null >libvirtd2.out 2>&1 &
new_libvirtd=$!
ok "libvirtd is back" wait_for 30 virsh version
write_spec d2.yaml <<'YAML'
kind: Domain
name: vs-d2
memory: 64MiB
shutdown_timeout: 1
YAML
ms=$(wait_for 30 running vs-d2)
ok "after a libvirtd restart the daemon reconnects and converges (took ${ms} ms)" running vs-d2
is "the daemon logged the reconnect" 2 "$(grep -c 'connected to' daemon.log)"
ok "the daemon survived the libvirtd restart" kill -0 $dpid

# --- drift mode report: a virsh edit is only reported ------------------------------------------
kill -TERM $dpid; wait $dpid; drc=$?
is "SIGTERM → clean exit 0" 0 "$drc"
start_daemon --drift report
ok "restarted in report mode" wait_for 30 bash -c "grep -c 'READY=1' notify.log | grep -qv '^[012]$'"
sleep 1
virsh dumpxml --inactive vs-d1 | sed 's|<title>edit-200</title>|<title>hand-edited</title>|' > edit.xml
virsh define edit.xml >/dev/null
ok "report mode: status says drifted" wait_for 30 state_is vs-d1 drifted
sleep 1
ok "report mode: the edit is not reverted" has_title hand-edited
vs status --status-file status.json
is "virtspec status exits 2 on drift (work left, nothing failed)" 2 "$rc"
# a spec edit is still applied in report mode
sed "s/^title: .*/title: from-spec/" fixed.yaml | write_spec d1.yaml
ok "report mode still applies spec edits" wait_for 30 has_title from-spec

# --- removing a spec keeps the domain (orphaned), nothing deleted -------------------------------
rm specs/d2.yaml
ok "status reports a removed spec's domain as orphaned" wait_for 30 state_is vs-d2 orphaned
ok "…and leaves it defined" virsh dominfo vs-d2

kill -TERM $dpid; wait $dpid; drc=$?
is "SIGTERM → clean exit 0 (second run)" 0 "$drc"

# --- --prune: owned domains whose spec is gone are shut down and undefined; foreign ones stay -----
printf '<domain type="qemu"><name>vs-hand</name><memory unit="MiB">64</memory><os><type>hvm</type></os></domain>' > hand.xml
virsh define hand.xml >/dev/null
virsh destroy vs-d2 >/dev/null   # its spec is gone: a prune after a restart uses the 60 s default
start_daemon --prune
ok "restarted with --prune" wait_for 30 bash -c "[ \$(grep -c 'READY=1' notify.log) -ge 4 ]"
# a second file claiming vs-d1's name is an error in both files, not a removal: nothing is pruned
cp specs/d1.yaml specs/d1-copy.yaml
ok "the same name in two files is reported" wait_for 30 grep -q "Domain 'vs-d1' is also defined at" daemon.log
sleep 1
ok "…and vs-d1 is kept (last good version in force), not pruned" virsh dominfo vs-d1
lacks "…nor called orphaned" "vs-d1: spec removed" "$(cat daemon.log)"
rm specs/d1-copy.yaml
rm specs/d1.yaml
gone() { ! virsh dominfo vs-d1; }
ok "pruning undefines the owned domain whose spec was removed" wait_for 30 gone
ok "the orphan from before the restart (vs-d2) is pruned too" wait_for 30 bash -c '! virsh dominfo vs-d2'
ok "a hand-made domain without a spec is never pruned" virsh dominfo vs-hand
kill -TERM $dpid; wait $dpid
kill $npid 2>/dev/null
kill $new_libvirtd 2>/dev/null; wait $new_libvirtd 2>/dev/null
[ "$n_fail" -gt 0 ] && { echo "---- daemon.log"; tail -50 daemon.log; echo "---- notify.log"; cat notify.log; }
finish
