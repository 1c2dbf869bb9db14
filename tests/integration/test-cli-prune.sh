#!/bin/bash
# Issue 14 item 7, against a real libvirtd: plan and status agree on an orphan (an owned domain
# whose spec was removed), and `apply --prune` prunes it with the daemon's rules (prune.c):
# undefined, its volume kept; a domain virtspec does not own is never touched; nothing is pruned
# while a spec file is rejected, nor against anything but the whole configured spec tree.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
# orphans and --prune are against the configured spec tree only
printf 'specs = %s\n' "$WORK/specs" > prune.conf
pool_spec
cat > specs/20-vs-cp.yaml <<'YAML'
kind: Domain
name: vs-cp
memory: 64MiB
state: shutoff
disks:
  - {name: root, size: 8MiB, pool: vs-pool, format: raw}
YAML
vs apply specs
is "apply the pool and the domain" 0 "$rc"
cat > foreign.xml <<'XML'
<domain type='qemu'><name>vs-cp-foreign</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64'>hvm</type></os></domain>
XML
virsh define foreign.xml >/dev/null
vs plan specs
is "plan: in sync (a domain virtspec does not own is no orphan)" 0 "$rc"
rm specs/20-vs-cp.yaml
vs status --config prune.conf specs
is "status: the removed spec's domain is orphaned (exit 2)" 2 "$rc"
is "…named" orphaned "$(row_state Domain vs-cp)"
vs plan --config prune.conf specs
is "plan exits 2 like status" 2 "$rc"
contains "…and shows the orphan" "- orphan vs-cp (spec removed; --prune would undefine it, volumes kept)" "$out"
lacks "…not the foreign domain" "vs-cp-foreign" "$out"
vs plan --config prune.conf --prune specs
contains "plan --prune shows the prune" "- prune vs-cp (spec removed: undefine, volumes kept; NVRAM and TPM state kept)" "$out"
vs apply --config prune.conf specs
ok "apply without --prune keeps it" virsh dominfo vs-cp
printf 'kind: Domain\nname: vs-cp\nmemory: [\n' > specs/30-broken.yaml
vs apply --config prune.conf --prune
is "apply --prune beside a rejected file fails" 1 "$rc"
contains "…and prunes nothing" "! not pruned: 1 spec file rejected" "$out"
ok "…the domain is still defined" virsh dominfo vs-cp
rm specs/30-broken.yaml
mkdir specs/sub
vs apply --config prune.conf --prune specs/sub
is "apply --prune on a subdirectory of the tree is refused" 1 "$rc"
contains "…saying why" "not pruning: --prune prunes against the whole spec tree" "$out"
ok "…the domain is still defined" virsh dominfo vs-cp
rmdir specs/sub
vs apply --config prune.conf --prune specs
is "apply --prune" 0 "$rc"
contains "…prunes the orphan" "= pruned" "$out"
ok "…it is undefined" bash -c '! virsh dominfo vs-cp >/dev/null 2>&1'
ok "…its volume is kept" virsh vol-info --pool vs-pool vs-cp-root.raw
ok "…the foreign domain is untouched" virsh dominfo vs-cp-foreign
vs plan specs
is "plan: in sync again" 0 "$rc"
virsh undefine vs-cp-foreign >/dev/null
finish
