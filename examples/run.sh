#!/bin/bash
# The main job: `virtspec daemon` on examples/. Installs the Debian packages and builds when
# needed, then runs the daemon in the foreground against the system libvirtd if it answers, or
# else against a private libvirtd (own mount and network namespace, nothing leaves the machine)
# that tests/integration/harness.sh starts and removes again. Stop it with Ctrl-C.
#
#   bash examples/run.sh shell [COMMAND…]
#
# from another terminal, while it runs: a shell (or COMMAND) where `virsh` and `virtspec` talk to
# the libvirtd the daemon uses (entering the private one's namespaces), with build/reconciler on
# PATH and the checkout as working directory.
#
# Against the system libvirtd the examples' pool, network and domains stay when the daemon
# stops. Then, and on `bash examples/run.sh teardown`, it shows what `virtspec destroy` of
# examples/ would remove (its plan first), prints the command, and asks whether to run it only
# when stdin is a terminal (default: keep). Volumes are never deleted (docs/teardown.md).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
vs=${VIRTSPEC_BIN:-$top/build/reconciler/virtspec}   # VIRTSPEC_BIN: tests/integration/test-run-sh-teardown.sh

# What the demo needs: the build and a libvirtd with QEMU for the examples. Not the test tools
# of .ci/packages (cmocka, valgrind, clang, lintian, cloud-init's modules…): those are CI's.
demo_packages="meson ninja-build pkg-config gcc
    libvirt-dev libxml2-dev libyaml-dev libuv1-dev libsystemd-dev libjson-c-dev libisofs-dev
    libcurl4-gnutls-dev nettle-dev liblzma-dev zlib1g-dev libzstd-dev
    libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
    qemu-system-x86 qemu-utils dnsmasq-base iptables swtpm swtpm-tools
    iproute2 util-linux procps"

# The examples' objects on the system libvirtd: what `virtspec destroy` of examples/ would remove
# (its plan, exit 2; 0: nothing left), the command, and on a terminal the question (default:
# keep). destroy removes only what virtspec owns of what examples/ declares: the domains, then
# the networks, then the pools; volumes and the pools' directories stay (docs/destroy.md).
teardown() {
    local uri=qemu:///system out rc=0 a c
    out=$("$vs" destroy -c "$uri" "$top/examples" 2>&1) || rc=$?
    if [ $rc = 0 ]; then
        echo "== nothing of the examples is left on $uri"
        return 0
    fi
    echo "== the examples' objects stay on $uri; removing them would do (volumes are kept):"
    printf '%s\n' "$out"
    printf -v c '%q ' "$vs" destroy -c "$uri" "$top/examples" --yes
    echo "== to remove them (their volumes and the pools' directories stay):"
    echo "   ${c% }"
    a=
    if [ -t 0 ]; then read -r -p "== remove them now? [y/N] " a || a=; fi
    case $a in
    [yY]*)
        echo "+ ${c% }"
        "$vs" destroy -c "$uri" "$top/examples" --yes || { echo "== failed: ${c% }" >&2; return 1; } ;;
    *)
        echo "== kept" ;;
    esac
}

if [ "${1:-}" = teardown ]; then
    teardown
    exit
fi

if [ "${1:-}" = shell ]; then
    shift
    [ $# -gt 0 ] || set -- bash -i
    export PATH="$top/build/reconciler:$PATH"
    pid=$(pgrep -o -f -x "$vs daemon --specs $top/examples( .*)?" || true)
    if [ -z "$pid" ]; then
        echo "run.sh shell: no daemon of 'bash examples/run.sh' is running" >&2
        exit 1
    fi
    if [ "$(readlink "/proc/$pid/ns/mnt")" = "$(readlink /proc/self/ns/mnt)" ]; then
        exec "$@"    # it runs against the system libvirtd: nothing to enter
    fi
    [ "$(id -u)" = 0 ] || { echo "run.sh shell: entering the private libvirtd needs root" >&2; exit 1; }
    echo "== inside the private libvirtd's namespaces (daemon pid $pid); try: virsh list," \
         "virtspec status, virtspec plan examples; exit to leave" >&2
    exec nsenter --target "$pid" --mount --net --pid --wd="$top" -- \
        env LIBVIRT_DEFAULT_URI=qemu:///system "$@"
fi

if [ "$(id -u)" = 0 ]; then
    # shellcheck disable=SC2086
    if dpkg-query -W -f='${Status}\n' $demo_packages 2>&1 | grep -qv '^install ok installed'; then
        echo "== installing the Debian packages the demo needs"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $demo_packages >/dev/null
    fi
fi
echo "== building (ninja -C build)"
quiet() {   # quiet CMD…: its output only when it fails (ninja prints compiler errors on stdout)
    local out
    out=$("$@" 2>&1) || { echo "$out" | tail -n 40 >&2; echo "== failed: $*" >&2; exit 1; }
}
# without cmocka (CI's, not the demo's) the test suites are left out of the build
tests=()
pkg-config --exists cmocka || tests=(-Dtests=false)
[ -d build ] || quiet meson setup build "${tests[@]}"
quiet ninja -C build

out=$("$vs" validate "$top/examples" 2>&1) || { echo "$out" >&2; exit 1; }
echo "$out"
# A checkout made by another user (git clone, then sudo): the daemon would refuse every file.
if grep -q 'the daemon would refuse' <<<"$out" && [[ " $* " != *" --insecure-spec-perms "* ]]; then
    echo "== the daemon would refuse these files (above): run as root on a root-owned checkout," \
         "or accept them with: bash examples/run.sh --insecure-spec-perms" >&2
    exit 1
fi
hint="== from another terminal: bash examples/run.sh shell   (virsh and virtspec status/plan against it)"
if timeout 10 virsh -c qemu:///system version >/dev/null 2>&1; then
    echo "== virtspec daemon on examples/ against the system libvirtd (qemu:///system)"
    echo "$hint"
    echo "== Ctrl-C stops it; what the examples made stays, and you are offered its removal"
    # the daemon gets the Ctrl-C (a trapped signal is default again in the child); we go on
    trap 'echo' INT
    rc=0
    "$vs" daemon --specs "$top/examples" "$@" || rc=$?
    trap - INT
    teardown
    exit "$rc"
fi
echo "== no system libvirtd answers: starting a private one (tests/integration/harness.sh)"
echo "$hint"
export VIRTSPEC_HARNESS_VERBOSE=1
exec "$top/tests/integration/harness.sh" "$vs" daemon --specs "$top/examples" "$@"
