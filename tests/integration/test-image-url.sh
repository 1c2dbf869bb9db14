#!/bin/bash
# Issue 20 part 3: base images by URL and sha256, fetched from an HTTP server this test starts on
# 127.0.0.1 inside the harness' private network namespace (tests/integration/image-server.py;
# nothing leaves the machine). A good download; a truncated one resumed (Range); a server that
# ignores Range (restarted cleanly); a wrong sha256 (the .part removed, expected and got named);
# the server gone mid-transfer (error, .part kept, resumed later); .xz, .gz and .zst images
# decompressed while streaming; a download without Content-Length logs a progress line per 64 MiB;
# a second domain on the same image downloads nothing; a new
# sha256 for an existing disk is a plan line, never a download; a qcow2 with a backing file is
# refused; a resume refused with 416 starts over; a stalled server is an error after
# VIRTSPEC_FETCH_STALL_TIMEOUT; the daemon shows a slow download's progress in status.json,
# `virtspec status` and its log, and stops showing it when the download ended (not the pass).
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir specs srv
cache=$VIRTSPEC_STATE_DIR/images

# 16 MiB raw images: data, a hole, data (the zeros come back as holes)
mkimg() {   # mkimg FILE
    truncate -s 16M "$1"
    head -c 3M /dev/urandom | dd of="$1" bs=1M conv=notrunc status=none
    head -c 1M /dev/urandom | dd of="$1" bs=1M seek=12 conv=notrunc status=none
}
mkimg srv/a.raw; mkimg srv/b.raw; mkimg srv/c.raw; mkimg srv/e.raw; mkimg srv/f.raw; mkimg srv/g.raw
xz -T1 -1 -k srv/a.raw; gzip -1 -k srv/a.raw; zstd -q -1 -k srv/a.raw
sha() { sha256sum "srv/$1" | cut -d' ' -f1; }

server_pid=
start_server() {
    rm -f port
    python3 "$TESTDIR/image-server.py" srv port server.log ${1:-} &
    server_pid=$!
    for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
    port=$(cat port)
}
stop_server() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; server_pid=; }
trap stop_server EXIT
start_server
echo "# server on 127.0.0.1:$port"
mode() { printf '%s\n' "$1" > srv/.mode; }
gets() { grep -c "^GET /$1 " server.log 2>/dev/null || true; }
sent() { grep "^GET /$1 " server.log | sed -n "$2p" | awk '{print $NF}'; }   # sent FILE N: body bytes of its Nth answer
size=$((16 << 20))

dir_pool_spec vs-img > specs/00-pool.yaml
dom() {   # dom NAME FILE SHA256 > spec
    printf 'kind: Domain\nname: %s\nmemory: 64MiB\nstate: shutoff\ndisks:\n' "$1"
    printf '  - {name: root, pool: vs-img, image: {url: "http://127.0.0.1:%s/%s", sha256: %s}}\n' \
        "$port" "$2" "$3"
}

# ---- a truncated download, then its resume
dom vs-a a.raw "$(sha a.raw)" > specs/10-a.yaml
mode truncate
vs apply specs
ok "a truncated download fails the apply" test "$rc" -ne 0
contains "…saying the bytes are kept to resume" "kept in $cache/$(sha a.raw).part to resume from" "$out"
part=$(stat -c %s "$cache/$(sha a.raw).part" 2>/dev/null || echo 0)
echo "# .part: $part bytes"
ok "…and the .part holds the first part" test "$part" -gt 0 -a "$part" -lt $((16 << 20))
mode ""
vs apply specs
is "the next apply resumes and succeeds" 0 "$rc"
printf '%s\n' "$out" | grep -E 'fetch|resum|upload' | sed 's/^/    | /'
contains "…resuming at the .part's size" "resuming at $part bytes" "$out"
ok "…with a Range request from there" grep -q "^GET /a.raw bytes=$part- 206" server.log
bv=base-sha256-$(sha a.raw)
ok "the base volume is the image, byte for byte" cmp -s srv/a.raw "pool/$bv"
ok "the cache holds the verified image" cmp -s srv/a.raw "$cache/$(sha a.raw)"
ok "…and no .part" test ! -e "$cache/$(sha a.raw).part"
contains "the journal/log has the fetch's progress" "fetching http://127.0.0.1:$port/a.raw:" "$out"
contains "…and says the sha256 was verified" "sha256 $(sha a.raw) verified" "$out"

