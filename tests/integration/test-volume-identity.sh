#!/bin/bash
# Issue 15: a volume is one disk's. Volume names are injective (domain x disk y-z and domain x-y
# disk z get two volumes), an existing volume virtspec did not create for the disk is refused at
# plan, naming both places, and volumes named the 0.1.0 way keep working.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir specs
dir_pool_spec vs-pool > specs/00-pool.yaml
dom() {   # dom FILE NAME DISK
    printf 'kind: Domain\nname: %s\nmemory: 64MiB\nstate: shutoff\ndisks:\n  - {name: %s, size: 16MiB, pool: vs-pool}\n' \
        "$2" "$3" > "specs/$1.yaml"
}
src() { xpath "$(inactive_xml "$1")" 'string(//disk/source/@volume)'; }
created() { cat "$VIRTSPEC_STATE_DIR/volumes/vs-pool/$1.created" 2>/dev/null; }

# --- 1. x + y-z and x-y + z: two disks, two volumes ---------------------------------------------
dom 10-x vs-x y-z
dom 20-xy vs-x-y z
vs apply specs
is "apply domain vs-x (disk y-z) and vs-x-y (disk z)" 0 "$rc"
ok "vs-x's volume exists" virsh vol-info vs-x-y+2dz.qcow2 --pool vs-pool
ok "vs-x-y's volume exists" virsh vol-info vs-x-y-z.qcow2 --pool vs-pool
is "vs-x attaches its own volume" "vs-x-y+2dz.qcow2" "$(src vs-x)"
is "vs-x-y attaches its own volume" "vs-x-y-z.qcow2" "$(src vs-x-y)"
is "the created marker says whose the volume is" "domain vs-x disk y-z" "$(created vs-x-y+2dz.qcow2)"
vs plan specs
is "plan after apply: in sync" 0 "$rc"
lacks "plan after apply: nothing to do" "+ volume" "$out"

# --- a volume virtspec did not create for this disk is refused --------------------------------
virsh vol-create-as vs-pool vs-h-data.qcow2 16M --format qcow2 >/dev/null
dom 30-h vs-h data
vs plan specs
is "plan: a hand-made volume at the disk's name fails" 1 "$rc"
contains "…naming the spec's place and the volume" "specs/30-h.yaml:6:" "$out"
contains "…and saying why" "pool vs-pool already has a volume vs-h-data.qcow2 that virtspec did not create for this disk" "$out"
vs apply specs
is "apply refuses it too" 1 "$rc"
ok "vs-h is not defined" sh -c '! virsh dominfo vs-h'
sed -i 's/pool: vs-pool}/pool: vs-pool, existing: true}/' specs/30-h.yaml
vs apply specs
is "existing: true attaches it" 0 "$rc"
rm specs/30-h.yaml; virsh undefine vs-h >/dev/null   # else an orphan: plan would exit 2

# --- a volume named the 0.1.0 way (vs-m-a-b.qcow2, empty marker) keeps working ----------------
dom 40-m vs-m a-b
vs apply specs
is "apply vs-m (disk a-b)" 0 "$rc"
# what 0.1.0 left: the volume named DOMAIN-DISK.FORMAT, an empty marker, the domain attaching it
virsh vol-create-as vs-pool vs-m-a-b.qcow2 16M --format qcow2 >/dev/null
: > "$VIRTSPEC_STATE_DIR/volumes/vs-pool/vs-m-a-b.qcow2.created"
inactive_xml vs-m | sed 's/vs-m-a+2db.qcow2/vs-m-a-b.qcow2/' > m.xml
virsh define m.xml >/dev/null
virsh vol-delete vs-m-a+2db.qcow2 --pool vs-pool >/dev/null
rm "$VIRTSPEC_STATE_DIR/volumes/vs-pool/vs-m-a+2db.qcow2.created"
vs plan specs
is "plan on a 0.1.0 volume: in sync" 0 "$rc"
lacks "…no new volume" "+ volume" "$out"
lacks "…no disk change" "disks" "$out"
vs apply specs
is "apply on a 0.1.0 volume" 0 "$rc"
is "vs-m keeps its volume" "vs-m-a-b.qcow2" "$(src vs-m)"
ok "no second volume" sh -c '! virsh vol-info vs-m-a+2db.qcow2 --pool vs-pool'
is "the marker now says whose it is" "domain vs-m disk a-b" "$(created vs-m-a-b.qcow2)"

