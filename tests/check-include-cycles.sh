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

# "module used-module" per project include; the awk below finds the cycles (a depth-first
# search from every module, reporting each cycle once, by its smallest module).
for f in "${files[@]}"; do
    m=$(basename "$f"); m=${m%.*}
    sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)\.h".*/\1/p' "$f" |
        while read -r used; do
            used=$(basename "$used")
            [[ $used == "$m" ]] && continue
            for d in "${dirs[@]}"; do
                if [[ -e $d/$used.h ]]; then
                    echo "$m $used"
                    break
                fi
            done
        done
done | sort -u | awk '
    { adj[$1] = adj[$1] " " $2; nodes[$1] = 1; nodes[$2] = 1; edges++ }
    function dfs(start, node, path, depth,    n, i, next_, parts) {
        n = split(adj[node], parts, " ")
        for (i = 1; i <= n; i++) {
            next_ = parts[i]
            if (next_ == start) {
                if (!(path in seen)) { seen[path] = 1; print "cycle: " path " -> " start; found++ }
                continue
            }
            if (next_ < start || onpath[next_]) continue   # each cycle once, from its smallest
            onpath[next_] = 1
            dfs(start, next_, path " -> " next_, depth + 1)
            onpath[next_] = 0
        }
    }
    END {
        for (m in nodes) { onpath[m] = 1; dfs(m, m, m, 0); onpath[m] = 0; n_nodes++ }
        if (found) { print found " include cycle(s)" > "/dev/stderr"; exit 1 }
        print "no include cycle: " n_nodes " modules, " edges " edges"
    }'
