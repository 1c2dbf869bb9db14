/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* The configuration file (default VIRTSPEC_CONFIG_FILE, /etc/virtspec.conf: outside the spec
 * tree), read by every command and by the daemon, again on SIGHUP. Command-line options win. */

/* What the command line said; NULL / false: not given. The strings must outlive the config
 * (they point into argv): SIGHUP resolves the file again with the same overrides. */
typedef struct ConfigOverrides {
    const char *file;           /* --config FILE: must exist */
    const char *specs_dir;      /* --specs DIR (daemon: or its PATH argument) */
    const char *uri;            /* -c URI */
    const char *status_path;    /* --status-file */
    const char *drift;          /* --drift correct|report */
    bool prune;                 /* --prune */
    const char *host;           /* --host NAME */
    bool all_hosts;             /* --all-hosts */
} ConfigOverrides;

typedef struct DaemonConfig {
    char *specs_dir;            /* NULL: VIRTSPEC_SPEC_DIR */
    char *uri;                  /* NULL: $LIBVIRT_DEFAULT_URI or qemu:///system */
    char *status_path;          /* default $RUNTIME_DIRECTORY or /run/virtspec, + /status.json */
    unsigned resync_interval_s; /* full rescan + resync (inotify can drop events); default 300 */
    unsigned concurrency;       /* default 4 */
    unsigned debounce_ms;       /* default 100 */
    unsigned max_backoff_s;     /* default 300 */
    bool report_drift;          /* drift mode report (default correct) */
    bool prune;                 /* undefine owned domains whose spec is gone (volumes kept) */
    unsigned prune_grace_s;     /* an orphan is pruned only after its spec stayed gone this long */
    char *host;                 /* the `kind: Host` this machine is (docs/fleet.md); NULL: none */
    bool all_hosts;             /* the daemon drives every Host with a uri (agentless mode) */
    char *sync_remote;          /* virtspec sync (docs/fleet.md): the git remote; NULL: none */
    char *sync_ref;             /* the ref fetched; NULL: main */
    char *sync_keyring;         /* GnuPG keyring of the allowed signers; NULL: no signature check */
    char *sync_checkouts;       /* the cache and checkouts; NULL: state directory + /checkouts */
    unsigned sync_timeout_s;    /* a git fetch is killed after it; default 120 */
    char *file;                 /* the configuration file read; NULL: none */
    ConfigOverrides overrides;  /* kept for daemon_config_reload */
} DaemonConfig;

/* A key of the configuration file: how it is parsed into DaemonConfig, and its documentation. */
typedef enum ConfigType {
    CONFIG_STRING,      /* char * */
    CONFIG_PATH,        /* char *, a path */
    CONFIG_UINT,        /* unsigned in [min, max] */
    CONFIG_CHOICE,      /* bool: choices[0] false, choices[1] true */
} ConfigType;

typedef struct ConfigKey {
    const char *key;
    ConfigType type;
    size_t offset;                  /* in DaemonConfig */
    unsigned min, max;
    const char *const *choices;
    const char *def;                /* the default, for the manual */
    const char *doc;
} ConfigKey;

extern const ConfigKey config_keys[];
extern const size_t config_n_keys;

void daemon_config_defaults(DaemonConfig *c);
/* Reads "key = value" lines; unknown keys and bad values are errors naming file:line. */
int daemon_config_parse(DaemonConfig *c, const char *path, bool must_exist);
void daemon_config_clear(DaemonConfig *c);
/* Defaults, then the file (--config FILE; else VIRTSPEC_CONFIG_FILE; else, deprecated, with a
 * warning, virtspec.conf in the spec directory), then the overrides. Errors are logged. */
int daemon_config_resolve(DaemonConfig *c, const ConfigOverrides *o);
/* SIGHUP: resolves again with the same overrides. On an error the old settings stay in force
 * (and it is logged); else the new ones replace them, except specs, connect and debounce_ms,
 * which take effect at the next start (a warning says so). Returns 1 when a setting changed. */
int daemon_config_reload(DaemonConfig *c);
