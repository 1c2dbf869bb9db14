#!/bin/bash
# Issue 20 part 3: base images by URL and sha256, fetched from an HTTP server this test starts on
# 127.0.0.1 inside the harness' private network namespace (tests/integration/image-server.py;
# nothing leaves the machine). A good download; a truncated one resumed (Range); a server that
# ignores Range (restarted cleanly); a wrong sha256 (the .part removed, expected and got named);
# the server gone mid-transfer (error, .part kept, resumed later); .xz, .gz and .zst images
# decompressed while streaming; a second domain on the same image downloads nothing; a new
# sha256 for an existing disk is a plan line, never a download; a qcow2 with a backing file is
# refused.
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
mkimg srv/a.raw; mkimg srv/b.raw; mkimg srv/c.raw
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
stop_server   # gone by itself (a run that never asked it stops here)
mode ""
start_server "$port"
vs apply specs
is "with the server back the apply resumes and succeeds" 0 "$rc"
ok "…Range from the .part" grep -q "^GET /c.raw bytes=[1-9][0-9]*- 206" server.log
ok "…the base is the image" cmp -s srv/c.raw "pool/base-sha256-$(sha c.raw)"

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

for d in vs-a vs-a2 vs-b vs-c vs-d vs-e vs-xz vs-gz vs-zst; do virsh undefine "$d" >/dev/null 2>&1; done
finish
