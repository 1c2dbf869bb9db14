#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A volume's .created marker is created exclusively: apply never overwrites a marker that another
# domain wrote (its apply may be creating that volume right now); the collision is an error that
# names both, and the marker is left as it was. A marker this disk left (killed between marker
# and volume) is reused. libvirt's in-process test driver.
# Usage: check-volume-marker-excl.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
printf 'kind: Domain\nname: m1\nmemory: 64MiB\ngraphics: {type: none}\nstate: shutoff\ndisks:\n  - {name: d1, pool: default-pool, size: 64MiB}\n' | spec_dir "$d/s"
export VIRTSPEC_STATE_DIR=$d/state
m=$(marker default-pool m1-d1.qcow2)
claimed_by_other "$m" "domain other disk d1" "volume default-pool/m1-d1.qcow2" "domain m1 disk d1" \
    -c test:///default "$d/s"
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
