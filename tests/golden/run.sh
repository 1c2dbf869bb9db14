#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The golden runner: a directory of cases of one kind, each compared with its checked-in
# expectation. `--update` (or REGENERATE=1) rewrites the expectations instead, for review.
#
#   render DIR     every NAME.yaml (NAME.also.yaml, when present, is passed after it: cross-file
#                  checks such as duplicate names) has one of
#                    NAME.xml  expected stdout of `virtspec render --host-kvm=no NAME.yaml`
#                              (exit status 0, no stderr; validate must pass too)
#                    NAME.err  a refused spec (below)
#                  and optionally NAME.args: more render arguments, one line (--libvirt-version=9.0)
#                  a new case gets .xml when it validates, else .err. (tests/golden)
#   bad-specs DIR  every NAME.yaml is a refused spec; DIR/generate.sh, when present, names and
#                  prints cases too large to commit (their NAME.err is in DIR). Once for the whole
#                  catalogue: every case file and DIR/good/beside.yaml in one directory;
#                  `virtspec validate DIR` reports every bad file and nothing about beside.yaml,
#                  and `virtspec render DIR` prints exactly good/beside.xml: bad files next to a
#                  good one do not stop it; and a file whose only problem is a name another file
#                  also uses counts as a file with errors. (tests/bad-specs, docs/reliability.md)
#   seed DIR       every NAME.yaml: NAME.seed is what `virtspec render --seed` prints for it (the
#                  cloud_init seed's files); the cases run in a copy of DIR where @DIR@ in the
#                  specs stands for the copy's path, and shows as @DIR@ again. (tests/golden/seed;
#                  tests/check-cloud-init.sh runs cloud-init's own tools on the same output)
#   plan DIR       every directory CASE/ (DIR/README.md) holds the desired specs (*.yaml), what
#                  libvirt has (node.xml, a node file of libvirt's in-process test driver: no
#                  libvirtd), optionally virtspec's state directory (state/), extra plan arguments
#                  (args, one line) and strings that must never be printed (secrets, one a line);
#                  CASE/plan.txt is the expected output of
#                    virtspec plan --config /dev/null -c test:///…/CASE/node.xml [ARGS] *.yaml
#                  stdout, then "--- stderr" and stderr when there is any, then "--- exit N".
#                  Needs --preload SHIM (tests/golden/plan/test-driver-shim.c). (tests/golden/plan)
#
# A refused spec: NAME.err is the exact stderr of `virtspec validate NAME.yaml` (exit status 1),
# and `virtspec render NAME.yaml` exits 1 printing nothing on stdout: no XML from a bad file.
# No virtspec call may take more than 10 s (a hang or blow-up fails the case) or crash;
# VIRTSPEC_TEST_TIME_SCALE=N multiplies the limit: .ci/run sets 10 for its ASan pass, where
# ASan's allocator makes the big generated cases (128 × 1024 serial ports) ~40× slower.
#
# Commands run inside the case's directory (plan: a copy of it) with bare file names, so
# diagnostics are stable; LC_ALL=C.UTF-8 (the glyphs of plan depend on the locale).
#
# Usage: run.sh [--update] [--preload SHIM] VIRTSPEC render|bad-specs|seed|plan DIR
set -uo pipefail

usage="usage: run.sh [--update] [--preload SHIM] VIRTSPEC render|bad-specs|seed|plan DIR"
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
limit=$((10 * ${VIRTSPEC_TEST_TIME_SCALE:-1}))

failed=0 n=0
fail() {
    echo "FAIL $1: $2" >&2
    failed=$((failed + 1))
}

