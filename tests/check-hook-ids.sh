#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A hook id (include/spec-table.h: enum XmlHook) is named by the key table (specs/) and by its
# entry in reconciler/hooks*.c, nowhere else in reconciler/ (issue 17): render, observe, diff,
# export and the executor walk hook_ops and ask its functions and flags, never "is this
# HOOK_MEMORY". HOOK_NONE (no hook) and _HOOK_MAX are not hooks. The flags (HOOK_SIZE,
# HOOK_READS_PLAIN, …) are not ids and are not checked. Prints each offending line and fails.
#   check-hook-ids.sh SOURCE_ROOT
set -euo pipefail
cd "${1:?usage: check-hook-ids.sh SOURCE_ROOT}"
ids=$(sed -n '/^typedef enum XmlHook/,/^} XmlHook;/p' include/spec-table.h |
      grep -o '^ *HOOK_[A-Z0-9_]*' | tr -d ' ' | grep -vx HOOK_NONE || true)
if [[ -z $ids ]]; then
    echo "check-hook-ids: no hook ids read from include/spec-table.h" >&2
    exit 1
fi
pattern=$(printf '%s\n' $ids | paste -sd'|')
shopt -s nullglob
files=()
for f in reconciler/*.c reconciler/*.h; do
    case ${f##*/} in hooks*) continue ;; esac
    files+=("$f")
done
rc=0
out=$(grep -nwE "$pattern" "${files[@]}") || rc=$?
if [[ $rc -gt 1 ]]; then
    echo "check-hook-ids: grep failed ($rc)" >&2
    exit 1
fi
if [[ $rc -eq 0 ]]; then
    echo "check-hook-ids: hook ids named outside reconciler/hooks*.c (give the hook entry a" >&2
    echo "function or a flag, and ask hook_of(k) instead):" >&2
    printf '%s\n' "$out" | sed 's/^/  /' >&2
    exit 1
fi
echo "check-hook-ids: $(printf '%s\n' $ids | wc -l) hook ids, named in reconciler/ by hooks*.c alone"