# ---- a second domain on the same image: no download at all
n=$(gets a.raw)
dom vs-a2 a.raw "$(sha a.raw)" > specs/11-a2.yaml
rm -f "$cache/$(sha a.raw)"    # not even the cache: the base in the pool is the image
vs apply specs
is "a second domain on the same image applies" 0 "$rc"
is "…without a request to the server" "$n" "$(gets a.raw)"
is "…on the same base volume" "$(virsh vol-list vs-img | grep -c base-sha256-)" 1
backing=$(virsh vol-dumpxml --pool vs-img vs-a2-root.qcow2 | sed -n 's:.*<path>\(.*\)</path>.*:\1:p' | tail -1)
is "…its overlay backed by it" "$WORK/pool/$bv" "$backing"

# ---- a wrong sha256
bad=0000000000000000000000000000000000000000000000000000000000000000
dom vs-b b.raw $bad > specs/20-b.yaml
vs apply specs
ok "a wrong sha256 fails the apply" test "$rc" -ne 0
contains "…naming expected and got" "sha256 mismatch: expected $bad, got $(sha b.raw)" "$out"
ok "…and the .part is removed" test ! -e "$cache/$bad.part"
ok "…and nothing is cached" test ! -e "$cache/$bad"
dom vs-b b.raw "$(sha b.raw)" > specs/20-b.yaml
vs apply specs
is "with the right sha256 it applies" 0 "$rc"
ok "…the base is the image" cmp -s srv/b.raw "pool/base-sha256-$(sha b.raw)"

# ---- the server gone mid-transfer, then back
dom vs-c c.raw "$(sha c.raw)" > specs/30-c.yaml
mode gone
vs apply specs
ok "a server gone mid-transfer fails the apply" test "$rc" -ne 0
contains "…reported with the bytes kept" "to resume from" "$out"
ok "…the .part is kept" test -s "$cache/$(sha c.raw).part"
partc=$(stat -c %s "$cache/$(sha c.raw).part")
stop_server   # gone by itself (a run that never asked it stops here)
mode ""
start_server "$port"
vs apply specs
is "with the server back the apply resumes and succeeds" 0 "$rc"
ok "…Range from the .part" grep -q "^GET /c.raw bytes=[1-9][0-9]*- 206" server.log
ok "…the base is the image" cmp -s srv/c.raw "pool/base-sha256-$(sha c.raw)"
echo "# c.raw: the server sent $(sent c.raw 1) bytes before it went, $(sent c.raw 2) on the resume (.part: $partc)"
ok "…the resumed request sent fewer bytes than the file" test "$(sent c.raw 2)" -lt $size
is "…exactly what the .part lacked" $((size - partc)) "$(sent c.raw 2)"

# ---- a server that ignores Range: the download starts over cleanly
cp srv/c.raw srv/d.raw; head -c 1M /dev/urandom | dd of=srv/d.raw bs=1M seek=5 conv=notrunc status=none
dom vs-d d.raw "$(sha d.raw)" > specs/40-d.yaml
mode truncate
vs apply specs
ok "(d: truncated first)" test "$rc" -ne 0
mode norange
vs apply specs
is "a server ignoring Range: the apply succeeds" 0 "$rc"
contains "…saying it starts over" "ignored the range request" "$out"
ok "…the base is the image (no doubled prefix)" cmp -s srv/d.raw "pool/base-sha256-$(sha d.raw)"
mode ""

# ---- a resume the server refuses with 416 (the file changed meanwhile): the .part is discarded
# and the download starts over from 0
dom vs-e2 e.raw "$(sha e.raw)" > specs/45-e.yaml
mode truncate
vs apply specs
ok "(e: truncated first)" test -s "$cache/$(sha e.raw).part"
mode 416
vs apply specs
is "a resume refused with 416: the apply succeeds" 0 "$rc"
contains "…saying the .part is discarded" "refused (HTTP 416, range not satisfiable: the file changed): the .part is discarded, fetching it from the start" "$out"
ok "…after the refused Range request" grep -q "^GET /e.raw bytes=[1-9][0-9]*- 416" server.log
is "…the whole file from 0" "GET /e.raw - 200 $size" "$(grep '^GET /e.raw ' server.log | tail -1)"
ok "…the base is the image" cmp -s srv/e.raw "pool/base-sha256-$(sha e.raw)"

