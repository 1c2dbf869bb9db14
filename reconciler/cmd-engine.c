/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <json-c/json.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "paths.h"
#include "session-check.h"
#include "cli.h"
#include "config.h"
#include "engine.h"
#include "fleet-peers.h"
#include "image-cache.h"
#include "progress.h"
#include "provenance.h"
#include "prune.h"
#include "status-daemon.h"
#include "status-json.h"
#include "status-table.h"
#include "term.h"
#include "virt-conn.h"

/* Whether the result deletes (or will delete) a volume: then a removed disk does not keep it. */
static bool deletes_volumes(const ObjectResult *r) {
    for (size_t i = 0; i < r->n_actions; i++)
        if (action_deletes_volume(&r->actions[i]))
            return true;
    return false;
}

static void print_change(const ObjectResult *r, const Spec *s, const Change *c) {
    const char *cls = c->note ? c->note : change_class_to_string(c->cls);
    /* a value a template gave: which one, and its line (docs/templates.md) */
    _cleanup_free_ char *origin = provenance_of_change(s, c);
    _cleanup_free_ char *from = origin ? xasprintf(" %s %s", term_glyph(GLYPH_FROM), origin) : NULL;
    switch (c->op) {
    case OP_SET:
        if (c->secret)
            printf("  ~ %s: (secret changed) (%s)%s\n", c->path, cls, from ? from : "");
        else
            printf("  ~ %s: %s %s %s (%s)%s\n", c->path, c->old_value ? c->old_value : "(unset)",
                   term_glyph(GLYPH_ARROW), c->new_value ? c->new_value : "(unset)", cls,
                   from ? from : "");
        break;
    case OP_ADD:
        printf("  + %s (%s)%s\n", c->path, cls, from ? from : "");
        break;
    case OP_REMOVE:
        if (c->list && streq(c->list->key, "disks") && deletes_volumes(r))
            printf("  - %s (%s; delete_volumes_on_removal: see below)\n", c->path, cls);
        else if (c->list && streq(c->list->key, "disks"))
            printf("  - %s (%s; the volume is kept)\n", c->path, cls);
        else
            printf("  - %s (%s)\n", c->path, cls);
        break;
    case OP_UNMANAGED:
        printf("  ? %s: not in the spec, left alone\n", c->path);
        break;
    }
}

static bool result_has_changes(const ObjectResult *r) {
    return diff_count_effective(&r->diff) > 0 || r->n_actions > 0;
}

static void print_result(const SpecIndex *index, const ObjectResult *r, bool applied) {
    printf("%s %s (%s:%u)\n", spec_kind_to_string(r->kind), r->name, r->file, r->line);
    const Spec *s = spec_index_find(index, r->kind, r->name);
    for (size_t i = 0; i < r->diff.n; i++)
        print_change(r, s, &r->diff.items[i]);
    for (size_t i = 0; i < r->n_actions; i++) {
        _cleanup_free_ char *line = action_format(&r->actions[i]);
        printf("  %s\n", line);
    }
    if (r->n_pending > 0) {
        printf("  ! reload pending:");
        for (size_t i = 0; i < r->n_pending; i++)
            printf("%s %s", i ? "," : "", r->pending[i]);
        if (r->kind == KIND_NETWORK)
            printf(" (takes effect when the network restarts; reload: auto restarts it and plugs "
                   "its running guests back in)\n");
        else if (r->kind == KIND_POOL)
            /* apply redefines the pool only: libvirt sets the directory's owner, group and mode
             * when it builds the pool, and a plain restart's refresh writes the directory's
             * values back into the definition (libvirt 9.0, tried under the harness) */
            printf(" (the pool is redefined; the directory changes when libvirt builds it, not on a "
                   "restart: virsh pool-destroy %s, virsh pool-build %s, virsh pool-start %s)\n",
                   r->name, r->name, r->name);
        else
            printf(" (takes effect at next boot, or run: virtspec reload %s)\n", r->name);
    }
    if (r->error)
        printf("  %s %s: %s\n", term_glyph(GLYPH_FAIL), sync_state_to_string(r->state), r->error);
    else if (!result_has_changes(r) && r->n_pending == 0)
        printf("  = in sync\n");
    else if (applied && r->state == SYNC_IN_SYNC && !r->mutated)
        printf("  = in sync\n");
}

