#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bad-spec catalogue (docs/reliability.md). Every case is a spec file that must be refused:
#   NAME.yaml       the file (NAME.also.yaml, when present, is passed after it: cross-file cases)
#   NAME.err        exact stderr of `virtspec validate NAME.yaml`, run inside the directory
#                   with bare file names; exit status must be 1
# Cases too large to commit (a 10 MiB file, nesting 10,000 deep, …) are produced by generate()
# below into a temporary directory; their NAME.err lives here all the same.
# For every case also:
#   - `virtspec render NAME.yaml` exits 1 and prints nothing on stdout: no XML from a bad file;
#   - neither command may take more than 10 s (a hang or blow-up fails the case) or crash.
#     VIRTSPEC_TEST_TIME_SCALE=N multiplies the limit: .ci/run sets 10 for its ASan pass, where
#     ASan's allocator makes the big generated cases (128 × 1024 serial ports) ~40× slower.
# Once for the whole catalogue: every case file and good/beside.yaml in one directory;
# `virtspec validate DIR` reports every bad file and nothing about beside.yaml, and
# `virtspec render DIR` prints exactly beside.yaml's XML (good/beside.xml): bad files next to a
# good one do not stop it.
# REGENERATE=1 rewrites the .err files (and good/beside.xml) for review.
#
# Usage: run.sh VIRTSPEC BAD_SPECS_DIR
set -uo pipefail

bin=${1:?usage: run.sh VIRTSPEC BAD_SPECS_DIR}
dir=${2:?usage: run.sh VIRTSPEC BAD_SPECS_DIR}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
cd "$dir" || exit 1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen=$tmp/gen
mkdir -p "$gen"

failed=0 n=0
fail() {
    echo "FAIL $1: $2" >&2
    failed=$((failed + 1))
}

# awk prints N copies of a string: rep N STRING
rep() { awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'; }

generated=(gen-huge-10mib gen-deep-10000-flow gen-deep-10000-block gen-deep-10000-maps
           gen-many-documents gen-many-items gen-many-keys gen-many-serials)
generate() {
    case $1 in
    gen-huge-10mib)         # 10 MiB: refused by size before it is parsed
        printf 'kind: Domain\nname: huge\ndescription: |\n'
        yes '  0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' | head -c 10485760
        ;;
    gen-deep-10000-flow)    # [[[[…]]]] 10,000 deep
        printf 'kind: Domain\nname: deep\nx-deep: '
        rep 10000 '['; rep 10000 ']'; printf '\n'
        ;;
    gen-deep-10000-block)   # - - - - … 10,000 deep, block style
        printf 'kind: Domain\nname: deep\nx-deep:\n  '
        rep 10000 '- '; printf 'x\n'
        ;;
    gen-deep-10000-maps)    # {a: {a: {a: …}}} 10,000 deep
        printf 'kind: Domain\nname: deep\nx-deep: '
        rep 10000 '{a: '; printf '1'; rep 10000 '}'; printf '\n'
        ;;
    gen-many-documents)     # 300 valid documents: the 257th is over the limit
        for i in $(seq 300); do printf -- '---\nkind: Pool\nname: p%d\npath: /srv/p%d\n' "$i" "$i"; done
        ;;
    gen-many-items)         # a list of 1025 entries
        printf 'kind: Domain\nname: items\nboot:\n'
        for i in $(seq 1025); do printf '  - hd\n'; done
        ;;
    gen-many-keys)          # a map of 1025 keys
        printf 'kind: Domain\nname: keys\nx-keys:\n'
        for i in $(seq 1025); do printf '  k%d: 1\n' "$i"; done
        ;;
    gen-many-serials)       # 128 domains of 1024 serial ports each: one error each, quickly
        for i in $(seq 128); do
            printf -- '---\nkind: Domain\nname: s%d\nserials: [{}' "$i"; rep 1023 ',{}'; printf ']\n'
        done
        ;;
    *) return 1 ;;
    esac
}

limit=$((10 * ${VIRTSPEC_TEST_TIME_SCALE:-1}))

