#!/bin/bash
# Issue 4: disks without `dev` on an existing domain. Removing a middle disk detaches exactly that
# disk; the others keep their guest devices and sources; a second apply is a no-op; a disk added
# later takes the first free device of its bus. For a shut-off and for a running domain.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir specs

cat > specs/00-pool.yaml <<YAML
kind: Pool
name: vs-pool
path: $WORK/pool
YAML

write_dom() {   # write_dom NAME STATE DISK-NAMES…
    local name=$1 state=$2; shift 2
    { printf 'kind: Domain\nname: %s\nmemory: 64MiB\nstate: %s\ngraphics: {type: none}\ndisks:\n' "$name" "$state"
      for d in "$@"; do printf '  - {name: %s, size: 8MiB, pool: vs-pool, format: raw}\n' "$d"; done
    } > "specs/20-$name.yaml"
}
# "dev=volume" per disk of a definition, sorted (libvirt keeps them in target order)
blk() {   # blk XML-TEXT
    local n i x="//devices/disk[@device='disk']"
    n=$(xpath "$1" "count($x)")
    for i in $(seq 1 "$n"); do
        printf '%s=%s\n' "$(xpath "$1" "string($x[$i]/target/@dev)")" "$(xpath "$1" "string($x[$i]/source/@volume)")"
    done | sort | tr '\n' ' '
}

for st in shutoff running; do
    dom=vs-$st
    write_dom $dom $st a b c
    vs apply specs
    is "$st: apply creates $dom" 0 "$rc"
    is "$st: three disks at vda vdb vdc" "vda=$dom-a.raw vdb=$dom-b.raw vdc=$dom-c.raw " "$(blk "$(inactive_xml $dom)")"
    [ $st = running ] && is "$st: $dom runs" running "$(domstate $dom)"

    write_dom $dom $st a c
    vs plan specs
    contains "$st: plan removes vdb" "- disks[vdb]" "$out"
    lacks "$st: plan keeps vdc" "disks[vdc]" "$out"
    vs apply specs
    is "$st: apply succeeds" 0 "$rc"
    contains "$st: apply removes vdb" "- disks[vdb]" "$out"
    lacks "$st: apply leaves vdc alone" "disks[vdc]" "$out"
    is "$st: b is gone, a and c keep their devices" "vda=$dom-a.raw vdc=$dom-c.raw " "$(blk "$(inactive_xml $dom)")"
    if [ $st = running ]; then
        # no guest OS under TCG: the guest may never acknowledge the unplug; c must stay attached
        live=$(blk "$(live_xml $dom)")
        contains "$st: c stays attached at vdc" "vdc=$dom-c.raw" "$live"
        contains "$st: a stays attached at vda" "vda=$dom-a.raw" "$live"
    fi
    vs apply specs
    contains "$st: a second apply is a no-op" "0 libvirt changes" "$out"

    write_dom $dom $st a c d
    # a name the running guest still has (no guest OS under TCG: b's unplug is never
    # acknowledged) is not free: d takes the next one, attached live
    dnew=vdb
    [ $st = running ] && blk "$(live_xml $dom)" | grep -q "vdb=$dom-b.raw" && dnew=vdd
    vs apply specs
    is "$st: adding d succeeds" 0 "$rc"
    is "$st: d takes the first free device ($dnew)" "$(printf '%s\n' vda=$dom-a.raw vdc=$dom-c.raw $dnew=$dom-d.raw | sort | tr '\n' ' ')" "$(blk "$(inactive_xml $dom)")"
    contains "$st: apply adds disks[$dnew]" "+ disks[$dnew]" "$out"
    if [ $st = running ]; then
        live=$(blk "$(live_xml $dom)")
        contains "$st: c stays attached at vdc" "vdc=$dom-c.raw" "$live"
        contains "$st: d is attached live at $dnew" "$dnew=$dom-d.raw" "$live"
        lacks "$st: nothing waits for a reload" "waits for a reload" "$out"
    fi
    vs apply specs
    contains "$st: then apply is a no-op" "0 libvirt changes" "$out"
    virsh destroy $dom >/dev/null 2>&1
done

# cdroms: their device also follows the list; the one left keeps its own
cds() { xpath "$(inactive_xml vs-cd)" "string(//disk[@device='cdrom' and source/@file='$WORK/$1']/target/@dev)"; }
truncate -s 1M one.iso two.iso
write_cd() {   # write_cd ISO…
    { printf 'kind: Domain\nname: vs-cd\nmemory: 64MiB\nstate: shutoff\ncdroms:\n'
      for i in "$@"; do printf '  - {path: %s}\n' "$WORK/$i"; done; } > specs/30-vs-cd.yaml
}
write_cd one.iso two.iso
vs apply specs
is "cdroms at hdc and hdd" "hdc hdd" "$(cds one.iso) $(cds two.iso)"
write_cd two.iso
vs apply specs
is "removing the first cdrom succeeds" 0 "$rc"
contains "…removes hdc" "- cdroms[hdc]" "$out"
is "…and two.iso stays at hdd" hdd "$(cds two.iso)"
is "…one.iso is gone" "" "$(cds one.iso)"
vs apply specs
contains "then apply is a no-op" "0 libvirt changes" "$out"
finish
