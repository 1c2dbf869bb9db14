/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "engine.h"
#include "virt-conn.h"

/* Shared by the executor's files (executor.c: objects; volumes.c: volumes and base images). */
void add_action(ObjectResult *r, const char *fmt, ...) _printf_(2, 3);
void add_pending(ObjectResult *r, const char *path);
/* Records an error on r (state failed) and returns -EIO. */
int fail(ObjectResult *r, const char *fmt, ...) _printf_(2, 3);
/* fail(), and the same message as a `file:line:col: error:` diagnostic at v's place in the spec */
int fail_at(ObjectResult *r, const Value *v, const char *fmt, ...) _printf_(3, 4);

/* Volumes of pool-backed disks: imports base images once, creates missing volumes (qcow2
 * overlays on a base image), grows volumes whose size went up (and the running disk). Never
 * deletes a volume that holds data. dom may be NULL (domain not defined yet). */
int ensure_volumes(Engine *e, const DomainSpec *d, virDomainPtr dom, xmlDoc *have, ObjectResult *r);
/* The "<vol>.created" record of a volume virtspec created (volumes.c), read and written. */
char *volume_created_marker(Engine *e, const char *pool, const char *vol);
char *volume_marker_read(const char *path);
/* Claims the "created" marker m for owner (a "domain NAME ...\n" record) before virtspec creates
 * the volume: created exclusively; an existing one is accepted only while it is owner's or
 * nobody's (0.1.0), never overwritten. *ret_made: this call created it. On failure a negative
 * errno and *ret_err, an error beginning with what (e.g. "disks[vda]: volume POOL/NAME"). */
int volume_claim(const char *m, const char *owner, const char *what, bool *ret_made, char **ret_err);
/* After the volume's creation failed: removes the marker only if the claim made it, it still
 * names domain self and no volume of that name exists. */
void volume_claim_drop(virStoragePoolPtr pool, const char *name, const char *m, const char *self, bool made);

/* cloud_init (cloud-init-seed.c; seed_gather in cloud-init.h) */
struct Seed;
/* What the seed changes against the record in the domain's definition have: a first-boot change
 * in r->diff for each key whose recorded value differs. */
void seed_changes(const DomainSpec *d, xmlDoc *have, const struct Seed *seed, ObjectResult *r);
/* The seed's volume: created, or uploaded again when the content the record in have (NULL: a
 * new domain) names is not the seed's (apply; a plan says so). Before the domain is (re)defined:
 * it never restarts the domain. */
int seed_volume(Engine *e, const DomainSpec *d, xmlDoc *have, const struct Seed *seed,
                ObjectResult *r);

/* Before a network is defined or changed (network-check.c): its bridge name is not a host
 * interface (forward: bridge: the host bridge exists), and its IPv4 subnet is not another libvirt
 * network's (checked only before it is created). have_bridge: the bridge it has now, if any. */
int network_check_host(Engine *e, const NetworkSpec *n, bool exists, const char *have_bridge,
                       ObjectResult *r);

/* The restart-in-progress record in a domain's metadata (reload-mark.c): set before a restart
 * virtspec performs (lasting ttl_s at most), cleared after it. reload_mark_fresh: read from the
 * domain's definition as the pass fetched it (the inactive XML: the persistent definition, or
 * the live one of a transient domain; no RPC of its own); NULL when there is none or it is stale
 * (past its deadline, or its process on this host is gone), else what status says about it. */
int reload_mark_set(virDomainPtr dom, unsigned ttl_s);
void reload_mark_clear(virDomainPtr dom);
char *reload_mark_fresh(xmlDoc *have);
/* A restart lasts its shutdown_timeout and this long for the start. */
#define RELOAD_MARK_SLACK_S 60
