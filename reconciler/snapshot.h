/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "engine-context.h"
#include "virt-conn.h"

/* Domain snapshots (snapshot.c): which method a domain's snapshot takes, and creating, listing,
 * reverting and deleting them through libvirt. A snapshot virtspec makes carries the marker
 * SNAPSHOT_MARKER at the start of its description; only such snapshots are ever deleted by a
 * spec's snapshots.keep (docs/snapshots.md). Every failure returns a negative errno and, in
 * *ret_err, the libvirt error. */

#define SNAPSHOT_MARKER "virtspec:"

typedef struct SnapInfo {
    char *name;
    long long time;         /* creationTime, seconds since the epoch */
    char *state;            /* the domain's state when it was taken: running, shutoff, … */
    char *method;           /* "internal" or "external" (a disk snapshot='external') */
    char *description;
    bool ours;              /* made by virtspec: the description starts with SNAPSHOT_MARKER */
} SnapInfo;

typedef struct SnapList {
    SnapInfo *items;        /* oldest first (creation time, then name) */
    size_t n;
} SnapList;

void snap_list_clear(SnapList *l);

/* The method a snapshot of the domain whose definition is xml takes: "internal" (every writable
 * disk qcow2, no pflash NVRAM) or "external+nvram" (every writable disk qcow2, pflash NVRAM:
 * libvirt 9.0 takes no internal snapshot with pflash). NULL, with *ret_why, when virtspec cannot
 * snapshot it. Pure. */
const char *snapshot_method_of_xml(const char *xml, char **ret_why);
/* The same for a parsed definition (root NULL: "cannot be parsed"). Pure. */
const char *snapshot_method_of_root(const xmlNode *root, char **ret_why);
/* The same for dom's inactive definition. */
const char *snapshot_method(virDomainPtr dom, char **ret_why);
/* "virtspec-YYYYmmdd-HHMMSS" (UTC) of t. */
char *snapshot_default_name(long long t);

int snapshot_list(virDomainPtr dom, SnapList *ret, char **ret_err);
/* Takes a snapshot named name (NULL: snapshot_default_name of now, made unique), described as
 * SNAPSHOT_MARKER " " why. *ret_name: the name it got; *ret_method (may be NULL): the method. */
int snapshot_create(Engine *e, virDomainPtr dom, const char *name, const char *why, char **ret_name,
                    const char **ret_method, char **ret_err);
/* Deletes snapshot name: virtspec's own external ones as snapshot_delete_external does (their
 * volumes with them), every other through libvirt. */
int snapshot_delete(Engine *e, virDomainPtr dom, const char *name, char **ret_err);
int snapshot_revert(virDomainPtr dom, const char *name, char **ret_err);
/* Deletes virtspec's own snapshots of dom beyond the newest keep, oldest first; foreign ones are
 * never touched. The names deleted are added to *deleted (n_deleted). */
int snapshot_prune(Engine *e, virDomainPtr dom, unsigned keep, char ***deleted, size_t *n_deleted,
                   char **ret_err);

/* External snapshots (snapshot-external.c): disk-only, an overlay volume per writable disk in
 * its pool, the NVRAM file copied into a volume while the domain is paused (or shut off). */
typedef struct ExtDisk {
    char *dev;
    char *pool, *base, *base_path;  /* the volume the disk uses (create) or the snapshot's (revert) */
    char *overlay, *overlay_path;   /* the overlay volume put on it */
} ExtDisk;

/* "STEM@TAG.qcow2" for volume vol: STEM is vol before any '@', without ".qcow2". Pure. */
char *snapshot_overlay_name(const char *vol, const char *tag);
/* The domain's NVRAM file: its definition's, else libvirt's default name for it. */
char *snapshot_nvram_path(virDomainPtr dom);
int snapshot_create_external(Engine *e, virDomainPtr dom, const char *name, const char *why,
                             char **ret_err);
/* Whether libvirt reverts external snapshots itself (9.7.0 and later). */
bool snapshot_libvirt_reverts_external(virConnectPtr conn);

/* virtspec's revert of an external snapshot, planned by snapshot_revert_prepare (reads only) and
 * done by snapshot_revert_external on the shut-off domain: a new overlay on each of the snapshot's
 * images, a copy of the current NVRAM file into a volume (backup_vol), the NVRAM copy over the
 * NVRAM file, the snapshot's saved definition (disks on the new overlays). The volumes written
 * since the snapshot are kept. A failure after the NVRAM file was replaced puts the backup back
 * over it (the backup volume is kept, backup_kept, and the error says so). */
typedef struct ExtRevert {
    ExtDisk *disks;
    size_t n;
    char *nvram_pool, *nvram_vol;   /* the NVRAM copy (NULL: the snapshot has none) */
    char *nvram_path;
    char *backup_vol;               /* the current NVRAM file's copy made first, in nvram_pool
                                     * ("DOMAIN@before-revert-YYYYmmdd-HHMMSS.nvram"; NULL: none) */
    char **kept;                    /* "POOL/VOL" the disks use now: kept */
    size_t n_kept;
    char *def;                      /* the definition the revert writes */
    unsigned mark_ttl_s;            /* > 0: the restart record (reload-mark.h) set again on the
                                     * definition written, for this long */
    bool backup_kept;               /* set by the revert: backup_vol exists (made, and the NVRAM
                                     * file was replaced, or the revert succeeded) */
} ExtRevert;
void ext_revert_clear(ExtRevert *x);
int snapshot_revert_prepare(virDomainPtr dom, const char *name, ExtRevert *ret, char **ret_err);
int snapshot_revert_external(Engine *e, virDomainPtr dom, const char *name, ExtRevert *x,
                             char **ret_err);

/* virtspec's delete of an external snapshot it made (libvirt 9.0's own delete cannot follow the
 * overlays a definition names as volumes): planned by snapshot_delete_prepare (reads only), done by
 * snapshot_delete_external: the snapshot's metadata, then its NVRAM copy and each overlay of it
 * that is virtspec's and nothing uses (no domain's definition, no overlay on it, no other snapshot
 * of the domain). Every other overlay is kept, and why said. */
typedef struct ExtVol {
    char *pool, *name;
    char *why;          /* what it is, and who uses it, or "not recorded as virtspec's" */
    bool in_use;        /* kept because something uses it (no delete command to offer) */
} ExtVol;
typedef struct ExtDelete {
    ExtVol *gone;       /* deleted with the snapshot: the NVRAM copy first */
    size_t n_gone;
    ExtVol *kept;
    size_t n_kept;
} ExtDelete;
void ext_delete_clear(ExtDelete *x);
/* Whether the snapshot si describes is deleted by snapshot_delete_external: virtspec's, external. */
bool snapshot_deleted_by_virtspec(const SnapInfo *si);
/* keep_overlays (keep's pruning): an overlay nothing uses is kept too — it holds what the guest
 * wrote after the snapshot (a revert left it); only an explicit delete, planned first, removes it */
int snapshot_delete_prepare(Engine *e, virDomainPtr dom, const char *name, bool keep_overlays,
                            ExtDelete *ret, char **ret_err);
int snapshot_delete_external(Engine *e, virDomainPtr dom, const char *name, const ExtDelete *x,
                             char **ret_err);
