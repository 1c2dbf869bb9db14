/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <uv.h>

#include "config-file.h"

/* The daemon: owns the spec store, the libvirt connection, the objects and the work queue, all
 * on one libuv loop. Reconciles run on libuv's thread pool, at most one per object and at most
 * `concurrency` at once, pools before networks before domains; failures back off per object. */

int daemon_run(DaemonConfig *c);
