#!/bin/bash
# virtspec snapshot create|list|revert|delete (issue 20, part 2; docs/snapshots.md): internal
# snapshots of a qcow2 domain, virtspec's marked in their description; delete and revert shown
# first as a plan (exit 2, nothing changed), done with --yes; a domain virtspec cannot snapshot
# (a raw disk) is refused with the reason, never silently.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir specs
dir_pool_spec vs-pool > specs/00-pool.yaml
cat > specs/10-sn.yaml <<YAML
kind: Domain
name: vs-sn
memory: 64MiB
state: shutoff
disks:
  - {name: root, size: 16MiB, pool: vs-pool}
YAML
cat > specs/20-raw.yaml <<YAML
kind: Domain
name: vs-raw
memory: 64MiB
state: shutoff
disks:
  - {name: root, size: 16MiB, pool: vs-pool, format: raw}
YAML
# UEFI (pflash NVRAM; the Debian ovmf package's firmware descriptors): external snapshots
# (test-snapshot-uefi.sh); never started, it has no NVRAM file to copy yet
cat > specs/30-efi.yaml <<YAML
kind: Domain
name: vs-efi
memory: 64MiB
machine_type: q35
features: [acpi]
firmware: {type: efi}
state: shutoff
disks:
  - {name: root, size: 16MiB, pool: vs-pool}
YAML
vs apply specs
is "apply" 0 "$rc"

snaps() { virsh snapshot-list "$1" --name 2>/dev/null | sed '/^$/d' | sort | tr '\n' ' '; }

