#!/bin/bash
# Networks (issue 4): DNS host records changed live on a running network (the bridge stays, and
# dnsmasq answers the new name at once); reload: auto restarts a restart-pending network and
# plugs its running guests' taps back into the new bridge (libvirt 9.0 does not); reload: manual
# only marks it.
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
is "the network is in sync, not restart-pending" in-sync "$(row_state Network vs-dns)"
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

# --- a running guest on the network -----------------------------------------------------------
cat > specs/20-guest.yaml <<'YAML'
kind: Domain
name: vs-g
memory: 64MiB
boot: [network]
interfaces:
  - {network: vs-dns}
shutdown_timeout: 1
YAML
vs apply specs
is "apply of a guest on the network succeeds" 0 "$rc"
id=$(domid vs-g)
tap=$(xpath "$(live_xml vs-g)" 'string(//interface/target/@dev)')
ok "the guest has a tap ($tap)" test -n "$tap"
ports() { ip -o link show master "$br" 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | tr '\n' ' ' | sed 's/ $//'; }
is "the guest's tap is a port of the bridge" "$tap" "$(ports)"
ifindex=$(ifindex "$br")

# --- reload: manual: a restart-class change is only written, and marked ------------------------
echo "mtu: 9000" >> specs/10-net.yaml
vs plan specs
contains "an MTU change is config-class" "~ mtu: (unset) → 9000 (config)" "$out"
vs apply specs
is "apply of an MTU change succeeds" 0 "$rc"
lacks "manual: no restart" "restart (reload: auto)" "$out"
vs status specs
is "manual: the network is restart-pending" reload-pending "$(row_state Network vs-dns)"
vs plan specs
contains "manual: plan says how the change takes effect" "takes effect when the network restarts" "$out"
is "manual: the bridge was not recreated" "$ifindex" "$(ifindex "$br")"
is "manual: the guest stays plugged in" "$tap" "$(ports)"
is "manual: the running network keeps its MTU" "" "$(xpath "$(virsh net-dumpxml vs-dns)" 'string(//mtu/@size)')"

# --- reload: auto: restarted now, the guest plugged back in ----------------------------------
echo "reload: auto" >> specs/10-net.yaml
vs plan specs
contains "plan says the network will restart" "↻ restart (reload: auto)" "$out"
vs apply specs
is "apply with reload: auto succeeds" 0 "$rc"
contains "the restart is reported" "↻ restart (reload: auto)" "$out"
contains "the reattached tap is reported" "⇄ vs-g: $tap plugged into $br again" "$out"
new_ifindex=$(ifindex "$br")
ok "the bridge was recreated (new ifindex $new_ifindex, was $ifindex)" test -n "$new_ifindex" -a "$new_ifindex" != "$ifindex"
is "the running network has the new MTU" "9000" "$(xpath "$(virsh net-dumpxml vs-dns)" 'string(//mtu/@size)')"
is "the guest's tap is a port of the new bridge" "$tap" "$(ports)"
contains "the tap is up with the bridge's MTU" "mtu 9000" "$(ip -o link show dev "$tap")"
contains "…and up" "state UNKNOWN" "$(ip -o link show dev "$tap")"
is "the guest was not restarted" "$id" "$(domid vs-g)"
vs status specs
is "the network is in sync after the restart" in-sync "$(row_state Network vs-dns)"
vs apply specs
contains "a second apply restarts nothing" "0 libvirt changes" "$out"

# --- a network stopped behind virtspec's back: started, and its guest plugged back in --------
virsh net-destroy vs-dns >/dev/null
is "(net-destroy leaves the tap without a bridge)" "" "$(ip -o link show dev "$tap" | grep -o "master [^ ]*")"
vs apply specs
is "apply after a net-destroy succeeds" 0 "$rc"
contains "the guest is plugged back in" "⇄ vs-g: $tap plugged into $br again" "$out"
is "the tap is a port of the bridge again" "$tap" "$(ports)"

# --- without CAP_NET_ADMIN (as under the unit's sandbox): the guests need attention ------------
virsh net-destroy vs-dns >/dev/null
out=$(setpriv --bounding-set -net_admin "$VS" apply specs 2>&1); rc=$?
is "apply without CAP_NET_ADMIN reports a failure" 1 "$rc"
contains "…naming the guest, its tap and why" "vs-g ($tap: Operation not permitted)" "$out"
is "…and the network is running" "yes" "$(virsh net-info vs-dns | awk '/^Active/ {print $2}')"

# --- not a local URI: virtspec cannot see the taps, the guests need attention ------------------
virsh net-destroy vs-dns >/dev/null
vs apply -c qemu+unix:///system specs
is "apply over a non-local URI reports a failure" 1 "$rc"
contains "…naming the guest that needs attention" "need attention" "$out"
contains "…and its tap" "vs-g ($tap)" "$out"
is "…and leaves the tap alone" "" "$(ports)"

finish
