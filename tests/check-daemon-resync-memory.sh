#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A full resync (SIGHUP, as the periodic one) of specs whose files did not change keeps their
# version in force instead of building a second copy of every spec, and the daemon gives freed
# pages back: its resident memory after the resync stays where the first pass left it (before,
# 2,000 minimal specs grew it by 11 MB, freed but kept by malloc). bench/rss-per-spec reads
# VmRSS from /proc (libvirt's in-process test driver).
src=$(cd "$(dirname "$0")/.." && pwd)
. "$(dirname "$0")/check-lib.sh"
VIRTSPEC_BIN=$vs bash "$src/bench/rss-per-spec" --sighup 100 2000 > "$d/out" 2> "$d/err"
rc=$?
ok "bench/rss-per-spec --sighup ran (status $rc)" [ $rc = 0 ]
first=$(awk '$1 == 2000 {print $4}' "$d/out")
after=$(awk '$1 == 2000 {print $13}' "$d/out")
ok "2000 specs: VmRSS ${first:-?} kB after the first pass, ${after:-?} kB after a resync (≤ 3 MB more)" \
    [ "${after:-999999}" -le $((${first:-0} + 3072)) ]
finish
