#!/bin/bash
# Issue 6: a good spec applied, then that file edited to be invalid. `virtspec apply` and the
# daemon apply nothing from it (the domain's definition stays byte for byte), keep its last good
# version in force (no delete, no orphan), say the error (FILE:LINE:COL on stderr, status.json),
# and go on with the other specs: an edit in another file is applied.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir specs

wait_for() {   # wait_for SECONDS COMMAND…
    local end=$((SECONDS + $1)); shift
    while ! "$@" >/dev/null 2>&1; do [ $SECONDS -ge $end ] && return 1; sleep 0.1; done
}
write_spec() {   # write_spec FILE < content : write + rename, like an editor or git
    cat > "specs/.$1.tmp" && mv "specs/.$1.tmp" "specs/$1"
}
spec() {   # spec NAME TITLE [EXTRA-LINE]: a small shut-off domain
    printf 'kind: Domain\nname: %s\nmemory: 64MiB\ntitle: %s\nstate: shutoff\n%s' "$1" "$2" "${3:+$3
}"
}
title() { xpath "$(inactive_xml "$1")" 'string(/domain/title)'; }
title_is() { [ "$(title "$1")" = "$2" ]; }
status_field() {   # status_field NAME FIELD
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
o=[o for o in d["objects"] if o["name"]==sys.argv[2]]
print(o[0].get(sys.argv[3]) or "" if o else "")' status.json "$1" "$2"
}

spec vs-a one | write_spec a.yaml
spec vs-b one | write_spec b.yaml
vs apply specs
is "both specs applied" "0 one one" "$rc $(title vs-a) $(title vs-b)"
good_a=$(inactive_xml vs-a)

# Each way of breaking a.yaml, each time with an edit to b.yaml beside it. The broken versions
# also change a's title, which must not reach libvirt.
n=1
check_cli() {   # check_cli WHAT EXPECTED-DIAGNOSTIC
    n=$((n + 1))
    spec vs-b "cli$n" | write_spec b.yaml
    out=$("$VS" apply specs 2>err.txt); rc=$?
    is "apply, a.yaml $1: exit status 1" 1 "$rc"
    contains "…the diagnostic names the place ($2)" "$2" "$(cat err.txt)"
    is "…nothing of a.yaml is applied (vs-a's definition unchanged)" "$good_a" "$(inactive_xml vs-a)"
    is "…and the edit in b.yaml is applied" "cli$n" "$(title vs-b)"
}
printf 'kind: Domain\nname: vs-a\nmemory: lots\ntitle: broken\nstate: shutoff\n' | write_spec a.yaml
check_cli "has a wrong type" "a.yaml:3:9: error: 'memory' must be a size"
printf 'kind: Domain\nname: vs-a\nmemory: 64MiB\ntitle: broken\n\tstate: shutoff\n' | write_spec a.yaml
check_cli "has a tab" "a.yaml:5:1: error:"
printf 'kind: Domain\nname: vs-a\nmemory: 64MiB\ntitle: broken\nstate: shutoff\ncdroms: [{pa' | write_spec a.yaml
check_cli "is cut mid-write" "a.yaml:7:1: error: YAML syntax"
spec vs-a broken 'kernel: /nonexistent/vmlinuz' | write_spec a.yaml
check_cli "names a kernel that does not exist" \
    "a.yaml:6:9: error: kernel /nonexistent/vmlinuz: No such file or directory"
ok "vs-a was never deleted" virsh dominfo vs-a

# --- the daemon ---------------------------------------------------------------------------------
spec vs-a one | write_spec a.yaml
spec vs-b one | write_spec b.yaml
"$VS" daemon --specs "$WORK/specs" --status-file "$WORK/status.json" > daemon.log 2>&1 &
dpid=$!
ok "the daemon converges" wait_for 30 bash -c "[ \"\$(virsh dumpxml --inactive vs-b | grep -c '<title>one</title>')\" = 1 ]"
ok "…and writes its status" wait_for 30 test -s status.json
good_a=$(inactive_xml vs-a)

check_daemon() {   # check_daemon WHAT EXPECTED-ERROR-TEXT
    n=$((n + 1))
    spec vs-b "daemon$n" | write_spec b.yaml
    ok "daemon, a.yaml $1: the edit in b.yaml is applied" wait_for 30 title_is vs-b "daemon$n"
    ok "…status.json shows a.yaml's error on vs-a" wait_for 30 \
        bash -c "python3 -c 'import json,sys; d=json.load(open(\"status.json\")); o=[o for o in d[\"objects\"] if o[\"name\"]==\"vs-a\"]; sys.exit(0 if o and \"$2\" in (o[0].get(\"spec_error\") or o[0].get(\"error\") or \"\") else 1)'"
    is "…vs-a keeps its last good definition" "$good_a" "$(inactive_xml vs-a)"
    ok "…the daemon is alive" kill -0 $dpid
}
printf 'kind: Domain\nname: vs-a\nmemory: lots\ntitle: broken\nstate: shutoff\n' | write_spec a.yaml
check_daemon "has a wrong type" "must be a size"
printf 'kind: Domain\nname: vs-a\nmemory: 64MiB\ntitle: broken\nstate: shutoff\ncdroms: [{pa' | write_spec a.yaml
check_daemon "is cut mid-write" "flow"
spec vs-a broken 'kernel: /nonexistent/vmlinuz' | write_spec a.yaml
check_daemon "names a kernel that does not exist" "kernel /nonexistent/vmlinuz: No such file or directory"

spec vs-a fixed | write_spec a.yaml
ok "a.yaml fixed: it is applied again" wait_for 30 title_is vs-a fixed
ok "…and its error is gone from status.json" wait_for 30 bash -c "[ -z \"\$(python3 -c 'import json; d=json.load(open(\"status.json\")); print([o for o in d[\"objects\"] if o[\"name\"]==\"vs-a\"][0].get(\"spec_error\") or \"\")')\" ]"

kill -TERM $dpid; wait $dpid
is "the daemon exits cleanly" 0 "$?"
[ "$n_fail" -gt 0 ] && tail -30 daemon.log
finish
