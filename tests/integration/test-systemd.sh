#!/bin/bash
# units/virtspec.service under a real systemd (issue 14, "Under a real systemd"): Debian 12's
# systemd as PID 1 of a private container, Debian's libvirt-daemon-system (socket-activated
# libvirtd, QEMU as libvirt-qemu), the unit and binary exactly as `meson install` puts them. Then
# (issue 23) the user unit under a real user manager: README "Without root" as written, by a user.
#
# The container: new PID, mount, network, UTS, IPC and cgroup namespaces; its root is an overlay
# of the host's / whose upper layer is a tmpfs that exists only in the container's mount
# namespace (dpkg, /etc/virtspec, /var/lib/libvirt… never reach the host); fresh /run, /tmp, /dev
# (a few nodes, among them a fake /dev/tpm0), read-only /proc/sys and /sys but for the private
# network namespace's parts, a cgroup2 hierarchy rooted at a fresh directory of the host's.
# The .debs are fetched with `apt-get download` (cached in the build dir) and installed by dpkg
# inside the overlay only: the host gets no libvirt-daemon-system. Not run inside harness.sh.
#
# Usage: VIRTSPEC_BIN=… VIRTSPEC_BUILD_DIR=BUILD bash test-systemd.sh   (root; ~2-4 min)
# Exit 77 when it cannot run (not root, no unshare/overlay/cgroup2, no .debs), a failure instead
# under VIRTSPEC_REQUIRE_INTEGRATION=1. VIRTSPEC_SYSTEMD_KEEP=1 keeps the work dir.
set -u
skip() {
    if [ "${VIRTSPEC_REQUIRE_INTEGRATION:-0}" = 1 ]; then
        echo "FAIL: cannot run the systemd test here: $*"; exit 1
    fi
    echo "SKIP: $*"; exit 77
}
[ "$(id -u)" = 0 ] || skip "must be run as root"
for b in unshare nsenter apt-get dpkg meson setsid findmnt; do
    command -v "$b" >/dev/null 2>&1 || skip "$b not found"
