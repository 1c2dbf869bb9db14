/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "fleet-peers.h"
#include "git.h"
#include "host-jobs.h"
#include "paths.h"
#include "placement.h"
#include "status-json.h"
#include "sync.h"
#include "term.h"

/* `virtspec fleet status` (docs/fleet.md, issue 22): agentless, read-only. For every `kind: Host`
 * of the tree, `virtspec plan --json --host NAME -c URI` — this very program, so the share and
 * the comparison are exactly what plan --host computes there, no second diff — run as a child
 * process by host-jobs.c (HOST_JOBS at a time, each killed with its process group after
 * HOST_JOBS_TIMEOUT seconds). A dead host costs the table that bound, not the kernel's TCP
 * timeout. */

/* What an object of a host's plan is, for the table. */
typedef enum FleetClass {
    FC_IN_SYNC,
    FC_LIVE,        /* changes apply would make live (or lifecycle: start, stop) */
    FC_RELOAD,      /* changes waiting for a restart (config, first-boot, identity; reload) */
    FC_CREATE,      /* not defined there yet (missing) */
    FC_ORPHANED,    /* owned there, no spec names it */
    FC_CONFLICT,    /* an object of that name there is not virtspec's */
    FC_FAILED,      /* could not be read or compared */
    _FC_MAX,
} FleetClass;

static const char *const fc_names[_FC_MAX] = {
    "in_sync", "live", "reload", "create", "orphaned", "conflict", "failed",
};

typedef struct FleetHost {
    const HostSpec *spec;
    const char *uri;            /* the Host's uri; NULL: the local connection (-c) or no uri */
    bool local;                 /* no uri, but --host (host =) names it: -c, or the default */
    size_t share;               /* specs placed there (repository-only placement) */
    int rc;                     /* plan's exit status; -ETIMEDOUT; -1: not run */
    char *out, *err;            /* taken from its HostJob */
    /* from plan's document */
    unsigned count[_FC_MAX];
    size_t elsewhere;           /* defined there, placed on another host */
    json_object *not_in_sync;   /* [{kind, name, class}] of the objects not in sync */
    char *error;                /* unreachable: libvirt's error */
    const char *state;          /* in-sync, stale, failed, unreachable, no-uri, lost */
} FleetHost;

static bool has_op(json_object *obj, const char *op) {
    json_object *items, *v;
    if (!json_object_object_get_ex(obj, "action_items", &items))
        return false;
    for (size_t i = 0; i < json_object_array_length(items); i++)
        if (json_object_object_get_ex(json_object_array_get_idx(items, i), "op", &v) &&
            streq(json_object_get_string(v), op))
            return true;
    return false;
}

static size_t array_len(json_object *obj, const char *key) {
    json_object *v;
    return json_object_object_get_ex(obj, key, &v) && json_object_is_type(v, json_type_array)
        ? json_object_array_length(v) : 0;
}

/* A change apply cannot make live: it waits for a restart. */
static bool has_restart_change(json_object *obj) {
    json_object *changes, *v;
    if (!json_object_object_get_ex(obj, "changes", &changes))
        return false;
    for (size_t i = 0; i < json_object_array_length(changes); i++)
        if (json_object_object_get_ex(json_object_array_get_idx(changes, i), "class", &v) &&
            !streq(json_object_get_string(v), "live") && !streq(json_object_get_string(v), "none"))
            return true;
    return false;
}

/* The class of one object of plan's document: plan's own notion of changes (changes or actions). */
static FleetClass classify(json_object *obj) {
    json_object *v;
    const char *state = json_object_object_get_ex(obj, "state", &v) ? json_object_get_string(v) : "";
    if (streq(state, "orphaned"))
        return FC_ORPHANED;
    if (streq(state, "failed"))
        return FC_FAILED;
    if (streq(state, "foreign-conflict"))
        return FC_CONFLICT;
    if (streq(state, "missing") || has_op(obj, "create"))
        return FC_CREATE;
    if (array_len(obj, "reload_pending") > 0 || has_op(obj, "reload") || has_op(obj, "restart") ||
        has_restart_change(obj))
        return FC_RELOAD;
    if (array_len(obj, "changes") > 0 || array_len(obj, "action_items") > 0)
        return FC_LIVE;
    return FC_IN_SYNC;
}

