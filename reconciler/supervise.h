/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cli.h"

/* `virtspec daemon --all-hosts` (all_hosts = true): a `virtspec daemon --host NAME -c URI` child
 * per `kind: Host` with a uri, restarted when it dies, stopped with this process (supervise.c,
 * docs/fleet.md). Returns the exit status. */
int daemon_all_hosts(const CliOpts *o);
