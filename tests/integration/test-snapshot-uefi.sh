#!/bin/bash
# Snapshots of a UEFI domain (pflash NVRAM; issue 20, part 2; docs/snapshots.md): libvirt 9.0
# takes no internal snapshot with pflash, so virtspec takes external disk-only ones (a qcow2
# overlay volume per disk in its pool, "STEM@SNAP.qcow2", recorded as virtspec's) plus a copy of
# the NVRAM file (a volume "DOMAIN@SNAP.nvram"), the domain paused around both when it runs.
# before_reload takes one before a restart; revert (libvirt 9.0 reverts no external snapshot) is
# virtspec's own on the shut-off domain: a new overlay on the snapshot's image, the NVRAM copy
# back, the volumes written since kept. delete (and keep) of such a snapshot: its metadata, its
# NVRAM copy, its overlays nothing uses; the rest kept and named. No guest OS: OVMF alone, seconds
# under TCG.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
[ -e /usr/share/qemu/firmware/60-edk2-x86_64.json ] || { echo "SKIP: Debian's ovmf is not installed"; exit 77; }
mkdir specs
dir_pool_spec vs-pool > specs/00-pool.yaml
write_spec() {   # write_spec MEMORY STATE
    cat > specs/10-efi.yaml <<YAML
kind: Domain
name: vs-efi
memory: $1
cpus: 1
machine_type: q35
firmware: {type: efi}
graphics: {type: none}
reload: auto
shutdown_timeout: 1
state: $2
snapshots: {before_reload: true, keep: 3}
disks:
  - {name: root, size: 16MiB, pool: vs-pool}
YAML
}
NV=/var/lib/libvirt/qemu/nvram/vs-efi_VARS.fd
disk_vol() { xpath "$(inactive_xml vs-efi)" "string(//devices/disk[target/@dev='vda']/source/@volume)"; }
vpath() { virsh vol-path --pool vs-pool "$1"; }
rec=$VIRTSPEC_STATE_DIR/volumes/vs-pool
vols() { virsh vol-list vs-pool | awk 'NR > 2 && $1 != "" {print $1}' | sort | tr '\n' ' '; }
in_sync() { vs plan specs; is "$1" 0 "$rc"; [ "$rc" = 0 ] || printf '%s\n' "$out"; }

write_spec 256MiB running
vs validate specs
is "validate accepts before_reload on a UEFI domain" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"
vs apply specs
is "apply: the UEFI domain runs" 0 "$rc"
is "…running" running "$(domstate vs-efi)"

# --- before_reload: an external snapshot right before the restart ---------------------------
write_spec 320MiB running
vs plan specs
contains "plan: the method is external+nvram, crash-consistent" \
    "+ snapshot before restart (method external+nvram; disks and NVRAM, crash-consistent: the domain is paused for it, no memory state; keep 3 of virtspec's)" "$out"
id0=$(domid vs-efi)
vs apply specs
is "apply with a config change: reload" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"
contains "…a snapshot before it, external" "+ snapshot before restart: virtspec-" "$out"
contains "…its method said" "(external+nvram)" "$out"
ok "…restarted" test "$(domid vs-efi)" != "$id0"
first=$(virsh snapshot-list vs-efi --name | grep '^virtspec-' | head -1)
ok "…a snapshot of ours" test -n "$first"
is "…the disk now on its overlay, a volume of the pool" "vs-efi-root@$first.qcow2" "$(disk_vol)"
is "…the overlay's backing: the volume the disk used" "$(vpath vs-efi-root.qcow2)" \
    "$(qemu-img info -U --output=json "$(vpath "vs-efi-root@$first.qcow2")" | sed -n 's/.*"backing-filename": "\(.*\)",/\1/p')"
