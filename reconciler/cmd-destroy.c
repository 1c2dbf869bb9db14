/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "cli.h"
#include "engine-network.h"
#include "engine-pool.h"
#include "prune.h"
#include "status-json.h"
#include "term.h"
#include "virt-conn.h"

/* virtspec destroy: removes what a tree (or -t) declares and virtspec owns — domains first (the
 * prune's rules: graceful shutdown, undefine, volumes kept unless the domain said
 * delete_volumes_on_removal), then networks, then pools (directory and volumes kept). Without
 * --yes it only says what it would do (docs/destroy.md). The volumes domains recorded for
 * deletion go once every domain is undefined, each once: two domains may record the same one. */

typedef struct Destroy {
    SpecSet set;
    Selection sel;
    Engine engine;
    ObjectResult *results;      /* the selected specs: domains, then networks, then pools */
    size_t n;
    const Spec **order;         /* the selected specs, in destroy order */
    size_t next;                /* the next domain a worker takes (atomic) */
    size_t n_domains;
    VolumeRefs *volumes;        /* per domain: its recorded volumes, deleted after all domains */
    bool *done;                 /* results[i] complete: printed in order as soon as it can be */
    size_t printed;
    bool print;
    pthread_mutex_t print_lock;
} Destroy;

static void destroy_clear(Destroy *d) {
    for (size_t i = 0; i < d->n; i++)
        object_result_clear(&d->results[i]);
    free(d->results);
    for (size_t i = 0; d->volumes && i < d->n_domains; i++)
        volume_refs_clear(&d->volumes[i]);
    free(d->volumes);
    free(d->done);
    selection_clear(&d->sel);
    engine_close(&d->engine);
    spec_set_clear(&d->set);
}

static bool destroys(const ObjectResult *r) {
    for (size_t i = 0; i < r->n_actions; i++)
        if (r->actions[i].op == ACTION_DESTROY)
            return true;
    return false;
}

/* A domain stays defined unless this run destroys it (plan: would destroy it). */
static bool domain_stays(const char *name, void *userdata) {
    const Destroy *d = userdata;
    for (size_t i = 0; i < d->n_domains; i++) {   /* all done before any network or pool */
        const ObjectResult *r = &d->results[i];
        if (r->kind == KIND_DOMAIN && streq(r->name, name))
            return !destroys(r) || r->error || (d->engine.apply && !r->mutated);
    }
    return true;
}

/* The actions of a volume deletion (volume_once) into r: each deletion as it is, the others
 * (kept, waiting) as warnings. */
static void add_volume_actions(ObjectResult *r, const ObjectResult *from) {
    for (size_t i = 0; i < from->n_actions; i++)
        if (from->actions[i].op == ACTION_VOLUME_DELETE)
            action_add_copy(r, &from->actions[i]);
        else {
            _cleanup_free_ char *line = action_format(&from->actions[i]);
            action_add(r, ACTION_WARN, NULL, "%s", line);
        }
}

static void destroy_domain(Destroy *d, const Spec *s, ObjectResult *r) {
    unsigned timeout = (unsigned) value_int(&s->domain.shutdown_timeout);
    _cleanup_(prune_result_clear) PruneResult p = { .defer_volumes = true };
    int k = engine_prune_domain(&d->engine, s->name, timeout, &p);
    if (!p.owned) {
        _cleanup_(virDomainFreep) virDomainPtr dom = virDomainLookupByName(d->engine.conn, s->name);
        if (dom && !p.gone)   /* its definition could not be read: whose it is is not known */
            fail(r, "%s: left alone", p.error ? p.error : "reading its definition failed");
        else if (dom) {
            r->state = SYNC_FOREIGN_CONFLICT;
            r->error = xstrdup("a domain of this name exists that virtspec does not own: left alone");
        } else if (virt_error_errno() != -ENOENT)
            fail(r, "looking up domain: %s", virt_error_message());
        return;
    }
    r->state = SYNC_DRIFTED;
    if (p.running)
        action_add(r, ACTION_DESTROY, NULL, "ACPI shutdown, forced after %u s; %s", timeout,
                   prune_volumes_said(p.deletes));
    else
        action_add(r, ACTION_DESTROY, NULL, "%s", prune_volumes_said(p.deletes));
    for (size_t i = 0; i < p.result.n_actions; i++)
        if (p.result.actions[i].op == ACTION_VOLUME_DELETE)
            action_add_copy(r, &p.result.actions[i]);
    for (size_t i = 0; i < p.n_warnings; i++)
        action_add(r, ACTION_WARN, NULL, "%s", p.warnings[i]);
    if (p.error)
        fail(r, "%s", p.error);
    else if (k == 0 && d->engine.apply && p.gone)
        r->mutated = true;
    d->volumes[r - d->results] = p.volumes;   /* deleted once all domains are gone */
    p.volumes = (VolumeRefs) {};
}

