#!/bin/bash
# Issue 20 part 1: firmware by intent against a real libvirtd with Debian's ovmf descriptors
# (/usr/share/qemu/firmware/*.json). The guest has no OS: under TCG it sits in OVMF's boot manager.
. "$(dirname "$0")/lib.sh"
cd "$WORK"

[ -e /usr/share/qemu/firmware/60-edk2-x86_64.json ] || { echo "SKIP: Debian's ovmf is not installed"; exit 77; }

# efi_spec NAME FIRMWARE-MAP > FILE: a q35 domain without a display, quick to stop
efi_spec() {
    printf 'kind: Domain\nname: %s\nmemory: 256MiB\ncpus: 1\nmachine_type: q35\nfirmware: %s\n' "$1" "$2"
    printf 'graphics: {type: none}\nshutdown_timeout: 1\n'
}

NVRAM=/var/lib/libvirt/qemu/nvram/vs-fw_VARS.fd
efi_spec vs-fw '{type: efi}' > fw.yaml

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
# the loader libvirt resolved at start is not a change waiting for a boot: with reload: auto, a
# running efi domain was restarted by every apply (firmware.type, and <smm> for Secure Boot)
lacks "…nothing waits for a reload" "reload pending" "$out"
id_before=$(domid vs-fw)
echo 'reload: auto' >> fw.yaml
vs apply fw.yaml; is "apply with reload: auto succeeds" 0 "$rc"
is "…and does not restart the running efi domain" "$id_before" "$(domid vs-fw)"
sed -i '/^reload: auto$/d' fw.yaml   # the reload checks below are manual

# --- secure_boot / enrolled_keys: libvirt picks the Secure Boot firmware, template without keys -
efi_spec vs-sb '{type: efi, secure_boot: true, enrolled_keys: false}' > sb.yaml
vs apply sb.yaml; is "apply of a secure_boot domain succeeds" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"
sblive=$(live_xml vs-sb)
is "secure_boot: the Secure Boot loader" "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd" \
    "$(xpath "$sblive" 'string(/domain/os/loader)')"
is "enrolled_keys false: the template without keys" "/usr/share/OVMF/OVMF_VARS_4M.fd" \
    "$(xpath "$sblive" 'string(/domain/os/nvram/@template)')"
is "the inactive XML asks for secure-boot" "yes" \
    "$(xpath "$(inactive_xml vs-sb)" "string(/domain/os/firmware/feature[@name='secure-boot']/@enabled)")"
vs plan sb.yaml; is "plan of the secure_boot domain after apply is in sync" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"
lacks "…nothing waits for a reload (smm, which libvirt adds for Secure Boot)" "reload pending" "$out"
virsh destroy vs-sb >/dev/null; virsh undefine --keep-nvram vs-sb >/dev/null

# --- changing secure_boot needs a fresh NVRAM: blocked without reset_nvram, done with it ------
RSNV=/var/lib/libvirt/qemu/nvram/vs-rs_VARS.fd
efi_spec vs-rs '{type: efi, secure_boot: false}' > rs.yaml
echo 'state: running' >> rs.yaml
vs apply rs.yaml; is "apply of a domain without Secure Boot succeeds" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"
is "secure_boot false: the NVRAM template without Secure Boot" "/usr/share/OVMF/OVMF_VARS_4M.fd" \
    "$(xpath "$(live_xml vs-rs)" 'string(/domain/os/nvram/@template)')"
sed -i 's/^state: running/state: shutoff/' rs.yaml
vs apply rs.yaml; is "vs-rs stopped" "shut off" "$(domstate vs-rs)"
rs_ino=$(stat -c %i "$RSNV"); rs_sum=$(sha256sum < "$RSNV")
sed -i 's/secure_boot: false}/secure_boot: true, enrolled_keys: true}/' rs.yaml
vs plan rs.yaml; is "plan of a secure_boot change exits 2" 2 "$rc"
contains "plan: the change is blocked without reset_nvram" \
    "~ firmware.secure_boot: false → true (blocked: needs a fresh NVRAM" "$out"
vs apply rs.yaml; is "apply of a blocked secure_boot change fails" 1 "$rc"
contains "apply says why" "set firmware.reset_nvram: true" "$out"
is "the definition keeps secure-boot off" "no" \
    "$(xpath "$(inactive_xml vs-rs)" "string(/domain/os/firmware/feature[@name='secure-boot']/@enabled)")"
virsh start --paused vs-rs >/dev/null && virsh destroy vs-rs >/dev/null
is "without reset_nvram the NVRAM file is kept (inode)" "$rs_ino" "$(stat -c %i "$RSNV")"
is "without reset_nvram the NVRAM file is kept (content)" "$rs_sum" "$(sha256sum < "$RSNV")"

sed -i 's/enrolled_keys: true}/enrolled_keys: true, reset_nvram: true}/; s/^state: shutoff/state: paused/' rs.yaml
vs plan rs.yaml; is "plan with reset_nvram exits 2" 2 "$rc"
contains "plan: config with an NVRAM reset" "~ firmware.secure_boot: false → true (config, NVRAM reset" "$out"
# libvirt's events during that apply: the reset record must come with the redefine itself (one
# define carries the firmware change and the record), never as a metadata change of its own after
# it (a failure or a kill between the two would lose the reset)
ok "a libvirt event listener listens" listen_events rs-all-events.txt --timeout 120
vs apply rs.yaml; is "apply with reset_nvram succeeds" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"
sleep 0.5; kill "$listener" 2>/dev/null; wait "$listener" 2>/dev/null
grep "for domain 'vs-rs'" rs-all-events.txt > rs-events.txt
contains "…libvirt saw the redefine" "lifecycle' for domain 'vs-rs': Defined" "$(cat rs-events.txt)"
is "…and no metadata change of its own before the start" "" \
    "$(sed -n '/Defined/,/Started/p' rs-events.txt | grep "metadata-change")"
contains "apply says it reset the NVRAM" "NVRAM reset from the firmware's template" "$out"
is "vs-rs is paused (no guest code ran since the start)" "paused" "$(domstate vs-rs)"
rslive=$(live_xml vs-rs)
is "the enrolled Secure Boot firmware now" "/usr/share/OVMF/OVMF_CODE_4M.ms.fd" "$(xpath "$rslive" 'string(/domain/os/loader)')"
ok "the NVRAM file is a fresh copy of the enrolled template" cmp -s "$RSNV" /usr/share/OVMF/OVMF_VARS_4M.ms.fd
lacks "the reset record is cleared after the start" "nvram-reset" "$(inactive_xml vs-rs)"
vs plan rs.yaml; is "plan after the reset is in sync" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"
virsh destroy vs-rs >/dev/null; virsh undefine --keep-nvram vs-rs >/dev/null

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
