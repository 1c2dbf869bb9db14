#!/bin/bash
# Issue 7: `virtspec export` brings hand-made objects under virtspec. A domain, a network and a dir
# pool defined with virsh from XML (no virtspec metadata) are exported; the exported specs plan
# to nothing but the adoption; after apply they carry the marker and plan empty. What no key
# covers (the network's DNS forwarder and route, the pool's copy-on-write switch, the domain's panic
# device) goes through the escape hatch, and an edit of it converges like a key.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir specs images

cat > net.xml <<'XML'
<network>
  <name>vs-xnet</name>
  <forward mode='nat'/>
  <bridge name='vsxbr0' stp='on' delay='0'/>
  <mtu size='1400'/>
  <domain name='xnet.test' localOnly='yes'/>
  <dns forwardPlainNames='no'>
    <forwarder addr='192.0.2.53'/>
  </dns>
  <ip address='192.168.150.1' netmask='255.255.255.0' localPtr='yes'>
    <dhcp>
      <range start='192.168.150.10' end='192.168.150.99'/>
      <host mac='52:54:00:15:00:01' name='vs-xdom' ip='192.168.150.5'/>
    </dhcp>
  </ip>
  <route address='192.168.222.0' prefix='24' gateway='192.168.150.2'/>
</network>
XML
cat > pool.xml <<XML
<pool type='dir'>
  <name>vs-xpool</name>
  <target><path>$WORK/images</path><permissions><mode>0750</mode><owner>0</owner><group>0</group></permissions></target>
  <features><cow state='no'/></features>
</pool>
XML
virsh net-define net.xml >/dev/null && virsh net-start vs-xnet >/dev/null
virsh pool-define pool.xml >/dev/null && virsh pool-start vs-xpool >/dev/null
virsh vol-create-as vs-xpool vs-xdom-data.qcow2 16M --format qcow2 >/dev/null
truncate -s 8M images/scratch.img
chmod 0750 images   # libvirt reads a dir pool's permissions from the directory when it starts
ok "the hand-made network runs" sh -c "virsh net-info vs-xnet | grep -q '^Active: *yes'"
ok "the hand-made pool runs" sh -c "virsh pool-info vs-xpool | grep -q '^State: *running'"

# A domain with a spread of features. <pm> and the panic device have no key: the escape hatch.
cat > dom.xml <<XML
<domain type='qemu'>
  <name>vs-xdom</name>
  <title>hand made</title>
  <memory unit='MiB'>128</memory>
  <currentMemory unit='MiB'>96</currentMemory>
  <vcpu placement='static' current='1'>2</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/><boot dev='network'/></os>
  <features><acpi/><apic/><pae/></features>
  <cpu mode='custom' match='exact' check='none'>
    <model fallback='forbid'>qemu64</model>
    <topology sockets='1' dies='1' cores='2' threads='1'/>
    <feature policy='require' name='sse4.2'/>
    <feature policy='disable' name='svm'/>
  </cpu>
  <clock offset='utc'>
    <timer name='rtc' tickpolicy='catchup'/>
    <timer name='pit' tickpolicy='delay'/>
    <timer name='hpet' present='no'/>
  </clock>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>coredump-restart</on_crash>
  <pm><suspend-to-mem enabled='no'/><suspend-to-disk enabled='no'/></pm>
  <devices>
    <disk type='volume' device='disk'>
      <driver name='qemu' type='qcow2' cache='none' discard='unmap'/>
      <source pool='vs-xpool' volume='vs-xdom-data.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$WORK/images/scratch.img'/>
      <target dev='sdb' bus='sata'/>
      <serial>SCRATCH1</serial>
    </disk>
    <interface type='network'>
      <mac address='52:54:00:15:00:01'/>
      <source network='vs-xnet'/>
      <model type='virtio'/>
    </interface>
    <interface type='network'>
      <mac address='52:54:00:15:00:02'/>
      <source network='vs-xnet'/>
      <model type='e1000'/>
    </interface>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <input type='tablet' bus='usb'/>
    <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'>
      <listen type='address' address='127.0.0.1'/>
    </graphics>
    <video><model type='vga' vram='16384' heads='1' primary='yes'/></video>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
    <watchdog model='i6300esb' action='reset'/>
    <memballoon model='virtio'/>
    <panic model='isa'/>
  </devices>
</domain>
XML
virsh define dom.xml >/dev/null
is "the hand-made domain is defined" "shut off" "$(domstate vs-xdom)"
lacks "…without virtspec metadata" "virtspec.dev/xmlns" "$(inactive_xml vs-xdom)"
before_dom=$(inactive_xml vs-xdom)

