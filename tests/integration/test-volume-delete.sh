#!/bin/bash
# Issue 4: delete_volumes_on_removal. Off (the default), removing disk entries and specs (also
# with --prune) keeps every volume; on, a removed disk entry's volume is deleted once no domain
# uses it, and --prune deletes a pruned domain's volumes: never a base image, an `existing`
# volume, a volume another domain uses, or one still attached to the running domain.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir specs
qemu-img create -q -f qcow2 base.qcow2 64M
bb=$(base_name base.qcow2)

vols() { virsh vol-list vs-pool | awk 'NR>2 && $1 {print $1}' | sort | tr '\n' ' '; }
has_vol() { virsh vol-info --pool vs-pool "$1" >/dev/null 2>&1; }
records() {   # records DOMAIN [XPATH-PREDICATE] : count of volume records in its metadata
    xpath "$(inactive_xml "$1")" "count(/domain/metadata/*[local-name()='virtspec']/*[local-name()='volumes']/*[local-name()='volume']${2:-})"
}

cat > specs/00-pool.yaml <<YAML
kind: Pool
name: vs-pool
path: $WORK/pool
YAML
vs apply specs
virsh vol-create-as vs-pool vs-k-old.raw 8M --format raw >/dev/null
virsh vol-create-as vs-pool vs-p-kept.raw 8M --format raw >/dev/null
virsh vol-create-as vs-pool seed-by-name.raw 8M --format raw >/dev/null   # attached by `volume`

