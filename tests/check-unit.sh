#!/bin/bash
# The installed unit passes `systemd-analyze verify`, its offline security exposure stays at or
# below the figure recorded in docs/daemon.md, and it keeps the settings docs/daemon.md explains
# (issue 14: the daemon sees the paths `plan` sees; no 226/NAMESPACE without /run/libvirt; the
# status file survives a stop; stops before libvirt-guests; no restart loop).
# Usage: check-unit.sh BUILT-UNIT VIRTSPEC-BINARY
set -u
unit=$1 bin=$2
command -v systemd-analyze >/dev/null || { echo "systemd-analyze not installed"; exit 77; }
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
sed "s|^ExecStart=[^ ]*virtspec|ExecStart=$bin|" "$unit" > "$d/virtspec.service"
# Documentation=man:… pages: the ones meson built (man/meson.build), as an installed man tree
mkdir -p "$d/man/man5" "$d/man/man8"
for p in "$(dirname "$unit")"/../man/virtspec.*; do
    [ -e "$p" ] && ln -s "$(realpath "$p")" "$d/man/man${p##*.}/"
done
MANPATH=$d/man systemd-analyze verify "$d/virtspec.service" || { echo "FAIL: systemd-analyze verify"; exit 1; }
fail=0
want() {   # want DESCRIPTION EXTENDED-REGEX: some line of the unit matches
    grep -qE "$2" "$unit" || { echo "FAIL: $1 (no line matching /$2/)"; fail=1; }
}
never() {   # never DESCRIPTION EXTENDED-REGEX: no line of the unit matches
    ! grep -qE "$2" "$unit" || { echo "FAIL: $1: $(grep -E "$2" "$unit")"; fail=1; }
}
never "a sandbox that hides host paths plan sees (ProtectHome=yes, PrivateTmp, PrivateDevices)" \
    '^(ProtectHome=(yes|tmpfs)|PrivateTmp=yes|PrivateDevices=yes)'
want "home directories readable (base images in ~/.vagrant.d, ssh keys)" '^ProtectHome=read-only'
want "no device openable" '^DevicePolicy=closed'
never "a ReadWritePaths=/run/libvirt that fails the start where it is missing" \
    '^ReadWritePaths=(.* )?/run/libvirt'
want "the status written on stop is kept" '^RuntimeDirectoryPreserve=yes'
want "stops before libvirt-guests shuts the guests down" '^After=.*libvirt-guests\.service'
want "a failing start is not retried forever" '^StartLimitBurst=[0-9]+'
want "stop timeout set" '^TimeoutStopSec=[0-9]+s'
want "start timeout set" '^TimeoutStartSec=[0-9]+s'
[ "$fail" = 0 ] || exit 1
score=$(systemd-analyze security --offline=true "$d/virtspec.service" 2>/dev/null |
        sed -n 's/.*Overall exposure level for virtspec.service: \([0-9.]*\).*/\1/p')
echo "exposure score: $score"
# The ceiling is the measured figure (docs/daemon.md): loosening the sandbox must be a decision
# recorded there. 2.7 = 2.8 before issue 14, +0.5 for ProtectHome=read-only, the host's /tmp and
# /dev (DevicePolicy=closed instead of PrivateDevices), -0.6 for RestrictAddressFamilies= and
# PrivateMounts=.
ceiling=2.7
awk -v s="$score" -v c=$ceiling 'BEGIN { exit !(s != "" && s <= c) }' || { echo "FAIL: exposure $score > $ceiling"; exit 1; }
echo "ok"
