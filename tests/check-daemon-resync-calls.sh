#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The daemon's full resync (SIGHUP, as the periodic one) of domains in sync asks libvirt for one
# thing per domain, its persistent XML: state and autostart come from listings made once per pass,
# not from a lookup, a state and an autostart call per domain (bench/full-pass --calls counts the
# calls from libvirt's own debug log of its public API, on the in-process test driver).
src=$(cd "$(dirname "$0")/.." && pwd)
. "$(dirname "$0")/check-lib.sh"
n=20
VIRTSPEC_BIN=$vs bash "$src/bench/full-pass" --calls $n > "$d/out" 2> "$d/err"
rc=$?
ok "bench/full-pass --calls ran (status $rc)" [ $rc = 0 ]
sed -n '/resync:/,$p' "$d/err" > "$d/resync"
calls() { awk -v f="$1" '$2 == f {print $1}' "$d/resync"; }
ok "the resync read each domain's XML once ($(calls virDomainGetXMLDesc) reads)" [ "$(calls virDomainGetXMLDesc)" = $n ]
for f in virDomainLookupByName virDomainGetState virDomainGetAutostart virDomainGetInfo; do
    ok "…and called no $f per domain ($(calls $f))" [ -z "$(calls $f)" ]
done
total=$(cut -f3 "$d/out")
ok "…$total libvirt calls in all for $n domains (≤ $n + 5 listings)" [ "${total:-999}" -le $((n + 5)) ]
finish
