#!/bin/bash
# Issue 4 (second part): point-to-point tunnel NICs joining two TCG domains on 127.0.0.1, and a
# logical (LVM) pool on a loop device backed by a sparse file in the scratch directory.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir specs

# ---------------------------------------------------------------- tunnels
tdom() {   # tdom NAME NIC… : a domain spec with these interfaces
    local name=$1; shift
    printf 'kind: Domain\nname: %s\nmemory: 64MiB\ninterfaces:\n' "$name"
    printf '  - %s\n' "$@"
    printf 'shutdown_timeout: 1\n'
}
tdom vs-ta '{type: udp, tunnel_port: 12001, tunnel_local_port: 12002, mac: "52:54:00:00:12:01"}' \
    '{type: server, tunnel_port: 12003, mac: "52:54:00:00:12:03"}' > specs/a.yaml
tdom vs-tb '{type: udp, tunnel_port: 12002, tunnel_local_port: 12001, mac: "52:54:00:00:12:02"}' \
    '{type: client, tunnel_port: 12003, mac: "52:54:00:00:12:04"}' > specs/b.yaml

# the server side first: a client NIC connects when qemu starts
vs apply specs/a.yaml
is "apply of the udp + server domain succeeds" 0 "$rc"
vs apply specs
is "apply of the udp + client domain succeeds" 0 "$rc"
is "vs-ta runs" running "$(domstate vs-ta)"
is "vs-tb runs" running "$(domstate vs-tb)"
iflist=$(virsh domiflist vs-ta)
contains "domiflist shows the udp NIC" "udp" "$iflist"
contains "domiflist shows the server NIC" "server" "$iflist"
contains "domiflist of vs-tb shows the client NIC" "client" "$(virsh domiflist vs-tb)"
live=$(live_xml vs-ta)
is "udp NIC sends to 127.0.0.1:12001" "127.0.0.1:12001" \
    "$(xpath "$live" 'string(//interface[@type="udp"]/source/@address)'):$(xpath "$live" 'string(//interface[@type="udp"]/source/@port)')"
is "udp NIC receives on 127.0.0.1:12002" "127.0.0.1:12002" \
    "$(xpath "$live" 'string(//interface[@type="udp"]/source/local/@address)'):$(xpath "$live" 'string(//interface[@type="udp"]/source/local/@port)')"
# qemu really holds the sockets: both udp ends are bound, the client is connected to the server
udp=$(ss -Hunap)
contains "vs-ta's qemu is bound to udp 127.0.0.1:12002" "127.0.0.1:12002" "$udp"
contains "vs-tb's qemu is bound to udp 127.0.0.1:12001" "127.0.0.1:12001" "$udp"
est=$(ss -Htn state established '( sport = :12003 or dport = :12003 )')
is "the client NIC's TCP connection to the server NIC is established (both ends)" 2 \
    "$(printf '%s\n' "$est" | grep -c 127.0.0.1)"
vs apply specs
is "second apply succeeds" 0 "$rc"
contains "second apply is a no-op" "0 libvirt changes" "$out"
vs plan specs
is "plan after apply: in sync" 0 "$rc"

# a changed tunnel port is config: persistent definition now, the running NIC keeps its socket
sed -i 's/tunnel_port: 12001, tunnel_local_port: 12002/tunnel_port: 12011, tunnel_local_port: 12002/' specs/a.yaml
vs plan specs
contains "plan shows the tunnel_port change as config" "tunnel_port: 12001 → 12011 (config)" "$out"
vs apply specs
is "apply of a tunnel_port change succeeds" 0 "$rc"
is "the persistent definition has the new port" 12011 \
    "$(xpath "$(inactive_xml vs-ta)" 'string(//interface[@type="udp"]/source/@port)')"
is "the running domain keeps the old port" 12001 \
    "$(xpath "$(live_xml vs-ta)" 'string(//interface[@type="udp"]/source/@port)')"
vs status specs
is "vs-ta is reload-pending" reload-pending "$(row_state Domain vs-ta)"
vs apply specs
contains "apply after the change is a no-op" "0 libvirt changes" "$out"
sed -i 's/tunnel_port: 12011/tunnel_port: 12001/' specs/a.yaml
vs apply specs
vs status specs
is "reverting the port clears reload-pending" in-sync "$(row_state Domain vs-ta)"

