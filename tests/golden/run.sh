#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The golden runner: a directory of cases of one kind, each compared with its checked-in
# expectation. `--update` (or REGENERATE=1) rewrites the expectations instead, for review.
#
#   render DIR   every NAME.yaml (NAME.also.yaml, when present, is passed after it: cross-file
#                checks such as duplicate names) has one of
#                  NAME.xml  expected stdout of `virtspec render --host-kvm=no NAME.yaml`
#                            (exit status 0, no stderr; validate must pass too)
#                  NAME.err  expected stderr of `virtspec validate NAME.yaml` (exit status 1)
#                a new case gets .xml when it validates, else .err.
#   plan DIR     every directory CASE/ (tests/golden/plan/README.md) holds the desired specs
#                (*.yaml), what libvirt has (node.xml, a node file of libvirt's in-process test
#                driver: no libvirtd), optionally virtspec's state directory (state/), extra plan
#                arguments (args, one line) and strings that must never be printed (secrets, one
#                a line); CASE/plan.txt is the expected output of
#                  virtspec plan --config /dev/null -c test:///…/CASE/node.xml [ARGS] *.yaml
#                stdout, then "--- stderr" and stderr when there is any, then "--- exit N".
#                Needs --preload SHIM (tests/golden/plan/test-driver-shim.c).
#
# Commands run inside the case's directory (plan: a copy of it) with bare file names, so
# diagnostics are stable; LC_ALL=C.UTF-8 (the glyphs of plan depend on the locale).
#
# Usage: run.sh [--update] [--preload SHIM] VIRTSPEC KIND DIR
set -uo pipefail

usage="usage: run.sh [--update] [--preload SHIM] VIRTSPEC render|plan DIR"
update=${REGENERATE:-} preload=
while [ $# -gt 0 ]; do
    case $1 in
    --update) update=1; shift ;;
    --preload) preload=${2:?$usage}; shift 2 ;;
    -*) echo "$usage" >&2; exit 1 ;;
    *) break ;;
    esac
done
bin=${1:?$usage}
kind=${2:?$usage}
dir=${3:?$usage}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
case $preload in /* | '') ;; *) preload=$PWD/$preload ;; esac
cd "$dir" || exit 1
export LC_ALL=C.UTF-8 NO_COLOR=1
unset LIBVIRT_DEFAULT_URI VIRTSPEC_LOG_LEVEL VIRTSPEC_STATE_DIR

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failed=0 n=0
fail() {
    echo "FAIL $1: $2" >&2
    failed=$((failed + 1))
}

# expect NAME GOT EXPECTED-FILE: compares (or with --update rewrites) one expectation
expect() {
    if [ -n "$update" ]; then
        if ! cmp -s "$2" "$3"; then
            cp "$2" "$3"
            echo "rewrote $3"
        fi
    elif [ ! -f "$3" ]; then
        fail "$1" "no $3 (run with --update to create it)"
    elif ! diff -u "$3" "$2" >"$tmp/diff"; then
        fail "$1" "output differs from $3:"
        cat "$tmp/diff" >&2
    fi
}

render_cases() {
    local y name files mode rc e
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
        elif [ -n "$update" ]; then
            if "$bin" validate "${files[@]}" >/dev/null 2>&1; then mode=xml; else mode=err; fi
        else
            fail "$name" "no $name.xml or $name.err (run with --update to create one)"
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
        expect "$name" "$tmp/out" "$name.$mode"
    done

    # Expectations without a case are stale.
    for e in *.xml *.err; do
        [ -f "${e%.*}.yaml" ] || fail "$e" "no ${e%.*}.yaml for it"
    done
}

# plan_in CASE-COPY [ARGS…]: virtspec plan of the copy's specs against its node file
plan_in() {
    local w=$1
    shift
    (cd "$w" && export LD_PRELOAD=$preload VIRTSPEC_STATE_DIR=$w/state \
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 &&
        "$bin" plan --config /dev/null -c "test://$w/node.xml" "$@" *.yaml)
}

plan_cases() {
    if [ ! -f "$preload" ]; then
        echo "$usage: plan needs --preload SHIM (the test driver shim)" >&2
        exit 1
    fi
    local c name w rc args s
    for c in */; do
        name=${c%/}
        n=$((n + 1))
        if [ ! -f "$name/node.xml" ] || ! compgen -G "$name/*.yaml" >/dev/null; then
            fail "$name" "a plan case needs node.xml and at least one spec (*.yaml)"
            continue
        fi
        w=$tmp/case/$name
        mkdir -p "$w"
        cp -r "$name"/. "$w"/
        mkdir -p "$w/state"
        chmod 0755 "$w"
        args=()
        [ -f "$name/args" ] && read -ra args <"$name/args"
        plan_in "$w" "${args[@]}" >"$tmp/stdout" 2>"$tmp/stderr"
        rc=$?
        {
            cat "$tmp/stdout"
            if [ -s "$tmp/stderr" ]; then
                echo "--- stderr"
                cat "$tmp/stderr"
            fi
            echo "--- exit $rc"
        } | sed "s|$w|@CASE@|g" >"$tmp/out"
        # a secret is never printed, in the text or in --json
        if [ -f "$name/secrets" ]; then
            plan_in "$w" --json "${args[@]}" >"$tmp/json" 2>&1
            while IFS= read -r s; do
                [ -n "$s" ] || continue
                if grep -qF -- "$s" "$tmp/out" "$tmp/json"; then
                    fail "$name" "a secret of $name/secrets is printed: $s"
                fi
            done <"$name/secrets"
        fi
        if [ $rc -gt 2 ] || grep -q 'AddressSanitizer\|runtime error:' "$tmp/stderr"; then
            fail "$name" "plan crashed (exit $rc):"
            cat "$tmp/stderr" >&2
            continue
        fi
        expect "$name" "$tmp/out" "$name/plan.txt"
        rm -rf "$w"
    done
}

shopt -s nullglob
case $kind in
render) render_cases ;;
plan) plan_cases ;;
*) echo "$usage" >&2; exit 1 ;;
esac

if [ "$n" -eq 0 ]; then
    echo "no $kind cases found in $dir" >&2
    exit 1
fi
echo "$n $kind cases, $failed failed"
[ "$failed" -eq 0 ]
