#!/bin/bash
# Issue 22 for real: three hosts (fleet-harness.sh 3: three private libvirtds, each in its own
# namespaces, on qemu+tcp://10.77.0.I/system), one local bare git repository. Each host has its
# own virtspec.conf (host = kvmI, specs = a symlink, sync_remote = the bare repository), runs
# `virtspec sync` and `virtspec daemon` inside its namespaces (fleet-on I); `virtspec fleet status`
# runs from the fabric. Checked: placement across the three (each libvirt holds exactly its share),
# fleet status in sync; kvm2's daemon stopped and a commit for kvm2: kvm2 keeps its domains and is
# stale, the others in sync; a commit with a bad spec held on every host at the last good revision;
# an unsigned commit refused on every host once sync_keyring is set, a signed one taken.
# Usage: fleet-harness.sh 3 bash test-fleet.sh   (VIRTSPEC_BIN names the binary)
export VIRTSPEC_TEST_TMPDIR=${VIRTSPEC_FLEET_DIR:?run me under tests/integration/fleet-harness.sh 3}
. "$(dirname "$0")/lib.sh"
unset VIRTSPEC_STATE_DIR   # each host's own (private /var/lib/virtspec)
cd "$WORK" || exit 1
N=$VIRTSPEC_FLEET_N
uri() { local v="VIRTSPEC_FLEET_URI_$1"; echo "${!v}"; }
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid GIT_COMMITTER_NAME=t \
    GIT_COMMITTER_EMAIL=t@example.invalid GIT_CONFIG_NOSYSTEM=1 HOME=$WORK
trap 'for i in $(seq 1 "$N"); do stop_daemon "$i"; done; gpgconf --homedir "$WORK/gpghome" --kill all 2>/dev/null' EXIT

# ---- the harness itself ---------------------------------------------------------------------
is "kvm2's libvirtd answers from the fabric over TCP, as kvm2" kvm2 \
    "$(virsh -c "$(uri 2)" hostname 2>&1 | head -n 1)"
is "kvm2 reaches kvm3's libvirtd (the path a migration takes)" kvm3 \
    "$(fleet-on 2 virsh -c "$(uri 3)" hostname 2>&1 | head -n 1)"
printf "<domain type='qemu'><name>probe</name><memory unit='MiB'>32</memory><os><type arch='x86_64'>hvm</type></os></domain>" \
    > probe.xml
fleet-on 1 virsh define probe.xml >/dev/null
is "a domain defined inside kvm1 is listed by kvm1" probe "$(virsh -c "$(uri 1)" list --all --name | xargs)"
is "…and not by kvm2" "" "$(virsh -c "$(uri 2)" list --all --name | xargs)"
fleet-on 1 virsh undefine probe >/dev/null

# ---- the repository -------------------------------------------------------------------------
git init -q --bare -b main remote.git
git init -q -b main work
gw() { git -C "$WORK/work" "$@"; }
push() { gw add -A && gw commit -q "$@" && gw push -q "$WORK/remote.git" main; gw rev-parse HEAD; }
hosts() {   # hosts [HOST-IN-MAINTENANCE]
    local i role zone
    for i in $(seq 1 "$N"); do
        role=web; [ "$i" = 3 ] && role=db
        zone=a; [ "$i" -ge 2 ] && zone=b
        printf -- '---\nkind: Host\nname: kvm%s\nuri: %s\nlabels: {role: %s, zone: %s}\n' \
            "$i" "$(uri "$i")" "$role" "$zone"
        [ "kvm$i" = "${1:-}" ] && printf 'maintenance: true\n'
    done
    return 0
}
hosts > work/hosts.yaml
dom() {   # dom NAME STATE MEMORY [PLACEMENT]
    printf -- '---\nkind: Domain\nname: %s\nmemory: %s\ngraphics: {type: none}\nstate: %s\n' "$1" "$3" "$2"
    [ -n "${4:-}" ] && printf 'placement: %s\n' "$4"
    return 0
}
web='{match: {role: web}, spread: web}'
domains() {   # domains WEB4-MEMORY
    dom web1 running 64MiB "$web"; dom web2 running 64MiB "$web"
    dom web3 shutoff 64MiB "$web"; dom web4 shutoff "$1" "$web"
    dom db1 running 64MiB '{match: {role: db}}'
    dom batch1 shutoff 64MiB '{match: {zone: b}}'
    dom any1 shutoff 64MiB
}
domains 64MiB > work/domains.yaml
r1=$(push -m "three hosts, seven domains")

