#!/bin/bash
# Issue 16: cloud_init. apply uploads the NoCloud seed (volume cidata-NAME.iso of the pool, ISO
# 9660 volume id cidata with meta-data, user-data, network-config) and attaches it read-only as a
# cdrom; the plan is empty after. A users edit is a first-boot change: plan says so, apply uploads
# the seed again, the running domain keeps its id (no restart) and nothing waits for a reload.
# --drift report (the daemon) reports a seed volume deleted behind virtspec's back and does not
# upload it again. The seed outlives the removal of cloud_init from a domain whose
# delete_volumes_on_removal was on (and recorded) before; only --prune of the domain deletes it.
. "$(dirname "$0")/lib.sh"
cd "$WORK"
mkdir specs keys
dir_pool_spec vs-pool > specs/00-pool.yaml
key1="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBkQ2M7n5V0fXg4dMv0vZ2mS6yqQnU8nKXwKc7m1zJ0p admin@laptop"
key2="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKq1Vb9m0c2gJ7tW8yXz3L4rPfHsNdEeUoA5iCjQk6Gv ops@desk"
printf '# ops keys\n%s\n' "$key2" > keys/ops.pub
hash='$y$j9T$Qm0xYhjw0o8qC6rG9iP2T1$3tRw6ZQm5m6ZkO4b0bR7iY9o6W7t2mQy3xj4cFZp9u0'
printf '%s\n' "$hash" > keys/ops.hash
chmod 600 keys/ops.hash
dom() {   # dom USERS-YAML
    cat > specs/10-ci.yaml <<YAML
kind: Domain
name: vs-ci
memory: 64MiB
machine_type: q35
shutdown_timeout: 1
disks:
  - {name: root, pool: vs-pool, size: 16MiB}
interfaces:
  - {ip: 192.168.231.10}
cloud_init:
  hostname: web1
  users:
$1
YAML
}
dom "    - {name: admin, ssh_authorized_keys: [\"$key1\"], sudo: true}"

