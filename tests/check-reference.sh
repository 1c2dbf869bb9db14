#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fails when the generated part of docs/spec-reference.md differs from `virtspec reference`.
# Usage: check-reference.sh VIRTSPEC SRCDIR     (REGENERATE=1 rewrites the document)
set -euo pipefail

bin=${1:?usage: check-reference.sh VIRTSPEC SRCDIR}
src=${2:?usage: check-reference.sh VIRTSPEC SRCDIR}
doc=$src/docs/spec-reference.md
begin='<!-- BEGIN GENERATED: virtspec reference -->'
end='<!-- END GENERATED -->'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin" reference >"$tmp/generated"

for m in "$begin" "$end"; do
    if [ "$(grep -cxF -- "$m" "$doc")" != 1 ]; then
        echo "$doc: marker '$m' must appear exactly once" >&2
        exit 1
    fi
done

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

# The document with the generated part replaced by the current output.
awk -v begin="$begin" -v end="$end" -v gen="$tmp/generated" '
    $0 == begin { print; while ((getline l < gen) > 0) print l; skip = 1; next }
    $0 == end { skip = 0 }
    !skip { print }
' "$doc" >"$tmp/expected"

if cmp -s "$doc" "$tmp/expected"; then
    exit 0
fi
if [ -n "${REGENERATE:-}" ]; then
    cp "$tmp/expected" "$doc"
    echo "rewrote $doc"
    exit 0
fi
echo "$doc is out of date with 'virtspec reference'; rerun with REGENERATE=1:" >&2
diff -u "$doc" "$tmp/expected" >&2 || true
exit 1