# --- 0.1.0 left two domains sharing one volume: both are refused, each naming the other -------
inactive_xml vs-x | sed 's/vs-x-y+2dz.qcow2/vs-x-y-z.qcow2/' > x.xml
virsh define x.xml >/dev/null
: > "$VIRTSPEC_STATE_DIR/volumes/vs-pool/vs-x-y-z.qcow2.created"
vs plan specs
is "plan on a shared 0.1.0 volume fails" 1 "$rc"
contains "vs-x is refused, naming vs-x-y" "volume vs-pool/vs-x-y-z.qcow2 is also a disk of domain vs-x-y" "$out"
contains "vs-x-y is refused, naming vs-x" "volume vs-pool/vs-x-y-z.qcow2 is also a disk of domain vs-x:" "$out"
contains "…at the spec's place" "specs/10-x.yaml:6:" "$out"

# --- 2. two images with one file name are two base volumes -------------------------------------
rm specs/10-x.yaml specs/20-xy.yaml specs/40-m.yaml
mkdir a b
for x in a b; do { printf '%s' "$x$x$x$x"; head -c 8388604 /dev/zero; } > $x/box.img; done   # 8 MiB raw each
img() {   # img FILE NAME IMAGE
    printf 'kind: Domain\nname: %s\nmemory: 64MiB\nstate: shutoff\ndisks:\n  - {name: root, image: %s, pool: vs-pool}\n' \
        "$2" "$3" > "specs/$1.yaml"
}
backing() { xpath "$(virsh vol-dumpxml --pool vs-pool "$1")" 'string(/volume/backingStore/path)'; }
img 50-ia vs-ia "$WORK/a/box.img"
img 51-ib vs-ib "$WORK/b/box.img"
ba=$(base_name a/box.img); bb=$(base_name b/box.img)
vs apply specs
is "apply two domains on a/box.img and b/box.img" 0 "$rc"
ok "the two base volumes differ in name" test "$ba" != "$bb"
contains "a/box.img is uploaded" "+ base image vs-pool/$ba from $WORK/a/box.img" "$out"
contains "b/box.img is uploaded too" "+ base image vs-pool/$bb from $WORK/b/box.img" "$out"
is "vs-ia's overlay is on a's base" "$WORK/pool/$ba" "$(backing vs-ia-root.qcow2)"
is "vs-ib's overlay is on b's base" "$WORK/pool/$bb" "$(backing vs-ib-root.qcow2)"
ok "a's base holds a's bytes" cmp -s a/box.img "$WORK/pool/$ba"
ok "b's base holds b's bytes" cmp -s b/box.img "$WORK/pool/$bb"
ok "vs-ib's overlay is backed by b's bytes, whatever the name" cmp -s b/box.img "$(backing vs-ib-root.qcow2)"
contains "the base's record names its source" "$(realpath a/box.img) 8388608" \
    "$(cat "$VIRTSPEC_STATE_DIR/images/vs-pool/$ba.complete")"

# a changed image is a new base volume; the overlay made on the old one keeps it
cp a/box.img old-a.img
printf 'CCCC' | dd of=a/box.img conv=notrunc 2>/dev/null
touch -d '+1 min' a/box.img
ba2=$(base_name a/box.img)
img 52-ic vs-ic "$WORK/a/box.img"
vs apply specs
is "apply a third domain on the changed a/box.img" 0 "$rc"
ok "…a new base volume" test "$ba2" != "$ba"
is "vs-ic's overlay is on the new base" "$WORK/pool/$ba2" "$(backing vs-ic-root.qcow2)"
ok "…which holds the new bytes" cmp -s a/box.img "$WORK/pool/$ba2"
is "vs-ia keeps the old base" "$WORK/pool/$ba" "$(backing vs-ia-root.qcow2)"
ok "…which still holds the old bytes" cmp -s old-a.img "$WORK/pool/$ba"

finish
