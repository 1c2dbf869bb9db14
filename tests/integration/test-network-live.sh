#!/bin/bash
# Networks (issue 4): DNS host records changed live on a running network (the bridge stays, and
# dnsmasq answers the new name at once).
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir specs

# net_spec DNS-HOST-LINE…: the network's spec with these dns.hosts entries
net_spec() {
    printf '%s\n' "kind: Network" "name: vs-dns" "forward: nat" "ip: 10.78.0.1/24" \
        "dhcp: {start: 10.78.0.100, end: 10.78.0.199}" "dns:" "  hosts:" > specs/10-net.yaml
    for h in "$@"; do printf '    - %s\n' "$h" >> specs/10-net.yaml; done
}
net_spec "{ip: 10.78.0.10, names: [one, one.lab.example]}"

# dig-like: one A query to dnsmasq on the bridge address (inside the harness's network namespace),
# prints the answers' addresses (nothing for NXDOMAIN).
resolve() {
    python3 - "$1" <<'PY'
import socket, struct, sys
name = sys.argv[1]
q = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0" + struct.pack(">HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(q, ("10.78.0.1", 53))
r = s.recv(4096)
an = struct.unpack(">H", r[6:8])[0]
i = len(q)
out = []
for _ in range(an):
    i += 2 if r[i] & 0xc0 == 0xc0 else r.index(b"\0", i) + 1 - i
    t, _, _, ln = struct.unpack(">HHIH", r[i:i + 10])
    i += 10
    if t == 1:
        out.append(socket.inet_ntoa(r[i:i + ln]))
    i += ln
print(" ".join(out))
PY
}

vs apply specs
is "apply of a network with a DNS host succeeds" 0 "$rc"
is "the DNS host is in the running network" "one one.lab.example" \
    "$(xpath "$(virsh net-dumpxml vs-dns)" '//dns/host[@ip="10.78.0.10"]/hostname/text()' | tr '\n' ' ' | sed 's/ $//')"
# sanity check of the query itself: dnsmasq answers the record it started with
is "dnsmasq answers the record" "10.78.0.10" "$(resolve one.lab.example)"
vs apply specs
contains "a second apply is a no-op" "0 libvirt changes" "$out"

br=$(xpath "$(virsh net-dumpxml vs-dns)" 'string(/network/bridge/@name)')
ifindex=$(ifindex "$br")
ok "the bridge $br exists in the harness's namespace" test -n "$ifindex"

# --- add a record, and a name to the first one: live -----------------------------------------
net_spec "{ip: 10.78.0.10, names: [one, one.lab.example, uno]}" "{ip: 10.78.0.11, names: [two]}"
vs plan specs
contains "adding a DNS host is live" "+ dns.hosts[10.78.0.11] (live)" "$out"
contains "changing a DNS host's names is live" "~ dns.hosts[10.78.0.10].names" "$out"
vs apply specs
is "apply of DNS changes succeeds" 0 "$rc"
lacks "no change waits for a restart" "waits for a network restart" "$out"
is "the bridge was not recreated (same ifindex)" "$ifindex" "$(ifindex "$br")"
live=$(virsh net-dumpxml vs-dns)
is "the new record is in the running network" "two" "$(xpath "$live" 'string(//dns/host[@ip="10.78.0.11"]/hostname)')"
is "the changed record has its three names" "3" "$(xpath "$live" 'count(//dns/host[@ip="10.78.0.10"]/hostname)')"
is "…in the persistent definition too" "3" "$(xpath "$(virsh net-dumpxml --inactive vs-dns)" 'count(//dns/host[@ip="10.78.0.10"]/hostname)')"
is "dnsmasq answers the new record" "10.78.0.11" "$(resolve two)"
is "dnsmasq answers the new name of the changed record" "10.78.0.10" "$(resolve uno)"
vs status specs
contains "the network is in sync, not restart-pending" "in-sync          Network vs-dns" "$out"
vs apply specs
contains "a second apply after DNS changes is a no-op" "0 libvirt changes" "$out"

# --- remove a record: live ---------------------------------------------------------------------
sed -i '/10.78.0.11/d' specs/10-net.yaml
vs plan specs
contains "removing a DNS host is live" "- dns.hosts[10.78.0.11] (live)" "$out"
vs apply specs
is "apply of the removal succeeds" 0 "$rc"
is "the record is gone from the running network" "0" "$(xpath "$(virsh net-dumpxml vs-dns)" 'count(//dns/host[@ip="10.78.0.11"])')"
is "…and from the persistent one" "0" "$(xpath "$(virsh net-dumpxml --inactive vs-dns)" 'count(//dns/host[@ip="10.78.0.11"])')"
is "dnsmasq no longer answers it" "" "$(resolve two)"
is "the bridge is still the same" "$ifindex" "$(ifindex "$br")"

# --- an inactive network: the records go into the definition --------------------------------
virsh net-destroy vs-dns >/dev/null
sed -i 's/names: \[one, one.lab.example, uno\]/names: [one]/' specs/10-net.yaml
sed -i 's/^forward: nat/forward: nat\nautostart: true/' specs/10-net.yaml
vs apply specs
is "apply to a stopped network succeeds" 0 "$rc"
is "the definition has the one name" "1" "$(xpath "$(virsh net-dumpxml --inactive vs-dns)" 'count(//dns/host[@ip="10.78.0.10"]/hostname)')"
is "the network was started again" "yes" "$(virsh net-info vs-dns | awk '/^Active/ {print $2}')"

finish
