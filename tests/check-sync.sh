#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# virtspec sync (docs/fleet.md, issue 22): a bare repository made here (no network), the spec tree
# a symlink sync swaps. First sync, a second one unchanged, a new commit swapped in (two
# checkouts kept), a commit with a bad spec held (symlink unchanged, exit 5, the message), an
# unsigned commit refused when a keyring is set (exit 4), a signed one accepted (a key generated
# here), the remote gone (exit 3, the old tree in force), a fetch that hangs killed after
# sync_timeout (exit 3), and the revision in force and a failed sync in the daemon's status
# (libvirt's test driver).
# Usage: check-sync.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
dpid=
trap '[ -n "$dpid" ] && kill "$dpid" 2>/dev/null; gpgconf --homedir "$d/gpghome" --kill all 2>/dev/null; rm -rf "$d"' EXIT
chmod 0755 "$d"; mkdir -m 0755 "$d/etc" "$d/work"
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid GIT_COMMITTER_NAME=t \
    GIT_COMMITTER_EMAIL=t@example.invalid GIT_CONFIG_NOSYSTEM=1 HOME=$d
git init -q --bare -b main "$d/remote.git"
git init -q -b main "$d/work"
gw() { git -C "$d/work" "$@"; }
dom() { printf 'kind: Domain\nname: %s\nmemory: 64MiB\ngraphics: {type: none}\nstate: shutoff\n' "$1"; }
commit() {   # commit FILE NAME [git commit options]: FILE holds a domain NAME, committed and pushed
    local f=$1 n=$2; shift 2
    dom "$n" > "$d/work/$f"; gw add "$f"; gw commit -q -m "$n" "$@"; gw push -q "$d/remote.git" main
}
printf 'specs = %s\nsync_remote = %s\nsync_checkouts = %s\n' "$d/etc/virtspec" "$d/remote.git" "$d/co" > "$d/v.conf"
S=(sync --config "$d/v.conf" --insecure-spec-perms)
has() { printf '%s' "$out" | grep -qF -- "$1"; }
link() { readlink "$d/etc/virtspec"; }
ncheckouts() { find "$d/co" -mindepth 1 -maxdepth 1 -regextype egrep -regex '.*/[0-9a-f]{40}' | wc -l; }

commit a.yaml one
r1=$(gw rev-parse HEAD)
t "first sync: exit 0, updated" 0 "updated none → ${r1:0:12}" "${S[@]}"
ok "…the spec tree is a symlink to the checkout of $r1" test "$(link)" = "$d/co/$r1"
ok "…with its spec" test -f "$d/etc/virtspec/a.yaml"
ok "…and its revision" grep -qx "$r1" "$d/etc/virtspec/.virtspec-revision"
t "…which validates" 0 "1 spec in 1 file: valid" validate --insecure-spec-perms "$d/etc/virtspec"
t "second sync: unchanged, exit 0" 0 "unchanged at ${r1:0:12}" "${S[@]}"
commit b.yaml two
r2=$(gw rev-parse HEAD)
t "a new commit: swapped in" 0 "updated ${r1:0:12} → ${r2:0:12}" "${S[@]}"
ok "…the symlink points to it" test "$(link)" = "$d/co/$r2"
ok "…the previous checkout is kept" test -d "$d/co/$r1"
commit c.yaml three
r3=$(gw rev-parse HEAD)
t "a third commit: swapped in" 0 "updated ${r2:0:12} → ${r3:0:12}" "${S[@]}"
ok "…two checkouts kept, the oldest pruned" test "$(ncheckouts)" = 2 -a ! -e "$d/co/$r1"

