# Helpers for integration tests. Sourced by test-*.sh, which run inside harness.sh (a private
# libvirtd in its own mount and network namespace).
set -u

VS=${VIRTSPEC_BIN:?VIRTSPEC_BIN must name the virtspec binary}
TESTDIR=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "${VIRTSPEC_TEST_TMPDIR:-/tmp}/vs-test.XXXXXX")
# QEMU may run as another user (harness VIRTSPEC_HARNESS_QEMU_USER): it must reach the pools here
chmod 755 "$WORK"
export VIRTSPEC_STATE_DIR="$WORK/state"
n_pass=0
n_fail=0

ok() {   # ok DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@" >/dev/null 2>&1; then
        echo "ok - $what"; n_pass=$((n_pass + 1))
    else
        echo "FAIL - $what (command: $*)"; n_fail=$((n_fail + 1))
    fi
}

is() {   # is DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        echo "ok - $1"; n_pass=$((n_pass + 1))
    else
        echo "FAIL - $1: expected '$2', got '$3'"; n_fail=$((n_fail + 1))
    fi
}

contains() {   # contains DESCRIPTION NEEDLE HAYSTACK
    if printf '%s' "$3" | grep -qF -- "$2"; then
        echo "ok - $1"; n_pass=$((n_pass + 1))
    else
        echo "FAIL - $1: '$2' not in:"; printf '%s\n' "$3" | sed 's/^/    | /'; n_fail=$((n_fail + 1))
    fi
}

lacks() {   # lacks DESCRIPTION NEEDLE HAYSTACK
    if printf '%s' "$3" | grep -qF -- "$2"; then
        echo "FAIL - $1: '$2' unexpectedly in:"; printf '%s\n' "$3" | sed 's/^/    | /'; n_fail=$((n_fail + 1))
    else
        echo "ok - $1"; n_pass=$((n_pass + 1))
    fi
}

vs() {   # vs ARGS... : run virtspec, output in $out, status in $rc
    out=$("$VS" "$@" 2>&1); rc=$?
}

row_state() {   # row_state KIND NAME : the STATE of that row of the `virtspec status` table in $out
    printf '%s\n' "$out" | awk -v k="$1" -v n="$2" '$1 == k && $2 == n { print $3 }'
}

dir_pool_spec() {   # dir_pool_spec NAME > FILE : a dir Pool below $WORK/pool
    printf 'kind: Pool\nname: %s\npath: %s/pool\n' "$1" "$WORK"
}

# specs/00-pool.yaml, a dir Pool NAME, and specs/10-dom.yaml, a shut-off Domain NAME whose one
# disk (root) is IMAGE uploaded into that pool: the setup of the image upload tests.
image_domain_specs() {   # image_domain_specs NAME IMAGE
    mkdir -p specs
    dir_pool_spec "$1" > specs/00-pool.yaml
    cat > specs/10-dom.yaml <<YAML
kind: Domain
name: $1
memory: 64MiB
disks:
  - {name: root, image: $2, pool: $1}
state: shutoff
YAML
}

# The base volume an image becomes: base-HASH-FILENAME, HASH the top 48 bits of FNV-1a 64 over
# "CANONICAL-PATH SIZE MTIME" (reconciler/volumes.c). Call it after the image's last write.
base_name() {   # base_name IMAGE
    python3 - "$1" <<'PY'
import os, sys
p = sys.argv[1]
st = os.stat(p)
src = "%s %d %d.%09d" % (os.path.realpath(p), st.st_size, st.st_mtime_ns // 10**9, st.st_mtime_ns % 10**9)
h = 0xcbf29ce484222325
for b in src.encode():
    h = ((h ^ b) * 0x100000001b3) & (2**64 - 1)
print("base-%012x-%s" % (h >> 16, os.path.basename(p)))
PY
}

domid() { virsh domid "$1" 2>/dev/null | head -1 | tr -d ' '; }
domstate() { virsh domstate "$1" 2>/dev/null | head -1; }
live_xml() { virsh dumpxml "$1"; }
inactive_xml() { virsh dumpxml --inactive "$1"; }
# A link's ifindex, empty when there is none. Not /sys/class/net: sysfs there is the host's, not
# this network namespace's.
ifindex() { ip -o link show dev "$1" 2>/dev/null | cut -d: -f1; }
xpath() {   # xpath XML-TEXT EXPR
    printf '%s' "$1" | xmllint --xpath "$2" - 2>/dev/null
}

wait_for() {   # wait_for SECONDS COMMAND… : polls every 50 ms; prints the time it took
    local limit=$1; shift
    local t0=$(date +%s%N)
    while ! "$@" >/dev/null 2>&1; do
        if [ $(( ($(date +%s%N) - t0) / 1000000 )) -ge $((limit * 1000)) ]; then
            echo "timeout"; return 1
        fi
        sleep 0.05
    done
    echo $(( ($(date +%s%N) - t0) / 1000000 ))
}

# listen_events FILE [ARGS…] : `virsh event --all --loop ARGS…` (every event of every domain) in
# the background, its output in FILE, its pid in $listener; returns once it listens. virsh says
# nothing when its registration is done (a `sleep` after starting it can end before that, and a
# check that no event came would then pass without looking), so it is shown an event of the
# test's own: a throwaway domain, vs-listen-probe (no spec names it), defined and undefined until
# its line is in FILE. Checks select their domain's lines ("for domain 'NAME'").
listen_events() {
    local file=$1 i
    shift
    virsh event --all --loop "$@" > "$file" 2>&1 &
    listener=$!
    for i in $(seq 100); do
        printf "<domain type='qemu'><name>vs-listen-probe</name><memory unit='MiB'>16</memory><os><type arch='x86_64'>hvm</type></os></domain>" \
            | virsh define /dev/stdin > /dev/null 2>&1
        virsh undefine vs-listen-probe > /dev/null 2>&1
        grep -q "for domain 'vs-listen-probe'" "$file" && return 0
        sleep 0.1
    done
    echo "listen_events: virsh event showed nothing in 10 s" >&2
    return 1
}

pool_spec() {   # pool_spec: specs/00-pool.yaml, the pool vs-pool at $WORK/pool
    mkdir -p specs
    printf 'kind: Pool\nname: vs-pool\npath: %s/pool\n' "$WORK" > specs/00-pool.yaml
}

finish() {
    rm -rf "$WORK"
    echo "$n_pass passed, $n_fail failed"
    [ "$n_fail" -eq 0 ]
}
