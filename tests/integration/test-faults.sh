#!/bin/bash
# Issue 6: faults. libvirtd and virtspec killed mid-apply, libvirtd stopped for 30 s, specs
# truncated mid-write, the spec directory swapped by symlink (GitOps) or deleted and recreated.
. "$(dirname "$0")/lib.sh"
cd "$WORK"

restart_libvirtd() {
    libvirtd --pid-file /run/libvirt/libvirtd.pid --config /etc/libvirt/libvirtd.conf \
        </dev/null >>libvirtd-restarts.out 2>&1 &
    extra_libvirtd="${extra_libvirtd:-} $!"
    wait_for 60 virsh version
}
owned_count() {   # how many vs-f-* domains exist, and how many carry virtspec's metadata
    local n=0 owned=0
    for d in $(virsh list --all --name | grep '^vs-f-'); do
        n=$((n + 1))
        virsh dumpxml --inactive "$d" | grep -q 'https://virtspec.dev/xmlns/1' && owned=$((owned + 1))
    done
    echo "$n $owned"
}

# --- libvirtd killed with SIGKILL in the middle of applying 50 domains -------------------------
# (running domains: starting them takes long enough that the kill lands mid-apply)
mkdir fifty
for i in $(seq -w 1 50); do
    printf 'kind: Domain\nname: vs-f-%s\nmemory: 32MiB\ngraphics: {type: none}\nstate: running\n' "$i" > fifty/d$i.yaml
done
"$VS" apply fifty > apply1.log 2>&1 &
apid=$!
wait_for 30 bash -c '[ "$(virsh list --name | grep -c "^vs-f-")" -ge 8 ]' >/dev/null
kill -9 "$(cat /run/libvirt/libvirtd.pid)"
wait $apid; first=$?
ok "the interrupted apply reports failure" test "$first" -ne 0
ok "libvirtd comes back" restart_libvirtd
read n owned < <(owned_count)
echo "# libvirtd was killed with $n of 50 domains defined"
vs apply fifty
# libvirt 9.0: a domain libvirtd was starting when it was killed can come back with that start
# job restored and no thread to finish it ("current job is (none, none, start) owned by (0 <null>,
# …"); every later job on it — start, destroy — times out on "cannot acquire state change lock",
# whoever asks. Seen in 1 of about 10 CI runs. virtspec must report exactly those domains as
# failed and converge all the others; they are then left out (their specs removed: orphaned).
stuck=$(grep -o 'for domain vs-f-[0-9]*; current job is (none, none, start) owned by (0 <null>' \
            "$VIRTSPEC_TEST_LIBVIRTD_LOG" 2>/dev/null | awk '{print $3}' | tr -d ';' | sort -u | xargs)
failed=$(printf '%s\n' "$out" | awk '/^Domain / {d = $2} /✗/ {print d}' | sort -u | xargs)
if [ -z "$stuck" ]; then
    is "the next apply converges" 0 "$rc"
else
    echo "# libvirtd restored an orphaned start job for: $stuck (libvirt 9.0; left out from here on)"
    is "the next apply fails exactly for the domains libvirtd left locked" "$stuck" "$failed"
    for d in $stuck; do rm "fifty/d${d#vs-f-}.yaml"; done
fi
read n owned < <(owned_count)
is "all 50 domains exist, no duplicate" 50 "$n"
is "every one of them is owned (nothing half-created and unowned)" 50 "$owned"
vs apply fifty
contains "and a further apply is a no-op" "0 libvirt changes" "$out"
running_others() {   # running vs-f-* domains, the ones libvirtd left locked not counted
    virsh list --name | grep '^vs-f-' | grep -vxF -f <(printf '%s\n' $stuck) | grep -c .
}
n_stuck=$(printf '%s\n' $stuck | grep -c .)
is "all 50 run (those libvirtd left locked aside)" $((50 - n_stuck)) "$(running_others)"
for d in $(virsh list --name | grep '^vs-f-'); do
    [[ " $stuck " == *" $d "* ]] || virsh destroy "$d" >/dev/null
