#!/bin/bash
# Agentless mode against the harness's private libvirtd (real qemu driver), issue 22: apply
# --all-hosts over a Host that is this libvirtd (qemu+unix, its socket), one that is a libvirt
# test-driver file and one whose socket is missing (declared lost). What apply did on the real host is read back
# with virsh (its state outlives the run, unlike the test driver's): each domain is defined on
# the host placement chose, and only there; a second plan --all-hosts finds the real host in sync.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir -p specs
echo '<node></node>' > "$WORK/hv-b.xml"
cat > specs/hosts.yaml <<YAML
kind: Host
name: hv-a
uri: qemu+unix:///system?socket=/run/libvirt/libvirt-sock
labels: {role: web}
---
kind: Host
name: hv-b
uri: test://$WORK/hv-b.xml
labels: {role: web}
---
kind: Host
name: hv-c
uri: qemu+unix:///system?socket=$WORK/none.sock
labels: {role: db}
lost: true
YAML
# (hv-c is declared lost: a dead host that is not would make every create wait, since a domain
# may run there — docs/fleet.md#moving, tests/check-all-hosts.sh; it takes no placement, so no
# domain is placed on it)
for i in 1 2 3 4 5 6; do
    printf -- '---\nkind: Domain\nname: ag%s\nmemory: 64MiB\nstate: shutoff\ngraphics: {type: none}\nplacement: {match: {role: web}}\n' "$i"
done > specs/domains.yaml
: > empty.conf
C=(--config empty.conf --insecure-spec-perms)
on() {   # on HOST: the domains placement puts there, sorted
    "$VS" placement "${C[@]}" --host "$1" specs 2>/dev/null | sed -nE "s/^Domain ([^ ]+) .* → $1\$/\1/p" | sort
}
want_a=$(on hv-a); want_b=$(on hv-b)
# (the reference for what follows: passes on any binary with placement; every other check needs
# --all-hosts, which the binary before agentless mode refuses)
ok "placement splits the six web domains between hv-a and hv-b" test -n "$want_a" -a -n "$want_b"
vs apply --all-hosts "${C[@]}" specs
ok "apply --all-hosts with hv-c dead: exit 1, hv-a done" bash -c '[ "$1" = 1 ] && grep -q "^== hv-a " <<<"$2"' _ "$rc" "$out"
contains "…hv-c's error" "cannot connect to qemu+unix:///system?socket=$WORK/none.sock" "$out"
contains "…the summary" "3 hosts: hv-a applied, hv-b applied, hv-c failed" "$out"
have_a=$(virsh list --all --name | grep '^ag' | sort)
ok "the real host hv-a has exactly the domains placement puts there ($(echo $have_a))" test "$have_a" = "$want_a"
vs plan --all-hosts "${C[@]}" specs
ok "plan --all-hosts again: hv-a in sync (what apply defined stays)" \
    bash -c 'grep -q "^3 hosts: hv-a in sync, hv-b changes, hv-c failed$" <<<"$1"' _ "$out"
vs plan "${C[@]}" --host hv-a -c qemu:///system specs
is "per-host mode on hv-a (plan --host hv-a -c qemu:///system): in sync too" 0 "$rc"
for x in $have_a; do virsh undefine "$x" >/dev/null; done
finish
