#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The daemon's first pass over N specs looks at each object a few times in kick and summarize,
# not at every object after each object's pass (quadratic in N): they keep what is due and what
# changed. The debug log says how many looks (libvirt's in-process test driver).
. "$(dirname "$0")/check-lib.sh"
n=2000
mkdir -p "$d/s"
for ((i = 1; i <= n; i++)); do
    printf 'kind: Domain\nname: vs-f-%05d\nmemory: 64MiB\ngraphics: {type: none}\nstate: shutoff\n' "$i" > "$d/s/d$i.yaml"
done
printf 'resync_interval = 86400\n' > "$d/conf"
VIRTSPEC_LOG_LEVEL=debug "$vs" daemon --config "$d/conf" -c test:///default --specs "$d/s" \
    --status-file "$d/status.json" > "$d/log" 2>&1 &
pid=$!
wait_for 120 grep -q "first pass over every object done" "$d/log"
ok "the first pass over $n specs ended" grep -q "first pass over every object done: $n specs: $n in sync" "$d/log"
looks=$(sed -n 's/.*first pass: kick and summarize looked at \([0-9]*\) objects.*/\1/p' "$d/log")
ok "…kick and summarize looked at ${looks:-?} objects (≤ 10 per spec)" [ "${looks:-999999999}" -le $((10 * n)) ]
kill -TERM $pid; wait $pid
ok "…and the daemon stopped cleanly" [ $? = 0 ]
finish
