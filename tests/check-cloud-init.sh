#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cloud_init seeds: for every case NAME.yaml in tests/golden/seed, `virtspec render --seed` must
# print NAME.seed (@DIR@ stands for the directory the case's files are copied to; REGENERATE=1
# rewrites the expectations), and cloud-init's own tools must accept what it prints: user-data
# merged the way cloud-init merges it (its UserDataProcessor and cloud-config part handler), then
# `cloud-init schema --config-file`; network-config through `cloud-init devel net-convert` to
# ifupdown (eni) and systemd-networkd.
#
# cloud-init comes from Debian's package, unpacked and never installed (installed, it would
# configure this host at its next boot): `apt-get download cloud-init` + `dpkg-deb -x` into
# $VIRTSPEC_CLOUD_INIT_CACHE (default /var/cache/virtspec-cloud-init), run with Debian's
# /usr/bin/python3 and the python3-* packages .ci/packages lists. When it cannot be had this test
# fails: it never skips.
#
# Usage: check-cloud-init.sh VIRTSPEC SEED-DIR
set -uo pipefail
bin=${1:?usage: check-cloud-init.sh VIRTSPEC SEED-DIR}
src=${2:?usage: check-cloud-init.sh VIRTSPEC SEED-DIR}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
case $src in /*) ;; *) src=$PWD/$src ;; esac
here=$(cd "$(dirname "$0")" && pwd)
cache=${VIRTSPEC_CLOUD_INIT_CACHE:-/var/cache/virtspec-cloud-init}

failed=0 passed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
fail() { echo "FAIL - $1" >&2; failed=$((failed + 1)); }

if [ ! -x "$cache/root/usr/bin/cloud-init" ]; then
    mkdir -p "$cache" && (cd "$cache" && rm -f cloud-init_*.deb && apt-get download -q cloud-init >/dev/null 2>&1 &&
        rm -rf root && dpkg-deb -x cloud-init_*.deb root) ||
        { echo "FAIL - cloud-init's Debian package cannot be downloaded and unpacked into $cache" >&2; exit 1; }
fi
py=/usr/bin/python3
export PYTHONPATH=$cache/root/usr/lib/python3/dist-packages
ci() { "$py" "$cache/root/usr/bin/cloud-init" "$@"; }
ci --version >/dev/null 2>&1 || { echo "FAIL - cloud-init does not run ($py; python3-* dependencies in .ci/packages)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$src"/* "$tmp"/
sed -i "s|@DIR@|$tmp|g" "$tmp"/*.yaml
chmod 600 "$tmp"/*.hash

for y in "$src"/*.yaml; do
    name=$(basename "$y" .yaml)
    out=$("$bin" render --insecure-spec-perms --seed "$tmp/$name.yaml" 2>&1)
    rc=$?
    [ $rc -eq 0 ] || { fail "$name: render --seed exited $rc: $out"; continue; }
    shown=${out//$tmp/@DIR@}
    if [ -n "${REGENERATE:-}" ]; then
        printf '%s\n' "$shown" > "$src/$name.seed"
    fi
    if [ "$shown" = "$(cat "$src/$name.seed" 2>/dev/null)" ]; then
        ok "$name: the seed's files are as expected"
    else
        fail "$name: the seed's files differ from $name.seed:"
        diff -u "$src/$name.seed" <(printf '%s\n' "$shown") >&2
    fi
    # the files, split at the marker lines
    rm -f "$tmp/meta-data" "$tmp/user-data" "$tmp/network-config"
    printf '%s\n' "$out" | awk -v d="$tmp" '/^# ---- Domain .* seed: /{f=d "/" $NF; next} f{print > f}'
    [ -s "$tmp/meta-data" ] && [ -s "$tmp/user-data" ] || { fail "$name: no meta-data or user-data"; continue; }
    msg=
    if types=$("$py" "$here/cloud-init-merge.py" "$tmp/user-data" "$tmp/merged" 2>&1) &&
        msg=$(ci schema --config-file "$tmp/merged" 2>&1); then
        ok "$name: user-data as cloud-init merges it is valid cloud-config ($(echo $types))"
    else
        fail "$name: user-data is not valid cloud-config: $types $msg"
        cat "$tmp/merged" >&2
    fi
    printf '%s\n' "$types" > "$tmp/$name.types"
    cp "$tmp/meta-data" "$tmp/$name.meta-data"
    cp "$tmp/merged" "$tmp/$name.merged" 2>/dev/null
    if [ -s "$tmp/network-config" ]; then
        for kind in eni networkd; do
            rm -rf "$tmp/net"
            if msg=$(ci devel net-convert --network-data "$tmp/network-config" --kind yaml \
                     --distro debian --output-kind "$kind" --directory "$tmp/net" 2>&1); then
                cat $(find "$tmp/net" -type f | sort) > "$tmp/$name.$kind"
                ok "$name: network-config converts to $kind"
            else
                fail "$name: network-config does not convert to $kind: $msg"
            fi
        done
    fi
done

# what cloud-init makes of them
grep -q 'address 192.168.77.10/24' "$tmp/static.eni" && grep -q 'gateway 192.168.77.1' "$tmp/static.eni" &&
    ok "static: ifupdown gets the reserved address and the gateway" || fail "static: address or gateway missing in $(cat "$tmp/static.eni")"
grep -q 'iface eth1 inet dhcp' "$tmp/static.eni" && ok "static: the other NIC uses DHCP" || fail "static: eth1 is not DHCP"
grep -q 'MACAddress=52:54:00' "$tmp/static.networkd" && ok "static: networkd matches by MAC" || fail "static: no MAC match"
[ -s "$tmp/merged.eni" ] && ! grep -qi 'gateway' "$tmp/merged.eni" && ok "merged: an isolated network gives no gateway" || fail "merged: a gateway on an isolated network"
grep -q 'address 10.9.3.4/16' "$tmp/merged.eni" && ok "merged: the declared network's prefix" || fail "merged: wrong prefix"
"$py" - "$tmp/merged.merged" <<'PY' && ok "merged: cloud-init's merge keeps virtspec's user and the file's, and the file's packages" || fail "merged: users or packages lost in the merge"
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
names = [u if isinstance(u, str) else u["name"] for u in c["users"]]
assert names == ["default", "admin", "postgres-admin"], names
assert c["packages"] == ["postgresql"]
assert c["users"][1]["passwd"] == "********"
PY
# nasty: every string reads back, through cloud-init's own YAML reader, as the string it was
"$py" - "$tmp/nasty.merged" "$tmp/nasty.meta-data" "$src/nasty.pub" <<'PY' && ok "nasty: cloud-init reads back each host name, user name, shell and key comment as written" || fail "nasty: a string does not read back as written"
import sys, yaml
c = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
md = yaml.safe_load(open(sys.argv[2], encoding="utf-8"))
assert md["local-hostname"] == "0x10", md
users = c["users"]
names = [u if isinstance(u, str) else u["name"] for u in users]
assert names == ["default", "null", "yes"], names
assert users[1]["shell"] == "/opt/a: b #c 'd' \"e\"", users[1]["shell"]
keys = open(sys.argv[3], encoding="utf-8").read().split("\n")[:-1]   # not splitlines: U+2028
assert users[1]["ssh_authorized_keys"] == keys, users[1]["ssh_authorized_keys"]
assert users[2]["ssh_authorized_keys"] == ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBkQ2M7n5V0fXg4d - #: 'q' \"dq\""]
PY
grep -qx 'text/x-shellscript' "$tmp/script.types" && ok "script: the script is a part of its own" || fail "script: $(cat "$tmp/script.types")"
[ -s "$tmp/none.types" ] && [ ! -e "$tmp/none.eni" ] && ok "none: no network-config" || fail "none: a network-config was written"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
