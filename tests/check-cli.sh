#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The command line (issue 14, items 5, 7-10): each command accepts only its own options, one
# configuration file for the CLI and the daemon, orphans in plan/status and apply --prune, the
# JSON schema of plan/apply/status, and selecting objects by name against the whole tree. Runs
# against libvirt's in-process test driver: no daemon, no root needed.
# Usage: check-cli.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
chmod 0755 "$d"; mkdir -m 0755 "$d/specs"
printf 'kind: Pool\nname: p\npath: /srv/p\n' > "$d/specs/p.yaml"
chmod 0644 "$d/specs/p.yaml"
# every test names its configuration file: the host's /etc/virtspec.conf must not leak in
: > "$d/empty.conf"
C=(--config "$d/empty.conf")

## item 8: each command accepts only its own options
t "validate refuses --show-secrets" 1 "virtspec: validate: option --show-secrets does not apply to this command" \
    validate "${C[@]}" --show-secrets "$d/specs"
t "validate refuses --prune" 1 "virtspec: validate: option --prune does not apply" validate "${C[@]}" --prune "$d/specs"
t "validate refuses --vagrant" 1 "option --vagrant does not apply" validate "${C[@]}" --vagrant "$d/specs"
t "render refuses -c" 1 "virtspec: render: option --connect does not apply" render "${C[@]}" -c test:///default "$d/specs"
t "reference refuses --json" 1 "virtspec: reference: option --json does not apply" reference --json
t "export refuses --drift" 1 "virtspec: export: option --drift does not apply" export --drift report -c test:///default test
t "status refuses --prune" 1 "virtspec: status: option --prune does not apply" status "${C[@]}" --prune -c test:///default "$d/specs"
t "validate alone is fine" 0 "1 spec in 1 file: valid" validate "${C[@]}" "$d/specs"
t "render takes --show-secrets and --host-kvm" 0 "<pool" render "${C[@]}" --show-secrets --host-kvm=no "$d/specs"
t "options may follow the paths" 1 "option --prune does not apply" validate "${C[@]}" "$d/specs" --prune
# "--": every word after it is a path (it made the option loop spin for ever: timeout's 124)
for words in "validate -- $d/specs" "-- validate $d/specs" "validate $d/specs --"; do
    # shellcheck disable=SC2086   # the words split on purpose
    out=$(timeout 10 "$vs" --config "$d/empty.conf" $words 2>&1); rc=$?
    if [ "$rc" = 0 ] && printf '%s' "$out" | grep -qF "1 spec in 1 file: valid"; then
        echo "ok - virtspec $words"; pass=$((pass + 1))
    else
        echo "FAIL - virtspec $words (status $rc): $out"; fail=$((fail + 1))
    fi
done

## item 5: one configuration file for the CLI and the daemon; flags win; SIGHUP rereads it
cat > "$d/vs.conf" <<E
specs = $d/specs
connect = test:///default
status_file = $d/status.json
E
t "plan reads specs and connect from --config" 2 "+ create" plan --config "$d/vs.conf"
t "a flag wins over the file" 1 "cannot connect to test:///nonexistent-file.xml" \
    plan --config "$d/vs.conf" -c test:///nonexistent-file.xml
t "a PATH wins over specs =" 1 "$d/none" plan --config "$d/vs.conf" "$d/none"
# a status file with the pid of a live process: status shows that daemon's view
printf '{"schema_version": 1, "source": "daemon", "pid": %d, "summary": "1 spec: 1 in sync", "objects": [{"kind": "Pool", "name": "p", "state": "in-sync"}], "spec_errors": []}\n' $$ > "$d/status.json"
t "status finds the daemon through status_file in the configuration" 0 "daemon (pid $$): 1 spec: 1 in sync" \
    status --config "$d/vs.conf"
printf 'specs = %s\nbogus = 1\n' "$d/specs" > "$d/bad.conf"
t "an unknown key is an error naming file:line" 1 "$d/bad.conf:2: unknown key 'bogus'" validate --config "$d/bad.conf"
t "…and the daemon exits 78 (EX_CONFIG: the unit does not restart it)" 78 "$d/bad.conf:2: unknown key 'bogus'" \
    daemon -c test:///default --config "$d/bad.conf"
