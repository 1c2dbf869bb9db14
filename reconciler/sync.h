/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* What `virtspec sync` (cmd-sync.c, docs/fleet.md) leaves behind for others to read: the
 * revision in force (its checkout's .virtspec-revision) and the status file of its last run
 * (CHECKOUTS/status). The daemon (manager.c) reads both; cmd-sync.c writes them. */

/* The file each checkout holds: the commit it is, one line. */
#define SYNC_REVISION_FILE ".virtspec-revision"

/* Whether name is a commit id (40 or 64 lowercase hex digits): a checkout's directory name. */
bool sync_is_revision_name(const char *name);
/* The checkouts directory: configured (sync_checkouts), or STATE_DIR/checkouts. Allocated. */
char *sync_checkouts_dir(const char *configured);
/* The revision `virtspec sync` put in force in the spec tree tree (its .virtspec-revision), or
 * NULL. */
char *sync_revision(const char *tree);
/* Writes checkouts/status: "TIME EXIT-STATUS MESSAGE" of a sync run (through a temporary file
 * renamed over it; nothing when it cannot be written). */
void sync_status_write(const char *checkouts, int status, const char *said);
/* What the last `virtspec sync` said when it failed (its checkouts' status file; checkouts NULL:
 * the default), or NULL: it succeeded, or never ran. Allocated. */
char *sync_last_failure(const char *checkouts);
