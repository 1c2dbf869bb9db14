/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <time.h>

#include "engine.h"
#include "provenance.h"

/* Machine-readable output (json-c): `virtspec plan --json`, `apply --json`, `status --json` and
 * the daemon's /run/virtspec/status.json share this one versioned format (docs/json.md). Every
 * object has every field, whoever wrote it. Never contains secrets. */

#define STATUS_SCHEMA_VERSION 1

typedef struct StatusExtra {
    const char *last_action;    /* may be NULL */
    const char *spec_error;     /* the spec file currently fails to validate (last good in force) */
    time_t last_action_time;    /* 0: never */
    time_t last_pass_time;
    unsigned failures;
    bool orphan;
    bool reconciling;           /* a pass over it is running (a reload's shutdown wait, a start) */
    bool waiting;               /* its pass waits for a dependency: error says which (health waiting) */
    const char *fetch_url;      /* a base image downloading for it now (daemon), else NULL: */
    uint64_t fetch_done, fetch_total;   /* bytes; total 0: unknown */
    double fetch_rate;          /* bytes per second */
} StatusExtra;

typedef struct StatusDoc StatusDoc;

StatusDoc *status_doc_new(const char *source);   /* "daemon" or "one-shot"; command "status" */
void status_doc_set_command(StatusDoc *d, const char *command);   /* "plan", "apply" */
void status_doc_add(StatusDoc *d, const ObjectResult *r, const StatusExtra *x);
void status_doc_add_diags(StatusDoc *d, const DiagList *diags);
/* plan: "blast_radius", the templates whose values change objects (provenance.h). */
void status_doc_add_blast_radius(StatusDoc *d, const BlastRadius *b);
void status_doc_set_counts(StatusDoc *d, const char *summary);
/* The daemon's `host =` and the spec revision `virtspec sync` put in force (docs/fleet.md):
 * "host" and "revision", each only when known. */
void status_doc_set_fleet(StatusDoc *d, const char *host, const char *revision);
/* plan/apply --host: the domains defined here that placement puts on another host */
void status_doc_set_placed_elsewhere(StatusDoc *d, size_t n);
/* Pretty JSON text of any document (a status file read back, filtered); caller frees. */
struct json_object;
char *status_json_text(struct json_object *root);
/* Pretty JSON text; caller frees. */
char *status_doc_to_string(StatusDoc *d);
/* The document itself (owned by d): status-table.h prints it for people. */
struct json_object *status_doc_json(StatusDoc *d);
/* Writes atomically (temporary file + rename), mode 0644. */
int status_doc_write(StatusDoc *d, const char *path);
/* One object's entry as its own pretty JSON text (caller frees), framed for its place in the
 * document (indented, followed by ",\n"), and the document's text with such texts as its objects
 * (after those added): byte for byte what status_doc_add of the same objects prints. The daemon keeps each object's text until the object changes, so a status
 * write does not rebuild ten thousand entries for one edit. */
char *status_object_text(const ObjectResult *r, const StatusExtra *x);
/* lens: the objects' lengths (the daemon keeps them with its texts), or NULL */
char *status_doc_to_string_with(StatusDoc *d, char *const *objects, const size_t *lens, size_t n);
/* status_doc_write of that text, written from the pieces (writev), not copied into one */
int status_doc_write_with(StatusDoc *d, char *const *objects, const size_t *lens, size_t n,
                          const char *path);
void status_doc_free(StatusDoc *d);

/* The supervisor's status file (`daemon --all-hosts`, docs/json.md#agentless-daemon): its pid
 * and one row per Host's child, whose own status file `virtspec status` then reads. */
typedef struct HostStatusRow {
    const char *name, *uri, *status_file;
    int pid;                    /* 0: not running (restarting at restart_at) */
    time_t restart_at;
    int last_exit;              /* wait status of its last end; -1: none */
} HostStatusRow;

int status_hosts_write(const HostStatusRow *rows, size_t n, const char *path);
