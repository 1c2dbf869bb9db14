#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Validates rendered XML against libvirt's RelaxNG schemas with virt-xml-validate: every golden
# NAME.xml expectation, and `virtspec render` of each extra path (the examples). Render output is
# split per object at its "<!-- Kind name (file:line) -->" separator lines.
# Exit 77 (skipped) when virt-xml-validate is not installed.
#
# Usage: validate-xml.sh VIRTSPEC GOLDEN_DIR [SPEC_PATH…]
set -uo pipefail

bin=${1:?usage: validate-xml.sh VIRTSPEC GOLDEN_DIR [SPEC_PATH…]}
dir=${2:?usage: validate-xml.sh VIRTSPEC GOLDEN_DIR [SPEC_PATH…]}
shift 2

if ! command -v virt-xml-validate >/dev/null; then
    echo "virt-xml-validate not found (package libvirt-clients): skipping"
    exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0 checked=0

# split SOURCE-LABEL < render output: writes $tmp/parts/NNNN.KIND and a label file per part
split() {
    rm -rf "$tmp/parts"
    mkdir "$tmp/parts"
    awk -v out="$tmp/parts" -v src="$1" '
        /^<!-- (Domain|Network|Pool) .* -->$/ {
            if (f) close(f)
            n++
            kind = tolower($2)
            f = sprintf("%s/%04d.%s", out, n, kind)
            label = sprintf("%s/%04d.label", out, n)
            print src ": " substr($0, 6, length($0) - 9) > label
            close(label)
            next
        }
        f { print > f }
        !f && NF { print "text before the first object in " src > "/dev/stderr"; exit 1 }
    '
}

check_parts() {
    local p kind
    for p in "$tmp"/parts/*.domain "$tmp"/parts/*.network "$tmp"/parts/*.pool; do
        [ -f "$p" ] || continue
        kind=${p##*.}
        schema=$kind
        [ "$kind" = pool ] && schema=storagepool   # libvirt names the pool schema storagepool.rng
        checked=$((checked + 1))
        if ! virt-xml-validate "$p" "$schema" >"$tmp/log" 2>&1; then
            echo "FAIL $(cat "${p%.*}.label"): not a valid libvirt $kind document:" >&2
            cat "$tmp/log" >&2
            failed=$((failed + 1))
        fi
    done
}

shopt -s nullglob
for x in "$dir"/*.xml; do
    split "$(basename "$x")" <"$x" || failed=$((failed + 1))
    check_parts
done
for path in "$@"; do
    if ! "$bin" render --host-kvm=no "$path" >"$tmp/render"; then
        echo "FAIL $path: render failed" >&2
        failed=$((failed + 1))
        continue
    fi
    split "$path" <"$tmp/render" || failed=$((failed + 1))
    check_parts
done

if [ "$checked" -eq 0 ]; then
    echo "no XML documents found to validate" >&2
    exit 1
fi
echo "$checked documents validated, $failed failed"
[ "$failed" -eq 0 ]