/* The domains defined there that placement puts elsewhere: plan --host's `placed_elsewhere`. */
static size_t placed_elsewhere(json_object *doc) {
    json_object *v;
    return json_object_object_get_ex(doc, "placed_elsewhere", &v) ? (size_t) json_object_get_int64(v) : 0;
}

/* The host's result from its plan's exit status and document. */
static void host_read_result(FleetHost *h) {
    json_object *doc = h->out && *h->out ? json_tokener_parse(h->out) : NULL, *objs;
    if (!doc || !json_object_object_get_ex(doc, "objects", &objs)) {
        /* no document: plan could not connect (or list); its last line says why */
        _cleanup_free_ char *why = h->err ? last_line(h->err) : NULL;
        if (h->rc == -ETIMEDOUT)
            h->error = xasprintf("no answer within %u s (VIRTSPEC_FLEET_TIMEOUT)", host_jobs_timeout(HOST_JOBS_TIMEOUT));
        else if (h->rc < 0 && h->rc != -EINTR && !(why && *why))   /* here, not there */
            h->error = xasprintf("not read: plan could not run on this machine: %s", strerror(-h->rc));
        else
            h->error = xstrdup(why && *why ? why : "plan failed without a message");
        if (strncmp(h->error, "virtspec: ", strlen("virtspec: ")) == 0)
            memmove(h->error, h->error + strlen("virtspec: "), strlen(h->error) - strlen("virtspec: ") + 1);
        h->state = "unreachable";
        json_object_put(doc);
        return;
    }
    h->not_in_sync = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(objs); i++) {
        json_object *obj = json_object_array_get_idx(objs, i), *k, *n;
        FleetClass c = classify(obj);
        h->count[c]++;
        if (c == FC_IN_SYNC || !json_object_object_get_ex(obj, "kind", &k) ||
            !json_object_object_get_ex(obj, "name", &n))
            continue;
        json_object *x = json_object_new_object();
        json_object_object_add(x, "kind", json_object_get(k));
        json_object_object_add(x, "name", json_object_get(n));
        json_object_object_add(x, "class", json_object_new_string(fc_names[c]));
        json_object_array_add(h->not_in_sync, x);
    }
    h->elsewhere = placed_elsewhere(doc);
    json_object_put(doc);
    bool pending = h->elsewhere > 0;
    for (int c = FC_LIVE; c <= FC_ORPHANED; c++)
        pending = pending || h->count[c] > 0;
    h->state = h->count[FC_FAILED] + h->count[FC_CONFLICT] > 0 ? "failed" : pending ? "stale" : "in-sync";
}

/* Reads every host with a uri (or the local one), HOST_JOBS at once; the others are "no uri".
 * An interrupt (SIGINT, SIGTERM, SIGHUP) kills the plans running, and their ssh, with fleet. */
static void read_hosts(const CliOpts *o, FleetHost *hosts, size_t n) {
    static const char *const head[] = { "plan", "--json", NULL };
    _cleanup_free_ char *self = realpath("/proc/self/exe", NULL);
    HostJob *jobs = xmalloc0((n + 1) * sizeof(HostJob));
    /* per job: VIRTSPEC_FLEET_PEERS=0 (each plan reads its own host only: looking at the others
     * for a move, fleet-peers.h, is the table's own job, and a dead host would cost every row the
     * same bound), VIRTSPEC_AGENTLESS=NAME (its kernel is not this machine's), NULL */
    char **env = xmalloc0((3 * n + 1) * sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        if (value_int(&hosts[i].spec->lost)) {
            hosts[i].state = "lost";   /* declared gone: not read (docs/fleet.md#moving) */
            continue;
        }
        if (!hosts[i].uri && !hosts[i].local) {
            hosts[i].state = "no-uri";
            continue;
        }
        env[3 * i] = xstrdup("VIRTSPEC_FLEET_PEERS=0");
        if (!hosts[i].local)   /* driven from here */
            env[3 * i + 1] = xasprintf("VIRTSPEC_AGENTLESS=%s", hosts[i].spec->name.s);
        jobs[i].env = (const char *const *) &env[3 * i];
        jobs[i].argv = host_job_argv(o, self ? self : (char *) "virtspec", head,   /* paths[0]: status */
                                     hosts[i].spec->name.s, hosts[i].uri ? hosts[i].uri : o->connect, 1);
    }
    host_jobs_run(jobs, n, host_jobs_timeout(HOST_JOBS_TIMEOUT), NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        hosts[i].rc = jobs[i].rc;
        hosts[i].out = TAKE_PTR(jobs[i].out);
        hosts[i].err = TAKE_PTR(jobs[i].err);
        if (!hosts[i].state)
            host_read_result(&hosts[i]);
    }
    host_jobs_clear(jobs, n);
    free(jobs);
    for (size_t i = 0; i < 3 * n; i++)
        free(env[i]);
    free(env);
}