static void destroy_one(Destroy *d, const Spec *s, ObjectResult *r) {
    *r = (ObjectResult) { .kind = s->kind, .name = xstrdup(s->name), .file = xstrdup(s->file),
                          .line = s->line, .id = -1, .state = SYNC_MISSING };
    if (s->kind == KIND_DOMAIN)
        destroy_domain(d, s, r);
    else if (s->kind == KIND_NETWORK)
        engine_destroy_network(&d->engine, s->name, domain_stays, d, r);
    else
        engine_destroy_pool(&d->engine, s->name, domain_stays, d, r);
    if (!r->error && !destroys(r))
        action_add(r, ACTION_NOTE, NULL, "not defined: nothing to destroy");
    else if (r->mutated) {
        action_add(r, ACTION_NOTE, NULL, "destroyed");
        r->state = SYNC_MISSING;
    }
}

static void print_result(const ObjectResult *r) {
    printf("%s %s (%s:%u)\n", spec_kind_to_string(r->kind), r->name, r->file, r->line);
    for (size_t i = 0; i < r->n_actions; i++) {
        _cleanup_free_ char *line = action_format(&r->actions[i]);
        printf("  %s\n", line);
    }
    if (r->error)
        printf("  %s %s: %s\n", term_glyph(GLYPH_FAIL), sync_state_to_string(r->state), r->error);
}

static void print_json(const Destroy *d, bool applied) {
    StatusDoc *doc = status_doc_new("one-shot");
    time_t now = time(NULL);
    size_t todo = 0, failed = 0;
    status_doc_set_command(doc, "destroy");
    for (size_t i = 0; i < d->n; i++) {
        const ObjectResult *r = &d->results[i];
        todo += destroys(r) && !r->error;
        failed += r->error != NULL;
        status_doc_add(doc, r, &(StatusExtra) {
            .last_action = applied && r->mutated ? "destroyed" : NULL,
            .last_action_time = applied && r->mutated ? now : 0, .last_pass_time = now,
            .failures = r->error ? 1 : 0 });
    }
    status_doc_add_diags(doc, &d->set.diags);
    _cleanup_free_ char *summary = xasprintf("%zu object%s: %zu %s, %zu failed or left alone",
                                             d->n, d->n == 1 ? "" : "s", todo,
                                             applied ? "destroyed" : "to destroy", failed);
    status_doc_set_counts(doc, summary);
    _cleanup_free_ char *text = status_doc_to_string(doc);
    fputs(text, stdout);
    status_doc_free(doc);
}

/* results[i] is complete: prints it and every complete one after it that waited for it. */
static void finished(Destroy *d, size_t i) {
    pthread_mutex_lock(&d->print_lock);
    d->done[i] = true;
    for (; d->done[d->printed]; d->printed++)
        if (d->print)
            print_result(&d->results[d->printed]);
    fflush(stdout);
    pthread_mutex_unlock(&d->print_lock);
}

static void *domain_worker(void *arg) {
    Destroy *d = arg;
    for (;;) {
        size_t i = __atomic_fetch_add(&d->next, 1, __ATOMIC_SEQ_CST);
        if (i >= d->n_domains)
            return NULL;
        destroy_one(d, d->order[i], &d->results[i]);
        if (d->volumes[i].n == 0)
            finished(d, i);   /* else once its volumes are deleted (destroy_volumes) */
    }
}

/* One volume the domains from..n_domains-1 recorded: deleted for the first of them the checks
 * allow (a volume virtspec created names the domain it was created for), its outcome reported
 * once, on that domain (or on the first, when none may delete it). Every later record of it is
 * marked done. */
static void volume_once(Destroy *d, size_t from, const VolumeRef *v) {
    _cleanup_(object_result_clear) ObjectResult first = {};
    for (size_t i = from; i < d->n_domains; i++) {
        if (!volume_refs_has(&d->volumes[i], v->pool, v->name))
            continue;
        for (size_t j = 0; j < d->volumes[i].n; j++)
            if (streq(d->volumes[i].items[j].pool, v->pool) && streq(d->volumes[i].items[j].name, v->name))
                d->volumes[i].items[j].done = true;
        VolumeRef ref = { .pool = v->pool, .name = v->name };
        VolumeRefs one = { .delete_on_removal = true, .items = &ref, .n = 1 };
        _cleanup_(object_result_clear) ObjectResult r = {};
        engine_delete_volumes(&d->engine, d->results[i].name, NULL, true, &one, &r);
        bool settled = r.error || (ref.done && r.n_actions == 0);   /* an error, or gone */
        for (size_t k = 0; k < r.n_actions; k++)
            settled = settled || r.actions[k].op == ACTION_VOLUME_DELETE;
        if (settled) {
            add_volume_actions(&d->results[i], &r);
            if (r.error)
                fail(&d->results[i], "%s", r.error);
            return;
        }
        if (i == from) {
            first = r;
            r = (ObjectResult) {};
        }
    }
    add_volume_actions(&d->results[from], &first);   /* kept or waiting for every one of them */
}

