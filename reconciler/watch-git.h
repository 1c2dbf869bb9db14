/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The git directory of the checkout that holds dir (a spec tree in a GitOps clone), found as git
 * finds it: DIR/.git — a directory, or a file "gitdir: PATH" (a worktree, a submodule; PATH
 * relative to DIR when not absolute) — in dir or the nearest of its parents that has one, on
 * the same file system (git's default); a .git file that names no directory ends the search.
 * GIT_CEILING_DIRECTORIES is not read. Allocated, NULL when dir is in no checkout. The watcher
 * holds a burst of spec events back while that checkout's index is locked (watch.h). */
char *watch_git_dir(const char *dir);

/* The lock git holds on the index while it rewrites the working tree (checkout, pull, merge,
 * reset, clone): created in the git directory, renamed to "index" (or removed) when done. */
#define WATCH_GIT_LOCK_NAME "index.lock"
