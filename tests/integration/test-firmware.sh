#!/bin/bash
# Issue 20 part 1: firmware by intent against a real libvirtd with Debian's ovmf descriptors
# (/usr/share/qemu/firmware/*.json). The guest has no OS: under TCG it sits in OVMF's boot manager.
. "$(dirname "$0")/lib.sh"
cd "$WORK"

[ -e /usr/share/qemu/firmware/60-edk2-x86_64.json ] || { echo "SKIP: Debian's ovmf is not installed"; exit 77; }

NVRAM=/var/lib/libvirt/qemu/nvram/vs-fw_VARS.fd
cat > fw.yaml <<'YAML'
kind: Domain
name: vs-fw
memory: 256MiB
cpus: 1
machine_type: q35
firmware: {type: efi}
graphics: {type: none}
shutdown_timeout: 1
YAML

# --- create + start: libvirt picks the loader and makes the NVRAM -------------------------------
vs plan fw.yaml; is "plan of a new efi domain exits 2" 2 "$rc"
vs apply fw.yaml; is "apply of an efi domain succeeds" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"
is "domain is running" "running" "$(domstate vs-fw)"
live=$(live_xml vs-fw)
contains "the live XML shows a loader libvirt picked" "/usr/share/OVMF/OVMF_CODE" \
    "$(xpath "$live" 'string(/domain/os/loader)')"
is "the live XML names the NVRAM file" "$NVRAM" "$(xpath "$live" 'string(/domain/os/nvram)')"
ok "the NVRAM file was created" test -s "$NVRAM"
is "the inactive XML keeps firmware='efi'" "efi" "$(xpath "$(inactive_xml vs-fw)" 'string(/domain/os/@firmware)')"
vs apply fw.yaml; is "second apply succeeds" 0 "$rc"
contains "second apply makes zero libvirt changes" "0 libvirt changes" "$out"
vs plan fw.yaml; is "plan after apply is in sync" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"

# --- a config change redefines the domain: the NVRAM file stays (same inode, same content) ------
ino1=$(stat -c %i "$NVRAM")
sed -i 's/^cpus: 1$/cpus: 1\nmax_cpus: 2/; s/^memory: 256MiB/memory: 256MiB\ntitle: changed/' fw.yaml
sed -i 's/graphics: {type: none}/graphics: {type: vnc}/' fw.yaml
vs apply fw.yaml; is "apply of a config change succeeds" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"
is "persistent graphics is vnc" "vnc" "$(xpath "$(inactive_xml vs-fw)" 'string(/domain/devices/graphics/@type)')"
is "the NVRAM file is the same file after the redefine" "$ino1" "$(stat -c %i "$NVRAM" 2>/dev/null)"
vs reload --specs fw.yaml vs-fw; is "reload succeeds" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"
is "the running domain has vnc after the reload" "vnc" "$(xpath "$(live_xml vs-fw)" 'string(/domain/devices/graphics/@type)')"
is "the NVRAM file is the same file after the reload" "$ino1" "$(stat -c %i "$NVRAM" 2>/dev/null)"

# --- stopped (OVMF writes its variables while it runs): a redefine keeps the content too ----------
sed -i 's/^shutdown_timeout: 1/shutdown_timeout: 1\nstate: shutoff/' fw.yaml
vs apply fw.yaml; is "apply state shutoff succeeds" 0 "$rc"
is "domain is shut off" "shut off" "$(domstate vs-fw)"
sum1=$(sha256sum < "$NVRAM")
sed -i 's/^title: changed/title: changed again/; s/^max_cpus: 2/max_cpus: 3/' fw.yaml
vs apply fw.yaml; is "apply of a config change to the stopped domain succeeds" 0 "$rc"
is "persistent max vCPUs are 3" "3" "$(virsh vcpucount vs-fw --maximum --config)"
is "the NVRAM file is the same file after a stopped redefine" "$ino1" "$(stat -c %i "$NVRAM" 2>/dev/null)"
is "the NVRAM file has the same content after a stopped redefine" "$sum1" "$(sha256sum < "$NVRAM")"

# --- destroy (prune) keeps the NVRAM file --------------------------------------------------------
vs destroy --yes fw.yaml; is "destroy succeeds" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"
ok "the domain is gone" sh -c '! virsh dominfo vs-fw'
is "destroy keeps the NVRAM file" "$ino1" "$(stat -c %i "$NVRAM" 2>/dev/null)"

finish
