/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

/* One command of this very program per `kind: Host` (docs/fleet.md): `fleet status` runs
 * `plan --json --host NAME -c URI`, `plan --all-hosts` and `apply --all-hosts` run `plan` or
 * `apply --host NAME -c URI`, so each host's share and comparison are exactly what that command
 * computes there. HOST_JOBS at a time; each child in its own process group, killed (an ssh it
 * started too) after the timeout, and by SIGINT, SIGTERM or SIGHUP of this process. */

#define HOST_JOBS 16            /* hosts at once (each a process and two pipes) */
#define HOST_JOBS_TIMEOUT 30    /* seconds: fleet status and plan --all-hosts */

typedef struct HostJob {
    char **argv;                /* NULL: not run (a Host without uri) */
    const char *const *env;     /* "NAME=VALUE" added to the child's environment, or NULL */
    int rc;                     /* the exit status; -ETIMEDOUT; another negative errno; -1 not run */
    char *out, *err;            /* what it printed (allocated) */
} HostJob;

/* Called in the worker thread that ran jobs[i], as soon as it has ended. */
typedef void (*HostJobDone)(size_t i, void *userdata);

/* VIRTSPEC_FLEET_TIMEOUT=SECONDS, else dflt (0: no bound). */
unsigned host_jobs_timeout(unsigned dflt);
/* Runs every job with an argv, HOST_JOBS at once, each bounded by timeout_s (0: none). */
void host_jobs_run(HostJob *jobs, size_t n, unsigned timeout_s, HostJobDone done, void *userdata);
/* This program with head (NULL-terminated: "plan", "--json", …), then --host host, o's
 * configuration file, --insecure-spec-perms, -c uri (when not NULL), "--" and o's paths from
 * index first on; allocated (the strings are borrowed; argv[0] is self). */
char **host_job_argv(const CliOpts *o, char *self, const char *const *head, const char *host,
                     const char *uri, size_t first);
void host_jobs_clear(HostJob *jobs, size_t n);
