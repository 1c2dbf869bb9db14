#!/bin/bash
# Issue 14, the daemon: one failure never blocks the rest, every edit is applied, readiness and
# STATUS= say what the daemon does, virtspec's own restarts are known, stop is prompt.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/daemon-lib.sh"
stop_daemon() { kill -TERM $dpid 2>/dev/null; wait $dpid 2>/dev/null; }
defined() { virsh dominfo "$1"; }
notified_since() {   # notified_since LINE PATTERN : a notify message after line LINE matches
    tail -n +$(($1 + 1)) notify.log | grep -q -- "$2"
}

# --- 3. readiness: libvirtd unreachable → READY=1 all the same, STATUS= names the attempt --------
# (a second daemon, on a socket where no libvirtd listens; it runs alongside the rest of this
# test, long enough for its reconnect delay to reach the cap)
mkdir specs-off
printf 'kind: Domain\nname: vs-off\nmemory: 64MiB\n' > specs-off/off.yaml
python3 "$TESTDIR/notify-listen.py" "$WORK/notify-off.sock" > notify-off.log 2>&1 &
npid_off=$!
for i in $(seq 50); do [ -S notify-off.sock ] && break; sleep 0.05; done
off_uri="qemu:///system?socket=$WORK/no-libvirtd.sock"
NOTIFY_SOCKET="$WORK/notify-off.sock" "$VS" daemon --specs "$WORK/specs-off" -c "$off_uri" \
    --status-file "$WORK/status-off.json" > daemon-off.log 2>&1 &
dpid_off=$!
off_started=$(date +%s)
ms=$(wait_for 5 grep -q READY=1 notify-off.log)
ok "libvirtd unreachable: READY=1 all the same, within 5 s (took ${ms} ms)" grep -q READY=1 notify-off.log
ok "…STATUS= names the connection attempt" grep -q "STATUS=connecting to $off_uri (attempt 1)" notify-off.log
ok "…and, later, the attempt number and the error" wait_for 10 grep -q \
    "STATUS=connecting to $off_uri (attempt 3): .*no-libvirtd.sock.*; next attempt in 4 s; 1 spec loaded" notify-off.log
ok "…the status file says it too" grep -q "connecting to" status-off.json

# --- 1. a pool that cannot start holds up only what uses it -------------------------------------
write_spec bad-pool.yaml <<'YAML'
kind: Pool
name: vs-badpool
type: logical
vg_name: novg
YAML
write_spec net.yaml <<'YAML'
kind: Network
name: vs-okn
bridge: vsokbr0
ip: 10.77.0.1/24
YAML
write_spec dom.yaml <<'YAML'
kind: Domain
name: vs-free
memory: 64MiB
shutdown_timeout: 1
interfaces: [{network: vs-okn}]
YAML
write_spec dep.yaml <<'YAML'
kind: Domain
name: vs-needs
memory: 64MiB
state: shutoff
disks: [{name: vs-needs-root, pool: vs-badpool, size: 16MiB, format: raw}]
YAML
start_daemon
ms=$(wait_for 25 running vs-free)
ok "a failing pool: the unrelated network and domain converge anyway (took ${ms} ms)" running vs-free
ok "…the network is active" bash -c "virsh net-list --name | grep -qx vs-okn"
ok "…READY=1 is sent" wait_for 10 grep -q READY=1 notify.log
lacks "the domain using the failing pool is not defined" "vs-needs" "$(virsh list --all --name)"
ok "its status says what it waits for" wait_for 10 bash -c \
    "python3 -c 'import json; d=json.load(open(\"status.json\")); o=[o for o in d[\"objects\"] if o[\"name\"]==\"vs-needs\"][0]; assert o[\"error\"].startswith(\"waiting for pool vs-badpool (failed: \"), o'"
