#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# No function of the engine longer than LIMIT lines (issue 17: "no function over ~150 lines in
# the engine"), from its definition's first line to its closing brace. A function definition
# starts at column 0 (house style: tests/../docs/style.md) and ends at the first "}" alone at
# column 0. Prints each function over the limit and fails, or the longest one.
#   check-function-length.sh SOURCE_ROOT [LIMIT [FILE...]]
#   default LIMIT 150; default FILEs: reconciler/engine*.c executor.c manager.c cmd-engine.c
set -euo pipefail
cd "${1:?usage: check-function-length.sh SOURCE_ROOT [LIMIT [FILE...]]}"
limit=${2:-150}
shift $(($# >= 2 ? 2 : 1))
files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then
    shopt -s nullglob
    files=(reconciler/engine*.c reconciler/executor.c reconciler/manager.c reconciler/cmd-engine.c)
fi
[[ ${#files[@]} -gt 0 ]] || { echo "check-function-length: no files" >&2; exit 1; }
awk -v limit="$limit" '
    FNR == 1 { state = 0 }
    # a definition: "type name(" at column 0, no "=" (an initialised variable), no ";" at its end
    state == 0 && /^[A-Za-z_][A-Za-z0-9_ \t*]*\(/ && !/=/ && !/;[ \t]*$/ {
        state = 1; start = FNR; name = $0
        sub(/\(.*/, "", name); n = split(name, w, /[ \t*]+/); name = w[n]
    }
    state == 1 && /;[ \t]*$/ && !/\{/ { state = 0; next }   # a prototype over several lines
    state == 1 && /\{[ \t]*$/ { state = 2 }
    state == 2 && /^}[ \t]*$/ {
        len = FNR - start + 1; state = 0; count++
        if (len > max) { max = len; longest = FILENAME ":" start " " name "()" }
        if (len > limit) { printf "%s:%d: %s() is %d lines (limit %d)\n", FILENAME, start, name, len, limit; bad++ }
    }
    END {
        if (count == 0) { print "check-function-length: no function read" > "/dev/stderr"; exit 1 }
        if (bad) exit 1
        printf "check-function-length: %d functions, the longest %s: %d lines (limit %d)\n", count, longest, max, limit
    }' "${files[@]}"
