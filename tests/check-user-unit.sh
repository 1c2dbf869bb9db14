#!/bin/bash
# units/virtspec-user.service (issue 23, rootless): passes `systemd-analyze --user verify`, is
# Type=notify like the system unit, never kills the guests with the daemon (the session libvirtd
# qemu:///session spawns lives in its cgroup), asks for nothing a user manager cannot grant and
# is enabled into default.target. Usage: check-user-unit.sh BUILT-UNIT VIRTSPEC-BINARY
set -u
unit=$1 bin=$2
command -v systemd-analyze >/dev/null || { echo "systemd-analyze not installed"; exit 77; }
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mkdir -m 0700 "$d/run"
sed "s|^ExecStart=[^ ]*virtspec|ExecStart=$bin|" "$unit" > "$d/virtspec.service"
mkdir -p "$d/man/man5" "$d/man/man8"
for p in "$(dirname "$unit")"/../man/virtspec.*; do
    [ -e "$p" ] && ln -s "$(realpath "$p")" "$d/man/man${p##*.}/"
done
XDG_RUNTIME_DIR=$d/run MANPATH=$d/man systemd-analyze --user verify "$d/virtspec.service" ||
    { echo "FAIL: systemd-analyze --user verify"; exit 1; }
fail=0
want() { grep -qE "$2" "$unit" || { echo "FAIL: $1 (no line matching /$2/)"; fail=1; }; }
never() { ! grep -qE "$2" "$unit" || { echo "FAIL: $1: $(grep -E "$2" "$unit")"; fail=1; }; }
want "Type=notify, as the system unit" '^Type=notify$'
want "a stop ends virtspec, not the session libvirtd and its guests" '^KillMode=process$'
want "the status file in \$XDG_RUNTIME_DIR/virtspec" '^RuntimeDirectory=virtspec$'
want "enabled into the user's default.target" '^WantedBy=default.target$'
want "no privilege gain" '^NoNewPrivileges=yes$'
never "capabilities a user manager cannot grant" '^(CapabilityBoundingSet|AmbientCapabilities)='
never "a connection or spec tree forced on the command line (the XDG defaults apply)" '^ExecStart=.* (-c|--specs)'
never "system-only dependencies" '^(After|Wants|Requires)=.*(libvirtd|network-online)'
[ "$fail" = 0 ] && echo "ok: $unit"
exit "$fail"
