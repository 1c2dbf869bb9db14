#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian package (debian/): built from a copy of the tree in a scratch directory with
# `dpkg-buildpackage -us -uc -b` (DEB_BUILD_OPTIONS=nocheck: the suites ran already), lintian
# without errors, then unpacked into a throw-away root: the file list, the conffiles, maintainer
# scripts that neither enable nor start the service, `man -l` of the installed page, the
# installed binary and its completion; then README's tour with the package's binary and unit
# against a private libvirtd (tests/integration/harness.sh). Suite 'package' (and
# 'integration'): once in CI's first pass, like 'systemd'. Prints how long each step took.
# Usage: check-package.sh SRCDIR
set -u
src=$(cd "${1:?usage: check-package.sh SRCDIR}" && pwd)
for t in dpkg-buildpackage dh lintian; do
    if ! command -v $t >/dev/null; then
        echo "$t is not installed (apt-get install debhelper lintian dpkg-dev)"
        [ -n "${VIRTSPEC_REQUIRE_INTEGRATION:-}" ] && exit 1
        exit 77
    fi
done
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
fail=0 pass=0
ok() {
    local what=$1; shift
    if "$@"; then echo "ok - $what"; pass=$((pass + 1)); else echo "FAIL - $what"; fail=$((fail + 1)); fi
}
step() { echo "# $1: $((SECONDS - t0)) s"; t0=$SECONDS; }

# the tree as committed plus what is being changed: the files git knows, not build directories
mkdir "$d/virtspec"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$src" && git ls-files -co --exclude-standard -z | grep -zv '^build' |
        xargs -0 cp --parents -t "$d/virtspec")
else
    (cd "$src" && tar --exclude='./build*' --exclude='./obj-*' -cf - .) | tar -C "$d/virtspec" -xf -
fi
t0=$SECONDS; total=$SECONDS
(cd "$d/virtspec" && DEB_BUILD_OPTIONS="nocheck parallel=2" nice -n 10 dpkg-buildpackage -us -uc -b) \
    >"$d/build.log" 2>&1
rc=$?
step "dpkg-buildpackage -us -uc -b"
[ $rc = 0 ] || { tail -40 "$d/build.log"; echo "FAIL - dpkg-buildpackage (status $rc)"; exit 1; }
deb=$(ls "$d"/virtspec_*.deb)
ok "one .deb built" test -f "$deb"

lintian --no-cfg --fail-on error --display-info "$d"/virtspec_*.changes >"$d/lintian.log" 2>&1
rc=$?
step "lintian"
echo "# lintian says:"; sed 's/^/#   /' "$d/lintian.log"
ok "lintian: no error" test "$rc" = 0

root=$d/root
dpkg -x "$deb" "$root"
dpkg-deb -e "$deb" "$d/control"
list=$(cd "$root" && find . -type f -o -type l | sed 's|^\.||' | sort)
for f in /usr/bin/virtspec /lib/systemd/system/virtspec.service /usr/lib/systemd/user/virtspec.service \
         /lib/systemd/system/virtspec-sync.service /lib/systemd/system/virtspec-sync.timer \
         /usr/share/man/man8/virtspec.8.gz /usr/share/man/man5/virtspec.yaml.5.gz \
         /usr/share/man/man5/virtspec.conf.5.gz \
         /usr/share/bash-completion/completions/virtspec /usr/share/zsh/vendor-completions/_virtspec \
         /usr/share/fish/vendor_completions.d/virtspec.fish \
         /etc/virtspec/README \
         /usr/share/doc/virtspec/README.md /usr/share/doc/virtspec/copyright \
         /usr/share/doc/virtspec/docs/daemon.md /usr/share/doc/virtspec/docs/spec-reference.md \
         /usr/share/doc/virtspec/examples/20-web.yaml; do
    ok "the package installs $f" grep -qxF "$f" <<<"$list"
