#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Agentless mode (docs/fleet.md, issue 22): `plan --all-hosts` and `apply --all-hosts` drive every
# `kind: Host` through its uri, each by `plan|apply --host NAME -c URI` in a child process. The
# hosts are libvirt test-driver files (test:///ABS/PATH.xml): each child's connection starts from
# its file and keeps nothing after it (so apply's result is read from its output, per host).
# Checks: each domain is created on the host placement chooses; the per-host commands
# (`placement --host`, `plan --host -c URI`) give the same sets; a dead host (no socket) does not
# stop the others; a Host without uri is reported; the worst exit; --json; what needs the host's
# kernel or files is reported as not checked. Every check runs --all-hosts, which the binary before
# it refuses (unknown option), so each fails there.
# Usage: check-all-hosts.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
chmod 0755 "$d"; mkdir -m 0755 "$d/specs"
: > "$d/empty.conf"
C=(--config "$d/empty.conf" --insecure-spec-perms)
has() { printf '%s' "$out" | grep -qE -- "$1"; }
u() { printf 'test://%s/%s.xml' "$d" "$1"; }
for h in kvm1 kvm2 kvm3 kvm4; do echo '<node></node>' > "$d/$h.xml"; done

hosts() {   # hosts URI-OF-KVM3
    printf 'kind: Host\nname: kvm1\nuri: %s\nlabels: {role: web}\ncapacity: {memory: 256MiB}\n---\n' "$(u kvm1)"
    printf 'kind: Host\nname: kvm2\nuri: %s\nlabels: {role: web}\n---\n' "$(u kvm2)"
    printf 'kind: Host\nname: kvm3\nuri: %s\nlabels: {role: db}\n---\n' "$1"
    printf 'kind: Host\nname: kvm4\nuri: %s\nlabels: {role: web}\nmaintenance: true\n' "$(u kvm4)"
}
hosts "$(u kvm3)" > "$d/specs/hosts.yaml"
{ for i in 1 2 3 4 5 6 7 8; do
      printf -- '---\nkind: Domain\nname: web%s\nmemory: 64MiB\ngraphics: {type: none}\nplacement: {match: {role: web}, spread: web}\n' "$i"
  done
  printf -- '---\nkind: Domain\nname: db1\nmemory: 64MiB\ngraphics: {type: none}\nplacement: {match: {role: db}}\n'
  printf -- '---\nkind: Domain\nname: any1\nmemory: 64MiB\ngraphics: {type: none}\n'
} > "$d/specs/domains.yaml"
chmod 0644 "$d/specs"/*.yaml

# what placement says, per domain: "web1 kvm2" lines
placement_of() {
    "$vs" placement "${C[@]}" "$d/specs" 2>/dev/null |
        sed -nE 's/^Domain ([^ ]+) \(.*\) → ([^ ]+)$/\1 \2/p' | sort
}
# the domains created under each "== HOST" heading of an --all-hosts output: "web1 kvm2" lines
created_under_headings() {
    printf '%s\n' "$out" | awk '/^== /{h = $2} /^Domain /{n = $2} /^  \+ create/{print n, h}' | sort
}
want=$(placement_of)
ok "placement places the 10 domains (the reference)" test "$(printf '%s\n' "$want" | wc -l)" = 10

out=$("$vs" apply --all-hosts "${C[@]}" "$d/specs" 2>&1); rc=$?
ok "apply --all-hosts, every host reachable: exit 0" test "$rc" = 0
ok "…a heading per host with its uri" has "^== kvm1 \(test://$d/kvm1.xml\)$"
ok "…kvm4 says maintenance" has "^== kvm4 \(test://$d/kvm4.xml\) \(maintenance\)$"
got=$(created_under_headings)
ok "…each domain created on the host placement chose" test "$got" = "$want"
ok "…nothing created on kvm4 (maintenance)" bash -c '! grep -q " kvm4$" <<<"$1"' _ "$got"
ok "…the summary names each host's outcome" has "^4 hosts: kvm1 applied, kvm2 applied, kvm3 applied, kvm4 applied$"

# per-host mode: plan --host kvmI -c URI on each host, and placement --host kvmI, give the same sets
per_host=$(for h in kvm1 kvm2 kvm3 kvm4; do
    "$vs" plan --host "$h" -c "$(u $h)" "${C[@]}" "$d/specs" 2>/dev/null |
        awk -v h="$h" '/^Domain /{n = $2} /^  \+ create/{print n, h}'
done | sort)
ok "per-host plans (plan --host kvmI -c URI) create the same sets as agentless apply" test "$per_host" = "$got"
by_placement=$(for h in kvm1 kvm2 kvm3 kvm4; do
    "$vs" placement --host "$h" "${C[@]}" "$d/specs" 2>/dev/null | sed -nE "s/^Domain ([^ ]+) .* → $h\$/\1 $h/p"
done | sort)
ok "…and placement --host kvmI agrees" test "$by_placement" = "$got"

out=$("$vs" plan --all-hosts "${C[@]}" "$d/specs" 2>&1); rc=$?
ok "plan --all-hosts: changes on the hosts: exit 2" test "$rc" = 2
ok "…the same sets as apply --all-hosts" test "$(created_under_headings)" = "$got"
ok "…summary" has "^4 hosts: kvm1 changes, kvm2 changes, kvm3 changes, kvm4 in sync$"

# a dead host: its socket does not exist; the others are planned all the same, exit 1
hosts "qemu+unix:///system?socket=$d/nosuch.sock" > "$d/specs/hosts.yaml"
out=$("$vs" apply --all-hosts "${C[@]}" "$d/specs" 2>&1); rc=$?
ok "apply --all-hosts with kvm3 dead (no socket): exit 1" test "$rc" = 1
ok "…kvm3's error under its heading" has "cannot connect to qemu\+unix:///system\?socket=$d/nosuch.sock"
ok "…kvm1, kvm2 still applied" has "^4 hosts: kvm1 applied, kvm2 applied, kvm3 failed, kvm4 applied$"
ok "…their domains created as placed" test "$(created_under_headings)" = "$(grep -v ' kvm3$' <<<"$got")"

# a Host without uri: reported, never skipped silently; the others done
hosts "$(u kvm3)" | sed "/^uri: .*kvm2.xml$/d" > "$d/specs/hosts.yaml"
out=$("$vs" plan --all-hosts "${C[@]}" "$d/specs" 2>&1); rc=$?
ok "kvm2 without uri: plan --all-hosts exit 1" test "$rc" = 1
ok "…kvm2 reported under its heading" has "^== kvm2 \(no uri\)$"
ok "…as not planned" has "not planned: the Host has no uri"
ok "…the others planned" has "^4 hosts: kvm1 changes, kvm2 not done: the Host has no uri, kvm3 changes, kvm4 in sync$"

# --json: one document, a hosts array with each host's own plan document
hosts "$(u kvm3)" > "$d/specs/hosts.yaml"
out=$("$vs" plan --all-hosts --json "${C[@]}" "$d/specs" 2>/dev/null); rc=$?
ok "--json: exit 2" test "$rc" = 2
ok "…one document: command plan, 4 hosts, each with its plan's objects as placed" python3 -c '
import json, sys
doc = json.loads(sys.argv[1])
want = sorted(tuple(l.split()) for l in sys.argv[2].splitlines())
got = sorted((o["name"], h["name"]) for h in doc["hosts"] for o in h["result"]["objects"]
             if o["kind"] == "Domain" and o["state"] == "missing")
sys.exit(not (doc["command"] == "plan" and len(doc["hosts"]) == 4 and got == want
              and [h["exit_status"] for h in doc["hosts"]] == [2, 2, 2, 0]))' "$out" "$got"

# what needs the host's kernel or files: not looked for on this machine, and said so
printf 'kind: Network\nname: lan\nbridge: vsbr7\nforward: nat\nip: 10.77.0.1/24\n' > "$d/specs/net.yaml"
printf -- '---\nkind: Domain\nname: iso1\nmemory: 64MiB\ngraphics: {type: none}\ncdroms: [{path: %s/nonexistent.iso}]\nplacement: {host: kvm1}\n' "$d" >> "$d/specs/domains.yaml"
chmod 0644 "$d/specs"/*.yaml
out=$("$vs" plan --all-hosts "${C[@]}" "$d/specs" 2>&1); rc=$?
ok "a host path of kvm1 that this machine lacks: not an error here (exit 2)" test "$rc" = 2
ok "…a warning says it is not checked, and why" \
    has "domains.yaml:[0-9]+:[0-9]+: warning: cdroms\[hdc\]\.path $d/nonexistent.iso is not checked: libvirt runs on Host kvm1 \(agentless mode\), not on this machine"
ok "…the new bridge name: not checked against this machine's interfaces, said per host" \
    test "$(printf '%s\n' "$out" | grep -c "net.yaml:3:9: warning: bridge vsbr7 is not checked against the host's interfaces: libvirt runs on Host kvm. (agentless mode)")" = 4
# (the running guests' taps of a network defined there are not checked either, with a warning
# too; the test driver cannot show it: it refuses the inactive network XML every pass reads)
out=$("$vs" plan --host kvm1 -c "$(u kvm1)" "${C[@]}" "$d/specs" 2>&1)
ok "…plan --host kvm1 -c URI (per-host mode, test driver) still checks the path here" \
    has "error: cdroms\[hdc\]\.path $d/nonexistent.iso: No such file or directory"

t "--all-hosts with --host: exit 1" 1 "--all-hosts and --host exclude each other" plan --all-hosts --host kvm1 "${C[@]}" "$d/specs"
rm "$d/specs/hosts.yaml"; sed -i '/placement/d' "$d/specs/domains.yaml"
t "a tree without Host documents: exit 1" 1 "the tree has no \`kind: Host\` document" apply --all-hosts "${C[@]}" "$d/specs"
finish
