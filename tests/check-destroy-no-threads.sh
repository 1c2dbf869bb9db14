#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# virtspec destroy (and plan) when no thread can be made (pthread_create fails: a process or thread limit):
# its domain workers are threads (reconciler/cmd-destroy.c); without any it destroys the domains
# itself, one by one, instead of aborting half-way. With XML-SHIM (the domain's definition cannot
# be read): the domain fails, "reading its definition failed", and is not called one virtspec does
# not own. libvirt's in-process test driver, no libvirtd.
#
# Usage: check-destroy-no-threads.sh VIRTSPEC SHIM CASE-DIR (tests/golden/plan/config-change) [XML-SHIM]
set -u
bin=$1 shim=$2 case=$3 xml_shim=${4:-}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
case $shim in /*) ;; *) shim=$PWD/$shim ;; esac
case $xml_shim in /* | '') ;; *) xml_shim=$PWD/$xml_shim ;; esac
case $case in /*) ;; *) case=$PWD/$case ;; esac
[ -f "$shim" ] || { echo "FAIL - no shim $shim"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$case/node.xml" "$case/web1.yaml" "$tmp/"
cd "$tmp" || exit 1
out=$(LD_PRELOAD=$shim VIRTSPEC_STATE_DIR=$tmp/state LC_ALL=C.UTF-8 NO_COLOR=1 \
      "$bin" destroy --config /dev/null --insecure-spec-perms -c "test://$tmp/node.xml" --yes web1.yaml 2>&1)
rc=$?
status=0
if [ "$rc" = 0 ] && grep -q '^  = destroyed' <<<"$out" && ! grep -q 'cannot be preloaded' <<<"$out"; then
    echo "ok - destroy --yes without threads: the domain destroyed, exit 0"
else
    echo "FAIL - destroy --yes without threads: exit $rc (134: SIGABRT):"
    printf '%s\n' "$out"
    status=1
fi
# plan (and apply: the same run_engine) without threads: the connection after the tree is read,
# the batch one by one, instead of abort()
out=$(LD_PRELOAD=$shim VIRTSPEC_STATE_DIR=$tmp/state LC_ALL=C.UTF-8 NO_COLOR=1 \
      "$bin" plan --config /dev/null --insecure-spec-perms -c "test://$tmp/node.xml" web1.yaml 2>&1)
rc=$?
if [ "$rc" = 2 ] && grep -q 'max_memory: 1 GiB → 2 GiB' <<<"$out" && ! grep -q 'cannot be preloaded' <<<"$out"; then
    echo "ok - plan without threads: the change planned, exit 2"
else
    echo "FAIL - plan without threads: exit $rc (134: SIGABRT):"
    printf '%s\n' "$out"
    status=1
fi
[ -n "$xml_shim" ] || exit $status
cp "$case/node.xml" "$tmp/"
out=$(LD_PRELOAD=$xml_shim VIRTSPEC_STATE_DIR=$tmp/state LC_ALL=C.UTF-8 NO_COLOR=1 \
      "$bin" destroy --config /dev/null --insecure-spec-perms -c "test://$tmp/node.xml" --yes web1.yaml 2>&1)
rc=$?
if [ "$rc" = 1 ] && grep -q 'reading its definition failed: unsupported flags (0x40000000).*: left alone' <<<"$out" &&
   ! grep -q 'does not own\|cannot be preloaded' <<<"$out"; then
    echo "ok - a definition that cannot be read: failed, not called foreign"
else
    echo "FAIL - a definition that cannot be read: exit $rc:"
    printf '%s\n' "$out"
    status=1
fi
exit $status