done
[ -x /lib/systemd/systemd ] || skip "no /lib/systemd/systemd"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || skip "no overlay file system"
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then CG2=/sys/fs/cgroup
elif [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then CG2=/sys/fs/cgroup/unified
else skip "no cgroup2 hierarchy"; fi
unshare --pid --fork --mount --net --uts --ipc --cgroup true 2>/dev/null || skip "unshare of all namespaces failed"

. "$(dirname "$0")/lib.sh"
SRC=$(cd "$TESTDIR/../.." && pwd)
BUILD=${VIRTSPEC_BUILD_DIR:?VIRTSPEC_BUILD_DIR must name the build directory}
DEBS=${VIRTSPEC_SYSTEMD_DEBS:-$BUILD/systemd-test-debs}
W=$(mktemp -d "${TMPDIR:-/tmp}/vs-systemd.XXXXXX")
CG=$CG2/vs-systemd.$$
T_START=$SECONDS
PID1="" UNSHARE=""

# inside CMD…: run CMD in the container (all its namespaces, its root)
inside() {
    nsenter -t "$PID1" -m -u -i -n -p -C -r -w -- /usr/bin/env -i \
        PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb SYSTEMD_PAGER=cat \
        SYSTEMD_COLORS=0 LANG=C.UTF-8 "$@"
}
export -f inside
alive() { [ -n "$PID1" ] && [ "$(cat "/proc/$PID1/comm" 2>/dev/null)" = systemd ]; }
prop() { inside systemctl show -P "$1" "${2:-virtspec}" 2>/dev/null; }   # prop PROPERTY [UNIT]
export -f prop
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# timed VERB LIMIT-S [WHAT]: systemctl VERB virtspec succeeds within LIMIT-S; start time in $t
timed() {
    t=$(date +%s%N)
    inside timeout 70 systemctl "$1" virtspec; local rc=$? took
    took=$(ms_since "$t")
    is "systemctl $1 virtspec${3:-}" 0 "$rc"
    ok "…within $2 s ($took ms)" test "$took" -le $(( $2 * 1000 ))
}

cleanup() {
    local i
    if alive; then
        # no guest for libvirt-guests to wait on at poweroff
        inside bash -c 'systemctl stop virtspec; for d in $(virsh list --name); do virsh destroy "$d"; done' \
            >/dev/null 2>&1
        inside systemctl poweroff --no-block >/dev/null 2>&1
        for i in $(seq 100); do [ -d "/proc/$PID1" ] || break; sleep 0.2; done
        if [ -d "/proc/$PID1" ]; then
            echo "# container PID 1 still there 20 s after poweroff: kill -9"
            kill -9 "$PID1" 2>/dev/null
        fi
    fi
    [ -n "$PID1" ] && [ -d "/proc/$PID1" ] && kill -9 "$PID1" 2>/dev/null
    if [ -n "$UNSHARE" ]; then
        for i in $(seq 50); do kill -0 "$UNSHARE" 2>/dev/null || break; sleep 0.2; done
        wait "$UNSHARE" 2>/dev/null
    fi
    for i in $(seq 20); do
        [ -d "$CG" ] || break
        find "$CG" -depth -type d -exec rmdir {} \; 2>/dev/null
        [ -d "$CG" ] && sleep 0.5
    done
    [ -d "$CG" ] && echo "# cgroup $CG still has processes: $(tr '\n' ' ' < "$CG/cgroup.procs")"
    if findmnt -rn -o TARGET | grep -q "^$W/"; then
        echo "# mounts left under $W, not removing it"
    elif [ "${VIRTSPEC_SYSTEMD_KEEP:-0}" = 1 ]; then
        echo "# work dir kept: $W"
    else
        rm -rf "$W"
    fi
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# ---- the build, installed as `meson install --destdir` puts it ------------------------------
meson install -C "$BUILD" --no-rebuild --quiet --destdir "$W/destdir" >"$W/install.log" 2>&1 ||
    { cat "$W/install.log"; echo "FAIL - meson install --destdir"; exit 1; }
UNIT=$(find "$W/destdir" -path '*/system/virtspec.service' | head -n 1)   # not the user unit (…/user/virtspec.service)
[ -n "$UNIT" ] && [ -x "$W/destdir/usr/local/bin/virtspec" ] ||
    { echo "FAIL - the install has no unit or no /usr/local/bin/virtspec"; exit 1; }

# ---- libvirt-daemon-system and what it pulls in, never installed on the host ----------------
mkdir -p "$DEBS"
pkgs=$(apt-get -s install --no-install-recommends libvirt-daemon-system 2>"$W/apt.err" | awk '/^Inst /{print $2}')
if [ -z "$pkgs" ] && ! dpkg -s libvirt-daemon-system >/dev/null 2>&1; then
    cat "$W/apt.err"; skip "apt-get cannot resolve libvirt-daemon-system (apt-get update?)"
fi
missing=""
for p in $pkgs; do ls "$DEBS/${p}_"*.deb >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
    # shellcheck disable=SC2086
    (cd "$DEBS" && apt-get download $missing) >"$W/download.log" 2>&1
    for p in $missing; do
        ls "$DEBS/${p}_"*.deb >/dev/null 2>&1 || { cat "$W/download.log"; skip "cannot download $p"; }
    done
fi
mkdir -p "$W/debs"
for p in $pkgs; do cp "$(ls "$DEBS/${p}_"*.deb | tail -n 1)" "$W/debs/"; done
echo "# packages installed in the container only: $(echo ${pkgs:-none} | tr "\n" " ")"

# ---- the container's first process, before it execs systemd --------------------------------
cat > "$W/inner.sh" <<'INNER'
#!/bin/bash
set -eu
W=$1 R=$1/root
mount --make-rprivate /
mkdir -p "$W/rw" "$R"
mount -t tmpfs -o size=4g,mode=755 vs-rw "$W/rw"
mkdir -p "$W/rw/upper" "$W/rw/work"
mount -t overlay vs-root -o "lowerdir=/,upperdir=$W/rw/upper,workdir=$W/rw/work" "$R"
mount -t proc proc "$R/proc"
mount --bind "$R/proc/sys" "$R/proc/sys"; mount -o remount,bind,ro "$R/proc/sys"
mount --bind "$R/proc/sys/net" "$R/proc/sys/net"; mount -o remount,bind,rw "$R/proc/sys/net"
mkdir -p "$W/sysrw"; mount -t sysfs sysfs "$W/sysrw"        # this network namespace's sysfs
mount -t sysfs -o ro sysfs "$R/sys"
mount --bind "$W/sysrw/devices/virtual/net" "$R/sys/devices/virtual/net"
umount -l "$W/sysrw"
mount -t cgroup2 cgroup2 "$R/sys/fs/cgroup"
mount -t tmpfs -o mode=755,size=64m tmpfs "$R/dev"
for n in "null 1 3" "zero 1 5" "full 1 7" "random 1 8" "urandom 1 9" "tty 5 0" "tpm0 10 224"; do
    set -- $n; mknod -m 666 "$R/dev/$1" c "$2" "$3"
done
chmod 600 "$R/dev/tpm0"
mkdir -p "$R/dev/net" "$R/dev/pts" "$R/dev/shm" "$R/dev/mqueue"
mknod -m 666 "$R/dev/net/tun" c 10 200
mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts "$R/dev/pts"
ln -s pts/ptmx "$R/dev/ptmx"
mount -t tmpfs -o mode=1777 tmpfs "$R/dev/shm"
mount -t mqueue mqueue "$R/dev/mqueue"
ln -s /proc/self/fd "$R/dev/fd"
touch "$R/dev/console" "$W/console.log"; mount --bind "$W/console.log" "$R/dev/console"
mount -t tmpfs -o mode=755,size=256m tmpfs "$R/run"
mount -t tmpfs -o mode=1777,size=1g tmpfs "$R/tmp"
# the packages, into the overlay only; no service may start from a maintainer script
mkdir -p "$R/var/cache/vs-debs"
cp "$W"/debs/*.deb "$R/var/cache/vs-debs/" 2>/dev/null || true
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"; chmod 755 "$R/usr/sbin/policy-rc.d"
if ls "$R"/var/cache/vs-debs/*.deb >/dev/null 2>&1; then
    chroot "$R" /bin/sh -c 'DEBIAN_FRONTEND=noninteractive dpkg -i /var/cache/vs-debs/*.deb' \
        >"$W/dpkg.log" 2>&1 || { echo "dpkg failed:"; tail -n 30 "$W/dpkg.log"; exit 1; }
fi
rm -f "$R/usr/sbin/policy-rc.d"
# nothing of the host's virtspec: its state, specs and config stay out
rm -rf "$R/var/lib/virtspec" "$R/var/lib/virtspec-images" "$R/etc/virtspec"
tar -C "$W/destdir" -cf - . | tar -C "$R" -xf - --keep-directory-symlink --no-same-owner
# host services that do not belong here (several would wait for hardware or time out)
for u in postgresql.service apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
         e2scrub_all.timer e2scrub_reap.service fstrim.timer man-db.timer logrotate.timer \
         lvm2-monitor.service dm-event.socket dm-event.service lvm2-lvmpolld.socket \
         blk-availability.service systemd-pstore.service getty@tty1.service console-getty.service \
         systemd-timesyncd.service systemd-networkd-wait-online.service systemd-modules-load.service \
         ssh.service cron.service libvirt-guests.service; do
    ln -sf /dev/null "$R/etc/systemd/system/$u"
done
mkdir -p "$R/etc/systemd/journald.conf.d"
# persistent, as Debian 12's default (/var/log/journal): a user reads their own journal
# (journalctl --user) only from the per-user files of a persistent journal
printf '[Journal]\nStorage=persistent\n' >"$R/etc/systemd/journald.conf.d/vs.conf"
tr -dc a-f0-9 </dev/urandom | head -c 32 >"$R/etc/machine-id"; echo >>"$R/etc/machine-id"
echo vs-systemd >"$R/etc/hostname"
cd "$R"
mkdir -p .oldroot
pivot_root . .oldroot
cd /
umount -l /.oldroot
rmdir /.oldroot
exec env -i container=vs-systemd TERM=dumb LANG=C.UTF-8 /lib/systemd/systemd --system \
    --unit=multi-user.target --show-status=no --log-target=journal-or-kmsg
INNER
chmod 755 "$W/inner.sh"

# ---- boot -----------------------------------------------------------------------------------
mkdir -p "$CG"
setsid bash -c 'echo $$ >"$1/cgroup.procs"; exec unshare --pid --fork --mount --net --uts --ipc --cgroup --propagation private "$2/inner.sh" "$2"' \
    _ "$CG" "$W" </dev/null >"$W/unshare.log" 2>&1 &
UNSHARE=$!
for _ in $(seq 100); do
    PID1=$(awk '{print $1}' "/proc/$UNSHARE/task/$UNSHARE/children" 2>/dev/null)
    [ -n "$PID1" ] && break; sleep 0.1
done
for _ in $(seq 600); do
    alive && break
    kill -0 "$UNSHARE" 2>/dev/null || break
    sleep 0.1
done
alive || { cat "$W/unshare.log"; echo "FAIL - the container's systemd did not start"; exit 1; }
export PID1
state=""
for _ in $(seq 600); do
    state=$(inside systemctl is-system-running 2>/dev/null)
    case $state in running|degraded) break ;; esac
    sleep 0.1
done
echo "# $(inside systemctl --version | head -n 1), PID 1 = host PID $PID1, booted in $((SECONDS - T_START)) s: $state"
ok "the container's systemd reaches running or degraded" bash -c "case '$state' in running|degraded) exit 0;; esac; exit 1"
failed_units=$(inside systemctl --failed --no-legend --plain | awk '{print $1}' | tr '\n' ' ')
[ -n "$failed_units" ] && echo "# failed units in the container: $failed_units"
is "libvirtd is socket-activated" "active" "$(prop ActiveState libvirtd.socket)"
is "the installed unit is the built one" "$(cat "$UNIT")" "$(inside cat /lib/systemd/system/virtspec.service)"

# ---- 1. start, READY, STATUS ----------------------------------------------------------------
timed start 10 " (empty /etc/virtspec): READY=1"
is "active (running)" "active running" "$(prop ActiveState) $(prop SubState)"
ok "STATUS= reaches systemctl show -p StatusText ('$(prop StatusText)')" test -n "$(prop StatusText)"
is "the state directory stays private (0700)" "700" "$(inside stat -c %a /var/lib/virtspec)"

# ---- 2. specs: the README's pool, a running domain from a base image under /root (QEMU as
# libvirt-qemu); shut-off domains whose base images, ISO and TPM the old sandbox hid ----------
inside bash -c 'mkdir -p /root/images /root/iso /home/alice/.vagrant.d/boxes/deb12/0/libvirt /var/tmp
    qemu-img create -q -f qcow2 /root/images/base.qcow2 32M
    qemu-img create -q -f qcow2 /home/alice/.vagrant.d/boxes/deb12/0/libvirt/box.img 32M
    qemu-img create -q -f qcow2 /tmp/base-tmp.qcow2 32M
    qemu-img create -q -f qcow2 /var/tmp/base-vartmp.qcow2 32M
    head -c 1M /dev/zero > /root/iso/install.iso'
inside bash -c 'cat > /etc/virtspec/00-pool.yaml' < "$SRC/examples/00-pool.yaml"
inside bash -c 'cat > /etc/virtspec/20-vm1.yaml' <<'YAML'
kind: Domain
name: vm1
memory: 64MiB
disks:
  - {name: root, image: /root/images/base.qcow2, pool: vs-pool}
graphics: {type: none}
state: running
YAML
inside bash -c 'cat > /etc/virtspec/30-paths.yaml' <<'YAML'
kind: Domain
name: box1
memory: 64MiB
disks:
  - {name: root, image: /home/alice/.vagrant.d/boxes/deb12/0/libvirt/box.img, pool: vs-pool}
cdroms:
  - {path: /root/iso/install.iso}
tpm: {type: passthrough, path: /dev/tpm0}
graphics: {type: none}
state: shutoff
---
kind: Domain
name: tmp1
memory: 64MiB
disks:
  - {name: root, image: /tmp/base-tmp.qcow2, pool: vs-pool}
  - {name: data, image: /var/tmp/base-vartmp.qcow2, pool: vs-pool}
graphics: {type: none}
state: shutoff
YAML
t=$(date +%s%N)
took=$(wait_for 90 inside bash -c '[ "$(virsh domstate vm1 2>/dev/null)" = running ]')
ok "a dropped spec becomes a running domain ($took ms)" test "$took" != timeout
qemu_user=$(inside ps -o user= -C qemu-system-x86_64 | sort -u | tr -d ' ')
is "QEMU runs as libvirt-qemu" "libvirt-qemu" "$qemu_user"
is "the example pool's path (README)" "/var/lib/virtspec-images" \
    "$(inside virsh pool-dumpxml vs-pool | xmllint --xpath 'string(//target/path)' - 2>/dev/null)"
took=$(wait_for 30 inside bash -c 'virsh dominfo box1 && virsh dominfo tmp1')
ok "the daemon defines the domains with base images, ISO and TPM under /root, ~/.vagrant.d, /tmp, /var/tmp, /dev ($took ms)" \
    test "$took" != timeout
[ "$took" = timeout ] && inside virtspec status 2>&1 | sed 's/^/    | /'
errs=$(inside journalctl -u virtspec -o cat --no-pager | grep -E 'No such file|cannot open image')
is "…and finds no path missing (journal)" "" "$errs"
vs_plan=$(inside virtspec plan /etc/virtspec 2>&1); plan_rc=$?
is "virtspec plan outside the unit agrees: nothing left to do (exit 0)" 0 "$plan_rc"
[ "$plan_rc" = 0 ] || printf '%s\n' "$vs_plan" | sed 's/^/    | /'
st=$(inside virtspec status 2>&1); st_rc=$?
is "virtspec status: all in sync (exit 0)" 0 "$st_rc"
[ "$st_rc" = 0 ] || printf '%s\n' "$st" | sed 's/^/    | /'

# qemu+ssh:// runs ssh from the daemon: its keys under /root/.ssh must be readable in the unit
inside bash -c 'mkdir -p -m 700 /root/.ssh && echo not-a-key > /root/.ssh/id_vs_test && chmod 600 /root/.ssh/id_vs_test'
ok "the daemon's mount namespace can read /root/.ssh (qemu+ssh://)" \
    inside nsenter -t "$(prop MainPID)" -m -- test -r /root/.ssh/id_vs_test

# ---- 3. journal fields ------------------------------------------------------------------------
j=$(inside journalctl -u virtspec OBJECT_NAME=vm1 -o verbose --no-pager)
contains "the journal's records of vm1 carry OBJECT_KIND=Domain" "OBJECT_KIND=Domain" "$j"

# ---- 4. reload --------------------------------------------------------------------------------
pid=$(prop MainPID)
timed reload 10
is "…same process, still running" "$pid active" "$(prop MainPID) $(prop ActiveState)"
contains "…which reread the specs" "reloading: rereading /etc/virtspec" \
    "$(inside journalctl -u virtspec -o cat --no-pager --since "@$((t / 1000000000))")"
# SIGHUP rereads virtspec.conf too (issue 14 item 5): a status_file moved there by reload
inside bash -c 'printf "status_file = /run/virtspec/moved.json\n" > /etc/virtspec.conf'
inside timeout 30 systemctl reload virtspec
took=$(wait_for 10 inside test -s /run/virtspec/moved.json)
ok "reload rereads virtspec.conf (status_file moved: $took ms)" test "$took" != timeout
inside rm -f /etc/virtspec.conf
inside timeout 30 systemctl reload virtspec

# ---- 5. stop ----------------------------------------------------------------------------------
timed stop 10
is "…clean (Result=success)" "success inactive" "$(prop Result) $(prop ActiveState)"
ok "the status written on stop is kept (RuntimeDirectoryPreserve)" inside test -s /run/virtspec/status.json
is "the guest keeps running across a stop of virtspec" "running" "$(inside virsh domstate vm1 | head -n 1)"
is "virtspec is ordered after libvirt-guests (stops before it at shutdown)" 1 \
    "$(prop After | tr ' ' '\n' | grep -cx libvirt-guests.service)"

# ---- 6. kill -9: restarted ----------------------------------------------------------------------
inside timeout 70 systemctl start virtspec
pid=$(prop MainPID)
inside kill -9 "$pid"
took=$(wait_for 20 bash -c "[ \"\$(prop SubState)\" = running ] && [ \"\$(prop MainPID)\" != $pid ]")
ok "restarted after kill -9 ($took ms; RestartSec=5s)" test "$took" != timeout

# ---- 6b. stop while a graceful guest shutdown is in flight (issue 14 item 12) ----------------
# vm1 has no OS: it ignores the ACPI request, so the daemon would wait shutdown_timeout (120 s,
# beyond TimeoutStopSec=30s); stop must interrupt the wait.
inside sed -i 's/^state: running/state: shutoff\nshutdown_timeout: 120/' /etc/virtspec/20-vm1.yaml
took=$(wait_for 20 inside bash -c "grep -q '\"reconciling\": *true' /run/virtspec/status.json")
ok "the daemon is waiting for vm1's graceful shutdown ($took ms)" test "$took" != timeout
timed stop 10 " during a graceful guest shutdown"
is "…clean (Result=success)" "success" "$(prop Result)"
inside sed -i '/^shutdown_timeout/d; s/^state: shutoff/state: running/' /etc/virtspec/20-vm1.yaml
inside systemctl reset-failed virtspec
inside timeout 70 systemctl start virtspec

# ---- 7. a bad virtspec.conf: a clear error, no endless restart loop --------------------------
inside systemctl stop virtspec
inside bash -c 'printf "this is not a config line\n" > /etc/virtspec.conf'
inside systemctl reset-failed virtspec 2>/dev/null
inside timeout 70 systemctl start virtspec 2>/dev/null
took=$(wait_for 45 bash -c '[ "$(prop ActiveState)" = failed ] &&
    [ -z "$(inside systemctl list-jobs --no-legend virtspec.service)" ]')
ok "with a bad virtspec.conf the unit ends failed, not in a restart loop ($took ms)" test "$took" != timeout
sleep 6
is "…and stays failed" "failed" "$(prop ActiveState)"
n=$(prop NRestarts)
is "…at once: exit status 78 (EX_CONFIG), not restarted (RestartPreventExitStatus=78)" "78 0" \
    "$(prop ExecMainStatus) ${n:-?}"
contains "…the journal names the bad line" "virtspec.conf:1: expected KEY = VALUE" \
    "$(inside journalctl -u virtspec -o cat --no-pager)"
inside rm -f /etc/virtspec.conf
inside systemctl reset-failed virtspec

# ---- 8. no /run/libvirt (remote URIs only) and libvirtd down at start -------------------------
inside systemctl stop libvirtd.socket libvirtd-ro.socket libvirtd-admin.socket libvirtd.service 2>/dev/null
inside mv /run/libvirt /run/libvirt.away
t=$(date +%s%N)
inside systemctl start --no-block virtspec
sleep 2
lacks "without /run/libvirt the unit does not fail with 226/NAMESPACE" "226" \
    "$(prop ExecMainStatus) $(inside journalctl -u virtspec --no-pager -o cat --since "@$((t / 1000000000))")"
ok "…its process runs" test "$(prop MainPID)" != 0
took=$(wait_for 15 bash -c '[ "$(prop ActiveState)" = active ]')
ok "with libvirtd down, READY=1 still comes (specs loaded: $took ms)" test "$took" != timeout
ok "…and STATUS= says what it does ('$(prop StatusText)')" test -n "$(prop StatusText)"
inside mv /run/libvirt.away /run/libvirt
inside systemctl start libvirtd.socket libvirtd-ro.socket libvirtd-admin.socket
took=$(wait_for 60 bash -c "[ \"\$(prop ActiveState)\" = active ] &&
    inside journalctl -u virtspec -o cat --since @$((t / 1000000000)) | grep -q 'connected to'")
ok "once libvirtd is back, virtspec connects and is active ($took ms)" test "$took" != timeout

# ---- 9. without root: README "Without root" as written, under the user's systemd -------------
# A user made here; everything below runs as that user with the environment a login session has
# (XDG_RUNTIME_DIR, the user bus). The README's own lines first enable lingering (polkit lets a
# user linger themselves), which starts user@UID.service without a login; then the README block,
# taken from README.md itself, runs unchanged.
T_USER=$SECONDS
U=vsuser
inside useradd --create-home --shell /bin/bash "$U"
UID_U=$(inside id -u "$U")
UR=/run/user/$UID_U
asu() {
    inside runuser -u "$U" -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="/home/$U" USER="$U" \
        LOGNAME="$U" SHELL=/bin/bash LANG=C.UTF-8 TERM=dumb SYSTEMD_PAGER=cat SYSTEMD_COLORS=0 \
        XDG_RUNTIME_DIR="$UR" DBUS_SESSION_BUS_ADDRESS="unix:path=$UR/bus" "$@"
}
uprop() { asu systemctl --user show -P "$1" virtspec 2>/dev/null; }
udomstate() { asu virsh domstate "$1" 2>/dev/null | head -n 1; }
running() { local d; for d; do [ "$(udomstate "$d")" = running ] || return 1; done; }   # running DOMAIN…
out=$(asu loginctl enable-linger "$U" 2>&1); rc=$?
is "loginctl enable-linger \$USER, as the user ($out)" 0 "$rc"
user_manager_up() { [ "$(prop ActiveState "user@$UID_U.service")" = active ] && inside test -S "$UR/bus"; }
took=$(wait_for 20 user_manager_up)
ok "…starts user@$UID_U.service, no login needed ($took ms)" test "$took" != timeout
awk '/^## Without root/ {f = 1} f && /^```sh$/ {g = 1; next} g && /^```$/ {exit} g' "$SRC/README.md" > "$W/readme-user.sh"
contains "README \"Without root\" has its sh block" "systemctl --user enable --now virtspec" "$(cat "$W/readme-user.sh")"
# as typed into a shell: no -e (plan exits 2 when it has changes to show); each command that
# fails is named with its status by an ERR trap put before the block, so a failure in the middle
# of it is seen, not only the status of its last command
{ echo 'trap '"'"'echo "README-CMD-FAILED $? $BASH_COMMAND"'"'"' ERR'; cat "$W/readme-user.sh"; } |
    inside bash -c "cat > /tmp/readme-user.sh && chmod 644 /tmp/readme-user.sh"
t=$(date +%s%N)
out=$(asu bash /tmp/readme-user.sh 2>&1); rc=$?
is "the README block runs as the user ($(ms_since "$t") ms)" 0 "$rc"
is "…each of its commands succeeds (plan: 2, changes shown)" "README-CMD-FAILED 2 virtspec plan" \
    "$(grep README-CMD-FAILED <<< "$out" | sed 's/ *#.*//')"
lacks "…no line of it fails" "Failed" "$out"
lacks "…nor reports an error" "error" "$out"
contains "…its plan creates the pool" "Pool mine (/home/$U/.config/virtspec/box.yaml:1)" "$out"
contains "…and the domain" "Domain box (/home/$U/.config/virtspec/box.yaml:7)" "$out"
contains "…apply makes the README's 1 GiB volume" "+ volume mine/box-root.qcow2 (1 GiB, qcow2)" "$out"
is "virsh list, as the user: box running" "running" "$(udomstate box)"
is "the user unit: active (running), enabled" "active running enabled" \
    "$(uprop ActiveState) $(uprop SubState) $(asu systemctl --user is-enabled virtspec 2>/dev/null)"
is "…is the installed one, from the user unit directory" "/usr/lib/systemd/user/virtspec.service" "$(uprop FragmentPath)"
took=$(wait_for 20 inside test -s "$UR/virtspec/status.json")
ok "the status file is \$XDG_RUNTIME_DIR/virtspec/status.json ($took ms)" test "$took" != timeout
out=$(asu virtspec status 2>&1); rc=$?
is "virtspec status, as the user: all in sync (exit 0)" 0 "$rc"
contains "…names the daemon of the unit" "daemon (pid $(uprop MainPID))" "$out"
asu bash -c 'cat >> ~/.config/virtspec/box.yaml' <<'YAML'
---
kind: Domain
name: box2
memory: 128MiB
interfaces:
  - type: user
state: running
YAML
took=$(wait_for 30 running box2)
ok "the daemon picks up an edit of the spec: a second domain box2, running ($took ms)" test "$took" != timeout
echo "# $((SECONDS - T_USER)) s so far"
j=$(asu journalctl --user -u virtspec -o cat --no-pager 2>&1)
contains "journalctl --user -u virtspec, as the user, shows the daemon's lines" \
    "watching /home/$U/.config/virtspec" "$j"
contains "…and what it did" "Domain box2:" "$j"
ok "STATUS= reaches systemctl --user show -p StatusText ('$(uprop StatusText)')" test -n "$(uprop StatusText)"
pid=$(uprop MainPID)
t=$(date +%s%N)
asu timeout 30 systemctl --user reload virtspec; rc=$?
is "systemctl --user reload virtspec ($(ms_since "$t") ms)" 0 "$rc"
is "…same process, still running" "$pid active" "$(uprop MainPID) $(uprop ActiveState)"
contains "…which reread the specs" "reloading: rereading /home/$U/.config/virtspec" \
    "$(asu journalctl --user -u virtspec -o cat --no-pager)"
# as after a boot with lingering: no libvirtd yet, the user manager starts virtspec on its own
# and virtspec's qemu:///session spawns the user's libvirtd in the unit (its sandbox and cgroup).
# virtspec is stopped first: else it reconnects at once, spawning a libvirtd the restart must kill
t=$(date +%s%N)
asu timeout 30 systemctl --user stop virtspec
asu virsh destroy box >/dev/null 2>&1; asu virsh destroy box2 >/dev/null 2>&1
asu bash -c 'kill "$(cat "$XDG_RUNTIME_DIR/libvirt/libvirtd.pid")"'
no_libvirtd() { ! inside pgrep -u "$U" -x libvirtd; }
wait_for 10 no_libvirtd >/dev/null
echo "# virtspec, box, box2 and the user's libvirtd ended in $(ms_since "$t") ms"
t=$(date +%s%N)
inside timeout 60 systemctl restart "user@$UID_U.service"
echo "# user@$UID_U.service restarted in $(ms_since "$t") ms"
took=$(wait_for 60 running box box2)
ok "a new user manager (boot, linger) starts virtspec, which starts box and box2 again ($took ms)" \
    test "$took" != timeout
lpid=$(inside pgrep -u "$U" -x libvirtd)
contains "…through a libvirtd --session in the unit's cgroup" "/app.slice/virtspec.service" \
    "$(inside cat "/proc/${lpid:-0}/cgroup" 2>&1)"
t=$(date +%s%N)
asu timeout 30 systemctl --user stop virtspec; rc=$?
is "systemctl --user stop virtspec ($(ms_since "$t") ms)" 0 "$rc"
is "…clean (Result=success)" "success inactive" "$(uprop Result) $(uprop ActiveState)"
is "…the guests keep running (KillMode=process)" "running running" "$(udomstate box) $(udomstate box2)"
is "…and so does the session libvirtd" "$lpid" "$(inside pgrep -u "$U" -x libvirtd)"
ok "the status file stays after the stop" inside test -s "$UR/virtspec/status.json"
asu bash -c 'for d in $(virsh list --name); do virsh destroy "$d"; done' >/dev/null 2>&1
echo "# the user unit part took $((SECONDS - T_USER)) s"

echo "# took $((SECONDS - T_START)) s"
finish
