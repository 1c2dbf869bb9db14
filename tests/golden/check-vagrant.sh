#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fails when the generated part of docs/vagrant-libvirt.md differs from `virtspec reference
# --vagrant`, or when that command fails: a vagrant-libvirt option names a key that does not exist,
# or a key with a vagrant-libvirt name is missing from the table (reconciler/cmd-reference.c).
# Usage: check-vagrant.sh VIRTSPEC SRCDIR     (REGENERATE=1 rewrites the document)
set -euo pipefail

bin=${1:?usage: check-vagrant.sh VIRTSPEC SRCDIR}
src=${2:?usage: check-vagrant.sh VIRTSPEC SRCDIR}
doc=$src/docs/vagrant-libvirt.md
begin='<!-- BEGIN GENERATED: virtspec reference --vagrant -->'
end='<!-- END GENERATED -->'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! "$bin" reference --vagrant >"$tmp/generated"; then
    echo "virtspec reference --vagrant failed" >&2
    exit 1
fi
# every section is a table, and the table is not empty
if [ "$(grep -c '^| `' "$tmp/generated")" -lt 100 ]; then
    echo "virtspec reference --vagrant lists fewer than 100 options" >&2
    exit 1
fi

for m in "$begin" "$end"; do
    if [ "$(grep -cxF -- "$m" "$doc")" != 1 ]; then
        echo "$doc: marker '$m' must appear exactly once" >&2
        exit 1
    fi
done

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
echo "$doc is out of date with 'virtspec reference --vagrant'; rerun with REGENERATE=1:" >&2
diff -u "$doc" "$tmp/expected" >&2 || true
exit 1