# ---- each host: its configuration, sync, its daemon -------------------------------------------
: > empty.conf
for i in $(seq 1 "$N"); do
    mkdir -p "kvm$i"
    printf 'specs = %s\nhost = kvm%s\nsync_remote = %s\nsync_checkouts = %s\nstatus_file = %s\n' \
        "$WORK/kvm$i/specs" "$i" "$WORK/remote.git" "$WORK/kvm$i/co" "$WORK/kvm$i/status.json" \
        > "kvm$i/v.conf"
done
sync_all() {   # sync_all EXPECTED-EXIT TEXT DESCRIPTION: virtspec sync inside every host, at once
    local i pids=()
    for i in $(seq 1 "$N"); do
        { fleet-on "$i" "$VS" sync --config "$WORK/kvm$i/v.conf" --insecure-spec-perms > "kvm$i/sync.out" 2>&1
          echo $? > "kvm$i/sync.rc"; } &
        pids+=($!)
    done
    wait "${pids[@]}"   # not the daemons, background jobs too
    for i in $(seq 1 "$N"); do
        is "kvm$i: $3: exit $1" "$1" "$(cat "kvm$i/sync.rc")"
        contains "…kvm$i says '$2'" "$2" "$(cat "kvm$i/sync.out")"
    done
}
start_daemon() {   # start_daemon I: virtspec daemon inside host I, its pid (there) in kvmI/daemon.pid
    rm -f "$WORK/kvm$1/daemon.pid"
    # shellcheck disable=SC2016
    fleet-on "$1" bash -c 'echo $$ > "$0/daemon.pid"; exec "$1" daemon --config "$0/v.conf" --insecure-spec-perms' \
        "$WORK/kvm$1" "$VS" >> "$WORK/kvm$1/daemon.log" 2>&1 &
}
stop_daemon() {   # stop_daemon I: SIGTERM, then wait until it is gone
    local p t=0
    p=$(cat "$WORK/kvm$1/daemon.pid" 2>/dev/null) || return 0
    fleet-on "$1" kill -TERM "$p" 2>/dev/null
    while fleet-on "$1" kill -0 "$p" 2>/dev/null && [ $t -lt 300 ]; do sleep 0.1; t=$((t + 1)); done
    rm -f "$WORK/kvm$1/daemon.pid"
}
revision_in_force() { cat "$WORK/kvm$1/specs/.virtspec-revision" 2>/dev/null; }   # revision_in_force I
status_revision() {   # status_revision I: "revision" of host I's daemon's status.json
    grep -o '^  "revision": "[0-9a-f]*"' "$WORK/kvm$1/status.json" 2>/dev/null | cut -d'"' -f4
}
revision_is() { [ "$(status_revision "$1")" = "$2" ]; }   # revision_is I REVISION

sync_all 0 "updated none → ${r1:0:12}" "first sync"
for i in $(seq 1 "$N"); do start_daemon "$i"; done

# ---- placement across the three --------------------------------------------------------------
share() {   # share I: the domains `virtspec placement` puts on kvmI (the tree in force there)
    "$VS" placement --insecure-spec-perms "$WORK/kvm$1/specs" 2>/dev/null \
        | awk -v h="kvm$1" '$1 == "Domain" && $NF == h { print $2 }' | sort | xargs
}
listed() { virsh -c "$(uri "$1")" list --all --name 2>/dev/null | sed '/^$/d' | sort | xargs; }   # listed I
listed_is() { [ "$(listed "$1")" = "$2" ]; }   # listed_is I "NAMES": host I's libvirt holds exactly these
running_there() {   # running_there I NAME…: each NAME runs on host I
    local i=$1 n; shift
    for n; do [ "$(virsh -c "$(uri "$i")" domstate "$n" 2>/dev/null | head -n 1)" = running ] || return 1; done
}
declare -A SHARE
for i in $(seq 1 "$N"); do
    SHARE[$i]=$(share "$i")
    ok "placement puts something on kvm$i (${SHARE[$i]})" test -n "${SHARE[$i]}"
done
is "…every domain once (7 across the three)" 7 "$(echo "${SHARE[*]}" | wc -w)"
for i in $(seq 1 "$N"); do
    ok "kvm$i's daemon creates exactly its share: ${SHARE[$i]}" wait_for 60 listed_is "$i" "${SHARE[$i]}"
    is "…kvm$i's libvirt, after the convergence: exactly its share" "${SHARE[$i]}" "$(listed "$i")"
done
runners() { local n; for n in $1; do case $n in web1|web2|db1) echo "$n" ;; esac; done; }   # runners SHARE
all_run() {   # every `state: running` domain runs on its host
    local i
    for i in $(seq 1 "$N"); do
        # shellcheck disable=SC2046
        running_there "$i" $(runners "${SHARE[$i]}") || return 1
    done
}
ok "the running ones (web1, web2, db1) run, each on its host" wait_for 60 all_run
for i in $(seq 1 "$N"); do
    ok "kvm$i's daemon: status.json's revision is $r1" wait_for 20 revision_is "$i" "$r1"
