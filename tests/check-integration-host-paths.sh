#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The integration tests touch no host directory: every file they make lives in the scratch
# directory ($WORK) or in one of the harness's private directories (PRIVATE_DIRS of harness.sh,
# hidden from the host). Fails on a path under /srv, /opt, /mnt, /home, /root, /var/tmp, a fixed
# name under /tmp, or a /var/lib path outside PRIVATE_DIRS, outside comments. Not checked:
# harness.sh itself, test-systemd.sh (its own root in its own namespaces) and
# test-harness-parallel.sh (not run inside the harness; its probe directory is one the harness
# hides by design). A sed pattern rewriting a path into $WORK (s#/srv/#$WORK/srv/#) is allowed.
# Usage: check-integration-host-paths.sh TESTS-INTEGRATION-DIR
set -u
dir=${1:?usage: $(basename "$0") TESTS-INTEGRATION-DIR}
mapfile -t priv < <(sed -n '/^PRIVATE_DIRS=(/,/^)/{/^ *\//s/^ *//p}' "$dir/harness.sh")
[ "${#priv[@]}" -ge 6 ] || { echo "FAIL - cannot read PRIVATE_DIRS from harness.sh"; exit 1; }
allowed=$(printf '%s\\b|' "${priv[@]#/var/lib/}"); allowed=${allowed%|}
re="(?<![\\w\$}.#-])/(srv|opt|mnt|home|root|var/tmp|tmp)\\\\?/|(?<![\\w\$}.#-])/var/lib/(?!$allowed)"
bad=0 n=0
for f in "$dir"/*.sh; do
    case ${f##*/} in harness.sh|test-systemd.sh|test-harness-parallel.sh) continue ;; esac
    n=$((n + 1))
    if hits=$(grep -nP -- "$re" "$f" | grep -vP '^\d+:\s*#'); then
        printf 'FAIL - %s uses a host path:\n%s\n' "${f##*/}" "$hits"; bad=$((bad + 1))
    fi
done
echo "$n files checked, $bad with host paths"
[ "$n" -gt 10 ] && [ "$bad" = 0 ]
