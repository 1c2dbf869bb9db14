/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli.h"
#include "config.h"
#include "log.h"
#include "manager.h"

int cmd_daemon(const CliOpts *o) {
    DaemonConfig c;
    int r;

    log_setup();
    daemon_config_defaults(&c);
    /* the config file sits beside the specs by default; flags win over it */
    const char *dir = o->specs_dir ? o->specs_dir : o->n_paths ? o->paths[0] : VIRTSPEC_SPEC_DIR;
    _cleanup_free_ char *conf = o->config ? xstrdup(o->config) : xasprintf("%s/virtspec.conf", dir);
    r = daemon_config_load(&c, conf, o->config != NULL);
    if (r < 0) {
        daemon_config_clear(&c);
        return 1;
    }
    if (o->specs_dir || o->n_paths || !c.specs_dir) {
        free(c.specs_dir);
        c.specs_dir = xstrdup(dir);
    }
    if (o->connect) {
        free(c.uri);
        c.uri = xstrdup(o->connect);
    }
    if (o->drift) {
        if (!streq(o->drift, "correct") && !streq(o->drift, "report")) {
            log_error("--drift takes correct or report");
            daemon_config_clear(&c);
            return 1;
        }
        c.report_drift = streq(o->drift, "report");
    }
    if (o->prune)
        c.prune = true;
    if (o->status_file) {
        free(c.status_path);
        c.status_path = xstrdup(o->status_file);
    }
    r = daemon_run(&c);
    daemon_config_clear(&c);
    return r < 0 ? 1 : 0;
}
