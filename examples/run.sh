#!/bin/bash
# The main job: `virtspec daemon` on examples/. Installs the Debian packages and builds when
# needed, then runs the daemon in the foreground against the system libvirtd if it answers, or
# else against a private libvirtd (own mount and network namespace, nothing leaves the machine)
# that tests/integration/harness.sh starts and removes again. Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

if [ "$(id -u)" = 0 ]; then
    pkgs=$(grep -v '^#' .ci/packages | tr '\n' ' ')
    if dpkg-query -W -f='${Status}\n' $pkgs 2>&1 | grep -qv '^install ok installed'; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
    fi
fi
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null

vs=$top/build/reconciler/virtspec
"$vs" validate "$top/examples"
if timeout 10 virsh -c qemu:///system version >/dev/null 2>&1; then
    echo "== virtspec daemon on examples/ against the system libvirtd (qemu:///system)"
    exec "$vs" daemon --specs "$top/examples" "$@"
fi
echo "== no system libvirtd answers: starting a private one (tests/integration/harness.sh)"
export VIRTSPEC_HARNESS_VERBOSE=1
exec "$top/tests/integration/harness.sh" "$vs" daemon --specs "$top/examples" \
    --status-file /run/libvirt/virtspec-status.json "$@"