/* Whether the host was read (its objects counted). */
static bool host_read(const FleetHost *h) {
    return !streq(h->state, "unreachable") && !streq(h->state, "no-uri") && !streq(h->state, "lost");
}

static const char *state_color(const char *state) {
    return streq(state, "in-sync") ? term_color(TERM_GREEN)
         : streq(state, "stale") || streq(state, "no-uri") || streq(state, "lost") ? term_color(TERM_YELLOW)
         : term_color(TERM_RED);
}

static void print_table(const FleetHost *hosts, size_t n, const char *revision) {
    int w = 4;
    for (size_t i = 0; i < n; i++)
        if ((int) strlen(hosts[i].spec->name.s) > w)
            w = (int) strlen(hosts[i].spec->name.s);
    if (revision)
        printf("revision %s (the tree read)\n", revision);
    printf("%-*s  %5s  %-11s  %7s  %4s  %6s  %6s  %8s  %8s  %6s  %s\n", w, "HOST", "SHARE", "LIBVIRT",
           "IN-SYNC", "LIVE", "RELOAD", "CREATE", "ORPHANED", "CONFLICT", "FAILED", "STATE");
    for (size_t i = 0; i < n; i++) {
        const FleetHost *h = &hosts[i];
        bool read = host_read(h);
        printf("%-*s  %5zu  %-11s  ", w, h->spec->name.s, h->share,
               read ? "ok" : streq(h->state, "no-uri") ? "no uri" : streq(h->state, "lost") ? "not read" : "unreachable");
        if (read)
            printf("%7u  %4u  %6u  %6u  %8u  %8u  %6u  ", h->count[FC_IN_SYNC], h->count[FC_LIVE],
                   h->count[FC_RELOAD], h->count[FC_CREATE], h->count[FC_ORPHANED],
                   h->count[FC_CONFLICT], h->count[FC_FAILED]);
        else
            printf("%7s  %4s  %6s  %6s  %8s  %8s  %6s  ", "-", "-", "-", "-", "-", "-", "-");
        printf("%s%s%s", state_color(h->state), h->state, term_color(TERM_RESET));
        if (value_int(&h->spec->maintenance))
            printf(" (maintenance)");
        if (h->elsewhere > 0)
            printf(" (%zu defined there placed on another host)", h->elsewhere);
        putchar('\n');
        for (size_t k = 0; h->not_in_sync && k < json_object_array_length(h->not_in_sync); k++) {
            json_object *x = json_object_array_get_idx(h->not_in_sync, k), *kind, *name, *cls;
            json_object_object_get_ex(x, "kind", &kind);
            json_object_object_get_ex(x, "name", &name);
            json_object_object_get_ex(x, "class", &cls);
            printf("  %s %s: %s\n", json_object_get_string(kind), json_object_get_string(name),
                   json_object_get_string(cls));
        }
        if (h->error)
            printf("  %s %s\n", term_glyph(GLYPH_FAIL), h->error);
        else if (streq(h->state, "no-uri"))
            printf("  the Host has no uri (docs/fleet.md)\n");
        else if (streq(h->state, "lost"))
            printf("  lost: true: declared gone, not read (docs/fleet.md#moving)\n");
    }
}

