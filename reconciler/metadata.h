/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libxml/tree.h>

#include "spec.h"

/* virtspec's record in an object's <metadata> (namespace VIRTSPEC_XMLNS): written by render.c
 * (render_metadata), read here by the engine, export and diff. */

/* virtspec's element in an object's <metadata>, or NULL. */
xmlNode *observe_metadata(xmlDoc *doc);
/* The element NAME in namespace XMLNS under <metadata> (NULL: none, or doc NULL). */
xmlNode *observe_metadata_element(xmlDoc *doc, const char *xmlns, const char *name);
/* A new virtspec element in root's <metadata> (created when absent), its namespace in *ret_ns. */
xmlNode *metadata_virtspec(xmlNode *root, xmlNs **ret_ns);
/* Writes the record's head below root's <metadata>: <spec file line hash version/> (no hash:
 * none) and <managed>, the keys the spec manages (render_managed_keys). Returns the virtspec
 * element, for the rest of the record (xml edits, volumes, the cloud-init seed). */
xmlNode *metadata_write_record(xmlNode *root, const char *file, unsigned line, const char *hash,
                               const char *managed, xmlNs **ret_ns);
/* True if the document carries virtspec's ownership metadata. */
bool observe_owned(xmlDoc *doc);
/* The managed-key list recorded in an object's virtspec metadata, or NULL if it has none. */
char *observe_managed(xmlDoc *doc);
char *observe_spec_hash(xmlDoc *doc);
/* FNV-1a 64 of the document without its metadata, as 16 hex digits. */
char *render_hash(xmlDoc *doc);
/* Whether the hash must be taken of a trimmed copy: the document has metadata or a password. */
bool metadata_hash_needs_copy(xmlDoc *doc);
/* Removes what libvirt has no place for: a pool's metadata (the record of its xml edits). */
void render_strip_private(SpecKind kind, xmlDoc *doc);

/* Volumes recorded in a domain's metadata when its spec says delete_volumes_on_removal: the
 * volumes virtspec created for its disks, and (pending) those of removed disk entries whose
 * deletion waits, e.g. for a detach to complete. */
typedef struct VolumeRef {
    char *pool, *name;
    bool pending;
    bool done;          /* deleted, gone, or never to be deleted: drop the record */
} VolumeRef;
typedef struct VolumeRefs {
    bool delete_on_removal;
    VolumeRef *items;
    size_t n;
} VolumeRefs;
void observe_volume_refs(xmlDoc *doc, VolumeRefs *ret);
void volume_refs_clear(VolumeRefs *v);
bool volume_refs_equal(const VolumeRefs *a, const VolumeRefs *b);
/* Whether refs lists pool/name (pending or not). */
bool volume_refs_has(const VolumeRefs *refs, const char *pool, const char *name);
/* Records pool/name in the volume list of a domain document's virtspec metadata (pending: a
 * removed disk's volume whose deletion waits). */
void render_volume_ref(xmlDoc *doc, const char *pool, const char *name, bool pending);
/* The volume list in a domain document's virtspec metadata, created when absent. */
xmlNode *metadata_volumes(xmlDoc *doc);
