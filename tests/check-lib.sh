# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the tests/check-*.sh scripts that run virtspec against libvirt's test driver:
# sourced with the script's arguments; sets vs (absolute path of VIRTSPEC), d (a scratch
# directory removed at exit), the pass/fail counters and ok().
set -u
vs=${1:?usage: $(basename "$0") VIRTSPEC}
case $vs in /*) ;; *) vs=$PWD/$vs ;; esac
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
fail=0 pass=0
ok() {   # ok DESCRIPTION COMMAND…
    local what=$1; shift
    if "$@"; then echo "ok - $what"; pass=$((pass + 1)); else echo "FAIL - $what"; fail=$((fail + 1)); fi
}
