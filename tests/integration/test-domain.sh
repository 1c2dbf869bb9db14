#!/bin/bash
# Issue 3: the reconcile engine against a real libvirtd (TCG guests with no OS).
. "$(dirname "$0")/lib.sh"
cd "$WORK"

cat > web.yaml <<'YAML'
kind: Domain
name: vs-web
title: first title
memory: 128MiB
max_memory: 256MiB
cpus: 1
max_cpus: 2
boot: [network]
graphics: {type: vnc, passwd: abc}
video: {type: vga}
shutdown_timeout: 1
YAML

# --- create, then a second apply is a no-op -------------------------------------------------
vs plan web.yaml;  is "plan of a new domain exits 2" 2 "$rc"
contains "plan shows create" "+ create" "$out"
vs apply web.yaml; is "first apply succeeds" 0 "$rc"
is "domain is running" "running" "$(domstate vs-web)"
id1=$(domid vs-web)
contains "domain carries ownership metadata" "https://virtspec.dev/xmlns/1" "$(inactive_xml vs-web)"

ok "a libvirt event listener listens" listen_events events.log --timestamp
vs apply web.yaml
is "second apply succeeds" 0 "$rc"
contains "second apply makes zero libvirt changes" "0 libvirt changes" "$out"
vs plan web.yaml; is "plan after apply exits 0 (in sync)" 0 "$rc"
contains "plan says in sync" "= in sync" "$out"
sleep 0.5
quiet=$(grep -c "event 'lifecycle' for domain 'vs-web'" events.log)
# positive control: the listener does see lifecycle events
virsh suspend vs-web >/dev/null; virsh resume vs-web >/dev/null; sleep 0.5
kill $listener 2>/dev/null; wait $listener 2>/dev/null
is "no libvirt events during the second apply" "0" "$quiet"
ok "the event listener sees a suspend/resume (control)" test "$(grep -c "event 'lifecycle' for domain 'vs-web'" events.log)" -ge 2

# --- live rows: applied to the running domain, id unchanged ---------------------------------
sed -i 's/^title: first title/title: second title/; s/^memory: 128MiB/memory: 192MiB/;
        s/^cpus: 1$/cpus: 2/; s/passwd: abc/passwd: xyz/' web.yaml
vs plan web.yaml
is "plan with live changes exits 2" 2 "$rc"
contains "memory change is live" "~ memory: 128 MiB → 192 MiB (live)" "$out"
contains "cpus change is live" "~ cpus: 1 → 2 (live)" "$out"
contains "title change is live" "~ title: first title → second title (live)" "$out"
contains "password change is shown as secret" "~ graphics.passwd: (secret changed) (live)" "$out"
lacks "the password never appears in the plan" "xyz" "$out"
vs apply web.yaml
is "apply of live changes succeeds" 0 "$rc"
lacks "the password never appears in apply output" "xyz" "$out"
is "domain id unchanged after live changes" "$id1" "$(domid vs-web)"
live=$(virsh dumpxml --security-info vs-web)
is "live vCPUs are 2" "2" "$(virsh vcpucount vs-web --live --active)"
is "live title changed" "second title" "$(xpath "$live" 'string(/domain/title)')"
is "live vnc password changed" "xyz" "$(xpath "$live" 'string(/domain/devices/graphics/@passwd)')"
is "persistent memory is 192 MiB" "196608" "$(xpath "$(inactive_xml vs-web)" 'string(/domain/currentMemory)')"
vs status web.yaml
contains "status: in-sync after live changes" "in-sync" "$out"
is "status exits 0 when all is in sync" 0 "$rc"

# --- config rows: persistent only, reload-pending, running domain untouched -----------------
sed -i 's/video: {type: vga}/video: {type: virtio}/' web.yaml
cat >> web.yaml <<'YAML'
interfaces:
  - {type: bridge, bridge: vsbr0, model: e1000}
YAML
ip link add vsbr0 type bridge && ip link set vsbr0 up
vs apply web.yaml
is "apply with a config change and a NIC hot-plug succeeds" 0 "$rc"
contains "video change is config" "~ video.type: vga → virtio (config)" "$out"
is "domain id unchanged after config change" "$id1" "$(domid vs-web)"
is "live video still vga" "vga" "$(xpath "$(live_xml vs-web)" 'string(/domain/devices/video/model/@type)')"
is "persistent video is virtio" "virtio" "$(xpath "$(inactive_xml vs-web)" 'string(/domain/devices/video/model/@type)')"
is "NIC was hot-plugged live" "1" "$(xpath "$(live_xml vs-web)" 'count(/domain/devices/interface)')"
vs status web.yaml
contains "status shows reload-pending" "reload-pending" "$out"
contains "status names the pending field" "video.type" "$out"
is "status exits 2 when a reload is pending" 2 "$rc"
vs status --json web.yaml
contains "json status has reload_pending" '"video.type"' "$out"

# NIC model change on the running domain is config too
sed -i 's/model: e1000/model: rtl8139/' web.yaml
vs apply web.yaml
contains "NIC model change is config" "model: e1000 → rtl8139 (config)" "$out"
mac=$(xpath "$(inactive_xml vs-web)" 'string(/domain/devices/interface/mac/@address)')
is "NIC keeps its MAC across the model change" "$mac" "$(xpath "$(live_xml vs-web)" 'string(/domain/devices/interface/mac/@address)')"

