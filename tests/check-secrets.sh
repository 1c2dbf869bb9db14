#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Graphics passwords never appear in virtspec's output, debug log or status file; passwd_file
# must be root-owned and not readable by group or others; the status file is 0644 and the state
# directory 0700 (issue 6, docs/reliability.md). The daemon and the CLI run against libvirt's
# in-process test driver (test:///default). Usage: check-secrets.sh VIRTSPEC
set -u
export VIRTSPEC_DEBUG_SET_CHECK=1   # each set patched in place checked (tests/check-lib.sh)
vs=${1:?usage: check-secrets.sh VIRTSPEC}
case $vs in /*) ;; *) vs=$PWD/$vs ;; esac
d=$(mktemp -d)
dpid=
trap '[ -n "$dpid" ] && kill "$dpid" 2>/dev/null; rm -rf "$d"' EXIT
fail=0 pass=0
ok() {   # ok DESCRIPTION COMMAND…
    local what=$1; shift
    if "$@"; then echo "ok - $what"; pass=$((pass + 1)); else echo "FAIL - $what"; fail=$((fail + 1)); fi
}
wait_for() {   # wait_for SECONDS COMMAND…
    local end=$((SECONDS + $1)); shift
    while ! "$@" >/dev/null 2>&1; do [ $SECONDS -ge $end ] && return 1; sleep 0.1; done
}
chmod 0755 "$d"; mkdir -m 0755 "$d/specs"
cd "$d"
export VIRTSPEC_STATE_DIR=$d/state
pw1=Xq7kP2zW pw2=Yw3nR8vB pw3=Fz5mT1cQ
spec() { printf 'kind: Domain\nname: sec1\nmemory: 64MiB\ngraphics: {type: vnc, %s}\n' "$1"; }
spec "passwd: $pw1" > specs/a.yaml
chmod 0644 specs/a.yaml

# passwords through the xml escape hatch: a value set on passwd, a passwd in a fragment
pw4=Pq4hJ6sD pw5=Lk9vM3xN pw6=Hd2sW7eR
hatch() {
    printf 'kind: Domain\nname: sec2\nmemory: 64MiB\ngraphics: {type: vnc}\nxml:\n'
    printf '  set:\n    - {path: devices/graphics/@passwd, value: %s}\n' "$1"
    printf '  add:\n    - {at: devices, fragment: "<graphics type='"'spice'"' autoport='"'yes'"' passwd='"'%s'"'/>"}\n' "$2"
}
hatch $pw4 $pw5 > specs/b.yaml
chmod 0644 specs/b.yaml

"$vs" render specs > render.out 2>&1
ok "render masks the password" bash -c "! grep -q $pw1 render.out && grep -q passwd render.out"
masked() { grep -c 'passwd="[*]\{8\}"' render.out; }   # sec1's, the set one, the fragment's
ok "render masks passwords set or added through the xml key" \
    bash -c "! grep -qE '$pw4|$pw5' render.out && test $(masked) = 3"
"$vs" render --show-secrets specs > render-secrets.out 2>&1
# what virtspec stores in the domain's <metadata> (read-only clients see it): no secret
ok "the metadata records the xml key's passwords masked" bash -c \
    "sed -n '/<metadata>/,/<\/metadata>/p' render-secrets.out | grep -c '(secret)' | grep -qx 2 &&
     ! sed -n '/<metadata>/,/<\/metadata>/p' render-secrets.out | grep -qE '$pw4|$pw5' &&
     grep -q $pw4 render-secrets.out && grep -q $pw5 render-secrets.out"
"$vs" plan -c test:///default specs > plan.out 2>&1
"$vs" apply -c test:///default specs > apply.out 2>&1
ok "plan and apply print no password" bash -c "grep -q '+ create' apply.out && ! grep -qE '$pw1|$pw4|$pw5' plan.out apply.out"

VIRTSPEC_LOG_LEVEL=debug "$vs" daemon -c test:///default --specs "$d/specs" \
    --status-file "$d/status.json" > daemon.log 2>&1 &
dpid=$!
ok "the daemon creates the domain" wait_for 10 grep -q 'sec1: ▶ start' daemon.log
spec "passwd: $pw2" > specs/.a.tmp && mv specs/.a.tmp specs/a.yaml
# (the daemon once missed a password-only edit: its fingerprint of a spec leaves passwords out)
ok "a password change is applied, logged as a secret change" wait_for 10 grep -qF '~ graphics.passwd: (secret) → (secret)' daemon.log
# a password changed through the xml key: applied (compared with libvirt's value, not the masked
# record), and logged as a secret
hatch $pw6 $pw5 > specs/.b.tmp && mv specs/.b.tmp specs/b.yaml
ok "an xml key password change is applied, logged as a secret change" \
    wait_for 10 grep -qF '~ xml.set[devices/graphics/@passwd]: (secret) → (secret)' daemon.log
# a password changed inside a fragment: the fragment is replaced, shown masked
pw7=Qm8cV4nT
hatch $pw6 $pw7 > specs/.b.tmp && mv specs/.b.tmp specs/b.yaml
ok "a fragment's password change is applied, shown masked" \
    wait_for 10 grep -qF 'xml.add[devices/graphics]' daemon.log
# passwd_file readable by others: refused, named
printf '%s\n' "$pw3" > pw; chmod 0644 pw
spec "passwd_file: $d/pw" > specs/.a.tmp && mv specs/.a.tmp specs/a.yaml
ok "a passwd_file readable by others is refused" wait_for 10 grep -q "graphics.passwd_file $d/pw must be owned by root and not readable by group or others" status.json
chmod 0600 pw; touch specs/a.yaml
ok "a 0600 passwd_file is used" wait_for 10 bash -c "grep -cF '~ graphics.passwd: (secret) → (secret)' daemon.log | grep -qx 2"
# (the test driver refuses a live password change: the domain is reload-pending, not failed)
ok "status.json has no error for the domain" wait_for 10 grep -q '"error": null' status.json
kill -TERM "$dpid"; wait "$dpid"; rc=$?; dpid=
ok "the daemon exits cleanly" test "$rc" = 0
for f in daemon.log status.json; do
    ok "no password in $f" bash -c "! grep -qE '$pw1|$pw2|$pw3|$pw4|$pw5|$pw6|$pw7' $f"
done
ok "status.json is 0644" test "$(stat -c %a status.json)" = 644
if [ -d state ]; then ok "the state directory is 0700" test "$(stat -c %a state)" = 700; fi
# passwd_file that is a FIFO (it hung plan, status and apply forever), too long for vnc, too big
mkdir -m 0755 fifo; mkfifo -m 0600 pw.fifo
spec "passwd_file: $d/pw.fifo" > fifo/a.yaml; chmod 0644 fifo/a.yaml
timeout 20 "$vs" plan -c test:///default fifo > fifo.out 2>&1; rc=$?
ok "a FIFO passwd_file is refused at once, named" bash -c "[ $rc = 1 ] && grep -qF 'graphics.passwd_file $d/pw.fifo is not a regular file' fifo.out"
printf '%s\n' 123456789 > pw9; chmod 0600 pw9
spec "passwd_file: $d/pw9" > fifo/a.yaml
"$vs" plan -c test:///default fifo > long.out 2>&1; rc=$?
ok "a passwd_file over vnc's 8 characters is refused like passwd" bash -c "[ $rc = 1 ] && grep -qF 'graphics.passwd_file $d/pw9: a vnc password is at most 8 characters' long.out"
head -c 8192 /dev/zero | tr '\0' a > pwbig; chmod 0600 pwbig
spec "passwd_file: $d/pwbig" > fifo/a.yaml
"$vs" plan -c test:///default fifo > big.out 2>&1; rc=$?
ok "a passwd_file over 4096 bytes is refused" bash -c "[ $rc = 1 ] && grep -qF 'is larger than 4096 bytes' big.out"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
