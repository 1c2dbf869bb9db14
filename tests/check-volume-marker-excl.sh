#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A volume's .created marker is created exclusively: apply never overwrites a marker that another
# domain wrote (its apply may be creating that volume right now); the collision is an error that
# names both, and the marker is left as it was. A marker this disk left (killed between marker
# and volume) is reused. libvirt's in-process test driver.
# Usage: check-volume-marker-excl.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
chmod 0755 "$d"; mkdir -m 0755 "$d/s"
printf 'kind: Domain\nname: m1\nmemory: 64MiB\ngraphics: {type: none}\nstate: shutoff\ndisks:\n  - {name: d1, pool: default-pool, size: 64MiB}\n' > "$d/s/a.yaml"
chmod 0644 "$d/s/a.yaml"
export VIRTSPEC_STATE_DIR=$d/state
m=$d/state/volumes/default-pool/m1-d1.qcow2.created
mkdir -p "$(dirname "$m")"
echo "domain other disk d1" > "$m"
t "a marker another domain wrote: apply fails, naming both" 1 \
    "volume default-pool/m1-d1.qcow2 is claimed twice: its marker says virtspec creates it for domain other disk d1, and domain m1 disk d1 wants it too" \
    apply -c test:///default "$d/s"
ok "…the marker is left as the other domain wrote it" grep -qx "domain other disk d1" "$m"
echo "domain other disk d1" > "$d/elsewhere"; rm "$m"; ln -s "$d/elsewhere" "$m"
t "a marker that cannot be read (a symlink): apply fails, nothing overwritten" 1 "its marker $m exists but cannot be read" \
    apply -c test:///default "$d/s"
ok "…the link's target is untouched" grep -qx "domain other disk d1" "$d/elsewhere"
rm "$m"
echo "domain m1 disk d1" > "$m"
t "a marker this disk left (no volume): reused, the volume is created" 0 "+ volume default-pool/m1-d1.qcow2" \
    apply -c test:///default "$d/s"
ok "…the marker names m1" grep -qx "domain m1 disk d1" "$m"
rm -f "$m"
t "no marker: created" 0 "" apply -c test:///default "$d/s"
ok "…the marker names m1" grep -qx "domain m1 disk d1" "$m"
finish
