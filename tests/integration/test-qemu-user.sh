#!/bin/bash
# Issue 14 item 14: with Debian's stock libvirt QEMU runs as libvirt-qemu, not root, and the
# unit's StateDirectoryMode=0700 closes /var/lib/virtspec to it. The README's example pool
# (examples/00-pool.yaml, as shipped) must work there: a domain with a volume in it and one made
# from a base image starts, and QEMU really runs as libvirt-qemu. Run by meson under
# VIRTSPEC_HARNESS_QEMU_USER=libvirt-qemu (skipped otherwise: the point is QEMU's user).
. "$(dirname "$0")/lib.sh"
cd "$WORK"
QU=${VIRTSPEC_HARNESS_QEMU_USER:-root}
if [ "$QU" = root ]; then
    echo "SKIP: QEMU runs as root here (set VIRTSPEC_HARNESS_QEMU_USER)"; rm -rf "$WORK"; exit 77
fi
# what systemd's StateDirectoryMode=0700 makes of virtspec's own state directory, used here too
unset VIRTSPEC_STATE_DIR
mkdir -p /var/lib/virtspec && chmod 0700 /var/lib/virtspec
mkdir specs
cp "$TESTDIR/../../examples/00-pool.yaml" specs/
qemu-img create -q -f qcow2 base.qcow2 32M
cat > specs/20-vm.yaml <<YAML
kind: Domain
name: qu1
memory: 64MiB
disks:
  - {name: root, size: 16MiB, pool: vs-pool}
  - {name: data, image: $WORK/base.qcow2, pool: vs-pool}
graphics: {type: none}
state: running
YAML
chmod 0644 specs/*.yaml
vs apply specs
is "apply of the example pool and a domain in it as $QU (output: $(printf '%s' "$out" | grep -E 'error|✗' | head -n 3))" 0 "$rc"
is "qu1 runs" "running" "$(domstate qu1)"
pid=$(cat /run/libvirt/qemu/qu1.pid 2>/dev/null)
is "QEMU runs as $QU" "$QU" "$(ps -o user= -p "${pid:-0}" 2>/dev/null | tr -d ' ')"
ok "the example pool is outside virtspec's private state directory" \
    bash -c "virsh pool-dumpxml vs-pool | grep -q '<path>/var/lib/virtspec-images</path>'"
virsh destroy qu1 >/dev/null 2>&1
finish
