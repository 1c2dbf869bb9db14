#!/bin/bash
# Issue 18, teardown: `virtspec destroy` removes what a tree declares and virtspec owns — shown by
# plan first (nothing changes without --yes), domains with the prune's rules (volumes kept unless
# delete_volumes_on_removal), then networks, then pools (directory and volumes kept, the ownership
# record removed); an object of a declared name virtspec does not own is left alone and reported;
# a network or pool a domain that stays defined uses is refused.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
pool_spec
cat > specs/10-net.yaml <<'YAML'
kind: Network
name: vs-net
forward: nat
ip: 10.78.0.1/24
YAML
cat > specs/20-vs-d1.yaml <<'YAML'
kind: Domain
name: vs-d1
memory: 64MiB
shutdown_timeout: 1
delete_volumes_on_removal: false
disks:
  - {name: root, size: 8MiB, pool: vs-pool, format: raw}
interfaces:
  - {network: vs-net}
YAML
cat > specs/21-vs-d2.yaml <<'YAML'
kind: Domain
name: vs-d2
memory: 64MiB
state: shutoff
delete_volumes_on_removal: true
disks:
  - {name: root, size: 8MiB, pool: vs-pool, format: raw}
interfaces:
  - {network: vs-net}
YAML
vs apply specs
is "apply pool, network and two domains" 0 "$rc"
is "vs-d1 runs" running "$(domstate vs-d1)"
ok "the pool's ownership record exists" test -e "$WORK/state/pools/vs-pool"
listing() { virsh list --all --name | sort; virsh net-list --all --name | sort; virsh pool-list --all --name | sort; }
before=$(listing)

# --- shown first: the plan, and nothing changes ------------------------------------------------
vs destroy specs
is "destroy without --yes: exit 2 (something to do)" 2 "$rc"
contains "…the running domain: graceful shutdown, volumes kept" "- destroy Domain vs-d1 (ACPI shutdown, forced after 1 s; volumes kept)" "$out"
contains "…the shut-off one: its volumes deleted, as it asked" "- destroy Domain vs-d2 (its recorded volumes deleted (delete_volumes_on_removal))" "$out"
contains "…the network" "- destroy Network vs-net" "$out"
contains "…the pool, directory and volumes kept" "- destroy Pool vs-pool (directory and 2 volumes kept)" "$out"
contains "…and how to do it" "Run again with --yes" "$out"
dom_line=$(printf '%s\n' "$out" | grep -n 'destroy Domain vs-d1' | cut -d: -f1)
net_line=$(printf '%s\n' "$out" | grep -n 'destroy Network vs-net' | cut -d: -f1)
pool_line=$(printf '%s\n' "$out" | grep -n 'destroy Pool vs-pool' | cut -d: -f1)
ok "…domains first, then networks, then pools" test "$dom_line" -lt "$net_line" -a "$net_line" -lt "$pool_line"
is "…libvirt is unchanged" "$before" "$(listing)"
is "…vs-d1 still runs" running "$(domstate vs-d1)"
vs destroy --json specs
is "destroy --json: exit 2 too" 2 "$rc"
ok "…one JSON document naming the destroy actions" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["command"] == "destroy"
ops = sorted((o["kind"], o["name"]) for o in d["objects"] for a in o["actions"] if a.startswith("- destroy "))
assert ops == [("Domain", "vs-d1"), ("Domain", "vs-d2"), ("Network", "vs-net"), ("Pool", "vs-pool")], ops
' "$out"

# --- what a domain that stays uses is refused ---------------------------------------------------
vs destroy -t Network/vs-net specs
is "destroy -t network/vs-net while the domains stay: exit 1" 1 "$rc"
contains "…refused, naming them" "still used by domains that stay defined: vs-d1, vs-d2" "$out"
lacks "…no destroy line" "- destroy Network vs-net" "$out"
vs destroy --yes -t Network/vs-net -t Pool/vs-pool specs
is "…with --yes too" 1 "$rc"
contains "…the pool as well" "a domain that stays defined has a disk in it: vs-d1, vs-d2" "$out"
is "…nothing changed" "$before" "$(listing)"

