/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "engine-context.h"
#include "spec.h"

/* Pruning the image cache (STATE/images/SHA256, image-fetch.h). The cache is a cache: an image
 * is removed only when no spec in force names its sha256 in a disk any more AND a pool libvirt
 * knows holds its complete base volume base-sha256-SHA256 (the real copy: overlays are backed by
 * it). Never removed: an image no pool holds (the only copy downloaded), a `.part` (a download
 * to resume), a `.bad` record. The callers decide when (the whole tree read, no file rejected). */

/* The sha256s (lowercase) s's disks name, appended to the NULL-terminated *names (of n). */
void image_cache_names_add(char ***names, size_t *n, const Spec *s);
void image_cache_names_free(char **names);
/* names: the sha256s the specs in force name. e->apply false: only says what would go. Each
 * image is a line in *ret_said ("removed …" / "would remove …"), NULL-terminated (free with
 * image_cache_names_free); returns how many, or a negative errno: -ECOMM when libvirt failed, else
 * the cache directory's. Calls libvirt: off the daemon's loop. */
int image_cache_prune(Engine *e, char *const *names, char ***ret_said);
/* Why image_cache_prune returned r < 0: libvirt's error, or the errno's text. */
const char *image_cache_prune_strerror(int r);
