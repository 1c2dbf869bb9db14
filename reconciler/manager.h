/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <uv.h>

/* The daemon: owns the spec store, the libvirt connection, the objects and the work queue, all
 * on one libuv loop. Reconciles run on libuv's thread pool, at most one per object and at most
 * `concurrency` at once, a domain after the pools and networks it uses; failures back off per
 * object and hold up only their dependents. */

typedef struct DaemonConfig {
    char *specs_dir;
    char *uri;                  /* NULL: $LIBVIRT_DEFAULT_URI or qemu:///system */
    char *status_path;          /* default $RUNTIME_DIRECTORY or /run/virtspec, + /status.json */
    unsigned resync_interval_s; /* full rescan + resync (inotify can drop events); default 300 */
    unsigned concurrency;       /* default 4 */
    unsigned debounce_ms;       /* default 200 */
    unsigned max_backoff_s;     /* default 300 */
    bool report_drift;          /* drift mode report (default correct) */
    bool prune;                 /* undefine owned domains whose spec is gone (volumes kept) */
} DaemonConfig;

void daemon_config_defaults(DaemonConfig *c);
/* Reads "key = value" lines; unknown keys and bad values are errors naming file:line. */
int daemon_config_load(DaemonConfig *c, const char *path, bool must_exist);
void daemon_config_clear(DaemonConfig *c);

int daemon_run(DaemonConfig *c);