/* Pools first, then networks, then domains: what a domain needs exists before it. */
static int kind_rank(SpecKind k) {
    return k == KIND_POOL ? 0 : k == KIND_NETWORK ? 1 : 2;
}

/* The selected specs, in that order; *ret_n of them. */
static size_t *apply_order(const SpecSet *set, Selection *sel, bool deps, size_t *ret_n) {
    size_t *o = xmalloc0((set->n + 1) * sizeof(size_t)), n = 0;
    bool *in = xmalloc0((set->n + 1) * sizeof(bool));
    for (size_t i = 0; i < set->n; i++)
        in[i] = selection_has_spec(sel, set->specs[i]);
    /* a selected domain's interfaces with ip: need their network's DHCP reservation (derived
     * into the network's spec) and, for a derived network, the network itself */
    for (size_t i = 0; deps && sel->active && i < set->n; i++) {
        const Spec *d = set->specs[i];
        const IfaceSpec *ifs = d->kind == KIND_DOMAIN ? d->domain.interfaces.items : NULL;
        for (size_t k = 0; in[i] && ifs && k < d->domain.interfaces.n; k++)
            for (size_t j = 0; ifs[k].ip.set && ifs[k].network.set && j < set->n; j++)
                if (set->specs[j]->kind == KIND_NETWORK && streq(set->specs[j]->name, ifs[k].network.s))
                    in[j] = true;
    }
    for (int rank = 0; rank < 3; rank++)
        for (size_t i = 0; i < set->n; i++)
            if (in[i] && kind_rank(set->specs[i]->kind) == rank)
                o[n++] = i;
    free(in);
    *ret_n = n;
    return o;
}

/* An owned domain no spec in the tree names: status says orphaned, plan shows it (and what
 * --prune would do), apply --prune prunes it with the daemon's rules (prune.h). */
typedef struct Orphan {
    char *name;
    PruneResult prune;          /* owned, running, deletes; after apply --prune: the outcome */
    bool pruned;
} Orphan;

#define ORPHAN_SHUTDOWN_TIMEOUT 60   /* no spec says shutdown_timeout: the daemon's default */

typedef struct Run {
    SpecSet set;
    SpecIndex index;            /* of set, once it is final (run_engine) */
    Engine engine;
    ObjectResult *results;
    size_t n;
    size_t spec_errors;
    size_t n_moved;             /* defined here, placed on another host (cli_tree_share) */
    Selection sel;              /* what is reconciled and shown; the set is the whole tree */
    bool exact;                 /* status: the selected objects only (plan, apply: with the
                                 * networks their ip: reservations live in) */
    Orphan *orphans;
    size_t n_orphans;
    char *prune_refused;        /* --prune, but why nothing is pruned (prune_refusal) */
    char **cache_said;          /* --prune: the image cache's pruning (image-cache.h), or NULL */
    /* apply's text output: each object's result is printed as soon as it and those before it
     * (apply order) are done, so long work shows as it goes, in a stable order */
    bool stream;
    pthread_mutex_t print_lock;
    bool *done;                 /* results[i] is complete */
    size_t printed;             /* results[0..printed) are on stdout */
} Run;

static void run_clear(Run *r) {
    for (size_t i = 0; i < r->n; i++)
        object_result_clear(&r->results[i]);
    free(r->results);
    for (size_t i = 0; i < r->n_orphans; i++) {
        free(r->orphans[i].name);
        prune_result_clear(&r->orphans[i].prune);
    }
    free(r->orphans);
    free(r->prune_refused);
    image_cache_names_free(r->cache_said);
    free(r->done);
    selection_clear(&r->sel);
    fleet_peers_free(r->engine.peers);
    domain_index_free(&r->engine);
    engine_close(&r->engine);
    spec_index_clear(&r->index);
    spec_set_clear(&r->set);
}

