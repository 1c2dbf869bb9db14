#!/bin/bash
# Build (once) a minimal Debian 12 guest image for the end-to-end suite, from this machine's
# configured apt sources, and print the directory that holds it:
#
#   DIR/image.qcow2   ext4 file system on the whole disk (root=/dev/vda), no partition table,
#                     no bootloader: booted directly with DIR/vmlinuz and DIR/initrd.img
#   DIR/vmlinuz       the image's kernel (linux-image-cloud-amd64)
#   DIR/initrd.img    its initramfs
#   DIR/build.log     what the build printed; DIR/seconds: how long it took
#
# DIR is $VIRTSPEC_E2E_CACHE/HASH (default /var/cache/virtspec-e2e/HASH), HASH a digest of this
# script, the package list and the apt sources: a second run with the same inputs reuses the
# image at once. Nothing is mounted (mkfs.ext4 -d fills the file system from a directory); the
# only downloads are the configured Debian mirror's packages. Needs root, mmdebstrap, e2fsprogs,
# qemu-utils (.ci/packages).
set -euo pipefail
export LC_ALL=C.UTF-8

PACKAGES=(systemd-sysv udev dbus linux-image-cloud-amd64 cloud-init openssh-server ifupdown
          isc-dhcp-client iproute2 netbase qemu-guest-agent sudo e2fsprogs pciutils)
SUITE=bookworm
SIZE=1G

self=$(readlink -f "${BASH_SOURCE[0]}")
cache=${VIRTSPEC_E2E_CACHE:-/var/cache/virtspec-e2e}

# the apt sources mmdebstrap reads: every enabled file (*.list, *.sources), in name order
sources=()
[ -s /etc/apt/sources.list ] && grep -q '^[[:space:]]*deb' /etc/apt/sources.list && sources+=(/etc/apt/sources.list)
for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && sources+=("$f")
done
[ ${#sources[@]} -gt 0 ] || { echo "build-image: no apt sources configured" >&2; exit 1; }

hash=$( { cat "$self"; printf '%s\n' "${PACKAGES[@]}" "$SUITE" "$SIZE"; cat "${sources[@]}"; } \
        | sha256sum | cut -c1-16)
out=$cache/$hash
if [ -f "$out/image.qcow2" ] && [ -f "$out/vmlinuz" ] && [ -f "$out/initrd.img" ]; then
    echo "$out"; exit 0
fi

for b in mmdebstrap mkfs.ext4 qemu-img; do
    command -v "$b" >/dev/null || { echo "build-image: $b not found (.ci/packages)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "build-image: must run as root (mmdebstrap --mode=root)" >&2; exit 1; }

mkdir -p "$cache"
# one build per input hash at a time; a second caller waits and then finds the image
exec 9>"$cache/.lock-$hash"
flock 9
if [ -f "$out/image.qcow2" ]; then echo "$out"; exit 0; fi

tmp=$(mktemp -d "$cache/.build-$hash.XXXXXX")
trap 'rm -rf --one-file-system "$tmp"' EXIT
tree=$tmp/tree
start=$SECONDS
log=$tmp/build.log

# The guest's configuration, done in mmdebstrap's customize hook ($1 is the tree):
# - cloud-init reads only a NoCloud seed (no probing of network datasources under TCG)
# - only an ed25519 host key, made at first boot by cloud-init (the image carries none)
# - /etc/hosts names the guest (else sudo cannot resolve the hostname cloud-init sets)
# - LANG=C.UTF-8 (the default en_US.UTF-8 is not generated on a minimal image)
# - e2scrub_reap masked (12-16 s per boot under TCG), apt timers masked (no sources)
# - an empty sources list, no copied resolv.conf, a neutral hostname, fstab for /dev/vda
customize='set -e
t=$1
cat > "$t/etc/cloud/cloud.cfg.d/90-virtspec-e2e.cfg" <<EOF
datasource_list: [NoCloud, None]
ssh_genkeytypes: [ed25519]
ssh_deletekeys: true
manage_etc_hosts: true
EOF
printf "HostKey /etc/ssh/ssh_host_ed25519_key\n" > "$t/etc/ssh/sshd_config.d/10-ed25519-only.conf"
rm -f "$t"/etc/ssh/ssh_host_*
echo LANG=C.UTF-8 > "$t/etc/default/locale"
for u in e2scrub_reap.service apt-daily.timer apt-daily-upgrade.timer; do
    ln -sf /dev/null "$t/etc/systemd/system/$u"
done
: > "$t/etc/apt/sources.list"
rm -f "$t"/etc/apt/sources.list.d/*
rm -f "$t/etc/resolv.conf"
echo debian > "$t/etc/hostname"
printf "/dev/vda / ext4 errors=remount-ro 0 1\n" > "$t/etc/fstab"
mkdir -p "$t/var/log/journal"
'

pkgs=$(IFS=,; echo "${PACKAGES[*]}")
echo "build-image: building $out (mmdebstrap from ${sources[*]})" >&2
if ! mmdebstrap --mode=root --variant=apt --include="$pkgs" \
        --dpkgopt=force-unsafe-io --aptopt='Acquire::Languages "none"' \
        --dpkgopt='path-exclude=/usr/share/man/*' \
        --dpkgopt='path-exclude=/usr/share/locale/*' \
        --dpkgopt='path-include=/usr/share/locale/locale.alias' \
        --dpkgopt='path-exclude=/usr/share/doc/*' \
        --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --dpkgopt='path-exclude=/usr/share/info/*' \
        --customize-hook="$customize" \
        "$SUITE" "$tree" "${sources[@]}" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "build-image: mmdebstrap failed (log above)" >&2
    exit 1
fi

kernel=$(ls "$tree"/boot/vmlinuz-* | sort -V | tail -n 1)
initrd=$(ls "$tree"/boot/initrd.img-* | sort -V | tail -n 1)
cp "$kernel" "$tmp/vmlinuz"
cp "$initrd" "$tmp/initrd.img"
truncate -s "$SIZE" "$tmp/image.raw"
mkfs.ext4 -q -L root -d "$tree" "$tmp/image.raw" >>"$log" 2>&1 \
    || { tail -n 20 "$log" >&2; echo "build-image: mkfs.ext4 -d failed" >&2; exit 1; }
rm -rf --one-file-system "$tree"
qemu-img convert -O qcow2 "$tmp/image.raw" "$tmp/image.qcow2" >>"$log" 2>&1
rm -f "$tmp/image.raw"
echo $((SECONDS - start)) > "$tmp/seconds"
mv "$log" "$tmp/build.log.final"
mv "$tmp/build.log.final" "$tmp/build.log"
chmod 755 "$tmp"
rm -rf --one-file-system "$out"
mv -T "$tmp" "$out"
trap - EXIT
echo "build-image: built in $((SECONDS - start)) s: $out ($(du -m "$out/image.qcow2" | cut -f1) MiB qcow2)" >&2
echo "$out"
