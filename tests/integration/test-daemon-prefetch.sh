#!/bin/bash
# The daemon's edit prefetch (reconciler/edit-prefetch.h) against a real libvirtd: a spec renamed
# into place has its domain read while the edit settles, and the pass takes that read — unless
# the domain was changed since (a libvirt event): then it reads afresh, and what was changed by
# hand outside virtspec's keys (another tool's metadata) survives the edit's define.
# The burst is held open 1.5 s by another spec written in place (a write in progress), and
# VIRTSPEC_DEBUG_PREFETCH_AGE_MS lets the read be that old, so that the hand change lands
# between the read and the pass.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir specs
spec() { printf 'kind: Domain\nname: %s\nmemory: 64MiB\ntitle: %s\nstate: shutoff\n' "$1" "$2"; }
title() { xpath "$(inactive_xml "$1")" 'string(/domain/title)'; }
title_is() { [ "$(title "$1")" = "$2" ]; }
spec vs-a one > specs/a.yaml
spec vs-h one > specs/h.yaml
vs apply specs
is "both specs applied" "0 one one" "$rc $(title vs-a) $(title vs-h)"

printf 'debounce_ms = 1500\nresync_interval = 86400\n' > daemon.conf
VIRTSPEC_LOG_LEVEL=debug VIRTSPEC_DEBUG_PREFETCH_AGE_MS=60000 "$VS" daemon --config daemon.conf \
    --specs "$WORK/specs" --status-file "$WORK/status.json" > daemon.log 2>&1 &
dpid=$!
trap 'kill $dpid 2>/dev/null' EXIT
ok "the daemon's first pass ends" wait_for 60 grep -q "first pass over every object done" daemon.log

# edit NAME TITLE HAND: a.yaml (NAME's spec) given TITLE edited by a rename while h.yaml is being written (1.5 s);
# HAND=1: 0.3 s in, another tool's metadata is added to NAME's definition by hand (virsh metadata:
# no lifecycle event, a metadata-change event)
edit() {
    spec "$1" "$2" > "new.yaml"
    python3 - "$WORK" "$1" "$3" <<'PY'
import os, subprocess, sys, time
w, name, hand = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
fd = os.open(w + "/specs/h.yaml", os.O_WRONLY | os.O_APPEND)
os.rename(w + "/new.yaml", w + "/specs/a.yaml")
for i in range(30):
    os.write(fd, b"# still writing\n")
    if hand and i == 6:
        subprocess.run(["virsh", "-q", "metadata", name, "--config", "--uri", "urn:example:other",
                        "--key", "other", "--set", "<note>by hand</note>"], check=True)
    time.sleep(0.05)
os.close(fd)
PY
}
edit vs-a two 0
ok "edit 1: vs-a's title is two" wait_for 20 title_is vs-a two
ok "…by a pass that took what was read while the edit settled" \
    grep -q "Domain vs-a: its pass takes what was read .* ms ago, after the edit" daemon.log

edit vs-a three 1
ok "edit 2, changed by hand meanwhile: vs-a's title is three" wait_for 20 title_is vs-a three
ok "…the read was not used: a libvirt event came since" \
    grep -q "Domain vs-a: what was read after the edit is not used (a libvirt event came since): read afresh" daemon.log
is "…and the other tool's metadata survived the edit's define" "by hand" \
    "$(virsh metadata vs-a --config --uri urn:example:other 2>/dev/null | xpath "$(cat)" 'string(/*)')"
is "vs-h was never redefined (only comments were added)" "one" "$(title vs-h)"
kill -TERM $dpid; wait $dpid; rc=$?
is "the daemon stops with status 0" 0 "$rc"
finish
