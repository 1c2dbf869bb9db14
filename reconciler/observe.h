/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libxml/tree.h>

#include "change.h"
#include "spec-table.h"

/* libvirt XML → canonical values (observe.c): the same form spec-value.c gives the spec side. A
 * row with a hook is read by its hook (hooks.h). */

/* Canonical value of row k below ctx (the document root, or a device element), or NULL. */
char *observe_value(const KeyDef *k, const xmlNode *ctx);
/* The item key of list element e: its KEY_ITEM_KEY rows' canonical values, joined by ','. */
char *diff_item_key(const KeyTable *sub, const xmlNode *e);
/* The item of list table sub whose item key is key, below root, or NULL. */
xmlNode *diff_find_item(const xmlNode *root, const KeyTable *sub, const char *key);
/* The element of a list item change (c->list set: OP_ADD, OP_REMOVE, an item field) in doc, the
 * desired or the live document, matched as diff matched it (diff_find_item: the list's own
 * items only, the same item key); NULL when doc has none or c is not about a list item. */
xmlNode *observe_change_item(xmlDoc *doc, const Change *c);
