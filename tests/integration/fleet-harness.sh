#!/bin/bash
# Run a command against N private libvirtds (N = 2 or 3), each in network namespaces of its own,
# linked by veths to a bridge: several hypervisors on one machine (issue 22).
#
# Usage: tests/integration/fleet-harness.sh N COMMAND [ARGS...]
#
# A private "fabric" namespace (mount, net, pid) holds a bridge at 10.77.0.254/24. Host I (1..N)
# is one tests/integration/harness.sh run, with hostname kvmI (its own UTS namespace), host_uuid
# 00000000-0000-4000-8000-00000000000I, its own scratch root and network namespace, address
# 10.77.0.I/24 on eth0 (a veth whose other end is on the bridge), libvirtd listening on
# qemu+tcp://10.77.0.I/system without authentication, and qemu.conf migration_host and
# migration_address 10.77.0.I (a live migration from another host reaches it by address). Nothing
# routes off the machine: the fabric's only links are these veths.
#
# COMMAND runs in the fabric, with
#
#   VIRTSPEC_FLEET_N=N
#   VIRTSPEC_FLEET_URI_I=qemu+tcp://10.77.0.I/system     (I = 1..N)
#   VIRTSPEC_FLEET_DIR=<scratch dir, seen by every host, removed afterwards>
#   PATH starting with a directory holding `fleet-on`:
#       fleet-on I COMMAND [ARGS...]   runs COMMAND inside host I's namespaces (mount, net, uts,
#       pid), with LIBVIRT_DEFAULT_URI=qemu:///system (host I's libvirtd), VIRTSPEC_TEST_TMPDIR
#       (host I's scratch) and the caller's other variables and working directory
#
# and then every host is torn down as harness.sh does it (domains destroyed, daemons stopped,
# private dirs removed), on success, failure, SIGTERM or Ctrl-C; the veths and the bridge go with
# the namespaces. Exit status: COMMAND's; 77 when it cannot run here (not root, no unshare, no
# veth or bridge), 1 instead under VIRTSPEC_REQUIRE_INTEGRATION=1; 99 when set-up failed.
# harness.sh's knobs (VIRTSPEC_HARNESS_KEEP, _VERBOSE, _TIMEOUT, …) apply to every host.
# VIRTSPEC_FLEET_LOCKD=1: every host runs libvirt's lock manager (harness.sh's
# VIRTSPEC_HARNESS_LOCKD) on one lockspace, $VIRTSPEC_FLEET_DIR/lockspace, which all share.

# shellcheck disable=SC2317  # functions below are called from traps
set -u

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
SELF="$SELF_DIR/$(basename "${BASH_SOURCE[0]}")"
export PATH="${PATH:-/usr/bin:/bin}:/usr/local/sbin:/usr/sbin:/sbin"

say()  { echo "fleet-harness: $*" >&2; }
info() { [ "${VIRTSPEC_HARNESS_VERBOSE:-0}" = 1 ] && say "$@"; return 0; }
skip() {
    if [ "${VIRTSPEC_REQUIRE_INTEGRATION:-0}" = 1 ]; then
        say "FAIL: cannot run the fleet harness here: $*"; exit 1
    fi
    say "SKIP: $*"; exit 77
}