done

# ---- fleet status: in sync, then kvm2's daemon stopped -----------------------------------------
fleet() { vs fleet status --config "$WORK/empty.conf" --insecure-spec-perms "$WORK/kvm1/specs"; }
row() { printf '%s\n' "$out" | awk -v h="$1" '$1 == h { print $NF }'; }   # row HOST: its STATE
in_sync_everywhere() { fleet; [ "$rc" = 0 ]; }
ok "fleet status from the fabric: every host in sync, exit 0" wait_for 30 in_sync_everywhere
for i in $(seq 1 "$N"); do is "…kvm$i in-sync" in-sync "$(row "kvm$i")"; done
contains "…the revision read" "revision ${r1:0:12}" "$out"

stop_daemon 2
domains 96MiB > work/domains.yaml
r2=$(push -m "web4: 96 MiB")
sync_all 0 "updated ${r1:0:12} → ${r2:0:12}" "a commit changing web4 (kvm2's), kvm2's daemon stopped"
sleep 2   # time for a daemon that would act on it (none on kvm2)
is "kvm2 keeps its domains" "${SHARE[2]}" "$(listed 2)"
# shellcheck disable=SC2046
ok "…the running one still runs" running_there 2 $(runners "${SHARE[2]}")
ok "…web4 is still 64 MiB there (no daemon applied the commit)" \
    grep -q "<memory unit='KiB'>65536</memory>" <(virsh -c "$(uri 2)" dumpxml --inactive web4)
fleet
is "fleet status: exit 2 (a host stale)" 2 "$rc"
is "…kvm2 stale" stale "$(row kvm2)"
contains "…web4 named under kvm2" "Domain web4:" "$out"
for i in 1 3; do is "…kvm$i in-sync" in-sync "$(row "kvm$i")"; done
contains "…the tree read is the new revision" "revision ${r2:0:12}" "$out"
for i in 1 3; do
    ok "kvm$i's daemon follows the swap: revision $r2" wait_for 20 revision_is "$i" "$r2"
done
start_daemon 2
web4_96() { virsh -c "$(uri 2)" dumpxml --inactive web4 | grep -q "<memory unit='KiB'>98304</memory>"; }
ok "kvm2's daemon started again: web4 becomes 96 MiB" wait_for 60 web4_96
ok "…and fleet status says every host in sync again, exit 0" wait_for 30 in_sync_everywhere

# ---- a commit with a bad spec: held everywhere --------------------------------------------------
printf 'kind: Domain\nname: bad\nmemory: lots\n' > work/bad.yaml
rb=$(push -m "a bad spec")
sync_all 5 "held at ${r2:0:12}: ${rb:0:12} has 1 error" "a commit with a bad spec: held"
for i in $(seq 1 "$N"); do
    is "kvm$i: the revision in force (.virtspec-revision) stays $r2" "$r2" "$(revision_in_force "$i")"
    ok "kvm$i's daemon says the last sync failed (exit 5) beside revision ${r2:0:12}" wait_for 20 \
        grep -q "\"summary\": \"revision ${r2:0:12}, host kvm$i, .*; last sync failed (.*, exit 5): held at " "$WORK/kvm$i/status.json"
    is "…its status.json revision stays $r2" "$r2" "$(status_revision "$i")"
    is "…kvm$i keeps its domains" "${SHARE[$i]}" "$(listed "$i")"
done
ok "…the running ones still run" all_run
fleet
is "fleet status (the tree in force): every host in sync, exit 0" 0 "$rc"
contains "…at the last good revision" "revision ${r2:0:12}" "$out"

# ---- signatures: sync_keyring set on every host -------------------------------------------------
export GNUPGHOME=$WORK/gpghome; mkdir -m 0700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'virtspec test <t@example.invalid>' ed25519 sign never >/dev/null 2>&1
fpr=$(gpg --batch --with-colons --list-secret-keys 2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }')
gpg --batch --export "$fpr" > trusted.gpg
ok "a signing key made here ($fpr)" test -s trusted.gpg
for i in $(seq 1 "$N"); do printf 'sync_keyring = %s\n' "$WORK/trusted.gpg" >> "kvm$i/v.conf"; done
rm work/bad.yaml
dom new1 shutoff 64MiB '{host: kvm3}' > work/new.yaml
ru=$(push -m "bad spec gone, new1 (unsigned)")
sync_all 4 "${ru:0:12} refused: not signed by a key of $WORK/trusted.gpg" "an unsigned commit, keyring set: refused"
for i in $(seq 1 "$N"); do
    is "kvm$i: the revision in force stays $r2" "$r2" "$(revision_in_force "$i")"
