#!/bin/bash
# Issue 19, the daemon and templates: three running domains, two of them `from: [web]`, one not.
# The template's memory edited → exactly its two users change, live (memory within max_memory: the
# same domain ids), the third is left alone (its definition byte for byte, no libvirt event, not
# re-evaluated). The template broken (a bad value) → its users stay at their last good version,
# status shows the error (at the template's line), and the third goes on (an edit of its own spec
# is applied). The template fixed → its users converge to it.
. "$(dirname "$0")/lib.sh"
. "$TESTDIR/daemon-lib.sh"

mkdir specs/templates
write_template() {   # write_template < content: specs/templates/web.yaml, by write + rename
    cat > specs/templates/.web.yaml.tmp && mv specs/templates/.web.yaml.tmp specs/templates/web.yaml
}
web() {   # web MEMORY: the template
    printf 'kind: Template\nname: web\nmemory: %s\nmax_memory: 256MiB\nshutdown_timeout: 1\n' "$1" |
        write_template
}
web 128MiB
printf 'kind: Domain\nname: vs-w1\nfrom: [web]\n' | write_spec w1.yaml
printf 'kind: Domain\nname: vs-w2\nfrom: [web]\n' | write_spec w2.yaml
other() {   # other MEMORY: the domain that does not use the template (the same values as web's)
    printf 'kind: Domain\nname: vs-other\nmemory: %s\nmax_memory: 256MiB\nshutdown_timeout: 1\n' "$1" |
        write_spec other.yaml
}
other 128MiB
start_daemon
for d in vs-w1 vs-w2 vs-other; do
    ms=$(wait_for 60 running $d)
    ok "$d running (took ${ms} ms)" running $d
    ok "…in sync" wait_for 30 state_is $d in-sync
done
cur() { xpath "$(inactive_xml "$1")" 'string(/domain/currentMemory)'; }
cur_is() { [ "$(cur "$1")" = "$2" ]; }
is "the template's memory reached its users" "131072 131072" "$(cur vs-w1) $(cur vs-w2)"
is "…and its max_memory" 262144 "$(xpath "$(inactive_xml vs-w1)" 'string(/domain/memory)')"
ok "the daemon is idle" wait_for 30 reconciling vs-w1 False
sleep 1
id1=$(domid vs-w1) id2=$(domid vs-w2) ido=$(domid vs-other)
other_xml=$(inactive_xml vs-other)
other_live=$(live_xml vs-other)
ok "a libvirt event listener listens" listen_events events.log
log_before=$(wc -l < daemon.log)

# --- the template edited: its users change, live; the third does not ----------------------------
web 192MiB
ms=$(wait_for 30 cur_is vs-w1 196608)
ok "template memory 128 → 192 MiB: vs-w1 has it (took ${ms} ms)" cur_is vs-w1 196608
ok "…vs-w2 too" wait_for 30 cur_is vs-w2 196608
is "…live: the users kept their domain ids (no restart)" "$id1 $id2" "$(domid vs-w1) $(domid vs-w2)"
ok "…both in sync, nothing left pending" wait_for 30 bash -c \
    "[ \"\$(python3 -c 'import json; d=json.load(open(\"status.json\")); print(\" \".join(o[\"state\"] for o in d[\"objects\"] if o[\"name\"] in (\"vs-w1\",\"vs-w2\")))')\" = 'in-sync in-sync' ]"
sleep 2   # time for anything else the daemon would do
is "vs-other's definition is byte for byte what it was" "$other_xml" "$(inactive_xml vs-other)"
is "…its live definition too" "$other_live" "$(live_xml vs-other)"
is "…same domain id" "$ido" "$(domid vs-other)"
lacks "…no libvirt event about it" "vs-other" "$(cat events.log)"
dlog=$(tail -n +$((log_before + 1)) daemon.log)
contains "the daemon changed vs-w1" "vs-w1" "$dlog"
lacks "…and did not re-evaluate vs-other (only the template's users)" "vs-other" "$dlog"

# --- the template broken: its users hold their last good version, the third goes on ---------------
printf 'kind: Template\nname: web\nmemory: lots\nmax_memory: 256MiB\nshutdown_timeout: 1\n' |
    write_template
ok "the broken template's error reaches status.json" wait_for 30 grep -q "must be a size" status.json
ok "…among its spec errors, at the template's file and line" python3 -c 'import json,sys
d=json.load(open("status.json"))
sys.exit(0 if [e for e in d["spec_errors"] if e["file"].endswith("templates/web.yaml") and e["line"] == 3
              and "must be a size" in e["message"]] else 1)'
ok "…and on each user's row: held at its last good version by the template's file" python3 -c 'import json,sys
d=json.load(open("status.json"))
rows={o["name"]: o for o in d["objects"]}
held=lambda n: "held at its last good version" in (rows[n].get("spec_error") or "") and "web.yaml:3:" in rows[n]["spec_error"]
sys.exit(0 if held("vs-w1") and held("vs-w2") and not rows["vs-other"].get("spec_error") else 1)'
for d in vs-w1 vs-w2; do
    is "$d keeps its last good memory" 196608 "$(cur $d)"
    is "$d still runs, same domain id" "running $([ $d = vs-w1 ] && echo "$id1" || echo "$id2")" \
        "$(domstate $d) $(domid $d)"
done
ok "vs-w1 is not deleted" virsh dominfo vs-w1
contains "the daemon log names the template's line" "web.yaml:3:9" "$(cat daemon.log)"
other 160MiB
ms=$(wait_for 30 cur_is vs-other 163840)
ok "the third domain goes on: its own edit is applied (took ${ms} ms)" cur_is vs-other 163840
is "…live" "$ido" "$(domid vs-other)"
sleep 1
is "the users still hold their last good version meanwhile" "196608 196608" "$(cur vs-w1) $(cur vs-w2)"

# --- the template fixed: its users converge to it -------------------------------------------------
web 160MiB
ok "template fixed (160 MiB): vs-w1 has it" wait_for 30 cur_is vs-w1 163840
ok "…vs-w2 too" wait_for 30 cur_is vs-w2 163840
ok "…the error is gone from status" wait_for 30 bash -c "! grep -q 'must be a size' status.json"
is "…still live" "$id1 $id2" "$(domid vs-w1) $(domid vs-w2)"

kill $listener 2>/dev/null; wait $listener 2>/dev/null
kill -TERM $dpid 2>/dev/null; wait $dpid 2>/dev/null
kill $npid 2>/dev/null
for d in vs-w1 vs-w2 vs-other; do virsh destroy $d >/dev/null 2>&1; virsh undefine $d >/dev/null 2>&1; done
finish