ok "…the overlay recorded as virtspec's" test -s "$VIRTSPEC_STATE_DIR/volumes/vs-pool/vs-efi-root@$first.qcow2.created"
ok "…the NVRAM copy, a volume recorded as virtspec's" test -s "$VIRTSPEC_STATE_DIR/volumes/vs-pool/vs-efi@$first.nvram.created"
contains "…named in the snapshot's description" "nvram copy vs-pool/vs-efi@$first.nvram" "$(virsh snapshot-dumpxml vs-efi "$first")"
vs snapshot list vs-efi
is "list: external, crash-consistent, virtspec's" "external running (crash-consistent: no memory) virtspec" \
    "$(printf '%s\n' "$out" | awk -v n="$first" '$1 == n {$1 = $2 = $3 = ""; print}' | sed 's/^ *//')"
# (a running UEFI domain shows "reload pending: firmware.type, features" on its own: live and
# persistent <os> differ by design, a firmware-by-intent matter; the disk must not show up)
vs plan specs
lacks "plan after the snapshot: no disk change (the overlay is the disk's volume)" "disks[" "$out"
lacks "…no volume to create" "+ volume" "$out"
is "running" running "$(domstate vs-efi)"

# --- create on the shut-off domain; then data and NVRAM change; revert ---------------------
virsh destroy vs-efi >/dev/null
write_spec 320MiB shutoff
top=$(disk_vol)
ok "the disk's content: 0xab" qemu-io -f qcow2 -c "write -P 0xab 0 4k" "$(vpath "$top")"
vs snapshot create vs-efi mark
is "create on the shut-off domain" 0 "$rc"
contains "…says so, external+nvram" "Domain vs-efi: snapshot mark created (external+nvram)" "$out"
is "…the disk on its new overlay" "vs-efi-root@mark.qcow2" "$(disk_vol)"
ok "…the NVRAM copy equals the NVRAM file" cmp "$NV" "$(vpath vs-efi@mark.nvram)"
nv_mark=$(sha256sum < "$NV")
ok "then 0xcd written over the disk" qemu-io -f qcow2 -c "write -P 0xcd 0 4k" "$(vpath vs-efi-root@mark.qcow2)"
printf 'AFTER-THE-SNAPSHOT' | dd of="$NV" bs=1 seek=4096 conv=notrunc status=none
ok "…and the NVRAM changed" test "$(sha256sum < "$NV")" != "$nv_mark"

vs snapshot revert vs-efi mark
is "revert without --yes: exit 2" 2 "$rc"
contains "…virtspec's own revert" "revert to snapshot mark (external, taken" "$out"
contains "…a new overlay on the snapshot's image" "+ volume vs-pool/vs-efi-root@mark.r1.qcow2: a new overlay on the snapshot's $top, for disk vda" "$out"
contains "…the NVRAM copy" "~ nvram: $NV gets the copy taken with the snapshot (vs-pool/vs-efi@mark.nvram)" "$out"
contains "…the volume written since is kept, and how to delete it" "= kept: volume vs-pool/vs-efi-root@mark.qcow2, written since the snapshot (delete it when no longer needed: virsh vol-delete --pool vs-pool vs-efi-root@mark.qcow2)" "$out"
contains "…a backup of the current NVRAM first" "+ volume vs-pool/vs-efi@before-revert-" "$out"
contains "…kept, and how to delete it" ".nvram: a copy of the current NVRAM file, kept (delete it when no longer needed: virsh vol-delete --pool vs-pool vs-efi@before-revert-" "$out"
is "…changes nothing: the disk" "vs-efi-root@mark.qcow2" "$(disk_vol)"
ok "…nor the NVRAM" test "$(sha256sum < "$NV")" != "$nv_mark"
lacks "…makes no backup" "before-revert" "$(vols)"
nv_before=$(sha256sum < "$NV")

