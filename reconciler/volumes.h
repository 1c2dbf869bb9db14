/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "engine-context.h"
#include "engine-result.h"

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
/* Creates volume name in pool (capacity bytes; format NULL: a logical volume, fully allocated;
 * backing: an overlay on that path, of backing_fmt), its "created" record (owner, a "domain NAME
 * ...\n" record) claimed first and dropped again when the creation fails (self: that domain's
 * name, as volume_claim_drop takes it). -EEXIST: the claim
 * failed (*ret_err begins with what); -EIO: libvirt's creation failed. *ret_vol (may be NULL):
 * the new volume. */
int volume_create_recorded(Engine *e, virStoragePoolPtr pool, const char *name, uint64_t capacity,
                           const char *format, const char *backing, const char *backing_fmt,
                           const char *owner, const char *self, const char *what,
                           virStorageVolPtr *ret_vol, char **ret_err);
/* Who uses volume pool/name (at path): "domain D" (a persistent or live definition of any domain)
 * or "volume P/V" (an overlay on it, in any active pool); NULL: nobody. */
char *volume_user(Engine *e, const char *pool, const char *name, const char *path);
/* Whether a <source> below n names the volume (pool and name, or path). */
bool volume_source_refers(const xmlNode *n, const char *pool, const char *name, const char *path);

/* delete_volumes_on_removal: deletes each recorded volume that is not done, if virtspec created it
 * for a disk (its record in the state directory), it is no base image, and no domain's persistent
 * or live definition (the domain's own included) nor another volume's backing store uses it.
 * One still in use stays pending (retried on a later pass), or with last_chance (pruning: the
 * record goes with the domain) is kept for good; one virtspec did not create is marked done and
 * kept. A plan (e->apply false) only says what would happen; planned is then the domain's
 * persistent definition as apply would write it (the disk's removal is not applied yet), checked
 * instead of the present one. Each deletion is an action and a log line with the volume's size. */
int engine_delete_volumes(Engine *e, const char *domain, const char *planned, bool last_chance,
                          VolumeRefs *refs, ObjectResult *r);