contains "…and STATUS= counts it as waiting" "1 waiting" "$(grep STATUS= notify.log | tail -1)"
# the pool's spec fixed (a dir pool) → the waiting domain goes ahead
mkdir -p "$WORK/vs-badpool-dir"   # scratch: a host directory would keep the volume for the next run
printf 'kind: Pool\nname: vs-badpool\ntype: dir\npath: %s\n' "$WORK/vs-badpool-dir" | write_spec bad-pool.yaml
ok "the pool fixed: the domain that waited for it is defined" wait_for 30 defined vs-needs
ok "…and its wait is over in status" wait_for 10 bash -c \
    "python3 -c 'import json; d=json.load(open(\"status.json\")); o=[o for o in d[\"objects\"] if o[\"name\"]==\"vs-needs\"][0]; assert not o[\"error\"], o'"

# --- 2. an edit of a key that renders no XML is applied at once -----------------------------------
autostart_is() { virsh dominfo "$1" | grep -q "^Autostart: *$2"; }
ok "vs-free has autostart off (the default)" autostart_is vs-free disable
# wait for the daemon to be idle: the edit must be what it reacts to, not a resync
ok "…and the daemon is idle" wait_for 30 state_is vs-free in-sync
sleep 1
printf 'kind: Domain\nname: vs-free\nmemory: 64MiB\nshutdown_timeout: 1\ninterfaces: [{network: vs-okn}]\nautostart: true\n' \
    | write_spec dom.yaml
ms=$(wait_for 10 autostart_is vs-free enable)
ok "autostart: false → true in the spec: applied within seconds (took ${ms} ms)" autostart_is vs-free enable
printf 'kind: Domain\nname: vs-free\nmemory: 64MiB\nshutdown_timeout: 1\ninterfaces: [{network: vs-okn}]\nautostart: false\n' \
    | write_spec dom.yaml
ms=$(wait_for 10 autostart_is vs-free disable)
ok "…and back to false (took ${ms} ms)" autostart_is vs-free disable

# --- specs that never produced an object: gone from status once removed (no orphans) ---------------
printf 'kind: Pool\nname: vs-bad2\ntype: logical\nvg_name: novg2\n---\nkind: Domain\nname: vs-never\nmemory: 64MiB\ndisks: [{name: vs-never-root, pool: vs-bad2, size: 16MiB, format: raw}]\n' \
    | write_spec never.yaml
ok "a domain waiting for a failing pool (never defined)" wait_for 30 bash -c "grep -q 'waiting for pool vs-bad2' status.json"
rm specs/never.yaml
ok "its spec removed: the domain that never existed is not reported (as orphaned)" wait_for 10 bash -c "! grep -q '\"vs-never\"' status.json"
ok "…nor the pool that never started" wait_for 10 bash -c "! grep -q '\"vs-bad2\"' status.json"
ok "…the daemon said why" grep -q "Domain vs-never: spec removed, and nothing of it is in libvirt" daemon.log

# --- 6. `virtspec reload NAME` while the daemon runs: the daemon knows the restart is virtspec's ----
ok "vs-free runs and is in sync before the reload" wait_for 30 state_is vs-free in-sync
id_before=$(domid vs-free)
ok "a libvirt event listener listens" listen_events events.log
log_before=$(wc -l < daemon.log)
vs reload --specs specs vs-free
is "virtspec reload completes cleanly" 0 "$rc"
sleep 4   # time for the daemon to react to the events, if it would
kill $listener 2>/dev/null; wait $listener 2>/dev/null
is "exactly one stop" 1 "$(grep -c "lifecycle' for domain 'vs-free': Stopped" events.log)"
is "exactly one start" 1 "$(grep -c "lifecycle' for domain 'vs-free': Started" events.log)"
is "the domain id went up by one (one start)" "$((id_before + 1))" "$(domid vs-free)"
dlog=$(tail -n +$((log_before + 1)) daemon.log)
lacks "the daemon did not resume the domain" "resume" "$dlog"
lacks "…nor found it running meanwhile" "meanwhile" "$dlog"
lacks "…nor started it itself" "vs-free: ▶ start" "$dlog"
contains "the daemon said it left the domain alone" "vs-free: = left alone: being restarted by virtspec" "$dlog"
ok "…and converged once the restart was over" wait_for 10 state_is vs-free in-sync
lacks "no restart record is left in the domain's metadata" "virtspec.dev/xmlns/reload" "$(virsh dumpxml --inactive vs-free)"