# ---- a stalled server (connection open, nothing sent): an error naming the URL and the stall
# within the stall timeout (VIRTSPEC_FETCH_STALL_TIMEOUT, 60 s by default), the .part kept
dom vs-f f.raw "$(sha f.raw)" > specs/46-f.yaml
mode stall
t0=$(date +%s)
VIRTSPEC_FETCH_STALL_TIMEOUT=2 vs apply specs
took=$(( $(date +%s) - t0 ))
ok "a stalled server fails the apply (took $took s)" test "$rc" -ne 0
contains "…naming the URL and the stall" "fetching http://127.0.0.1:$port/f.raw: stalled: the server sent nothing for 2 s (connection open)" "$out"
ok "…within the stall timeout, not 60 s" test "$took" -lt 20
ok "…the .part is kept" test -s "$cache/$(sha f.raw).part"
mode ""
vs apply specs
is "with the server answering again the apply resumes and succeeds" 0 "$rc"
ok "…the base is the image" cmp -s srv/f.raw "pool/base-sha256-$(sha f.raw)"

# ---- compressed images, decompressed while streaming; sha256 of the compressed bytes
for z in xz gz zst; do
    dom vs-$z a.raw.$z "$(sha a.raw.$z)" > specs/50-$z.yaml
done
vs apply specs
is "the .xz, .gz and .zst images apply" 0 "$rc"
for z in xz gz zst; do
    ok "…the $z base is the decompressed image" cmp -s srv/a.raw "pool/base-sha256-$(sha a.raw.$z)"
done
alloc=$(stat -c %b "$cache/$(sha a.raw.xz)"); alloc=$((alloc * 512))
echo "# decompressed xz image in the cache: $alloc bytes allocated of $((16 << 20))"
ok "…decompressed sparse (zeros are holes)" test "$alloc" -le $((6 << 20))

# ---- no Content-Length (the size unknown): a progress line in the log per 64 MiB, none in %
truncate -s 136M srv/big.raw
head -c 1M /dev/urandom | dd of=srv/big.raw conv=notrunc status=none
dom vs-big big.raw "$(sha big.raw)" > specs/55-big.yaml
mode nolength
vs apply specs
mode ""
is "a download without Content-Length applies" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"
printf '%s\n' "$out" | grep -F "big.raw:" | sed 's/^/    | /'
is "…a progress line at 64 and at 128 MiB" 2 "$(printf '%s\n' "$out" | grep -c "fetching http://127.0.0.1:$port/big.raw: [0-9.]* MiB of unknown size, ")"
contains "…the first at 64 MiB" "fetching http://127.0.0.1:$port/big.raw: 64.0 MiB of unknown size" "$out"
lacks "…no percentage" "big.raw: 64.0 MiB of 0 B" "$out"
ok "…the base is the image" cmp -s srv/big.raw "pool/base-sha256-$(sha big.raw)"

# ---- a new sha256 for an existing disk: a plan line, no download
n=$(gets a.raw.xz)
dom vs-a a.raw.xz "$(sha a.raw.xz)" > specs/10-a.yaml
vs plan specs
printf '%s\n' "$out" | grep -F 'disks[root].image' | sed 's/^/    | /'
old=$(sha a.raw | cut -c1-12) new=$(sha a.raw.xz | cut -c1-12)
contains "plan shows the new image" "disks[root].image: sha256 $old… → $new… (new domains only; existing overlays keep their base)" "$out"
vs apply specs
contains "apply says it too" "disks[root].image: sha256 $old…" "$out"
is "…and downloads nothing" "$n" "$(gets a.raw.xz)"
backing=$(virsh vol-dumpxml --pool vs-img vs-a-root.qcow2 | sed -n 's:.*<path>\(.*\)</path>.*:\1:p' | tail -1)
is "…the existing overlay keeps its base" "$WORK/pool/$bv" "$backing"

