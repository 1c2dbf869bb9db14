/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli.h"
#include "log.h"
#include "manager.h"
#include "supervise.h"

int cmd_daemon(const CliOpts *o) {
    /* main resolved the configuration file and the flags that win over it */
    if (o->cfg->all_hosts)
        return daemon_all_hosts(o);
    return daemon_run(o->cfg) < 0 ? 1 : 0;
}
