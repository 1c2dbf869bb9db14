/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libxml/tree.h>

#include "spec-table.h"

/* The list-item layer: which elements below a document are the items of a list table (the
 * channels but the guest agent's, the virtio consoles, the CPU features but vmx and svm, …).
 * Item keys and finding an item by its key are on the observe side (observe.h). */

/* Whether e is an item of list table sub, and the element holding a list's items below root. */
bool diff_item_selected(const KeyTable *sub, const xmlNode *e);
xmlNode *diff_list_parent(const xmlNode *root, const KeyTable *sub);
/* The element name of a list's items (the last step of xml_elem), and diff_item_selected with
 * it worked out once per list. */
const char *xml_item_name(const KeyTable *sub);
bool xml_item_selected(const KeyTable *sub, const char *name, const xmlNode *e);
