#!/bin/bash
# Issue 4: `ip:` on an interface yields a reservation. The interface goes on the declared network
# whose subnet holds the address, or on an owned network derived for the subnet; the network's
# DHCP gets a host MAC → ip (dnsmasq's hostsfile has it), and changing the address is live.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir specs

cat > specs/10-net.yaml <<'YAML'
kind: Network
name: vs-lab
forward: nat
ip: 10.77.0.1/24
dhcp:
  start: 10.77.0.100
  end: 10.77.0.199
YAML
cat > specs/20-ipa.yaml <<'YAML'
kind: Domain
name: ipa
memory: 64MiB
interfaces:
  - {ip: 10.77.0.50}
shutdown_timeout: 1
YAML
cat > specs/30-ipb.yaml <<'YAML'
kind: Domain
name: ipb
memory: 64MiB
interfaces:
  - {ip: 10.88.5.20, mac: "52:54:00:88:05:20"}
shutdown_timeout: 1
YAML

hostsfile() { cat "/var/lib/libvirt/dnsmasq/$1.hostsfile" 2>/dev/null; }
host_ip() {   # host_ip NETWORK MAC [--inactive]
    xpath "$(virsh net-dumpxml ${3:-} "$1")" "string(//ip/dhcp/host[@mac='$2']/@ip)"
}

# --- render and plan say it before anything exists ---------------------------------------------
vs render --host-kvm=no specs
is "render succeeds" 0 "$rc"
contains "render puts ipa's interface on the network holding its address" "<source network=\"vs-lab\"/>" "$out"
contains "render puts ipb's interface on a derived network" "<source network=\"vs-10.88.5.0-24\"/>" "$out"
contains "render derives the owned network for 10.88.5.0/24" "<name>vs-10.88.5.0-24</name>" "$out"
contains "render shows ipb's reservation" "<host mac=\"52:54:00:88:05:20\" ip=\"10.88.5.20\" name=\"ipb\"/>" "$out"
mac=$(printf '%s' "$out" | grep -o 'host mac="[^"]*" ip="10.77.0.50"' | cut -d'"' -f2)
ok "ipa's reservation has a MAC" test -n "$mac"
vs plan specs
is "plan says there are changes" 2 "$rc"
contains "plan creates the derived network" "Network vs-10.88.5.0-24" "$out"

