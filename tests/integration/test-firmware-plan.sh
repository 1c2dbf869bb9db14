#!/bin/bash
# Issue 20 part 1: plan names the firmware file libvirt will pick (domain capabilities + the
# host's descriptors, libvirt's rules), and refuses a request no descriptor fits before apply.
. "$(dirname "$0")/lib.sh"
cd "$WORK"

[ -e /usr/share/qemu/firmware/60-edk2-x86_64.json ] || { echo "SKIP: Debian's ovmf is not installed"; exit 77; }

spec() {   # spec FIRMWARE-MAP > FILE
    printf 'kind: Domain\nname: vs-fwp\nmemory: 256MiB\nmachine_type: q35\nfirmware: %s\n' "$1"
}
spec '{type: efi}' > a.yaml
vs plan a.yaml; is "plan of an efi create exits 2" 2 "$rc"
contains "plan: no features asked, the first descriptor by name" \
    "firmware: libvirt will pick /usr/share/OVMF/OVMF_CODE_4M.ms.fd (40-edk2-x86_64-secure-enrolled.json), NVRAM template /usr/share/OVMF/OVMF_VARS_4M.ms.fd" "$out"
spec '{type: efi, secure_boot: false}' > a.yaml
vs plan a.yaml
contains "plan: secure_boot false" "firmware: libvirt will pick /usr/share/OVMF/OVMF_CODE_4M.fd (60-edk2-x86_64.json)" "$out"
spec '{type: efi, secure_boot: true, enrolled_keys: false}' > a.yaml
vs plan a.yaml
contains "plan: secure_boot without enrolled keys" "firmware: libvirt will pick /usr/share/OVMF/OVMF_CODE_4M.secboot.fd (50-edk2-x86_64-secure.json)" "$out"

# what plan names is what libvirt picks
vs apply a.yaml; is "apply succeeds" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"
is "libvirt picked the file plan named" "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd" \
    "$(xpath "$(live_xml vs-fwp)" 'string(/domain/os/loader)')"

# export maps the definition back to firmware: (no xml fallback), and the spec round-trips
vs export vs-fwp; is "export succeeds" 0 "$rc"
contains "export: firmware type" "type: efi" "$out"
contains "export: secure_boot" "secure_boot: true" "$out"
contains "export: enrolled_keys" "enrolled_keys: false" "$out"
lacks "export: no raw XML for <os><firmware>" "fragment" "$out"
printf '%s\n' "$out" > exported.yaml
vs plan exported.yaml; is "the exported spec is in sync with the domain" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"

# a firmware change on the existing domain names the new file
spec '{type: efi, secure_boot: false, reset_nvram: true}' > a.yaml
vs plan a.yaml; is "plan of a firmware change exits 2" 2 "$rc"
contains "plan of a change: the new file" "firmware: libvirt will pick /usr/share/OVMF/OVMF_CODE_4M.fd (60-edk2-x86_64.json)" "$out"
virsh destroy vs-fwp >/dev/null; virsh undefine --nvram vs-fwp >/dev/null

# a host without a Secure Boot descriptor (only 60-edk2-x86_64.json, in this namespace only)
mkdir fwdesc && cp /usr/share/qemu/firmware/60-edk2-x86_64.json fwdesc/
mount --bind "$WORK/fwdesc" /usr/share/qemu/firmware
spec '{type: efi, secure_boot: true}' > a.yaml
vs plan a.yaml; is "plan of an impossible request fails" 1 "$rc"
contains "plan says no descriptor fits" "firmware: no firmware descriptor on this host fits type efi, secure_boot on x86_64 pc-q35-" "$out"
vs apply a.yaml; is "apply of it fails too" 1 "$rc"
ok "and defines nothing" sh -c '! virsh dominfo vs-fwp'
# a connection that is not local (the same libvirtd, as a remote URI names it): this host's
# descriptors say nothing of libvirt's host, so they are not read and nothing fails for them
vs plan --connect qemu+unix:///system a.yaml
is "plan on a non-local connection: no failure for the firmware (exit 2: a create)" 2 "$rc"
contains "…says libvirt chooses" "firmware: chosen by libvirt at the start (not a local connection" "$out"
lacks "…no descriptor read" "no firmware descriptor on this host fits" "$out"
umount /usr/share/qemu/firmware

finish