# --- revert clears reload-pending --------------------------------------------------------------
sed -i 's/video: {type: virtio}/video: {type: vga}/; s/model: rtl8139/model: e1000/' web.yaml
vs apply web.yaml
vs status web.yaml
contains "reverting the spec clears reload-pending" "in-sync" "$out"
is "still the same domain id" "$id1" "$(domid vs-web)"

# --- virtspec reload ---------------------------------------------------------------------------
sed -i 's/video: {type: vga}/video: {type: virtio}/' web.yaml
vs apply web.yaml
vs reload --specs web.yaml vs-web
is "virtspec reload succeeds" 0 "$rc"
id2=$(domid vs-web)
ok "reload restarted the domain (new id)" test "$id2" != "$id1"
is "after reload the new video is live" "virtio" "$(xpath "$(live_xml vs-web)" 'string(/domain/devices/video/model/@type)')"
vs status web.yaml
contains "after reload: in-sync" "in-sync" "$out"

# --- reload: auto -----------------------------------------------------------------------------
sed -i 's/^video: {type: virtio}/video: {type: cirrus}/' web.yaml
echo "reload: auto" >> web.yaml
vs apply web.yaml
is "apply with reload: auto succeeds" 0 "$rc"
contains "reload: auto restarts" "↻ reload" "$out"
id3=$(domid vs-web)
ok "reload: auto gave a new domain id" test "$id3" != "$id2"
is "reload: auto made the change live" "cirrus" "$(xpath "$(live_xml vs-web)" 'string(/domain/devices/video/model/@type)')"

# --- drift: a virsh edit of a managed field is reverted ---------------------------------------
virsh dumpxml --inactive --security-info vs-web | sed 's|<title>second title</title>|<title>edited</title>|' > edited.xml
virsh define edited.xml >/dev/null
vs plan web.yaml
contains "plan shows the drifted field" "~ title: edited → second title" "$out"
vs apply web.yaml
is "drift corrected in the persistent definition" "second title" "$(xpath "$(inactive_xml vs-web)" 'string(/domain/title)')"

# --- state: shutoff and back ----------------------------------------------------------------
sed -i 's/^reload: auto/reload: manual/' web.yaml
echo "state: shutoff" >> web.yaml
vs apply web.yaml
is "state shutoff: graceful then forced stop" "shut off" "$(domstate vs-web)"
sed -i 's/^state: shutoff/state: paused/' web.yaml
vs apply web.yaml
is "state paused: started paused" "paused" "$(domstate vs-web)"
sed -i 's/^state: paused/state: running/' web.yaml
vs apply web.yaml
is "state running: resumed" "running" "$(domstate vs-web)"
sed -i 's/^state: running/state: paused/' web.yaml
vs apply web.yaml
contains "state paused on a running domain: suspend" "‖ suspend" "$out"
is "…the domain is paused" "paused" "$(domstate vs-web)"
sed -i 's/^state: paused/state: running/' web.yaml
vs apply web.yaml
is "…and running again" "running" "$(domstate vs-web)"

# --- recreate after undefine keeps derived MACs ------------------------------------------------
mac1=$(xpath "$(inactive_xml vs-web)" 'string(/domain/devices/interface/mac/@address)')
virsh destroy vs-web >/dev/null; virsh undefine vs-web >/dev/null
vs apply web.yaml
is "recreated domain runs" "running" "$(domstate vs-web)"
is "recreated domain has the same MAC" "$mac1" "$(xpath "$(inactive_xml vs-web)" 'string(/domain/devices/interface/mac/@address)')"

# --- a foreign domain of the same name is left alone ------------------------------------------
cat > foreign.xml <<'XML'
<domain type='qemu'><name>vs-foreign</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64'>hvm</type></os><title>hand-made</title></domain>
XML
virsh define foreign.xml >/dev/null
cat > foreign.yaml <<'YAML'
kind: Domain
name: vs-foreign
memory: 96MiB
state: shutoff
YAML
before=$(inactive_xml vs-foreign)
vs plan foreign.yaml
is "plan on a foreign domain exits 1" 1 "$rc"
contains "plan reports the foreign conflict" "foreign-conflict" "$out"
vs apply foreign.yaml
is "apply on a foreign domain exits 1" 1 "$rc"
is "the foreign domain is untouched" "$before" "$(inactive_xml vs-foreign)"
vs status foreign.yaml
contains "status: foreign-conflict" "foreign-conflict" "$out"
is "status exits 1 on a foreign conflict" 1 "$rc"
echo "adopt: true" >> foreign.yaml
vs apply foreign.yaml
is "adopt: true takes it over" 0 "$rc"
is "adopted domain got the spec's memory" "98304" "$(xpath "$(inactive_xml vs-foreign)" 'string(/domain/currentMemory)')"
contains "adopted domain is now owned" "virtspec" "$(inactive_xml vs-foreign)"
is "adopted domain kept its title (not managed)" "hand-made" "$(xpath "$(inactive_xml vs-foreign)" 'string(/domain/title)')"

# --- one broken spec does not stop the others ---------------------------------------------------
mkdir -p multi
cat > multi/a-good.yaml <<'YAML'
kind: Domain
name: vs-good
memory: 64
state: shutoff
YAML
cat > multi/b-bad.yaml <<'YAML'
kind: Domain
name: vs-bad
memroy: 64
YAML
vs apply multi
is "apply with a broken spec exits 1" 1 "$rc"
contains "the broken spec is reported with file:line:col" "multi/b-bad.yaml:3:1: error: unknown key 'memroy', did you mean 'memory'?" "$out"
ok "the good spec was applied" virsh dominfo vs-good
ok "nothing was defined from the broken spec" bash -c '! virsh dominfo vs-bad'

finish
