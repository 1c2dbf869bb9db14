#!/bin/bash
# Run a command against a private, throw-away libvirtd.
#
# Usage: tests/integration/harness.sh COMMAND [ARGS...]
#
# The harness re-executes itself inside new mount, network and (when the
# kernel allows it) PID namespaces, hides the host's libvirt state behind
# fresh empty directories, starts virtlogd and libvirtd, waits until
# qemu:///system answers, then runs COMMAND with
#
#   LIBVIRT_DEFAULT_URI=qemu:///system
#   VIRTSPEC_TEST_LIBVIRTD=1
#   VIRTSPEC_TEST_TMPDIR=<private scratch dir, removed afterwards>
#   VIRTSPEC_TEST_LIBVIRTD_LOG=<libvirtd log file>
#
# and finally destroys every domain and network, stops the daemons and exits
# with COMMAND's exit status.  Exit status 77 means "skipped" (not root, or no
# usable unshare / libvirt / qemu on this machine).
#
# Mount points the host lacks (/var/lib/libvirt, /run/virtspec, …) are made in a private overlay
# of their parent, never on the host, so runs at once cannot break each other
# (test-harness-parallel.sh).
#
# Environment knobs (all optional):
#   VIRTSPEC_HARNESS_KEEP=1          keep the private dir (path is printed)
#   VIRTSPEC_HARNESS_CGROUPS=1       let libvirt use cgroups (off by default:
#                                    cgroupfs is host-global state)
#   VIRTSPEC_HARNESS_LOG_LEVEL=N     libvirtd log level 1..4 (default 3)
#   VIRTSPEC_HARNESS_TIMEOUT=S       seconds to wait for libvirtd (default 30)
#   VIRTSPEC_HARNESS_VERBOSE=1       print progress messages
#   VIRTSPEC_HARNESS_EXTRA_DIRS=...  more host directories to hide behind private ones
#   VIRTSPEC_HARNESS_QEMU_USER=U     run QEMU as user U (e.g. libvirt-qemu, as Debian's stock
#                                    libvirt does; group: U's primary group) with
#                                    dynamic_ownership on, instead of as root: every path QEMU
#                                    opens must then be reachable by U
# For several hosts at once (tests/integration/fleet-harness.sh sets these):
#   VIRTSPEC_HARNESS_HOSTNAME=NAME   a UTS namespace of its own too, with this hostname
#   VIRTSPEC_HARNESS_HOST_UUID=UUID  libvirtd.conf host_uuid (libvirt refuses to migrate between
#                                    two hosts of one UUID, and the default comes from DMI)
#   VIRTSPEC_HARNESS_LISTEN_TCP=1    libvirtd --listen with listen_tcp = 1, auth_tcp = "none"
#                                    (tcp_port 16509): qemu+tcp://ADDR/system, unauthenticated,
#                                    reachable only from the namespaces linked to this one
#   VIRTSPEC_HARNESS_MIGRATION_HOST=ADDR  qemu.conf migration_host and migration_address: an
#                                    incoming migration is announced and listened for at ADDR
#                                    (not at the hostname, which nobody resolves)
#   VIRTSPEC_HARNESS_LOCKD=DIR       libvirt's lock manager as docs/fleet.md#fencing sets it up:
#                                    qemu.conf lock_manager = "lockd", qemu-lockd.conf
#                                    auto_disk_leases, require_lease_for_disks and
#                                    file_lockspace_dir = DIR (a directory several hosts share),
#                                    and this host's own virtlockd

# shellcheck disable=SC2317  # functions below are called from traps
set -u

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
SELF="$SELF_DIR/$(basename "${BASH_SOURCE[0]}")"
PROG="harness"

export PATH="${PATH:-/usr/bin:/bin}:/usr/local/sbin:/usr/sbin:/sbin"