# a tunnel NIC added to a running domain: libvirt 9.0 cannot hot-plug these types, so it waits
# for a reload instead of failing. The private namespace has only lo: give multicast a route.
ip link set lo multicast on
ip route add 239.0.0.0/8 dev lo
sed -i 's/^shutdown_timeout: 1/  - {type: mcast, tunnel_port: 12005, mac: "52:54:00:00:12:05"}\nshutdown_timeout: 1/' specs/b.yaml
vs apply specs
is "adding an mcast NIC to a running domain does not fail" 0 "$rc"
is "the mcast NIC is in the persistent definition" 239.255.1.1 \
    "$(xpath "$(inactive_xml vs-tb)" 'string(//interface[@type="mcast"]/source/@address)')"
vs status specs
is "vs-tb is reload-pending for the new NIC" reload-pending "$(row_state Domain vs-tb)"
vs reload --specs specs vs-tb
is "reload of vs-tb succeeds" 0 "$rc"
is "vs-tb runs after the reload" running "$(domstate vs-tb)"
is "after the reload the mcast NIC runs" 12005 \
    "$(xpath "$(live_xml vs-tb)" 'string(//interface[@type="mcast"]/source/@port)')"
vs apply specs
contains "apply after the reload is a no-op" "0 libvirt changes" "$out"
vs export vs-tb
is "export of a domain with tunnel NICs checks clean" 0 "$rc"
contains "…and says them with keys" "type: mcast" "$out"
lacks "…not through the xml escape hatch" "<interface" "$out"
virsh destroy vs-ta >/dev/null 2>&1; virsh destroy vs-tb >/dev/null 2>&1
rm specs/a.yaml specs/b.yaml

# ---------------------------------------------------------------- logical pool
# LVM writes backups, archives, hints and locks under /etc/lvm and /run: keep them in this
# test's mount namespace.
mkdir -p lvm-etc lvm-run lvm-lock
cp -a /etc/lvm/. lvm-etc/
mount --bind "$WORK/lvm-etc" /etc/lvm
mkdir -p /run/lvm /run/lock
mount --bind "$WORK/lvm-run" /run/lvm
mount --bind "$WORK/lvm-lock" /run/lock
LOOPS=()
cleanup_lvm() {
    for p in vs-lv vs-lv2; do
        virsh pool-destroy "$p" >/dev/null 2>&1
        virsh pool-undefine "$p" >/dev/null 2>&1
    done
    vgremove -f "vsvg$$" >/dev/null 2>&1
    for l in "${LOOPS[@]}"; do losetup -d "$l" 2>/dev/null; done
    umount /run/lock /run/lvm /etc/lvm 2>/dev/null
}
trap cleanup_lvm EXIT
truncate -s 64M lv1.img
truncate -s 64M lv2.img
mkfs.ext4 -q -F lv2.img   # a device that carries data: libvirt must refuse to build on it
if ! L1=$(losetup -f --show "$WORK/lv1.img" 2>&1) || ! L2=$(losetup -f --show "$WORK/lv2.img" 2>&1); then
    echo "FAIL - loop devices: losetup: $L1 $L2"; n_fail=$((n_fail + 1))
    finish; exit
fi
LOOPS=("$L1" "$L2")
VG="vsvg$$"

lvpool() {   # lvpool BUILD
    printf 'kind: Pool\nname: vs-lv\ntype: logical\nvg_name: %s\nsource_devices: [%s]\nbuild: %s\n' \
        "$VG" "$L1" "$1" > specs/lv.yaml
}
lvpool false
vs apply specs
is "a logical pool whose volume group is missing fails without build" 1 "$rc"
contains "…saying why" "volume group $VG does not exist; set build: true" "$out"
lacks "…and leaves no pool definition behind" "vs-lv" "$(virsh pool-list --all --name)"

sed -i 's/^build: false/build: true/' specs/lv.yaml
vs plan specs
contains "plan names the volume group" "+ create (volume group $VG, built when missing" "$out"
vs apply specs
is "apply builds the volume group and starts the pool" 0 "$rc"
is "the pool is active" yes "$(virsh pool-info vs-lv | awk '/^State:/ {print ($2 == "running") ? "yes" : "no"}')"
ok "the volume group exists on the loop device" sh -c "pvs --noheadings -o vg_name $L1 2>/dev/null | grep -qw $VG"
pxml=$(virsh pool-dumpxml --inactive vs-lv)
is "pool source device" "$L1" "$(xpath "$pxml" 'string(/pool/source/device/@path)')"
is "pool target path is /dev/VG" "/dev/$VG" "$(xpath "$pxml" 'string(/pool/target/path)')"
vs apply specs
contains "second apply of the logical pool is a no-op" "0 libvirt changes" "$out"

