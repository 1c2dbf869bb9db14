#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fails when a key of the spec tables has no golden .xml case that sets it explicitly, or no golden
# .err case with a diagnostic pointing at a value of that key. The key list is read from
# `virtspec reference`, so a new table row needs golden cases before this passes again.
#
# Usage: check-coverage.sh VIRTSPEC GOLDEN_KEYS GOLDEN_DIR
set -euo pipefail

bin=${1:?usage: check-coverage.sh VIRTSPEC GOLDEN_KEYS GOLDEN_DIR}
keys=${2:?usage: check-coverage.sh VIRTSPEC GOLDEN_KEYS GOLDEN_DIR}
dir=${3:?usage: check-coverage.sh VIRTSPEC GOLDEN_KEYS GOLDEN_DIR}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
case $keys in /*) ;; *) keys=$PWD/$keys ;; esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "KIND<TAB>PATH" for every row of the reference tables.
"$bin" reference | awk '
    /^### / { kind = $2; next }
    /^\| `/ { split($0, a, "`"); print kind "\t" a[2] }
' | LC_ALL=C sort -u >"$tmp/all"
if [ "$(wc -l <"$tmp/all")" -lt 50 ]; then
    echo "could not read the key list from 'virtspec reference'" >&2
    exit 1
fi

cd "$dir"
shopt -s nullglob
xml_cases=() err_cases=()
for x in *.xml; do
    xml_cases+=("${x%.xml}.yaml")
    [ -f "${x%.xml}.also.yaml" ] && xml_cases+=("${x%.xml}.also.yaml")
done
for e in *.err; do err_cases+=("$e"); done
if [ ${#xml_cases[@]} -eq 0 ] || [ ${#err_cases[@]} -eq 0 ]; then
    echo "no golden cases in $dir" >&2
    exit 1
fi

"$keys" set "${xml_cases[@]}" | LC_ALL=C sort -u >"$tmp/set"
for e in "${err_cases[@]}"; do
    "$keys" mentions "$e"
done | LC_ALL=C sort -u >"$tmp/mentioned"

missing=0
while IFS=$'\t' read -r kind path; do
    echo "$kind $path: no .xml golden case sets it" >&2
    missing=$((missing + 1))
done < <(LC_ALL=C comm -23 "$tmp/all" "$tmp/set")
while IFS=$'\t' read -r kind path; do
    echo "$kind $path: no .err golden case has a diagnostic at a value of it" >&2
    missing=$((missing + 1))
done < <(LC_ALL=C comm -23 "$tmp/all" "$tmp/mentioned")

total=$(wc -l <"$tmp/all")
if [ "$missing" -gt 0 ]; then
    echo "$missing gaps in golden coverage of $total keys" >&2
    exit 1
fi
echo "all $total keys are set by a .xml case and rejected in a .err case"
