#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# plan --json and apply --json: each object's `action_items` carry the engine's Action field by
# field (op, kind, object, key, from, to, class, reason) with its display line as `text`, the
# same string as in `actions`; a consumer reads them with python3's json (docs/json.md,
# "Action items"), and no graphics password is anywhere in either document (as in check-secrets.sh).
# libvirt's in-process test driver. Usage: check-json-actions.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
# jcheck FILE PYTHON-EXPRESSION: true on j, the parsed document; item(j, KIND, NAME, OP) is the
# first action item of that op on that object
jcheck() {
    python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
def item(j, kind, name, op):
    for o in j["objects"]:
        if o["kind"] == kind and o["name"] == name:
            for a in o["action_items"]:
                if a["op"] == op:
                    return a
    return None
r = eval(sys.argv[2])
if not r:
    print("    | " + json.dumps([o.get("action_items") for o in j["objects"]], ensure_ascii=False))
sys.exit(0 if r else 1)' "$@"
}
export VIRTSPEC_STATE_DIR=$d/state LC_ALL=C.UTF-8
chmod 0755 "$d"; mkdir -m 0755 "$d/specs" "$d/pooldir"
chmod 0700 "$d/pooldir"
: > "$d/empty.conf"
pw=Kv8dQ2xZ
# a pool on an existing directory whose mode the spec changes (a set with from and to), a domain
# with a graphics password that is created, autostarted and started
printf 'kind: Pool\nname: p\npath: %s\nmode: "0750"\n' "$d/pooldir" > "$d/specs/p.yaml"
printf 'kind: Domain\nname: web\nmemory: 64MiB\nautostart: true\nstate: running\ngraphics: {type: vnc, passwd: %s}\n' \
    "$pw" > "$d/specs/web.yaml"
chmod 0644 "$d"/specs/*.yaml

for cmd in plan apply; do
    "$vs" $cmd --json --config "$d/empty.conf" -c test:///default "$d/specs" > "$d/$cmd.json" 2> "$d/$cmd.err"
    rc=$?
    ok "$cmd --json: one JSON document (exit $rc)" python3 -m json.tool "$d/$cmd.json" /dev/null
    ok "…every object has action_items, as many as actions, each text its actions line" jcheck "$d/$cmd.json" '
all(len(o["action_items"]) == len(o["actions"]) and
    [a["text"] for a in o["action_items"]] == o["actions"] for o in j["objects"])'
    ok "…every item has every field" jcheck "$d/$cmd.json" '
all(sorted(a) == sorted(["op", "kind", "object", "key", "from", "to", "class", "reason", "text"])
    for o in j["objects"] for a in o["action_items"])'
    ok "…the pool's create: op, kind, object, reason" jcheck "$d/$cmd.json" '
(lambda a: a and a["kind"] == "Pool" and a["object"] == "p" and a["key"] is None and
 a["reason"] == "and build '"$d/pooldir"'" and a["class"] is None and a["text"].startswith("+ create"))(item(j, "Pool", "p", "create"))'
    ok "…the pool directory's mode: a set with key, from, to, class and reason" jcheck "$d/$cmd.json" '
(lambda a: a and a["key"] == "directory '"$d/pooldir"'" and a["from"] == "mode 0700" and a["to"] == "0750"
 and a["class"] == "none" and a["reason"] == "declared in the spec")(item(j, "Pool", "p", "set"))'
    ok "…the domain's autostart: a set of class live, from null (plan) or false (apply), to true" jcheck "$d/$cmd.json" '
(lambda a: a and a["kind"] == "Domain" and a["object"] == "web" and a["key"] == "autostart" and
 a["from"] in (None, "false") and a["to"] == "true" and a["class"] == "live" and a["reason"] is None)(item(j, "Domain", "web", "set"))'
    ok "…and its start" jcheck "$d/$cmd.json" 'item(j, "Domain", "web", "start") is not None'
    ok "…no password anywhere in the document or on stderr" bash -c "! grep -q '$pw' '$d/$cmd.json' '$d/$cmd.err'"
done
# the glyphs follow the locale in text, never in the fields
LC_ALL=C "$vs" plan --json --config "$d/empty.conf" -c test:///default "$d/specs" > "$d/plan-c.json" 2>/dev/null
ok "LC_ALL=C: text '> start', op still start" jcheck "$d/plan-c.json" 'item(j, "Domain", "web", "start")["text"] == "> start"'
finish