# ---------------------------------------------------------------- export
vs export vs-xdom vs-xnet vs-xpool
is "export of the three objects checks clean" 0 "$rc"
printf '%s\n' "$out" > export.out
csplit -s -z -f specs/x- --suppress-matched export.out '/^---$/' '{*}'
for f in specs/x-*; do mv "$f" "$f.yaml"; done
is "export wrote three specs" 3 "$(ls specs | wc -l)"
contains "the domain spec adopts" "adopt: true" "$(cat specs/x-00.yaml)"
contains "the network spec adopts" "adopt: true" "$(grep -l 'kind: Network' specs/*.yaml | xargs cat)"
contains "the pool spec adopts" "adopt: true" "$(grep -l 'kind: Pool' specs/*.yaml | xargs cat)"
dspec=$(cat specs/x-00.yaml)
contains "disks are said with keys (volume)" 'pool: "vs-xpool", existing: true' "$dspec"
contains "…and the host file" "path: \"$WORK/images/scratch.img\"" "$dspec"
contains "NICs are said with keys" "network: vs-xnet" "$dspec"
contains "cpu features are said with keys" "sse4.2" "$dspec"
contains "clock timers are said with keys" "catchup" "$dspec"
contains "the watchdog is said with a key" "i6300esb" "$dspec"
contains "the panic device goes through the escape hatch" "<panic model=" "$dspec"
contains "…and <pm>" "suspend-to-mem" "$dspec"
contains "…and on_crash" "coredump-restart" "$dspec"
nspec=$(grep -l 'kind: Network' specs/*.yaml | xargs cat)
contains "the network's DHCP host is exported" "192.168.150.5" "$nspec"
contains "the network's MTU is exported" "mtu: 1400" "$nspec"
contains "the network's DNS forwarder goes through the escape hatch" '<forwarder addr=\"192.0.2.53\"/>' "$nspec"
contains "…and its route" '<route address=\"192.168.222.0\"' "$nspec"
contains "…and the DNS server's switch" "dns/@forwardPlainNames" "$nspec"
# localOnly='yes' is what the domain key renders by default (issue 15): the key says it alone
contains "…the local-only domain with its key" "domain: xnet.test" "$nspec"
lacks "…not through the escape hatch" "localOnly" "$nspec"
contains "…and domain_local_only: true" "domain_local_only: true" "$nspec"
contains "…and the address's local PTR switch" "ip/@localPtr" "$nspec"
lacks "…and nothing is left to a comment" "no key expresses" "$nspec"
pspec=$(grep -l 'kind: Pool' specs/*.yaml | xargs cat)
contains "the pool's copy-on-write switch goes through the escape hatch" '<cow state=\"no\"/>' "$pspec"
# (libvirt 9.0 reports 0755 for this pool whatever the XML and the directory say)
pmode=$(xpath "$(virsh pool-dumpxml --inactive vs-xpool)" 'string(/pool/target/permissions/mode)')
# quoted: a YAML 1.1 reader takes a plain 0755 for the octal number 493 (specs/yaml-emit.c)
contains "the pool's mode is exported as libvirt has it" "mode: \"$pmode\"" "$pspec"
contains "the pool's path is exported" "path: $WORK/images" "$pspec"
vs validate specs
is "the exported specs validate" 0 "$rc"

# ---------------------------------------------------------------- plan: only the adoption
vs plan specs
is "plan of the exported specs has changes (the adoption)" 2 "$rc"
printf '%s\n' "$out" > plan1.out
is "three adoptions" 3 "$(grep -c '~ adopt:' plan1.out)"
changes=$(grep -E '^\s*[~+-] ' plan1.out | grep -v '~ adopt:')
is "no change but the adoption" "" "$changes"
lacks "nothing is created" "+ create" "$out"
lacks "nothing is started" "▶" "$out"

vs apply specs
is "apply of the exported specs succeeds" 0 "$rc"
contains "the domain carries the ownership marker" "virtspec.dev/xmlns" "$(inactive_xml vs-xdom)"
contains "the network carries the ownership marker" "virtspec.dev/xmlns" "$(virsh net-dumpxml --inactive vs-xnet)"
ok "the pool's ownership marker exists" test -f "$VIRTSPEC_STATE_DIR/pools/vs-xpool"
is "the domain stays shut off" "shut off" "$(domstate vs-xdom)"
# the definition is the same apart from the metadata
strip() { printf '%s' "$1" | sed '/<metadata>/,/<\/metadata>/d'; }
is "the domain's definition is unchanged apart from the metadata" "$(strip "$before_dom")" \
    "$(strip "$(inactive_xml vs-xdom)")"
vs plan specs
is "second plan is empty" 0 "$rc"
is "…all three in sync" 3 "$(printf '%s\n' "$out" | grep -c '= in sync')"
contains "the network keeps its forwarder" "192.0.2.53" "$(virsh net-dumpxml --inactive vs-xnet)"
contains "…and its route" "192.168.222.0" "$(virsh net-dumpxml --inactive vs-xnet)"
contains "…and its local PTR switch" "localPtr='yes'" "$(virsh net-dumpxml --inactive vs-xnet)"
contains "the pool keeps its copy-on-write switch" "<cow state='no'/>" "$(virsh pool-dumpxml --inactive vs-xpool)"

# an edit of the network's escape hatch: a config change, restart-pending on the running network
nfile=$(grep -l 'kind: Network' specs/*.yaml)
sed -i "s/192.0.2.53/192.0.2.54/" "$nfile"
vs plan specs
is "a changed forwarder plans a change" 2 "$rc"
contains "…of the escape hatch" "xml.add[dns/forwarder]" "$out"
vs apply specs
is "apply of the changed forwarder succeeds" 0 "$rc"
contains "the new forwarder is in the definition" "192.0.2.54" "$(virsh net-dumpxml --inactive vs-xnet)"
lacks "…the old one is gone" "192.0.2.53" "$(virsh net-dumpxml --inactive vs-xnet)"
contains "…and the running network waits for a restart" "192.0.2.53" "$(virsh net-dumpxml vs-xnet)"
vs plan specs
contains "the plan says the network is restart-pending" "pending" "$out"
lacks "…with no change left to make" "xml.add[dns/forwarder]: " "$(printf '%s\n' "$out" | grep '^\s*~')"

# a pool's edits are recorded in its marker file (libvirt keeps no metadata for a pool), so one
# that leaves the spec is undone like a domain's or network's
pfile=$(grep -l 'kind: Pool' specs/*.yaml)
contains "the pool's marker records its xml edits" "cow state" "$(cat "$VIRTSPEC_STATE_DIR/pools/vs-xpool")"
sed -i '/^xml:$/d; /^  add:$/d; /<cow state/d' "$pfile"
lacks "(the pool spec no longer has the escape hatch)" "xml" "$(cat "$pfile")"
vs plan "$pfile"
is "the pool's dropped edit plans a change" 2 "$rc"
contains "…the removal of the fragment" "xml.add[./features]" "$out"
vs apply "$pfile"
is "apply of the dropped edit succeeds" 0 "$rc"
lacks "the pool's copy-on-write switch is gone" "<cow" "$(virsh pool-dumpxml --inactive vs-xpool)"
lacks "…and so is the record" "cow state" "$(cat "$VIRTSPEC_STATE_DIR/pools/vs-xpool")"
vs plan "$pfile"
lacks "a second plan changes nothing in the pool" "xml.add" "$out"

# controls: without the marker, a spec without adopt: true is a foreign conflict
virsh net-dumpxml --inactive vs-xnet | sed '/<metadata>/,/<\/metadata>/d' > net-bare.xml
virsh net-define net-bare.xml >/dev/null
grep -v '^adopt:' "$(grep -l 'kind: Network' specs/*.yaml)" > net-noadopt.yaml
vs plan net-noadopt.yaml
contains "a network without the marker and a spec without adopt: foreign conflict" "does not own" "$out"
rm "$VIRTSPEC_STATE_DIR/pools/vs-xpool"
grep -v '^adopt:' "$(grep -l 'kind: Pool' specs/*.yaml)" > pool-noadopt.yaml
vs plan pool-noadopt.yaml
contains "a pool without the marker and a spec without adopt: foreign conflict" "does not own" "$out"

# a network domain that is forwarded upstream (no localOnly): domain_local_only: false says it
cat > net-fwd.xml <<'XML'
<network>
  <name>vs-xnet2</name>
  <bridge name='vsxbr2' stp='on' delay='0'/>
  <domain name='fwd.test'/>
  <ip address='192.168.151.1' netmask='255.255.255.0'/>
</network>
XML
virsh net-define net-fwd.xml >/dev/null
vs export network/vs-xnet2
is "export of a network with a forwarded domain checks clean" 0 "$rc"
printf '%s\n' "$out" > net-fwd.yaml
contains "…it says domain_local_only: false" "domain_local_only: false" "$out"
vs plan net-fwd.yaml
changes=$(printf '%s\n' "$out" | grep -E '^\s*[~+-] ' | grep -v '~ adopt:')
is "…and plans nothing but the adoption" "" "$changes"
vs apply net-fwd.yaml
lacks "…applied, the domain stays forwarded (no localOnly)" "localOnly" \
    "$(virsh net-dumpxml --inactive vs-xnet2)"
sed -i '/^domain_local_only:/d' net-fwd.yaml
vs plan net-fwd.yaml
contains "…and without the key, the default (local only) is a change" "domain_local_only" "$out"
virsh net-undefine vs-xnet2 >/dev/null

virsh destroy vs-xdom >/dev/null 2>&1; virsh undefine vs-xdom >/dev/null 2>&1
finish
