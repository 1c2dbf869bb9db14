/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <pwd.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "config-file.h"
#include "log.h"
#include "paths.h"

static const char *env_or_passwd(const char *name, void *userdata) {
    (void) userdata;
    const char *v = getenv(name);
    if (!v && streq(name, "HOME")) {
        struct passwd *pw = getpwuid(geteuid());
        v = pw ? pw->pw_dir : NULL;
    }
    return v;
}

const Paths *paths_default(void) {
    static const Paths sys = { .spec_dir = (char *) VIRTSPEC_SPEC_DIR,
                               .config_file = (char *) VIRTSPEC_CONFIG_FILE,
                               .state_dir = (char *) VIRTSPEC_STATE_DIR,
                               .run_dir = (char *) VIRTSPEC_RUN_DIR };
    static Paths p;
    static bool done;
    if (!done) {
        /* a user without a home at all: the system's paths, which the checks then refuse */
        if (paths_for(geteuid(), env_or_passwd, NULL, &sys, &p) < 0)
            paths_for(0, env_or_passwd, NULL, &sys, &p);
        done = true;
    }
    return &p;
}

char *paths_status_file(bool make_dir) {
    const char *dir = paths_default()->run_dir;
    if (make_dir)
        mkdir(dir, 0755);
    return xasprintf("%s/status.json", dir);
}

void daemon_config_defaults(DaemonConfig *c) {
    *c = (DaemonConfig) {
        .resync_interval_s = 300,
        .concurrency = 4,
        .debounce_ms = 100,
        .max_backoff_s = 300,
        .prune_grace_s = 10,
        .sync_timeout_s = 120,
    };
}

void daemon_config_clear(DaemonConfig *c) {
    free(c->specs_dir);
    free(c->uri);
    free(c->status_path);
    free(c->host);
    free(c->sync_remote);
    free(c->sync_ref);
    free(c->sync_keyring);
    free(c->sync_checkouts);
    free(c->file);
    *c = (DaemonConfig) {};
}

static int parse_uint(const char *v, unsigned lo, unsigned hi, unsigned *ret) {
    char *end;
    errno = 0;
    unsigned long x = strtoul(v, &end, 10);
    if (errno || *end || end == v || x < lo || x > hi)
        return -EINVAL;
    *ret = (unsigned) x;
    return 0;
}

static const char *const drift_choices[] = { "correct", "report", NULL };
static const char *const bool_choices[] = { "false", "true", NULL };

