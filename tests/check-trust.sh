#!/bin/bash
# Running as root, spec files and their directories must be root-owned and not writable by group
# or others (sshd's StrictModes); --insecure-spec-perms relaxes it. Usage: check-trust.sh VIRTSPEC
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
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
