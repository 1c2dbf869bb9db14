#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fails when the generated part of docs/spec-reference.md differs from `virtspec reference`.
# Usage: check-reference.sh VIRTSPEC SRCDIR     (REGENERATE=1 rewrites the document)
set -euo pipefail
source "$(dirname "$0")/generated-section.sh"

bin=${1:?usage: check-reference.sh VIRTSPEC SRCDIR}
src=${2:?usage: check-reference.sh VIRTSPEC SRCDIR}
doc=$src/docs/spec-reference.md
begin='<!-- BEGIN GENERATED: virtspec reference -->'
end='<!-- END GENERATED -->'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin" reference >"$tmp/generated"

# The hand-written limits table must match include/yaml-tree.h.
limit() {
    local expr
    expr=$(sed -n "s/^#define $1 *(\{0,1\}\([0-9u *]*\))\{0,1\}.*/\1/p" "$src/include/yaml-tree.h")
    echo $(( ${expr//u/} ))
}
for row in "file size|1 MiB ($(limit YAML_MAX_FILE_SIZE) bytes)" \
           "nesting depth|$(limit YAML_MAX_DEPTH) levels" \
           "documents per file|$(limit YAML_MAX_DOCUMENTS)" \
           "entries per map or list|$(limit YAML_MAX_ITEMS)"; do
    line="| ${row%%|*} | ${row#*|} |"
    if ! grep -qxF -- "$line" "$doc"; then
        echo "$doc: the Limits table must have the line '$line' (include/yaml-tree.h)" >&2
        exit 1
    fi
done

# Every docs/X.md a key's doc points to must exist.
for f in $(grep -o 'docs/[A-Za-z0-9_-]*\.md' "$tmp/generated" | sort -u); do
    if [ ! -f "$src/$f" ]; then
        echo "$doc: a key's doc (specs/spec-table.c) points to $f, which does not exist" >&2
        exit 1
    fi
done

generated_section "$doc" "$begin" "$end" "$tmp/generated" "virtspec reference"
