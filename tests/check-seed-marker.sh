#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The cloud_init seed's .created marker follows the disk volumes' rule: created exclusively,
# never overwritten; an existing one is reused only while it names this domain; a failed
# creation removes it only when this apply made it (a daemon and a CLI apply racing: the loser
# must not delete the winner's marker, or every later pass refuses the seed as a stranger's).
# libvirt's test driver: a volume whose key is the seed's path makes the seed's creation fail.
# Usage: check-seed-marker.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
key='ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@x'
spec() {   # spec DIR POOL
    printf 'kind: Domain\nname: web\nmemory: 64MiB\ngraphics: {type: none}\nstate: shutoff\ncloud_init:\n  pool: %s\n  users:\n    - {name: ops, ssh_authorized_keys: ["%s"]}\n' "$2" "$key" | spec_dir "$1"
}
spec "$d/s" default-pool
spec "$d/f" full
cat > "$d/node.xml" <<'XML'
<node>
  <pool type='dir'><name>full</name><uuid>35bb2ad9-388a-cdfe-461a-b8907f6e53fe</uuid>
    <target><path>/full-pool</path></target>
    <volume><name>other</name><key>/full-pool/cidata-web.iso</key><capacity unit='bytes'>1000</capacity></volume>
  </pool>
</node>
XML
export VIRTSPEC_STATE_DIR=$d/state
m=$(marker default-pool cidata-web.iso)
claimed_by_other "$m" "domain other cloud_init seed" "cloud_init: seed default-pool/cidata-web.iso" \
    "domain web cloud_init seed" -c test:///default "$d/s"
rm "$m"
t "no marker: the seed volume is created (the test driver cannot upload)" 1 "uploading the cloud_init seed" \
    apply -c test:///default "$d/s"
ok "…its marker names web" grep -qx "domain web cloud_init seed" "$m"
fm=$(marker full cidata-web.iso)
echo "domain web cloud_init seed" > "$fm"
t "a marker another apply of web holds, and the creation fails" 1 "creating the cloud_init seed cidata-web.iso in pool full" \
    apply -c "test://$d/node.xml" "$d/f"
ok "…the marker that apply did not make stays" grep -qx "domain web cloud_init seed" "$fm"
rm "$fm"
t "no marker, and the creation fails" 1 "creating the cloud_init seed cidata-web.iso in pool full" \
    apply -c "test://$d/node.xml" "$d/f"
ok "…the marker this apply made is removed" test ! -e "$fm"
finish