# vs-k: the switch on, a shut-off domain. vs-o: the switch on, shares the base image. vs-n: off.
write_k() {   # write_k DISK-LINES…
    { printf 'kind: Domain\nname: vs-k\nmemory: 64MiB\nstate: shutoff\ndelete_volumes_on_removal: true\n'
      [ $# -gt 0 ] && printf 'disks:\n' && printf '  %s\n' "$@"; } > specs/20-vs-k.yaml
}
# explicit dev names
write_k "- {name: root, dev: vda, image: $WORK/base.qcow2, pool: vs-pool}" \
        "- {name: data, dev: vdb, size: 16MiB, pool: vs-pool, format: raw}" \
        "- {name: old, dev: vdc, existing: true, pool: vs-pool, format: raw}" \
        "- {name: extra, dev: vdd, size: 8MiB, pool: vs-pool, format: raw}" \
        "- {name: seed, dev: vde, volume: seed-by-name.raw, pool: vs-pool, format: raw}"
for n in o n; do
    cat > specs/30-vs-$n.yaml <<YAML
kind: Domain
name: vs-$n
memory: 64MiB
state: shutoff
$([ $n = o ] && echo "delete_volumes_on_removal: true")
disks:
  - {name: root, image: $WORK/base.qcow2, pool: vs-pool}
YAML
done
vs apply specs
is "apply three domains" 0 "$rc"
is "the volumes" "$bb seed-by-name.raw vs-k-data.raw vs-k-extra.raw vs-k-old.raw vs-k-root.qcow2 vs-n-root.qcow2 vs-o-root.qcow2 vs-p-kept.raw " "$(vols)"
is "vs-k's metadata records the three volumes virtspec created" 3 "$(records vs-k)"
is "…not the existing one" 0 "$(records vs-k "[@name='vs-k-old.raw']")"
is "…nor the one attached by volume name" 0 "$(records vs-k "[@name='seed-by-name.raw']")"
is "the volume attached by name is the disk's source" seed-by-name.raw "$(xpath "$(inactive_xml vs-k)" "string(//disk[target/@dev='vde']/source/@volume)")"
is "…and is not grown to the default size" 8388608 "$(virsh vol-info --pool vs-pool seed-by-name.raw --bytes | awk '/^Capacity/ {print $2}')"
is "vs-n (switch off) records none" 0 "$(records vs-n)"
vs apply specs
contains "a second apply is a no-op" "0 libvirt changes" "$out"

# --- off (default): a removed disk entry keeps its volume -------------------------------------
printf 'kind: Domain\nname: vs-n\nmemory: 64MiB\nstate: shutoff\n' > specs/30-vs-n.yaml
vs apply specs
is "removing vs-n's disk entry succeeds" 0 "$rc"
contains "…the plan says the volume is kept" "- disks[vda] (live; the volume is kept)" "$out"
lacks "…and deletes nothing" "- volume" "$out"
ok "vs-n's volume is still there" has_vol vs-n-root.qcow2
echo "delete_volumes_on_removal: true" >> specs/30-vs-n.yaml
vs plan specs
contains "turning the switch on is a visible change" "~ delete_volumes_on_removal: false → true (virtspec metadata)" "$out"
vs apply specs
is "…recorded in the metadata" true "$(xpath "$(inactive_xml vs-n)" "string(//*[local-name()='volumes']/@delete-on-removal)")"
ok "…and deletes nothing that was removed before" has_vol vs-n-root.qcow2
sed -i '/delete_volumes_on_removal/d' specs/30-vs-n.yaml
vs apply specs
contains "turning it off again" "~ delete_volumes_on_removal: true → false (virtspec metadata)" "$out"
is "…drops the record" 0 "$(xpath "$(inactive_xml vs-n)" "count(//*[local-name()='volumes'])")"

# --- on: removing a disk entry of a shut-off domain deletes exactly that volume ----------------
write_k "- {name: root, dev: vda, image: $WORK/base.qcow2, pool: vs-pool}" \
        "- {name: old, dev: vdc, existing: true, pool: vs-pool, format: raw}" \
        "- {name: extra, dev: vdd, size: 8MiB, pool: vs-pool, format: raw}"
# an overlay in another pool backed by the volume holds it (checked in every active pool)
mkdir -p "$WORK/other"
virsh pool-define-as vs-other dir --target "$WORK/other" >/dev/null && virsh pool-start vs-other >/dev/null
qemu-img create -q -f qcow2 -F raw -b "$WORK/pool/vs-k-data.raw" "$WORK/other/ov.qcow2"
virsh pool-refresh vs-other >/dev/null
vs plan specs
contains "a volume that backs an overlay in another pool waits" "volume vs-pool/vs-k-data.raw (delete_volumes_on_removal) waits: used by volume vs-other/ov.qcow2" "$out"
virsh vol-delete --pool vs-other ov.qcow2 >/dev/null
vs plan specs
is "plan with a removed disk entry: changes" 2 "$rc"
contains "plan shows the deletion before it happens" "- volume vs-pool/vs-k-data.raw (delete_volumes_on_removal): 16 MiB" "$out"
ok "plan deleted nothing" has_vol vs-k-data.raw
before=$(vols)
vs apply specs
is "apply succeeds" 0 "$rc"
contains "apply reports the deleted volume with its size" "- volume vs-pool/vs-k-data.raw (delete_volumes_on_removal): 16 MiB" "$out"
is "exactly that volume is gone" "${before/vs-k-data.raw /}" "$(vols)"
ok "…the volume attached by name (its disk entry removed too) is kept" has_vol seed-by-name.raw
is "…and its record with it" 0 "$(records vs-k "[@name='vs-k-data.raw']")"
vs apply specs
contains "a second apply is a no-op" "0 libvirt changes" "$out"

# --- an existing volume and a shared base are never deleted; an overlay is -------------------
write_k "- {name: extra, dev: vdd, size: 8MiB, pool: vs-pool, format: raw}"
vs apply specs
is "removing root (overlay) and old (existing: true) succeeds" 0 "$rc"
ok "the overlay vs-k-root.qcow2 is deleted" bash -c '! virsh vol-info --pool vs-pool vs-k-root.qcow2'
ok "the existing volume is kept" has_vol vs-k-old.raw
ok "the shared base image is kept" has_vol "$bb"
ok "vs-o's overlay on it is untouched" has_vol vs-o-root.qcow2
lacks "nothing else is deleted" "vs-pool/$bb" "$out"

# --- a volume another domain uses waits until it is free --------------------------------------
cat > specs/40-vs-p.yaml <<YAML
kind: Domain
name: vs-p
memory: 64MiB
state: shutoff
disks:
  - {name: x, path: $WORK/pool/vs-k-extra.raw, format: raw}
YAML
vs apply specs
write_k
vs apply specs
is "removing a disk whose volume vs-p uses succeeds" 0 "$rc"
contains "…the deletion waits, saying why" "volume vs-pool/vs-k-extra.raw (delete_volumes_on_removal) waits: used by domain vs-p" "$out"
ok "…the volume is kept" has_vol vs-k-extra.raw
is "…its record stays, pending" 1 "$(records vs-k "[@name='vs-k-extra.raw'][@pending='delete']")"
vs plan specs
contains "plan says it still waits" "waits: used by domain vs-p" "$out"
printf 'kind: Domain\nname: vs-p\nmemory: 64MiB\nstate: shutoff\n' > specs/40-vs-p.yaml
vs apply specs
vs apply specs
ok "once vs-p let it go, a later pass deletes it" bash -c '! virsh vol-info --pool vs-pool vs-k-extra.raw'
is "…and forgets the record" 0 "$(records vs-k)"
vs apply specs
contains "then apply is a no-op" "0 libvirt changes" "$out"

# --- a middle entry removed without dev names: the others keep their devices (issue #4) --------
printf 'kind: Domain\nname: vs-s\nmemory: 64MiB\nstate: shutoff\ndelete_volumes_on_removal: true\ndisks:\n' > specs/50-vs-s.yaml
for d in a b c; do echo "  - {name: $d, size: 8MiB, pool: vs-pool, format: raw}" >> specs/50-vs-s.yaml; done
vs apply specs
sed -i '/name: b,/d' specs/50-vs-s.yaml
vs plan specs
plan_out=$out
vs apply specs
is "removing the middle entry succeeds" 0 "$rc"
contains "plan shows the deletion" "- volume vs-pool/vs-s-b.raw (delete_volumes_on_removal)" "$plan_out"
ok "…and apply deletes it" bash -c '! virsh vol-info --pool vs-pool vs-s-b.raw'
is "c keeps its device" vs-s-c.raw "$(xpath "$(inactive_xml vs-s)" "string(//disk[target/@dev='vdc']/source/@volume)")"
ok "the other disks' volumes are kept" bash -c 'virsh vol-info --pool vs-pool vs-s-a.raw && virsh vol-info --pool vs-pool vs-s-c.raw'
rm specs/50-vs-s.yaml
virsh undefine vs-s >/dev/null

# --- a volume still attached to the running domain waits for the detach -----------------------
write_k "- {name: hot, size: 8MiB, pool: vs-pool, format: raw}"
sed -i 's/^state: shutoff/state: running/' specs/20-vs-k.yaml
vs apply specs
is "vs-k runs with a disk" running "$(domstate vs-k)"
write_k
sed -i 's/^state: shutoff/state: running/' specs/20-vs-k.yaml
vs apply specs
is "removing the disk of the running domain succeeds" 0 "$rc"
attached=$(xpath "$(live_xml vs-k)" 'count(/domain/devices/disk)')
if [ "$attached" = 1 ]; then
    # no guest OS under TCG: the guest never acknowledges the unplug
    contains "the deletion waits while the disk is attached" "waits: used by domain vs-k (still attached to the running domain)" "$out"
    ok "…the volume is kept" has_vol vs-k-hot.raw
    is "…pending in the metadata" 1 "$(records vs-k "[@pending='delete']")"
    virsh destroy vs-k >/dev/null
    vs apply specs
    contains "after the domain let the disk go, the next pass deletes it" "- volume vs-pool/vs-k-hot.raw (delete_volumes_on_removal)" "$out"
else
    contains "the disk was detached: its volume is deleted" "- volume vs-pool/vs-k-hot.raw (delete_volumes_on_removal)" "$out"
fi
ok "the volume is gone" bash -c '! virsh vol-info --pool vs-pool vs-k-hot.raw'

# --- a removed spec keeps everything without --prune ----------------------------------------------
rm specs/30-vs-o.yaml specs/20-vs-k.yaml
vs apply specs
ok "apply without the spec keeps vs-o" virsh dominfo vs-o
ok "…and its volume" has_vol vs-o-root.qcow2
vs export vs-o
contains "export writes the switch (it is only in virtspec's metadata)" "delete_volumes_on_removal: true" "$out"

# --- --prune: with the switch the volumes go, without it they stay ---------------------------
virsh destroy vs-k >/dev/null 2>&1
rm specs/30-vs-n.yaml
before=$(vols)
"$VS" daemon --specs "$WORK/specs" --prune > daemon.log 2>&1 &
dpid=$!
ok "--prune undefines vs-o" wait_for 30 bash -c '! virsh dominfo vs-o'
ok "…and vs-n" wait_for 30 bash -c '! virsh dominfo vs-n'
ok "…and vs-k" wait_for 30 bash -c '! virsh dominfo vs-k'
sleep 1
ok "vs-o's volume is deleted (delete_volumes_on_removal)" bash -c '! virsh vol-info --pool vs-pool vs-o-root.qcow2'
ok "vs-n's volume is kept (switch off)" has_vol vs-n-root.qcow2
is "nothing else is deleted (base, existing, foreign volumes)" "${before/vs-o-root.qcow2 /}" "$(vols)"
contains "the daemon logs the deleted volume with its size" "deleted volume vs-pool/vs-o-root.qcow2 (" "$(cat daemon.log)"
contains "…and the prune" "Domain vs-o: pruned (spec removed; delete_volumes_on_removal: 1 volume(s) deleted)" "$(cat daemon.log)"
contains "vs-n's prune keeps volumes" "Domain vs-n: pruned (spec removed; volumes kept)" "$(cat daemon.log)"
ok "the pool is kept" virsh pool-info vs-pool
kill -TERM $dpid; wait $dpid
[ "$n_fail" -gt 0 ] && { echo "---- daemon.log"; tail -40 daemon.log; }
finish