done
sed -i 's/^state: running/state: shutoff/' fifty/*.yaml

# --- virtspec killed with SIGKILL mid-apply ----------------------------------------------------
for i in $(seq -w 51 70); do
    printf 'kind: Domain\nname: vs-f-%s\nmemory: 32MiB\ngraphics: {type: none}\nstate: running\n' "$i" > fifty/d$i.yaml
done
"$VS" apply fifty > apply2.log 2>&1 &
apid=$!
wait_for 30 bash -c '[ "$(virsh list --name | grep -c "^vs-f-")" -ge 5 ]' >/dev/null
kill -9 $apid; wait $apid 2>/dev/null
read n owned < <(owned_count)
echo "# virtspec killed with $n of 70 domains defined"
vs apply fifty
is "after virtspec was killed mid-apply, the next apply converges" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out" | grep -B3 '✗\|error' | sed 's/^/    | /' | head -40
read n owned < <(owned_count)
is "all 70 domains, all owned" "70 70" "$n $owned"
is "the 20 new ones run" 20 "$(virsh list --name | grep -c '^vs-f-\(5[1-9]\|6[0-9]\|70\)$')"
for d in $(virsh list --name | grep '^vs-f-'); do
    [[ " $stuck " == *" $d "* ]] || virsh destroy "$d" >/dev/null
done

# --- the daemon: libvirtd stopped with SIGSTOP for 30 s ------------------------------------------
rm -rf fifty
mkdir -p rev1 rev2
printf 'kind: Domain\nname: vs-g\nmemory: 64MiB\ntitle: one\nshutdown_timeout: 1\n' > rev1/g.yaml
printf 'kind: Domain\nname: vs-g\nmemory: 64MiB\ntitle: two\nshutdown_timeout: 1\n' > rev2/g.yaml
ln -s rev1 specs
"$VS" daemon --specs "$WORK/specs" --status-file "$WORK/status.json" > daemon.log 2>&1 &
dpid=$!
title_is() { [ "$(xpath "$(inactive_xml vs-g)" 'string(/domain/title)')" = "$1" ]; }
ok "daemon converges on the first revision" wait_for 30 title_is one
lpid=$(cat /run/libvirt/libvirtd.pid)
kill -STOP "$lpid"
sleep 30
kill -CONT "$lpid"
ok "the daemon survived a 30 s SIGSTOP of libvirtd" kill -0 $dpid
virsh destroy vs-g >/dev/null 2>&1
ok "after SIGCONT it is working again (destroyed domain restarted)" wait_for 60 bash -c '[ "$(virsh domstate vs-g | head -1)" = running ]'

# --- GitOps: the spec directory is a symlink swapped to a new revision --------------------------
ln -s rev2 specs.new && mv -T specs.new specs
ok "a symlink swap of the spec directory is picked up" wait_for 30 title_is two

# --- a spec truncated mid-write: the last good version stays ------------------------------------
printf 'kind: Domain\nname: vs-g\nmemory: 64MiB\ntitle: three\ndisks: [{name: ro' > rev2/g.yaml   # cut mid-write
sleep 1
printf 'kind: Domain\nname: vs-g\nmemo' > rev2/g.yaml
sleep 1
ok "a truncated spec keeps the last good version" title_is two
is "the domain is still running" running "$(domstate vs-g)"
printf 'kind: Domain\nname: vs-g\nmemory: 64MiB\ntitle: three\nshutdown_timeout: 1\n' > rev2/g.yaml
ok "the completed write is applied" wait_for 30 title_is three

# --- the spec directory deleted and recreated ---------------------------------------------------
rm -rf rev2 specs
sleep 1
ok "deleting the spec directory deletes nothing" virsh dominfo vs-g
is "…and the domain keeps running" running "$(domstate vs-g)"
mkdir specs
printf 'kind: Domain\nname: vs-g\nmemory: 64MiB\ntitle: four\nshutdown_timeout: 1\n' > specs/g.yaml
ok "a recreated spec directory is watched again" wait_for 30 title_is four

kill -TERM $dpid; wait $dpid
is "the daemon exits cleanly" 0 "$?"
[ "$n_fail" -gt 0 ] && tail -40 daemon.log
for p in $extra_libvirtd; do kill "$p" 2>/dev/null; done
finish
