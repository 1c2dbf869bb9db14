#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The domain index (reconciler/engine-context.c: one listing of every domain, then the active,
# running, paused and autostarted ones) is built whole or not at all: when a filtered listing
# fails (libvirtd gone between two listings), the index is not taken as "every domain shut off,
# none autostarted" — plan said `▶ start` for the running web1. Now plan says it cannot list the
# domains (the daemon looks each domain up instead). libvirt's in-process test driver, SHIM makes
# every filtered listing fail.
# Usage: check-index-listing.sh VIRTSPEC SHIM CASE-DIR (tests/golden/plan/config-change)
set -u
bin=$1 shim=$2 case=$3
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
case $shim in /*) ;; *) shim=$PWD/$shim ;; esac
case $case in /*) ;; *) case=$PWD/$case ;; esac
[ -f "$shim" ] || { echo "FAIL - no shim $shim"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$case/node.xml" "$case/web1.yaml" "$tmp/"
cd "$tmp" || exit 1
out=$(LD_PRELOAD=$shim VIRTSPEC_STATE_DIR=$tmp/state LC_ALL=C.UTF-8 NO_COLOR=1 \
      "$bin" plan --config /dev/null --insecure-spec-perms -c "test://$tmp/node.xml" web1.yaml 2>&1)
rc=$?
if [ "$rc" = 1 ] && grep -q 'cannot list domains: .*unsupported flags' <<<"$out" && ! grep -q 'start\|cannot be preloaded' <<<"$out"; then
    echo "ok - a filtered listing fails: plan cannot list the domains (exit 1, libvirt's reason), no start of a running domain"
    exit 0
fi
echo "FAIL - a filtered listing fails: exit $rc:"
printf '%s\n' "$out"
exit 1