/* The CLI's own pool: RUN_JOBS threads per kind, taking the next object by an atomic index,
 * joined before the next kind starts. Weighed against libuv's threadpool (uv_queue_work, issue
 * 18) and kept: that pool is also 4 threads (UV_THREADPOOL_SIZE, read once per process, shared
 * with every uv fs request), so it cannot be faster; it would need a uv loop the CLI does not
 * otherwise have, a uv_work_t per object and one uv_run per kind for the same barrier, and its
 * after-work callbacks on the loop thread would serialise the streamed results anyway. The
 * figure (bench/run --quick --starts 20, scenario 3b, cold apply of 20 domains defined and
 * started against the private libvirtd, 2026-12-06, 41 % other load on the 2 CPUs): 12.74 s
 * median [9.53–15.95] against 27.33 s for the sequential floor (0.47×); a pool of the same 4
 * threads can at best match it. */
#define RUN_JOBS 4

/* results[i] is complete: prints it and every complete one after it that waited for it, each
 * object's lines together, flushed (a pipe, the journal) at once. */
static void stream_results(Run *run, size_t i) {
    pthread_mutex_lock(&run->print_lock);
    run->done[i] = true;
    for (; run->printed < run->n && run->done[run->printed]; run->printed++) {
        progress_output_begin();   /* an upload's progress line cleared first (a TTY) */
        print_result(&run->index, &run->results[run->printed], true);
        progress_output_end();
    }
    pthread_mutex_unlock(&run->print_lock);
}

typedef struct Batch {
    Run *run;
    Engine engine;
    ObjectResult *results;      /* results[i] for the spec order[i] */
    bool stream;
    const size_t *order;
    size_t next, end;   /* next: taken atomically */
} Batch;

static void *batch_worker(void *arg) {
    Batch *b = arg;
    for (;;) {
        size_t i = __atomic_fetch_add(&b->next, 1, __ATOMIC_SEQ_CST);
        if (i >= b->end)
            return NULL;
        Engine e = b->engine;
        engine_reconcile(&e, b->run->set.specs[b->order[i]], &b->results[i]);
        if (b->stream)
            stream_results(b->run, i);
    }
}

/* Reconciles the specs order[0..n) into results with e: each kind's objects by up to RUN_JOBS
 * threads (libvirt's client is thread-safe); pools finish before networks, networks before
 * domains. */
static void reconcile_all(Run *run, Engine e, const size_t *order, size_t n, ObjectResult *results,
                          bool stream) {
    size_t start = 0;
    while (start < n) {
        int rank = kind_rank(run->set.specs[order[start]]->kind);
        size_t end = start;
        while (end < n && kind_rank(run->set.specs[order[end]]->kind) == rank)
            end++;
        Batch b = { .run = run, .engine = e, .results = results, .stream = stream, .order = order,
                    .next = start, .end = end };
        pthread_t th[RUN_JOBS];
        size_t want = end - start < RUN_JOBS ? end - start : RUN_JOBS, n_th = 0;
        while (n_th < want && pthread_create(&th[n_th], NULL, batch_worker, &b) == 0)
            n_th++;
        if (n_th == 0)
            batch_worker(&b);   /* no thread to be had (a limit): the batch here, one by one */
        for (size_t t = 0; t < n_th; t++)
            pthread_join(th[t], NULL);
        start = end;
    }
}

/* apply: the objects a template edit restarts (reload: auto) are listed before anything is done
 * (docs/templates.md): the specs built with templates are planned first, and their blast
 * radius printed as plan computes it. Nothing when none restarts. */
static void announce_template_restarts(Run *run, const size_t *order, size_t n) {
    _cleanup_free_ size_t *tmpl = xmalloc0((n + 1) * sizeof(size_t));
    size_t n_tmpl = 0;
    for (size_t i = 0; i < n; i++)
        if (run->set.specs[order[i]]->n_template_files > 0)
            tmpl[n_tmpl++] = order[i];
    if (n_tmpl == 0)
        return;
    ObjectResult *pre = xmalloc0((n_tmpl + 1) * sizeof(ObjectResult));
    Engine e = run->engine;
    e.apply = false;   /* a plan: nothing is changed, no restart waited for */
    reconcile_all(run, e, tmpl, n_tmpl, pre, false);
    _cleanup_(blast_radius_clear) BlastRadius b = {};
    blast_radius_compute(&b, &run->index, pre, n_tmpl);
    for (size_t x = 0; x < b.n; x++) {
        _cleanup_free_ char *line = blast_radius_restart_line(&b.items[x]);
        if (line)
            printf("%s\n", line);
    }
    fflush(stdout);
    for (size_t i = 0; i < n_tmpl; i++)
        object_result_clear(&pre[i]);
    free(pre);
}