# --------------------------------------------------------------------------
# Outer part: checks, the scratch dir, the fabric namespace.
# --------------------------------------------------------------------------
if [ "${VIRTSPEC_FLEET_INNER:-}" != 1 ]; then
    if [ $# -lt 2 ] || ! [[ $1 =~ ^[23]$ ]]; then
        echo "usage: $0 N COMMAND [ARGS...]   (N = 2 or 3)" >&2
        exit 2
    fi
    [ "$(id -u)" = 0 ] || skip "must be run as root"
    for b in unshare nsenter ip; do
        command -v "$b" >/dev/null 2>&1 || skip "$b not found"
    done
    unshare --net --mount --pid --fork --kill-child --mount-proc --propagation private \
        sh -c 'ip link add fh-br type bridge && ip link add fh-a type veth peer name fh-b' \
        >/dev/null 2>&1 || skip "no network namespace with a bridge and a veth here"

    # scratch dirs of fleet runs that were SIGKILLed: their owner is gone
    for d in "${TMPDIR:-/tmp}"/virtspec-fleet.*; do
        [ -d "$d" ] && [ ! -e "$d/.keep" ] || continue
        owner=$(cat "$d/.owner" 2>/dev/null)
        if [ -n "$owner" ] && ! kill -0 "$owner" 2>/dev/null \
                && ! findmnt -rn -o TARGET | grep -q "^$d/"; then
            rm -rf --one-file-system "$d"
        fi
    done
    VIRTSPEC_FLEET_DIR=$(mktemp -d "${TMPDIR:-/tmp}/virtspec-fleet.XXXXXX") || exit 99
    chmod 755 "$VIRTSPEC_FLEET_DIR"
    echo $$ >"$VIRTSPEC_FLEET_DIR/.owner"
    export VIRTSPEC_FLEET_DIR VIRTSPEC_FLEET_INNER=1

    # The fabric is the init of a PID namespace: when it exits, whatever is left in it (every
    # host's harness, libvirtd, qemu) is killed by the kernel.
    unshare --net --mount --pid --fork --kill-child --mount-proc --propagation private \
        -- /bin/bash "$SELF" "$@" </dev/null &
    UNSHARE_PID=$!
    # unshare blocks SIGTERM/SIGINT while it waits: pass them on (as harness.sh does; a Ctrl-C
    # as SIGUSR1, which a background job can trap)
    forward() {
        local t
        t=$(cat "/proc/$UNSHARE_PID/task/$UNSHARE_PID/children" 2>/dev/null)
        # shellcheck disable=SC2086
        [ -n "$t" ] && kill "-$1" $t 2>/dev/null
    }
    trap 'forward TERM' TERM HUP
    trap 'forward USR1' INT
    while :; do
        wait "$UNSHARE_PID"
        rc=$?
        kill -0 "$UNSHARE_PID" 2>/dev/null || break
    done
    if [ "${VIRTSPEC_HARNESS_KEEP:-0}" = 1 ]; then
        touch "$VIRTSPEC_FLEET_DIR/.keep"
        say "scratch dir kept: $VIRTSPEC_FLEET_DIR"
    elif findmnt -rn -o TARGET | grep -q "^$VIRTSPEC_FLEET_DIR/"; then
        say "mounts left under $VIRTSPEC_FLEET_DIR, not removing it"
    else
        rm -rf --one-file-system "$VIRTSPEC_FLEET_DIR"
    fi
    exit "$rc"
fi

# --------------------------------------------------------------------------
# Inner part: the fabric namespace.
# --------------------------------------------------------------------------
unset VIRTSPEC_FLEET_INNER
N=$1; shift
F=$VIRTSPEC_FLEET_DIR
HARNESS_PIDS=()
CMD_PID=""
TORN_DOWN=0

teardown() {
    [ "$TORN_DOWN" = 1 ] && return
    TORN_DOWN=1
    local i pid t
    if [ -n "$CMD_PID" ] && kill -0 "$CMD_PID" 2>/dev/null; then
        kill -TERM "$CMD_PID" 2>/dev/null
        sleep 1
        kill -KILL "$CMD_PID" 2>/dev/null
    fi
    # each host's agent ends when its stop file appears; its harness then tears down
    for i in $(seq 1 "$N"); do touch "$F/stop.$i"; done
    for pid in "${HARNESS_PIDS[@]}"; do
        t=0
        while kill -0 "$pid" 2>/dev/null && [ $t -lt 600 ]; do sleep 0.1; t=$((t + 1)); done
        if kill -0 "$pid" 2>/dev/null; then
            say "host harness $pid did not stop within 60 s: SIGTERM"
            kill -TERM "$pid" 2>/dev/null
        fi
        wait "$pid" 2>/dev/null
    done
}
on_signal() {
    trap '' TERM INT HUP USR1
    [ "$TORN_DOWN" = 1 ] && return
    say "stopping on SIG$1: tearing every host down"
    teardown
    case $1 in INT|USR1) exit 130 ;; HUP) exit 129 ;; *) exit 143 ;; esac
}
trap 'on_signal TERM' TERM
trap 'on_signal INT' INT USR1
trap 'on_signal HUP' HUP
trap 'teardown' EXIT
fail_setup() { say "setup failed: $*"; teardown; trap - EXIT; exit 99; }

ip link set lo up || fail_setup "cannot bring lo up"
ip link add br0 type bridge || fail_setup "cannot add a bridge"
ip addr add 10.77.0.254/24 dev br0 && ip link set br0 up || fail_setup "cannot set up br0"