# run WORKDIR OUT ERR COMMAND…: one virtspec call with a time limit; prints the exit status
run() {
    local wd=$1 out=$2 err=$3
    shift 3
    (cd "$wd" && timeout "$limit" "$bin" "$@" >"$out" 2>"$err")
    echo $?
}

check_case() {   # NAME WORKDIR FILE…
    local name=$1 wd=$2
    shift 2
    n=$((n + 1))
    local rc
    rc=$(run "$wd" /dev/null "$tmp/err" validate "$@")
    case $rc in
    1) ;;
    124) fail "$name" "validate took more than $limit s"; return ;;
    *) fail "$name" "validate exited $rc (expected 1)"; cat "$tmp/err" >&2; return ;;
    esac
    if [ -n "${REGENERATE:-}" ]; then
        if ! cmp -s "$tmp/err" "$name.err"; then
            cp "$tmp/err" "$name.err"
            echo "rewrote $name.err"
        fi
    elif [ ! -f "$name.err" ]; then
        fail "$name" "no $name.err (run with REGENERATE=1 to create it)"
    elif ! diff -u "$name.err" "$tmp/err" >"$tmp/diff"; then
        fail "$name" "stderr differs from $name.err:"
        cat "$tmp/diff" >&2
    fi
    rc=$(run "$wd" "$tmp/out" /dev/null render --host-kvm=no "$@")
    if [ "$rc" != 1 ]; then
        fail "$name" "render exited $rc (expected 1)"
    elif [ -s "$tmp/out" ]; then
        fail "$name" "render printed output for a bad file:"
        head -5 "$tmp/out" >&2
    fi
}

mkdir -p "$tmp/all"
shopt -s nullglob
for y in *.yaml; do
    case $y in *.also.yaml) continue ;; esac
    name=${y%.yaml}
    files=("$y")
    [ -f "$name.also.yaml" ] && files+=("$name.also.yaml")
    cp "${files[@]}" "$tmp/all/"
    check_case "$name" "$dir" "${files[@]}"
done
for g in "${generated[@]}"; do
    generate "$g" >"$gen/$g.yaml"
    cp "$gen/$g.yaml" "$tmp/all/"
    check_case "$g" "$gen" "$g.yaml"
done

# Expectations without a case are stale.
for e in *.err; do
    name=${e%.err}
    [ -f "$name.yaml" ] || [[ " ${generated[*]} " == *" $name "* ]] || fail "$e" "no case for it"
done

# The whole catalogue and one good spec in one directory.
cp good/beside.yaml "$tmp/all/"
n_files=$(find "$tmp/all" -name '*.yaml' | wc -l)
rc=$(run "$tmp/all" /dev/null "$tmp/err" validate .)
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
rc=$(run "$tmp/all" "$tmp/out" /dev/null render --host-kvm=no .)
sed -i 's|(\./beside\.yaml:|(beside.yaml:|' "$tmp/out"
if [ "$rc" != 1 ]; then
    fail catalogue "render of the directory exited $rc (expected 1)"
elif [ -n "${REGENERATE:-}" ]; then
    cmp -s "$tmp/out" good/beside.xml || { cp "$tmp/out" good/beside.xml; echo "rewrote good/beside.xml"; }
elif ! diff -u good/beside.xml "$tmp/out" >"$tmp/diff"; then
    fail catalogue "render of the directory differs from good/beside.xml:"
    cat "$tmp/diff" >&2
fi

# A file whose only problem is a name also used in another file counts as a file with errors,
# both of them do, and a good file beside them does not: "2 errors in 2 of 3 files".
mkdir -p "$tmp/dup"
cp dup-name-two-files.yaml dup-name-two-files.also.yaml good/beside.yaml "$tmp/dup/"
run "$tmp/dup" /dev/null "$tmp/err" validate . >/dev/null
summary=$(tail -1 "$tmp/err")
[ "$summary" = "2 errors in 2 of 3 files" ] ||
    fail dup-count "expected '2 errors in 2 of 3 files', got: $summary"

if [ "$n" -eq 0 ]; then
    echo "no cases found in $dir" >&2
    exit 1
fi
echo "$n bad-spec cases ($((${#generated[@]})) generated), $failed failed"
[ "$failed" -eq 0 ]
