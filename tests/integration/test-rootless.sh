#!/bin/bash
# Issue 23: virtspec without root. A throw-away user (useradd here, userdel at the end) runs
# virtspec against their own session libvirtd (qemu:///session spawns `libvirtd --session` on
# first use) with nothing but the XDG defaults: specs in ~/.config/virtspec, state in
# ~/.local/state/virtspec, status in $XDG_RUNTIME_DIR/virtspec/status.json, connection
# qemu:///session. Checked: a domain with a user-mode interface (passt) and a port forward is
# defined and runs under TCG (no guest OS: "running" is the bar), the forward is in the live XML
# and its host port listens (ss, in the harness's network namespace: nothing leaves it), the
# daemon run directly as that user picks up an edit, and another user's spec file is refused.
# A guest answering through the forward needs a guest OS: not here.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
command -v passt >/dev/null || { echo "SKIP: no passt (Debian: apt-get install passt)"; rm -rf "$WORK"; exit 77; }
U=vsrl$$
H=$WORK/home
chmod 0755 "$WORK"
useradd --no-create-home --home-dir "$H" --shell /bin/sh --user-group "$U" || { echo "SKIP: useradd"; exit 77; }
dpid=
cleanup() {
    [ -z "$dpid" ] || kill "$dpid" 2>/dev/null
    # the session libvirtd (its guests were destroyed): by its pid file; the harness's PID
    # namespace ends anything else
    [ -s "$H/run/libvirt/libvirtd.pid" ] && kill "$(cat "$H/run/libvirt/libvirtd.pid")" 2>/dev/null
    userdel -f "$U" 2>/dev/null
}
trap cleanup EXIT
mkdir -p "$H/run" "$H/.config/virtspec"
chmod 0700 "$H/run"; chmod 0755 "$H" "$H/.config" "$H/.config/virtspec"
chown -R "$U:$U" "$H"
# as the user, with a clean environment: no LIBVIRT_DEFAULT_URI, no VIRTSPEC_STATE_DIR
asu() { runuser -u "$U" -- env -i PATH="$PATH" HOME="$H" XDG_RUNTIME_DIR="$H/run" LC_ALL=C.UTF-8 "$@"; }
vsu() { out=$(asu "$VS" "$@" 2>&1); rc=$?; }
usr_virsh() { asu virsh -c qemu:///session "$@"; }
ok "the user can reach their home (the harness's scratch directory is traversable)" asu test -w "$H/.config/virtspec"
spec() {   # spec TITLE
    cat > "$H/.config/virtspec/10-vm.yaml" <<YAML
kind: Domain
name: rl1
title: $1
memory: 64MiB
graphics: {type: none}
video: {type: none}
interfaces:
  - type: user
state: running
YAML
    chown "$U:$U" "$H/.config/virtspec/10-vm.yaml"; chmod 0644 "$H/.config/virtspec/10-vm.yaml"
}
spec first
vsu plan
contains "plan as the user talks to qemu:///session by default" "rl1" "$out"
vsu apply
is "apply as the user, defaults only (output: $(printf '%s' "$out" | grep -E 'error|✗' | head -n 3))" 0 "$rc"
is "rl1 is defined and running in the user's session libvirtd" "running" "$(usr_virsh domstate rl1 2>/dev/null | head -1)"
[ -z "${VIRTSPEC_TEST_LIBVIRTD:-}" ] ||   # the harness's system libvirtd
    lacks "rl1 is not in qemu:///system" "rl1" "$(virsh -c qemu:///system list --all --name)"
contains "the live XML has the user-mode NIC (slirp: no forwards, no backend)" "<interface type='user'>" \
    "$(usr_virsh dumpxml rl1 2>/dev/null)"
vsu plan
contains "a second plan is in sync" "in sync" "$out"
printf 'kind: Domain\nname: rl2\nmemory: 64MiB\ninterfaces:\n  - {type: bridge, bridge: br0}\n' > "$H/.config/virtspec/30-bridge.yaml"
chown "$U:$U" "$H/.config/virtspec/30-bridge.yaml"
vsu plan
contains "plan says up front that a bridge interface needs qemu:///system" \
    "30-bridge.yaml:5:12: warning: interfaces[0] of type bridge (a tap device; use type user) needs qemu:///system" "$out"
rm -f "$H/.config/virtspec/30-bridge.yaml"

# a port forward: passt. Debian 12's libvirt 9.0.0 refuses <backend type='passt'/> at define
# (its parser, not its schema): then that refusal is what apply must report; a libvirt that takes
# it must run the domain with the forward listening here (ss, this network namespace).
mkdir -m 0755 "$H/fw"; chown "$U:$U" "$H/fw"
cat > "$H/fw/fw.yaml" <<YAML
kind: Domain
name: rl3
memory: 64MiB
graphics: {type: none}
video: {type: none}
interfaces:
  - type: user
    forward: [{host: 2222, guest: 22, address: 127.0.0.1}]
state: running
YAML
chown "$U:$U" "$H/fw/fw.yaml"; chmod 0644 "$H/fw/fw.yaml"
vsu apply "$H/fw"
if printf '%s' "$out" | grep -q "Invalid value for attribute 'type' in element 'backend': 'passt'"; then
    echo "NOTE: this libvirt ($(virsh --version)) has no passt backend: the forward is not checked live"
    is "apply reports libvirt's refusal of passt" 1 "$rc"
else
    is "apply of a domain with a port forward (output: $(printf '%s' "$out" | grep -E 'error|✗' | head -n 3))" 0 "$rc"
    contains "the live XML has the port forward" "<range start='2222' to='22'/>" "$(usr_virsh dumpxml rl3 2>/dev/null)"
    ok "the host port 2222 listens on 127.0.0.1 (ss -ltn, this network namespace)" \
        wait_for 10 sh -c "ss -ltnH 'sport = :2222' | grep -q 127.0.0.1:2222"
    usr_virsh destroy rl3 >/dev/null 2>&1
fi
usr_virsh undefine rl3 >/dev/null 2>&1

# the daemon, run directly as the user (no user systemd in the harness): an edit is picked up
asu "$VS" daemon > daemon.log 2>&1 &
dpid=$!
ok "the daemon writes its status to \$XDG_RUNTIME_DIR/virtspec/status.json" wait_for 20 test -s "$H/run/virtspec/status.json"
spec edited
ok "the daemon applies the edit: the title is now 'edited'" \
    wait_for 30 sh -c "runuser -u $U -- env -i HOME=$H XDG_RUNTIME_DIR=$H/run virsh -c qemu:///session dumpxml --inactive rl1 | grep -q '<title>edited</title>'"
vsu status
is "virtspec status as the user reads the daemon's status file" 0 "$rc"
kill "$dpid"; wait "$dpid" 2>/dev/null; dpid=

# trust for a user: a spec file owned by someone else (here root) is fine, by another user not
cp "$H/.config/virtspec/10-vm.yaml" "$H/.config/virtspec/20-other.yaml"; chown nobody "$H/.config/virtspec/20-other.yaml"
vsu plan
contains "another user's spec file is refused" "is owned by uid $(id -u nobody), not root or uid $(id -u "$U")" "$out"
rm -f "$H/.config/virtspec/20-other.yaml"
usr_virsh destroy rl1 >/dev/null 2>&1
usr_virsh undefine rl1 >/dev/null 2>&1
finish