/* Connecting and listing the domains wait on libvirtd; reading the specs is our CPU: the two run
 * side by side. A plan then reads definitions ahead (two RPCs in flight) until the specs are in. */
typedef struct Connect {
    Run *run;
    const CliOpts *o;
    bool apply;
    bool specs_loaded;   /* atomic: stops the read-ahead */
    int r, index_r;
    char *error;
} Connect;

static void *read_ahead_worker(void *arg) {
    Connect *c = arg;
    domain_index_read_ahead(&c->run->engine, &c->specs_loaded);
    return NULL;
}

static void *connect_worker(void *arg) {
    Connect *c = arg;
    c->r = engine_open(&c->run->engine, c->o->connect, c->apply);
    c->run->engine.wait_reload = c->apply;
    if (c->r < 0) {
        c->error = xstrdup(virt_error_message());
        return NULL;
    }
    c->index_r = domain_index_build(&c->run->engine, &c->error);
    if (c->index_r < 0)
        return NULL;
    if (!c->apply) {
        pthread_t second;
        bool two = pthread_create(&second, NULL, read_ahead_worker, c) == 0;
        read_ahead_worker(c);
        if (two)
            pthread_join(second, NULL);
    }
    return NULL;
}

static bool named_by_spec(const char *name, void *userdata) {
    const Run *run = userdata;
    /* a spec a check across files rejected is not gone: never an orphan, never pruned */
    return spec_index_find(&run->index, KIND_DOMAIN, name) ||
           spec_set_is_held(&run->set, KIND_DOMAIN, name);
}

/* --prune prunes only against the whole configured spec tree, read without a rejected file or a
 * walk error: a domain a file not read (or rejected) declares would look orphaned. NULL: pruning
 * may go ahead; else why not. */
static char *prune_refusal(const CliOpts *o, const Run *run) {
    const char *tree = o->specs_dir ? o->specs_dir : paths_default()->spec_dir;
    size_t bad = run->set.n_bad_files;
    if (run->sel.other_paths || !run->sel.tree_read)
        return xasprintf("--prune prunes against the whole spec tree %s only: give no PATH (or "
                         "that directory), and -t NAME to select among its orphans", tree);
    if (run->set.incomplete)
        return xasprintf("the spec tree %s was not read completely (see the errors above), and a "
                         "domain the rest declares would look orphaned", tree);
    if (bad > 0)
        return xasprintf("%zu spec file%s rejected, and a domain such a file declares would look "
                         "orphaned", bad, bad == 1 ? "" : "s");
    return NULL;
}

/* Owned domains the tree does not name: only when the whole configured tree was read (a lone
 * file, another directory or a partly read tree does not say what is gone). apply --prune prunes
 * them unless prune_refusal says why not. */
static void find_orphans(const CliOpts *o, Run *run, bool apply) {
    _cleanup_free_ char **names = NULL;
    size_t n = 0;
    if (o->prune) {
        run->prune_refused = prune_refusal(o, run);
        if (run->prune_refused)
            fprintf(stderr, "virtspec: not pruning: %s\n", run->prune_refused);
    }
    if (!run->sel.tree_read || run->set.incomplete)
        return;
    if (engine_list_owned_domains(&run->engine, named_by_spec, run, &names, &n) < 0) {
        fprintf(stderr, "virtspec: cannot list domains: %s\n", virt_error_message());
        return;
    }
    Engine e = run->engine;
    e.apply = apply && o->prune && !run->prune_refused;
    run->orphans = xmalloc0((n + 1) * sizeof(Orphan));
    for (size_t i = 0; i < n; i++) {
        if (!selection_has_orphan(&run->sel, names[i])) {
            free(names[i]);
            continue;
        }
        Orphan *x = &run->orphans[run->n_orphans++];
        x->name = names[i];
        x->pruned = engine_prune_domain(&e, x->name, ORPHAN_SHUTDOWN_TIMEOUT, &x->prune) == 0 &&
                    e.apply && x->prune.owned;
    }
}