vs snapshot revert vs-efi mark --yes
is "revert --yes" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"
contains "…says so" "Domain vs-efi: snapshot mark reverted to" "$out"
is "…the disk on a new overlay of the snapshot's image" "vs-efi-root@mark.r1.qcow2" "$(disk_vol)"
ok "…which reads the snapshot's content (0xab)" qemu-io -f qcow2 -r -c "read -P 0xab 0 4k" "$(vpath vs-efi-root@mark.r1.qcow2)"
is "…the NVRAM is the snapshot's copy" "$nv_mark" "$(sha256sum < "$NV")"
bk=$(vols | tr ' ' '\n' | grep '^vs-efi@before-revert-.*\.nvram$')
is "…one backup of the NVRAM it replaced" 1 "$(printf '%s\n' "$bk" | grep -c .)"
is "…which holds it as it was" "$nv_before" "$(sha256sum < "$(vpath "$bk")")"
ok "…recorded as virtspec's" test -s "$rec/$bk.created"
contains "…named, with how to delete it" "+ kept: the NVRAM file as it was before, in volume vs-pool/$bk (delete it when no longer needed: virsh vol-delete --pool vs-pool $bk)" "$out"
ok "…the overlay written since is kept, with its data (0xcd)" qemu-io -f qcow2 -r -c "read -P 0xcd 0 4k" "$(vpath vs-efi-root@mark.qcow2)"
ok "…the new overlay recorded as virtspec's" test -s "$VIRTSPEC_STATE_DIR/volumes/vs-pool/vs-efi-root@mark.r1.qcow2.created"
is "…shut off" "shut off" "$(domstate vs-efi)"
in_sync "plan after the revert is in sync"

# --- a revert failing after it replaced the NVRAM file (the define fails: libvirt's config
# directory read-only, in this mount namespace): the backup is put back and named -----------
printf 'BEFORE-THE-FAILED-REVERT' | dd of="$NV" bs=1 seek=4096 conv=notrunc status=none
nv_before=$(sha256sum < "$NV")
mount --bind /etc/libvirt/qemu /etc/libvirt/qemu && mount -o remount,bind,ro /etc/libvirt/qemu
vs snapshot revert vs-efi mark --yes
umount /etc/libvirt/qemu
is "a revert whose define fails: exit 1" 1 "$rc"
contains "…the NVRAM file put back, saying so" "was put back as it was, from its backup vs-pool/vs-efi@before-revert-" "$out"
contains "…the backup named, kept" "+ kept: the NVRAM file as it was before, in volume vs-pool/vs-efi@before-revert-" "$out"
case "$out" in *"put back"*) ;; *) printf '%s\n' "$out" ;; esac
is "…the NVRAM file is as it was before the revert" "$nv_before" "$(sha256sum < "$NV")"
is "…the disk stays on its volume" "vs-efi-root@mark.r1.qcow2" "$(disk_vol)"
lacks "…the new overlay is gone again" "vs-efi-root@mark.r2.qcow2" "$(vols)"

