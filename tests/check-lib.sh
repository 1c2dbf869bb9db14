# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the tests/check-*.sh scripts that run virtspec against libvirt's test driver:
# sourced with the script's arguments; sets vs (absolute path of VIRTSPEC), d (a scratch
# directory removed at exit), the pass/fail counters, ok() and t().
set -u
# the daemon compares each set of specs it patched in place with one built again (an edit pass,
# docs/performance.md) and aborts on a difference: every edit of these checks is checked
export VIRTSPEC_DEBUG_SET_CHECK=1
vs=${1:?usage: $(basename "$0") VIRTSPEC}
case $vs in /*) ;; *) vs=$PWD/$vs ;; esac
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
fail=0 pass=0
ok() {   # ok DESCRIPTION COMMAND…
    local what=$1; shift
    if "$@"; then echo "ok - $what"; pass=$((pass + 1)); else echo "FAIL - $what"; fail=$((fail + 1)); fi
}
t() {   # t DESCRIPTION EXPECTED-STATUS EXPECTED-TEXT ARGS…: runs virtspec ARGS; text: grep -F on stdout+stderr
    local what=$1 want=$2 text=$3; shift 3
    out=$("$vs" "$@" 2>&1); rc=$?
    if [ "$rc" = "$want" ] && { [ -z "$text" ] || printf '%s' "$out" | grep -qF -- "$text"; }; then
        echo "ok - $what"; pass=$((pass + 1))
    else
        echo "FAIL - $what (status $rc, wanted $want): $out"; fail=$((fail + 1))
    fi
}
finish() {   # the last line of a check script: the counts, and its exit status
    echo "$pass passed, $fail failed"
    [ "$fail" = 0 ] && [ "$pass" -gt 0 ]
}
put() {   # put FILE: stdin into FILE the way editors do (a dotfile renamed into place)
    local f=$1 tmp; tmp=$(dirname "$1")/.$(basename "$1").tmp
    cat > "$tmp"; chmod 0644 "$tmp"; mv "$tmp" "$f"
}
wait_for() {   # wait_for SECONDS COMMAND…: until COMMAND succeeds
    local n=$(($1 * 10)); shift
    while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
    return 1
}
owned_node_xml() {   # owned_node_xml [FOREIGN-NAME]: a test-driver node with web2, owned by virtspec
    printf '<node>\n'
    printf "  <domain type='test'><name>web2</name><memory unit='MiB'>64</memory><os><type>hvm</type></os>\n"
    printf "    <metadata><vs:virtspec xmlns:vs='https://virtspec.dev/xmlns/1'><vs:managed>x</vs:managed></vs:virtspec></metadata>\n"
    printf '  </domain>\n'
    [ -z "${1:-}" ] || printf "  <domain type='test'><name>%s</name><memory unit='MiB'>64</memory><os><type>hvm</type></os></domain>\n" "$1"
    printf '</node>\n'
}
# For the .created marker checks (check-seed-marker.sh, check-volume-marker-excl.sh):
spec_dir() {   # spec_dir DIR < SPEC: DIR/a.yaml holds SPEC, readable by all like DIR and $d (trust rules)
    chmod 0755 "$d"; mkdir -p -m 0755 "$1"; cat > "$1/a.yaml"; chmod 0644 "$1/a.yaml"
}
marker() {   # marker POOL VOLUME: the path of VOLUME's .created marker under $VIRTSPEC_STATE_DIR (its directory made)
    local m=$VIRTSPEC_STATE_DIR/volumes/$1/$2.created
    mkdir -p "$(dirname "$m")"; printf '%s\n' "$m"
}
claimed_by_other() {   # claimed_by_other MARKER CLAIM WHAT OUR-CLAIM ARGS…: with another domain's CLAIM in MARKER, apply ARGS fails naming both and leaves MARKER as it was
    local m=$1 claim=$2 what=$3 ours=$4; shift 4
    echo "$claim" > "$m"
    t "a marker another domain wrote: apply fails, naming both" 1 \
        "$what is claimed twice: its marker says virtspec creates it for $claim, and $ours wants it too" apply "$@"
    ok "…the marker is left as the other domain wrote it" grep -qx "$claim" "$m"
}
mute_socket() {   # mute_socket PATH: a unix socket that accepts and never answers, until exit
    python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' "$1" & mute=$!
    trap 'kill $mute 2>/dev/null; rm -rf "$d"' EXIT
    wait_for 5 test -S "$1"
}
