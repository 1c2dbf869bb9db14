/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/stat.h>

#include "spec.h"

/* The start of the warning about a spec file a writer holds open while the tree is walked. */
#define SPEC_STORE_WRITING "open for writing"

/* The daemon's view of a spec tree: every file's last good version. A file that stops
 * validating keeps its last good specs in force (absent would mean "delete"); its errors are
 * kept beside them for status. Only removing the file drops its specs. */

typedef struct SpecFile {
    char *path;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    uint64_t content_hash;
    Spec **specs;           /* last good version (refs) */
    /* Its documents: the version in force, and newer content not (yet) in force (it does not
     * parse, or its specs do not build with the templates of the tree: retried when templates
     * change). Templates are in force per file like specs: a broken template file keeps its
     * last good templates, so the specs using them stay as they were (docs/templates.md). */
    struct LoadedFile *good, *cand;
    uint64_t deps_hash;     /* of the templates its specs in force were built with */
    size_t n_specs;
    DiagList diags;         /* problems of the current content; empty when it is good */
    bool seen;
} SpecFile;

/* A file whose specs the last update replaced, with the specs it had (refs). */
typedef struct SpecChange {
    size_t file;            /* index in SpecStore.files */
    Spec **old;
    size_t n_old;
} SpecChange;

typedef struct SpecStore {
    char *root;
    SpecFile *files;
    size_t n_files;
    DiagList tree_diags;    /* problems of the tree itself (unreadable root, duplicates) */
    uint64_t templates_hash;    /* of the templates the last build used (store_build) */
    /* Whether a file is still being written in place (the daemon's watcher knows): a walk keeps
     * its last good version, and reads a new one once it is closed. NULL: none is. */
    bool (*writing)(const char *path, void *userdata);
    void *writing_userdata;
    /* What the last spec_store_update changed, for a set patched in place (docs/performance.md):
     * changes_exact when the files in changes are all it changed, and they had and have no
     * problems, no Host documents and no templates, and the templates of the tree are the same.
     * Else (a walk, a file added, a tree problem come or gone…) the set is built again. */
    SpecChange *changes;
    size_t n_changes;
    bool changes_exact;
} SpecStore;

void spec_store_init(SpecStore *st, const char *root);
void spec_store_clear(SpecStore *st);
/* Rereads changed files (stat, then content) and forgets removed ones. Returns the number of
 * files whose content changed (good or bad). force: reread every file, also when its stat is
 * unchanged; one whose bytes are those of its version in force keeps it (not parsed again). */
int spec_store_scan(SpecStore *st, bool force);
/* Rereads only the named files (as inotify reported them): new, changed or gone. Paths are
 * spelled like spec_walk's (root + "/" + relative path); those a walk would not read (dotfiles,
 * non-spec names, outside the root) are ignored. A directory created, removed or replaced is
 * the caller's business: it calls spec_store_scan. A known file that is gone makes a full
 * spec_store_scan (a file moved where the walk cannot read it is not removed). Returns the number
 * of files changed. */
int spec_store_update(SpecStore *st, char *const *paths, size_t n_paths);
/* The current specs (new refs), duplicates across files removed and reported. */
void spec_store_collect(SpecStore *st, SpecSet *ret);
size_t spec_store_n_errors(const SpecStore *st);
/* The file at path (spelled like spec_walk's), found by binary search; NULL when not known. */
const SpecFile *spec_store_find(const SpecStore *st, const char *path);
/* Drops the last update's changes (the old specs they hold). */
void spec_store_forget_changes(SpecStore *st);
