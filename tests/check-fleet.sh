#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fleet, first step (docs/fleet.md, issue 22): `virtspec placement` on a tree of 3 Host documents
# and 11 domains (tests/golden/plan/fleet-host-share) against its expected text, --host / host =
# taking one host's share in plan and apply, another host's objects left alone (never orphans),
# an unknown host, this host's owned domains as sticky input (and a warning for one placed
# elsewhere), and the daemon taking its share (host =) with the same function. libvirt's in-process test
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
ok "…with a warning that kvm2 sees it only through the uri" has "web1 is defined here and stays here, but the repository alone places it on kvm2"
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
    has "domains.yaml:1:1: warning: web1 is defined here but placement now puts it on kvm2: it stays here until kvm2 moves it"
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

# The daemon's share (host = kvm1): the same placement_take_share as apply --host. Two hosts, w1
# (role web: kvm1's), d1 and web2 (role db: kvm2's); web2 is owned in kvm1's libvirt (sticky
# input, placed elsewhere: the warning, never an orphan, not pruned even with --prune). Then the
# Hosts' labels swap: the next pass creates d1, keeps web2 here, and leaves w1 as it is.
dpid=
trap '[ -n "$dpid" ] && kill "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
mkdir -m 0755 "$d/dm" "$d/dm/s"
hosts() { printf 'kind: Host\nname: kvm1\nlabels: {role: %s}\n---\nkind: Host\nname: kvm2\nlabels: {role: %s}\n' "$1" "$2"; }
hosts web db > "$d/dm/s/hosts.yaml"
for x in w1:web d1:db web2:db; do
    printf -- '---\nkind: Domain\nname: %s\nmemory: 64MiB\ngraphics: {type: none}\nstate: shutoff\nplacement: {match: {role: %s}}\n' "${x%:*}" "${x#*:}"
done > "$d/dm/s/domains.yaml"
chmod 0644 "$d/dm/s"/*.yaml
owned_node_xml > "$d/dm/node.xml"
printf 'specs = %s\nhost = kvm1\ndebounce_ms = 50\nresync_interval = 86400\nprune = true\n' "$d/dm/s" > "$d/dm/d.conf"
dlog=$d/dm/daemon.log st=$d/dm/status.json
"$vs" daemon --config "$d/dm/d.conf" --insecure-spec-perms -c "test://$d/dm/node.xml" --status-file "$st" > "$dlog" 2>&1 &
dpid=$!
logged() { grep -q -- "$1" "$dlog"; }
ok "the daemon with host = kvm1 starts (no longer refused) and ends its first pass" \
    wait_for 20 logged "first pass over every object done"
ok "…creates kvm1's w1" logged "Domain w1: + create"
ok "…not kvm2's d1" bash -c "! grep -q 'Domain d1' '$dlog'"
ok "…web2, owned here but placed on kvm2: warned about, as apply --host does" \
    logged "web2 is defined here but placement now puts it on kvm2"
ok "…and neither an orphan nor pruned (prune = true)" bash -c "! grep -Eq 'web2.*(orphan|prun)' '$dlog'"
share1="host kvm1, 1 of 3 specs (2 on other hosts; 1 defined here placed on another host)"
ok "STATUS= / status.json summary: the host and its share" grep -qF "\"summary\": \"$share1: " "$st"
ok "…and status.json says the host" grep -q '"host": "kvm1"' "$st"
out=$("$vs" status --config "$d/dm/d.conf" --insecure-spec-perms --status-file "$st" 2>&1)
ok "virtspec status prints it" has "daemon (pid $dpid): $share1"
at=$(wc -l < "$dlog")
hosts db web > "$d/dm/s/.h.tmp"; chmod 0644 "$d/dm/s/.h.tmp"; mv "$d/dm/s/.h.tmp" "$d/dm/s/hosts.yaml"
ok "the labels swap: the next pass creates d1 (now kvm1's)" wait_for 10 logged "Domain d1: + create"
ok "…w1, defined here, now placed on kvm2: the warning of apply --host" \
    wait_for 5 logged "w1 is defined here but placement now puts it on kvm2"
sleep 0.5
ok "…w1 is left alone: no pass, not an orphan, not pruned" \
    bash -c "! tail -n +$((at + 1)) '$dlog' | grep -v 'w1 is defined here' | grep -q 'w1'"
ok "…web2 is kvm1's again (sticky, no warning any more)" \
    bash -c "! tail -n +$((at + 1)) '$dlog' | grep -q 'web2 is defined here'"
ok "…the summary follows" wait_for 5 grep -qF "host kvm1, 2 of 3 specs (1 on other hosts; 1 defined here placed on another host)" "$st"
ok "…and counts this host's 2 specs only, not w1 placed on kvm2" \
    wait_for 5 grep -qF "placed on another host): 2 specs: 2 in sync" "$st"
kill "$dpid"; wait "$dpid"; dpid=
sed -i 's/^host = kvm1/host = kvm9/' "$d/dm/d.conf"
"$vs" daemon --config "$d/dm/d.conf" --insecure-spec-perms -c "test://$d/dm/node.xml" --status-file "$st" > "$dlog" 2>&1 &
dpid=$!
ok "host = kvm9 (no such Host): the daemon runs, says so in STATUS=, applies nothing" \
    wait_for 20 grep -qF "host = kvm9: no \`kind: Host\` document of the tree names it; nothing is applied here" "$st"
ok "…nothing created, nothing pruned" wait_for 5 logged "first pass over every object done"
ok "…nothing created, nothing pruned" bash -c "! grep -Eq '\+ create|prun' '$dlog'"
kill "$dpid"; wait "$dpid"; dpid=
finish
