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
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
vs=$top/build/reconciler/virtspec

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
    pkgs=$(grep -v '^#' .ci/packages | tr '\n' ' ')
    if dpkg-query -W -f='${Status}\n' $pkgs 2>&1 | grep -qv '^install ok installed'; then
        echo "== installing the Debian packages of .ci/packages"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
    fi
fi
echo "== building (ninja -C build)"
quiet() {   # quiet CMD…: its output only when it fails (ninja prints compiler errors on stdout)
    local out
    out=$("$@" 2>&1) || { echo "$out" | tail -n 40 >&2; echo "== failed: $*" >&2; exit 1; }
}
[ -d build ] || quiet meson setup build
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
    exec "$vs" daemon --specs "$top/examples" "$@"
fi
echo "== no system libvirtd answers: starting a private one (tests/integration/harness.sh)"
echo "$hint"
export VIRTSPEC_HARNESS_VERBOSE=1
exec "$top/tests/integration/harness.sh" "$vs" daemon --specs "$top/examples" "$@"
