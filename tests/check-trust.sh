#!/bin/bash
# Running as root, spec files and every directory above them up to '/' (along the path as given
# and the path it resolves to) must be root-owned and not writable by group or others unless
# sticky (sshd's StrictModes); --insecure-spec-perms relaxes it. Usage: check-trust.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
mkdir -m 0755 "$d/specs"
printf 'kind: Pool\nname: p\npath: /srv/p\n' > "$d/specs/p.yaml"
chmod 0644 "$d/specs/p.yaml"
t "a root-owned 0644 file in a 0755 directory is accepted" 0 "" apply -c test:///default "$d/specs"
chmod 0666 "$d/specs/p.yaml"
t "apply refuses a world-writable spec file" 1 "refusing specs: file $d/specs/p.yaml is writable by group and others" apply -c test:///default "$d/specs"
t "…also when named directly" 1 "is writable by group and others" apply -c test:///default "$d/specs/p.yaml"
t "validate only warns about it" 0 "warning: apply and the daemon would refuse this file" validate "$d/specs"
t "--insecure-spec-perms relaxes it" 0 "" apply -c test:///default --insecure-spec-perms "$d/specs"
chmod 0644 "$d/specs/p.yaml"; chmod 0775 "$d/specs"
t "a group-writable spec directory is refused" 1 "directory $d/specs is writable by group" apply -c test:///default "$d/specs"
chmod 0755 "$d/specs"; chown 65534 "$d/specs/p.yaml"
t "a spec file not owned by root is refused" 1 "is owned by uid 65534, not root" apply -c test:///default "$d/specs"
chown 0 "$d/specs/p.yaml"
# the whole chain up to '/' (issue 15): the root's parent, a link on the way, a sticky directory
mkdir -m 0755 "$d/home"; mv "$d/specs" "$d/home/specs"; chown 65534 "$d/home"
t "a spec root whose parent is owned by another user is refused, naming the parent" 1 \
    "directory $d/home is owned by uid 65534, not root, on the way to $d/home/specs/p.yaml" \
    apply -c test:///default "$d/home/specs"
chown 0 "$d/home"; chmod 0777 "$d/home"
t "…or writable by others" 1 "directory $d/home is writable by group and others, on the way to $d/home/specs/p.yaml" \
    apply -c test:///default "$d/home/specs"
chmod 1777 "$d/home"
t "a sticky root-owned directory on the way (like /tmp) is accepted" 0 "" apply -c test:///default "$d/home/specs"
chmod 0755 "$d/home"
mkdir -m 0755 "$d/user"; chown 65534 "$d/user"; ln -s "$d/home/specs" "$d/user/link"
t "a spec root that is a link in a user-owned directory is refused (the user could swap it)" 1 \
    "directory $d/user is owned by uid 65534, not root, on the way to $d/user/link/p.yaml" \
    apply -c test:///default "$d/user/link"
mkdir -m 0755 "$d/tree"; ln -s "$d/user" "$d/tree/up"; mkdir -m 0755 "$d/user/real"
printf 'kind: Pool\nname: p2\npath: /srv/p2\n' > "$d/user/real/q.yaml"; chmod 0644 "$d/user/real/q.yaml"
t "a root-owned link to a directory under a user-owned one is refused too (the resolved path)" 1 \
    "directory $d/user is owned by uid 65534, not root, on the way to $d/tree/up/real/q.yaml" \
    apply -c test:///default "$d/tree/up/real"
# one load of many files checks each directory's chain once (SpecTrustMemo): a directory found
# good for one file must not vouch for another directory, a subdirectory or a prefix of its name
mkdir -m 0755 "$d/many" "$d/many/a" "$d/many/a/sub" "$d/many/ab" "$d/many/b"
for i in $(seq -w 1 150); do
    printf 'kind: Pool\nname: m%s\npath: /srv/m%s\n' "$i" "$i" > "$d/many/a/m$i.yaml"
    printf 'kind: Pool\nname: n%s\npath: /srv/n%s\n' "$i" "$i" > "$d/many/b/n$i.yaml"
done
printf 'kind: Pool\nname: s\npath: /srv/s\n' > "$d/many/a/sub/s.yaml"
printf 'kind: Pool\nname: t\npath: /srv/t\n' > "$d/many/ab/t.yaml"
chmod 0644 "$d"/many/*/*.yaml "$d/many/a/sub/s.yaml"
t "301 files in good directories are accepted" 0 "" apply -c test:///default "$d/many"
chmod 0775 "$d/many/a/sub"
t "…a group-writable subdirectory of a good one is refused" 1 "directory $d/many/a/sub is writable by group" \
    apply -c test:///default "$d/many"
chmod 0755 "$d/many/a/sub"; chmod 0775 "$d/many/ab"
t "…and one whose name starts with a good one's" 1 "directory $d/many/ab is writable by group" \
    apply -c test:///default "$d/many"
chmod 0755 "$d/many/ab"; chmod 0666 "$d/many/b/n150.yaml"
t "…and the last file of a good directory, writable" 1 "file $d/many/b/n150.yaml is writable by group and others" \
    apply -c test:///default "$d/many"
chmod 0644 "$d/many/b/n150.yaml"
mkdir -m 0775 "$d/many/zz"; mkdir -m 0755 "$d/many/zz/in"; ln -s "$d/many/zz/in" "$d/many/b2"
printf 'kind: Pool\nname: u\npath: /srv/u\n' > "$d/many/zz/in/u.yaml"; chmod 0644 "$d/many/zz/in/u.yaml"
t "…and a link among them (b2, after 150 files of b) to a directory under a group-writable one" 1 \
    "directory $d/many/zz is writable by group, on the way to $d/many/b2/u.yaml" \
    apply -c test:///default "$d/many"
rm -r "$d/many/b2" "$d/many/zz"
# run by a user (rootless, qemu:///session; issue 23): that user's files and root's, never
# another user's, and the same permission rules
chmod 0755 "$d"; mkdir -m 0755 "$d/mine"; chown 65534 "$d/mine"
printf 'kind: Pool\nname: p3\npath: /srv/p3\n' > "$d/mine/r.yaml"; chown 65534 "$d/mine/r.yaml"; chmod 0644 "$d/mine/r.yaml"
printf '#!/bin/sh\nHOME=%s exec setpriv --reuid=65534 --regid=65534 --clear-groups "%s" "$@"\n' "$d/mine" "$vs" > "$d/as-user"
chmod 0755 "$d/as-user"; vs_root=$vs; vs=$d/as-user
t "a user's own 0644 spec in their own 0755 directory is accepted" 0 "" apply -c test:///default "$d/mine"
t "…and root's 0644 spec in root's 0755 directory" 0 "" apply -c test:///default "$d/home/specs"
chmod 0664 "$d/mine/r.yaml"
t "a user's group-writable spec is refused" 1 "refusing specs: file $d/mine/r.yaml is writable by group" \
    apply -c test:///default "$d/mine"
chmod 0644 "$d/mine/r.yaml"; chown 65533 "$d/mine/r.yaml"
t "another user's spec is refused" 1 "file $d/mine/r.yaml is owned by uid 65533, not root or uid 65534" \
    apply -c test:///default "$d/mine"
vs=$vs_root
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
