#!/bin/bash
# Issue 23: virtspec without root. A throw-away user (useradd here, userdel at the end) runs
# virtspec against their own session libvirtd (qemu:///session spawns `libvirtd --session` on
# first use) with nothing but the XDG defaults: specs in ~/.config/virtspec, state in
# ~/.local/state/virtspec, status in $XDG_RUNTIME_DIR/virtspec/status.json, connection
# qemu:///session. Checked: a domain with a user-mode interface runs under TCG (no guest OS:
# "running" is the bar); a port forward is in force (libvirt < 9.2: added live through the QEMU
# monitor, listed by `info usernet`, moved and removed live, put back after a restart by hand by
# apply and by the daemon; newer: passt's <portForward>) and its host port listens (ss, in the
# harness's network namespace: nothing leaves it); the daemon run directly as that user picks up
# an edit; another user's spec file is refused. A guest answering through the forward needs a
# guest OS: tests/e2e/test-real-guest.sh.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
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

# a port forward. libvirt 9.2 and later: passt's <portForward>. Older (Debian 12's 9.0.0 has no
# passt backend): slirp, and virtspec adds the forward through the QEMU monitor (hostfwd_add),
# live: it must be listed by `info usernet`, qemu must listen on the host port (ss, this network
# namespace: nothing leaves it), a second apply changes nothing, an edit moves it live (same id),
# and a domain restarted by hand gets it back (next apply; the daemon, below).
libver=$(asu virsh -c qemu:///session version 2>/dev/null | awk '/Using library: libvirt/ {print $4}')
by_monitor=1
[ "$(printf '%s\n9.2.0\n' "$libver" | sort -V | head -n 1)" = 9.2.0 ] && by_monitor=
fwspec() {   # fwspec HOST-PORT
    cat > "$H/.config/virtspec/20-fw.yaml" <<YAML
kind: Domain
name: rl3
memory: 64MiB
graphics: {type: none}
video: {type: none}
interfaces:
  - type: user
    forward: [{host: $1, guest: 22, address: 127.0.0.1}]
state: running
YAML
    chown "$U:$U" "$H/.config/virtspec/20-fw.yaml"; chmod 0644 "$H/.config/virtspec/20-fw.yaml"
}
usernet() { usr_virsh qemu-monitor-command --hmp rl3 'info usernet' 2>&1; }
listens() {   # listens PORT: qemu listens on 127.0.0.1:PORT
    ss -ltnpH "sport = :$1" | grep "127.0.0.1:$1" | grep -q qemu
}
fwspec 2222
vsu apply
is "apply of a domain with a port forward (output: $(printf '%s' "$out" | grep -E 'error|✗' | head -n 3))" 0 "$rc"
if [ -n "$by_monitor" ]; then
    echo "# libvirt $libver: no passt, the forward goes through the QEMU monitor"
    contains "apply adds the forward live through the monitor" \
        "~ interfaces[0].forward: + tcp 127.0.0.1:2222 → 22 (live, QEMU monitor)" "$out"
    lacks "the live XML has no passt backend (slirp)" "passt" "$(usr_virsh dumpxml rl3 2>/dev/null)"
    contains "info usernet lists the forward on the NIC's netdev" "HOST_FORWARD" "$(usernet)"
    contains "…from 127.0.0.1:2222 to the guest's port 22" "127.0.0.1  2222       10.0.2.15    22" "$(usernet)"
    ok "qemu listens on 127.0.0.1:2222 (ss -ltnp, this network namespace)" wait_for 10 listens 2222
    id3=$(usr_virsh domid rl3 | awk "NR == 1")
    vsu apply
    is "a second apply succeeds" 0 "$rc"
    lacks "a second apply changes no forward" "forward" "$out"
    vsu plan
    contains "plan after it: in sync" "in sync" "$out"
    fwspec 2223
    vsu plan
    contains "plan of the edit: the old forward goes, live" "~ interfaces[0].forward: - tcp 127.0.0.1:2222 → 22 (live, QEMU monitor)" "$out"
    contains "…the new one comes, live" "~ interfaces[0].forward: + tcp 127.0.0.1:2223 → 22 (live, QEMU monitor)" "$out"
    lacks "…no reload" "reload" "$out"
    vsu apply
    is "apply of the edit" 0 "$rc"
    is "the edit was live: same domain id" "$id3" "$(usr_virsh domid rl3 | awk "NR == 1")"
    ok "qemu listens on 127.0.0.1:2223" wait_for 10 listens 2223
    ok "…and no longer on 2222" sh -c "! ss -ltnH 'sport = :2222' | grep -q 127.0.0.1:2222"
    lacks "info usernet no longer lists 2222" " 2222 " "$(usernet)"
    usr_virsh destroy rl3 >/dev/null 2>&1; usr_virsh start rl3 >/dev/null 2>&1
    lacks "restarted by hand (virsh destroy + start): QEMU starts without the forward" "HOST_FORWARD" "$(usernet)"
    vsu apply
    contains "the next apply puts it back" "+ tcp 127.0.0.1:2223 → 22 (live, QEMU monitor)" "$out"
    ok "qemu listens on 127.0.0.1:2223 again" wait_for 10 listens 2223
    sed -i 's/^    forward: .*/    forward: []/' "$H/.config/virtspec/20-fw.yaml"
    vsu apply
    contains "forward: [] removes the forward live" "- tcp 127.0.0.1:2223 → 22 (live, QEMU monitor)" "$out"
    lacks "…info usernet lists none" "HOST_FORWARD" "$(usernet)"
    fwspec 2223
    vsu apply
    # a move whose new host port is taken: the new forward is added first, fails, and the old one
    # stays (it used to be removed first and lost)
    python3 -c 'import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", 2224)); s.listen(); time.sleep(60)' &
    tpid=$!
    ok "127.0.0.1:2224 taken by another process" wait_for 10 sh -c "ss -ltnH 'sport = :2224' | grep -q 127.0.0.1:2224"
    fwspec 2224
    vsu apply
    ok "apply of a move to a taken port fails" test "$rc" -ne 0
    contains "…reporting the monitor's refusal" "hostfwd_add" "$out"
    ok "…and the old forward 2223 stays" listens 2223
    kill "$tpid"; wait "$tpid" 2>/dev/null
    fwspec 2223
    vsu apply
    mkdir -m 0755 "$H/fw"; chown "$U:$U" "$H/fw"
    printf 'kind: Domain\nname: rl4\nmemory: 64MiB\ninterfaces:\n  - {type: user, backend: passt}\n' > "$H/fw/passt.yaml"
    chown "$U:$U" "$H/fw/passt.yaml"
    vsu plan "$H/fw"
    contains "plan: backend passt needs libvirt 9.2, at its key" \
        "passt.yaml:5:" "$(printf '%s' "$out" | grep 'error: interfaces\[0\].backend: passt needs libvirt 9.2 or later')"
    printf 'kind: Domain\nname: rl5\nmemory: 64MiB\ninterfaces:\n  - type: user\n    forward: [{host: 2230, address: "::1"}]\n' > "$H/fw/ipv6.yaml"
    chown "$U:$U" "$H/fw/ipv6.yaml"
    vsu plan "$H/fw"
    contains "plan: an IPv6 forward address needs libvirt 9.2 (slirp is IPv4 only), at its key" \
        "ipv6.yaml:6:" "$(printf '%s' "$out" | grep 'error: interfaces\[0\].forward\[0\].address: ::1 is IPv6')"
else
    contains "the live XML has the port forward" "<range start='2222' to='22'/>" "$(usr_virsh dumpxml rl3 2>/dev/null)"
    ok "the host port 2222 listens on 127.0.0.1 (ss -ltn, this network namespace)" wait_for 10 listens 2222
fi

# the daemon, run directly as the user (no user systemd in the harness): an edit is picked up
asu "$VS" daemon > daemon.log 2>&1 &
dpid=$!
ok "the daemon writes its status to \$XDG_RUNTIME_DIR/virtspec/status.json" wait_for 20 test -s "$H/run/virtspec/status.json"
spec edited
ok "the daemon applies the edit: the title is now 'edited'" \
    wait_for 30 sh -c "runuser -u $U -- env -i HOME=$H XDG_RUNTIME_DIR=$H/run virsh -c qemu:///session dumpxml --inactive rl1 | grep -q '<title>edited</title>'"
vsu status
is "virtspec status as the user reads the daemon's status file" 0 "$rc"
if [ -n "$by_monitor" ]; then
    usr_virsh destroy rl3 >/dev/null 2>&1; usr_virsh start rl3 >/dev/null 2>&1
    ok "the daemon puts the forward back on a domain restarted by hand (its start event)" wait_for 30 listens 2223
fi
kill "$dpid"; wait "$dpid" 2>/dev/null; dpid=

# trust for a user: a spec file owned by someone else (here root) is fine, by another user not
cp "$H/.config/virtspec/10-vm.yaml" "$H/.config/virtspec/20-other.yaml"; chown nobody "$H/.config/virtspec/20-other.yaml"
vsu plan
contains "another user's spec file is refused" "is owned by uid $(id -u nobody), not root or uid $(id -u "$U")" "$out"
rm -f "$H/.config/virtspec/20-other.yaml"
for d in rl1 rl3; do usr_virsh destroy $d >/dev/null 2>&1; usr_virsh undefine $d >/dev/null 2>&1; done
finish
