#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# issue 18, "long work is visible": apply prints each object's result as it finishes, in apply
# order (pools, networks, domains), each object's lines together — not all at the end. A slow
# domain (apply waits for another virtspec's restart of it: a fresh record in its definition,
# whose process ends 2 s after the pool's result) must not hold back the pool's result. libvirt's test driver.
# Usage: check-apply-stream.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
chmod 0755 "$d"; mkdir -m 0755 "$d/s"
: > "$d/empty.conf"
printf 'kind: Pool\nname: p\npath: /srv/p\n' > "$d/s/p.yaml"
printf 'kind: Domain\nname: m1\nmemory: 128MiB\ngraphics: {type: none}\n' > "$d/s/m1.yaml"
printf 'kind: Domain\nname: m2\nmemory: 128MiB\ngraphics: {type: none}\n' > "$d/s/m2.yaml"
chmod 0644 "$d/s"/*.yaml
sleep 20 & holder=$!   # ends by itself if the pool's result never comes
{
    printf '<node>\n'
    for i in 1 2; do
        printf "<domain type='test'><name>m%s</name><memory unit='MiB'>64</memory><os><type>hvm</type></os><metadata>" $i
        printf "<vs:virtspec xmlns:vs='https://virtspec.dev/xmlns/1'><vs:managed>x</vs:managed></vs:virtspec>"
        [ $i = 1 ] && printf "<vsreload:reload xmlns:vsreload='https://virtspec.dev/xmlns/reload/1' pid='%s' host='%s' until='%s'/>" \
            "$holder" "$(hostname)" "$(( $(date +%s) + 300 ))"
        printf '</metadata></domain>\n'
    done
    printf '</node>\n'
} > "$d/node.xml"
# the other restart ends 2 s after the pool's result came (timed from there, not from the start:
# a slow start must not eat the margin)
# each line of stdout with the time it arrived through the pipe
"$vs" apply --config "$d/empty.conf" -c "test://$d/node.xml" "$d/s" 2>/dev/null |
    while IFS= read -r line; do
        printf '%s %s\n' "$(date +%s%N)" "$line"
        case $line in *"Pool p "*) (sleep 2; kill "$holder" 2>/dev/null) & ;; esac
    done > "$d/out"
wait
cat "$d/out"
at() { awk -v p="$1" 'index($0, p) { print substr($1, 1, length($1) - 6); exit }' "$d/out"; }   # ms
pool=$(at " Pool p ") m1=$(at " Domain m1 ") total=$(at " 3 objects")
ok "apply printed the three objects and the total" test -n "$pool" -a -n "$m1" -a -n "$total"
ok "the pool's result came as it finished, before the slow domain's (${pool:-?} vs ${m1:-?} ms)" \
    test $(( ${m1:-0} - ${pool:-0} )) -ge 1500
ok "apply order kept: pool, m1, m2, total" bash -c 'grep -o "Pool p\|Domain m1\|Domain m2\|3 objects" "$1" | tr "\n" " " | grep -qx "Pool p Domain m1 Domain m2 3 objects "' _ "$d/out"
ok "each object's lines together: m1's last line right before m2's header" \
    bash -c 'grep -B1 "Domain m2 " "$1" | head -1 | grep -q "virtspec reload m1)"' _ "$d/out"
finish
