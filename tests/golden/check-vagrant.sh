#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fails when the generated part of docs/vagrant-libvirt.md differs from `virtspec reference
# --vagrant`, or when that command fails: a vagrant-libvirt option names a key that does not exist,
# or a key with a vagrant-libvirt name is missing from the table (reconciler/cmd-reference.c).
# Usage: check-vagrant.sh VIRTSPEC SRCDIR     (REGENERATE=1 rewrites the document)
set -euo pipefail
source "$(dirname "$0")/../generated-section.sh"

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

generated_section "$doc" "$begin" "$end" "$tmp/generated" "virtspec reference --vagrant"
