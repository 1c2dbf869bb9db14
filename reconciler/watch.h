/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <uv.h>

/* Watches a spec tree with inotify (one inotify fd polled by the loop), recursively, including
 * directories created later and a root that is a symlink swapped by a GitOps deploy. Editor temp
 * files and dotfiles are ignored; a burst of events (write + rename, a git pull) becomes one
 * callback after `debounce_ms` of quiet (a spec renamed into place or closed after writing: once
 * no other such write came for 1 ms), at most `debounce_ms` after the burst's first event unless
 * a directory came or went. In a git checkout (watch-git.h) a burst also waits while git holds
 * the index lock (10 s at most after it was taken), however long: a checkout is one callback.
 * Events on regular files that are not specs are ignored. A spec file written in place is not
 * read before its writer closes it (IN_CLOSE_WRITE), or has written nothing for 10 s; it alone waits, the rest of its burst is handed over. A queue overflow makes
 * the next callback a walk; the caller also rescans periodically. */

typedef struct Watch Watch;
/* Called once a burst has settled, with the files its events named (paths under the root as
 * the tree was walked: root + "/" + relative path), or with paths NULL when the whole tree must
 * be walked again: a directory was created, removed or swapped, the root itself changed, or the
 * burst named too many files. */
typedef void (*WatchCallback)(void *userdata, char *const *paths, size_t n_paths);

int watch_new(uv_loop_t *loop, const char *root, unsigned debounce_ms, WatchCallback cb,
              void *userdata, Watch **ret);
/* Called at once (before the quiet period) for a spec file renamed into place or closed after
 * writing, with its path spelled as the callback's; for the first WATCH_EARLY_MAX such files of a
 * burst only. What is done then must not depend on the burst being over: the daemon reads the
 * domain the file declares ahead of its pass (edit-prefetch.h). */
typedef void (*WatchEarlyCallback)(void *userdata, const char *path);
#define WATCH_EARLY_MAX 4
void watch_on_finished_write(Watch *w, WatchEarlyCallback early);
/* Re-reads the directory tree and (un)watches directories accordingly. */
void watch_refresh(Watch *w);
/* Closes every handle; the object is freed once libuv has closed them. */
void watch_close(Watch *w);
/* Whether path (spelled root + "/" + relative path) is a spec file written in place whose
 * writer has not closed it yet (IN_MODIFY without IN_CLOSE_WRITE, a write within the last 10 s):
 * a full rescan keeps its last good version until it is closed. */
bool watch_writing(const Watch *w, const char *path);
/* How many spec files are being written in place right now (as watch_writing says). */
size_t watch_n_writing(const Watch *w);
size_t watch_n_dirs(const Watch *w);
/* Whether git is rewriting the checkout the tree is in now (its index lock held, for less than
 * 10 s): a walk of the tree would see it part-way. */
bool watch_git_busy(const Watch *w);
