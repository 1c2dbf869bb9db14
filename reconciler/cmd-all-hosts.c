/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "git.h"
#include "host-jobs.h"
#include "paths.h"
#include "placement.h"
#include "status-json.h"
#include "term.h"

/* `virtspec plan --all-hosts` and `virtspec apply --all-hosts` (docs/fleet.md, agentless mode):
 * every `kind: Host` of the tree through its uri, each by `virtspec plan|apply --host NAME -c URI`
 * — this very program as a child process (host-jobs.c), so a host's share, comparison and changes
 * are exactly that command's there. One host failing never stops the others; the exit status is
 * the worst of the hosts'. The children are told they drive a Host from elsewhere
 * (VIRTSPEC_AGENTLESS): what needs the host's own kernel is not looked at here (docs/fleet.md). */

typedef struct AllHost {
    const char *name;
    const char *uri;            /* the Host's uri, or -c for the local Host; NULL: none (or the
                                 * local Host through the default connection) */
    bool local;                 /* no uri, but host = (of the configuration file) names it */
    bool maintenance;
    char *agentless_env;        /* VIRTSPEC_AGENTLESS=NAME */
    const char *env[2];
} AllHost;

typedef struct AllRun {
    const CliOpts *o;
    const char *command;        /* plan, apply */
    AllHost *hosts;
    HostJob *jobs;
    size_t n;
    pthread_mutex_t lock;
    bool *done;
    size_t printed;
    unsigned timeout;           /* seconds a host's command may take (0: no bound) */
} AllRun;

/* A host's outcome: 0 (plan: in sync; apply: done), 2 (plan: changes), 1 (anything else). */
static int host_exit(const HostJob *j) {
    return j->rc == 0 || j->rc == 2 ? j->rc : 1;
}

static const char *host_outcome(const AllRun *run, size_t i) {
    const HostJob *j = &run->jobs[i];
    if (!j->argv)
        return "not done: the Host has no uri";
    if (j->rc == -ETIMEDOUT)
        return "not done: no answer in time (VIRTSPEC_FLEET_TIMEOUT)";
    if (j->rc < 0)
        return "not done: the child could not run or was killed";
    if (streq(run->command, "plan"))
        return j->rc == 0 ? "in sync" : j->rc == 2 ? "changes" : "failed";
    return j->rc == 0 ? "applied" : "failed";
}

/* Prints host i: its heading, its command's output, and on stderr what it said there. */
static void print_host(const AllRun *run, size_t i) {
    const AllHost *h = &run->hosts[i];
    const HostJob *j = &run->jobs[i];
    printf("== %s (%s%s)%s\n", h->name, h->uri ? h->uri : h->local ? "the default connection" : "no uri",
           h->local ? ", this host" : "", h->maintenance ? " (maintenance)" : "");
    if (j->out)
        fputs(j->out, stdout);
    fflush(stdout);
    if (j->err && *j->err) {
        fputs(j->err, stderr);
        fflush(stderr);
    }
    if (!j->argv)
        printf("  %s not %s: the Host has no uri (docs/fleet.md)\n", term_glyph(GLYPH_FAIL),
               streq(run->command, "plan") ? "planned" : "applied");
    else if (j->rc == -ETIMEDOUT)
        printf("  %s no answer within %u s (VIRTSPEC_FLEET_TIMEOUT): killed\n", term_glyph(GLYPH_FAIL),
               run->timeout);
    else if (j->rc < 0)
        printf("  %s %s %s: %s\n", term_glyph(GLYPH_FAIL), run->command, h->name, strerror(-j->rc));
    fflush(stdout);
}

/* Text: each host's block as soon as it and those before it (by name) are done. */
static void host_done(size_t i, void *userdata) {
    AllRun *run = userdata;
    pthread_mutex_lock(&run->lock);
    run->done[i] = true;
    while (run->printed < run->n && (run->done[run->printed] || !run->jobs[run->printed].argv))
        print_host(run, run->printed++);
    pthread_mutex_unlock(&run->lock);
}

static void print_json(const AllRun *run) {
    json_object *root = json_object_new_object(), *arr = json_object_new_array();
    json_object_object_add(root, "schema_version", json_object_new_int(1));
    json_object_object_add(root, "command", json_object_new_string(run->command));
    json_object_object_add(root, "all_hosts", json_object_new_boolean(true));
    for (size_t i = 0; i < run->n; i++) {
        const HostJob *jb = &run->jobs[i];
        json_object *j = json_object_new_object();
        json_object *doc = jb->out && *jb->out ? json_tokener_parse(jb->out) : NULL;
        _cleanup_free_ char *why = jb->err && *jb->err ? last_line(jb->err) : NULL;
        json_object_object_add(j, "name", json_object_new_string(run->hosts[i].name));
        json_object_object_add(j, "uri", run->hosts[i].uri ? json_object_new_string(run->hosts[i].uri) : NULL);
        json_object_object_add(j, "local", json_object_new_boolean(run->hosts[i].local));
        json_object_object_add(j, "maintenance", json_object_new_boolean(run->hosts[i].maintenance));
        json_object_object_add(j, "exit_status", jb->rc >= 0 ? json_object_new_int(jb->rc) : NULL);
        json_object_object_add(j, "outcome", json_object_new_string(host_outcome(run, i)));
        json_object_object_add(j, "error", !doc && why ? json_object_new_string(why) : NULL);
        json_object_object_add(j, "result", doc);
        json_object_array_add(arr, j);
    }
    json_object_object_add(root, "hosts", arr);
    _cleanup_free_ char *text = status_json_text(root);
    fputs(text, stdout);
    json_object_put(root);
}