printf 'kind: Domain\nname: bad\nmemory: lots\n' > "$d/work/bad.yaml"; gw add bad.yaml; gw commit -q -m bad
gw push -q "$d/remote.git" main
rb=$(gw rev-parse HEAD)
t "a commit with a bad spec: held, exit 5" 5 "held at ${r3:0:12}: ${rb:0:12} has 1 error" "${S[@]}"
ok "…the error is said at its line" has "bad.yaml:3:"
ok "…the symlink is unchanged" test "$(link)" = "$d/co/$r3"
ok "…the bad checkout is not kept" test ! -e "$d/co/$rb"
ok "…the last sync's status says it" grep -q "held at ${r3:0:12}" "$d/co/status"

# signatures: a key made here, exported as the keyring of the allowed signers
export GNUPGHOME=$d/gpghome; mkdir -m 0700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'virtspec test <t@example.invalid>' ed25519 sign never >/dev/null 2>&1
fpr=$(gpg --batch --with-colons --list-secret-keys 2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }')
gpg --batch --export "$fpr" > "$d/trusted.gpg"
printf 'sync_keyring = %s\n' "$d/trusted.gpg" >> "$d/v.conf"
gw rm -q bad.yaml; gw commit -q -m "unsigned fix"; gw push -q "$d/remote.git" main
ru=$(gw rev-parse HEAD)
t "an unsigned commit with a keyring set: refused, exit 4" 4 "${ru:0:12} refused: not signed by a key of $d/trusted.gpg" "${S[@]}"
ok "…the symlink is unchanged" test "$(link)" = "$d/co/$r3"
commit d.yaml four -S"$fpr"
rs=$(gw rev-parse HEAD)
t "a commit signed by the keyring's key: accepted" 0 "updated ${r3:0:12} → ${rs:0:12}" "${S[@]}"
ok "…the symlink points to it" test "$(link)" = "$d/co/$rs"
gpg --batch --quiet --passphrase '' --quick-gen-key 'other <o@example.invalid>' ed25519 sign never >/dev/null 2>&1
ofpr=$(gpg --batch --with-colons --list-secret-keys o@example.invalid 2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }')
commit e.yaml five -S"$ofpr"
ro=$(gw rev-parse HEAD)
t "a commit signed by another key: refused, exit 4" 4 "${ro:0:12} refused" "${S[@]}"
unset GNUPGHOME

# the daemon shows the revision in force
"$vs" daemon --config "$d/v.conf" --insecure-spec-perms -c test:///default --status-file "$d/status.json" \
    > "$d/daemon.log" 2>&1 &
dpid=$!
ok "the daemon's status.json says the revision in force" wait_for 20 grep -sq "\"revision\": \"$rs\"" "$d/status.json"
# the last sync (the foreign signature) failed: the summary says so after the revision in force
ok "…and its summary (STATUS=), with the last sync's failure" \
    grep -q "\"summary\": \"revision ${rs:0:12}; last sync failed (.*, exit 4): ${ro:0:12} refused" "$d/status.json"
out=$("$vs" status --config "$d/v.conf" --insecure-spec-perms --status-file "$d/status.json" 2>&1)
ok "…and virtspec status" has "): revision ${rs:0:12}; last sync failed ("
kill "$dpid"; wait "$dpid"; dpid=

mv "$d/remote.git" "$d/gone.git"
t "the remote gone: fetch failure, exit 3" 3 "fetch of $d/remote.git main failed: " "${S[@]}"
ok "…the old tree stays in force" test "$(link)" = "$d/co/$rs"
ok "…the last sync's status says it" grep -q "fetch of .* failed" "$d/co/status"
rm -f "$d/status.json"
"$vs" daemon --config "$d/v.conf" --insecure-spec-perms -c test:///default --status-file "$d/status.json" \
    > "$d/daemon.log" 2>&1 &
dpid=$!
ok "…and the daemon's STATUS= too, beside the revision still in force" \
    wait_for 20 grep -sq "\"summary\": \"revision ${rs:0:12}; last sync failed (.*, exit 3): fetch of " "$d/status.json"
