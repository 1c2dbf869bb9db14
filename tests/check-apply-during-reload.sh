#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `virtspec apply` while another process's `virtspec reload` of the same domain is in progress
# (a fresh restart record in the domain's metadata) never reports success for a domain it did
# not bring to the spec: it waits for the restart to end (the record gone or stale), then
# reconciles the domain and exits 0; a restart that outlasts the wait (the domain's
# shutdown_timeout + 60 s) fails the domain, exit 1 (not checked here: a minute at least).
# libvirt's test driver from a file; the restarting process is a `sleep` whose end (kill) stands
# for the end of the restart.
# Usage: check-apply-during-reload.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
chmod 0755 "$d"; mkdir -m 0755 "$d/s"
export VIRTSPEC_STATE_DIR=$d/state
printf 'kind: Domain\nname: m1\nmemory: 128MiB\ngraphics: {type: none}\nshutdown_timeout: 5\n' > "$d/s/m1.yaml"
sleep 60 & holder=$!
{
    printf "<node><domain type='test'><name>m1</name><memory unit='MiB'>64</memory><os><type>hvm</type></os><metadata>"
    printf "<vs:virtspec xmlns:vs='https://virtspec.dev/xmlns/1'><vs:managed>x</vs:managed></vs:virtspec>"
    printf "<vsreload:reload xmlns:vsreload='https://virtspec.dev/xmlns/reload/1' pid='%s' host='%s' until='%s'/>" \
        "$holder" "$(hostname)" "$(( $(date +%s) + 300 ))"
    printf '</metadata></domain></node>\n'
} > "$d/node.xml"
(sleep 2; kill "$holder") &
start=$(date +%s%N)
t "apply during another virtspec's restart: waits, then converges (exit 0)" 0 "~ memory: 64 MiB → 128 MiB" \
    apply -c "test://$d/node.xml" "$d/s"
took=$(( ($(date +%s%N) - start) / 1000000 ))
wait
ok "…it said it waits, on stderr" grep -qF "virtspec: Domain m1 is being restarted by virtspec (pid $holder on $(hostname); left alone for" <<<"$out"
ok "…for the restart to end, at most shutdown_timeout + 60 s" grep -qF "waiting for the restart to end (65 s at most)" <<<"$out"
ok "…and did wait for it (${took} ms ≥ 1500)" test "$took" -ge 1500
ok "…it does not say it left the domain alone" bash -c "! grep -qF '= left alone' <<<\"\$1\"" _ "$out"
finish
