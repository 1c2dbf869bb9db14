#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The command line (issue 14, items 5, 7-10): each command accepts only its own options, one
# configuration file for the CLI and the daemon, orphans in plan/status and apply --prune, the
# JSON schema of plan/apply/status, and selecting objects by name against the whole tree. Runs
# against libvirt's in-process test driver: no daemon, no root needed.
# Usage: check-cli.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
chmod 0755 "$d"; mkdir -m 0755 "$d/specs"
printf 'kind: Pool\nname: p\npath: /srv/p\n' > "$d/specs/p.yaml"
chmod 0644 "$d/specs/p.yaml"
# every test names its configuration file: the host's /etc/virtspec.conf must not leak in
: > "$d/empty.conf"
C=(--config "$d/empty.conf")

## item 8: each command accepts only its own options
t "validate refuses --show-secrets" 1 "virtspec validate: option --show-secrets does not apply to this command" \
    validate "${C[@]}" --show-secrets "$d/specs"
t "validate refuses --prune" 1 "virtspec validate: option --prune does not apply" validate "${C[@]}" --prune "$d/specs"
t "validate refuses --vagrant" 1 "option --vagrant does not apply" validate "${C[@]}" --vagrant "$d/specs"
t "render refuses -c" 1 "virtspec render: option --connect does not apply" render "${C[@]}" -c test:///default "$d/specs"
t "reference refuses --json" 1 "virtspec reference: option --json does not apply" reference --json
t "export refuses --drift" 1 "virtspec export: option --drift does not apply" export --drift report -c test:///default test
t "status refuses --prune" 1 "virtspec status: option --prune does not apply" status "${C[@]}" --prune -c test:///default "$d/specs"
t "validate alone is fine" 0 "1 spec in 1 file: valid" validate "${C[@]}" "$d/specs"
t "render takes --show-secrets and --host-kvm" 0 "<pool" render "${C[@]}" --show-secrets --host-kvm=no "$d/specs"
t "options may follow the paths" 1 "option --prune does not apply" validate "${C[@]}" "$d/specs" --prune

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