# call WORKDIR OUT ERR COMMAND…: one virtspec call with the time limit; prints the exit status
call() {
    local wd=$1 out=$2 err=$3
    shift 3
    (cd "$wd" && timeout "$limit" "$bin" "$@" >"$out" 2>"$err")
    echo $?
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

# refused NAME WORKDIR FILE…: a spec validate and render refuse (run in WORKDIR); NAME.err, in
# DIR, its diagnostics
refused() {
    local name=$1 wd=$2 rc
    shift 2
    rc=$(call "$wd" /dev/null "$tmp/err" validate "$@")
    case $rc in
    1) ;;
    124) fail "$name" "validate took more than $limit s"; return ;;
    *) fail "$name" "validate exited $rc (expected 1)"; cat "$tmp/err" >&2; return ;;
    esac
    expect "$name" "$tmp/err" "$name.err"
    rc=$(call "$wd" "$tmp/out" /dev/null render --host-kvm=no "${render_args[@]}" "$@")
    if [ "$rc" != 1 ]; then
        fail "$name" "render exited $rc (expected 1)"
    elif [ -s "$tmp/out" ]; then
        fail "$name" "render printed output for a bad file:"
        head -5 "$tmp/out" >&2
    fi
}

# rendered NAME FILE…: a spec that validates; NAME.xml what render prints
rendered() {
    local name=$1 rc
    shift
    rc=$(call "$dir" "$tmp/out" "$tmp/stderr" render --host-kvm=no "${render_args[@]}" "$@")
    if [ "$rc" != 0 ] || [ -s "$tmp/stderr" ]; then
        fail "$name" "render exited $rc (expected 0):"
        cat "$tmp/stderr" >&2
        return
    fi
    rc=$(call "$dir" /dev/null "$tmp/stderr" validate "$@")
    if [ "$rc" != 0 ]; then
        fail "$name" "validate exited $rc for a .xml case:"
        cat "$tmp/stderr" >&2
        return
    fi
    expect "$name" "$tmp/out" "$name.xml"
}

# each_spec FUNCTION: FUNCTION NAME FILE… for every NAME.yaml of the directory (with its
# NAME.also.yaml)
each_spec() {
    local y name files
    for y in *.yaml; do
        case $y in *.also.yaml) continue ;; esac
        name=${y%.yaml}
        files=("$y")
        [ -f "$name.also.yaml" ] && files+=("$name.also.yaml")
        n=$((n + 1))
        "$1" "$name" "${files[@]}"
    done
}

render_args=()   # NAME.args of the render case at hand
render_case() {
    local name=$1
    shift
    render_args=()
    [ -f "$name.args" ] && read -ra render_args <"$name.args"
    if [ -f "$name.xml" ] && [ -f "$name.err" ]; then
        fail "$name" "has both $name.xml and $name.err"
    elif [ -f "$name.xml" ]; then
        rendered "$name" "$@"
    elif [ -f "$name.err" ]; then
        refused "$name" "$dir" "$@"
    elif [ -z "$update" ]; then
        fail "$name" "no $name.xml or $name.err (run with --update to create one)"
    elif [ "$(call "$dir" /dev/null /dev/null validate "$@")" = 0 ]; then
        rendered "$name" "$@"
    else
        refused "$name" "$dir" "$@"
    fi
}

render_cases() {
    local e
    each_spec render_case
    # Expectations without a case are stale.
    for e in *.xml *.err *.args; do
        [ -f "${e%.*}.yaml" ] || fail "$e" "no ${e%.*}.yaml for it"
    done
}

bad_spec_case() {
    local name=$1
    shift
    cp "$@" "$tmp/all/"
    refused "$name" "$dir" "$@"
}

