#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Golden tests. For every NAME.yaml in this directory:
#   NAME.xml  expected stdout of `virtspec render --host-kvm=no NAME.yaml` (exit status 0, no
#             stderr)
#   NAME.err  expected stderr of `virtspec validate NAME.yaml` (exit status 1; stdout ignored)
# A case may add a second file, NAME.also.yaml, passed after NAME.yaml (cross-file checks such as
# duplicate names). Commands run inside this directory with bare file names, so diagnostics are
# stable. REGENERATE=1 rewrites the expectations (a new case gets .xml when it validates, else
# .err).
#
# Usage: run.sh VIRTSPEC GOLDEN_DIR
set -uo pipefail

bin=${1:?usage: run.sh VIRTSPEC GOLDEN_DIR}
dir=${2:?usage: run.sh VIRTSPEC GOLDEN_DIR}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
cd "$dir" || exit 1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failed=0 n=0
fail() {
    echo "FAIL $1: $2" >&2
    failed=$((failed + 1))
}

shopt -s nullglob
for y in *.yaml; do
    case $y in *.also.yaml) continue ;; esac
    name=${y%.yaml}
    files=("$y")
    [ -f "$name.also.yaml" ] && files+=("$name.also.yaml")
    n=$((n + 1))

    mode=
    if [ -f "$name.xml" ] && [ -f "$name.err" ]; then
        fail "$name" "has both $name.xml and $name.err"
        continue
    elif [ -f "$name.xml" ]; then
        mode=xml
    elif [ -f "$name.err" ]; then
        mode=err
    elif [ -n "${REGENERATE:-}" ]; then
        if "$bin" validate "${files[@]}" >/dev/null 2>&1; then mode=xml; else mode=err; fi
    else
        fail "$name" "no $name.xml or $name.err (run with REGENERATE=1 to create one)"
        continue
    fi

    if [ "$mode" = xml ]; then
        "$bin" render --host-kvm=no "${files[@]}" >"$tmp/out" 2>"$tmp/stderr"
        rc=$?
        if [ $rc -ne 0 ] || [ -s "$tmp/stderr" ]; then
            fail "$name" "render exited $rc (expected 0):"
            cat "$tmp/stderr" >&2
            continue
        fi
        "$bin" validate "${files[@]}" >/dev/null 2>"$tmp/stderr" || {
            fail "$name" "validate failed for a .xml case:"
            cat "$tmp/stderr" >&2
            continue
        }
    else
        "$bin" validate "${files[@]}" >/dev/null 2>"$tmp/out"
        rc=$?
        if [ $rc -ne 1 ]; then
            fail "$name" "validate exited $rc (expected 1)"
            continue
        fi
    fi

    if [ -n "${REGENERATE:-}" ]; then
        if ! cmp -s "$tmp/out" "$name.$mode"; then
            cp "$tmp/out" "$name.$mode"
            echo "rewrote $name.$mode"
        fi
    elif ! diff -u "$name.$mode" "$tmp/out" >"$tmp/diff"; then
        fail "$name" "output differs from $name.$mode:"
        cat "$tmp/diff" >&2
    fi
done

# Expectations without a case are stale.
for e in *.xml *.err; do
    [ -f "${e%.*}.yaml" ] || fail "$e" "no ${e%.*}.yaml for it"
done

if [ "$n" -eq 0 ]; then
    echo "no golden cases found in $dir" >&2
    exit 1
fi
echo "$n golden cases, $failed failed"
[ "$failed" -eq 0 ]
