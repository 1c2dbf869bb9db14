#!/bin/bash
# Issue 19: `virtspec export --templates NAME` of several hand-made domains (no virtspec metadata)
# writes a Template with what they share and specs `from: [NAME]` with only what differs; the tree
# validates, plans nothing but the adoption, applies without touching the definitions (virsh
# dumpxml --inactive before and after, virtspec's metadata aside) and plans empty afterwards.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir specs pool

virsh pool-define-as vs-tpool dir --target "$WORK/pool" >/dev/null && virsh pool-start vs-tpool >/dev/null
cat > net.xml <<'XML'
<network><name>vs-tnet</name><forward mode='nat'/><bridge name='vstnet0'/>
  <ip address='192.168.171.1' netmask='255.255.255.0'/></network>
XML
virsh net-define net.xml >/dev/null && virsh net-start vs-tnet >/dev/null

dom() {   # dom N MEMORY-MiB CORES LISTEN TITLE: a hand-made domain vs-tN
    virsh vol-create-as vs-tpool "vs-t$1-root.qcow2" 16M --format qcow2 >/dev/null
    cat > "t$1.xml" <<XML
<domain type='qemu'>
  <name>vs-t$1</name>
  <title>$5</title>
  <memory unit='MiB'>$2</memory>
  <vcpu placement='static'>2</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <features><acpi/><apic/></features>
  <cpu mode='custom' match='exact' check='none'>
    <model fallback='forbid'>qemu64</model>
    <topology sockets='1' dies='1' cores='$3' threads='$((2 / $3))'/>
  </cpu>
  <clock offset='utc'><timer name='rtc' tickpolicy='catchup'/></clock>
  <devices>
    <disk type='volume' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source pool='vs-tpool' volume='vs-t$1-root.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='network'>
      <mac address='52:54:00:19:00:0$1'/>
      <source network='vs-tnet'/>
      <model type='virtio'/>
    </interface>
    <input type='tablet' bus='usb'/>
    <graphics type='vnc' port='-1' autoport='yes' listen='$4'><listen type='address' address='$4'/></graphics>
    <video><model type='vga' vram='16384' heads='1' primary='yes'/></video>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
    <memballoon model='virtio'/>
  </devices>
</domain>
XML
    virsh define "t$1.xml" >/dev/null
}
dom 1 128 2 127.0.0.1 "web one"
dom 2 128 2 127.0.0.1 "web two"
dom 3 256 1 0.0.0.0 "db"
strip() { sed '/<metadata>/,/<\/metadata>/d'; }
for n in 1 2 3; do inactive_xml vs-t$n | strip > t$n.before; done
lacks "the hand-made domains carry no virtspec metadata" "virtspec.dev/xmlns" "$(cat t1.before)"

# ---------------------------------------------------------------- export --templates
"$VS" export --templates base vs-t1 vs-t2 vs-t3 > export.out 2> export.err; rc=$?
is "export --templates of the three domains checks clean" 0 "$rc"
is "…nothing on stderr" "" "$(cat export.err)"
csplit -s -z -f specs/x- --suppress-matched export.out '/^---$/' '{*}'
for f in specs/x-*; do mv "$f" "$f.yaml"; done
is "four documents: the template and three specs" 4 "$(ls specs | wc -l)"
tspec=$(cat specs/x-00.yaml)
contains "the template comes first" "kind: Template
name: base" "$tspec"
contains "…with a value all three share" "features: [" "$tspec"
contains "…a map's shared key (graphics.type)" "type: vnc" "$tspec"
lacks "…never a key that differs (graphics.listen)" "listen:" "$tspec"
lacks "…nor memory (256 MiB in one)" "memory:" "$tspec"
lacks "…nor identity: name of a domain" "vs-t" "$tspec"
lacks "…uuid" "uuid:" "$tspec"
lacks "…title" "title:" "$tspec"
lacks "…mac" "mac:" "$tspec"
lacks "…disks" "disks:" "$tspec"
for n in 1 2 3; do
    s=$(cat specs/x-0$n.yaml)
    contains "vs-t$n: from: [base] after its name" "name: vs-t$n
from: [base]" "$s"
    lacks "…none of the template's keys" "features:" "$s"
    contains "…its own identity" "uuid:" "$s"
done
contains "vs-t3 keeps what differs (listen)" "0.0.0.0" "$(cat specs/x-03.yaml)"
contains "…and its memory" "memory: 256MiB" "$(cat specs/x-03.yaml)"
vs validate specs
is "the tree validates" 0 "$rc"

# ---------------------------------------------------------------- plan: only the adoption
vs plan specs
is "plan of the tree has changes (the adoption)" 2 "$rc"
printf '%s\n' "$out" > plan1.out
is "three adoptions" 3 "$(grep -c '~ adopt:' plan1.out)"
is "no change but the adoption" "" "$(grep -E '^\s*[~+-] ' plan1.out | grep -v '~ adopt:')"
lacks "nothing is created" "+ create" "$out"
vs apply specs
is "apply of the tree succeeds" 0 "$rc"
for n in 1 2 3; do
    is "vs-t$n: the definition is unchanged apart from the metadata" "$(cat t$n.before)" \
        "$(inactive_xml vs-t$n | strip)"
done
vs plan specs
is "second plan is empty" 0 "$rc"
is "…all three domains in sync" 3 "$(printf '%s\n' "$out" | grep -c '= in sync')"

# ---------------------------------------------------------------- fewer than two: no template
"$VS" export --templates base vs-t1 > one.out 2> one.err; rc=$?
is "export --templates of one domain: exit 0" 0 "$rc"
contains "…no template, said on stderr" "no template written" "$(cat one.err)"
lacks "…the spec has no from:" "from:" "$(cat one.out)"
finish