# ---- a qcow2 with a backing file: refused (the base would point at a file of the server's)
qemu-img create -q -f qcow2 srv/under.qcow2 16M
qemu-img create -q -f qcow2 -b under.qcow2 -F qcow2 srv/over.qcow2
dom vs-e over.qcow2 "$(sha over.qcow2)" > specs/60-e.yaml
vs apply specs
ok "a qcow2 with a backing file fails the apply" test "$rc" -ne 0
contains "…saying to flatten it" "has a backing file; flatten it (qemu-img convert)" "$out"
ok "…and makes no base of it" test ! -e "pool/base-sha256-$(sha over.qcow2)"
rm specs/60-e.yaml

# ---- pruning the cache (apply --prune): an image no spec names any more whose base volume a pool
# holds goes; one a spec names, one no pool holds (the only copy), a .part stay
rm specs/20-b.yaml
head -c 1M /dev/urandom > lone; lone=$(sha256sum lone | cut -d' ' -f1); cp lone "$cache/$lone"
orphan_part=$(printf '%064d' 7); echo partial > "$cache/$orphan_part.part"
vs apply specs
ok "a plain apply keeps the unnamed image in the cache" test -e "$cache/$(sha b.raw)"
printf 'specs = %s\n' "$WORK/specs" > prune.conf   # --prune: against the whole configured tree
vs plan --config prune.conf --prune specs
contains "plan --prune says it would go" "image cache: would remove cached image $cache/$(sha b.raw): no spec names it, pool vs-img holds its base volume base-sha256-$(sha b.raw)" "$out"
ok "…and removes nothing" test -e "$cache/$(sha b.raw)"
vs apply --config prune.conf --prune specs
is "apply --prune succeeds" 0 "$rc"
printf '%s\n' "$out" | grep '^image cache' | sed 's/^/    | /'
contains "apply --prune removes it" "image cache: removed cached image $cache/$(sha b.raw) (16 MiB): no spec names it, pool vs-img holds its base volume" "$out"
ok "…gone from the cache" test ! -e "$cache/$(sha b.raw)"
ok "…its base volume stays in the pool" cmp -s srv/b.raw "pool/base-sha256-$(sha b.raw)"
ok "an image a spec names stays" test -e "$cache/$(sha c.raw)"
ok "an image no pool holds (the only copy) stays" cmp -s lone "$cache/$lone"
ok "a .part stays" test -e "$cache/$orphan_part.part"
is "one line, no more" 1 "$(printf '%s\n' "$out" | grep -c '^image cache')"
# the daemon with prune on: after its passes, against the specs it has in force (pspecs: the
# pool and vs-c only; it prunes the other domains too): d's cached image goes, c's and the lone
# one stay
mkdir pspecs
cp specs/00-pool.yaml specs/30-c.yaml pspecs/
"$VS" daemon --prune --specs "$WORK/pspecs" --status-file "$WORK/pstatus.json" > pdaemon.log 2>&1 &
dpid=$!
gone() { [ ! -e "$cache/$(sha $1)" ]; }
ok "the daemon with prune on removes a cached image no spec of its names (d's)" wait_for 30 gone d.raw
kill "$dpid"; wait "$dpid"
grep 'cached image' pdaemon.log | sed 's/^/    | /'
contains "…and logs it" "removed cached image $cache/$(sha d.raw) (16 MiB): no spec names it, pool vs-img holds its base volume" "$(cat pdaemon.log)"
ok "…keeps c's (its spec is in force)" test -e "$cache/$(sha c.raw)"
ok "…keeps the one no pool holds" cmp -s lone "$cache/$lone"
ok "…its base volume stays in the pool" cmp -s srv/d.raw "pool/base-sha256-$(sha d.raw)"
rm -f "$cache/$lone" "$cache/$orphan_part.part"