# a changed volume group is another storage: refused, never rebuilt
sed -i "s/^vg_name: $VG/vg_name: other$$/" specs/lv.yaml
vs apply specs
is "a vg_name change fails" 1 "$rc"
contains "…as an identity conflict" "a pool's type and source identify its storage" "$out"
is "the pool still names the old volume group" "$VG" \
    "$(xpath "$(virsh pool-dumpxml --inactive vs-lv)" 'string(/pool/source/name)')"
sed -i "s/^vg_name: other$$/vg_name: $VG/" specs/lv.yaml
sed -i "s#^type: logical#type: dir\npath: $WORK/vs-lv-dir#" specs/lv.yaml
sed -i '/^vg_name\|^source_devices\|^build/d' specs/lv.yaml
vs apply specs
is "a type change fails" 1 "$rc"
contains "…as an identity conflict naming type" "type: logical → dir" "$out"
is "the pool is still logical" logical "$(xpath "$(virsh pool-dumpxml --inactive vs-lv)" 'string(/pool/@type)')"
ok "…and no directory is made for the refused dir pool" test ! -e "$WORK/vs-lv-dir"
lvpool true

# a device with a file system on it is never overwritten
cat > specs/lv2.yaml <<YAML
kind: Pool
name: vs-lv2
type: logical
source_devices: [$L2]
build: true
YAML
vs apply specs/lv2.yaml
is "building on a device with a file system fails" 1 "$rc"
contains "…with libvirt's refusal" "building volume group vs-lv2 (never overwriting a device)" "$out"
is "the file system is still there" ext4 "$(blkid -o value -s TYPE "$L2")"
lacks "…and no pool definition is left" "vs-lv2" "$(virsh pool-list --all --name)"
rm specs/lv2.yaml

# volumes are logical volumes: creating one needs device-mapper in the kernel
cat > specs/lvdom.yaml <<'YAML'
kind: Domain
name: vs-lvdom
memory: 64MiB
state: shutoff
disks:
  - {name: root, pool: vs-lv, format: raw, size: 8MiB}
YAML
if grep -qw device-mapper /proc/devices; then
    vs apply specs
    is "a raw volume in the logical pool is created" 0 "$rc"
    ok "…as a logical volume" lvs "$VG/vs-lvdom-root.raw"
    sed -i 's/size: 8MiB/size: 16MiB/' specs/lvdom.yaml
    vs apply specs
    is "growing the volume succeeds" 0 "$rc"
    is "…and lvresize made it 16 MiB" 16777216 "$(lvs --noheadings --units b --nosuffix -o lv_size "$VG/vs-lvdom-root.raw" | tr -d ' ')"
else
    echo "# not verifiable here: this kernel has no device-mapper (/proc/devices), so no logical volume can be created or grown"
fi
sed -i 's/format: raw, //' specs/lvdom.yaml
vs validate specs
is "a qcow2 disk in the logical pool is refused" 1 "$rc"
contains "…with a cross-spec error" "a logical pool" "$out"

# ---------------------------------------------------------------- netfs pool
# This kernel has no NFS, CIFS or glusterfs client (/proc/filesystems), so a netfs pool cannot be
# mounted here: check only that libvirt 9.0 takes the rendered definition and that observe reads
# its own dump back to the spec (an adopted pool plans nothing but its start).
rm -f specs/lvdom.yaml
cat > specs/nfs.yaml <<YAML
kind: Pool
name: vs-nfs
type: netfs
path: $WORK/nfs-mnt
source_host: 127.0.0.1
source_dir: /export/images
format: nfs
autostart: false
adopt: true
YAML
"$VS" render specs/nfs.yaml 2>/dev/null | grep -v '^<!--' > nfs.xml
ok "libvirt defines the rendered netfs pool" virsh pool-define nfs.xml
nxml=$(virsh pool-dumpxml --inactive vs-nfs)
is "libvirt keeps the NFS host" 127.0.0.1 "$(xpath "$nxml" 'string(/pool/source/host/@name)')"
is "…and the export" /export/images "$(xpath "$nxml" 'string(/pool/source/dir/@path)')"
vs plan specs/nfs.yaml
lacks "the plan of the adopted netfs pool changes no field" "~ " "$(printf '%s\n' "$out" | grep -v '~ adopt:')"
contains "…it shows the adoption" "~ adopt: record virtspec ownership" "$out"
contains "…only its start is pending" "▶ start" "$out"
sed -i 's/^format: nfs/format: cifs/' specs/nfs.yaml
vs plan specs/nfs.yaml
contains "a changed netfs format is an identity conflict" "format: nfs → cifs" "$out"
virsh pool-undefine vs-nfs >/dev/null 2>&1

finish
