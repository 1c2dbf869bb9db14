#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The xml escape hatch (issue 7): a spec whose raw fragments or edits make a document libvirt's
# RelaxNG schema refuses is reported at plan and apply time, at the xml key's place, and nothing
# of it is applied; a valid one goes on. For a domain, a network and a pool. Runs against
# libvirt's in-process test driver (test:///default): no daemon, no root.
# Usage: check-hatch-schema.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
chmod 0755 "$d"; mkdir -m 0755 "$d/specs"
cd "$d/specs"
cat > bad.yaml <<'Y'
kind: Domain
name: hs-bad
memory: 64MiB
graphics: {type: none}
xml:
  add:
    - {at: devices, fragment: "<watchdog model='no-such-model'/>"}
---
kind: Network
name: hs-badnet
ip: 10.99.0.1/24
xml:
  set:
    - {path: "forward/@mode", value: "teleport"}
---
kind: Pool
name: hs-badpool
path: /var/lib/hs-badpool
xml:
  add:
    - {at: ., fragment: "<bogus/>"}
Y
cat > good.yaml <<'Y'
kind: Domain
name: hs-good
memory: 64MiB
graphics: {type: none}
xml:
  add:
    - {at: devices, fragment: "<watchdog model='i6300esb' action='reset'/>"}
Y
chmod 0644 *.yaml
ok "validate accepts the well-formed fragments (the schema is libvirt's, at plan time)" \
    "$vs" validate bad.yaml good.yaml
for cmd in plan apply; do
    "$vs" $cmd -c test:///default bad.yaml good.yaml >"$d/out" 2>"$d/err"; rc=$?
    ok "$cmd exits 1" test "$rc" = 1
    for at in "bad.yaml:6:3" "bad.yaml:13:3" "bad.yaml:20:3"; do
        ok "$cmd: $at names the xml key" grep -q "^$at: error: xml: with these edits the document is not valid for libvirt" "$d/err"
    done
    ok "$cmd: three schema errors, no other" test "$(wc -l < "$d/err")" = 3
    for o in "Domain hs-bad" "Network hs-badnet" "Pool hs-badpool"; do
        ok "$cmd does nothing for $o" bash -c "sed -n '/^$o /,/^[A-Z]/p' '$d/out' | sed 1d | grep -q '✗ failed' && ! sed -n '/^$o /,/^[A-Z]/p' '$d/out' | grep -q '^  [+▶]'"
    done
    ok "$cmd goes on with hs-good" bash -c "sed -n '/^Domain hs-good/,\$p' '$d/out' | grep -q '^  + create'"
done
"$vs" apply -c test:///default good.yaml >"$d/out" 2>"$d/err"
ok "a valid fragment applies without error" test "$?" = 0 -a ! -s "$d/err"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