vs plan specs
contains "plan announces the seed" "+ cloud_init seed vs-pool/cidata-vs-ci.iso" "$out"
vs apply specs
is "apply a domain with cloud_init" 0 "$rc"
ok "the seed volume exists" virsh vol-info --pool vs-pool cidata-vs-ci.iso
x=$(inactive_xml vs-ci)
is "the seed is a cdrom" "cdrom" "$(xpath "$x" "string(//disk[source/@volume='cidata-vs-ci.iso']/@device)")"
is "…read-only" 1 "$(xpath "$x" "count(//disk[source/@volume='cidata-vs-ci.iso']/readonly)")"
is "…of pool vs-pool" vs-pool "$(xpath "$x" "string(//disk[source/@volume='cidata-vs-ci.iso']/source/@pool)")"
is "…on sata (q35)" sata "$(xpath "$x" "string(//disk[source/@volume='cidata-vs-ci.iso']/target/@bus)")"

seed_files() {   # the uploaded volume, downloaded back and read with isoinfo
    rm -f seed.iso
    virsh vol-download --pool vs-pool cidata-vs-ci.iso seed.iso >/dev/null
    volid=$(isoinfo -d -i seed.iso | sed -n 's/^Volume id: //p')
    names=$(isoinfo -R -f -i seed.iso | sort | tr '\n' ' ')
    meta=$(isoinfo -R -x /meta-data -i seed.iso)
    user=$(isoinfo -R -x /user-data -i seed.iso)
    net=$(isoinfo -R -x /network-config -i seed.iso)
}
seed_files
is "the seed's volume id is cidata" cidata "$volid"
is "…also its Joliet one" cidata "$(isoinfo -J -d -i seed.iso | sed -n 's/^Volume id: //p')"
is "blkid reads the label cidata (what cloud-init looks for)" cidata "$(blkid -o value -s LABEL seed.iso)"
is "…it holds meta-data, network-config, user-data" "/meta-data /network-config /user-data " "$names"
contains "meta-data names the host" 'local-hostname: "web1"' "$meta"
contains "…and a stable instance-id" 'instance-id: "vs-ci"' "$meta"
contains "user-data is cloud-config" "#cloud-config" "$user"
contains "…with the key" "$key1" "$user"
contains "…and sudo" 'sudo: "ALL=(ALL) NOPASSWD:ALL"' "$user"
mac=$(xpath "$x" "string(//interface/mac/@address)")
contains "network-config matches the NIC by MAC" "macaddress: \"$mac\"" "$net"
contains "…with the reserved address" '"192.168.231.10/24"' "$net"
contains "…the network's gateway" 'gateway4: "192.168.231.1"' "$net"
rendered=$("$VIRTSPEC_BIN" render --insecure-spec-perms --seed specs)
contains "render --seed shows the same user-data" "$user" "$rendered"

vs plan specs
is "plan after apply: in sync" 0 "$rc"
lacks "…no seed upload" "cloud_init" "$out"

# a users edit: first-boot, never a restart
virsh start vs-ci >/dev/null
id=$(domid vs-ci)
dom "    - {name: admin, ssh_authorized_keys: [\"$key1\"], sudo: true}
    - {name: ops, ssh_authorized_keys_file: $WORK/keys/ops.pub, password_hash_file: $WORK/keys/ops.hash}"
vs plan specs
is "plan with a users edit: changes" 2 "$rc"
contains "plan says first-boot, exactly" "~ cloud_init.users: admin [" "$out"
contains "…with what happens" "(first-boot: takes effect at the guest's next first boot; set cloud_init.rerun: on-change to give it a new instance-id)" "$out"
contains "…and the upload" "↑ upload cloud_init seed vs-pool/cidata-vs-ci.iso" "$out"
lacks "…no reload" "reload" "$out"
lacks "…and never the password hash" "$hash" "$out"
vs plan --json specs
lacks "plan --json never shows the password hash" "$hash" "$out"
contains "…and carries the note" '"note":"first-boot:takeseffect' "$(printf '%s' "$out" | tr -d ' ')"
vs apply specs
is "apply the users edit" 0 "$rc"
is "the domain was not restarted" "$id" "$(domid vs-ci)"
seed_files
contains "the new seed has the second user" 'name: "ops"' "$user"
contains "…with the key from its file" "$key2" "$user"
lacks "…not the file's comment" "# ops keys" "$user"
contains "…and its password hash (the real one, in the seed only)" "passwd: \"$hash\"" "$user"
contains "…the instance-id is unchanged (rerun: never)" 'instance-id: "vs-ci"' "$meta"
vs status specs
lacks "status: nothing waits for a reload" "reload-pending" "$out"
vs plan specs
is "plan after the edit: in sync" 0 "$rc"

# rerun: on-change gives the seed a new instance-id
sed -i 's/^  hostname: web1/  hostname: web1\n  rerun: on-change/' specs/10-ci.yaml
vs apply specs
is "apply rerun: on-change" 0 "$rc"
seed_files
contains "instance-id is now the seed's hash" 'instance-id: "vs-ci-' "$meta"

# --drift report changes nothing: a seed deleted behind virtspec's back is reported, not uploaded
virsh vol-delete --pool vs-pool cidata-vs-ci.iso >/dev/null
VIRTSPEC_LOG_LEVEL=debug "$VS" daemon --specs "$WORK/specs" --status-file "$WORK/status.json" \
    --drift report > daemon.log 2>&1 &
dpid=$!
drifted() {
    python3 -c 'import json,sys; d=json.load(open("status.json"))
sys.exit(not [o for o in d["objects"] if o["name"] == "vs-ci" and o["state"] == "drifted"])' 2>/dev/null
}
ok "report mode: the domain with its seed gone is drifted" wait_for 30 drifted
sleep 1
ok "…the missing seed is reported" grep -qF "+ cloud_init seed vs-pool/cidata-vs-ci.iso" daemon.log
ok "…and not uploaded again" bash -c '! virsh vol-info --pool vs-pool cidata-vs-ci.iso >/dev/null 2>&1'
kill -TERM $dpid; wait $dpid
vs apply specs
is "apply (correct) uploads it again" 0 "$rc"
ok "…the seed is back" virsh vol-info --pool vs-pool cidata-vs-ci.iso

# never deleted while the domain exists: a domain that deletes the volumes of removed disks (the
# switch on, recorded, while it has cloud_init) loses cloud_init, and the seed stays (the cdrom
# goes); only --prune of the undefined domain deletes it
echo "delete_volumes_on_removal: true" >> specs/10-ci.yaml
vs apply specs
is "apply delete_volumes_on_removal: true (cloud_init kept)" 0 "$rc"
is "…the seed is recorded as a volume to delete at removal" 1 \
    "$(xpath "$(inactive_xml vs-ci)" "count(//*[local-name()='volumes']/*[@name='cidata-vs-ci.iso'])")"
sed -i '/^cloud_init:/,/^delete_volumes_on_removal:/{/^delete_volumes_on_removal:/!d}' specs/10-ci.yaml
lacks "the spec has no cloud_init now" "cloud_init" "$(cat specs/10-ci.yaml)"
contains "…and keeps delete_volumes_on_removal" "delete_volumes_on_removal: true" "$(cat specs/10-ci.yaml)"
vs apply specs
is "apply without cloud_init" 0 "$rc"
lacks "…deletes no seed" "cidata-vs-ci.iso (delete_volumes_on_removal)" "$out"
ok "the seed volume is kept" virsh vol-info --pool vs-pool cidata-vs-ci.iso
is "…the cdrom is gone" 0 "$(xpath "$(inactive_xml vs-ci)" "count(//disk[@device='cdrom'])")"
vs plan specs
is "…and the plan is empty" 0 "$rc"
ok "…the seed is still kept" virsh vol-info --pool vs-pool cidata-vs-ci.iso
rm specs/10-ci.yaml
virsh destroy vs-ci >/dev/null   # prune's shutdown would wait 60 s for a guest with no OS
printf 'specs = %s\n' "$WORK/specs" > prune.conf   # --prune: against the configured spec tree
vs apply --config prune.conf --prune specs
is "apply --prune of the removed domain" 0 "$rc"
contains "…deletes the seed (delete_volumes_on_removal)" "cidata-vs-ci.iso" "$out"
lacks "…it is undefined" "vs-ci" "$(virsh list --all --name)"
ok "…and its seed deleted with it" bash -c '! virsh vol-info --pool vs-pool cidata-vs-ci.iso >/dev/null 2>&1'
finish