/* What plan and apply say about an orphan, one action each (also its JSON actions); r is the
 * orphan's result (kind and name set). */
static void orphan_actions(const Run *run, const Orphan *x, const CliOpts *o, bool applied, ObjectResult *r) {
    const PruneResult *p = &x->prune;
    if (!o->prune)
        action_add(r, ACTION_ORPHAN, x->name, "spec removed; --prune would %sundefine it, %s",
                   p->running ? "shut it down and " : "", prune_volumes_said(p->deletes));
    else if (run->prune_refused)
        action_add(r, ACTION_WARN, NULL, "not pruned: %s", run->prune_refused);
    else {
        /* the engine's decisions: stop (if running), prune */
        for (size_t i = 0; i < p->result.n_actions; i++)
            if (p->result.actions[i].op == ACTION_STOP || p->result.actions[i].op == ACTION_PRUNE)
                action_add_copy(r, &p->result.actions[i]);
        for (size_t i = 0; i < p->n_warnings; i++)
            action_add(r, ACTION_WARN, NULL, "%s", p->warnings[i]);
        if (applied && x->pruned)
            action_add(r, ACTION_NOTE, NULL, "pruned");
    }
}

static void print_orphan(const Run *run, const Orphan *x, const CliOpts *o, bool applied) {
    ObjectResult r = { .kind = KIND_DOMAIN, .name = x->name };
    orphan_actions(run, x, o, applied, &r);
    printf("Domain %s (owned by virtspec, no spec names it)\n", x->name);
    for (size_t i = 0; i < r.n_actions; i++) {
        _cleanup_free_ char *line = action_format(&r.actions[i]);
        printf("  %s\n", line);
    }
    if (x->prune.error)   /* without --prune: its definition could not be read */
        printf("  %s %s%s\n", term_glyph(GLYPH_FAIL), o->prune ? "prune failed: " : "", x->prune.error);
    actions_free(r.actions, r.n_actions);
}

/* The first error of a spec's file: it failed to load (status: spec_error). */
static const char *spec_error_of(const DiagList *diags, const char *file) {
    for (size_t k = 0; file && k < diags->n; k++)
        if (diags->items[k].level == DIAG_ERROR && streq(diags->items[k].file, file))
            return diags->items[k].message;
    return NULL;
}

/* plan --json, apply --json, status --json: one schema (status-json.h, docs/json.md). */
static StatusDoc *run_doc(const CliOpts *o, const Run *run, const char *command, bool applied,
                          const BlastRadius *blast) {
    StatusDoc *doc = status_doc_new("one-shot");
    time_t now = time(NULL);
    unsigned counts[_SYNC_MAX] = {};
    status_doc_set_command(doc, command);
    for (size_t i = 0; i < run->n; i++) {
        const ObjectResult *r = &run->results[i];
        bool acted = applied && (r->mutated || r->n_actions > 0);
        _cleanup_free_ char *last = acted && r->n_actions > 0 ? action_format(&r->actions[r->n_actions - 1]) : NULL;
        StatusExtra x = {
            .spec_error = spec_error_of(&run->set.diags, r->file),
            .last_action = acted ? (last ? last : "updated") : NULL,
            .last_action_time = acted ? now : 0,
            .last_pass_time = now,
            .failures = r->error ? 1 : 0,
        };
        status_doc_add(doc, r, &x);
        counts[r->state]++;
    }
    for (size_t i = 0; i < run->n_orphans; i++) {
        const Orphan *x = &run->orphans[i];
        ObjectResult r = { .kind = KIND_DOMAIN, .name = x->name, .state = SYNC_IN_SYNC, .id = -1,
                           .error = x->prune.error };
        orphan_actions(run, x, o, applied, &r);
        status_doc_add(doc, &r, &(StatusExtra) {
            .orphan = true, .last_pass_time = now, .failures = x->prune.error ? 1 : 0,
            .last_action = x->pruned ? "pruned" : NULL, .last_action_time = x->pruned ? now : 0 });
        actions_free(r.actions, r.n_actions);
    }
    status_doc_add_diags(doc, &run->set.diags);
    _cleanup_free_ char *summary = xasprintf(
        "%zu object%s: %u in sync, %u drifted, %u missing, %u reload-pending, %u failed, "
        "%u foreign-conflict, %zu orphaned, %zu invalid spec file%s",
        run->n + run->n_orphans, run->n + run->n_orphans == 1 ? "" : "s", counts[SYNC_IN_SYNC],
        counts[SYNC_DRIFTED], counts[SYNC_MISSING], counts[SYNC_RELOAD_PENDING], counts[SYNC_FAILED],
        counts[SYNC_FOREIGN_CONFLICT], run->n_orphans, run->set.n_bad_files,
        run->set.n_bad_files == 1 ? "" : "s");
    if (run->n_moved > 0) {   /* only in a host's share: the summaries of one host stay as they were */
        char *with = xasprintf("%s, %zu placed on another host", summary, run->n_moved);
        free(summary);
        summary = with;
    }
    status_doc_set_counts(doc, summary);
    if (o->host)
        status_doc_set_placed_elsewhere(doc, run->n_moved);
    if (blast)
        status_doc_add_blast_radius(doc, blast);
    return doc;
}