done
sleep 2
is "new1 (of the refused commit) is nowhere: kvm3 still holds its share only" "${SHARE[3]}" "$(listed 3)"
gw commit -q --allow-empty -S"$fpr" -m "signed"
gw push -q "$WORK/remote.git" main
rs=$(gw rev-parse HEAD)
unset GNUPGHOME
sync_all 0 "updated ${r2:0:12} → ${rs:0:12}" "a signed commit on top: taken"
ok "…kvm3's daemon creates new1" wait_for 60 listed_is 3 "$(echo "${SHARE[3]} new1" | xargs -n1 | sort | xargs)"
ok "…and fleet status says every host in sync at ${rs:0:12}" wait_for 30 in_sync_everywhere
contains "…revision ${rs:0:12}" "revision ${rs:0:12}" "$out"

# ---- agentless: one controller reaches the same placement ------------------------------------
# plan --all-hosts from the fabric runs `plan --host kvmI -c URI` per Host (docs/fleet.md,
# Agentless): with every host converged by its own daemon, it must find nothing to do anywhere.
VIRTSPEC_STATE_DIR=$WORK/controller vs plan --all-hosts --config "$WORK/empty.conf" \
    --insecure-spec-perms "$WORK/kvm1/specs"
printf '%s\n' "$out" | sed 's/^/# /'
is "agentless plan --all-hosts over the tree in force: nothing to do on any host (exit 0)" 0 "$rc"
for i in $(seq 1 "$N"); do contains "…a block for kvm$i" "== kvm$i ($(uri "$i"))" "$out"; done
lacks "…no create (the same placement as the per-host daemons)" "+ create" "$out"
lacks "…no move" " move " "$out"

# ---- maintenance: true on kvm1 drains it ---------------------------------------------------------
# kvm1's domains are placed on the others; their daemons move them (live while they run, cold
# otherwise); kvm1's daemon stops and undefines nothing itself (docs/fleet.md#moving).
declare -A UUID
for n in ${SHARE[1]}; do UUID[$n]=$(virsh -c "$(uri 1)" domuuid "$n" | head -n 1); done
hosts kvm1 > work/hosts.yaml
export GNUPGHOME=$WORK/gpghome
rm_=$(push -S"$fpr" -m "kvm1 in maintenance")
unset GNUPGHOME
t0=$(date +%s)
sync_all 0 "updated ${rs:0:12} → ${rm_:0:12}" "kvm1 set to maintenance (a signed commit)"
declare -A SHARE2
for i in 2 3; do SHARE2[$i]=$(share "$i"); done
is "placement of the new tree: nothing on kvm1" "" "$(share 1)"
is "…all 8 domains on kvm2 and kvm3" 8 "$(echo "${SHARE2[2]} ${SHARE2[3]}" | wc -w)"
ok "kvm1 drained: its libvirt holds no domain" wait_for 240 listed_is 1 ""
echo "# drain of ${SHARE[1]}: $(($(date +%s) - t0)) s from the sync"
for i in 2 3; do
    ok "kvm$i holds exactly its new share: ${SHARE2[$i]}" wait_for 60 listed_is "$i" "${SHARE2[$i]}"
done
for n in ${SHARE[1]}; do
    for i in 2 3; do
        case " ${SHARE2[$i]} " in *" $n "*) ;; *) continue ;; esac
        is "$n: moved to kvm$i with the same UUID" "${UUID[$n]}" "$(virsh -c "$(uri "$i")" domuuid "$n" | head -n 1)"
        case $n in web1|web2|db1)
            ok "…$n runs there (moved live)" running_there "$i" "$n"
            # the line comes when the destination's pass is over, after the undefine on kvm1
            ok "…kvm$i's daemon says the live move" wait_for 30 grep -qE "move $n kvm1 (→|->) kvm$i \(live" "kvm$i/daemon.log" ;;
        *)  ok "…kvm$i's daemon says the cold move" wait_for 30 grep -qE "move $n kvm1 (→|->) kvm$i \(cold" "kvm$i/daemon.log" ;;
        esac
    done
done
ok "…and fleet status says every host in sync at ${rm_:0:12}" wait_for 60 in_sync_everywhere
printf '%s\n' "$out" | sed 's/^/# /'
ok "…kvm1's daemon stopped, undefined or pruned nothing itself" \
    bash -c '! grep -qE "Domain [a-z0-9]+: .*(stop \(|undefine|prune)" "$0"' kvm1/daemon.log

for i in $(seq 1 "$N"); do stop_daemon "$i"; done
for i in $(seq 1 "$N"); do
    if grep -qiE 'error|critical' "kvm$i/daemon.log"; then
        echo "# kvm$i's daemon log, its errors:"; grep -iE 'error|critical' "kvm$i/daemon.log" | head -n 5 | sed 's/^/#   /'
    fi
done
finish