/* After every domain: the volumes they recorded, each once, then their results. */
static void destroy_volumes(Destroy *d) {
    for (size_t i = 0; i < d->n_domains; i++) {
        for (size_t j = 0; j < d->volumes[i].n; j++) {
            VolumeRef v = d->volumes[i].items[j];
            if (!v.done)
                volume_once(d, i, &v);
        }
        if (d->volumes[i].n > 0)
            finished(d, i);
    }
}

/* The domains by up to DESTROY_JOBS threads (libvirt's client is thread-safe): each one's
 * shutdown waits up to its shutdown_timeout for the guest, and the waits overlap instead of
 * adding up (bench/peers: 20 domains that ignore ACPI took 20 × the timeout one by one). */
#define DESTROY_JOBS 8

static void destroy_domains(Destroy *d) {
    pthread_t th[DESTROY_JOBS];
    size_t n_th = 0, want = d->n_domains < DESTROY_JOBS ? d->n_domains : DESTROY_JOBS;
    /* a thread that cannot be made (EAGAIN: a process limit) is one worker fewer; with none,
     * this thread does them all, one by one */
    while (n_th < want && pthread_create(&th[n_th], NULL, domain_worker, d) == 0)
        n_th++;
    if (n_th == 0)
        domain_worker(d);
    for (size_t t = 0; t < n_th; t++)
        pthread_join(th[t], NULL);
}

/* Domains, then networks, then pools: what uses an object goes before it. */
static const SpecKind destroy_order[] = { KIND_DOMAIN, KIND_NETWORK, KIND_POOL };

int cmd_destroy(const CliOpts *o) {
    _cleanup_(destroy_clear) Destroy d = { .print_lock = PTHREAD_MUTEX_INITIALIZER };
    size_t errors = cli_load_tree(o, &d.set, &d.sel), n = 0;
    /* the selected specs, in destroy order (a target is used once a spec matches it) */
    _cleanup_free_ const Spec **order = xmalloc0((d.set.n + 1) * sizeof(Spec *));
    for (size_t k = 0; k < ELEMENTSOF(destroy_order); k++)
        for (size_t i = 0; i < d.set.n; i++)
            if (d.set.specs[i]->kind == destroy_order[k] && selection_has_spec(&d.sel, d.set.specs[i]))
                order[n++] = d.set.specs[i];
    errors += selection_report_unused(&d.sel);
    if (errors > 0 && o->yes) {
        fprintf(stderr, "virtspec: not destroying anything: the tree has errors (see above)\n");
        return 1;
    }
    if (engine_open(&d.engine, o->connect, o->yes) < 0) {
        fprintf(stderr, "virtspec: cannot connect to %s: %s\n", virt_default_uri(o->connect),
                virt_error_message());
        return 1;
    }
    d.results = xmalloc0((n + 1) * sizeof(ObjectResult));
    d.done = xmalloc0((n + 1) * sizeof(bool));
    d.order = order;
    d.print = !o->json;
    while (d.n_domains < n && order[d.n_domains]->kind == KIND_DOMAIN)
        d.n_domains++;
    d.n = n;
    d.volumes = xmalloc0((d.n_domains + 1) * sizeof(VolumeRefs));
    destroy_domains(&d);
    destroy_volumes(&d);
    for (size_t i = d.n_domains; i < n; i++) {
        destroy_one(&d, order[i], &d.results[i]);
        finished(&d, i);
    }
    bool todo = false, failed = errors > 0;
    for (size_t i = 0; i < d.n; i++) {
        todo = todo || destroys(&d.results[i]);
        failed = failed || d.results[i].error;
    }
    if (o->json)
        print_json(&d, o->yes);
    else if (o->yes)
        printf("%zu object%s, %u libvirt change%s\n", d.n, d.n == 1 ? "" : "s", virt_mutations,
               virt_mutations == 1 ? "" : "s");
    else if (todo)
        printf("Run again with --yes to do it.\n");
    if (failed)
        return 1;
    return todo && !o->yes ? 2 : 0;
}
