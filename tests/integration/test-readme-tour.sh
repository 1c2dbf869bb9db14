#!/bin/bash
# README.md's five-minute tour, as the reader reads it: every ```sh block that follows a line
# `<!-- tour -->` is taken from README.md (no copy of its commands here) and run in order, each
# in a fresh bash, against the harness's private libvirtd (meson passes
# VIRTSPEC_HARNESS_EXTRA_DIRS=/etc/virtspec, so /etc/virtspec is a private directory too; the
# pool's /var/lib/virtspec-images, /var/lib/virtspec and /run/virtspec are private anyway).
#
# One stand-in: there is no systemd here, so `systemctl` is a shell function that knows exactly
# the two lines the tour has: `systemctl enable --now virtspec` starts `virtspec daemon` (the
# unit's ExecStart, no flags) in the background and waits for its READY=1 as Type=notify does;
# `systemctl disable --now virtspec` stops it with SIGTERM as systemd does. Any other systemctl
# use fails the test. Everything else runs as written.
#
# A command that fails fails the test (an ERR trap in every block); the only status other than
# 0 accepted is 2 from `virtspec plan` or `virtspec destroy` without --yes (changes to show:
# what they are run for). Lists (&&, ||) and
# pipes are refused in tour blocks: a failure inside one would pass unseen. Between blocks, after
# a block that changed a file under /etc/virtspec, the test waits as a reader would (at most
# 60 s) for the daemon's status file to be rewritten and `virtspec status` to exit 0.
# Afterwards: the VM kept its domain id while it ran (the edit was live), got its second vCPU,
# and the teardown removed the domain, network and pool but kept the volume.
#
# VIRTSPEC_TOUR_README=FILE runs the tour of FILE instead (to show that a broken tour fails).
# VIRTSPEC_TOUR_ROOT=DIR runs it as installed by the Debian package unpacked in DIR
# (tests/check-package.sh): `virtspec` is DIR/usr/bin/virtspec (VIRTSPEC_BIN), and the stand-in
# `systemctl enable --now virtspec` runs the ExecStart= of DIR's installed unit (below DIR) and
# checks that the daemon it started is the package's binary.
. "$(dirname "$0")/lib.sh"
readme=${VIRTSPEC_TOUR_README:-$TESTDIR/../../README.md}
# the tour uses the service's own state directory, which the harness makes private
unset VIRTSPEC_STATE_DIR
export PATH="$(cd "$(dirname "$VS")" && pwd):$PATH"
export WORK
unit_exec=""
if [ -n "${VIRTSPEC_TOUR_ROOT:-}" ]; then
    unit=$VIRTSPEC_TOUR_ROOT/lib/systemd/system/virtspec.service
    unit_exec=$(sed -n 's/^ExecStart=//p' "$unit" 2>/dev/null)
    ok "the package's unit has one ExecStart= (${unit_exec:-none})" test "$(wc -l <<<"$unit_exec")" = 1 -a -n "$unit_exec"
    ok "…of Type=notify (what the stand-in waits for)" grep -qx 'Type=notify' "$unit"
    ok "…running the package's binary, as virtspec on PATH is" \
        test "$VIRTSPEC_TOUR_ROOT${unit_exec%% *}" -ef "$(cd "$(dirname "$VS")" && pwd)/virtspec"
    unit_exec="$VIRTSPEC_TOUR_ROOT$unit_exec"
fi
export unit_exec

# never the host's /etc/virtspec: it must be the harness's private directory, and empty
if ! findmnt -n /etc/virtspec >/dev/null || [ -n "$(ls -A /etc/virtspec)" ] || [ -e /etc/virtspec.conf ]; then
    echo "FAIL - /etc/virtspec is not a private, empty directory of the harness" \
         "(VIRTSPEC_HARNESS_EXTRA_DIRS=/etc/virtspec), or /etc/virtspec.conf exists"
    exit 1
fi