#define FIELD(f) offsetof(DaemonConfig, f)
/* The keys of the configuration file: the parser reads them, virtspec.conf(5) documents them. */
const ConfigKey config_keys[] = {
    { "specs", CONFIG_PATH, FIELD(specs_dir), .def = VIRTSPEC_SPEC_DIR " (not root: $XDG_CONFIG_HOME/virtspec)",
      .doc = "the spec tree: a directory read recursively for *.yaml and *.yml" },
    { "connect", CONFIG_STRING, FIELD(uri), .def = "$LIBVIRT_DEFAULT_URI, else qemu:///system (not root: qemu:///session)",
      .doc = "the libvirt URI" },
    { "resync_interval", CONFIG_UINT, FIELD(resync_interval_s), 5, 86400, .def = "300",
      .doc = "seconds between full rescans and resyncs (inotify can drop events)" },
    { "concurrency", CONFIG_UINT, FIELD(concurrency), 1, 64, .def = "4",
      .doc = "reconciles running at once (the size of libuv's thread pool)" },
    { "debounce_ms", CONFIG_UINT, FIELD(debounce_ms), 10, 10000, .def = "100",
      .doc = "milliseconds of quiet after a burst of file events before one pass" },
    { "max_backoff", CONFIG_UINT, FIELD(max_backoff_s), 1, 86400, .def = "300",
      .doc = "ceiling, in seconds, of a failing object's exponential retry delay" },
    { "drift", CONFIG_CHOICE, FIELD(report_drift), .choices = drift_choices, .def = "correct",
      .doc = "report: changes made behind virtspec's back are only reported, not corrected" },
    { "prune", CONFIG_CHOICE, FIELD(prune), .choices = bool_choices, .def = "false",
      .doc = "true: owned domains whose spec is gone are shut down and undefined (volumes kept "
             "unless the domain said delete_volumes_on_removal; NVRAM and TPM state always kept)" },
    { "prune_grace", CONFIG_UINT, FIELD(prune_grace_s), 0, 86400, .def = "10",
      .doc = "seconds a domain's spec must stay gone before prune removes it (a change that moves "
             "it between files, seen part-way through, does not stop and start it)" },
    { "status_file", CONFIG_PATH, FIELD(status_path), .def = "$RUNTIME_DIRECTORY/status.json, else "
      "/run/virtspec/status.json (not root: $XDG_RUNTIME_DIR/virtspec/status.json)", .doc = "where the daemon writes its status (virtspec status reads it)" },
    { "host", CONFIG_STRING, FIELD(host), .def = "none",
      .doc = "the `kind: Host` this machine is: plan, apply and the daemon take only the specs "
             "placed on it (docs/fleet.md)" },
    { "all_hosts", CONFIG_CHOICE, FIELD(all_hosts), .choices = bool_choices, .def = "false",
      .doc = "true: the daemon drives every `kind: Host` with a uri, one `virtspec daemon --host "
             "NAME -c URI` child each (agentless mode, docs/fleet.md); `--host` wins over it" },
    { "sync_remote", CONFIG_STRING, FIELD(sync_remote), .def = "none",
      .doc = "virtspec sync: the git repository (URL or path) the spec tree is fetched from (docs/fleet.md)" },
    { "sync_ref", CONFIG_STRING, FIELD(sync_ref), .def = "main", .doc = "virtspec sync: the branch or ref fetched" },
    { "sync_keyring", CONFIG_PATH, FIELD(sync_keyring), .def = "none (no signature check)",
      .doc = "virtspec sync: a GnuPG keyring (exported keys) of the allowed signers: a commit not "
             "signed by one of them is refused" },
    { "sync_checkouts", CONFIG_PATH, FIELD(sync_checkouts), .def = VIRTSPEC_STATE_DIR "/checkouts",
      .doc = "virtspec sync: the fetch cache and the checked-out revisions (the spec tree, `specs`, "
             "is a symlink to one of them)" },
    { "sync_timeout", CONFIG_UINT, FIELD(sync_timeout_s), 1, 86400, .def = "120",
      .doc = "virtspec sync: seconds after which a git fetch is killed (a failed fetch)" },
};
const size_t config_n_keys = ELEMENTSOF(config_keys);

/* One KEY = VALUE: 0, -ENOENT for an unknown key, -EINVAL for a bad value. */
static int config_set(DaemonConfig *c, const char *k, const char *v) {
    for (size_t i = 0; i < config_n_keys; i++) {
        const ConfigKey *key = &config_keys[i];
        void *field = (char *) c + key->offset;
        if (!streq(k, key->key))
            continue;
        switch (key->type) {
        case CONFIG_STRING:
        case CONFIG_PATH:
            free(*(char **) field);
            *(char **) field = xstrdup(v);
            return 0;
        case CONFIG_UINT:
            return parse_uint(v, key->min, key->max, field);
        case CONFIG_CHOICE:
            /* a bool field: the second choice is true */
            if (streq(v, key->choices[0]) || streq(v, key->choices[1])) {
                *(bool *) field = streq(v, key->choices[1]);
                return 0;
            }
            return -EINVAL;
        }
    }
    return -ENOENT;
}

int daemon_config_parse(DaemonConfig *c, const char *path, bool must_exist) {
    FILE *f = fopen(path, "re");
    char line[1024];
    unsigned n = 0;
    int ret = 0;
    if (!f) {
        if (errno == ENOENT && !must_exist)
            return 0;
        return log_error_errno(-errno, "cannot read %s", path);
    }
    while (fgets(line, sizeof(line), f)) {
        n++;
        char *p = line + strspn(line, " \t");
        p[strcspn(p, "\r\n")] = 0;
        if (!*p || *p == '#')
            continue;
        char *eq = strchr(p, '=');
        if (!eq) {
            log_error("%s:%u: expected KEY = VALUE", path, n);
            ret = -EINVAL;
            continue;
        }
        *eq = 0;
        char *k = p, *v = eq + 1;
        for (char *e = k + strlen(k); e > k && (e[-1] == ' ' || e[-1] == '\t'); e--)
            e[-1] = 0;
        v += strspn(v, " \t");
        int r = config_set(c, k, v);
        if (r == -ENOENT) {
            log_error("%s:%u: unknown key '%s'", path, n, k);
            ret = -EINVAL;
        } else if (r < 0) {
            log_error("%s:%u: bad value for %s: '%s'", path, n, k, v);
            ret = -EINVAL;
        }
    }
    fclose(f);
    return ret;
}

