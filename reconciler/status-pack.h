/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <sys/uio.h>

/* An object's entry of the daemon's status file as the daemon keeps it between writes: the
 * lines that differ from the nearest of a few reference entries (status-json.c: an in-sync
 * domain's, and the same after the pass that created it), which the process holds once. A
 * minimal in-sync domain's entry differs from one in its name, file, last action and times only
 * (docs/performance.md, memory). An entry with other lines than the references' is kept whole. */
typedef struct StatusPack StatusPack;

/* What the pieces begin with: the separator after the object before (status-json.c drops it
 * before the first) and the entry's indent as an element of "objects". */
#define STATUS_PACK_LEAD ",\n    "

/* text: an entry as status_object_text formats it; the pack owns a copy of what it needs.
 * references: texts that outlive every pack, the same array for status_pack_pieces. */
StatusPack *status_pack(const char *text, const char *const *references, size_t n_refs);
void status_pack_free(StatusPack *p);
/* How many pieces status_pack_pieces gives at most. */
size_t status_pack_n_pieces(const StatusPack *p);
/* STATUS_PACK_LEAD and the entry's text again, as pieces into the pack and the reference (no
 * copy): fills v, returns the number of pieces. */
size_t status_pack_pieces(const StatusPack *p, const char *const *references, struct iovec *v);
