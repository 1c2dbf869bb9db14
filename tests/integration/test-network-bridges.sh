#!/bin/bash
# Four new networks without a bridge name in one apply (the CLI defines them from several
# threads): each gets its own virbrN and starts. libvirt 9.0 picks a free bridge name at define
# time, and two defines at once both took virbr0 (the second network then fails to start: "error
# creating bridge interface virbr0: File exists"); virtspec defines new networks one at a time
# (engine-network.c). Twelve rounds: the binary before failed 3 of 12 here.
# Usage: harness.sh bash test-network-bridges.sh   (VIRTSPEC_BIN names the binary)
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1
mkdir specs
for n in 1 2 3 4; do printf 'kind: Network\nname: nb%s\nip: 10.6%s.0.1/24\n' "$n" "$n" > "specs/n$n.yaml"; done
bad=0
for r in $(seq 1 12); do
    vs apply specs
    shared=$(for n in 1 2 3 4; do virsh net-dumpxml "nb$n" 2>/dev/null | grep -o "bridge name='[^']*'"; done | sort | uniq -d)
    active=$(virsh net-list --name | grep -c '^nb')
    if [ "$rc" != 0 ] || [ -n "$shared" ] || [ "$active" != 4 ]; then
        bad=$((bad + 1)); echo "# round $r: apply exit $rc, shared: ${shared:-none}, active: $active"
    fi
    for n in 1 2 3 4; do virsh net-destroy "nb$n" >/dev/null 2>&1; virsh net-undefine "nb$n" >/dev/null 2>&1; done
done
is "12 applies of four new networks: each its own bridge, all started" 0 "$bad"
finish
