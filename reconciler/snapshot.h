/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "virt-conn.h"

/* Domain snapshots (snapshot.c): which method a domain's snapshot takes, and creating, listing,
 * reverting and deleting them through libvirt. A snapshot virtspec makes carries the marker
 * SNAPSHOT_MARKER at the start of its description; only such snapshots are ever deleted by a
 * spec's snapshots.keep (docs/snapshots.md). Every failure returns a negative errno and, in
 * *ret_err, the libvirt error. */

#define SNAPSHOT_MARKER "virtspec:"

typedef struct SnapInfo {
    char *name;
    long long time;         /* creationTime, seconds since the epoch */
    char *state;            /* the domain's state when it was taken: running, shutoff, … */
    char *method;           /* "internal" or "external" (a disk snapshot='external') */
    char *description;
    bool ours;              /* made by virtspec: the description starts with SNAPSHOT_MARKER */
} SnapInfo;

typedef struct SnapList {
    SnapInfo *items;        /* oldest first (creation time, then name) */
    size_t n;
} SnapList;

void snap_list_clear(SnapList *l);

/* The method a snapshot of the domain whose definition is xml takes: "internal" (every writable
 * disk qcow2, no pflash NVRAM). NULL, with *ret_why, when virtspec cannot snapshot it. Pure. */
const char *snapshot_method_of_xml(const char *xml, char **ret_why);
/* The same for a parsed definition (root NULL: "cannot be parsed"). Pure. */
const char *snapshot_method_of_root(const xmlNode *root, char **ret_why);
/* The same for dom's inactive definition. */
const char *snapshot_method(virDomainPtr dom, char **ret_why);
/* "virtspec-YYYYmmdd-HHMMSS" (UTC) of t. */
char *snapshot_default_name(long long t);

int snapshot_list(virDomainPtr dom, SnapList *ret, char **ret_err);
/* Takes a snapshot named name (NULL: snapshot_default_name of now, made unique), described as
 * SNAPSHOT_MARKER " " why. *ret_name: the name it got. */
int snapshot_create(virDomainPtr dom, const char *name, const char *why, char **ret_name,
                    char **ret_err);
int snapshot_delete(virDomainPtr dom, const char *name, char **ret_err);
int snapshot_revert(virDomainPtr dom, const char *name, char **ret_err);
/* Deletes virtspec's own snapshots of dom beyond the newest keep, oldest first; foreign ones are
 * never touched. The names deleted are added to *deleted (n_deleted). */
int snapshot_prune(virDomainPtr dom, unsigned keep, char ***deleted, size_t *n_deleted,
                   char **ret_err);
