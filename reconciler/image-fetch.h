/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Base images by URL (disks[].image: {url, sha256}), the only user of libcurl, libcrypto,
 * liblzma, zlib and libzstd. An image is fetched into a cache of the state directory keyed by its
 * sha256: STATE/images/SHA256 is the (decompressed) image, verified before it got there.
 * While it downloads, STATE/images/SHA256.part holds the downloaded bytes: a later call resumes
 * from its size (HTTP Range; a server that answers the whole file instead starts it over). The
 * sha256 is of the downloaded bytes (of the compressed file for .xz, .gz, .zst: recognised by
 * their magic bytes and decompressed from the .part into SHA256.out only once the sha256 matched,
 * holes kept sparse). A mismatch removes the .part; a failed transfer keeps it. Progress: progress.c (a line on a terminal, the journal
 * once per 10 %). Blocking: call it off the daemon's event loop (the engine's worker does). */

/* libcurl's global initialisation: once in main, before any thread (curl_easy_init in several
 * workers at once would race on it otherwise). */
void image_fetch_init(void);
/* Whether STATE/images/SHA256 exists (fetched and verified before). */
bool image_fetch_cached(const char *state_dir, const char *sha256);
/* Fetches url unless it is cached, for owner (who asked: the domain's name; status finds the
 * fetch by it); *ret_path: the image file. On failure a negative errno and
 * *ret_err (names the URL; a mismatch names the expected and the received sha256). cancel (may
 * be NULL; the engine's flag, read atomically): once set, the transfer ends with -ECANCELED and
 * the .part is kept to resume from. ret_lock (may be NULL): the image's lock, held shared until
 * the caller closes it — the cache's pruning leaves the image alone meanwhile. */
int image_fetch(const char *state_dir, const char *url, const char *sha256, const char *owner,
                const bool *cancel, char **ret_path, int *ret_lock, char **ret_err);

/* A transfer running in this process (any thread), as status shows it. */
typedef struct ImageFetchStatus {
    char *url;
    uint64_t done;      /* bytes of the image downloaded (a resumed .part's included) */
    uint64_t total;     /* the image's size; 0: unknown (no Content-Length) */
    double rate;        /* bytes per second of this transfer */
} ImageFetchStatus;

/* Whether owner's fetch is transferring now; *ret filled (ret->url: caller frees). */
bool image_fetch_status(const char *owner, ImageFetchStatus *ret);
/* Whether any transfer is running (the daemon rewrites its status meanwhile). */
bool image_fetch_running(void);
