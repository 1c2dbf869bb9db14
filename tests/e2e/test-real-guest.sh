#!/bin/bash
# End-to-end on a real guest OS (issue 16): a Debian 12 guest built by build-image.sh
# ($VIRTSPEC_E2E_IMAGE_DIR), from specs only — a Network, a Pool, a Domain on the image (overlay
# disk, direct kernel boot, an ip:, cloud_init with a key made here) — is logged into over SSH,
# then every live path is checked from inside the guest, each with the domain's id unchanged:
# balloon, vCPU hot-plug, disk hot-add and grow, NIC hot-add, CD-ROM media change. Then a config
# change waits as reload-pending until `virtspec reload`, which the guest answers with a clean ACPI
# shutdown; then the daemon applies a spec edit and corrects drift made by hand.
# Runs inside tests/integration/harness.sh (a private libvirtd in a private network namespace:
# the guest's traffic never leaves it). Prints its timings. No step is ever skipped.
. "$(dirname "$0")/../integration/lib.sh"
cd "$WORK"

IMG=${VIRTSPEC_E2E_IMAGE_DIR:?VIRTSPEC_E2E_IMAGE_DIR must name build-image.sh\'s directory}
NAME=e2e-guest
ADDR=10.91.0.50
SPEC=specs/30-guest.yaml
mkdir -p specs pool

now() { date +%s.%N; }
elapsed() { printf '%.1f' "$(echo "$(now) - $1" | bc)"; }
timing() { echo "# timing: $1: $2 s"; timings+=("$1: $2 s"); }
timings=()

ssh-keygen -q -t ed25519 -N '' -C e2e@virtspec -f "$WORK/id" || { echo "FAIL - ssh-keygen"; exit 1; }
PUBKEY=$(cat "$WORK/id.pub")
SSH=(ssh -i "$WORK/id" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
     -o LogLevel=ERROR -o ConnectTimeout=5 "admin@$ADDR")
g() { timeout 60 "${SSH[@]}" "$@"; }   # g CMD…: run CMD in the guest, as admin
gsh_ok() { g true; }

# What the guest shows on its serial console and of its journal, when a check fails.
debug_guest() {
    echo "# ---- tail of the guest's serial console ----"
    tail -n 40 "$WORK/console.log" 2>/dev/null | sed 's/^/# | /'
}
die() { echo "FAIL - $*"; n_fail=$((n_fail + 1)); debug_guest; finish; exit 1; }

# a port forward (type user): a listener in the guest (a systemd unit, so it also runs after the
# reload below) answers on port 8080 with a line; the host reaches it at 127.0.0.1:18080
FWD_PORT=18080
cat > fwd-user-data.yaml <<'YAML'
#cloud-config
write_files:
  - path: /usr/local/bin/fwd-listen
    permissions: "0755"
    content: |
      #!/usr/bin/python3
      import socket
      s = socket.socket()
      s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
      s.bind(("0.0.0.0", 8080))
      s.listen(8)
      while True:
          c, _ = s.accept()
          c.sendall(b"virtspec-fwd-from-" + socket.gethostname().encode() + b"\n")
          c.close()
  - path: /etc/systemd/system/fwd-listen.service
    content: |
      [Service]
      ExecStart=/usr/local/bin/fwd-listen
      [Install]
      WantedBy=multi-user.target
runcmd:
  - [systemctl, enable, --now, fwd-listen.service]
YAML
# what the guest sends through the forward (slirp accepts on the host before the guest answers:
# an empty read until the listener runs)
fwd_read() {
    python3 -c 'import socket,sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5); s.settimeout(5)
print(s.recv(100).decode().strip())' "$FWD_PORT" 2>/dev/null
}
fwd_answers() { [ "$(fwd_read)" = virtspec-fwd-from-e2e-web ]; }

# two CD-ROM media the guest tells apart by their first bytes
for m in a b; do
    { printf 'virtspec-e2e-media-%s\n' "$m"; head -c 1048576 /dev/zero; } | head -c 1048576 > "media-$m.iso"
done

cat > specs/10-net.yaml <<'YAML'
kind: Network
name: e2e-net
forward: none             # isolated: guest traffic stays on the bridge
ip: 10.91.0.1/24
dhcp: {start: 10.91.0.100, end: 10.91.0.199}
YAML
cat > specs/20-pool.yaml <<YAML
kind: Pool
name: e2e-pool
path: $WORK/pool
YAML

# guest_spec MEMORY CPUS EXTRA_DISKS EXTRA_NICS MEDIA VIDEO
guest_spec() {
    cat <<YAML
kind: Domain
name: $NAME
memory: $1
max_memory: 1GiB
cpus: $2
max_cpus: 2
kernel: $IMG/vmlinuz
initrd: $IMG/initrd.img
cmdline: "root=/dev/vda rw console=ttyS0"
disks:
  - {name: root, image: $IMG/image.qcow2, size: 2GiB, pool: e2e-pool}
$3
cdroms:
  - {path: $WORK/media-$5.iso, dev: hdc}
interfaces:
  - {network: e2e-net, ip: $ADDR}
  - {type: user, forward: [{host: $FWD_PORT, guest: 8080, address: 127.0.0.1}]}
$4
video: {type: $6}
guest_agent: true
serials:
  - {type: file, path: $WORK/console.log, append: true}
shutdown_timeout: 120
cloud_init:
  hostname: e2e-web
  users:
    - name: admin
      ssh_authorized_keys: ["$PUBKEY"]
      sudo: true
  network: auto
  user_data_file: $WORK/fwd-user-data.yaml
xml:
  add:
    # QEMU 7.2 under TCG aborts in a vCPU hot-plug when its 1 GiB JIT cache is used up
    # (tcg/region.c:372), which one boot nearly does: a 2 GiB cache, written as libvirt writes it back
    - {at: features, fragment: "<tcg><tb-cache unit='KiB'>2097152</tb-cache></tcg>"}
YAML
}
write_spec() {   # write + rename, as an editor or git does (the daemon sees one event)
    cat > "specs/.tmp" && mv specs/.tmp "$SPEC"
}
guest_spec 1GiB 1 "" "" a virtio | write_spec

# ---- 1. apply from specs → SSH login at the declared address -------------------------------------
vs validate specs
is "the specs are valid" 0 "$rc"
[ "$rc" = 0 ] || { printf '%s\n' "$out"; die "invalid specs"; }
t0=$(now)
vs apply specs
is "apply succeeds" 0 "$rc"
[ "$rc" = 0 ] || { printf '%s\n' "$out"; die "apply failed"; }
apply_out=$out
timing "apply (network, pool, base image import, domain)" "$(elapsed "$t0")"
is "the guest runs" running "$(domstate $NAME)"
id=$(domid $NAME)
# cloud-config restarts sshd once shortly after it first listens: retry until a login works
t=$(wait_for 240 gsh_ok)
[ "$t" != timeout ] || die "no SSH login at $ADDR within 240 s"
echo "ok - SSH login as admin at the declared address $ADDR"; n_pass=$((n_pass + 1))
timing "boot to SSH login (from domain start)" "$(elapsed "$t0")"
is "the guest's hostname is the one cloud_init declares" e2e-web "$(g hostname)"
is "admin may use sudo" root "$(g sudo -n whoami)"
contains "the guest has the declared address on its NIC" "inet $ADDR/24" "$(g ip -4 -o addr show)"
g cloud-init status --wait >/dev/null 2>&1
timing "boot to cloud-init done" "$(elapsed "$t0")"
is "cloud-init finished without errors" "status: done" "$(g cloud-init status | head -n 1)"
# the address comes from the guest agent: the guest's static configuration asked dnsmasq for no lease
gaddr() { virsh domifaddr --source agent $NAME 2>/dev/null | grep -q "$ADDR/24"; }
ok "the guest agent answers with the address" wait_for 60 gaddr
is "the address is no DHCP lease (network: auto is static in the guest): it comes from the agent" "" \
    "$(virsh domifaddr --source lease $NAME 2>/dev/null | grep -F "$ADDR")"
contains "apply added the port forward through the QEMU monitor (libvirt 9.0: no passt)" \
    "~ interfaces[1].forward: + tcp 127.0.0.1:$FWD_PORT → 8080 (live, QEMU monitor)" "$apply_out"
ok "forward: the host's 127.0.0.1:$FWD_PORT reaches the guest's listener (it sends its hostname)" \
    wait_for 60 fwd_answers
vs status --json specs
contains "virtspec status shows the guest's address (from the guest agent)" "\"$ADDR/24\"" "$out"
is "the domain is in sync" "in-sync" "$(printf '%s' "$out" | python3 -c '
import json,sys; d=json.load(sys.stdin)
print([o["state"] for o in d["objects"] if o["name"]=="'$NAME'"][0])')"

# ---- 2. live changes, seen from inside the guest, with the id unchanged -------------------------
memtotal() { g "awk '/^MemTotal:/ {print \$2}' /proc/meminfo"; }
live_step() {   # live_step WHAT: apply the spec written last, the domain keeps its id
    local t=$(now)
    vs apply specs
    is "$1: apply succeeds" 0 "$rc"
    [ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/    | /'
    contains "$1: applied live" "(live)" "$out"
    lacks "$1: no reload pending" "reload" "$out"
    step_t0=$t
}
step_done() {   # step_done WHAT: the guest saw it
    timing "live: $1 (apply → seen in the guest)" "$(elapsed "$step_t0")"
    is "$1: the domain id is unchanged" "$id" "$(domid $NAME)"
}

# memory: the balloon
mem0=$(memtotal)
guest_spec 640MiB 1 "" "" a virtio | write_spec
live_step "memory 1GiB → 640MiB"
mem_below() { [ "$(memtotal)" -lt $((mem0 - 300000)) ]; }
ok "memory: the guest's MemTotal drops by the balloon ($mem0 kB → less than $((mem0 - 300000)) kB)" wait_for 60 mem_below
echo "#   MemTotal now $(memtotal) kB; dommemstat: $(virsh dommemstat $NAME | awk '/^actual/ {print $2}') kB"
step_done "memory (balloon)"

# vCPUs: hot-plug; the guest onlines the new vCPU through the guest agent
guest_spec 640MiB 2 "" "" a virtio | write_spec
live_step "cpus 1 → 2"
is "vcpu: libvirt has 2 live vCPUs" 2 "$(virsh vcpucount $NAME --live --active)"
online_via_agent() { virsh setvcpus $NAME 2 --guest >/dev/null 2>&1; [ "$(g nproc)" = 2 ]; }
ok "vcpu: nproc in the guest is 2 after the agent onlines the new vCPU" wait_for 60 online_via_agent
step_done "vCPU hot-plug"

# disk hot-add, then grow
DATA="  - {name: data, size: 64MiB, pool: e2e-pool, serial: e2edata}"
guest_spec 640MiB 2 "$DATA" "" a virtio | write_spec
live_step "disk hot-add"
disk_size() { g lsblk -b -d -n -o SIZE /dev/disk/by-id/virtio-e2edata 2>/dev/null | tr -d ' '; }
data_is() { [ "$(disk_size)" = "$1" ]; }
ok "disk: lsblk in the guest shows the new 64 MiB disk" wait_for 60 data_is 67108864
step_done "disk hot-add"
guest_spec 640MiB 2 "${DATA/64MiB/128MiB}" "" a virtio | write_spec
live_step "disk grow 64MiB → 128MiB"
ok "disk: lsblk in the guest shows it grown to 128 MiB" wait_for 60 data_is 134217728
step_done "disk grow"
DATA="${DATA/64MiB/128MiB}"

# NIC hot-add
NIC2="  - {network: e2e-net, mac: \"52:54:00:91:00:51\"}"
guest_spec 640MiB 2 "$DATA" "$NIC2" a virtio | write_spec
live_step "NIC hot-add"
nic_seen() { g ip -o link | grep -q '52:54:00:91:00:51'; }
ok "nic: ip link in the guest shows the new NIC" wait_for 60 nic_seen
step_done "NIC hot-add"

# CD-ROM media change
media() {   # the marker of the medium in the guest's CD-ROM drive(s)
    g 'for d in /dev/sr*; do sudo -n dd if=$d bs=2048 count=1 2>/dev/null | head -c 20; echo; done' \
        | grep -o 'virtspec-e2e-media-[ab]'
}
is "cdrom: the guest reads medium a" virtspec-e2e-media-a "$(media)"
guest_spec 640MiB 2 "$DATA" "$NIC2" b virtio | write_spec
live_step "cdrom media a → b"
media_b() { [ "$(media)" = virtspec-e2e-media-b ]; }
ok "cdrom: the guest reads medium b" wait_for 60 media_b
step_done "CD-ROM media change"

# ---- 3. a config change: reload-pending, then `virtspec reload` (ACPI shutdown, start) ---------
guest_spec 640MiB 2 "$DATA" "$NIC2" b vga | write_spec
pci_ids() { g lspci -n | awk '{print $3}' | sort | tr '\n' ' '; }
before=$(pci_ids)
contains "video: the guest has a virtio GPU (1af4:1050)" "1af4:1050" "$before"
vs plan specs
contains "plan: the video change waits for a reload" "(config" "$out"
vs apply specs
is "apply of the video change succeeds" 0 "$rc"
is "apply did not restart the guest" "$id" "$(domid $NAME)"
vs status specs
contains "status: the domain is reload-pending" "reload-pending" "$out"
t_reload=$(now)
vs reload --specs specs $NAME
is "virtspec reload succeeds" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/    | /'
reload_s=$(elapsed "$t_reload")
timing "reload (ACPI shutdown + start)" "$reload_s"
ok "the guest shut down within its shutdown_timeout (120 s), not forced off" \
    test "$(echo "$reload_s < 120" | bc)" = 1
new_id=$(domid $NAME)
ok "the domain was restarted (new id)" test "$new_id" != "$id"
id=$new_id
t=$(wait_for 240 gsh_ok)
[ "$t" != timeout ] || die "no SSH login after the reload within 240 s"
timing "reload → SSH login" "$(elapsed "$t_reload")"
journal=$(g sudo -n journalctl -b -1 -o cat --no-pager 2>&1)
contains "journal of the last boot: the guest saw the ACPI power button" "Power key pressed" "$journal"
lacks "…not a shutdown through the guest agent" "guest-shutdown called" "$journal"
contains "…and powered off in order" "System is powering down" "$journal"
lacks "…and the root file system was not dirty at this boot" "recovering journal" "$(g sudo -n dmesg)"
# QEMU started again without the forward: the reload put it back through the monitor
ok "forward: answers again after the reload (the listener is a unit: it ran at this boot too)" \
    wait_for 60 fwd_answers
after=$(pci_ids)
lacks "video: the virtio GPU is gone" "1af4:1050" "$after"
contains "video: the guest has the standard VGA (1234:1111)" "1234:1111" "$after"
vs status specs
lacks "status: reload-pending is cleared" "reload-pending" "$out"
contains "status: the domain is in sync" "in-sync" "$(printf '%s\n' "$out" | grep "$NAME")"

# ---- 4. the daemon: an edit through the tree, drift by hand corrected ---------------------------
"$VS" daemon --specs "$WORK/specs" --status-file "$WORK/status.json" >> daemon.log 2>&1 &
dpid=$!
mem0=$(memtotal)
t=$(now)
guest_spec 1GiB 2 "$DATA" "$NIC2" b vga | write_spec
mem_up() { [ "$(memtotal)" -gt $((mem0 + 300000)) ]; }
ok "daemon: the edit (memory 640MiB → 1GiB) reaches the guest's MemTotal" wait_for 90 mem_up
timing "daemon: spec edit → guest MemTotal" "$(elapsed "$t")"
mem1=$(memtotal)
t=$(now)
virsh setmem $NAME 512M --live --config >/dev/null
cur_config() { xpath "$(inactive_xml $NAME)" 'string(/domain/currentMemory)'; }
actual() { virsh dommemstat $NAME | awk '/^actual/ {print $2}'; }
mem_back() { [ "$(cur_config)" = 1048576 ] && [ "$(actual)" = 1048576 ] && [ "$(memtotal)" -ge $((mem1 - 20000)) ]; }
ok "daemon: drift (virsh setmem 512M) is corrected: definition and balloon back at 1 GiB, MemTotal back" wait_for 120 mem_back
timing "daemon: drift → corrected in the guest" "$(elapsed "$t")"
# the drift was there, and the daemon undid it (its balloon-change event; the resync is 300 s away)
contains "daemon: its log shows the hand-made 512 MiB put back" "memory: 512 MiB → 1 GiB (live)" "$(cat daemon.log)"
ok "daemon: the guest is still reachable" gsh_ok
is "daemon: the domain id is unchanged" "$id" "$(domid $NAME)"
kill "$dpid"; wait "$dpid"
grep -qiE 'error|fail' daemon.log && { echo "# daemon.log:"; sed 's/^/# | /' daemon.log | tail -n 20; }

echo "# ---- timings ----"
[ -n "${VIRTSPEC_E2E_BUILD_SECONDS:-}" ] && echo "# image build: $VIRTSPEC_E2E_BUILD_SECONDS s"
printf '# %s\n' "${timings[@]}"
[ "$n_fail" -eq 0 ] || debug_guest
finish