static void print_json(const CliOpts *o, const Run *run, const char *command, bool applied,
                       const BlastRadius *blast) {
    StatusDoc *doc = run_doc(o, run, command, applied, blast);
    _cleanup_free_ char *text = status_doc_to_string(doc);
    fputs(text, stdout);
    status_doc_free(doc);
}

static bool skip_none(const char *name, void *userdata) {
    (void) name, (void) userdata;
    return false;
}

/* The share of o->host with the domains owned here as sticky input (docs/fleet.md): a domain
 * defined here stays here while this host can take it; one placed elsewhere is warned about. */
static size_t share_observed(const CliOpts *o, Run *run, bool connected) {
    _cleanup_free_ char **names = NULL;
    size_t n = 0;
    if (o->host && connected && engine_list_owned_domains(&run->engine, skip_none, NULL, &names, &n) < 0)
        fprintf(stderr, "virtspec: cannot list domains: %s\n", virt_error_message());
    PlaceObserved *obs = xmalloc0((n + 1) * sizeof(PlaceObserved));
    for (size_t i = 0; i < n; i++)
        obs[i] = (PlaceObserved) { .kind = KIND_DOMAIN, .name = names[i], .host = o->host };
    size_t errors = cli_tree_share(o, &run->set, obs, n, &run->n_moved);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(obs);
    return errors;
}

