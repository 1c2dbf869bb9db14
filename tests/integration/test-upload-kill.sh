#!/bin/bash
# Issue 6: virtspec killed with SIGKILL in the middle of uploading a base image. The half-written
# base volume is recognised (its .partial marker in the state directory), never used: the next
# apply deletes it, uploads the image again, and the overlay is made on the complete base.
# (test-storage-network.sh fakes the marker; here the upload is really cut.)
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir specs
# 768 MiB of non-zero data: long enough for the kill to land mid-upload
head -c 1048576 /dev/urandom > chunk
for i in $(seq 768); do cat chunk; done > big.img
rm chunk

image_domain_specs vs-up "$WORK/big.img"
bv=$(base_name big.img)
partial=$VIRTSPEC_STATE_DIR/images/vs-up/$bv.partial
complete=$VIRTSPEC_STATE_DIR/images/vs-up/$bv.complete

"$VS" apply specs > apply1.log 2>&1 &
apid=$!
# kill once the base volume exists and some of it is written
for i in $(seq 600); do
    [ -f "$partial" ] && [ "$(stat -c %s pool/$bv 2>/dev/null || echo 0)" -gt 0 ] && break
    sleep 0.05
done
sleep 0.2
kill -9 $apid; wait $apid 2>/dev/null
echo "# virtspec killed mid-upload: $(cmp big.img pool/$bv 2>&1 | head -1)"
ok "the kill landed mid-upload: the .partial marker is there" test -f "$partial"
ok "…no .complete marker" test ! -f "$complete"
ok "…and the base volume is not the image" bash -c "! cmp -s big.img pool/$bv"
ok "…and no domain was defined on it" bash -c "! virsh dominfo vs-up"

vs plan specs
contains "plan says the half-written base is uploaded again" "+ base image vs-up/$bv" "$out"
vs apply specs
is "the next apply converges" 0 "$rc"
contains "…uploading the base again" "+ base image vs-up/$bv" "$out"
ok "the base volume now holds the whole image" cmp -s big.img pool/$bv
ok "…marked complete" test -f "$complete" -a ! -f "$partial"
backing=$(xpath "$(virsh vol-dumpxml --pool vs-up vs-up-root.qcow2)" 'string(/volume/backingStore/path)')
is "the overlay is on the complete base" "$WORK/pool/$bv" "$backing"
ok "the domain exists" virsh dominfo vs-up
vs apply specs
contains "a further apply is a no-op" "0 libvirt changes" "$out"
finish
