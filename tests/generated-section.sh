#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the checks of generated document sections (check-reference.sh, golden/check-vagrant.sh).
# generated_section DOC BEGIN END GENERATED COMMAND: the lines of DOC between the marker lines BEGIN
# and END (each exactly once) must be the file GENERATED, the output of COMMAND. Returns 0 when they
# are; with REGENERATE=1 rewrites DOC and returns 0; else prints the diff and returns 1.
generated_section() {
    local doc=$1 begin=$2 end=$3 gen=$4 what=$5 m expected
    for m in "$begin" "$end"; do
        if [ "$(grep -cxF -- "$m" "$doc")" != 1 ]; then
            echo "$doc: marker '$m' must appear exactly once" >&2
            return 1
        fi
    done
    expected=$(mktemp)
    awk -v begin="$begin" -v end="$end" -v gen="$gen" '
        $0 == begin { print; while ((getline l < gen) > 0) print l; skip = 1; next }
        $0 == end { skip = 0 }
        !skip { print }
    ' "$doc" >"$expected"
    if cmp -s "$doc" "$expected"; then
        rm -f "$expected"; return 0
    fi
    if [ -n "${REGENERATE:-}" ]; then
        cp "$expected" "$doc"; rm -f "$expected"
        echo "rewrote $doc"
        return 0
    fi
    echo "$doc is out of date with '$what'; rerun with REGENERATE=1:" >&2
    diff -u "$doc" "$expected" >&2 || true
    rm -f "$expected"
    return 1
}
