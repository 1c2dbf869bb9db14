/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "spec-table.h"

/* A diff's result: field-level changes (diff.h computes them, the engine applies them). */

typedef enum ChangeOp {
    OP_SET,         /* ~ a field changes */
    OP_ADD,         /* + a device is added */
    OP_REMOVE,      /* - a device virtspec added earlier is removed */
    OP_UNMANAGED,   /* ? a device not in the spec, left alone */
} ChangeOp;

typedef struct Change {
    ChangeOp op;
    ChangeClass cls;
    char *path;                 /* "memory", "graphics.listen", "disks[vdb].bus", "disks[vdb]" */
    char *old_value, *new_value;/* display form; NULL when absent; secrets masked */
    const KeyDef *row;          /* the field (or the list row for OP_ADD/OP_REMOVE) */
    const KeyDef *list;         /* the list row, for item fields */
    char *item_key;             /* item fields and items */
    bool secret;
    char *note;                 /* what happens, when the class alone does not say it (first-boot) */
} Change;

typedef struct Diff {
    Change *items;
    size_t n;
} Diff;

void diff_clear(Diff *d);
/* A new change at the end of d, with a copy of path; the other fields zero. */
Change *diff_add_change(Diff *d, ChangeOp op, ChangeClass cls, const char *path);

/* True if any change has class cls (OP_UNMANAGED never counts). */
bool diff_has_class(const Diff *d, ChangeClass cls);
size_t diff_count_effective(const Diff *d);
