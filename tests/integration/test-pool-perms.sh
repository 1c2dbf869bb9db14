#!/bin/bash
# Issue 15: a Pool on an existing directory owned by another user with mode 0700 was built by
# libvirt as root 0755 (plan only said "build"). The directory keeps what the spec does not
# declare, across create, a second apply and a restart of the pool; a declared mode is applied.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir specs
mkdir -m 0700 "$WORK/kept"; chown 65534:65534 "$WORK/kept"
pool_case() {   # pool_case NAME EXTRA-KEYS PLAN-TEXT OWNER-GROUP-MODE-AFTER
    printf 'kind: Pool\nname: %s\npath: %s\n%b' "$1" "$WORK/kept" "$2" > specs/p.yaml
    vs plan specs
    contains "$1: plan says what happens to the directory" "$3" "$out"
    vs apply specs
    is "$1: apply succeeds" 0 "$rc"
    is "$1: the directory's owner, group and mode" "$4" "$(stat -c '%u %g %a' "$WORK/kept")"
}
pool_case vs-kept "" "= directory $WORK/kept exists (owner 65534, group 65534, mode 0700)" "65534 65534 700"
is "the pool is active" yes "$(virsh pool-info vs-kept | awk '/^State/ {print ($2 == "running") ? "yes" : "no"}')"
vs plan specs
contains "plan after apply: in sync" "= in sync" "$out"
virsh pool-destroy vs-kept >/dev/null; virsh pool-start vs-kept >/dev/null
vs apply specs
is "…still kept after a restart of the pool" "65534 65534 700" "$(stat -c '%u %g %a' "$WORK/kept")"
contains "…and nothing to change" "0 libvirt changes" "$out"
virsh pool-destroy vs-kept >/dev/null 2>&1; virsh pool-undefine vs-kept >/dev/null 2>&1
# a declared mode is the spec's word: applied when the pool is built
pool_case vs-kept2 'mode: "0750"\n' "~ directory $WORK/kept: mode 0700 → 0750 (declared in the spec)" "65534 65534 750"
virsh pool-destroy vs-kept2 >/dev/null 2>&1; virsh pool-undefine vs-kept2 >/dev/null 2>&1
finish
