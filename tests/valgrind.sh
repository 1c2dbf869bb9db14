#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The unit and golden suites under valgrind (docs/reliability.md): fails on any memory error or
# definitely lost block, in the test programs and in every virtspec and golden-keys they run.
#
#   tests/valgrind.sh BUILD_DIR [MESON_TEST_ARGS…]
#
# This is `meson test --suite unit --suite golden --wrap='valgrind --error-exitcode=1
# --leak-check=full --errors-for-leak-kinds=definite'` plus two things: the golden tests are bash
# scripts that run virtspec, so bash runs as is and the virtspec (and golden-keys) it is given is
# a shim that runs it under valgrind (tests/valgrind-wrap.sh); and each process writes its report
# to a file, so a report cannot hide behind an expected exit status 1 (`virtspec validate` of a
# bad spec). The reports are summed at the end: processes checked, errors, definitely lost bytes.
# Installs valgrind with apt-get when it is missing.
set -uo pipefail

build=${1:?usage: tests/valgrind.sh BUILD_DIR [MESON_TEST_ARGS…]}
shift
if ! command -v valgrind >/dev/null; then
    apt-get install -y -q valgrind >/dev/null || exit 1
fi
ninja -C "$build" >/dev/null || exit 1

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
VG_LOGS=$logs meson test -C "$build" --suite unit --suite golden --timeout-multiplier=20 \
    --wrap="bash $(cd "$(dirname "$0")" && pwd)/valgrind-wrap.sh" "$@"
rc=$?

procs=0 errors=0 lost=0
for f in "$logs"/vg.*; do
    [ -f "$f" ] || continue
    # bash, exec'ing a skipped program, leaves a log without a summary
    grep -q 'ERROR SUMMARY' "$f" || continue
    procs=$((procs + 1))
    e=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$f" | tr -d ,)
    l=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$f" | tr -d ,)
    errors=$((errors + ${e:-0}))
    lost=$((lost + ${l:-0}))
    if [ "${e:-0}" -gt 0 ] || [ "${l:-0}" -gt 0 ]; then
        echo "=== $(sed -n 's/.*Command: //p' "$f" | head -1)" >&2
        cat "$f" >&2
    fi
done
echo "valgrind: $procs processes checked, $errors errors, $lost bytes definitely lost"
[ "$rc" -eq 0 ] && [ "$errors" -eq 0 ] && [ "$lost" -eq 0 ] && [ "$procs" -gt 0 ]