# ---- the daemon: a download's progress in status.json while it runs (bytes done of the size,
# a rate), `virtspec status` shows the domain fetching, the journal a line per 10 %
mkdir dspecs
cp specs/00-pool.yaml dspecs/
dom vs-g g.raw "$(sha g.raw)" > dspecs/g.yaml
mode slow:4194304   # 16 MiB in about 4 s
"$VS" daemon --specs "$WORK/dspecs" --status-file "$WORK/status.json" > daemon.log 2>&1 &
dpid=$!
fetching() { grep -q '"fetching": {' status.json 2>/dev/null; }
ok "status.json says vs-g is fetching" wait_for 20 fetching
vs status --status-file status.json
printf '%s\n' "$out" | grep -A1 '^Domain *vs-g' | sed 's/^/    | /'
is "…virtspec status shows it in STATE" fetching "$(row_state Domain vs-g)"
contains "…with the bytes, the size and a rate" "fetching http://127.0.0.1:$port/g.raw: " "$out"
contains "…of the image's size" " of 16.0 MiB (" "$out"
# every status.json write until the pass is over: (done, total, rate) while fetching, then the state
python3 - "$WORK/status.json" > fetch-seen <<'PY'
import json, sys, time
seen, end = [], time.time() + 60
while time.time() < end:
    try:
        o = [o for o in json.load(open(sys.argv[1]))["objects"] if o["name"] == "vs-g"][0]
    except (OSError, ValueError, IndexError):
        time.sleep(0.05); continue
    f = o.get("fetching")
    if f and (not seen or seen[-1] != (f["done"], f["total"], f["rate"])):
        seen.append((f["done"], f["total"], f["rate"]))
    if not f and not o["reconciling"] and o["state"] != "missing":
        break
    time.sleep(0.05)
for s in seen:
    print("fetching", *s)
print("then", o["state"], o.get("fetching"))
PY
sed 's/^/    | /' fetch-seen
dones=$(awk '$1 == "fetching" {print $2}' fetch-seen)
ok "…the byte count grows from write to write" test "$(printf '%s\n' $dones | sort -nu | wc -l)" -ge 2
is "…never backwards" "$(printf '%s\n' $dones | sort -n)" "$(printf '%s\n' $dones)"
is "…of the image's size" "$size" "$(awk '$1 == "fetching" {print $3}' fetch-seen | sort -u)"
ok "…at a rate" test "$(awk '$1 == "fetching" {print $4}' fetch-seen | sort -n | tail -1)" -gt 0
is "then the normal state, nothing fetching" "then in-sync None" "$(tail -1 fetch-seen)"
journal=$(grep -c "fetching http://127.0.0.1:$port/g.raw: .* of 16.0 MiB ([0-9]*%)" daemon.log)
is "the journal has one progress line per 10 %" 10 "$journal"
kill "$dpid"; wait "$dpid"
mode ""
ok "…the base is the image" cmp -s srv/g.raw "pool/base-sha256-$(sha g.raw)"

# ---- the daemon: once the download ended, the entry stops saying "fetching" while the pass goes
# on (4 GiB of zeros gunzipped: seconds), not only when the pass is over. The .gz: a member of
# random data, then one of 256 MiB of zeros 16 times (concatenated members, as gzip writes them)
head -c 1M /dev/urandom | gzip -1 > srv/h.raw.gz
head -c 256M /dev/zero | gzip -1 > zeros.gz
for _ in $(seq 16); do cat zeros.gz >> srv/h.raw.gz; done
mkdir hspecs
cp specs/00-pool.yaml hspecs/
dom vs-h h.raw.gz "$(sha h.raw.gz)" > hspecs/h.yaml
mode slow:8388608   # about 20 MiB in 2.5 s
"$VS" daemon --specs "$WORK/hspecs" --status-file "$WORK/hstatus.json" > hdaemon.log 2>&1 &
dpid=$!
python3 - "$WORK/hstatus.json" > fetch-end <<'PY'
import json, sys, time
seen, end = [], time.time() + 120
while time.time() < end:
    try:
        o = [o for o in json.load(open(sys.argv[1]))["objects"] if o["name"] == "vs-h"][0]
    except (OSError, ValueError, IndexError):
        time.sleep(0.05); continue
    s = ("fetching" if o.get("fetching") else "reconciling" if o["reconciling"] else o["state"])
    if not seen or seen[-1] != s:
        seen.append(s)
    if not o["reconciling"] and o["state"] != "missing":
        break
    time.sleep(0.05)
print(*seen)
PY
sed 's/^/    | /' fetch-end
contains "…a write says reconciling, not fetching, once the download ended" "fetching reconciling" "$(cat fetch-end)"
kill "$dpid"; wait "$dpid"
mode ""

for d in vs-a vs-a2 vs-b vs-c vs-d vs-e vs-e2 vs-f vs-g vs-h vs-xz vs-gz vs-zst; do virsh undefine "$d" >/dev/null 2>&1; done
finish