# ns_pid PID: the first descendant of PID in namespaces other than ours (the inner shell of a
# harness: init of its PID namespace, or the unshare process when there is none), printed with
# the nsenter flags that reach it
ns_pid() {
    local todo=("$1") p c mine_pid mine_net
    mine_pid=$(readlink /proc/self/ns/pid); mine_net=$(readlink /proc/self/ns/net)
    while [ ${#todo[@]} -gt 0 ]; do
        p=${todo[0]}; todo=("${todo[@]:1}")
        if [ "$(readlink "/proc/$p/ns/pid" 2>/dev/null)" != "$mine_pid" ] \
                && [ -n "$(readlink "/proc/$p/ns/pid" 2>/dev/null)" ]; then
            echo "$p -m -n -u -p"; return 0
        fi
        # harness.sh without a PID namespace: its unshare (in the new mount, net, uts ones)
        if [ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" != "$mine_net" ] \
                && [ -z "$(cat "/proc/$p/task/$p/children" 2>/dev/null)" ] \
                && [ "$(readlink "/proc/$p/ns/pid_for_children" 2>/dev/null)" = "$mine_pid" ]; then
            echo "$p -m -n -u"; return 0
        fi
        for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do todo+=("$c"); done
    done
    return 1
}

mkdir -p "$F/bin"
ln -s "$SELF_DIR/fleet-on" "$F/bin/fleet-on"

if [ "${VIRTSPEC_FLEET_LOCKD:-0}" = 1 ]; then
    mkdir -p "$F/lockspace" && export VIRTSPEC_HARNESS_LOCKD="$F/lockspace"
fi
for i in $(seq 1 "$N"); do
    mkdir -p "$F/host$i/tmp"
    ip link add "vh$i" type veth peer name "vf$i" || fail_setup "cannot add veth vh$i"
    ip link set "vf$i" master br0 && ip link set "vf$i" up || fail_setup "cannot put vf$i on br0"
    # the agent: runs inside host I once its libvirtd answers, says so, and waits for the stop
    # file; harness.sh then tears host I down
    # shellcheck disable=SC2016
    TMPDIR="$F/host$i/tmp" VIRTSPEC_HARNESS_HOSTNAME="kvm$i" \
        VIRTSPEC_HARNESS_HOST_UUID="00000000-0000-4000-8000-00000000000$i" \
        VIRTSPEC_HARNESS_LISTEN_TCP=1 VIRTSPEC_HARNESS_MIGRATION_HOST="10.77.0.$i" \
        /bin/bash "$SELF_DIR/harness.sh" /bin/bash -c '
            printf "%s\n" "$VIRTSPEC_TEST_TMPDIR" >"$0.tmp"
            touch "$0.ready"
            while [ ! -e "$1" ]; do sleep 0.2; done' "$F/host$i" "$F/stop.$i" \
        >"$F/host$i.out" 2>&1 &
    HARNESS_PIDS+=($!)
done

# move each veth into its host's namespace as soon as that exists, then wait for its libvirtd
for i in $(seq 1 "$N"); do
    pid=${HARNESS_PIDS[$((i - 1))]}
    t=0
    until ns=$(ns_pid "$pid"); do
        kill -0 "$pid" 2>/dev/null || { cat "$F/host$i.out" >&2; fail_setup "host $i's harness exited"; }
        [ $t -lt 300 ] || fail_setup "host $i's namespaces did not appear"
        sleep 0.1; t=$((t + 1))
    done
    echo "$ns" >"$F/host$i.ns"
    read -r p _ <<<"$ns"
    ip link set "vh$i" netns "$p" || fail_setup "cannot move vh$i into host $i"
    nsenter -t "$p" -n sh -c "ip link set vh$i name eth0 && ip addr add 10.77.0.$i/24 dev eth0 \
        && ip link set eth0 up" || fail_setup "cannot set host $i's address"
    export "VIRTSPEC_FLEET_URI_$i=qemu+tcp://10.77.0.$i/system"
done
for i in $(seq 1 "$N"); do
    pid=${HARNESS_PIDS[$((i - 1))]}
    t=0
    until [ -e "$F/host$i.ready" ] \
            && timeout 10 virsh -c "qemu+tcp://10.77.0.$i/system" hostname >/dev/null 2>&1; do
        kill -0 "$pid" 2>/dev/null || { cat "$F/host$i.out" >&2; fail_setup "host $i's harness exited"; }
        [ $t -lt 600 ] || { cat "$F/host$i.out" >&2; fail_setup "host $i's libvirtd did not answer over TCP"; }
        sleep 0.1; t=$((t + 1))
    done
    info "kvm$i ready at qemu+tcp://10.77.0.$i/system"
done

export VIRTSPEC_FLEET_N=$N PATH="$F/bin:$PATH"
"$@" </dev/null &
CMD_PID=$!
wait "$CMD_PID"
rc=$?
CMD_PID=""
[ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && say "command exited with status $rc"
teardown
for i in $(seq 1 "$N"); do
    # a host's harness that failed or complained: show what it said
    if [ -s "$F/host$i.out" ] && { [ "$rc" -ne 0 ] || [ "${VIRTSPEC_HARNESS_VERBOSE:-0}" = 1 ]; }; then
        say "---- host kvm$i's harness ----"
        tail -n 40 "$F/host$i.out" >&2
    fi
done
trap - EXIT
exit "$rc"