bad_specs_cases() {
    local generated=() g e name summary n_files rc
    [ -f generate.sh ] && . ./generate.sh
    mkdir -p "$tmp/all" "$tmp/gen"
    each_spec bad_spec_case
    for g in "${generated[@]}"; do
        generate "$g" >"$tmp/gen/$g.yaml"
        cp "$tmp/gen/$g.yaml" "$tmp/all/"
        n=$((n + 1))
        refused "$g" "$tmp/gen" "$g.yaml"
    done

    # Expectations without a case are stale.
    for e in *.err; do
        name=${e%.err}
        [ -f "$name.yaml" ] || [[ " ${generated[*]} " == *" $name "* ]] || fail "$e" "no case for it"
    done

    # The whole catalogue and one good spec in one directory.
    cp good/beside.yaml "$tmp/all/"
    n_files=$(find "$tmp/all" -name '*.yaml' | wc -l)
    rc=$(call "$tmp/all" /dev/null "$tmp/err" validate .)
    if [ "$rc" != 1 ]; then
        fail catalogue "validate of the directory exited $rc (expected 1)"
    else
        if grep -q '^\./beside\.yaml' "$tmp/err"; then
            fail catalogue "a diagnostic about the good spec:"
            grep '^\./beside\.yaml' "$tmp/err" >&2
        fi
        summary=$(tail -1 "$tmp/err")
        if [[ ! $summary =~ ^[0-9]+\ errors\ in\ $((n_files - 1))\ of\ $n_files\ files$ ]]; then
            fail catalogue "expected errors in $((n_files - 1)) of $n_files files, got: $summary"
        fi
    fi
    rc=$(call "$tmp/all" "$tmp/out" /dev/null render --host-kvm=no .)
    sed -i 's|(\./beside\.yaml:|(beside.yaml:|' "$tmp/out"
    if [ "$rc" != 1 ]; then
        fail catalogue "render of the directory exited $rc (expected 1)"
    else
        expect catalogue "$tmp/out" good/beside.xml
    fi

    # A file whose only problem is a name also used in another file counts as a file with
    # errors, both of them do, and a good file beside them does not: "2 errors in 2 of 3 files".
    mkdir -p "$tmp/dup"
    cp dup-name-two-files.yaml dup-name-two-files.also.yaml good/beside.yaml "$tmp/dup/"
    call "$tmp/dup" /dev/null "$tmp/err" validate . >/dev/null
    summary=$(tail -1 "$tmp/err")
    [ "$summary" = "2 errors in 2 of 3 files" ] ||
        fail dup-count "expected '2 errors in 2 of 3 files', got: $summary"
    echo "(${#generated[@]} of the cases generated)"
}

seed_case() {
    local name=$1 rc
    rc=$(call "$tmp/seed" "$tmp/raw" "$tmp/stderr" render --insecure-spec-perms --seed "$name.yaml")
    if [ "$rc" != 0 ]; then
        fail "$name" "render --seed exited $rc:"
        cat "$tmp/stderr" >&2
        return
    fi
    # (as check-cloud-init.sh writes it: one final newline)
    printf '%s\n' "$(sed "s|$tmp/seed|@DIR@|g" "$tmp/raw")" >"$tmp/out"
    expect "$name" "$tmp/out" "$name.seed"
}

seed_cases() {
    local e
    mkdir -p "$tmp/seed"
    cp -r . "$tmp/seed/"
    sed -i "s|@DIR@|$tmp/seed|g" "$tmp/seed"/*.yaml
    chmod 600 "$tmp/seed"/*.hash 2>/dev/null
    each_spec seed_case
    for e in *.seed; do
        [ -f "${e%.seed}.yaml" ] || fail "$e" "no ${e%.seed}.yaml for it"
    done
}

# plan_in CASE-COPY [ARGS…]: virtspec plan of the copy's specs against its node file (the shim
# preloaded into virtspec alone, not into timeout)
plan_in() {
    local w=$1
    shift
    (cd "$w" && timeout "$limit" env LD_PRELOAD="$preload${LD_PRELOAD:+ $LD_PRELOAD}" \
        VIRTSPEC_STATE_DIR="$w/state" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
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
            fail "$name" "plan crashed or took more than $limit s (exit $rc):"
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
bad-specs) bad_specs_cases ;;
seed) seed_cases ;;
plan) plan_cases ;;
*) echo "$usage" >&2; exit 1 ;;
esac

if [ "$n" -eq 0 ]; then
    echo "no $kind cases found in $dir" >&2
    exit 1
fi
echo "$n $kind cases, $failed failed"
[ "$failed" -eq 0 ]
