#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# issue 19, export --templates with groups (docs/templates.md, Export): web1…3 and db-1…2 share
# different values beyond what all five share: a base template, one per group building on it, each
# spec only what is its own; and the tree renders exactly as the export without templates. A
# custom node file for libvirt's in-process test driver. Usage: check-export-groups.sh VIRTSPEC
source "$(dirname "$0")/check-lib.sh"
n=0
dom() {   # dom NAME MEMORY-MIB LISTEN
    n=$((n + 1))
    printf "<domain type='test'><name>%s</name><uuid>%08d-1111-1111-1111-111111111111</uuid>" "$1" "$n"
    printf "<memory unit='MiB'>%s</memory><vcpu>2</vcpu>" "$2"
    printf "<os><type arch='x86_64'>hvm</type></os><devices>"
    printf "<graphics type='vnc' port='-1' autoport='yes' listen='%s'/></devices></domain>\n" "$3"
}
{
    printf '<node>\n'
    dom web1 1024 0.0.0.0; dom web2 1024 0.0.0.0; dom web3 2048 0.0.0.0
    dom db-1 4096 127.0.0.1; dom db-2 4096 127.0.0.1
    printf '</node>\n'
} > "$d/node.xml"
names="web1 web2 web3 db-1 db-2"
# (exit 1: the test driver's domain type "test" has no spec form; the specs are still written)
"$vs" export -c "test://$d/node.xml" --templates base $names > "$d/t.yaml" 2> "$d/t.err"
"$vs" export -c "test://$d/node.xml" $names > "$d/flat.yaml" 2> "$d/flat.err"
cat "$d/t.yaml"
ok "three templates: base, base-web, base-db, in that order" \
    test "$(grep -A1 '^kind: Template' "$d/t.yaml" | grep '^name:' | tr '\n' ' ')" = "name: base name: base-web name: base-db "
ok "the groups' templates build on the base" test "$(grep -c '^from: \[base\]$' "$d/t.yaml")" = 2
ok "web1…3 use base-web, db-1…2 base-db" bash -c \
    'for n in web1 web2 web3; do grep -A1 "^name: $n\$" "$1" | grep -qx "from: \[base-web\]" || exit 1; done
     for n in db-1 db-2; do grep -A1 "^name: $n\$" "$1" | grep -qx "from: \[base-db\]" || exit 1; done' _ "$d/t.yaml"
ok "the db group's memory is in its template, not in the specs" \
    bash -c 'awk "/^name: base-db/,/^---/" "$1" | grep -q "^memory: 4GiB" && [ "$(grep -c "^memory: 4GiB" "$1")" = 1 ]' _ "$d/t.yaml"
ok "web3 keeps its own memory" bash -c 'awk "/^name: web3/,/^---/" "$1" | grep -q "^memory: 2GiB"' _ "$d/t.yaml"
"$vs" render "$d/t.yaml" > "$d/t.xml" 2>&1
"$vs" render "$d/flat.yaml" > "$d/flat.xml" 2>&1
# the same XML but for where each spec is (its file, line and hash: the comment and vs:spec)
ok "the tree with templates renders exactly as the export without them" \
    bash -c 'for x in t flat; do grep -v "<!-- Domain\|<vs:spec " "$1/$x.xml" > "$1/$x.cmp"; done
             [ "$(grep -c "<domain" "$1/t.cmp")" = 5 ] && diff "$1/t.cmp" "$1/flat.cmp"' _ "$d"
finish
