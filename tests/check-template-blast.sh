#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# issue 19, blast radius (docs/templates.md): `apply` lists the objects a template edit restarts
# (reload: auto) before anything is done, and only those; `plan --json` has the blast radius
# (docs/json.md), for Network templates too and for any number of templates. The plan goldens'
# template cases (tests/golden/plan), against libvirt's in-process test driver.
# Usage: check-template-blast.sh VIRTSPEC SHIM GOLDEN-PLAN-DIR
. "$(dirname "$0")/check-lib.sh"
shim=${2:?usage: check-template-blast.sh VIRTSPEC SHIM GOLDEN-PLAN-DIR}
cases=${3:?usage: check-template-blast.sh VIRTSPEC SHIM GOLDEN-PLAN-DIR}
case $shim in /*) ;; *) shim=$PWD/$shim ;; esac
case $cases in /*) ;; *) cases=$PWD/$cases ;; esac
export LC_ALL=C.UTF-8 NO_COLOR=1
unset LIBVIRT_DEFAULT_URI VIRTSPEC_LOG_LEVEL

# run CASE COMMAND [ARGS…]: virtspec COMMAND on a copy of the golden plan case, stdout to $d/CASE.out
run() {
    local c=$1 cmd=$2; shift 2
    rm -rf "${d:?}/$c"; cp -r "$cases/$c" "$d/$c"; mkdir -p "$d/$c/state"
    # the shim goes into virtspec only (env after timeout): an ASan build's shim cannot load into
    # an uninstrumented timeout
    (cd "$d/$c" && timeout 60 env LD_PRELOAD="$shim" \
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" VIRTSPEC_STATE_DIR="$d/$c/state" \
        "$vs" "$cmd" --config /dev/null -c "test://$d/$c/node.xml" "$@" *.yaml) > "$d/$c.out" 2> "$d/$c.err"
}
# before FILE A B: the first line starting with A comes before the first line starting with B
before() {
    local a b
    a=$(grep -n -m1 -F -- "$2" "$1" | cut -d: -f1) b=$(grep -n -m1 -F -- "$3" "$1" | cut -d: -f1)
    [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
}
restarts() { grep -F 'will restart (reload: auto)' "$1"; }

run template-blast apply
cat "$d/template-blast.out"
ok "apply: the restart of db1 is announced, and nothing else" \
    test "$(restarts "$d/template-blast.out")" = "template web: 1 domain will restart (reload: auto): db1"
ok "…first, before any object's result" before "$d/template-blast.out" "template web:" "Domain web1 "
ok "…before db1's reload is done" before "$d/template-blast.out" "template web:" "  ↻ reload (reload: auto)"
ok "…and db1 is restarted as announced" grep -qx '  ↻ reload (reload: auto)' "$d/template-blast.out"

run template-blast-state apply
ok "apply: of three reload: auto domains, only the running one is announced (a stopped one, one the spec stops: not)" \
    test "$(restarts "$d/template-blast-state.out")" = "template web: 1 domain will restart (reload: auto): db1"

run template-edit apply
ok "apply: a template edit that restarts nothing: no announcement" bash -c '! grep -q "will restart" "$1"' _ "$d/template-edit.out"
ok "…the output starts with the first object" bash -c 'head -1 "$1" | grep -q "^Pool images "' _ "$d/template-edit.out"

run template-blast-network apply
ok "apply: a Network template's edit announces the network's restart first" \
    bash -c 'head -1 "$1" | grep -qx "template nat: 1 network will restart (reload: auto): lan"' _ "$d/template-blast-network.out"

run template-blast-many apply
ok "apply: 20 templates of one chain, each announced (more than 16)" test "$(restarts "$d/template-blast-many.out" | wc -l)" = 20

# plan --json: the blast radius, field by field
json_is() {   # json_is CASE PYTHON-EXPR: the expression over b (the blast_radius array) is true
    python3 -c 'import json, sys; b = json.load(open(sys.argv[1]))["blast_radius"]; sys.exit(0 if eval(sys.argv[2]) else 1)' "$d/$1.out" "$2"
}
run template-blast plan --json
ok "plan --json: blast_radius of the web template" json_is template-blast \
    'b == [{"template": "web", "file": "templates.yaml", "kind": "Domain", "count": 3, "live": 1, "reload_pending": 1, "restart": 1, "at_next_start": 0, "objects": ["web1", "web2", "db1"], "restarting": ["db1"]}]'
run template-blast-state plan --json
ok "plan --json: at_next_start counts the stopped domains" json_is template-blast-state \
    'len(b) == 1 and (b[0]["live"], b[0]["reload_pending"], b[0]["restart"], b[0]["at_next_start"]) == (0, 0, 1, 2) and b[0]["restarting"] == ["db1"]'
run template-blast-network plan --json
ok "plan --json: a Network template" json_is template-blast-network \
    'b == [{"template": "nat", "file": "templates.yaml", "kind": "Network", "count": 1, "live": 0, "reload_pending": 0, "restart": 1, "at_next_start": 0, "objects": ["lan"], "restarting": ["lan"]}]'
run template-blast-pool plan --json
ok "plan --json: a Pool template (reload-pending, never a restart)" json_is template-blast-pool \
    'b == [{"template": "dirs", "file": "templates.yaml", "kind": "Pool", "count": 1, "live": 0, "reload_pending": 1, "restart": 0, "at_next_start": 0, "objects": ["images"], "restarting": []}]'
run template-blast-many plan --json
ok "plan --json: all 20 templates" json_is template-blast-many '[t["template"] for t in b] == ["t%d" % k for k in range(1, 21)]'
run in-sync plan --json
ok "plan --json: no template: an empty blast_radius" json_is in-sync 'b == []'

# the daemon: the announcement in its log before the passes, at start and for each template edit
dpid=
trap '[ -n "$dpid" ] && kill -9 "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
chmod 0755 "$d"; mkdir -m 0755 "$d/daemon" "$d/daemon/s"
cp "$cases/template-blast/node.xml" "$d/daemon/"; cp "$cases/template-blast"/*.yaml "$d/daemon/s/"
chmod 0644 "$d/daemon/s"/*.yaml; : > "$d/daemon/empty.conf"
hold=$d/daemon/hold   # while it exists, db1's live memory change waits (the shim's SHIM_HOLD_*)
SHIM_HOLD_DOMAIN=db1 SHIM_HOLD_FILE=$hold LD_PRELOAD=$shim ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" VIRTSPEC_STATE_DIR=$d/daemon/state "$vs" daemon --config "$d/daemon/empty.conf" \
    -c "test://$d/daemon/node.xml" --specs "$d/daemon/s" --status-file "$d/daemon/status.json" > "$d/daemon.log" 2>&1 &
dpid=$!
log=$d/daemon.log
ok "daemon: the first pass is done" wait_for 20 grep -q "first pass over every object done" "$log"
ok "…db1's restart announced, and nothing else" test "$(restarts "$log")" = "template web: 1 domain will restart (reload: auto): db1"
ok "…before any change or action is logged" before "$log" "template web:" "Domain "
# edit 1: memory only (live everywhere): nothing restarts, nothing announced. db1's pass is held
# in flight (its memory change waits for $hold) while edit 2 comes
touch "$hold"
sed -i 's/^memory: 768MiB/memory: 896MiB/' "$d/daemon/s/templates.yaml"
ok "daemon, a live template edit: applied" wait_for 20 grep -q "web1: ~ memory: 768 MiB → 896 MiB" "$log"
ok "…no announcement" test "$(restarts "$log" | wc -l)" = 1
# edit 2: max_memory (config) while db1's pass of edit 1 is in flight: db1 restarts again,
# announced when that pass has ended, before the reload
n=$(grep -c "↻ reload" "$log")
sed -i 's/^max_memory: 1GiB/max_memory: 2GiB/' "$d/daemon/s/templates.yaml"
ok "daemon, a config template edit while db1's pass is in flight: web1 updated meanwhile" \
    wait_for 20 grep -q "web1: ~ max_memory: 1 GiB → 2 GiB" "$log"
ok "…db1's pass of edit 1 still in flight" bash -c '! grep -q "db1: ~ memory: 768 MiB → 896 MiB" "$1"' _ "$log"
rm -f "$hold"
ok "…db1 reloaded again when it has ended" wait_for 20 bash -c '[ "$(grep -c "↻ reload" "$1")" -gt "$2" ]' _ "$log" "$n"
ok "…announced once more" test "$(restarts "$log" | wc -l)" = 2
ok "…after edit 1's pass of db1, before that reload" bash -c 'a=$(grep -n "will restart" "$1" | tail -1 | cut -d: -f1); b=$(grep -n "↻ reload" "$1" | tail -1 | cut -d: -f1); c=$(grep -n "db1: ~ memory: 768 MiB → 896 MiB" "$1" | cut -d: -f1); [ "$c" -lt "$a" ] && [ "$a" -lt "$b" ]' _ "$log"
kill -TERM "$dpid"; wait "$dpid"; dpid=
cat "$log"
finish