static void print_json(const FleetHost *hosts, size_t n, const char *revision) {
    json_object *root = json_object_new_object(), *arr = json_object_new_array();
    json_object_object_add(root, "schema_version", json_object_new_int(1));
    json_object_object_add(root, "command", json_object_new_string("fleet-status"));
    json_object_object_add(root, "revision", revision ? json_object_new_string(revision) : NULL);
    for (size_t i = 0; i < n; i++) {
        const FleetHost *h = &hosts[i];
        json_object *j = json_object_new_object(), *c = NULL;
        json_object_object_add(j, "name", json_object_new_string(h->spec->name.s));
        json_object_object_add(j, "uri", h->uri ? json_object_new_string(h->uri) : NULL);
        json_object_object_add(j, "local", json_object_new_boolean(h->local));
        json_object_object_add(j, "maintenance", json_object_new_boolean(value_int(&h->spec->maintenance)));
        json_object_object_add(j, "share", json_object_new_int64((int64_t) h->share));
        json_object_object_add(j, "state", json_object_new_string(h->state));
        json_object_object_add(j, "error", h->error ? json_object_new_string(h->error) : NULL);
        if (host_read(h)) {
            c = json_object_new_object();
            for (int k = 0; k < _FC_MAX; k++)
                json_object_object_add(c, fc_names[k], json_object_new_int64(h->count[k]));
            json_object_object_add(c, "placed_elsewhere", json_object_new_int64((int64_t) h->elsewhere));
        }
        json_object_object_add(j, "objects", c);
        json_object_object_add(j, "not_in_sync", json_object_get(h->not_in_sync));
        json_object_array_add(arr, j);
    }
    json_object_object_add(root, "hosts", arr);
    _cleanup_free_ char *text = status_json_text(root);
    fputs(text, stdout);
    json_object_put(root);
}

/* The hosts of the tree (sorted by name), with their share (*ret_n of them, maybe 0). */
static FleetHost *fleet_hosts(const CliOpts *o, const SpecSet *set, size_t *ret_n) {
    PlacementSet ps = {};
    DiagList d = {};
    placement_compute(set, NULL, 0, &ps, &d);   /* cli_load_specs reported its diagnostics */
    diag_list_clear(&d);
    FleetHost *hosts = xmalloc0((ps.n_hosts + 1) * sizeof(FleetHost));
    for (size_t i = 0; i < ps.n_hosts; i++) {
        FleetHost *h = &hosts[i];
        h->spec = ps.hosts[i];
        h->uri = h->spec->uri.set ? h->spec->uri.s : NULL;
        h->local = !h->uri && streq_ptr(o->host, h->spec->name.s);
        for (size_t k = 0; k < ps.n; k++)
            h->share += placement_on_host(&ps, &ps.items[k], h->spec->name.s);
    }
    *ret_n = ps.n_hosts;
    placement_set_clear(&ps);
    return hosts;
}

int cmd_fleet(const CliOpts *o) {
    if (o->n_paths == 0 || !streq(o->paths[0], "status")) {
        fprintf(stderr, "virtspec: fleet: the subcommand is status: virtspec fleet status [PATH…]\n");
        return 1;
    }
    _cleanup_(spec_set_clear) SpecSet set = {};
    CliOpts all = *o;
    all.paths = o->paths + 1;
    all.n_paths = o->n_paths - 1;
    all.host = NULL;   /* the whole tree: every host's share */
    size_t errors = cli_load_specs(&all, &set);
    if (set.n_hosts == 0) {
        fprintf(stderr, "virtspec: fleet status: the tree has no `kind: Host` document (docs/fleet.md)\n");
        return 1;
    }
    if (o->host && !spec_set_find_host(&set, o->host)) {
        fprintf(stderr, "virtspec: --host %s: no `kind: Host` document of the tree names it\n", o->host);
        return 1;
    }
    size_t n;
    FleetHost *hosts = fleet_hosts(o, &set, &n);
    read_hosts(o, hosts, n);
    const char *tree = all.n_paths == 1 ? all.paths[0] : all.n_paths == 0 ? (o->specs_dir ? o->specs_dir : paths_default()->spec_dir) : NULL;
    _cleanup_free_ char *revision = tree ? sync_revision(tree) : NULL;
    if (o->json)
        print_json(hosts, n, revision);
    else
        print_table(hosts, n, revision);
    bool all_in_sync = true;
    for (size_t i = 0; i < n; i++) {
        /* a lost host takes no placement: nothing of the tree is pending there */
        all_in_sync = all_in_sync && (streq(hosts[i].state, "in-sync") || streq(hosts[i].state, "lost"));
        free(hosts[i].out);
        free(hosts[i].err);
        free(hosts[i].error);
        json_object_put(hosts[i].not_in_sync);
    }
    free(hosts);
    return errors > 0 ? 1 : all_in_sync ? 0 : 2;
}
