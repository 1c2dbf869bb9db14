#!/bin/bash
# Smoke test for the private libvirtd of harness.sh: define and start a NAT
# network and a tiny TCG domain (no disk, no OS, one NIC on that network),
# check that it runs, then tear both down.
#
# Usage: tests/integration/harness.sh tests/integration/smoke.sh
#    or: tests/integration/smoke.sh   (re-runs itself through the harness)

set -u

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
if [ "${VIRTSPEC_TEST_LIBVIRTD:-}" != 1 ]; then
    exec "$SELF_DIR/harness.sh" "$SELF_DIR/$(basename "${BASH_SOURCE[0]}")" "$@"
fi

export LIBVIRT_DEFAULT_URI=${LIBVIRT_DEFAULT_URI:-qemu:///system}
WORK=${VIRTSPEC_TEST_TMPDIR:-$(mktemp -d)}
NET=vs-smoke-net
DOM=vs-smoke
npass=0
nfail=0

ok()   { echo "ok - $*";   npass=$((npass + 1)); }
fail() { echo "FAIL - $*"; nfail=$((nfail + 1)); }

# check DESCRIPTION CMD...: run CMD (output shown on failure only)
check() {
    local desc=$1 out
    shift
    if out=$("$@" 2>&1); then
        ok "$desc"
        return 0
    fi
    fail "$desc"
    printf '%s\n' "$out" | sed 's/^/#   /'
    return 1
}

cat >"$WORK/smoke-net.xml" <<EOF
<network>
  <name>$NET</name>
  <forward mode='nat'/>
  <bridge name='vsbr-smoke' stp='off' delay='0'/>
  <ip address='192.168.213.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.213.10' end='192.168.213.20'/>
    </dhcp>
  </ip>
</network>
EOF

cat >"$WORK/smoke-dom.xml" <<EOF
<domain type='qemu'>
  <name>$DOM</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <boot dev='network'/>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <interface type='network'>
      <source network='$NET'/>
      <model type='e1000'/>
    </interface>
    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>
    <video><model type='vga'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
EOF

check "virsh answers" virsh version

if check "net-define $NET" virsh net-define "$WORK/smoke-net.xml" &&
   check "net-start $NET" virsh net-start "$NET"; then
    active=$(virsh net-info "$NET" 2>&1 | awk '/^Active:/ {print $2}')
    if [ "$active" = yes ]; then ok "network $NET is active"
    else fail "network $NET is not active (got '$active')"; fi
fi

if check "define $DOM" virsh define "$WORK/smoke-dom.xml" &&
   check "start $DOM" virsh start "$DOM"; then
    state=$(virsh domstate "$DOM" 2>&1)
    if [ "$state" = running ]; then ok "domstate is running"
    else fail "domstate is '$state', expected running"; fi
    check "destroy $DOM" virsh destroy "$DOM"
    state=$(virsh domstate "$DOM" 2>&1)
    if [ "$state" = "shut off" ]; then ok "domstate is shut off"
    else fail "domstate is '$state', expected shut off"; fi
fi
virsh -q list --all --name | grep -qx "$DOM" && check "undefine $DOM" virsh undefine "$DOM"
if virsh -q list --all --name | grep -qx "$DOM"; then fail "$DOM still defined"
else ok "$DOM is gone"; fi

virsh -q net-list --name | grep -qx "$NET" && check "net-destroy $NET" virsh net-destroy "$NET"
virsh -q net-list --all --name | grep -qx "$NET" && check "net-undefine $NET" virsh net-undefine "$NET"
if virsh -q net-list --all --name | grep -qx "$NET"; then fail "$NET still defined"
else ok "$NET is gone"; fi

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