printf 'prune_grace = 86401\n' > "$d/bad-grace.conf"
t "prune_grace above a day (86400 s) is a bad value naming file:line" 1 \
    "$d/bad-grace.conf:1: bad value for prune_grace: '86401'" validate --config "$d/bad-grace.conf"
t "--config FILE must exist" 1 "cannot read $d/missing.conf" validate --config "$d/missing.conf"
t "every command takes --config" 0 "" reference --config "$d/vs.conf"
if [ ! -e /etc/virtspec.conf ]; then
    mkdir -m 0755 "$d/old"; printf 'bogus = 1\n' > "$d/old/virtspec.conf"
    t "the old location in the spec tree is still read, with a deprecation warning" 78 \
        "reading the configuration from $d/old/virtspec.conf, inside the spec tree: deprecated, move it to /etc/virtspec.conf" \
        daemon -c test:///default --specs "$d/old"
else
    echo "ok - # SKIP the old location: this host has /etc/virtspec.conf"
fi
# the daemon rereads the file on SIGHUP (systemctl reload)
cat > "$d/daemon.conf" <<E
specs = $d/specs
connect = test:///default
status_file = $d/status-a.json
E
"$vs" daemon --config "$d/daemon.conf" > "$d/daemon.log" 2>&1 &
dpid=$!
trap 'kill "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
ok "the daemon reads specs, connect and status_file from --config" wait_for 10 test -s "$d/status-a.json"
sed -i "s|status-a.json|status-b.json|" "$d/daemon.conf"
kill -HUP "$dpid"
ok "after SIGHUP it writes the status_file the configuration now names" wait_for 10 test -s "$d/status-b.json"
echo 'concurrency = 0' >> "$d/daemon.conf"
kill -HUP "$dpid"
ok "a bad value on SIGHUP is logged, the daemon keeps running" \
    wait_for 10 grep -q "daemon.conf:4: bad value for concurrency" "$d/daemon.log"
ok "…and it still runs" kill -0 "$dpid"
kill -TERM "$dpid"; wait "$dpid"; rc=$?
ok "the daemon exits cleanly" test "$rc" = 0