mv "$d/gone.git" "$d/remote.git"
gw push -q -f "$d/remote.git" "$rs:refs/heads/main"
t "the remote back at the revision in force (signed): unchanged, exit 0" 0 "unchanged at ${rs:0:12}" "${S[@]}"
ok "…the daemon's summary drops the failure at once (no walk of the tree: resync_interval is 300 s)" \
    wait_for 10 grep -sq "\"summary\": \"revision ${rs:0:12}: " "$d/status.json"
mv "$d/remote.git" "$d/gone.git"
t "…gone again: exit 3" 3 "failed" "${S[@]}"
ok "…and the daemon says so at once too" \
    wait_for 10 grep -sq "\"summary\": \"revision ${rs:0:12}; last sync failed (.*, exit 3)" "$d/status.json"
mv "$d/gone.git" "$d/remote.git"
kill "$dpid"; wait "$dpid"; dpid=
# a fetch that hangs: ssh replaced by a sleep (no network), killed after sync_timeout
printf 'specs = %s\nsync_remote = ssh://hang.invalid/x\nsync_checkouts = %s\nsync_timeout = 1\n' \
    "$d/etc/virtspec" "$d/co" > "$d/hang.conf"
start=$SECONDS
out=$(GIT_SSH_COMMAND="sleep 30 #" "$vs" sync --config "$d/hang.conf" --insecure-spec-perms 2>&1); rc=$?
ok "a fetch that hangs: killed after sync_timeout, exit 3" test "$rc" = 3
ok "…said" has "no answer after 1 s (sync_timeout)"
ok "…within seconds" test $((SECONDS - start)) -lt 10
ok "…the old tree stays in force" test "$(link)" = "$d/co/$rs"
# a commit whose .virtspec-revision is a symlink: sync writes its own file, never through it
mkdir -m 0755 "$d/etc2"
printf 'specs = %s\nsync_remote = %s\nsync_checkouts = %s\n' "$d/etc2/virtspec" "$d/remote.git" "$d/co2" > "$d/v2.conf"
echo precious > "$d/victim"
ln -s "$d/victim" "$d/work/.virtspec-revision"; gw add .virtspec-revision; gw commit -q -m symlink
gw push -q -f "$d/remote.git" HEAD:main
rv=$(gw rev-parse HEAD)
t "a commit with a .virtspec-revision symlink: synced, exit 0" 0 "updated none → ${rv:0:12}" \
    sync --config "$d/v2.conf" --insecure-spec-perms
ok "…the file it points to is untouched" grep -qx precious "$d/victim"
ok "…the revision file is sync's own, a regular file" test ! -L "$d/etc2/virtspec/.virtspec-revision"
ok "…holding the revision" grep -qx "$rv" "$d/etc2/virtspec/.virtspec-revision"
# a keyring set on a host whose revision in force is unsigned: said, not silently accepted
printf 'sync_keyring = %s\n' "$d/trusted.gpg" >> "$d/v2.conf"
t "a keyring set later, the revision in force unsigned: exit 4" 4 \
    "the revision in force ${rv:0:12} is not signed by a key of $d/trusted.gpg" \
    sync --config "$d/v2.conf" --insecure-spec-perms
ok "…it stays in force" test "$(readlink "$d/etc2/virtspec")" = "$d/co2/$rv"
mkdir -m 0755 "$d/plain"
printf 'specs = %s\nsync_remote = %s\nsync_checkouts = %s\n' "$d/plain" "$d/gone.git" "$d/co" > "$d/plain.conf"
t "a spec tree that is a directory, not a symlink: refused, exit 1" 1 "is a directory, not a symlink" \
    sync --config "$d/plain.conf" --insecure-spec-perms
printf 'specs = %s\nsync_remote = --upload-pack=touch %s/pwned\nsync_checkouts = %s\n' "$d/etc/virtspec" "$d" "$d/co" \
    > "$d/dash.conf"
t "a remote that git would read as an option: refused, exit 1" 1 "must not start with '-'" \
    sync --config "$d/dash.conf" --insecure-spec-perms
ok "…nothing ran" test ! -e "$d/pwned"
finish
