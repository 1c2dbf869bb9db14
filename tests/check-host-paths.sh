#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Plan/apply-time host paths (issue 6, docs/reliability.md): a domain whose kernel, initrd,
# loader, NVRAM template, ISO, disk file, floppy, filesystem or base image does not exist is
# reported as FILE:LINE:COL: error: naming the path, nothing of it is applied, and the other specs
# go on. Runs against libvirt's in-process test driver (test:///default): no daemon, no root.
# Usage: check-host-paths.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
chmod 0755 "$d"; mkdir -m 0755 "$d/specs" "$d/host"
touch "$d/host/vmlinuz" "$d/host/initrd.img" "$d/host/install.iso"
cd "$d/specs"
cat > bad.yaml <<'Y'
kind: Domain
name: hp-bad
memory: 64MiB
kernel: /nonexistent/vmlinuz
initrd: /nonexistent/initrd.img
loader: /nonexistent/OVMF_CODE.fd
nvram_template: /nonexistent/OVMF_VARS.fd
cdroms:
  - {path: /nonexistent/install.iso}
disks:
  - {name: data, path: /nonexistent/data.qcow2}
floppies:
  - {path: /nonexistent/boot.img}
filesystems:
  - {source: /nonexistent/share, target: share, driver: 9p}
graphics: {type: none}
Y
printf 'kind: Domain\nname: hp-image\nmemory: 64MiB\ngraphics: {type: none}\ndisks:\n  - {name: root, pool: default-pool, image: /nonexistent/base.qcow2}\n' > image.yaml
printf 'kind: Domain\nname: hp-good\nmemory: 64MiB\nkernel: %s\ninitrd: %s\ncdroms: [{path: %s}]\ngraphics: {type: none}\n' \
    "$d/host/vmlinuz" "$d/host/initrd.img" "$d/host/install.iso" > good.yaml
chmod 0644 *.yaml

cat > "$d/expected" <<'E'
bad.yaml:4:9: error: kernel /nonexistent/vmlinuz: No such file or directory
bad.yaml:5:9: error: initrd /nonexistent/initrd.img: No such file or directory
bad.yaml:6:9: error: loader /nonexistent/OVMF_CODE.fd: No such file or directory
bad.yaml:7:17: error: nvram_template /nonexistent/OVMF_VARS.fd: No such file or directory
bad.yaml:9:12: error: cdroms[hdc].path /nonexistent/install.iso: No such file or directory
bad.yaml:11:24: error: disks[vda].path /nonexistent/data.qcow2: No such file or directory
bad.yaml:13:12: error: floppies[fda].path /nonexistent/boot.img: No such file or directory
bad.yaml:15:14: error: filesystems[share].source /nonexistent/share: No such file or directory
image.yaml:6:45: error: disks[vda].image: cannot open image /nonexistent/base.qcow2: No such file or directory
E

ok "validate does not look at host paths (specs are validated elsewhere)" \
    "$vs" validate bad.yaml image.yaml good.yaml
for cmd in plan apply; do
    "$vs" $cmd -c test:///default bad.yaml image.yaml good.yaml >"$d/out" 2>"$d/err"; rc=$?
    ok "$cmd exits 1" test "$rc" = 1
    ok "$cmd names every missing path at its place in the spec" diff -u "$d/expected" "$d/err"
    sed -n '/^Domain hp-bad/,/^Domain hp-image/p' "$d/out" >"$d/bad"
    ok "$cmd fails hp-bad" grep -q '^  ✗ failed: cdroms\[hdc\].path /nonexistent/install.iso' "$d/bad"
    ok "$cmd does nothing for hp-bad" bash -c "! grep -q '^  [+▶~]' '$d/bad'"
    ok "$cmd goes on with hp-good" bash -c "sed -n '/^Domain hp-good/,\$p' '$d/out' | grep -q '^  + create'"
done
# hp-good: define and start; hp-bad and hp-image: nothing (the test driver starts with none of them)
ok "apply made exactly hp-good's two libvirt changes" grep -qx '3 objects, 2 libvirt changes' "$d/out"
ok "…and says why hp-image failed" grep -qF 'disks[vda].image: cannot open image /nonexistent/base.qcow2' "$d/out"
"$vs" apply -c test:///default good.yaml >"$d/out" 2>"$d/err"
ok "with every path present there is no error" test "$?" = 0 -a ! -s "$d/err"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