# ---- the blocks
mkdir "$WORK/tour"
n_blocks=$(awk -v dir="$WORK/tour" '
    $0 == "<!-- tour -->" { armed = 1; next }
    armed && $0 == "```sh" { n++; inblock = 1; armed = 0; next }
    armed { print "a <!-- tour --> marker not followed by a ```sh block: line " NR > "/dev/stderr"; exit 1 }
    inblock && $0 == "```" { inblock = 0; next }
    inblock { print > (dir "/block-" n ".sh") }
    END { print n + 0 }' "$readme") || { echo "FAIL - cannot read the tour of $readme"; exit 1; }
echo "# $n_blocks tour blocks in $readme"
ok "the README has a tour (at least 5 blocks)" test "$n_blocks" -ge 5
ok "…that starts the service" grep -qxF 'systemctl enable --now virtspec' "$WORK/tour/block-1.sh"
ok "…and tears it down" grep -qx 'virtspec destroy --yes.*' $WORK/tour/block-*.sh
# heredoc bodies (YAML) are data: only the shell lines must be simple commands
lists=$(for f in "$WORK"/tour/block-*.sh; do
    awk '/<<.?EOF/ { print; skip = 1; next } skip && /^EOF$/ { skip = 0; next } !skip' "$f"
done | grep -E '&&|\|\||[^|]\|[^|]' || true)
is "tour commands are simple commands (no &&, || or |)" "" "$lists"

# ---- the prelude of every block: systemctl's stand-in, the ERR trap
cat > "$WORK/prelude.sh" <<'SH'
systemctl() {
    case "$*" in
    "enable --now virtspec")
        rm -f "$WORK/notify.sock" "$WORK/notify.log"
        python3 "$TESTDIR/notify-listen.py" "$WORK/notify.sock" > "$WORK/notify.log" 2>&1 &
        echo $! > "$WORK/notify.pid"
        for i in $(seq 50); do [ -S "$WORK/notify.sock" ] && break; sleep 0.1; done
        # the unit's ExecStart= when the tour runs from the package, else `virtspec daemon`
        NOTIFY_SOCKET="$WORK/notify.sock" setsid ${unit_exec:-virtspec daemon} >> "$WORK/daemon.log" 2>&1 < /dev/null &
        echo $! > "$WORK/daemon.pid"
        for i in $(seq 600); do     # TimeoutStartSec=60s
            grep -q 'READY=1' "$WORK/notify.log" && return 0
            kill -0 "$(cat "$WORK/daemon.pid")" 2>/dev/null || break
            sleep 0.1
        done
        echo "systemctl (stand-in): virtspec daemon did not get ready" >&2; return 1 ;;
    "disable --now virtspec")
        local pid; pid=$(cat "$WORK/daemon.pid") || return 1
        kill -TERM "$pid" || return 1
        for i in $(seq 300); do     # TimeoutStopSec=30s
            kill -0 "$pid" 2>/dev/null || { rm -f "$WORK/daemon.pid"; kill "$(cat "$WORK/notify.pid")"; return 0; }
            sleep 0.1
        done
        echo "systemctl (stand-in): virtspec daemon did not stop" >&2; return 1 ;;
    *)
        echo "systemctl (stand-in): the tour test knows no 'systemctl $*'" >&2; return 1 ;;
    esac
}
set -o errtrace
trap 'rc=$?
      if [ "$rc" = 2 ] && { [[ $BASH_COMMAND == "virtspec plan"* ]] ||
                            { [[ $BASH_COMMAND == "virtspec destroy"* ]] && [[ $BASH_COMMAND != *--yes* ]]; }; }; then :
      else echo "TOUR FAILED (exit status $rc): $BASH_COMMAND" >&2; exit 1; fi' ERR
SH
export TESTDIR

spec_stamp() { find /etc/virtspec -printf '%T@ %p\n' 2>/dev/null | sort | md5sum; }
daemon_up() { [ -f "$WORK/daemon.pid" ] && kill -0 "$(cat "$WORK/daemon.pid")" 2>/dev/null; }
settled() {   # the status file rewritten after $1 (epoch s), and nothing left to do
    local m; m=$(stat -c %Y /run/virtspec/status.json 2>/dev/null) || return 1
    [ "$m" -ge "$1" ] && virtspec status >/dev/null 2>&1
}

domids="" vcpus="" changed_at="" ran=0 daemon_exe=""
for i in $(seq "$n_blocks"); do
    if [ -n "$changed_at" ] && daemon_up; then
        if w=$(wait_for 60 settled "$changed_at"); then
            echo "# waited $w ms for the daemon to settle after block $((i - 1))"
        else
            echo "# the daemon did not settle within 60 s after block $((i - 1)): running block $i anyway"
        fi
    fi
    echo "# ---- block $i:"; sed 's/^/#   /' "$WORK/tour/block-$i.sh"
    before=$(spec_stamp); t=$(date +%s)
    (cd "$WORK" && bash -c '. "$WORK/prelude.sh"; . "$1"' tour "$WORK/tour/block-$i.sh") > "$WORK/out-$i" 2>&1
    rc=$?
    sed 's/^/    | /' "$WORK/out-$i"
    is "tour block $i runs as written" 0 "$rc"
    [ "$rc" = 0 ] || break
    ran=$i
    changed_at=""
    [ "$(spec_stamp)" = "$before" ] || changed_at=$t
    daemon_up && [ -z "$daemon_exe" ] && daemon_exe=$(readlink "/proc/$(cat "$WORK/daemon.pid")/exe")
    d=$(domid lab1); [ -n "$d" ] && [ "$d" != - ] && domids+="$d "
    v=$(virsh vcpucount lab1 --live --current 2>/dev/null | tr -d ' '); vcpus+="${v:--} "
done
echo "# lab1's domain id after each block: $domids; its live vCPUs: $vcpus"
if [ "$ran" != "$n_blocks" ]; then
    echo "# block $((ran + 1)) failed: the rest of the tour did not run"
    daemon_up && kill "$(cat "$WORK/daemon.pid")"
    finish; exit 1
fi
is "the daemon the tour started ran $VS" "$(readlink -f "$VS")" "$daemon_exe"
ok "the VM ran" test -n "$domids"
is "…and kept its domain id while it ran: the edit was live, no restart" 1 \
    "$(printf '%s\n' $domids | sort -u | wc -l)"
contains "…and got its second vCPU live" " 2 " " $vcpus"
ok "teardown: the daemon is stopped" bash -c '! [ -f "$WORK/daemon.pid" ]'
ok "…the domain is gone" bash -c '! virsh dominfo lab1'
ok "…the network is gone" bash -c '! virsh net-info vs-net'
ok "…the pool is gone" bash -c '! virsh pool-info vs-pool'
ok "…the volume is kept" test -f /var/lib/virtspec-images/lab1-root.qcow2
ok "…and so is the pool's directory" test -d /var/lib/virtspec-images
ok "…and virtspec's record that it owned the pool is gone" test ! -e /var/lib/virtspec/pools/vs-pool
echo "# the daemon's log:"; sed 's/^/#   /' "$WORK/daemon.log" 2>/dev/null | tail -n 30
daemon_up && kill "$(cat "$WORK/daemon.pid")"
[ -f "$WORK/notify.pid" ] && kill "$(cat "$WORK/notify.pid")" 2>/dev/null
finish
