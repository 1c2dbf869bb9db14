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

hosts() {   # hosts URI-OF-KVM3 [MORE-KEYS-OF-KVM3]
    printf 'kind: Host\nname: kvm1\nuri: %s\nlabels: {role: web}\ncapacity: {memory: 256MiB}\n---\n' "$(u kvm1)"
    printf 'kind: Host\nname: kvm2\nuri: %s\nlabels: {role: web}\n---\n' "$(u kvm2)"
    printf 'kind: Host\nname: kvm3\nuri: %s\nlabels: {role: db}\n%s---\n' "$1" "${2:-}"
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
# (the reference the checks below compare with: passes on any binary with placement)
ok "placement places the 10 domains (the reference)" test "$(printf '%s\n' "$want" | wc -l)" = 10

out=$("$vs" apply --all-hosts "${C[@]}" "$d/specs" 2>&1); rc=$?
ok "apply --all-hosts, every host reachable: exit 0" test "$rc" = 0
ok "…a heading per host with its uri" has "^== kvm1 \(test://$d/kvm1.xml\)$"
ok "…kvm4 says maintenance" has "^== kvm4 \(test://$d/kvm4.xml\) \(maintenance\)$"
got=$(created_under_headings)
ok "…each domain created on the host placement chose" test "$got" = "$want"
ok "…nothing created on kvm4 (maintenance), all 10 elsewhere" bash -c '! grep -q " kvm4$" <<<"$1" && [ $(wc -l <<<"$1") = 10 ]' _ "$got"
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
ok "…the same sets as placement" test "$(created_under_headings)" = "$want"
ok "…summary" has "^4 hosts: kvm1 changes, kvm2 changes, kvm3 changes, kvm4 in sync$"

# a dead host: its socket does not exist. Before a create, each host looks for the domain on the
# others (a move, docs/fleet.md#moving): one that does not answer may run it, so the creates wait
# (never an automatic takeover)…
hosts "qemu+unix:///system?socket=$d/nosuch.sock" > "$d/specs/hosts.yaml"
out=$("$vs" apply --all-hosts "${C[@]}" "$d/specs" 2>&1); rc=$?
ok "apply --all-hosts with kvm3 dead, not declared lost: exit 1" test "$rc" = 1
ok "…kvm1's creates wait: their domain may run on kvm3" has "web[0-9] may run on kvm3, which did not answer"
ok "…nothing created" test -z "$(created_under_headings)"
# …until the admin declares it lost (its db1 goes with it: no other db host); the others are
# then applied all the same, kvm3 itself fails alone
hosts "qemu+unix:///system?socket=$d/nosuch.sock" "lost: true
" > "$d/specs/hosts.yaml"
cp "$d/specs/domains.yaml" "$d/domains.full"
python3 - "$d/specs/domains.yaml" <<'PY'
import sys
p = sys.argv[1]; docs = open(p).read().split('---\n')
open(p, 'w').write('---\n'.join(x for x in docs if 'name: db1' not in x))
PY
out=$("$vs" apply --all-hosts "${C[@]}" "$d/specs" 2>&1); rc=$?
ok "apply --all-hosts with kvm3 dead (no socket): exit 1, kvm1 still done" bash -c '[ "$1" = 1 ] && grep -q "^== kvm1 " <<<"$2"' _ "$rc" "$out"
ok "…kvm3's error under its heading" has "cannot connect to qemu\+unix:///system\?socket=$d/nosuch.sock"
ok "…kvm1, kvm2 still applied" has "^4 hosts: kvm1 applied, kvm2 applied, kvm3 failed, kvm4 applied$"
ok "…their domains created as placed" test "$(created_under_headings)" = "$(grep -v ' kvm3$' <<<"$want")"

# a host that accepts and never answers: plan --all-hosts is bounded (VIRTSPEC_FLEET_TIMEOUT), and
# SIGINT or SIGTERM of it takes the children along, and so does SIGKILL (which it cannot catch: the
# children die with their parent, PR_SET_PDEATHSIG)
mute_socket "$d/mute.sock"
# (lost, db1 still left out: the other hosts do not wait for it before their creates)
hosts "qemu+unix:///system?socket=$d/mute.sock" "lost: true
" > "$d/specs/hosts.yaml"
out=$(VIRTSPEC_FLEET_TIMEOUT=2 "$vs" plan --all-hosts "${C[@]}" "$d/specs" 2>&1); rc=$?
ok "a mute host: plan --all-hosts ends after the bound, kvm3 killed (exit 1)" \
    bash -c '[ "$1" = 1 ] && grep -q "no answer within 2 s (VIRTSPEC_FLEET_TIMEOUT): killed" <<<"$2"' _ "$rc" "$out"
for sig in INT TERM KILL; do
    VIRTSPEC_FLEET_TIMEOUT=120 "$vs" plan --all-hosts "${C[@]}" "$d/specs" > /dev/null 2>&1 & apid=$!
    seen=$(wait_for 10 pgrep -f "host kvm[3] .*$d/mute.sock" > /dev/null && echo yes)
    kill -s "$sig" "$apid"; wait "$apid"
    sleep 1
    ok "SIG$sig of plan --all-hosts: its child for kvm3 (seen: ${seen:-no}) is gone with it" \
        bash -c '[ "$1" = yes ] && ! pgrep -f "host kvm[3] .*$2/mute.sock" >/dev/null' _ "$seen" "$d"
    for p in $(pgrep -f "host kvm[3] .*$d/mute.sock"); do kill "$p"; done   # by pid, this test's only
done
kill $mute 2>/dev/null; wait $mute 2>/dev/null
hosts "$(u kvm3)" > "$d/specs/hosts.yaml"
cp "$d/domains.full" "$d/specs/domains.yaml"

# a Host without uri: reported, never skipped silently; the others done
hosts "$(u kvm3)" | sed "/^uri: .*kvm2.xml$/d" > "$d/specs/hosts.yaml"
out=$("$vs" plan --all-hosts "${C[@]}" "$d/specs" 2>&1); rc=$?
ok "kvm2 without uri: plan --all-hosts exit 1, the others planned" bash -c '[ "$1" = 1 ] && grep -q "^== kvm1 " <<<"$2"' _ "$rc" "$out"
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
out=$("$vs" fleet status "${C[@]}" "$d/specs" 2>&1)
ok "…fleet status (agentless too) does not call kvm1 failed for this machine's missing file" \
    has "^kvm1 +[0-9]+ +ok +0 +0 +0 +[0-9]+ +0 +0 +0 +stale$"
# (the running guests' taps of a network defined there are not checked either, with a warning
# too; the test driver cannot show it: it refuses the inactive network XML every pass reads)
# (a guard that the old behaviour stays: this one passes on the binary before agentless mode too)
out=$("$vs" plan --host kvm1 -c "$(u kvm1)" "${C[@]}" "$d/specs" 2>&1)
ok "…plan --host kvm1 -c URI (per-host mode, test driver) still checks the path here" \
    has "error: cdroms\[hdc\]\.path $d/nonexistent.iso: No such file or directory"

# the daemon: daemon --all-hosts runs a `daemon --host NAME -c URI` child per Host with a uri
rm -f "$d/specs/net.yaml"
python3 - "$d/specs/domains.yaml" <<'PY'
import sys
p = sys.argv[1]; docs = open(p).read().split('---\n')
open(p, 'w').write('---\n'.join(x for x in docs if 'name: iso1' not in x))
PY
# kvm3 dead and declared lost (db1, placed only there, left out): the others create theirs
hosts "qemu+unix:///system?socket=$d/nosuch.sock" "lost: true
" > "$d/specs/hosts.yaml"
python3 - "$d/specs/domains.yaml" <<'PY'
import sys
p = sys.argv[1]; docs = open(p).read().split('---\n')
open(p, 'w').write('---\n'.join(x for x in docs if 'name: db1' not in x))
PY
for h in kvm1 kvm2 kvm3 kvm4; do echo '<node></node>' > "$d/$h.xml"; done
daemon_checks() {
children() { pgrep -P "$sup" -a | grep -c " daemon --host "; }
in_sync() {   # in_sync HOST: its status file lists, in sync, the domains placement puts there
    python3 - "$d/run/status-$1.json" "$1" "$got" <<'PY'
import json, sys
try:
    doc = json.load(open(sys.argv[1]))
except Exception:
    sys.exit(1)
want = sorted(l.split()[0] for l in sys.argv[3].splitlines() if l.split()[1] == sys.argv[2])
have = sorted(o["name"] for o in doc["objects"] if o["kind"] == "Domain" and o["state"] == "in-sync")
sys.exit(have != want)
PY
}
four_children() { test "$(children)" = 4; }
ok "daemon --all-hosts: a child daemon per Host with a uri (kvm1…kvm4, kvm3 dead)" wait_for 20 four_children
for h in kvm1 kvm2 kvm4; do
    ok "…$h's own status file (status-$h.json): the domains placement puts there, in sync" wait_for 30 in_sync "$h"
done
ok "…kvm3 (no socket) retries in its own child, the others unaffected" wait_for 10 grep -q "\[kvm3\] .*cannot connect to qemu+unix" "$d/daemon.log"
ok "…the aggregated status names every host" wait_for 10 grep -q "^4 hosts: kvm1 running, kvm2 running, kvm3 running, kvm4 running$" "$d/daemon.log"
ok "…each child's lines say its host" grep -q "^\[kvm2\] Domain .*: + create" "$d/daemon.log"
# virtspec status reads the supervisor's status file: each Host's child's own file in turn
st() { out=$("$vs" status "${C[@]}" --status-file "$d/run/status.json" "$@" 2>&1); rc=$?; }
st
ok "status (the daemon's view): a block per Host, its domains' rows from that host's child" \
    bash -c '[ "$(grep -c "^== kvm[1-4] (test://\|^== kvm3 (qemu+unix" <<<"$1")" = 4 ]' _ "$out"
printf '%s\n' "$out" | head -n 12 | sed 's/^/# /'
w1=$(awk '$1 == "web1" {print $2}' <<<"$got")
ok "…web1 in sync under its host $w1's block" python3 -c '
import re, sys
blocks = re.split(r"^== ", sys.argv[1], flags=re.M)
sys.exit(not any(b.startswith(sys.argv[2] + " ") and re.search(r"^Domain +web1 +in-sync", b, re.M) for b in blocks))' "$out" "$w1"
st --json
ok "status --json: all_hosts, a host per Host with its own status document" python3 -c '
import json, sys
doc = json.loads(sys.argv[1])
names = [h["name"] for h in doc["hosts"]]
sys.exit(not (doc["all_hosts"] and names == ["kvm1", "kvm2", "kvm3", "kvm4"]
              and all(h["status"] is None or "objects" in h["status"] for h in doc["hosts"])
              and any(o["name"] == "web1" for h in doc["hosts"] if h["status"] for o in h["status"]["objects"])))' "$out"
st web1
ok "status web1: web1's row only, under its host" bash -c '[ "$(grep -c "^Domain" <<<"$1")" = 1 ] && grep -q "^Domain *web1 " <<<"$1"' _ "$out"
st nosuch
ok "status nosuch: no object of that name on any host (exit 1)" test "$rc" = 1
# what it costs: a process per host (the figure goes to the test log)
for p in $sup $(pgrep -P "$sup"); do
    echo "# pid $p: $(awk '/^Pss:/{print $2 " kB PSS"}' /proc/$p/smaps_rollup 2>/dev/null), $(awk '/^VmRSS:/{print $2 " kB RSS"}' /proc/$p/status): $(tr '\0' ' ' < /proc/$p/cmdline | cut -c1-60)"
done
k1=$(pgrep -P "$sup" -f "daemon --host kvm1 ")
kill -KILL "$k1"
ok "a child killed (SIGKILL): restarted with a backoff" wait_for 10 bash -c "pgrep -P $sup -f 'daemon --host kvm1 ' | grep -qvx $k1"
ok "…and said" grep -q "host kvm1: daemon ended (signal 9): restarted in 1 s" "$d/daemon.log"
hosts "qemu+unix:///system?socket=$d/nosuch.sock" |
    python3 -c 'import sys; print("---\n".join(x for x in sys.stdin.read().split("---\n") if "name: kvm2" not in x), end="")' > "$d/specs/hosts.yaml.new"
mv "$d/specs/hosts.yaml.new" "$d/specs/hosts.yaml"; chmod 0644 "$d/specs/hosts.yaml"
ok "kvm2's Host removed from the tree: its daemon is stopped" wait_for 15 bash -c "! pgrep -P $sup -f 'daemon --host kvm2 ' >/dev/null"
ok "…and said" grep -q "host kvm2: no \`kind: Host\` document names it now: its daemon is stopped" "$d/daemon.log"
ok "…the status names 3 hosts" wait_for 10 grep -q "^3 hosts: kvm1 running" "$d/daemon.log"
ok "…its status file is removed" wait_for 10 bash -c "! test -e '$d/run/status-kvm2.json'"
st
ok "…and virtspec status shows no kvm2" bash -c '! grep -q "^== kvm2" <<<"$1"' _ "$out"
kids=$(pgrep -P "$sup" | tr '\n' ' ')
kill -TERM "$sup"; wait "$sup"; src=$?
ok "SIGTERM of the service: exit 0 ($src)" test "$src" = 0
ok "…no child daemon left" bash -c "for p in $kids; do kill -0 \$p 2>/dev/null && exit 1; done; exit 0"
}
mkdir -m 0755 "$d/run"
VIRTSPEC_SUPERVISE_INTERVAL=1 "$vs" daemon --all-hosts "${C[@]}" --specs "$d/specs" \
    --status-file "$d/run/status.json" > "$d/daemon.log" 2>&1 & sup=$!
trap 'kill $sup 2>/dev/null; sleep 1; rm -rf "$d"' EXIT
sleep 1
if kill -0 "$sup" 2>/dev/null; then daemon_checks; else
    echo "FAIL - daemon --all-hosts did not start: $(head -3 "$d/daemon.log")"; fail=$((fail + 1))
fi

# ownership records are per Host when it is driven from here: a pool virtspec made on kvm1 does not
# make kvm2's own pool of that name look virtspec's (both were read through one state directory)
echo '<node></node>' > "$d/kvm1.xml"
echo '<node><pool type="dir"><name>images</name><target><path>/var/tmp</path></target></pool></node>' > "$d/kvm2.xml"
hosts "$(u kvm3)" > "$d/specs/hosts.yaml"
printf 'kind: Pool\nname: images\ntype: dir\npath: %s/images\n' "$d" > "$d/specs/pool.yaml"
chmod 0644 "$d/specs"/*.yaml
export VIRTSPEC_STATE_DIR=$d/state
"$vs" apply --all-hosts "${C[@]}" "$d/specs" > /dev/null 2>&1
ok "apply --all-hosts: kvm1's record of its pool images is its own (hosts/kvm1)" test -e "$d/state/hosts/kvm1/pools/images"
out=$("$vs" plan --all-hosts --json "${C[@]}" "$d/specs" 2>/dev/null)
ok "…kvm2's own pool images is still not virtspec's there (foreign-conflict)" python3 -c '
import json, sys
doc = json.loads(sys.argv[1])
h = [h for h in doc["hosts"] if h["name"] == "kvm2"][0]
o = [o for o in h["result"]["objects"] if o["kind"] == "Pool" and o["name"] == "images"][0]
sys.exit(o["state"] != "foreign-conflict")' "$out"
unset VIRTSPEC_STATE_DIR
rm -f "$d/specs/pool.yaml"

t "--all-hosts with --host: exit 1" 1 "--all-hosts and --host exclude each other" plan --all-hosts --host kvm1 "${C[@]}" "$d/specs"
t "--all-hosts with -t: exit 1, not yet" 1 "-t with --all-hosts is not supported yet" apply --all-hosts -t web1 "${C[@]}" "$d/specs"
rm "$d/specs/hosts.yaml"; sed -i '/placement/d' "$d/specs/domains.yaml"
t "a tree without Host documents: exit 1" 1 "the tree has no \`kind: Host\` document" apply --all-hosts "${C[@]}" "$d/specs"
finish