static void set_str(char **dst, const char *v) {
    free(*dst);
    *dst = v ? xstrdup(v) : NULL;
}

/* The file to read: --config, else the documented location, else (deprecated) the old one in the
 * spec tree, which the daemon's watch and the spec loader walk. NULL: none (defaults only). */
static char *config_path(const ConfigOverrides *o, bool *ret_must_exist) {
    struct stat st;
    *ret_must_exist = o->file != NULL;
    if (o->file)
        return xstrdup(o->file);
    _cleanup_free_ char *old = xasprintf("%s/virtspec.conf", o->specs_dir ? o->specs_dir : paths_default()->spec_dir);
    bool have_old = stat(old, &st) == 0;
    if (stat(paths_default()->config_file, &st) == 0 || errno != ENOENT) {
        if (have_old)
            log_warning("%s is ignored: the configuration is read from %s", old, paths_default()->config_file);
        return xstrdup(paths_default()->config_file);
    }
    if (!have_old)
        return NULL;
    log_warning("reading the configuration from %s, inside the spec tree: deprecated, move it to %s",
                old, paths_default()->config_file);
    return TAKE_PTR(old);
}

int daemon_config_resolve(DaemonConfig *c, const ConfigOverrides *o) {
    bool must_exist;
    daemon_config_defaults(c);
    c->overrides = *o;
    c->file = config_path(o, &must_exist);
    if (c->file && daemon_config_parse(c, c->file, must_exist) < 0)
        return -EINVAL;
    if (o->specs_dir)
        set_str(&c->specs_dir, o->specs_dir);
    if (o->uri)
        set_str(&c->uri, o->uri);
    if (o->status_path)
        set_str(&c->status_path, o->status_path);
    if (o->drift) {
        if (!streq(o->drift, "correct") && !streq(o->drift, "report")) {
            log_error("--drift takes correct or report");
            return -EINVAL;
        }
        c->report_drift = streq(o->drift, "report");
    }
    if (o->prune)
        c->prune = true;
    if (o->host)
        set_str(&c->host, o->host);
    if (o->all_hosts)
        c->all_hosts = true;
    if (o->host)
        c->all_hosts = false;   /* one Host named: that one (a child of daemon --all-hosts) */
    return 0;
}

int daemon_config_reload(DaemonConfig *c) {
    _cleanup_(daemon_config_clear) DaemonConfig n = {};
    if (daemon_config_resolve(&n, &c->overrides) < 0) {
        log_error("%s: not reloaded, the settings in force stay", strna(c->file ? c->file : n.file));
        return -EINVAL;
    }
    /* the daemon's spec store, watch and connection are built once: these need a restart */
    const char *def_specs = paths_default()->spec_dir;
    if (!streq(n.specs_dir ? n.specs_dir : def_specs, c->specs_dir ? c->specs_dir : def_specs))
        log_warning("specs changed to %s: takes effect when the daemon restarts", strna(n.specs_dir));
    if (!streq_ptr(n.uri, c->uri))
        log_warning("connect changed to %s: takes effect when the daemon restarts", strna(n.uri));
    if (n.debounce_ms != c->debounce_ms)
        log_warning("debounce_ms changed to %u: takes effect when the daemon restarts", n.debounce_ms);
    bool changed = n.resync_interval_s != c->resync_interval_s || n.concurrency != c->concurrency ||
                   n.max_backoff_s != c->max_backoff_s || n.report_drift != c->report_drift ||
                   n.prune != c->prune || n.prune_grace_s != c->prune_grace_s || !streq_ptr(n.file, c->file) ||
                   (n.status_path && !streq_ptr(n.status_path, c->status_path));
    c->resync_interval_s = n.resync_interval_s;
    c->concurrency = n.concurrency;
    c->max_backoff_s = n.max_backoff_s;
    c->report_drift = n.report_drift;
    c->prune = n.prune;
    c->prune_grace_s = n.prune_grace_s;
    char *t = c->file;
    c->file = n.file;
    n.file = t;
    /* no status_file: the default the daemon chose at start stays */
    if (n.status_path) {
        t = c->status_path;
        c->status_path = n.status_path;
        n.status_path = t;
    }
    return changed;
}
