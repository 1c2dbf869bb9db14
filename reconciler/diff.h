/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libxml/tree.h>

#include "change.h"
#include "spec-table.h"

/* diff: (desired document, observed document) → field-level changes. Pure: no libvirt, no I/O.
 * Values are compared in canonical form (units, case, defaults, libvirt's expansions), never as
 * XML text, and only on the fields the spec manages, so addresses, aliases, controllers and
 * anything else libvirt adds never show up as a change. */


/* Compares desired with observed. `managed_before` is the space-separated key list recorded in the
 * observed object's metadata (may be NULL): fields listed there but no longer in the spec are
 * brought back to libvirt's default (removed). */
void diff_compute(SpecKind kind, xmlDoc *desired, xmlDoc *observed, const char *managed_before,
                  Diff *ret);

/* Applies changes to observed in place, copying desired's elements for each changed unit and
 * keeping libvirt's own additions (addresses, aliases, generated values). */
void diff_patch(SpecKind kind, const Diff *d, xmlDoc *desired, xmlDoc *observed);


/* Canonical value of row k below ctx (the document root, or a device element), or NULL. */
char *observe_value(const KeyDef *k, const xmlNode *ctx);
/* The managed-key list recorded in an object's virtspec metadata, or NULL if it has none. */
char *observe_managed(xmlDoc *doc);
/* True if the document carries virtspec's ownership metadata. */
bool observe_owned(xmlDoc *doc);
char *observe_spec_hash(xmlDoc *doc);
/* virtspec's element in an object's <metadata>, or NULL. */
xmlNode *observe_metadata(xmlDoc *doc);
/* The element NAME in namespace XMLNS under <metadata> (NULL: none, or doc NULL). */
xmlNode *observe_metadata_element(xmlDoc *doc, const char *xmlns, const char *name);

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
/* The xml key's edits as recorded in a document's virtspec metadata. */
typedef struct XmlEdits {
    char **remove;
    size_t n_remove;
    char **add_at, **add_fragment;
    size_t n_add;
    char **set_path, **set_value;
    size_t n_set;
} XmlEdits;
void observe_xml_edits(xmlDoc *doc, XmlEdits *ret);
void xml_edits_clear(XmlEdits *e);
/* Whether element h has every attribute, text and child element of element f (recursively; h
 * may have more): how an added fragment is recognised in what libvirt returns. */
bool xml_fragment_matches(const xmlNode *f, const xmlNode *h);
/* One-line canonical text of an element. */
char *xml_canonical(const xmlNode *n);

/* Whether e is an item of list table sub, and the element holding a list's items below root. */
bool diff_item_selected(const KeyTable *sub, const xmlNode *e);
xmlNode *diff_list_parent(const xmlNode *root, const KeyTable *sub);
/* The item key of list element e: its KEY_ITEM_KEY rows' canonical values, joined by ','. */
char *diff_item_key(const KeyTable *sub, const xmlNode *e);
/* The item of list table sub whose item key is key, below root, or NULL. */
xmlNode *diff_find_item(const xmlNode *root, const KeyTable *sub, const char *key);
