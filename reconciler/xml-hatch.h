/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libxml/tree.h>

#include "change.h"
#include "spec-table.h"

/* The `xml` escape hatch (xml-hatch.c): raw edits after rendering, their record in virtspec's
 * metadata, and their diff and patch (the xml hatch's entry in hooks.c). */

/* The xml key's edits on a rendered (or patched) domain: remove every element a path names (or
 * the attribute), append each fragment below its parent, set each value. */
void render_apply_xml_edits(xmlNode *root, const char *const *remove, size_t n_remove,
                            const char *const *add_at, const char *const *add_fragment, size_t n_add,
                            const char *const *set_path, const char *const *set_value, size_t n_set);
/* The xml key: remove, add, set, in that order, after everything else is rendered. */
void render_xml_edits(const XmlHatchSpec *x, xmlNode *root);
/* Parses one fragment of the xml key; its element, or NULL. Free *ret_doc. */
xmlNode *render_parse_fragment(const char *text, xmlDoc **ret_doc);
/* Records the edits below vs, virtspec's metadata element (secrets masked). */
void render_edits_record(const XmlHatchSpec *x, xmlNode *vs, xmlNs *ns);

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

/* The changes of the xml table t's rows (add, set, remove), compared edit by edit. */
void diff_xml_edits(Diff *out, const KeyTable *t, const xmlNode *want, const xmlNode *have);
/* Brings have in line with the edits (any row k of the xml table: all of them at once). */
void patch_xml_edits(const KeyDef *k, xmlNode *want, xmlNode *have);
