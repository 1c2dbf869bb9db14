/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libxml/tree.h>

#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(xmlDoc *, xmlFreeDoc);
static inline void xml_char_freep(xmlChar **p) {
    if (*p)
        xmlFree(*p);
}
#define _cleanup_xmlchar_ _cleanup_(xml_char_freep)

#define VIRTSPEC_XMLNS "https://virtspec.dev/xmlns/1"
#define VIRTSPEC_XMLNS_PREFIX "vs"

/* Paths are a tiny subset of XPath: "a/b/@c", "a/b", "@c", with an optional first-segment
 * predicate "name[@attr='v']". Only the first matching element is followed at each step. */

/* Child element by name (first), or NULL. */
xmlNode *xml_child(const xmlNode *n, const char *name);
/* Next element sibling with the same name, or NULL. */
xmlNode *xml_next_named(const xmlNode *n);
/* Value at path below n (attribute or element text), newly allocated, or NULL if absent. */
char *xml_get(const xmlNode *n, const char *path);
/* Element at path below n (path names elements only), or NULL. */
xmlNode *xml_find(const xmlNode *n, const char *path);
/* Whether a path has a positional step (interface[3]): it selects one element, never several. */
bool xml_path_selects_one(const char *path);
/* xml_find of the first len bytes of path */
xmlNode *xml_find_n(const xmlNode *n, const char *path, size_t len);
/* an attribute's value as xmlGetProp reads it, in a copy of our allocator (free()) */
char *xml_prop(const xmlNode *e, const char *name);
/* a node's text as xmlNodeGetContent reads it, in a copy of our allocator (free()) */
char *xml_text(const xmlNode *e);
/* whether attribute name (len bytes) of e reads value (vlen bytes), without copies */
bool xml_prop_is(const xmlNode *e, const char *name, size_t len, const char *value, size_t vlen);
/* Sets the value at path below n, creating elements as needed (in canonical order). */
void xml_set(xmlNode *n, const char *path, const char *value);
/* Removes what path names (attribute or element); empty parents created by us remain. */
void xml_unset(xmlNode *n, const char *path);
/* Creates (or returns existing) element chain; the last segment is always created anew when
 * always_new is set (for repeated devices). */
xmlNode *xml_ensure(xmlNode *n, const char *path, bool always_new);
/* Adds a child element in the canonical position for libvirt's documents. */
xmlNode *xml_add_child(xmlNode *parent, const char *name);
/* Serialises to a newly allocated string, formatted, without the XML declaration. */
/* drops blank text nodes that have siblings, as xml_to_string does before it serialises */
void xml_strip_blank_text(xmlNode *n);
char *xml_to_string(xmlDoc *doc);
char *xml_node_to_string(xmlDoc *doc, xmlNode *n);
/* The same unformatted, on one line (no newline added): the whole element, children included,
 * where a record must hold it in one piece (the xml key's fragments in the metadata). */
char *xml_node_to_compact(xmlDoc *doc, xmlNode *n);
xmlDoc *xml_parse(const char *s);
/* Copies n (deep) under parent at the canonical position. */
xmlNode *xml_adopt_copy(xmlNode *parent, const xmlNode *n);
bool xml_is(const xmlNode *n, const char *name);
/* Whether an attribute of that name holds a secret: libvirt's schemas have one, graphics
 * passwd; password and passphrase are refused by libvirt but masked all the same. */
bool xml_secret_attr(const char *name);
/* Whether path (an xml key path) ends in a secret attribute. */
bool xml_path_is_secret(const char *path);
/* Sets every secret attribute in n's subtree to mask, or removes it when mask is NULL; the
 * number of attributes found. */
size_t xml_mask_secrets(xmlNode *n, const char *mask);
/* The mask of a secret shown (plans, logs, a rendered document without --show-secrets). */
#define MASKED_SECRET "********"
/* What virtspec's metadata records for a secret of the xml key (a value set on a passwd
 * attribute, a fragment's passwd): never the secret itself; observe_xml_edits reads it back
 * from the document the record is in. */
#define RECORDED_SECRET "(secret)"
