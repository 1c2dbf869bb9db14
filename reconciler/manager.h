/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <uv.h>

#include "config-file.h"

/* The daemon: owns the spec store, the libvirt connection, the objects and the work queue, all
 * on one libuv loop. Reconciles run on libuv's thread pool, at most one per object and at most
 * `concurrency` at once, a domain after the pools and networks it uses; failures back off per
 * object and hold up only their dependents. */

int daemon_run(DaemonConfig *c);