done
ok "…and nothing under /usr/local" bash -c "! grep -q '^/usr/local' <<<'$list'"
ok "…no examples/run.sh (it builds a checkout)" bash -c "! grep -q 'run.sh' <<<'$list'"
ok "…the directory /etc/virtspec" test -d "$root/etc/virtspec"
ok "/etc/virtspec/README is a conffile" grep -qxF /etc/virtspec/README "$d/control/conffiles"
ok "the unit's Documentation= names what is installed" \
    bash -c "grep -q '^Documentation=.*file:///usr/share/doc/virtspec/README.md' '$root/lib/systemd/system/virtspec.service'"
ok "the unit runs the installed binary" grep -q '^ExecStart=/usr/bin/virtspec daemon' "$root/lib/systemd/system/virtspec.service"
# the maintainer scripts: nothing enabled, nothing started
enables_only_was_enabled() {   # every enable in $1 is under a was-enabled test
    ! grep -qE 'systemctl +(--[a-z]+ +)*enable' "$1" || return 1
    [ "$(grep -c 'deb-systemd-helper enable' "$1")" = \
      "$(grep -B2 'deb-systemd-helper enable' "$1" | grep -c 'deb-systemd-helper --quiet was-enabled')" ]
}
for s in postinst prerm postrm; do
    [ -f "$d/control/$s" ] || continue
    # debhelper's snippet re-enables on upgrade what the admin had enabled (was-enabled): that
    # is the admin's choice kept; nothing else may enable
    ok "$s enables nothing the admin did not" enables_only_was_enabled "$d/control/$s"
    ok "$s starts nothing" bash -c "! grep -qE 'deb-systemd-invoke +(\\\$_dh_action|start|restart)|systemctl +(--[a-z]+ +)*(start|restart)' '$d/control/$s'"
done
export LC_ALL=C.UTF-8 MANWIDTH=100
for p in man8/virtspec.8 man5/virtspec.yaml.5 man5/virtspec.conf.5; do
    warn=$(man --warnings -l "$root/usr/share/man/$p.gz" 2>&1 >"$d/page.txt")
    ok "man -l of the installed $p: no warning${warn:+ ($warn)}" test -z "$warn"
    ok "…and it has a NAME" grep -q '^NAME' "$d/page.txt"
done
ok "the installed binary runs" bash -c "'$root/usr/bin/virtspec' --version | grep -q '^virtspec [0-9]'"
ok "the installed bash completion completes commands" bash -c "
    PATH='$root/usr/bin':\$PATH; source '$root/usr/share/bash-completion/completions/virtspec'
    COMP_WORDS=(virtspec ver); COMP_CWORD=1; _virtspec; [ \"\${COMPREPLY[*]}\" = version ]"
ok "/usr/share/doc/virtspec/copyright says LGPL-2.1+" grep -q '^License: LGPL-2.1+' "$root/usr/share/doc/virtspec/copyright"
ok "LICENSE is Debian's LGPL-2.1 text, as meson.build's license says" bash -c "
    cmp -s '$src/LICENSE' /usr/share/common-licenses/LGPL-2.1 &&
    grep -q \"license : 'LGPL-2.1-or-later'\" '$src/meson.build'"
step "file list and checks"

# README's tour as a user who installed the package runs it: the package's binary on PATH and
# the package's unit's ExecStart= for `systemctl enable --now virtspec`, against the harness's
# private libvirtd (test-readme-tour.sh, VIRTSPEC_TOUR_ROOT). The root is thrown away: nothing
# is installed into the host's /.
VIRTSPEC_BIN=$root/usr/bin/virtspec VIRTSPEC_TOUR_ROOT=$root VIRTSPEC_HARNESS_EXTRA_DIRS=/etc/virtspec \
    bash "$src/tests/integration/harness.sh" bash "$src/tests/integration/test-readme-tour.sh" \
    >"$d/tour.log" 2>&1
rc=$?
step "README's tour with the package's binary and unit"
if [ $rc = 77 ]; then
    echo "# the tour was skipped (no private libvirtd here):"; tail -3 "$d/tour.log" | sed 's/^/#   /'
else
    sed 's/^/#   /' "$d/tour.log"
    ok "README's tour runs as written with the package's binary and unit ($(grep -c '^ok' "$d/tour.log") ok)" test $rc = 0
fi
echo "# package test: $((SECONDS - total)) s in all; $(du -k "$deb" | cut -f1) KiB .deb"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