# --- 12. SIGTERM during a reload's graceful-shutdown wait: the daemon stops at once ----------------
# (no OS in these guests answers the ACPI shutdown: the wait would last the whole 120 s)
reload_edit vs-slow slow.yaml 120
id_slow=$(domid vs-slow)
ok "a config edit: the reload waits for the guest's shutdown" wait_for 10 reconciling vs-slow True
sleep 1
t0=$(date +%s%N)
kill -TERM $dpid
for i in $(seq 200); do kill -0 $dpid 2>/dev/null || break; sleep 0.05; done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
exited=true
kill -0 $dpid 2>/dev/null && { exited=false; kill -9 $dpid; }
wait $dpid; drc=$?
ok "SIGTERM during the shutdown wait: the daemon exits within 10 s (took ${ms} ms)" $exited
is "…with status 0" 0 "$drc"
is "the domain is left as it is: running, not forced off, not restarted" "$id_slow" "$(domid vs-slow)"
contains "the log says the reload was interrupted" "vs-slow: failed: reload interrupted after" "$(cat daemon.log)"
contains "…and so does the status written on stop" "reload interrupted after" "$(status_field vs-slow error)"
contains "STATUS= said what stopping waits for" "STATUS=stopping: waiting for 1 reconcile in flight" "$(cat notify.log)"

# --- 15. a failed re-plug of a guest's tap stays visible, and is retried until it works ------------
# (the daemon without CAP_NET_ADMIN, as with a unit whose capabilities were narrowed)
tap=$(xpath "$(live_xml vs-free)" 'string(//interface/target/@dev)')
ports() { ip -o link show master vsokbr0 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | tr '\n' ' ' | sed 's/ $//'; }
is "vs-free's tap ($tap) is a port of the network's bridge" "$tap" "$(ports)"
VS_WRAP="setpriv --bounding-set -net_admin" start_daemon
ok "restarted without CAP_NET_ADMIN; vs-okn in sync" wait_for 30 state_is vs-okn in-sync
printf 'kind: Network\nname: vs-okn\nbridge: vsokbr0\nip: 10.77.0.1/24\nmtu: 9000\nreload: auto\n' | write_spec net.yaml
ok "a restart of the network fails to plug the guest back: the network is failed" wait_for 30 state_is vs-okn failed
contains "…naming the guest, its tap and why" "vs-free ($tap: Operation not permitted)" "$(status_field vs-okn error)"
sleep 7   # the retries at 2 s and 4 s
is "after the retries the network is still failed" failed "$(status_field vs-okn state)"
contains "…for the same reason" "vs-free ($tap: Operation not permitted)" "$(status_field vs-okn error)"
is "…and the tap is still unplugged" "" "$(ports)"
stop_daemon
start_daemon
ok "with the capability back (a restarted daemon), the tap is plugged back in" wait_for 30 bash -c "[ \"\$(ip -o link show master vsokbr0 | grep -c '$tap')\" = 1 ]"
ok "…and the network is in sync" wait_for 30 state_is vs-okn in-sync
contains "…the daemon said it" "vs-free: $tap plugged into vsokbr0 again" "$(cat daemon.log)"

# --- 3. (end) the reconnect delay of the unconnected daemon stops at 30 s ------------------------
left=$(( off_started + 36 - $(date +%s) ))
[ $left -gt 0 ] && sleep $left
ok "the reconnect delay reaches its cap of 30 s" grep -q "retrying in 30 s" daemon-off.log
lacks "…and never goes past it" "retrying in 32 s" "$(cat daemon-off.log)"
kill -TERM $dpid_off; wait $dpid_off; rc_off=$?
is "the unconnected daemon stops cleanly on SIGTERM" 0 "$rc_off"
kill $npid_off 2>/dev/null
stop_daemon
kill $npid 2>/dev/null
[ "$n_fail" -gt 0 ] && { echo "---- daemon.log"; tail -60 daemon.log; echo "---- notify.log"; tail -30 notify.log; }
finish
