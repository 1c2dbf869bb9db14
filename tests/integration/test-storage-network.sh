#!/bin/bash
# Issue 4: pools, volumes, base images, networks (live DHCP changes), disks and NICs on a running
# domain, and the promise that removing specs or disk entries never deletes a volume.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir specs
qemu-img create -q -f qcow2 base.qcow2 96M
qemu-img create -q -f raw data.img 8M
bb=$(base_name base.qcow2)

cat > specs/00-pool.yaml <<YAML
kind: Pool
name: vs-pool
path: $WORK/pool
YAML
cat > specs/10-net.yaml <<'YAML'
kind: Network
name: vs-net
forward: nat
ip: 10.77.0.1/24
dhcp:
  start: 10.77.0.100
  end: 10.77.0.199
  hosts:
    - {mac: "52:54:00:00:00:01", ip: 10.77.0.11, name: one}
YAML
for n in a b; do
cat > specs/20-dom-$n.yaml <<YAML
kind: Domain
name: vs-$n
memory: 64MiB
disks:
  - {name: root, image: $WORK/base.qcow2, pool: vs-pool}
interfaces:
  - {network: vs-net}
shutdown_timeout: 1
YAML
done

vs apply specs
is "apply pool + network + two domains sharing a base image" 0 "$rc"
contains "the base image is uploaded" "+ base image vs-pool/$bb" "$out"
is "the base image is uploaded once" 1 "$(printf '%s\n' "$out" | grep -c '+ base image')"
is "vs-a runs" running "$(domstate vs-a)"
is "vs-b runs" running "$(domstate vs-b)"
backing() { qemu-img info -U --output=json "$WORK/pool/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("backing-filename",""))'; }
is "vs-a's disk is an overlay on the base volume" "$WORK/pool/$bb" "$(backing vs-a-root.qcow2)"
is "vs-b's disk is an overlay on the same base volume" "$WORK/pool/$bb" "$(backing vs-b-root.qcow2)"
ok "the base volume holds the image" cmp -s base.qcow2 "$WORK/pool/$bb"
vs apply specs
contains "second apply is a no-op" "0 libvirt changes" "$out"

# --- DHCP host and range changes are live: the bridge stays up ---------------------------------
br=$(xpath "$(virsh net-dumpxml vs-net)" 'string(/network/bridge/@name)')
ifindex=$(ifindex "$br")
ok "the bridge $br has an ifindex" test -n "$ifindex"
sed -i 's/name: one}/name: one}\n    - {mac: "52:54:00:00:00:02", ip: 10.77.0.12, name: two}/; s/end: 10.77.0.199/end: 10.77.0.150/' specs/10-net.yaml
vs plan specs
contains "adding a DHCP host is live" "+ dhcp.hosts[52:54:00:00:00:02] (live)" "$out"
contains "changing the DHCP range is live" "~ dhcp.end: 10.77.0.199 → 10.77.0.150 (live)" "$out"
vs apply specs
is "apply of DHCP changes succeeds" 0 "$rc"
is "the bridge was not recreated (same ifindex)" "$ifindex" "$(ifindex "$br")"
live=$(virsh net-dumpxml vs-net)
is "the new host is in the running network" "10.77.0.12" "$(xpath "$live" 'string(//host[@mac="52:54:00:00:00:02"]/@ip)')"
is "the new range is in the running network" "10.77.0.150" "$(xpath "$live" 'string(//range/@end)')"
is "…and in the persistent one" "10.77.0.12" "$(xpath "$(virsh net-dumpxml --inactive vs-net)" 'string(//host[@mac="52:54:00:00:00:02"]/@ip)')"
vs status specs
is "the network is in sync, not restart-pending" in-sync "$(row_state Network vs-net)"
sed -i '/00:00:02/d' specs/10-net.yaml
vs apply specs
is "removing a DHCP host is live" "0" "$(xpath "$(virsh net-dumpxml vs-net)" 'count(//host[@mac="52:54:00:00:00:02"])')"
vs apply specs
contains "a second apply of the network is a no-op" "0 libvirt changes" "$out"
sed -i 's/^forward: nat/forward: route/' specs/10-net.yaml
vs apply specs
vs status specs
is "a forward-mode change makes the network restart-pending" reload-pending "$(row_state Network vs-net)"
sed -i 's/^forward: route/forward: nat/' specs/10-net.yaml
vs apply specs

# --- disks on a running domain: grow, add, remove (volume kept) --------------------------------
id=$(domid vs-a)
cat > specs/20-dom-a.yaml <<YAML
kind: Domain
name: vs-a
memory: 64MiB
disks:
  - {name: root, image: $WORK/base.qcow2, pool: vs-pool}
  - {name: data, size: 16MiB, pool: vs-pool, format: raw}
interfaces:
  - {network: vs-net}
shutdown_timeout: 1
YAML
vs apply specs
is "adding a disk to a running domain succeeds" 0 "$rc"
contains "the data volume is created" "+ volume vs-pool/vs-a-data.raw" "$out"
is "the disk is attached live" "1" "$(xpath "$(live_xml vs-a)" 'count(/domain/devices/disk[target/@dev="vdb"])')"
is "…without a restart" "$id" "$(domid vs-a)"
sed -i 's/size: 16MiB/size: 32MiB/' specs/20-dom-a.yaml
vs apply specs
contains "growing a disk is shown" "~ disks[vdb].size: 16 MiB → 32 MiB (live)" "$out"
is "the volume grew" "33554432" "$(virsh vol-info --bytes --pool vs-pool vs-a-data.raw | awk '/Capacity/ {print $2}')"
is "the running disk grew" "33554432" "$(virsh domblkinfo vs-a vdb | awk '/Capacity/ {print $2}')"
sed -i 's/size: 32MiB/size: 16MiB/' specs/20-dom-a.yaml
vs apply specs
is "shrinking is refused" 1 "$rc"
contains "…with a clear error" "shrinking vs-a-data.raw from 32 MiB to 16 MiB is refused" "$out"
sed -i '/name: data/d' specs/20-dom-a.yaml
vs apply specs
is "removing a disk entry succeeds" 0 "$rc"
contains "the plan says the volume is kept" "- disks[vdb] (live; the volume is kept)" "$out"
is "the disk is gone from the persistent definition" "0" "$(xpath "$(inactive_xml vs-a)" 'count(/domain/devices/disk[target/@dev="vdb"])')"
ok "the volume is still there" virsh vol-info --pool vs-pool vs-a-data.raw

# --- NICs on a running domain: add, remove --------------------------------------------------
printf '  - {network: vs-net, model: e1000}\n' >> specs/20-dom-a.yaml
sed -i 's/^shutdown_timeout: 1$//' specs/20-dom-a.yaml; echo "shutdown_timeout: 1" >> specs/20-dom-a.yaml
vs apply specs
is "adding a NIC succeeds" 0 "$rc"
is "the NIC is attached live" "2" "$(xpath "$(live_xml vs-a)" 'count(/domain/devices/interface)')"
is "…without a restart" "$id" "$(domid vs-a)"

# --- removing everything keeps every volume ------------------------------------------------
vols_before=$(virsh vol-list vs-pool | awk 'NR>2 && $1 {print $1}' | sort)
rm specs/20-dom-a.yaml specs/20-dom-b.yaml
vs apply specs
ok "removing domain specs leaves the domains" virsh dominfo vs-a
is "…and every volume" "$vols_before" "$(virsh vol-list vs-pool | awk 'NR>2 && $1 {print $1}' | sort)"
virsh destroy vs-a >/dev/null; virsh undefine vs-a >/dev/null
is "even undefining by hand deletes no volume" "$vols_before" "$(virsh vol-list vs-pool | awk 'NR>2 && $1 {print $1}' | sort)"

# --- an interrupted base upload is redone, never used half-written ----------------------------
mkdir -p "$VIRTSPEC_STATE_DIR/images/vs-pool"
qemu-img create -q -f qcow2 base2.qcow2 64M
bb2=$(base_name base2.qcow2)
virsh vol-create-as vs-pool "$bb2" 1M --format raw >/dev/null
touch "$VIRTSPEC_STATE_DIR/images/vs-pool/$bb2.partial"
cat > specs/30-c.yaml <<YAML
kind: Domain
name: vs-c
memory: 64MiB
disks:
  - {name: root, image: $WORK/base2.qcow2, pool: vs-pool}
state: shutoff
YAML
vs apply specs
is "apply after an interrupted upload succeeds" 0 "$rc"
contains "the half-written base is uploaded again" "+ base image vs-pool/$bb2" "$out"
ok "the base volume now holds the image" cmp -s base2.qcow2 "$WORK/pool/$bb2"
# a same-named volume that virtspec never uploaded is not touched
qemu-img create -q -f qcow2 base3.qcow2 64M
bb3=$(base_name base3.qcow2)
virsh vol-create-as vs-pool "$bb3" 1M --format raw >/dev/null
sed "s/base2/base3/; s/vs-c/vs-d/" specs/30-c.yaml > specs/31-d.yaml
vs apply specs
is "a foreign volume with the base's name is a conflict" 1 "$rc"
contains "…reported" "already has a volume $bb3 that virtspec did not upload" "$out"
is "…and left as it was" "1048576" "$(virsh vol-info --bytes --pool vs-pool "$bb3" | awk '/Capacity/ {print $2}')"

# --- bridge names: one a host interface already has is refused before anything is defined -------
ip link add vs-taken type bridge
mkdir -p br
cat > br/net.yaml <<YAML
kind: Network
name: vs-brtaken
ip: 10.79.0.1/24
bridge: vs-taken
YAML
vs plan br
is "plan: a bridge name a host interface has is an error" 1 "$rc"
contains "…naming it, with the spec position" "br/net.yaml:4:9: error: bridge name vs-taken is already taken by a host interface" "$out"
vs apply br
is "apply refuses it too" 1 "$rc"
ok "…and defines no network" bash -c '! virsh net-info vs-brtaken >/dev/null 2>&1'
cat > br/net.yaml <<YAML
kind: Network
name: vs-brtaken
forward: bridge
bridge: vs-nosuchbr
YAML
vs plan br
is "forward: bridge on a bridge that does not exist is an error" 1 "$rc"
contains "…saying so" "bridge vs-nosuchbr does not exist on this host" "$out"
ip link del vs-taken
cat > br/net.yaml <<YAML
kind: Network
name: vs-samesubnet
ip: 10.77.0.254/25
YAML
vs plan br
is "a subnet another libvirt network has is an error at plan time" 1 "$rc"
contains "…naming both" "br/net.yaml:3:5: error: subnet 10.77.0.254/25 overlaps libvirt network vs-net (10.77.0.0/24)" "$out"
vs apply br
ok "…and apply defines nothing" bash -c '! virsh net-info vs-samesubnet >/dev/null 2>&1'
sed -i 's|10.77.0.254/25|10.78.0.1/24|' br/net.yaml
vs plan br
is "another subnet is fine" 2 "$rc"

finish
