/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* A small host file a spec names (graphics.passwd_file, cloud_init's key, hash and user-data
 * files), read at apply time: opened without blocking (a FIFO would hang the pass and lose a
 * daemon worker) and without following a link, then required to be a regular file of at most max
 * bytes without a NUL byte; a secret one also root-owned and not readable by group or others.
 * what names it in *ret_error ("graphics.passwd_file"). *ret is NUL-terminated (free it; wipe a
 * secret first). Returns 0 or negative errno. */
int host_file_read(const char *path, const char *what, size_t max, bool secret, char **ret,
                   size_t *ret_len, char **ret_error);
