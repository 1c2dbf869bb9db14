#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The `meson test --wrap` of tests/valgrind.sh: VG_LOGS=DIR valgrind-wrap.sh PROGRAM ARGS…
# A program of ours (an ELF file outside /usr and /bin) runs under valgrind. A script run by a
# system program (bash run.sh VIRTSPEC …) runs as is: bash's own leaks are not ours, and a forked
# bash subshell would inherit valgrind. Instead every program of ours among its arguments is
# replaced by a shim that runs it under valgrind, so each virtspec the script starts is checked.
set -u
logs=${VG_LOGS:?VG_LOGS must name the report directory}
vg=(valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite
    "--suppressions=$(cd "$(dirname "$0")" && pwd)/valgrind.supp" "--log-file=$logs/vg.%p")

# (a shared object of ours, such as the plan goldens' LD_PRELOAD shim, is passed as it is: it is
# loaded into a program that runs under valgrind, never run)
ours() {
    [ -f "$1" ] && [ -x "$1" ] && [[ $1 != /usr/* && $1 != /bin/* && $1 != *.so && $1 != *.so.* ]] &&
        [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]
}

if ours "$1"; then
    exec "${vg[@]}" "$@"
fi
args=("$1")
shift
for a; do
    if ours "$a"; then
        shim=$logs/shim-$(basename "$a")
        printf '#!/bin/bash\nexec %s %q "$@"\n' "$(printf '%q ' "${vg[@]}")" "$(realpath "$a")" >"$shim"
        chmod +x "$shim"
        a=$shim
    fi
    args+=("$a")
done
exec "${args[@]}"
