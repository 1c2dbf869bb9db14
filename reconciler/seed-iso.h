/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* One file of the NoCloud seed. */
typedef struct SeedFile {
    const char *name;       /* "meta-data", "user-data", "network-config" */
    const char *data;
    size_t len;
} SeedFile;

/* An ISO 9660 image (volume id cidata, Rock Ridge and Joliet names) holding files, in memory.
 * The same files give the same bytes (fixed timestamps). Returns 0 (free *ret), or negative
 * errno. */
int seed_iso_build(const SeedFile *files, size_t n_files, unsigned char **ret, size_t *ret_len);