vs snapshot create vs-sn first
is "create a named snapshot of a shut-off domain" 0 "$rc"
contains "…says so" "Domain vs-sn: snapshot first created (internal)" "$out"
is "…it exists" "first " "$(snaps vs-sn)"
contains "…marked as virtspec's" "virtspec:" "$(virsh snapshot-dumpxml vs-sn first)"
is "…internal on the qcow2 disk" internal "$(xpath "$(virsh snapshot-dumpxml vs-sn first)" "string(//disks/disk[@name='vda']/@snapshot)")"

virsh snapshot-create-as vs-sn theirs --description "made by hand" >/dev/null
virsh start vs-sn >/dev/null
vs snapshot create vs-sn
is "create with a generated name, domain running" 0 "$rc"
gen=$(printf '%s\n' "$out" | sed -n 's/^Domain vs-sn: snapshot \(virtspec-[0-9]\{8\}-[0-9]\{6\}\) created (internal)$/\1/p')
ok "…named virtspec-YYYYmmdd-HHMMSS" test -n "$gen"
is "…three snapshots" "$(printf '%s\n' first theirs "$gen" | sort | tr '\n' ' ')" "$(snaps vs-sn)"

vs snapshot list vs-sn
is "list" 0 "$rc"
contains "…a header" "TIME (UTC)" "$out"
is "…first: internal, shutoff, virtspec's" "internal shutoff virtspec" "$(printf '%s\n' "$out" | awk '$1 == "first" {print $4, $5, $6}')"
is "…theirs: foreign" "internal shutoff foreign" "$(printf '%s\n' "$out" | awk '$1 == "theirs" {print $4, $5, $6}')"
is "…the generated one: taken running, with memory" "internal running virtspec" "$(printf '%s\n' "$out" | awk -v n="$gen" '$1 == n {print $4, $5, $6}')"
is "…oldest first" "first theirs $gen" "$(printf '%s\n' "$out" | awk 'NR > 1 {print $1}' | tr '\n' ' ' | sed 's/ $//')"

vs snapshot create vs-sn first
is "a name taken twice is refused" 1 "$rc"
contains "…with libvirt's error" "creating snapshot first (internal):" "$out"
vs snapshot create vs-sn '../x'
is "a name virtspec does not make is refused" 1 "$rc"
vs snapshot create vs-raw
is "a domain with a raw disk is refused" 1 "$rc"
contains "…saying why" "disk vda is raw: internal snapshots need every writable disk in qcow2" "$out"
is "…and no snapshot is made" "" "$(snaps vs-raw)"
vs snapshot create vs-efi
is "a UEFI domain that never started (no NVRAM file yet) is refused" 1 "$rc"
contains "…saying why" "its NVRAM file /var/lib/libvirt/qemu/nvram/vs-efi_VARS.fd does not exist" "$out"
is "…and no snapshot is made" "" "$(snaps vs-efi)"
vs snapshot create vs-none
is "no such domain" 1 "$rc"
contains "…says so" "no domain 'vs-none'" "$out"
vs snapshot frob vs-sn
is "an unknown subcommand is a usage error" 1 "$rc"

# --- delete: a plan first, --yes does it -----------------------------------------------------
vs snapshot delete vs-sn theirs
is "delete without --yes: exit 2" 2 "$rc"
contains "…shows the plan" "Domain vs-sn: - delete snapshot theirs (internal, taken" "$out"
contains "…says it is foreign" "foreign: not made by virtspec" "$out"
contains "…and how to do it" "Run again with --yes to do it." "$out"
is "…deletes nothing" "$(printf '%s\n' first theirs "$gen" | sort | tr '\n' ' ')" "$(snaps vs-sn)"
vs snapshot delete vs-sn nosuch --yes
is "deleting a snapshot that does not exist fails" 1 "$rc"
contains "…saying so" "no snapshot named nosuch" "$out"
vs snapshot delete vs-sn first --yes
is "delete --yes" 0 "$rc"
contains "…says so" "Domain vs-sn: snapshot first deleted" "$out"
is "…it is gone, the others stay" "$(printf '%s\n' theirs "$gen" | sort | tr '\n' ' ')" "$(snaps vs-sn)"
is "the domain still runs" running "$(domstate vs-sn)"

# --- revert: a plan first, --yes does it (disks, definition, run state) ---------------------
vs snapshot revert vs-sn theirs
is "revert without --yes: exit 2" 2 "$rc"
contains "…shows the plan" "Domain vs-sn: ↻ revert to snapshot theirs (internal, taken" "$out"
contains "…the disks" "~ disks: their content goes back to the snapshot's" "$out"
contains "…the definition" "~ definition: the one saved with the snapshot replaces the current one" "$out"
contains "…the run state" "~ run state: running → shutoff" "$out"
is "…changes nothing" running "$(domstate vs-sn)"
vs snapshot revert vs-sn theirs --yes
is "revert --yes to a shut-off snapshot" 0 "$rc"
contains "…says so" "Domain vs-sn: snapshot theirs reverted to" "$out"
is "…the domain is shut off" "shut off" "$(domstate vs-sn)"

vol=$(virsh vol-path --pool vs-pool vs-sn-root.qcow2)
ok "the disk's content: 0xab" qemu-io -f qcow2 -c "write -P 0xab 0 4k" "$vol"
vs snapshot create vs-sn marked
is "a snapshot of that content" 0 "$rc"
ok "…then 0xcd written over it" qemu-io -f qcow2 -c "write -P 0xcd 0 4k" "$vol"
vs snapshot revert vs-sn marked --yes
is "revert to it" 0 "$rc"
ok "…the disk holds 0xab again" qemu-io -f qcow2 -c "read -P 0xab 0 4k" "$vol"
vs snapshot revert vs-sn "$gen" --yes
is "revert to a snapshot taken running" 0 "$rc"
is "…the domain runs again (memory state restored)" running "$(domstate vs-sn)"
vs snapshot revert vs-sn nosuch --yes
is "reverting to no such snapshot fails" 1 "$rc"
contains "…saying so" "no snapshot named nosuch" "$out"

# --- a domain virtspec does not manage (no virtspec metadata): list only, the rest refused ----
virsh vol-create-as vs-pool foreign.qcow2 16M --format qcow2 >/dev/null
fvol=$(virsh vol-path --pool vs-pool foreign.qcow2)
cat > foreign.xml <<XML
<domain type='qemu'><name>vs-sn-foreign</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64'>hvm</type></os>
<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
<source file='$fvol'/><target dev='vda' bus='virtio'/></disk></devices></domain>
XML
virsh define foreign.xml >/dev/null
virsh snapshot-create-as vs-sn-foreign theirs --description "made by hand" >/dev/null
fdef=$(inactive_xml vs-sn-foreign)
vs snapshot list vs-sn-foreign
is "a foreign domain: list still shows it" 0 "$rc"
is "…its snapshot" "theirs" "$(printf '%s\n' "$out" | awk 'NR > 1 {print $1}')"
vs snapshot create vs-sn-foreign mine
is "a foreign domain: create refused" 1 "$rc"
contains "…saying why" "snapshot vs-sn-foreign: refused: the domain is not managed by virtspec" "$out"
vs snapshot revert vs-sn-foreign theirs --yes
is "a foreign domain: revert --yes refused" 1 "$rc"
contains "…saying why" "refused: the domain is not managed by virtspec" "$out"
vs snapshot delete vs-sn-foreign theirs --yes
is "a foreign domain: delete --yes refused" 1 "$rc"
contains "…saying why" "refused: the domain is not managed by virtspec" "$out"
is "…nothing changed: its snapshots" "theirs " "$(snaps vs-sn-foreign)"
is "…nor its definition" "$fdef" "$(inactive_xml vs-sn-foreign)"
is "…nor its run state" "shut off" "$(domstate vs-sn-foreign)"

echo "# $n_pass passed, $n_fail failed"
[ "$n_fail" -eq 0 ]
