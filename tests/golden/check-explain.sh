#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `virtspec render --explain` (docs/templates.md): each key a spec sets with where its value came
# from, for the template goldens: tests/golden/explain/NAME.txt is the expected output for
# tests/golden/NAME.yaml (with NAME.also.yaml). REGENERATE=1 rewrites the expectations.
# Usage: check-explain.sh VIRTSPEC GOLDEN-DIR
set -uo pipefail
bin=${1:?usage: check-explain.sh VIRTSPEC GOLDEN-DIR}
dir=${2:?usage: check-explain.sh VIRTSPEC GOLDEN-DIR}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
cd "$dir" || exit 1
export LC_ALL=C.UTF-8 NO_COLOR=1
failed=0 n=0
for want in explain/*.txt; do
    name=$(basename "$want" .txt)
    files=("$name.yaml")
    [ -f "$name.also.yaml" ] && files+=("$name.also.yaml")
    n=$((n + 1))
    got=$("$bin" render --insecure-spec-perms --explain "${files[@]}" 2>&1; echo "--- exit $?")
    if [ -n "${REGENERATE:-}" ]; then
        printf '%s\n' "$got" >"$want"
    elif ! diff -u "$want" <(printf '%s\n' "$got"); then
        echo "FAIL $name: render --explain differs from $want" >&2
        failed=$((failed + 1))
    fi
done
echo "$n explain cases, $failed failed"
[ "$n" -gt 0 ] && [ "$failed" -eq 0 ]
