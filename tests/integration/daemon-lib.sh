# Helpers for the daemon's integration tests (test-daemon*.sh): a stand-in for systemd's notify
# socket (notify.log), the daemon run on specs/ with its status in status.json. Sourced after lib.sh.
cd "$WORK"
mkdir specs

python3 "$TESTDIR/notify-listen.py" "$WORK/notify.sock" > notify.log 2>&1 &
npid=$!
for i in $(seq 50); do [ -S notify.sock ] && break; sleep 0.05; done

start_daemon() {   # $VS_WRAP: a command to run it under (setpriv …)
    VIRTSPEC_LOG_LEVEL=debug NOTIFY_SOCKET="$WORK/notify.sock" ${VS_WRAP:-} "$VS" daemon --specs "$WORK/specs" \
        --status-file "$WORK/status.json" "$@" >> daemon.log 2>&1 &
    dpid=$!
}
running() { [ "$(domstate "$1")" = running ]; }
write_spec() {   # write_spec FILE < content : write + rename, like an editor or git
    cat > "specs/.$1.tmp" && mv "specs/.$1.tmp" "specs/$1"
}
status_field() {   # status_field NAME FIELD
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
o=[o for o in d["objects"] if o["name"]==sys.argv[2]]
print(o[0].get(sys.argv[3]) if o else "")' status.json "$1" "$2"
}
state_is() { [ "$(status_field "$1" state)" = "$2" ]; }   # state_is NAME STATE
reconciling() { [ "$(status_field "$1" reconciling)" = "$2" ]; }   # reconciling NAME True|False
# reload_edit NAME FILE SHUTDOWN_TIMEOUT: a running `reload: auto` domain whose pass is over, then
# a config edit: its reload waits for the guest's shutdown (no OS here answers the ACPI request,
# so that is SHUTDOWN_TIMEOUT long)
reload_edit() {
    write_spec "$2" <<YAML
kind: Domain
name: $1
memory: 64MiB
shutdown_timeout: $3
reload: auto
watchdog: {model: i6300esb, action: reset}
YAML
    ok "$1 running" wait_for 30 running "$1"
    ok "…and its pass is over" wait_for 30 reconciling "$1" False
    sed 's/action: reset/action: poweroff/' "specs/$2" | write_spec "$2"
}
