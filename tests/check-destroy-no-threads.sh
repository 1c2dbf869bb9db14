#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# virtspec destroy when no thread can be made (pthread_create fails: a process or thread limit):
# its domain workers are threads (reconciler/cmd-destroy.c); without any it destroys the domains
# itself, one by one, instead of aborting half-way. libvirt's in-process test driver, no libvirtd.
#
# Usage: check-destroy-no-threads.sh VIRTSPEC SHIM CASE-DIR (tests/golden/plan/config-change)
set -u
bin=$1 shim=$2 case=$3
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
case $shim in /*) ;; *) shim=$PWD/$shim ;; esac
[ -f "$shim" ] || { echo "FAIL - no shim $shim"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$case/node.xml" "$case/web1.yaml" "$tmp/"
cd "$tmp" || exit 1
out=$(LD_PRELOAD=$shim VIRTSPEC_STATE_DIR=$tmp/state LC_ALL=C.UTF-8 NO_COLOR=1 \
      "$bin" destroy --config /dev/null --insecure-spec-perms -c "test://$tmp/node.xml" --yes web1.yaml 2>&1)
rc=$?
if [ "$rc" = 0 ] && grep -q '^  = destroyed' <<<"$out" && ! grep -q 'cannot be preloaded' <<<"$out"; then
    echo "ok - destroy --yes without threads: the domain destroyed, exit 0"
    exit 0
fi
echo "FAIL - destroy --yes without threads: exit $rc (134: SIGABRT):"
printf '%s\n' "$out"
exit 1