say()  { echo "$PROG: $*" >&2; }
info() { [ "${VIRTSPEC_HARNESS_VERBOSE:-0}" = 1 ] && say "$@"; return 0; }
# Under CI (VIRTSPEC_REQUIRE_INTEGRATION=1) a test that cannot run is a failure, not a skip.
skip() {
    if [ "${VIRTSPEC_REQUIRE_INTEGRATION:-0}" = 1 ]; then
        say "FAIL: cannot run the integration suite here: $*"; exit 1
    fi
    say "SKIP: $*"; exit 77
}

# --------------------------------------------------------------------------
# Outer part: checks, users, re-exec inside namespaces.
# --------------------------------------------------------------------------
if [ "${VIRTSPEC_HARNESS_INNER:-}" != "1" ]; then
    if [ $# -lt 1 ]; then
        echo "usage: $0 COMMAND [ARGS...]" >&2
        exit 2
    fi
    [ "$(id -u)" = 0 ] || skip "must be run as root"
    command -v unshare >/dev/null 2>&1 || skip "unshare not found"
    for b in libvirtd virtlogd virsh qemu-system-x86_64 ip; do
        command -v "$b" >/dev/null 2>&1 || skip "$b not found"
    done

    # libvirt resolves its built-in default user and group (user
    # libvirt-qemu, group libvirt-qemu in Debian's build; Debian puts the
    # user in group kvm) before it reads qemu.conf, so they must exist.
    for g in kvm libvirt-qemu; do
        if ! getent group "$g" >/dev/null; then
            groupadd --system "$g" || skip "cannot create group $g"
        fi
    done
    if ! getent passwd libvirt-qemu >/dev/null; then
        useradd --system --no-create-home --home-dir /var/lib/libvirt \
                --shell /usr/sbin/nologin --gid kvm libvirt-qemu \
            || skip "cannot create user libvirt-qemu"
    fi

    # Prefer a PID namespace as well: when its init (our inner shell) dies,
    # the kernel kills everything left in it, so nothing can leak.
    NS_OPTS=""
    if unshare --mount --net --pid --fork --mount-proc --propagation private \
            true >/dev/null 2>&1; then
        NS_OPTS="--pid --fork --kill-child --mount-proc"
    elif unshare --mount --net --propagation private true >/dev/null 2>&1; then
        NS_OPTS=""
    else
        skip "unshare --mount --net failed (no namespace support?)"
    fi

    # Remove private dirs left behind by harness runs that were SIGKILLed
    # (e.g. by a test runner's timeout): their owner process is gone.
    for d in "${TMPDIR:-/tmp}"/virtspec-harness.*; do
        if [ ! -d "$d" ] || [ -e "$d/.keep" ]; then continue; fi
        owner=$(cat "$d/.owner" 2>/dev/null)
        if [ -n "$owner" ] && ! kill -0 "$owner" 2>/dev/null; then
            rm -rf --one-file-system "$d"
        fi
    done

    if [ -n "${VIRTSPEC_HARNESS_HOSTNAME:-}" ]; then
        NS_OPTS="--uts $NS_OPTS"
    fi

    export VIRTSPEC_HARNESS_INNER=1
    export VIRTSPEC_HARNESS_OWNER=$$
    # shellcheck disable=SC2086
    unshare --mount --net --propagation private $NS_OPTS \
        -- /bin/bash "$SELF" "$@" </dev/null &
    UNSHARE_PID=$!

    # unshare --fork blocks SIGTERM/SIGINT while it waits for its child, so
    # pass them on to the inner shell, which then tears down and exits.
    # Never as SIGINT: a background job of a non-interactive shell starts
    # with SIGINT ignored, and the inner shell cannot trap it.  A Ctrl-C (a
    # user stopping examples/run.sh) goes as SIGUSR1: a quiet stop.
    forward() {
        local targets=$UNSHARE_PID
        if [ -n "$NS_OPTS" ]; then
            targets=$(cat "/proc/$UNSHARE_PID/task/$UNSHARE_PID/children" 2>/dev/null)
        fi
        # shellcheck disable=SC2086
        [ -n "$targets" ] && kill "-$1" $targets 2>/dev/null
    }
    trap 'forward TERM' TERM HUP
    trap 'forward USR1' INT
    while :; do
        wait "$UNSHARE_PID"
        rc=$?
        # wait returns >128 when a trapped signal interrupted it
        kill -0 "$UNSHARE_PID" 2>/dev/null || break
    done
    exit "$rc"
fi

# --------------------------------------------------------------------------
# Inner part: we are in private namespaces now.
# --------------------------------------------------------------------------
unset VIRTSPEC_HARNESS_INNER

PRIV=$(mktemp -d "${TMPDIR:-/tmp}/virtspec-harness.XXXXXX") || exit 99
chmod 755 "$PRIV"
echo "${VIRTSPEC_HARNESS_OWNER:-$$}" >"$PRIV/.owner"
unset VIRTSPEC_HARNESS_OWNER
LIBVIRTD_LOG="$PRIV/var/log/libvirt/libvirtd.log"
LIBVIRTD_OUT="$PRIV/libvirtd.out"
VIRTLOGD_OUT="$PRIV/virtlogd.out"
LIBVIRTD_PIDFILE=/run/libvirt/libvirtd.pid
VIRTLOGD_PIDFILE=/run/libvirt/virtlogd.pid
VIRTLOCKD_PIDFILE=/run/libvirt/virtlockd.pid
LIBVIRTD_PID=""
VIRTLOGD_PID=""
VIRTLOCKD_PID=""
CMD_PID=""
MOUNTED=()
OVERLAID=()     # existing host directories this run covers with a private overlay
TORN_DOWN=0
FAILED=0

# Directories hidden behind private copies.  The swtpm ones keep swtpm_setup
# (used for <tpm><backend type='emulator'>) off the host's state as well; the
# virtspec ones keep its pool records, status file and the volumes of the example pool
# (/var/lib/virtspec-images, examples/00-pool.yaml) off the host.
PRIVATE_DIRS=(
    /run/libvirt
    /run/virtspec
    /var/lib/virtspec
    /var/lib/virtspec-images
    /var/lib/libvirt
    /var/log/libvirt
    /var/cache/libvirt
    /var/lib/swtpm-localca
    /var/log/swtpm
)

print_logs() {
    local f
    if [ -s "$LIBVIRTD_LOG" ]; then
        say "---- tail of libvirtd log ($LIBVIRTD_LOG) ----"
        # drop the start-up noise of this sandbox (no dbus, dmi, kvm, NICs)
        grep -vE 'ethtool ioctl error|virGDBusGetSystemBus|DBus not available|udevGetDMIData|dmidecode|/dev/mem|/dev/kvm' \
            "$LIBVIRTD_LOG" | tail -n 40 >&2
    fi
    if [ -s "$LIBVIRTD_OUT" ]; then
        say "---- libvirtd stdout/stderr ----"
        tail -n 20 "$LIBVIRTD_OUT" >&2
    fi
    if [ -s "$VIRTLOGD_OUT" ]; then
        say "---- virtlogd stdout/stderr ----"
        tail -n 20 "$VIRTLOGD_OUT" >&2
    fi
    # the qemu logs written last (a test that runs 70 domains would push everything else out)
    for f in $(ls -t "$PRIV"/var/log/libvirt/qemu/*.log 2>/dev/null | head -n 4); do
        [ -s "$f" ] || continue
        say "---- tail of $f ----"
        tail -n 6 "$f" >&2
    done
    if [ -s "${CMD_OUT:-}" ] && grep -q '^FAIL' "$CMD_OUT"; then
        say "---- the command's failed checks, repeated (it ended: $(tail -n 1 "$CMD_OUT")) ----"
        grep -A6 '^FAIL' "$CMD_OUT" | head -n 40 >&2
    fi
}

# wait_gone PID SECONDS: wait for PID to exit (reaping it if it is our child)
wait_gone() {
    local pid=$1 limit=$(( $2 * 10 )) i=0
    while kill -0 "$pid" 2>/dev/null; do
        # a zombie child of ours: reap it
        if [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ]; then
            wait "$pid" 2>/dev/null
            break
        fi
        [ $i -ge $limit ] && return 1
        sleep 0.1
        i=$((i + 1))
    done
    wait "$pid" 2>/dev/null
    return 0
}

stop_pid() {   # stop_pid PID NAME
    local pid=$1 name=$2
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    kill -TERM "$pid" 2>/dev/null
    if ! wait_gone "$pid" 15; then
        say "$name ($pid) did not stop on SIGTERM, killing it"
        kill -KILL "$pid" 2>/dev/null
        wait_gone "$pid" 5
    fi
}

teardown() {
    [ "$TORN_DOWN" = 1 ] && return
    TORN_DOWN=1
    local d n f pid

    if [ -n "$CMD_PID" ] && kill -0 "$CMD_PID" 2>/dev/null; then
        kill -TERM "$CMD_PID" 2>/dev/null
        wait_gone "$CMD_PID" 5 || kill -KILL "$CMD_PID" 2>/dev/null
    fi

    if [ -n "$LIBVIRTD_PID" ] && kill -0 "$LIBVIRTD_PID" 2>/dev/null; then
        for d in $(timeout 20 virsh -q list --name 2>/dev/null); do
            timeout 20 virsh -q destroy "$d" >/dev/null 2>&1 \
                || say "could not destroy domain $d"
        done
        for n in $(timeout 20 virsh -q net-list --name 2>/dev/null); do
            timeout 20 virsh -q net-destroy "$n" >/dev/null 2>&1 \
                || say "could not destroy network $n"
        done
    fi
    stop_pid "$LIBVIRTD_PID" libvirtd

    # Anything libvirtd left behind (qemu, swtpm, dnsmasq) has its pid file
    # in our private /run/libvirt.
    for f in /run/libvirt/qemu/*.pid /run/libvirt/qemu/swtpm/*.pid \
             /run/libvirt/network/*.pid; do
        [ -f "$f" ] || continue
        pid=$(head -n1 "$f" 2>/dev/null | tr -dc 0-9)
        [ -n "$pid" ] || continue
        if kill -0 "$pid" 2>/dev/null; then
            say "killing leftover process $pid ($f)"
            kill -KILL "$pid" 2>/dev/null
            wait_gone "$pid" 5
        fi
    done

    stop_pid "$VIRTLOCKD_PID" virtlockd
    stop_pid "$VIRTLOGD_PID" virtlogd

    if [ "$FAILED" = 1 ]; then
        print_logs
    fi

    for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
        umount -l "${MOUNTED[$i]}" 2>/dev/null
    done
    if [ "${VIRTSPEC_HARNESS_KEEP:-0}" = 1 ]; then
        touch "$PRIV/.keep"
        say "private dir kept: $PRIV"
    elif findmnt -rn -o TARGET | grep -q "^$PRIV/"; then
        # never rm -rf through a mount (a bind of a host directory would be emptied)
        say "mounts left under $PRIV, not removing it: $(findmnt -rn -o TARGET | grep "^$PRIV/" | tr '\n' ' ')"
    else
        rm -rf --one-file-system "$PRIV"
    fi
}

on_signal() {
    trap '' TERM INT HUP USR1  # a second signal must not cut the teardown short
    # Already tearing down (the command exited first, e.g. the daemon got the terminal's
    # SIGINT itself): let that teardown finish; exiting here would leave $PRIV behind.
    [ "$TORN_DOWN" = 1 ] && return
    if [ "$1" = INT ]; then
        say "stopping on Ctrl-C: removing the private libvirtd and everything in it"
    else
        say "interrupted by SIG$1"
        FAILED=1
    fi
    teardown
    case $1 in INT) exit 130 ;; HUP) exit 129 ;; *) exit 143 ;; esac
}
trap 'on_signal TERM' TERM
trap 'on_signal INT' INT USR1
trap 'on_signal HUP' HUP
trap 'teardown' EXIT

fail_setup() {
    say "setup failed: $*"
    FAILED=1
    teardown
    exit 99
}

# ---- network: only lo, up -------------------------------------------------
ip link set lo up || fail_setup "cannot bring lo up"
if [ -n "${VIRTSPEC_HARNESS_HOSTNAME:-}" ]; then
    hostname "$VIRTSPEC_HARNESS_HOSTNAME" || fail_setup "cannot set the hostname"
fi

# ---- private directories --------------------------------------------------
# A mount point the host lacks is never created on the host: a directory made there is shared by
# every run, and removing it again (rmdir of a mount point in another mount namespace) detaches
# the bind mounts of another run using it. Instead the nearest existing ancestor is covered, in
# this namespace only, by an overlay whose upper layer lives in $PRIV; the mount point is made in
# that upper layer, which the host never sees. Mounts below the ancestor are carried over.
overlaid() {   # overlaid DIR: DIR is (inside) a directory this run already overlaid
    local o
    for o in "${OVERLAID[@]}"; do
        case $1/ in "$o"/*) return 0 ;; esac
    done
    return 1
}
overlay_parent() {   # overlay_parent DIR: cover DIR (existing) with a private overlay
    local dir=$1 up m b subs bound=()
    up="$PRIV/overlay/$(printf '%s' "$dir" | tr / _)"
    subs=$(findmnt -rn -o TARGET | grep "^$dir/" | sort -u)
    mkdir -p "$up/lower" "$up/upper" "$up/work" || return 1
    # a copy of DIR with its submounts, as the lower layer and to put the submounts back from
    mount --rbind "$dir" "$up/lower" || return 1
    mount -t overlay overlay \
        -o "lowerdir=$up/lower,upperdir=$up/upper,workdir=$up/work" "$dir" || return 1
    MOUNTED+=("$dir")
    OVERLAID+=("$dir")
    # an overlay shows no submounts of its lower layer: bind the outermost ones back (recursively)
    for m in $subs; do
        for b in "${bound[@]}"; do
            case $m/ in "$b"/*) continue 2 ;; esac
        done
        mount --rbind "$up/lower${m#"$dir"}" "$m" || return 1
        MOUNTED+=("$m"); bound+=("$m")
    done
    # the overlay holds its own reference to the lower layer: the copy goes at once, so that no
    # host directory is ever mounted inside $PRIV (which the teardown removes)
    umount -l "$up/lower"
}
private_mountpoint() {   # private_mountpoint DIR: DIR exists, created in a private layer if new
    local anc=$1
    [ -d "$1" ] && return 0
    while [ ! -d "$anc" ]; do anc=$(dirname "$anc"); done
    [ "$anc" != / ] || return 1
    overlaid "$anc" || overlay_parent "$anc" || return 1
    mkdir -p "$1"
}
bind_private() {   # bind_private HOSTDIR PRIVDIR
    private_mountpoint "$1" || return 1
    mkdir -p "$2" || return 1
    mount --bind "$2" "$1" || return 1
    MOUNTED+=("$1")
}
# VIRTSPEC_HARNESS_EXTRA_DIRS: more directories to hide the same way (space-separated; a test of
# the harness names one the host surely lacks)
# shellcheck disable=SC2206
for d in "${PRIVATE_DIRS[@]}" ${VIRTSPEC_HARNESS_EXTRA_DIRS:-}; do
    bind_private "$d" "$PRIV$d" || fail_setup "cannot bind $PRIV$d on $d"
done
mkdir -p "$PRIV/tmp" "$PRIV/etc/libvirt"

# ---- private /etc/libvirt with only the *.conf files ----------------------
ETC="$PRIV/etc/libvirt"
if [ -d /etc/libvirt ]; then
    for f in /etc/libvirt/*.conf; do
        [ -f "$f" ] && cp "$f" "$ETC/"
    done
fi

# set_conf FILE KEY VALUE: drop any existing "KEY =" line, append "KEY = VALUE"
set_conf() {
    local file=$1 key=$2 value=$3
    touch "$file"
    sed -i -E "/^[[:space:]]*${key}[[:space:]]*=/d" "$file"
    printf '%s = %s\n' "$key" "$value" >>"$file"
}

LOG_LEVEL=${VIRTSPEC_HARNESS_LOG_LEVEL:-3}
echo "# virtspec test harness overrides" >>"$ETC/libvirtd.conf"
set_conf "$ETC/libvirtd.conf" listen_tls 0
set_conf "$ETC/libvirtd.conf" listen_tcp 0
set_conf "$ETC/libvirtd.conf" auth_unix_ro '"none"'
set_conf "$ETC/libvirtd.conf" auth_unix_rw '"none"'
set_conf "$ETC/libvirtd.conf" unix_sock_group '"root"'
set_conf "$ETC/libvirtd.conf" log_filters '""'
set_conf "$ETC/libvirtd.conf" log_outputs "\"$LOG_LEVEL:file:/var/log/libvirt/libvirtd.log\""
LIBVIRTD_ARGS=()
if [ "${VIRTSPEC_HARNESS_LISTEN_TCP:-0}" = 1 ]; then
    set_conf "$ETC/libvirtd.conf" listen_tcp 1
    set_conf "$ETC/libvirtd.conf" auth_tcp '"none"'
    set_conf "$ETC/libvirtd.conf" tcp_port '"16509"'
    LIBVIRTD_ARGS+=(--listen)
fi
if [ -n "${VIRTSPEC_HARNESS_HOST_UUID:-}" ]; then
    set_conf "$ETC/libvirtd.conf" host_uuid "\"$VIRTSPEC_HARNESS_HOST_UUID\""
fi

set_conf "$ETC/virtlogd.conf" log_outputs '"3:file:/var/log/libvirt/virtlogd.log"'

QC="$ETC/qemu.conf"
echo "# virtspec test harness overrides" >>"$QC"
QEMU_USER=${VIRTSPEC_HARNESS_QEMU_USER:-root}
if [ "$QEMU_USER" = root ]; then
    set_conf "$QC" user '"root"'
    set_conf "$QC" group '"root"'
    set_conf "$QC" dynamic_ownership 0
else
    getent passwd "$QEMU_USER" >/dev/null || fail_setup "no user $QEMU_USER for QEMU"
    set_conf "$QC" user "\"$QEMU_USER\""
    set_conf "$QC" group "\"$(id -gn "$QEMU_USER")\""
    set_conf "$QC" dynamic_ownership 1
    info "QEMU runs as $QEMU_USER:$(id -gn "$QEMU_USER")"
fi
set_conf "$QC" remember_owner 0
set_conf "$QC" security_driver '"none"'
set_conf "$QC" seccomp_sandbox 0
set_conf "$QC" namespaces '[ ]'
set_conf "$QC" swtpm_user '"root"'
set_conf "$QC" swtpm_group '"root"'
set_conf "$QC" vnc_listen '"127.0.0.1"'
set_conf "$QC" spice_listen '"127.0.0.1"'
set_conf "$QC" stdio_handler '"logd"'
if [ -n "${VIRTSPEC_HARNESS_LOCKD:-}" ]; then
    command -v virtlockd >/dev/null 2>&1 || fail_setup "VIRTSPEC_HARNESS_LOCKD: no virtlockd"
    [ -d "$VIRTSPEC_HARNESS_LOCKD" ] || fail_setup "no lockspace $VIRTSPEC_HARNESS_LOCKD"
    set_conf "$QC" lock_manager '"lockd"'
    set_conf "$ETC/qemu-lockd.conf" auto_disk_leases 1
    set_conf "$ETC/qemu-lockd.conf" require_lease_for_disks 1
    set_conf "$ETC/qemu-lockd.conf" file_lockspace_dir "\"$VIRTSPEC_HARNESS_LOCKD\""
    set_conf "$ETC/virtlockd.conf" log_outputs '"3:file:/var/log/libvirt/virtlockd.log"'
else
    set_conf "$QC" lock_manager '"nop"'
fi
if [ -n "${VIRTSPEC_HARNESS_MIGRATION_HOST:-}" ]; then
    set_conf "$QC" migration_host "\"$VIRTSPEC_HARNESS_MIGRATION_HOST\""
    set_conf "$QC" migration_address "\"$VIRTSPEC_HARNESS_MIGRATION_HOST\""
fi
if [ "${VIRTSPEC_HARNESS_CGROUPS:-0}" != 1 ]; then
    set_conf "$QC" cgroup_controllers '[ ]'
fi

private_mountpoint /etc/libvirt || fail_setup "cannot make /etc/libvirt"
mount --bind "$ETC" /etc/libvirt || fail_setup "cannot bind $ETC on /etc/libvirt"
MOUNTED+=(/etc/libvirt)

# ---- daemons --------------------------------------------------------------
export LIBVIRT_DEFAULT_URI=qemu:///system
unset LIBVIRT_LOG_OUTPUTS LIBVIRT_LOG_FILTERS LIBVIRT_DEBUG

# In a session of their own: a Ctrl-C on the terminal reaches only us, and the
# teardown destroys the domains while libvirtd still answers.  (A background
# job of this shell leads no process group, so setsid does not fork: $! is
# the daemon's pid.)
info "starting virtlogd"
setsid virtlogd --pid-file "$VIRTLOGD_PIDFILE" --config /etc/libvirt/virtlogd.conf \
    </dev/null >"$VIRTLOGD_OUT" 2>&1 &
VIRTLOGD_PID=$!

if [ -n "${VIRTSPEC_HARNESS_LOCKD:-}" ]; then
    info "starting virtlockd"
    setsid virtlockd --pid-file "$VIRTLOCKD_PIDFILE" --config /etc/libvirt/virtlockd.conf \
        </dev/null >"$PRIV/virtlockd.out" 2>&1 &
    VIRTLOCKD_PID=$!
    for _ in $(seq 50); do [ -S /run/libvirt/virtlockd-sock ] && break; sleep 0.1; done
    [ -S /run/libvirt/virtlockd-sock ] || fail_setup "virtlockd did not make its socket"
fi

info "starting libvirtd"
setsid libvirtd --pid-file "$LIBVIRTD_PIDFILE" --config /etc/libvirt/libvirtd.conf "${LIBVIRTD_ARGS[@]}" \
    </dev/null >"$LIBVIRTD_OUT" 2>&1 &
LIBVIRTD_PID=$!

TIMEOUT=${VIRTSPEC_HARNESS_TIMEOUT:-30}
ready=0
start=$SECONDS
while [ $((SECONDS - start)) -lt "$TIMEOUT" ]; do
    kill -0 "$LIBVIRTD_PID" 2>/dev/null || fail_setup "libvirtd exited early"
    kill -0 "$VIRTLOGD_PID" 2>/dev/null || fail_setup "virtlogd exited early"
    if [ -S /run/libvirt/libvirt-sock ] && \
       timeout 10 virsh -c qemu:///system version >/dev/null 2>&1; then
        ready=1
        break
    fi
    sleep 0.2
done
[ "$ready" = 1 ] || fail_setup "libvirtd did not answer within ${TIMEOUT}s"
info "libvirtd ready after $((SECONDS - start))s"

# ---- run the command ------------------------------------------------------
export VIRTSPEC_TEST_LIBVIRTD=1
export VIRTSPEC_TEST_TMPDIR="$PRIV/tmp"
export VIRTSPEC_TEST_LIBVIRTD_LOG="$LIBVIRTD_LOG"

# Under a test runner (output not a terminal) the command's output also goes to a file, so that
# its FAIL lines can be repeated after the daemon logs (meson shows only the last 100 lines of a
# failing test). On a terminal (examples/run.sh's daemon) it goes straight there: no file that
# grows for as long as the daemon runs, no tee for Ctrl-C to kill first.
if [ -t 1 ]; then
    "$@" </dev/null &
else
    CMD_OUT="$PRIV/command.out"
    "$@" </dev/null > >(tee "$CMD_OUT") 2>&1 &
fi
CMD_PID=$!
wait "$CMD_PID"
rc=$?
CMD_PID=""
if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
    say "command exited with status $rc"
    FAILED=1
fi
teardown
trap - EXIT
exit "$rc"