static int run_engine(const CliOpts *o, Run *run, bool apply) {
    Connect c = { .run = run, .o = o, .apply = apply };
    pthread_t connector;
    bool overlap = pthread_create(&connector, NULL, connect_worker, &c) == 0;
    run->spec_errors = cli_read_tree(o, &run->set, &run->sel);
    __atomic_store_n(&c.specs_loaded, true, __ATOMIC_RELEASE);
    if (overlap)
        pthread_join(connector, NULL);
    else
        connect_worker(&c);   /* no thread (a limit): connect after reading the tree */
    run->spec_errors += share_observed(o, run, c.r >= 0 && c.index_r >= 0);
    if (o->host && run->set.n_hosts > 0 && !streq_ptr(getenv("VIRTSPEC_FLEET_PEERS"), "0")) {
        /* a domain of this share not defined here may be on another Host: moved here */
        run->engine.host = o->host;
        run->engine.peers = fleet_peers_new(&run->set, o->host);
    }
    _cleanup_free_ char *error = c.error;
    if (c.r < 0) {
        fprintf(stderr, "virtspec: cannot connect to %s: %s\n", virt_default_uri(o->connect),
                strna(error));
        return c.r;
    }
    if (c.index_r < 0) {
        fprintf(stderr, "virtspec: cannot list domains: %s\n", strna(error));
        return -EIO;
    }
    spec_index_build(&run->index, &run->set);   /* the set is final */
    size_t n_selected;
    _cleanup_free_ size_t *order = apply_order(&run->set, &run->sel, !run->exact, &n_selected);
    run->results = xmalloc0((n_selected + 1) * sizeof(ObjectResult));
    run->n = n_selected;   /* filled in as the workers go; stream_results prints what is done */
    run->done = xmalloc0((n_selected + 1) * sizeof(bool));
    run->stream = apply && !o->json;
    pthread_mutex_init(&run->print_lock, NULL);
    if (apply && !o->json)
        announce_template_restarts(run, order, n_selected);
    reconcile_all(run, run->engine, order, n_selected, run->results, run->stream);
    /* what the engine found at a place in a spec (a host path that does not exist), on stderr
     * like the spec errors, in file order */
    DiagList d = {};
    for (size_t i = 0; i < run->n; i++)
        for (size_t k = 0; k < run->results[i].diags.n; k++)
            diag_list_add_copy(&d, &run->results[i].diags.items[k]);
    /* what a session connection cannot do, said before libvirt refuses it at define or start */
    if (session_uri(virt_default_uri(o->connect)))
        for (size_t i = 0; i < n_selected; i++)
            session_check_spec(run->set.specs[order[i]], &d);
    diag_list_sort(&d);
    diag_list_print(&d, stderr);
    diag_list_clear(&d);
    find_orphans(o, run, apply);
    if (o->prune && !run->prune_refused && run->sel.tree_read && !run->set.incomplete) {
        Engine e = run->engine;   /* the image cache: against the whole tree, like the orphans */
        e.apply = apply;
        char **names = NULL;
        size_t n = 0;
        for (size_t i = 0; i < run->set.n; i++)
            image_cache_names_add(&names, &n, run->set.specs[i]);
        int k = image_cache_prune(&e, names, &run->cache_said);
        image_cache_names_free(names);
        if (k < 0)
            fprintf(stderr, "virtspec: cannot prune the image cache: %s\n", image_cache_prune_strerror(k));
    }
    run->spec_errors += selection_report_unused(&run->sel);
    return 0;
}

int cmd_plan(const CliOpts *o) {
    _cleanup_(run_clear) Run run = {};
    bool changes = false, failed = false;

    if (run_engine(o, &run, false) < 0)
        return 1;
    _cleanup_(blast_radius_clear) BlastRadius blast = {};
    blast_radius_compute(&blast, &run.index, run.results, run.n);
    if (!o->json)
        blast_radius_print(stdout, &blast);
    for (size_t i = 0; i < run.n; i++) {
        if (!o->json)
            print_result(&run.index, &run.results[i], false);
        changes = changes || result_has_changes(&run.results[i]);
        failed = failed || run.results[i].error;
    }
    for (size_t i = 0; i < run.n_orphans && !o->json; i++)
        print_orphan(&run, &run.orphans[i], o, false);
    for (char **l = run.cache_said; l && *l && !o->json; l++)
        printf("image cache: %s\n", *l);
    if (o->json)
        print_json(o, &run, "plan", false, &blast);
    changes = changes || run.n_orphans > 0 || run.n_moved > 0;   /* work left (a move: by hand) */
    if (run.n_moved > 0 && !o->json)
        printf("%zu domain%s defined here placed on another host (see the warnings)\n", run.n_moved,
               run.n_moved == 1 ? "" : "s");
    if (run.spec_errors > 0 || failed || run.prune_refused)
        return 1;
    return changes ? 2 : 0;
}

int cmd_apply(const CliOpts *o) {
    _cleanup_(run_clear) Run run = {};
    bool failed = false;

    if (run_engine(o, &run, true) < 0)
        return 1;
    for (size_t i = 0; i < run.n; i++) {
        if (!o->json && i >= run.printed)
            print_result(&run.index, &run.results[i], true);   /* printed as they finished (stream_results) */
        failed = failed || run.results[i].error;
    }
    for (size_t i = 0; i < run.n_orphans; i++) {
        if (!o->json)
            print_orphan(&run, &run.orphans[i], o, true);
        failed = failed || run.orphans[i].prune.error;
    }
    for (char **l = run.cache_said; l && *l && !o->json; l++)
        printf("image cache: %s\n", *l);
    if (o->json) {
        print_json(o, &run, "apply", true, NULL);
        return failed || run.spec_errors > 0 || run.prune_refused ? 1 : 0;
    }
    printf("%zu object%s, %u libvirt change%s", run.n, run.n == 1 ? "" : "s", virt_mutations,
           virt_mutations == 1 ? "" : "s");
    if (run.set.n_bad_files > 0)
        printf(", %zu spec file%s rejected", run.set.n_bad_files, run.set.n_bad_files == 1 ? "" : "s");
    if (run.n_moved > 0)
        printf(", %zu defined here but placed on another host", run.n_moved);
    printf("\n");
    return failed || run.spec_errors > 0 || run.prune_refused ? 1 : 0;
}

