#!/bin/bash
# tests/check-layers.sh LIB.a...: no call cycle between the source files of a static library. An
# edge a -> b means a.c calls a function (or uses a variable) that b.c defines; the files must form
# a partial order (GNU tsort), so each file can be read knowing only the ones below it.
# With VERBOSE=1, prints the edges.
set -u
status=0
for lib in "$@"; do
    # nm -A: "LIB:member.o: U sym" or "LIB:member.o:ADDR T sym"
    edges=$(nm -A "$lib" 2>/dev/null | awk '
        { split($1, p, ":"); m = p[2]; sub(/.*\//, "", m); sub(/\.c\.o$/, "", m); sub(/\.o$/, "", m) }
        NF == 3 && $2 ~ /^[TDBRCGS]$/ { def[$3] = m; next }
        NF == 2 && $1 ~ /:$/ && $2 != "" { next }
        $(NF - 1) == "U" { use[m, $NF] = 1 }
        END {
            for (k in use) {
                split(k, q, SUBSEP)
                if ((q[2] in def) && def[q[2]] != q[1])
                    print q[1], def[q[2]]
            }
        }' | sort -u)
    if [ -z "$edges" ]; then
        echo "check-layers: no edges read from $lib (nm missing, or not a static library)" >&2
        status=1
        continue
    fi
    [ "${VERBOSE:-0}" = 1 ] && printf '%s\n' "$edges" | sed 's/ / -> /'
    if ! out=$(printf '%s\n' "$edges" | tsort 2>&1 >/dev/null); then
        echo "check-layers: $(basename "$lib"): the files call each other in a loop:" >&2
        printf '%s\n' "$out" | sed -n 's/^tsort: \([^-].*\)$/  \1/p' >&2
        status=1
    else
        echo "check-layers: $(basename "$lib"): $(printf '%s\n' "$edges" | wc -l) edges, no loop"
    fi
done
exit $status
