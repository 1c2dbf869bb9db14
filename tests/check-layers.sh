#!/bin/bash
# tests/check-layers.sh LIB.a...: no call cycle between the source files of a static library. An
# edge a -> b means a.c calls a function (or uses a variable) that b.c defines; the files must form
# a partial order (GNU tsort), so each file can be read knowing only the ones below it.
# With VERBOSE=1, prints the edges. Every loop found is printed (its files and the edges between
# them), not only the first.
set -u
status=0

# Edges that close a loop and are allowed, as "LIBRARY FROM TO", each with the reason. They are
# taken out before the check, so a loop through any other edge still fails: a NEW loop, or one of
# these files calling around the loop another way, is an error.
allowed=(
    # man.c writes virtspec.yaml(5) with the key reference cmd-reference.c renders as roff
    # (reference_print_man, beside its markdown twin and their shared cell helpers), and the
    # reference command prints the man pages (`virtspec reference --man PAGE`: man_print). The
    # command entry and the printers share one file; splitting them (cmd_reference into a file
    # of its own) breaks the loop.
    "libreconciler.a cmd-reference man"
)
# The strongly connected components (Tarjan) of the edges "a b" on stdin with more than one file:
# one line per loop with its files, then its edges.
loops_of() {
    awk '
        { adj[$1] = adj[$1] " " $2; node[$1] = 1; node[$2] = 1; e[$1, $2] = 1 }
        function visit(v,    n, w, i, ws, comp) {
            index_[v] = low[v] = ++counter; stack[++sp] = v; on[v] = 1
            n = split(adj[v], ws, " ")
            for (i = 1; i <= n; i++) {
                w = ws[i]
                if (!(w in index_)) { visit(w); if (low[w] < low[v]) low[v] = low[w] }
                else if (on[w] && index_[w] < low[v]) low[v] = index_[w]
            }
            if (low[v] == index_[v]) {
                comp = ""; size = 0
                do { w = stack[sp--]; on[w] = 0; comp = comp " " w; size++; member[w] = v } while (w != v)
                if (size > 1) {
                    print "  loop:" comp
                    for (k in e) { split(k, q, SUBSEP); if (member[q[1]] == v && member[q[2]] == v) print "    " q[1] " -> " q[2] }
                }
            }
        }
        END { for (v in node) if (!(v in index_)) visit(v) }'
}

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
    n_allowed=0
    for a in "${allowed[@]}"; do
        read -r alib from to <<<"$a"
        [ "$alib" = "$(basename "$lib")" ] || continue
        if ! printf '%s\n' "$edges" | grep -qx "$from $to"; then
            echo "check-layers: $alib: the allowed edge $from -> $to is gone: take it off the list" >&2
            status=1
        fi
        edges=$(printf '%s\n' "$edges" | grep -vx "$from $to")
        n_allowed=$((n_allowed + 1))
    done
    if loops=$(printf '%s\n' "$edges" | loops_of) && [ -n "$loops" ]; then
        echo "check-layers: $(basename "$lib"): the files call each other in a loop:" >&2
        printf '%s\n' "$loops" >&2
        status=1
    elif ! printf '%s\n' "$edges" | tsort >/dev/null 2>&1; then
        echo "check-layers: $(basename "$lib"): tsort finds a loop" >&2
        status=1
    else
        echo "check-layers: $(basename "$lib"): $(printf '%s\n' "$edges" | wc -l) edges, no loop" \
             "($n_allowed allowed edge(s) left out)"
    fi
done
exit $status