/* "3 hosts: kvm1 changes, kvm2 in sync, kvm3 failed" */
static void print_summary(const AllRun *run) {
    printf("%zu host%s:", run->n, run->n == 1 ? "" : "s");
    for (size_t i = 0; i < run->n; i++)
        printf("%s %s %s", i ? "," : "", run->hosts[i].name, host_outcome(run, i));
    putchar('\n');
}

/* The Hosts of the tree, sorted by name: their uri (a Host without one: -c when host = names it,
 * as fleet status does). Returns their number; 0 with the tree's message printed. */
static size_t all_hosts_of(const CliOpts *o, AllHost **ret) {
    _cleanup_(spec_set_clear) SpecSet set = {};
    char *def[] = { (char *) (o->specs_dir ? o->specs_dir : paths_default()->spec_dir) };
    spec_load_paths(&set, o->n_paths ? o->paths : def, o->n_paths ? o->n_paths : 1);
    spec_set_derive(&set);   /* the hosts' children print the tree's diagnostics, each once */
    PlacementSet ps = {};
    DiagList d = {};
    placement_compute(&set, NULL, 0, &ps, &d);
    diag_list_clear(&d);
    AllHost *hosts = xmalloc0((ps.n_hosts + 1) * sizeof(AllHost));
    for (size_t i = 0; i < ps.n_hosts; i++) {
        const HostSpec *h = ps.hosts[i];
        hosts[i].name = xstrdup(h->name.s);
        hosts[i].local = !h->uri.set && streq_ptr(o->host, h->name.s);
        hosts[i].uri = h->uri.set ? xstrdup(h->uri.s) : hosts[i].local && o->connect ? xstrdup(o->connect) : NULL;
        hosts[i].maintenance = value_int(&h->maintenance);
    }
    size_t n = ps.n_hosts;
    placement_set_clear(&ps);
    *ret = hosts;
    return n;
}

static void all_hosts_free(AllHost *hosts, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free((char *) hosts[i].name);
        free((char *) hosts[i].uri);
        free(hosts[i].agentless_env);
    }
    free(hosts);
}

/* The child's command: plan|apply [--json] [--prune] [-t X]… */
static const char **child_head(const CliOpts *o, const char *command) {
    const char **head = xmalloc0((2 * o->n_targets + 8) * sizeof(char *));
    size_t n = 0;
    head[n++] = command;
    if (o->json)
        head[n++] = "--json";
    if (o->prune)
        head[n++] = "--prune";
    for (size_t i = 0; i < o->n_targets; i++) {
        head[n++] = "-t";
        head[n++] = o->targets[i];
    }
    return head;
}

static int all_hosts_exit(const AllRun *run) {
    int worst = 0;
    for (size_t i = 0; i < run->n; i++) {
        int x = run->jobs[i].argv ? host_exit(&run->jobs[i]) : 1;
        worst = worst == 1 || x == 1 ? 1 : worst == 2 || x == 2 ? 2 : 0;
    }
    return worst;
}

int cmd_all_hosts(const CliOpts *o, const char *command) {
    AllHost *hosts;
    size_t n = all_hosts_of(o, &hosts);
    if (n == 0) {
        fprintf(stderr, "virtspec: %s --all-hosts: the tree has no `kind: Host` document (docs/fleet.md)\n", command);
        free(hosts);
        return 1;
    }
    _cleanup_free_ char *self = realpath("/proc/self/exe", NULL);
    _cleanup_free_ const char **head = child_head(o, command);
    AllRun run = { .o = o, .command = command, .hosts = hosts, .n = n,
                   .jobs = xmalloc0((n + 1) * sizeof(HostJob)), .done = xmalloc0((n + 1) * sizeof(bool)) };
    pthread_mutex_init(&run.lock, NULL);
    for (size_t i = 0; i < n; i++) {
        if (!hosts[i].uri && !hosts[i].local)
            continue;
        if (!hosts[i].local) {   /* the local Host's kernel is this machine's */
            hosts[i].agentless_env = xasprintf("VIRTSPEC_AGENTLESS=%s", hosts[i].name);
            hosts[i].env[0] = hosts[i].agentless_env;
            run.jobs[i].env = hosts[i].env;
        }
        run.jobs[i].argv = host_job_argv(o, self ? self : (char *) "virtspec", head, hosts[i].name,
                                         hosts[i].uri, 0);
    }
    /* a plan is bounded like fleet status's; an apply may wait for shutdowns: unbounded unless
     * VIRTSPEC_FLEET_TIMEOUT says */
    run.timeout = host_jobs_timeout(streq(command, "plan") ? HOST_JOBS_TIMEOUT : 0);
    host_jobs_run(run.jobs, n, run.timeout, o->json ? NULL : host_done, &run);
    if (o->json)
        print_json(&run);
    else {
        host_done(0, &run);   /* the hosts without uri after the last one run (none ran: all) */
        print_summary(&run);
    }
    int r = all_hosts_exit(&run);
    host_jobs_clear(run.jobs, n);
    free(run.jobs);
    free(run.done);
    pthread_mutex_destroy(&run.lock);
    all_hosts_free(hosts, n);
    return r;
}