# --- a running domain: stopped as reload stops it (OVMF without an OS ignores the ACPI
# shutdown: forced off after the spec's shutdown_timeout, 1 s), reverted, started again ------
virsh start vs-efi >/dev/null
vs snapshot revert vs-efi mark --specs specs
is "revert of a running domain without --yes: exit 2" 2 "$rc"
contains "…stopped first, forced off after the spec's shutdown_timeout" "stop: the revert is done on the shut-off domain (with --yes: ACPI shutdown, forced off after 1 s, the spec's shutdown_timeout; started again after it)" "$out"
contains "…and started again" "~ run state: running $(printf '\342\206\222') running (started again on the reverted disks and NVRAM)" "$out"
is "…still running" running "$(domstate vs-efi)"
# a daemon runs on a spec saying running (reload manual: a running UEFI domain shows a reload
# pending on its own): the revert records itself as a reload does, so the daemon leaves the
# domain alone meanwhile instead of starting it under the revert
mkdir dspecs
cp specs/00-pool.yaml dspecs/
sed 's/^state: .*/state: running/; s/^reload: auto/reload: manual/' specs/10-efi.yaml > dspecs/10-efi.yaml
VIRTSPEC_LOG_LEVEL=debug "$VS" daemon --specs "$WORK/dspecs" --status-file "$WORK/status.json" > daemon.log 2>&1 &
dpid=$!
pass_over() { python3 -c 'import json,sys; d=json.load(open("status.json"))
sys.exit(0 if [o for o in d["objects"] if o["name"]=="vs-efi" and o.get("reconciling") is False] else 1)' 2>/dev/null; }
ok "a daemon on the spec: its pass over vs-efi is over" wait_for 30 pass_over
id1=$(domid vs-efi)
log_before=$(wc -l < daemon.log)
t0=$(date +%s)
vs snapshot revert vs-efi mark --specs specs --yes
t1=$(date +%s)
is "revert --yes of the running domain" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"
sleep 1
dlog=$(tail -n +$((log_before + 1)) daemon.log)
lacks "…the daemon did not start the domain under the revert" "vs-efi: $(printf '\342\226\266') start" "$dlog"
contains "…it left the domain alone: being reverted" "vs-efi: = left alone: being restarted by virtspec" "$dlog"
kill $dpid; wait $dpid 2>/dev/null
[ "$rc" = 0 ] || { echo "---- daemon.log"; printf '%s\n' "$dlog" | tail -40; }
lacks "no restart record is left in the domain's metadata" "virtspec.dev/xmlns/reload" "$(virsh dumpxml --inactive vs-efi)"
echo "# took $((t1 - t0)) s"
ok "…bounded by the shutdown_timeout, not 60 s" test $((t1 - t0)) -lt 30
contains "…the stop said as reload says it" "stop (ACPI shutdown, forced after 1 s)" "$out"
contains "…reverted" "Domain vs-efi: snapshot mark reverted to" "$out"
contains "…started again" "started again (it was running)" "$out"
is "…running" running "$(domstate vs-efi)"
ok "…a new QEMU" test "$(domid vs-efi)" != "$id1"
is "…on a new overlay of the snapshot's image" "vs-efi-root@mark.r2.qcow2" "$(xpath "$(live_xml vs-efi)" "string(//devices/disk[target/@dev='vda']/source/@volume)")"
ok "…which reads the snapshot's content (0xab)" qemu-io -f qcow2 -r -U -c "read -P 0xab 0 4k" "$(vpath vs-efi-root@mark.r2.qcow2)"
virsh destroy vs-efi >/dev/null

# --- delete: the metadata (libvirt 9.0's block commit cannot follow a definition naming the
# overlay as a volume), then the NVRAM copy and the snapshot's overlays nothing uses ----------
vs snapshot delete vs-efi mark
is "delete of an external snapshot without --yes: exit 2" 2 "$rc"
contains "…virtspec's own delete" "delete snapshot mark (external, taken" "$out"
contains "…its NVRAM copy goes" "- volume vs-pool/vs-efi@mark.nvram: the snapshot's NVRAM copy, used by nothing else" "$out"
contains "…its overlay, which nothing uses since the revert, goes" "- volume vs-pool/vs-efi-root@mark.qcow2: the snapshot's overlay, holding what the guest wrote after the snapshot (left by a revert): deleted" "$out"
is "…changes nothing" mark "$(virsh snapshot-list vs-efi --name | grep -x mark)"
vs snapshot delete vs-efi mark --yes
is "delete --yes" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"
contains "…says which volumes went" "- deleted volume vs-pool/vs-efi@mark.nvram" "$out"
is "…the snapshot is gone" "" "$(virsh snapshot-list vs-efi --name | grep -x mark)"
lacks "…its NVRAM copy and overlay are gone" "@mark.nvram" "$(vols)"
lacks "…(the overlay)" "vs-efi-root@mark.qcow2" "$(vols)"
ok "…and their records" test ! -e "$rec/vs-efi@mark.nvram.created" -a ! -e "$rec/vs-efi-root@mark.qcow2.created"
is "…the disk stays on the revert's overlay" "vs-efi-root@mark.r2.qcow2" "$(disk_vol)"
ok "…which still reads the snapshot's content (0xab)" qemu-io -f qcow2 -r -c "read -P 0xab 0 4k" "$(vpath vs-efi-root@mark.r2.qcow2)"
vs snapshot delete vs-efi "$first" --yes
is "delete of the older snapshot" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"
contains "…its overlay kept: the disk's chain needs it" "= kept: volume vs-pool/vs-efi-root@$first.qcow2: the snapshot's overlay, used by volume vs-pool/vs-efi-root@mark.r" "$out"
lacks "…no delete command offered for it" "vol-delete --pool vs-pool vs-efi-root@$first.qcow2" "$out"
lacks "…its NVRAM copy is gone" "vs-efi@$first.nvram" "$(vols)"
ok "…(and its record)" test ! -e "$rec/vs-efi@$first.nvram.created"
contains "…the overlay is there" "vs-efi-root@$first.qcow2" "$(vols)"
ok "…still recorded as virtspec's" test -s "$rec/vs-efi-root@$first.qcow2.created"
in_sync "plan after the deletes is in sync"

# --- keep: pruning deletes the same way (keep 1: a reload's snapshot prunes the older one) ----
virsh start vs-efi >/dev/null
vs snapshot create vs-efi a1
is "a snapshot of the running domain" 0 "$rc"
vs plan specs
lacks "…leaves no reload pending (the live disk's overlay file is the volume the definition names)" \
    "disks[vda].source" "$out"
lacks "…nothing reload-pending" "reload pending" "$out"
sed -i 's/keep: 3/keep: 1/' specs/10-efi.yaml
vs reload vs-efi --specs specs
is "reload with keep 1" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"
contains "…prunes a1" "deleted (keep 1): a1" "$out"
is "…a1 is gone" "" "$(virsh snapshot-list vs-efi --name | grep -x a1)"
lacks "…with its NVRAM copy" "vs-efi@a1.nvram" "$(vols)"
ok "…(and its record)" test ! -e "$rec/vs-efi@a1.nvram.created"
contains "…its overlay, under the new snapshot's, is kept" "vs-efi-root@a1.qcow2" "$(vols)"
is "…running" running "$(domstate vs-efi)"
virsh destroy vs-efi >/dev/null
# pruning keeps what a guest wrote after a snapshot: the overlay a revert left unused stays
R=$(virsh snapshot-list vs-efi --name | awk 'NF' | head -1)
vs snapshot revert vs-efi "$R" --specs specs --yes
is "revert to the reload's snapshot $R" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"
contains "…its overlay, written since, is left unused" "vs-efi-root@$R.qcow2" "$(vols)"
virsh start vs-efi >/dev/null
vs reload vs-efi --specs specs
is "a reload (keep 1) prunes $R" 0 "$rc"
contains "…pruned" "deleted (keep 1): $R" "$out"
is "…$R is gone" "" "$(virsh snapshot-list vs-efi --name | grep -x "$R")"
contains "…but not the overlay a revert left: pruning deletes no data written after a snapshot" \
    "vs-efi-root@$R.qcow2" "$(vols)"
virsh destroy vs-efi >/dev/null

# --- a UEFI domain never started has no NVRAM file yet: refused, nothing made -------------
sed 's/name: vs-efi$/name: vs-efi2/; s/state: .*/state: shutoff/' specs/10-efi.yaml > specs/20-efi2.yaml
vs apply specs
is "a second UEFI domain, never started" 0 "$rc"
[ "$rc" = 0 ] || printf "%s\n" "$out"
vs snapshot create vs-efi2 s1
is "its snapshot is refused" 1 "$rc"
contains "…saying why" "NVRAM file /var/lib/libvirt/qemu/nvram/vs-efi2_VARS.fd does not exist" "$out"
is "…no volume made" "" "$(virsh vol-list vs-pool | awk '$1 ~ /^vs-efi2@/')"
is "…no snapshot" "" "$(virsh snapshot-list vs-efi2 --name | sed '/^$/d')"

echo "# $n_pass passed, $n_fail failed"
[ "$n_fail" -eq 0 ]
