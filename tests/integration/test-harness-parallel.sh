#!/bin/bash
# Two harness runs at once leave each other alone, and neither leaves anything on the host.
# Run A starts first; while it runs, none of the harness's mount points that the host lacked may
# appear on the host (they live in a private overlay). Both runs also hide a probe directory the
# host surely lacks (VIRTSPEC_HARNESS_EXTRA_DIRS). Run B starts while A runs, writes a marker into
# its private probe directory, and checks after A's teardown that the marker and its libvirtd are
# still there (a teardown that removed a mount point it had created on the host detached the other
# run's bind mounts). Not run inside the harness: it starts two. Usage: VIRTSPEC_BIN=… bash
# test-harness-parallel.sh (root; exit 77 where the harness skips).
set -u
TESTDIR=$(cd "$(dirname "$0")" && pwd)
HARNESS=$TESTDIR/harness.sh
n_pass=0 n_fail=0
ok() { echo "ok - $1"; n_pass=$((n_pass + 1)); }
fail() { echo "FAIL - $1"; n_fail=$((n_fail + 1)); }

mapfile -t dirs < <(sed -n '/^PRIVATE_DIRS=(/,/^)/{/^ *\//s/^ *//p}' "$HARNESS")
[ "${#dirs[@]}" -ge 6 ] || { echo "FAIL - cannot read PRIVATE_DIRS from harness.sh"; exit 1; }
# a mount point this host surely lacks, whatever earlier runs or packages left (the PRIVATE_DIRS
# may all exist here): both runs hide it, neither may make it on the host
probe=/var/lib/vs-parallel-probe.$$
export VIRTSPEC_HARNESS_EXTRA_DIRS=$probe
missing=("$probe")
for d in "${dirs[@]}" /etc/libvirt; do [ -e "$d" ] || missing+=("$d"); done
echo "# mount points the host lacks: ${missing[*]:-none}"
privs_before=$(ls -d "${TMPDIR:-/tmp}"/virtspec-harness.* 2>/dev/null | sort)

S=$(mktemp -d "${TMPDIR:-/tmp}/vs-parallel.XXXXXX")
trap 'rm -rf "$S"' EXIT
# wait_file FILE SECONDS
waiter='w() { local i=0; while [ ! -e "$1" ]; do [ $i -ge $(($2 * 10)) ] && return 1; sleep 0.1; i=$((i + 1)); done; }'

bash "$HARNESS" bash -c "$waiter
    touch '$S/A-up'; w '$S/B-up' 120" > "$S/A.log" 2>&1 &
a=$!
i=0
while [ ! -e "$S/A-up" ] && kill -0 $a 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
if [ ! -e "$S/A-up" ]; then
    wait $a; rc=$?
    cat "$S/A.log"
    [ $rc = 77 ] && exit 77
    echo "FAIL - run A did not come up (rc $rc)"; exit 1
fi
# while A runs: nothing of its on the host
left=""
for d in "${missing[@]}"; do [ -e "$d" ] && left="$left $d"; done
[ -z "$left" ] && ok "while a run is up, the host has none of its mount points" \
    || fail "while a run is up, the host has its mount points:$left"

bash "$HARNESS" bash -c "$waiter
    echo B > $probe/vs-parallel-marker; touch '$S/B-up'
    w '$S/A-gone' 120 || exit 3
    test -f $probe/vs-parallel-marker || { echo 'marker gone from $probe'; exit 4; }
    virsh -q list >/dev/null || { echo 'libvirtd no longer answers'; exit 5; }" > "$S/B.log" 2>&1 &
b=$!
wait $a; ra=$?
touch "$S/A-gone"
wait $b; rb=$?
[ $ra = 0 ] && ok "run A passed" || { fail "run A exited $ra:"; sed 's/^/    | /' "$S/A.log"; }
[ $rb = 0 ] && ok "run B, after run A's teardown, still has its private dirs and libvirtd" \
    || { fail "run B exited $rb:"; sed 's/^/    | /' "$S/B.log"; }

left=""
for d in "${missing[@]}"; do [ -e "$d" ] && left="$left $d"; done
[ -z "$left" ] && ok "afterwards the host has none of the harness's mount points" \
    || fail "afterwards the host has:$left"
privs_after=$(ls -d "${TMPDIR:-/tmp}"/virtspec-harness.* 2>/dev/null | sort)
# only the two runs' own private dirs (other harness runs on this machine may be going on)
new=""
for p in $(comm -13 <(printf '%s\n' "$privs_before") <(printf '%s\n' "$privs_after")); do
    owner=$(cat "$p/.owner" 2>/dev/null)
    [ "$owner" = "$a" ] || [ "$owner" = "$b" ] && new="$new $p"
done
[ -z "$new" ] && ok "no private dir left behind" || fail "private dirs left: $new"
echo "$n_pass passed, $n_fail failed"
[ $n_fail = 0 ]