int cmd_status(const CliOpts *o) {
    _cleanup_(run_clear) Run run = { .exact = true };
    int code = 0;

    if (status_from_daemon(o, &code) == 0)
        return code;
    if (run_engine(o, &run, false) < 0)
        return 1;
    for (size_t i = 0; i < run.n; i++)
        code = status_exit_worst(code, status_exit_of(sync_state_to_string(run.results[i].state)));
    if (run.n_orphans > 0)
        code = status_exit_worst(code, status_exit_of("orphaned"));
    if (run.set.n_bad_files > 0 || run.spec_errors > 0)
        code = 1;
    if (o->json) {
        print_json(o, &run, "status", false, NULL);
        return code;
    }
    StatusDoc *doc = run_doc(o, &run, "status", false, NULL);
    status_table_print(status_doc_json(doc));
    status_doc_free(doc);
    return code;
}

void cli_load_timeout_specs(const CliOpts *o, SpecSet *set) {
    struct stat st;
    char *p[] = { (char *) (o->specs_dir ? o->specs_dir : paths_default()->spec_dir) };
    if (o->specs_dir || (stat(p[0], &st) == 0 && S_ISDIR(st.st_mode)))
        spec_load_paths(set, p, 1);
}

unsigned cli_shutdown_timeout(const SpecSet *set, const char *name) {
    const Spec *s = spec_set_find(set, KIND_DOMAIN, name);
    return s ? (unsigned) value_int(&s->domain.shutdown_timeout) : 60;
}

void cli_print_stop(const char *name, unsigned timeout_s, bool start) {
    ObjectResult r = { .kind = KIND_DOMAIN, .name = (char *) name };
    action_add(&r, ACTION_STOP, NULL, "ACPI shutdown, forced after %u s", timeout_s);
    if (start)
        action_add(&r, ACTION_START, NULL, NULL);
    _cleanup_free_ char *stop = action_format(&r.actions[0]);
    _cleanup_free_ char *go = start ? action_format(&r.actions[1]) : NULL;
    actions_free(r.actions, r.n_actions);
    printf("Domain %s: %s%s%s\n", name, stop, go ? ", " : "", go ? go : "");
    fflush(stdout);
}

int cmd_reload(const CliOpts *o, char **names, size_t n_names) {
    _cleanup_(spec_set_clear) SpecSet set = {};
    Engine e = {};
    int ret = 0;

    if (n_names == 0) {
        fprintf(stderr, "virtspec: reload: name at least one domain\n");
        return 1;
    }
    cli_load_timeout_specs(o, &set);
    if (engine_open(&e, o->connect, true) < 0) {
        fprintf(stderr, "virtspec: cannot connect to %s: %s\n", virt_default_uri(o->connect),
                virt_error_message());
        return 1;
    }
    for (size_t i = 0; i < n_names; i++) {
        const Spec *s = spec_set_find(&set, KIND_DOMAIN, names[i]);
        unsigned timeout = cli_shutdown_timeout(&set, names[i]);
        _cleanup_free_ char *err = NULL, *snap = NULL;
        /* the restart's two decisions, printed as plan prints them */
        cli_print_stop(names[i], timeout, true);
        _cleanup_free_ char *what = xasprintf("waiting for %s to shut down", names[i]);
        Countdown *cd = countdown_start(what, timeout, term_tty());
        int k = engine_reload_domain(&e, names[i], s ? &s->domain : NULL, timeout, &snap, &err);
        countdown_stop(cd);
        if (snap)
            printf("Domain %s: + snapshot %s\n", names[i], snap);
        if (k < 0) {
            fprintf(stderr, "virtspec: reload %s: %s\n", names[i], err);
            ret = 1;
        }
    }
    engine_close(&e);
    return ret;
}
