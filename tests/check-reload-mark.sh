#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The restart-in-progress record (`virtspec reload`, reload: auto) is read from the definition
# the pass already fetched: apply makes no virDomainGetMetadata call (it made two per domain),
# and still sees a fresh record. libvirt's test driver from a file; the calls are counted in
# libvirt's client debug log (every public API entry point logs its name).
# Usage: check-reload-mark.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
chmod 0755 "$d"; mkdir -m 0755 "$d/s"
export VIRTSPEC_STATE_DIR=$d/state
# node DOMAIN-XML-METADATA…: three owned domains m1..m3; m1's metadata gets $1
node() {
    printf '<node>\n'
    for i in 1 2 3; do
        printf "<domain type='test'><name>m%s</name><memory unit='MiB'>64</memory><os><type>hvm</type></os><metadata>" $i
        printf "<vs:virtspec xmlns:vs='https://virtspec.dev/xmlns/1'><vs:managed>x</vs:managed></vs:virtspec>"
        [ "$i" = 1 ] && printf '%s' "${1:-}"
        printf '</metadata></domain>\n'
    done
    printf '</node>\n'
}
for i in 1 2 3; do
    printf 'kind: Domain\nname: m%s\nmemory: 128MiB\ngraphics: {type: none}\n' $i > "$d/s/m$i.yaml"
done
node > "$d/node.xml"
calls() { grep -c "debug : $1:" "$d/libvirt.log"; }
LIBVIRT_LOG_FILTERS=1:libvirt LIBVIRT_LOG_OUTPUTS="1:file:$d/libvirt.log" \
    t "apply of three domains" 0 "3 objects" apply -c "test://$d/node.xml" "$d/s"
ok "…reads each definition" test "$(calls virDomainGetXMLDesc)" -ge 3
ok "…and makes no virDomainGetMetadata call (was 2 per domain: $(calls virDomainGetMetadata) now)" \
    test "$(calls virDomainGetMetadata)" = 0
# a fresh record (its process alive on this host, deadline ahead): apply waits for the restart
# (here: until its process is gone, 1 s later)
sleep 60 & holder=$!
node "<vsreload:reload xmlns:vsreload='https://virtspec.dev/xmlns/reload/1' pid='$holder' host='$(hostname)' until='$(( $(date +%s) + 300 ))'/>" > "$d/node.xml"
(sleep 1; kill "$holder") &
t "a fresh restart record in m1's definition is seen" 0 "Domain m1 is being restarted by virtspec (pid $holder" \
    apply -c "test://$d/node.xml" "$d/s"
wait
t "…and a stale one (its process gone) is not" 0 "~ memory: 64 MiB → 128 MiB" apply -c "test://$d/node.xml" -t m1 "$d/s"
finish
