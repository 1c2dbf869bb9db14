/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libxml/tree.h>

#include "spec-table.h"

/* libvirt XML text ↔ canonical values (render.c, observe.c and the hooks). */

/* Canonical XML text of a value for row k (what goes into an attribute or element). */
char *render_value(const KeyDef *k, const Value *v);

/* A size with libvirt's unit attribute (default KiB) in bytes, as decimal text; NULL if none. */
char *canon_size_text(const char *text, const char *unit);
/* The size in element e's text and unit attribute. */
char *canon_size(const xmlNode *e);
/* raw (taken) in canonical form for row k's type: booleans, integers, MACs, IPs, WWNs. */
char *canon_scalar(const KeyDef *k, char *raw);
/* Every value at a repeated element (or its attribute) of row k, quoted: "a", "b c". */
char *observe_value_list(const KeyDef *k, const xmlNode *ctx);
