/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cli.h"

/* status's exit code, for scripts and monitoring: 0 when every object is in sync, 2 when some
 * have work left (drifted, missing, reload-pending, orphaned: what plan calls changes), 1 when
 * any failed, has a foreign conflict, or a spec file was rejected. The worst one wins. */
int status_exit_of(const char *state);
int status_exit_worst(int a, int b);

/* `virtspec status` while a daemon runs: what its status file says (one daemon, or every Host's
 * child of `daemon --all-hosts`), shown and its exit code in *exit_code: 0. Negative (-ENOENT,
 * -ESRCH: no daemon runs; -EINVAL) when status must be computed one-shot. */
int status_from_daemon(const CliOpts *o, int *exit_code);