# --- an object of a declared name virtspec does not own ------------------------------------------
cat > other.xml <<'XML'
<network><name>vs-other</name><bridge name='vsother0'/></network>
XML
virsh net-define other.xml >/dev/null
printf 'kind: Network\nname: vs-other\nip: 10.9.7.1/24\n' > specs/15-other.yaml
before=$(listing)
vs destroy specs
is "destroy with a foreign network of a declared name: exit 1" 1 "$rc"
contains "…reported and left alone" "foreign-conflict: a network of this name exists that virtspec does not own: left alone" "$out"
contains "…the rest is still planned" "- destroy Network vs-net" "$out"

# --- --yes: done --------------------------------------------------------------------------------
vs destroy --yes specs
is "destroy --yes: exit 1 (the foreign network)" 1 "$rc"
contains "…each result" "= destroyed" "$out"
ok "…vs-d1 is undefined" bash -c '! virsh dominfo vs-d1 >/dev/null 2>&1'
ok "…vs-d2 is undefined" bash -c '! virsh dominfo vs-d2 >/dev/null 2>&1'
ok "…vs-net is undefined" bash -c '! virsh net-info vs-net >/dev/null 2>&1'
ok "…vs-pool is undefined" bash -c '! virsh pool-info vs-pool >/dev/null 2>&1'
ok "…the foreign network is untouched" virsh net-info vs-other
ok "…the pool directory is kept" test -d "$WORK/pool"
ok "…vs-d1's volume is kept on disk" test -f "$WORK/pool/vs-d1-root.raw"
ok "…vs-d2's volume went, as its spec said" test ! -e "$WORK/pool/vs-d2-root.raw"
ok "…the pool's ownership record is removed" test ! -e "$WORK/state/pools/vs-pool"
rm specs/15-other.yaml
vs destroy specs
is "destroy again: nothing to do (exit 0)" 0 "$rc"
contains "…said so" "= not defined: nothing to destroy" "$out"
vs apply specs
is "apply builds it all again on the kept directory" 0 "$rc"
ok "…the pool is back" virsh pool-info vs-pool

# --- two domains recording the same volume (delete_volumes_on_removal): deleted once ------------
# vs-d4's metadata also records vs-d3's volume, and the volume's created marker is empty (as
# virtspec 0.1.0 wrote it: any recording domain may delete it). The domains are shut down in
# parallel; the volume goes once both are undefined, and is reported once, without an error.
# vs-d3 runs (no guest OS: its shutdown takes the 2 s timeout), vs-d4 is shut off: undefined at
# once, it would find the volume still in vs-d3's definition.
for n in 3 4; do
    [ "$n" = 3 ] && st='running\nshutdown_timeout: 2' || st=shutoff
    printf "kind: Domain\nname: vs-d$n\nmemory: 64MiB\nstate: $st\ndelete_volumes_on_removal: true\ndisks:\n  - {name: root, size: 8MiB, pool: vs-pool, format: raw}\n" > "specs/3$n-vs-d$n.yaml"
done
vs apply specs
is "apply two more domains that delete their volumes on removal" 0 "$rc"
md=$(virsh metadata vs-d4 https://virtspec.dev/xmlns/1 --config |
     sed 's|</volumes>|<volume pool="vs-pool" name="vs-d3-root.raw"/></volumes>|')
virsh metadata vs-d4 https://virtspec.dev/xmlns/1 --key vs --set "$md" --config >/dev/null
contains "…vs-d4 now records vs-d3's volume too" 'name="vs-d3-root.raw"' "$(virsh dumpxml --inactive vs-d4)"
: > "$WORK/state/volumes/vs-pool/vs-d3-root.raw.created"
vs destroy --yes -t Domain/vs-d3 -t Domain/vs-d4 specs
is "destroy --yes of both: exit 0 (output: $(printf '%s' "$out" | grep -E 'error|✗|vs-d3-root' | head -n 4))" 0 "$rc"
is "…the shared volume is reported once (a result line; the log line aside)" 1 "$(printf '%s\n' "$out" | grep -c '^  .*vs-pool/vs-d3-root.raw')"
contains "…as deleted" "- volume vs-pool/vs-d3-root.raw (delete_volumes_on_removal)" "$out"
ok "…and it is gone" test ! -e "$WORK/pool/vs-d3-root.raw"
ok "…so is vs-d4's own" test ! -e "$WORK/pool/vs-d4-root.raw"
rm specs/33-vs-d3.yaml specs/34-vs-d4.yaml

vs destroy --yes specs
is "…and destroy --yes removes it again" 0 "$rc"
virsh net-undefine vs-other >/dev/null
finish
