#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fleet, first step (docs/fleet.md, issue 22): `virtspec placement` on a tree of 3 Host documents
# and 11 domains (tests/golden/plan/fleet-host-share) against its expected text, --host / host =
# taking one host's share in plan and apply, another host's objects left alone (never orphans),
# an unknown host, this host's owned domains as sticky input (and a warning for one placed
# elsewhere), and the daemon refusing host = (not supported yet). libvirt's in-process test
# driver: no daemon, no root needed.
# Usage: check-fleet.sh VIRTSPEC SRCDIR
. "$(dirname "$0")/check-lib.sh"
src=${2:?usage: check-fleet.sh VIRTSPEC SRCDIR}
case_dir=$src/tests/golden/plan/fleet-host-share
chmod 0755 "$d"; mkdir -m 0755 "$d/specs"
cp "$case_dir"/*.yaml "$d/specs/"; chmod 0644 "$d/specs"/*.yaml
: > "$d/empty.conf"
C=(--config "$d/empty.conf" --insecure-spec-perms)
has() { printf '%s' "$out" | grep -qF -- "$1"; }     # has TEXT: in the last $out
hasnt() { ! has "$1"; }

# the placement of every spec, each other host's reason: the expected text, exactly
out=$(cd "$d/specs" && LC_ALL=C.UTF-8 "$vs" placement "${C[@]}" . 2>&1); rc=$?
want=$(cat "$case_dir/placement.txt")
ok "placement prints the expected text (fleet-host-share/placement.txt)" test "$out" = "$want"
[ "$out" = "$want" ] || diff <(printf '%s\n' "$want") <(printf '%s\n' "$out")
ok "…exit 0" test "$rc" = 0
t "placement --host kvm3: only its share" 0 "lan.yaml:8) → kvm3" \
    placement "${C[@]}" --host kvm3 "$d/specs"
out=$("$vs" placement "${C[@]}" --host kvm3 "$d/specs" 2>&1)
ok "…and not kvm1's web1" hasnt web1
t "--host naming no Host is an error" 1 "virtspec: --host kvm9: no \`kind: Host\` document of the tree names it" \
    plan "${C[@]}" -c test:///default --host kvm9 "$d/specs"

# an owned db1 runs here; placement puts it on kvm3 (kvm1 cannot take it): plan --host kvm1
# leaves it alone and warns
mkdir -m 0755 "$d/o"
owned_node_xml | sed 's/web2/db1/' > "$d/o/node.xml"
printf 'specs = %s\n' "$d/specs" > "$d/o.conf"
O=(--config "$d/o.conf" --insecure-spec-perms -c "test://$d/o/node.xml")
out=$("$vs" plan "${O[@]}" --host kvm1 2>&1); rc=$?
ok "plan --host kvm1 exits 2 (its share is created)" test "$rc" = 2
for x in "Domain web1 " "Domain web3 " "Domain build1 " "Network lan "; do
    ok "…creates ${x% }" has "$x"
done
for x in web2 web4 dbnet batch1 any1; do
    ok "…not $x (kvm2's or kvm3's): neither planned nor an orphan" hasnt "$x"
done
ok "…not db1 (kvm3's, owned here): not planned" hasnt "Domain db1 "
ok "…not an orphan" hasnt "orphan"
ok "…but warned about" has "warning: db1 is defined here but placement now puts it on kvm3"
out=$("$vs" plan "${O[@]}" --host kvm2 2>&1)
ok "plan --host kvm2 plans web2 (its own)" has "Domain web2 "
ok "…and not web1" hasnt "Domain web1 "
printf 'specs = %s\nhost = kvm1\n' "$d/specs" > "$d/h.conf"
out=$("$vs" plan --config "$d/h.conf" --insecure-spec-perms -c "test://$d/o/node.xml" 2>&1)
ok "host = kvm1 in the configuration file does what --host kvm1 does" has "Domain web3 "
ok "…without web2" hasnt web2
out=$("$vs" plan --config "$d/h.conf" --insecure-spec-perms -c "test://$d/o/node.xml" --host kvm2 2>&1)
ok "…and --host wins over it" has "Domain web2 "
ok "…without web3" hasnt "Domain web3 "
t "validate checks the whole tree, host = or not" 0 "13 specs in 3 files: valid" \
    validate --config "$d/h.conf" --insecure-spec-perms
# The review of issue 22: one edit moves domains that did not change. This host's owned domains are
# sticky input to its share; one placed elsewhere anyway is a warning at its spec, not silence.
mv_case() {   # mv_case NAME OWNED: $d/NAME/specs (a copy of the case), a node where OWNED is owned
    mkdir -m 0755 "$d/$1" "$d/$1/specs"; cp "$case_dir"/*.yaml "$d/$1/specs/"
    chmod 0644 "$d/$1/specs"/*.yaml
    owned_node_xml | sed "s/web2/$2/" > "$d/$1/node.xml"
    printf 'specs = %s\n' "$d/$1/specs" > "$d/$1.conf"
    M=(--config "$d/$1.conf" --insecure-spec-perms -c "test://$d/$1/node.xml" --host kvm1)
}
mv_case aaa web1
printf -- '---\nkind: Domain\nname: aaa\nmemory: 1GiB\nplacement: {match: {role: web}, spread: web}\n' \
    >> "$d/aaa/specs/domains.yaml"
out=$(LC_ALL=C.UTF-8 "$vs" placement --config "$d/aaa.conf" --insecure-spec-perms 2>&1)
ok "a new domain aaa moves web1 to kvm2 in the repository-only placement (the reviewer's case)" \
    has "/domains.yaml:1) → kvm2"
out=$("$vs" plan "${M[@]}" 2>&1)
ok "…but web1, defined on kvm1, stays in kvm1's share (sticky)" has "Domain web1 "
# kvm2 computes the repository-only placement (it cannot see web1 on kvm1): it would create web1
# too, so kvm1 says so at web1's line
ok "…with a warning that kvm2 would create it too" has "web1 is defined here and stays here, but the repository alone places it on kvm2"
mv_case kvm0 web3
printf -- '---\nkind: Host\nname: kvm0\nlabels: {role: web}\n' >> "$d/kvm0/specs/hosts.yaml"
out=$(LC_ALL=C.UTF-8 "$vs" placement --config "$d/kvm0.conf" --insecure-spec-perms 2>&1)
ok "a new host kvm0 moves web3 to kvm2 in the repository-only placement (the reviewer's case)" \
    has "/domains.yaml:13) → kvm2"
out=$("$vs" plan "${M[@]}" 2>&1)
ok "…but web3, defined on kvm1, stays in kvm1's share (sticky)" has "Domain web3 "
mv_case named web1
sed -i "5s/.*/placement: {host: kvm2}/" "$d/named/specs/domains.yaml"
out=$("$vs" plan "${M[@]}" 2>&1)
ok "web1 defined on kvm1 but placed on kvm2 (kvm1 no candidate): a warning at its spec" \
    has "domains.yaml:1:1: warning: web1 is defined here but placement now puts it on kvm2: it keeps running here"
ok "…counted" has "1 domain defined here placed on another host"
ok "…web1 is not planned here" hasnt "Domain web1 "
out=$("$vs" plan "${M[@]}" --json 2>/dev/null)
ok "…the JSON counts say it" has "1 placed on another host"
out=$("$vs" apply "${M[@]}" 2>&1)
ok "…apply says it in its summary" has ", 1 defined here but placed on another host"

rm "$d/specs/hosts.yaml"
out=$("$vs" plan "${O[@]}" 2>&1); rc=$?
ok "without Host documents, a spec with placement is an error at its placement: line" \
    has "domains.yaml:5:12: error: Domain 'web1' has a placement, but the tree has no \`kind: Host\` document"
ok "…exit 1" test "$rc" = 1
t "the daemon refuses host = (not supported yet), exit 78" 78 "the daemon does not take a host's share yet" \
    daemon --config "$d/h.conf" --insecure-spec-perms -c "test://$d/o/node.xml"
finish
