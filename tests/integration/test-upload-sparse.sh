#!/bin/bash
# Issue 18: a base image upload skips the image's holes (a sparse stream): a 1 GiB raw image with
# 12 MiB of data sends 12 MiB, the volume in the dir pool holds the same bytes and stays sparse.
# Bytes sent are counted by virtspec's send handler and logged ("N bytes of data sent").
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir specs
# a hole at the start, 4 MiB of data at 64 MiB, a hole, 8 MiB at 512 MiB, a hole to the end
truncate -s 1G sparse.img
head -c 4M /dev/urandom | dd of=sparse.img bs=1M seek=64 conv=notrunc status=none
head -c 8M /dev/urandom | dd of=sparse.img bs=1M seek=512 conv=notrunc status=none
data=$((12 << 20))
echo "# image: $(stat -c %s sparse.img) bytes, $(($(stat -c %b sparse.img) * 512)) allocated"

image_domain_specs vs-sp "$WORK/sparse.img"
bv=$(base_name sparse.img)

vs apply specs
is "apply uploads the sparse image" 0 "$rc"
printf '%s\n' "$out" | grep -E 'upload' | sed 's/^/    | /'
sent=$(printf '%s\n' "$out" | sed -n 's/.*uploaded .*sparse.img: .* \([0-9][0-9]*\) bytes of data sent.*/\1/p')
echo "# bytes sent: ${sent:-?} (data $data, image 1073741824)"
ok "the upload sent the data only (≤ data + 1 MiB)" test "${sent:-999999999999}" -le $((data + (1 << 20)))
ok "…and all of it (≥ data)" test "${sent:-0}" -ge "$data"
ok "the volume is the image, byte for byte" cmp -s sparse.img "pool/$bv"
virsh vol-download --sparse --pool vs-sp "$bv" down.img >/dev/null 2>&1
ok "…and so is what vol-download gives back" cmp -s sparse.img down.img
alloc=$(virsh vol-info --bytes --pool vs-sp "$bv" | sed -n 's/^Allocation: *\([0-9]*\) bytes/\1/p')
cap=$(virsh vol-info --bytes --pool vs-sp "$bv" | sed -n 's/^Capacity: *\([0-9]*\) bytes/\1/p')
echo "# volume: capacity $cap, allocation $alloc"
is "the volume's capacity is the image's size" 1073741824 "$cap"
ok "the volume stays sparse in the dir pool (allocation ≤ data + 2 MiB)" test "${alloc:-999999999999}" -le $((data + (2 << 20)))
ok "the base is marked complete" test -f "$VIRTSPEC_STATE_DIR/images/vs-sp/$bv.complete"
vs apply specs
contains "a further apply is a no-op" "0 libvirt changes" "$out"
finish
