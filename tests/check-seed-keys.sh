#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cloud_init.users[].ssh_authorized_keys_file: every line but blanks and # comments must be an
# OpenSSH public key line (an authorized_keys options prefix allowed); a file holding a private
# key (~/.ssh/id_ed25519 named instead of its .pub) is refused by render --seed, plan and apply
# with an error naming the file, and its content is never printed. libvirt's test driver.
# Usage: check-seed-keys.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
chmod 0755 "$d"; mkdir -m 0755 "$d/s"
pub='ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@x'
printf 'kind: Domain\nname: web\nmemory: 64MiB\ngraphics: {type: none}\nstate: shutoff\ncloud_init:\n  pool: default-pool\n  users:\n    - {name: ops, ssh_authorized_keys_file: %s/keys}\n' "$d" > "$d/s/a.yaml"
chmod 0644 "$d/s/a.yaml"
export VIRTSPEC_STATE_DIR=$d/state
# a private key as ssh-keygen writes it (made up: the body is not a key)
body=b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
printf -- '-----BEGIN OPENSSH PRIVATE KEY-----\n%s\n-----END OPENSSH PRIVATE KEY-----\n' "$body" > "$d/keys"
chmod 0600 "$d/keys"
for cmd in "render --seed" "plan -c test:///default" "apply -c test:///default"; do
    t "$cmd: a private key file is refused, naming it" 1 \
        "cloud_init.users[ops]: ssh_authorized_keys_file $d/keys holds a private key" $cmd "$d/s"
    ok "…its content is never printed" bash -c '! printf "%s" "$1" | grep -q "$2"' _ "$out" "$body"
done
ok "…apply created no seed" test ! -e "$d/state/volumes/default-pool/cidata-web.iso.created"
printf '%s\n' "$pub" > "$d/keys"
# a line that is not a public key (here: base64 without a key type)
printf '# comment\n\n%s\nb3BlbnNzaC1rZXktdjEAAAAA\n' "$pub" > "$d/keys"
t "a line that is no public key line: refused with its line number" 1 \
    "ssh_authorized_keys_file $d/keys: line 4 is not an OpenSSH public key line" render --seed "$d/s"
ok "…the line is not printed" bash -c '! printf "%s" "$1" | grep -q b3BlbnNzaC1rZXktdjEAAAAA' _ "$out"
printf '# ops\r\n\r\nno-pty,command="echo a b",from="10.0.0.0/8" %s\r\n  %s\n' "$pub" "$pub" > "$d/keys"
t "authorized_keys options (quoted blanks), CRLF and indented lines are taken" 0 \
    "- \"no-pty,command=\\\"echo a b\\\",from=\\\"10.0.0.0/8\\\" $pub\"" render --seed "$d/s"
t "plan with a public key file (2: changes to make)" 2 "+ cloud_init seed" plan -c test:///default "$d/s"
# a key file that does not exist yet (examples/40-cloud.yaml before ssh-keygen): the error says
# what to do, and the other specs are applied
printf 'kind: Domain\nname: web\nmemory: 64MiB\ngraphics: {type: none}\nstate: shutoff\ncloud_init:\n  pool: default-pool\n  users:\n    - {name: ops, ssh_authorized_keys_file: %s/none/id_ed25519.pub}\n' "$d" | spec_dir "$d/m"
printf 'kind: Domain\nname: other\nmemory: 64MiB\ngraphics: {type: none}\nstate: shutoff\n' > "$d/m/b.yaml"
chmod 0644 "$d/m/b.yaml"
for cmd in "render --seed" "apply -c test:///default"; do
    t "$cmd: a missing key file: what to do" 1 \
        "cloud_init.users[ops]: ssh_authorized_keys_file $d/none/id_ed25519.pub does not exist: write the public key there (ssh-keygen -t ed25519 -f $d/none/id_ed25519 makes it) or name an existing one" \
        $cmd "$d/m"
done
ok "…the other spec is applied" bash -c 'printf "%s\n" "$1" | grep -A1 "^Domain other" | grep -q "+ create"' _ "$out"
finish
