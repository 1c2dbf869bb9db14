#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# No include cycle between the modules of reconciler/, specs/ and include/ (issue 17). A module
# is a file name without its extension (render.c and render.h are "render"); module A uses B
# when A.c or A.h has #include "B.h". A cycle (render -> diff -> render) means neither side can
# be understood, tested or changed without the other. Prints each cycle found and fails, or
# prints the number of modules and edges checked.
#   check-include-cycles.sh SOURCE_ROOT [DIR...]   (default DIRs: reconciler specs include)
set -euo pipefail
root=${1:?usage: check-include-cycles.sh SOURCE_ROOT [DIR...]}
shift
dirs=("$@")
[[ ${#dirs[@]} -gt 0 ]] || dirs=(reconciler specs include)

cd "$root"
files=()
for d in "${dirs[@]}"; do
    for f in "$d"/*.c "$d"/*.h; do
        [[ -e $f ]] && files+=("$f")
    done
done
[[ ${#files[@]} -gt 0 ]] || { echo "check-include-cycles: no sources under $root" >&2; exit 1; }

# "module used-module" per project include, then tsort(1), which fails on a cycle and names the
# modules of each loop it finds.
declare -A known=()
for f in "${files[@]}"; do
    m=${f##*/}
    known[${m%.*}]=1
done
edges=$(grep -H '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*\.h"' "${files[@]}" |
    sed -E 's|^([^:]*/)?([^/:]*)\.[ch]:[^"]*"([^"]*/)?([^"/]*)\.h".*|\2 \4|' | sort -u |
    while read -r m used; do
        [[ $m != "$used" && -n ${known[$used]:-} ]] && echo "$m $used"
    done) || true
if ! err=$(tsort <<<"$edges" 2>&1 >/dev/null) || [[ -n $err ]]; then
    echo "$err" | sed 's/^tsort: -: /check-include-cycles: /; s/^tsort: /cycle member: /'
    echo "include cycle(s) found" >&2
    exit 1
fi
echo "no include cycle: ${#known[@]} modules, $(grep -c . <<<"$edges") edges"