## item 7: plan and status agree on orphans; apply --prune prunes with the daemon's rules
# libvirt's test driver, from a file: web2 carries virtspec's metadata (owned), foreign does not
mkdir -m 0755 "$d/o"
owned_node_xml foreign > "$d/o/node.xml"
# orphans and --prune are against the configured spec tree (here o.conf's, o2.conf's) only
printf 'specs = %s\n' "$d/o/specs" > "$d/o.conf"; printf 'specs = %s\n' "$d/o/specs2" > "$d/o2.conf"
O=(--config "$d/o.conf" -c "test://$d/o/node.xml")
O2=(--config "$d/o2.conf" -c "test://$d/o/node.xml")
mkdir -m 0755 "$d/o/specs" "$d/o/specs2"
# (no spec at all in specs: the apply's libvirt changes are the prune's alone)
printf 'kind: Domain\nname: web2\nmemory: [\n' > "$d/o/specs2/broken.yaml"
chmod 0644 "$d/o/specs2"/*.yaml
t "status says the owned domain without a spec is orphaned (exit 2)" 2 "Domain  web2  orphaned" status "${O[@]}" "$d/o/specs"
t "plan shows the orphan and exits 2 like status" 2 "- orphan web2 (spec removed; --prune would shut it down and undefine it, volumes kept)" \
    plan "${O[@]}" "$d/o/specs"
out=$("$vs" plan "${O[@]}" "$d/o/specs" 2>&1)
ok "a domain virtspec does not own is never an orphan" bash -c "! grep -q foreign <<<'$out'"
t "plan --prune shows the prune" 2 "- prune web2 (spec removed: undefine, volumes kept; NVRAM and TPM state kept)" \
    plan --prune "${O[@]}" "$d/o/specs"
t "apply without --prune keeps the orphan" 0 "- orphan web2" apply "${O[@]}" "$d/o/specs"
t "apply --prune stops and undefines it (2 libvirt changes: shutdown, undefine)" 0 "= pruned" apply --prune "${O[@]}" "$d/o/specs"
t "…counted" 0 "0 objects, 2 libvirt changes" apply --prune "${O[@]}" "$d/o/specs/"
t "apply --prune prunes nothing when a spec file was rejected (it may declare the domain)" 1 \
    "! not pruned: 1 spec file rejected" apply --prune "${O2[@]}"
t "…and makes no libvirt change for it" 1 "0 objects, 0 libvirt changes" apply --prune "${O2[@]}" "$d/o/specs2"

# the prune's shutdown is the engine's (domain_stop): a crashed orphan gets no ACPI request; one
# whose QEMU still runs (the test driver's crashed domain is active) is forced off, then undefined:
# undefining it alone would leave it running, transient (two libvirt changes)
mkdir -m 0755 "$d/cr" "$d/cr/specs"
owned_node_xml | sed "s|</metadata>|</metadata><test:runstate xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>6</test:runstate>|" > "$d/cr/node.xml"
printf 'specs = %s\n' "$d/cr/specs" > "$d/cr.conf"
t "plan --prune of a crashed orphan whose QEMU runs: forced off, no ACPI request" 2 \
    "stop (crashed, its QEMU still running: forced off)" plan --prune --config "$d/cr.conf" -c "test://$d/cr/node.xml" "$d/cr/specs"
ok "…and no ACPI shutdown is planned for it" bash -c '! grep -q "stop (ACPI" <<<"$1"' _ "$out"
t "apply --prune of it: forced off, then undefined (2 libvirt changes)" 0 \
    "0 objects, 2 libvirt changes" apply --prune --config "$d/cr.conf" -c "test://$d/cr/node.xml" "$d/cr/specs"

## issue 18: glyphs follow the locale's character set (reconciler/term.h): ASCII under LC_ALL=C
mkdir -m 0755 "$d/lc"
owned_node_xml > "$d/lc/node.xml"
printf 'kind: Domain\nname: web2\nmemory: 128 MiB\nstate: paused\n' > "$d/lc/web2.yaml"
printf 'kind: Pool\nname: p\npath: /srv/p\n' > "$d/lc/p.yaml"
chmod 0644 "$d/lc"/*.yaml
L=(plan "${C[@]}" -c "test://$d/lc/node.xml" "$d/lc")
ascii=$(LC_ALL=C "$vs" "${L[@]}" 2>&1)
utf8=$(LC_ALL=C.UTF-8 "$vs" "${L[@]}" 2>&1)
ok "LC_ALL=C: plan prints '> start', '|| suspend' and '->'" bash -c 'grep -qx "  > start" <<<"$1" &&
    grep -qx "  || suspend" <<<"$1" && grep -qF "~ memory: 64 MiB -> 128 MiB (live)" <<<"$1"' _ "$ascii"
ok "LC_ALL=C: no byte outside ASCII in the plan" bash -c '! LC_ALL=C grep -q "[^ -~]" <<<"$1"' _ "$ascii"
ok "LC_ALL=C.UTF-8: plan prints '▶ start', '‖ suspend' and '→'" bash -c 'grep -qx "  ▶ start" <<<"$1" &&
    grep -qx "  ‖ suspend" <<<"$1" && grep -qF "~ memory: 64 MiB → 128 MiB (live)" <<<"$1"' _ "$utf8"
out=$(LC_ALL=C "$vs" reload "${C[@]}" -c "test://$d/lc/node.xml" web2 2>&1)
ok "LC_ALL=C: reload prints '# stop (...), > start'" grep -qx "Domain web2: # stop (ACPI shutdown, forced after 60 s), > start" <<<"$out"

## item 9: plan/apply/status --json, one versioned schema, documented in docs/json.md
docs=$(cd "$(dirname "$0")/.." && pwd)/docs/json.md
# jcheck FILE PYTHON-EXPRESSION: the expression (on j, the parsed document) is true
jcheck() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$@" 2>/dev/null; }
"$vs" plan --json "${C[@]}" -c test:///default "$d/specs" > "$d/plan.json"; rc=$?
ok "plan --json exits 2 (changes) and prints one JSON document" bash -c "[ $rc = 2 ] && python3 -m json.tool '$d/plan.json' >/dev/null"
ok "…schema_version 1, command plan, source one-shot" jcheck "$d/plan.json" 'j["schema_version"] == 1 and j["command"] == "plan" and j["source"] == "one-shot"'
ok "…the pool is missing, with its actions" jcheck "$d/plan.json" \
    'any(o["kind"] == "Pool" and o["name"] == "p" and o["state"] == "missing" and "+ create (and build /srv/p)" in o["actions"] for o in j["objects"])'
"$vs" apply --json "${C[@]}" -c test:///default "$d/specs" > "$d/apply.json"; rc=$?
ok "apply --json: command apply, the last action recorded" bash -c "[ $rc = 0 ] && python3 -c '
import json; j = json.load(open(\"$d/apply.json\"))
assert j[\"command\"] == \"apply\" and j[\"objects\"][0][\"last_action\"] == \"▶ start\"'"
"$vs" status --json "${C[@]}" -c test:///default --status-file "$d/no-daemon.json" "$d/specs" > "$d/status-one.json"
# the daemon above wrote status-b.json for the same tree
ok "status --json (one-shot) has the daemon status file's top-level fields" python3 -c '
import json, sys; a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
sys.exit(0 if sorted(a) == sorted(b) else print(sorted(a), sorted(b)) or 1)' "$d/status-one.json" "$d/status-b.json"
ok "…and every object field of it" python3 -c '
import json, sys; a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
ka = sorted(a["objects"][0]); kb = sorted(b["objects"][0])
sys.exit(0 if ka == kb else print(ka, kb) or 1)' "$d/status-one.json" "$d/status-b.json"
# one-shot status (and plan) --json shows a running domain's addresses, as the daemon's status
# file does (the test driver's domain "test" has a lease 192.168.122.3/24)
mkdir -m 0755 "$d/adr"; printf 'kind: Domain\nname: test\nadopt: true\n' > "$d/adr/t.yaml"; chmod 0644 "$d/adr/t.yaml"
"$vs" status --json "${C[@]}" -c test:///default --status-file "$d/no-daemon.json" "$d/adr" > "$d/status-adr.json"
ok "status --json (one-shot) shows a running domain's addresses" jcheck "$d/status-adr.json" \
    '[o["addresses"] for o in j["objects"] if o["name"] == "test"] == [["192.168.122.3/24"]]'
ok "the daemon's status file says schema_version 1" jcheck "$d/status-b.json" 'j["schema_version"] == 1 and j["source"] == "daemon"'
printf 'kind: Domain\nname: sec\nmemory: 64MiB\ngraphics: {type: vnc, passwd: hunter22}\n' > "$d/specs/sec.yaml"
printf 'kind: Domain\nname: bad\nmemory: lots\n' > "$d/specs/bad.yaml"; chmod 0644 "$d/specs"/*.yaml
printf 'specs = %s\n' "$d/specs" > "$d/s.conf"
"$vs" plan --json --config "$d/s.conf" -c "test://$d/o/node.xml" > "$d/plan2.json" 2>/dev/null
ok "plan --json with a rejected file: still one document, the error in spec_errors" jcheck "$d/plan2.json" \
    'any(e["level"] == "error" and e["file"].endswith("bad.yaml") for e in j["spec_errors"])'
ok "…the orphan in it, state orphaned" jcheck "$d/plan2.json" 'any(o["name"] == "web2" and o["state"] == "orphaned" for o in j["objects"])'
ok "no secret in the JSON" bash -c "! grep -q hunter22 '$d/plan2.json'"
mkdir -m 0755 "$d/o/specs3"
printf 'kind: Domain\nname: web2\nmemory: 128MiB\n' > "$d/o/specs3/web2.yaml"; chmod 0644 "$d/o/specs3/web2.yaml"
"$vs" plan --json "${C[@]}" -c "test://$d/o/node.xml" "$d/o/specs3" > "$d/plan3.json" 2>/dev/null
ok "plan --json lists each change: op, path, old, new, class" jcheck "$d/plan3.json" \
    '{"op": "set", "path": "memory", "old": "64 MiB", "new": "128 MiB", "class": "live", "secret": False} in j["objects"][0]["changes"]'
ok "every field is documented in docs/json.md" python3 -c '
import json, sys
doc = open(sys.argv[1]).read(); keys = set()
for f in sys.argv[2:]:
    j = json.load(open(f)); keys |= set(j)
    for o in j["objects"]:
        keys |= set(o)
        for c in o["changes"]: keys |= set(c)
    for e in j["spec_errors"]: keys |= set(e)
missing = [k for k in sorted(keys) if "| `%s` |" % k not in doc]
sys.exit(0 if not missing else print("undocumented:", missing) or 1)' "$docs" "$d/plan.json" "$d/plan2.json" "$d/plan3.json" "$d/status-b.json"
rm "$d/specs/sec.yaml" "$d/specs/bad.yaml"

## item 10: objects selected by name against the whole tree; PATH files and derivations
mkdir -m 0755 "$d/t"
printf 'kind: Network\nname: net\nforward: nat\nip: 10.20.30.1/24\ndhcp: {}\n' > "$d/t/10-net.yaml"
printf 'kind: Domain\nname: db\nmemory: 64MiB\ngraphics: {type: none}\ninterfaces:\n  - {ip: 10.20.30.5}\n' > "$d/t/30-db.yaml"
chmod 0644 "$d/t"/*.yaml
printf 'specs = %s\nconnect = test:///default\nstatus_file = %s/none.json\n' "$d/t" "$d" > "$d/t.conf"
T=(--config "$d/t.conf")
t "a file of another tree read alone: the derived network is a warning, not silent" 2 \
    "30-db.yaml:6:10: warning: network vs-10.20.30.0-24 is derived for this address: no spec read declares its subnet" \
    plan "${C[@]}" -c test:///default "$d/t/30-db.yaml"
t "a file of the spec tree is planned against the whole tree: db stays on net" 2 "Domain db ($d/t/30-db.yaml:1)" \
    plan "${T[@]}" "$d/t/30-db.yaml"
out=$("$vs" plan "${T[@]}" "$d/t/30-db.yaml" 2>&1)
ok "…no network derived, no warning" bash -c "! grep -qE 'vs-10.20.30|warning' <<<'$out'"
out=$("$vs" render "${T[@]}" "$d/t" 2>&1)
ok "…(the tree puts db on net)" grep -q "<source network=\"net\"/>" <<<"$out"
t "plan -t Domain/db: db" 2 "Domain db (" plan "${T[@]}" -t Domain/db
t "…with the network its ip: reserves an address in (the reservation is the network's)" 2 "Network net (" plan "${T[@]}" -t Domain/db
printf 'kind: Pool\nname: tp\npath: /srv/tp\n' > "$d/t/00-pool.yaml"; chmod 0644 "$d/t/00-pool.yaml"
out=$("$vs" plan "${T[@]}" -t Domain/db 2>&1)
ok "…nothing else" bash -c "! grep -q 'Pool tp' <<<'$out'"
out=$("$vs" plan "${T[@]}" -t Pool/tp 2>&1)
ok "plan -t Pool/tp: only the pool" bash -c "grep -q 'Pool tp' <<<'$out' && ! grep -qE 'Network|Domain' <<<'$out'"
rm "$d/t/00-pool.yaml"
t "plan -t net (any kind), repeatable" 2 "Network net (" plan "${T[@]}" -t net -t domain/db
t "an unknown name is an error" 1 "virtspec: no object Domain/nope in the spec tree" plan "${T[@]}" -t Domain/nope
t "a bad kind is an error" 1 "bad target 'Disk/x'" plan "${T[@]}" -t Disk/x
t "apply -t applies only the selected object" 0 "1 object, " apply "${T[@]}" -t Network/net
t "status NAME (one-shot): that object" 2 "Domain  db    missing" status "${T[@]}" db
out=$("$vs" status "${T[@]}" db 2>&1)
ok "…only it" bash -c "! grep -q 'Network' <<<'$out'"
out=$("$vs" plan "${O[@]}" "$d/t/30-db.yaml" 2>&1)
ok "a file read alone is no tree: no orphans with it" bash -c "! grep -q orphan <<<'$out'"
t "…not even when named: -t selects among the tree's orphans, and the tree was not read" 1 \
    "virtspec: no object Domain/web2 in the spec tree" plan "${O[@]}" "$d/t/30-db.yaml" -t Domain/web2
t "status NAME reads the daemon's view too" 0 "Pool  p     in-sync" status --config "$d/vs.conf" p
printf '{"schema_version": 1, "source": "daemon", "pid": %d, "summary": "2 specs", "objects": [{"kind": "Pool", "name": "p", "state": "in-sync"}, {"kind": "Domain", "name": "x", "state": "failed"}], "spec_errors": []}\n' $$ > "$d/status.json"
t "…filtered: x failed is not p's business" 0 "Pool  p     in-sync" status --config "$d/vs.conf" Pool/p
t "…and an unknown name there is an error" 1 "no object Domain/nope" status --config "$d/vs.conf" Domain/nope
# the table (issue 18): a header, the addresses, the age of the last change, details under the row
printf '{"schema_version": 1, "source": "daemon", "pid": %d, "summary": "2 specs", "objects": [{"kind": "Network", "name": "lab", "state": "in-sync", "addresses": ["10.77.0.1/24"], "last_action_time": "%s"}, {"kind": "Domain", "name": "web", "state": "reload-pending", "addresses": [], "reload_pending": ["video.type"], "last_action_time": null}], "spec_errors": []}\n' $$ "$(date -u -d '-185 sec' +%FT%TZ)" > "$d/status-t.json"
t "status: a table with a header" 2 "KIND     NAME  STATE           ADDRESSES     CHANGED" status --status-file "$d/status-t.json"
t "…a row with the addresses and the age of the last change" 2 "Network  lab   in-sync         10.77.0.1/24  3 min ago" status --status-file "$d/status-t.json"
t "…no last change: -" 2 "Domain   web   reload-pending  -             -" status --status-file "$d/status-t.json"
t "…what is pending under its row" 2 "         pending: video.type" status --status-file "$d/status-t.json"
out=$(NO_COLOR= TERM=xterm "$vs" status --status-file "$d/status-t.json" 2>&1)
ok "…no colour off a terminal" bash -c "! grep -q $'\033' <<<'$out'"
# on a terminal (script(1) gives it one): sized to its width, colour on the state unless NO_COLOR
sed -i 's/"name": "lab"/"name": "a-network-with-a-very-long-name"/' "$d/status-t.json"
tty_status() {   # tty_status COLUMNS [ENV...]
    local cols=$1; shift
    LC_ALL=C.UTF-8 TERM=xterm script -qec "stty cols $cols; env $* $vs status --status-file $d/status-t.json" /dev/null
}
out=$(tty_status 200 -u NO_COLOR)
ok "…on a wide terminal the name is whole" grep -q 'a-network-with-a-very-long-name' <<<"$out"
ok "…and the state is coloured" grep -qF $'\033[32min-sync\033[0m' <<<"$out"
out=$(tty_status 60 -u NO_COLOR)
ok "…on a 60-column terminal the name is cut with …" grep -q '^Network  a-network[a-z-]*…  ' <<<"$out"
ok "…and the rows fit" bash -c "! sed 's/\x1b\[[0-9;]*m//g; s/\r//' <<<'$out' | grep -E '^(KIND|Network|Domain)' | grep -qE '^.{61}'"
out=$(tty_status 200 NO_COLOR=1)
ok "…NO_COLOR: no colour on a terminal either" bash -c "! grep -q $'\033' <<<'$out'"
"$vs" status --json --config "$d/vs.conf" x > "$d/st-x.json"
ok "…status --json NAME: the daemon's document with that object only" \
    jcheck "$d/st-x.json" '[o["name"] for o in j["objects"]] == ["x"]'

## issue 18: version, errors that say virtspec (not argv[0]'s path), every command in --help
lib=$(pkg-config --modversion libvirt)
t "--version: virtspec's version" 0 "virtspec $(sed -n "s/^  version : '\(.*\)',$/\1/p" "$(dirname "$0")/../meson.build")" --version
t "--version: the libvirt library's version" 0 "libvirt library $lib" --version
t "version -c URI: the daemon's version and the hypervisor behind the connection" 0 \
    "libvirt daemon $lib at test:///default (TEST " version "${C[@]}" -c test:///default
t "version: the connection from the configuration file" 0 "libvirt daemon $lib at test:///default" \
    version --config "$d/vs.conf"
t "version: a connection that fails is an error (exit 1), after the local versions" 1 \
    "virtspec: cannot connect to test:///$d/none.xml" version "${C[@]}" -c "test:///$d/none.xml"
t "…which it printed all the same" 1 "libvirt library $lib" version "${C[@]}" -c "test:///$d/none.xml"
t "version takes no arguments" 1 "virtspec: version takes no arguments" version "${C[@]}" x
t "version refuses --json" 1 "virtspec: version: option --json does not apply" version --json
# every error path of main: the message starts with "virtspec:" (a hint or the usage may follow),
# never with the binary's path
ln -s "$vs" "$d/some-other-name"
errs() {   # errs DESCRIPTION EXPECTED-STATUS ARGS…: each stderr line that is not a hint starts with virtspec:
    local what=$1 want=$2; shift 2
    err=$("$d/some-other-name" "$@" 2>&1 >/dev/null); rc=$?
    first=$(head -1 <<<"$err")
    if [ "$rc" = "$want" ] && [[ $first == virtspec:* ]] && [[ $err != *some-other-name* ]] &&
       ! grep -qE '^(error|warning):' <<<"$err"; then
        echo "ok - $what"; pass=$((pass + 1))
    else
        echo "FAIL - $what (status $rc, wanted $want): $err"; fail=$((fail + 1))
    fi
}
errs "an unknown long option" 1 --bogus
errs "an unknown short option" 1 -x validate
errs "a short option without its argument" 1 plan -c
errs "a long option without its argument" 1 plan --connect
errs "-t without its argument" 1 status -t
errs "--host-kvm with a bad value" 1 render --host-kvm=maybe
errs "--libvirt-version with a bad value" 1 render --libvirt-version=9
errs "--libvirt-version is render's only" 1 plan --libvirt-version=9.0
errs "no command" 1
errs "an unknown command" 1 frob
errs "an option the command does not take" 1 validate --json
errs "--config FILE that does not exist" 1 validate --config "$d/missing.conf"
errs "a bad configuration file" 1 validate --config "$d/bad.conf"
errs "the daemon with a bad configuration file (EX_CONFIG)" 78 daemon -c test:///default --config "$d/bad.conf"
errs "--drift with a bad value" 1 plan "${C[@]}" --drift sideways
errs "daemon --drift with a bad value" 78 daemon "${C[@]}" -c test:///default --drift sideways
errs "reference with an argument" 1 reference x
errs "reload without a name" 1 reload "${C[@]}" -c test:///default
errs "export without a name" 1 export "${C[@]}" -c test:///default
errs "destroy --prune (not a destroy option)" 1 destroy "${C[@]}" -c test:///default --prune
errs "plan --yes (only destroy takes it)" 1 plan "${C[@]}" -c test:///default --yes
errs "a bad target" 1 plan "${C[@]}" -c test:///default -t Bogus/x "$d/specs"
errs "a connection that fails" 1 plan "${C[@]}" -c "bogus:///x" "$d/specs"
t "--help lists every command, reference and version too" 0 "" --help
help=$out
for c in validate render plan apply destroy reload status daemon export reference version; do
    ok "…$c in --help" grep -qE "^  $c( |$)" <<<"$help"
    t "…and $c --help is its own" 0 "Usage: virtspec $c" "$c" --help
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