# --- (a) a declared network holding the address -------------------------------------------------
vs apply specs
is "apply succeeds" 0 "$rc"
is "ipa runs" running "$(domstate ipa)"
is "(a) the running network has the reservation" "10.77.0.50" "$(host_ip vs-lab "$mac")"
is "(a) …and its persistent definition" "10.77.0.50" "$(host_ip vs-lab "$mac" --inactive)"
is "(a) the host is named after the domain" "ipa" "$(xpath "$(virsh net-dumpxml vs-lab)" "string(//host[@mac='$mac']/@name)")"
dom=$(live_xml ipa)
is "(a) ipa's interface is on vs-lab" "vs-lab" "$(xpath "$dom" 'string(//interface/source/@network)')"
is "(a) …with the reserved MAC" "$mac" "$(xpath "$dom" 'string(//interface/mac/@address)')"
contains "(a) dnsmasq's hostsfile has the entry" "$mac,10.77.0.50,ipa" "$(hostsfile vs-lab)"

# --- (b) no declared network: an owned one for the subnet ---------------------------------------
net=vs-10.88.5.0-24
ok "(b) the derived network exists" virsh net-info "$net"
is "(b) it is active" yes "$(virsh net-info "$net" | awk '/^Active:/ {print $2}')"
nx=$(virsh net-dumpxml --inactive "$net")
is "(b) it is owned (virtspec metadata)" 1 "$(xpath "$nx" 'count(/network/metadata/*[local-name()="virtspec"])')"
is "(b) it forwards with NAT" nat "$(xpath "$nx" 'string(/network/forward/@mode)')"
is "(b) its gateway is the subnet's first address" "10.88.5.1/24" "$(xpath "$nx" 'concat(/network/ip/@address, "/", /network/ip/@prefix)')"
is "(b) it has the reservation" "10.88.5.20" "$(host_ip "$net" 52:54:00:88:05:20)"
is "(b) ipb's interface is on it" "$net" "$(xpath "$(live_xml ipb)" 'string(//interface/source/@network)')"
contains "(b) dnsmasq's hostsfile has the entry" "52:54:00:88:05:20,10.88.5.20,ipb" "$(hostsfile "$net")"

# --- (c) a second apply is a no-op ---------------------------------------------------------------
vs apply specs
contains "(c) second apply is a no-op" "0 libvirt changes" "$out"
vs plan specs
is "(c) plan is in sync" 0 "$rc"

# --- (d) a new address is a live change of the reservation ---------------------------------------
br=$(xpath "$(virsh net-dumpxml vs-lab)" 'string(/network/bridge/@name)')
ifindex=$(ifindex "$br")
ok "the bridge $br has an ifindex" test -n "$ifindex"
id=$(domid ipa)
sed -i 's/10.77.0.50/10.77.0.60/' specs/20-ipa.yaml
vs plan specs
contains "(d) plan shows the reservation changing live" "~ dhcp.hosts[$mac].ip: 10.77.0.50 → 10.77.0.60 (live)" "$out"
vs apply specs
is "(d) apply succeeds" 0 "$rc"
is "(d) the bridge was not recreated (same ifindex)" "$ifindex" "$(ifindex "$br")"
is "(d) the running network has the new address" "10.77.0.60" "$(host_ip vs-lab "$mac")"
is "(d) …and the persistent one" "10.77.0.60" "$(host_ip vs-lab "$mac" --inactive)"
contains "(d) dnsmasq's hostsfile has the new entry" "$mac,10.77.0.60,ipa" "$(hostsfile vs-lab)"
lacks "(d) …and not the old one" "10.77.0.50" "$(hostsfile vs-lab)"
is "(d) the domain was not restarted" "$id" "$(domid ipa)"
vs status specs
is "(d) the network is in sync, not restart-pending" in-sync "$(row_state Network vs-lab)"
is "(d) the domain is in sync" in-sync "$(row_state Domain ipa)"
vs apply specs
contains "(d) a second apply is a no-op" "0 libvirt changes" "$out"

# --- a second interface with an address on a running domain: a live host and a hot-plug -------
sed -i 's/^  - {ip: 10.88.5.20, mac: "52:54:00:88:05:20"}/&\n  - {ip: 10.77.0.70, mac: "52:54:00:77:00:70"}/' specs/30-ipb.yaml
vs plan specs
contains "a new reservation is a live DHCP host" "+ dhcp.hosts[52:54:00:77:00:70] (live)" "$out"
vs apply specs
is "apply of the second interface succeeds" 0 "$rc"
is "the new reservation is in the running network" "10.77.0.70" "$(host_ip vs-lab 52:54:00:77:00:70)"

# --- a derived network no longer asked for stays while a domain uses it --------------------------
rm specs/30-ipb.yaml
vs apply specs
is "apply without ipb's spec succeeds" 0 "$rc"
ok "the derived network is kept (never removed with its spec)" virsh net-info "$net"
is "ipb still runs on it" running "$(domstate ipb)"

# --- the daemon derives the same: an edited address and a new domain on a new subnet ------------
"$VS" daemon --specs "$WORK/specs" --status-file "$WORK/status.json" >> daemon.log 2>&1 &
dpid=$!
has_ip() { [ "$(host_ip "$1" "$2")" = "$3" ]; }
id=$(domid ipa)
sed 's/10.77.0.60/10.77.0.65/' specs/20-ipa.yaml > specs/.20-ipa.tmp && mv specs/.20-ipa.tmp specs/20-ipa.yaml
ms=$(wait_for 30 has_ip vs-lab "$mac" 10.77.0.65)
ok "daemon: an edited address reaches the running network (took ${ms} ms)" has_ip vs-lab "$mac" 10.77.0.65
is "daemon: the domain was not restarted" "$id" "$(domid ipa)"
cat > specs/.40-ipc.tmp <<'YAML'
kind: Domain
name: ipc
memory: 64MiB
interfaces:
  - {ip: 10.99.1.5, mac: "52:54:00:99:01:05"}
shutdown_timeout: 1
YAML
mv specs/.40-ipc.tmp specs/40-ipc.yaml
running() { [ "$(domstate "$1")" = running ]; }
ms=$(wait_for 30 running ipc)
ok "daemon: a domain with a new subnet runs (took ${ms} ms)" running ipc
is "daemon: its derived network has the reservation" "10.99.1.5" "$(host_ip vs-10.99.1.0-24 52:54:00:99:01:05)"
is "daemon: ipc is on it" "vs-10.99.1.0-24" "$(xpath "$(live_xml ipc)" 'string(//interface/source/@network)')"
kill "$dpid"
wait "$dpid" 2>/dev/null
vs apply specs
contains "after the daemon, apply is a no-op" "0 libvirt changes" "$out"
[ "$n_fail" -gt 0 ] && { echo "---- daemon.log"; tail -30 daemon.log; }

finish
