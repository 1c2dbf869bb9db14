/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "blast-notice.h"
#include "daemon-share.h"
#include "edit-prefetch.h"
#include "paths.h"
#include "config.h"
#include "engine.h"
#include "fleet-peers.h"
#include "sync.h"
#include "image-cache.h"
#include "image-fetch.h"
#include "log.h"
#include "manager.h"
#include "prune.h"
#include "render.h"
#include "sd-glue.h"
#include "spec-store.h"
#include "status-json.h"
#include "virt-conn.h"
#include "virt-events.h"
#include "watch.h"
#include "xml-util.h"

/* What the summary line counts an object as (summarize). */
typedef enum Tally {
    TALLY_NONE,                 /* no spec: not counted */
    TALLY_SYNC, TALLY_PENDING, TALLY_FAILED, TALLY_DRIFTED, TALLY_OTHER, TALLY_WAITING,
    N_TALLIES,
} Tally;

struct Manager;

typedef struct Object {
    struct Manager *m;
    char *name;
    Spec *spec;                 /* current spec (ref); NULL: the spec is gone (orphan) */
    char *waiting;              /* why a pass cannot start yet ("waiting for pool X (failed: …)") */
    char *last_action;
    StatusPack *status_text;    /* its entry of the status file, NULL once anything in it changed
                                 * (object_touch): a write reformats only those */
    ObjectResult *detail;       /* the last pass's result when it says more than last_state,
                                 * last_id, last_line and last_actions (object_keep_result):
                                 * NULL for most */
    Action *last_actions;       /* …without a detail: what the last pass did (a create) */
    size_t n_last_actions;
    char *gone_file;            /* without a detail: the file where the last pass found the
                                 * spec once the spec is elsewhere or gone (an orphan's entry) */
    uint64_t fingerprint;       /* hash of the spec's canonical model (every key, rendered into
                                 * XML or not), if has_fingerprint: tells a real change from a
                                 * reparse */
    uint64_t retry_at;          /* uv_now() ms */
    uint64_t orphaned_at;       /* uv_now() ms when its spec went (pruning waits prune_grace) */
    uint64_t seq;               /* Manager.seq at its last libvirt event or the end of its last pass */
    time_t last_action_time, last_pass_time;
    size_t set_pos;             /* its spec's place in Manager.current.specs (sync_spec) */
    unsigned shutdown_timeout;  /* from the last spec seen; pruning an orphan uses it */
    unsigned failures;
    unsigned last_line;         /* the last pass's: its spec's line */
    int last_id;                /* …: the domain's id, -1 when not running */
    uint8_t kind;               /* SpecKind */
    uint8_t tally;              /* Tally: what summarize counts it as */
    uint8_t last_state;         /* SyncState: what the last pass found (has_result) */
    bool has_fingerprint : 1;
    bool due : 1;               /* a pass is due: set by object_due() only, which queues it */
    bool queued : 1;            /* in Manager.queue (or .held) */
    bool in_flight : 1, reported : 1;
    bool retally : 1;           /* in Manager.touched: its tally is counted again */
    bool has_result : 1;
    bool status_fetching : 1;   /* status_text was formatted with a download's progress */
    bool elsewhere : 1;         /* placed on another host (daemon-share.h): not reconciled here */
    bool by_index : 1;          /* its next pass may take state and autostart from Manager.index */
    bool edited : 1;            /* in Manager.edited: its spec was edited, its pass goes first */
    bool due_first : 1;         /* edited while in flight: queued first when the pass ends */
    bool notice : 1;            /* its spec, built with templates, changed: the restarts its next
                                 * pass may make are announced first (notice_restarts) */
} Object;

typedef struct Manager {
    uv_loop_t *loop;
    DaemonConfig *cfg;
    SpecStore store;
    SpecSet current;            /* the specs in force, with the diagnostics of the tree */
    DiagList logged;            /* the problems log_diags logged last (each is logged once) */
    bool relog_problems;        /* SIGHUP: the next rescan logs every problem in force again */
    Engine engine;
    bool connected;
    Object **objects;
    size_t n_objects;
    unsigned in_flight;
    Watch *watch;
    uv_timer_t resync_timer, reconnect_timer, watchdog_timer, kick_timer, status_timer;
    uv_timer_t fetch_timer;     /* a pass runs: a download's progress into the status file */
    bool fetch_was_running;     /* a fetch ran at fetch_timer's last tick */
    uv_timer_t stop_timer;      /* stopping: waits for the work in flight (its own timer: a kick
                                 * scheduled meanwhile must not replace it) */
    uv_signal_t sig_hup, sig_term, sig_int;
    unsigned reconnect_delay_s;
    unsigned connect_attempt;   /* attempts since the last connection (status) */
    char *connect_error;        /* why the last attempt failed */
    char *stop_reason;          /* what stopping waits for (status) */
    bool stopping, first_pass_done, reloading, connecting;
    bool cancel;                /* read by the workers (atomically): end waits, the daemon stops */
    char *last_status;
    bool prune_blocked;         /* the last rescan's prune_block_reason was not NULL */
    bool cache_pruning;         /* the image cache's pruning runs on the thread pool */
    bool notice_pending;        /* some Object.notice is set: announce the restarts */
    bool notice_running;        /* …being planned (blast-notice.h): no pass starts meanwhile */
    DaemonShare share;          /* host =: this host's share of the tree (docs/fleet.md) */
    uv_fs_event_t sync_watch;   /* sync_checkouts: a sync's outcome (its status file) shown at once */
    bool sync_watching;
    char **owned;               /* the owned domains libvirt listed at the last connect */
    size_t n_owned;
    /* A full pass (connect, periodic resync, SIGHUP) lists the domains once (engine-context.h)
     * instead of a lookup, a state and an autostart call per domain */
    DomainIndex *index;
    uint64_t seq;               /* counts libvirt events and ends of passes */
    uint64_t index_seq;         /* seq when the index's listing began */
    size_t n_by_index;          /* objects whose next pass may still use it */
    bool indexing;              /* a listing runs on the thread pool: no pass starts meanwhile */
    /* kick and summarize look only at what changed, not at every object after each pass */
    Object **queue[2];          /* due objects not yet looked at: [0] pools and networks, [1] domains */
    size_t n_queue[2], head[2];
    size_t front[2]; /* queue[q][head…front): edited objects put first (due_edited_first) */
    Object **held;              /* due objects kick left waiting (a dependency, a retry time) */
    size_t n_held;
    Prefetches prefetches;      /* domains read while their edit settles (edit-prefetch.h) */
    unsigned n_prefetching;     /* of in_flight: those reads (they take no pass's place) */
    Object **edited;            /* objects whose spec an edit changed (due_edited_first) */
    size_t n_edited;
    Object **touched;           /* objects whose tally may have changed (object_touch) */
    size_t n_touched;
    unsigned tallies[N_TALLIES];
    uint64_t looks;             /* objects kick and summarize looked at (the debug log says it) */
} Manager;

/* The daemon prunes only while it read the whole spec tree: a domain that a rejected file, a
 * part of the tree the walk could not read, or a file still being written declares would look
 * orphaned. NULL: pruning may go
 * ahead; else why not (status, log). The orphans stay reported as orphaned meanwhile. */
static char *prune_block_reason(const Manager *m) {
    size_t bad = m->current.n_bad_files;
    if (bad > 0)
        return xasprintf("%zu spec file%s rejected", bad, bad == 1 ? "" : "s");
    if (m->store.tree_diags.n_errors > 0)
        return xstrdup("part of the spec tree could not be read");
    /* a file still being written may declare a domain that looks orphaned until it is closed
     * (a domain moved from one file into a new one) */
    size_t writing = watch_n_writing(m->watch);
    if (writing > 0)
        return xasprintf("%zu spec file%s still being written", writing, writing == 1 ? "" : "s");
    return NULL;
}

static bool may_prune(const Manager *m) {
    _cleanup_free_ char *why = prune_block_reason(m);
    return m->cfg->prune && !why;
}

/* When o's next pass may start (uv_now() ms): after its retry time, and a domain whose spec is
 * gone, with prune on, only once the spec stayed gone prune_grace — a change that moves it to
 * another file and is seen part-way through (its writes split into two passes by the watch)
 * must not stop and create it again. */
static uint64_t not_before(const Manager *m, const Object *o) {
    if (o->spec || o->kind != KIND_DOMAIN || !m->cfg->prune)
        return o->retry_at;
    uint64_t grace_end = o->orphaned_at + m->cfg->prune_grace_s * 1000ULL;
    return grace_end > o->retry_at ? grace_end : o->retry_at;
}

/* The spec of o is gone: an orphan from now on (reported; pruned after the grace if asked). */
static void object_orphaned(Manager *m, Object *o, const char *what) {
    o->orphaned_at = uv_now(m->loop);
    if (!may_prune(m) || o->kind != KIND_DOMAIN)
        log_object(LOG_NOTICE, spec_kind_to_string(o->kind), o->name, "%s %s: %s (orphaned)",
                   spec_kind_to_string(o->kind), o->name, what);
    else if (m->cfg->prune_grace_s == 0)
        log_object(LOG_NOTICE, "Domain", o->name, "Domain %s: %s, pruning", o->name, what);
    else
        log_object(LOG_NOTICE, "Domain", o->name, "Domain %s: %s, pruning in %u s unless a spec "
                   "names it again", o->name, what, m->cfg->prune_grace_s);
}

/* ------------------------------------------------------------------ objects */

/* Objects are kept sorted by (kind, name): lookups are binary searches, so a pass over a
 * thousand specs does not cost a million string comparisons. */
typedef struct ObjectKey {
    SpecKind kind;
    const char *name;
} ObjectKey;

static int object_key_cmp(const void *key, const void *element) {
    const ObjectKey *k = key;
    const Object *o = *(Object *const *) element;
    if (k->kind != o->kind)
        return k->kind < o->kind ? -1 : 1;
    return strcmp(k->name, o->name);
}

static size_t object_pos(Manager *m, SpecKind kind, const char *name, bool *ret_found) {
    ObjectKey k = { kind, name };
    return array_bsearch(&k, m->objects, m->n_objects, sizeof(Object *), object_key_cmp, ret_found);
}

static Object *find_object(Manager *m, SpecKind kind, const char *name) {
    bool found;
    size_t i = object_pos(m, kind, name, &found);
    return found ? m->objects[i] : NULL;
}

/* *hint: where to look first (the index after the last object found or added); spec files are
 * mostly named after their objects, so the specs in file order mostly come in object order and
 * a pass over 10,000 specs rarely needs a search. NULL: no hint. */
static Object *add_object_hinted(Manager *m, SpecKind kind, const char *name, size_t *hint) {
    if (hint && *hint < m->n_objects && m->objects[*hint]->kind == kind &&
        streq(m->objects[*hint]->name, name))
        return m->objects[(*hint)++];
    bool found;
    size_t i = object_pos(m, kind, name, &found);
    if (hint)
        *hint = i + 1;
    if (found)
        return m->objects[i];
    Object *o = xmalloc0(sizeof(Object));
    o->m = m;
    o->kind = kind;
    o->name = xstrdup(name);
    array_push(&m->objects, &m->n_objects, sizeof(Object *));
    memmove(&m->objects[i + 1], &m->objects[i], (m->n_objects - 1 - i) * sizeof(Object *));
    m->objects[i] = o;
    return o;
}

static Object *add_object(Manager *m, SpecKind kind, const char *name) {
    return add_object_hinted(m, kind, name, NULL);
}

/* Something the status file says about o changed: its entry is formatted again, its tally in
 * the summary counted again. */
static void object_touch(Object *o) {
    status_pack_free(o->status_text);
    o->status_text = NULL;
    if (!o->retally) {
        o->retally = true;
        *(Object **) array_push(&o->m->touched, &o->m->n_touched, sizeof(Object *)) = o;
    }
}

/* A pass over o is due: kick will look at it (its queue keeps pools and networks first). */
static void object_due(Object *o) {
    Manager *m = o->m;
    int q = o->kind == KIND_DOMAIN;
    o->due = true;
    if (o->queued || o->in_flight)
        return;   /* work_done queues it again */
    o->queued = true;
    *(Object **) array_push(&m->queue[q], &m->n_queue[q], sizeof(Object *)) = o;
}

/* Puts first[0…n_first) at the head of queue q, after the objects edited before that are still
 * queued (edits go in the order they came) and before the rest. */
static void queue_first(Manager *m, Object **first, size_t n_first, int q) {
    size_t head = m->head[q], at = MAX(m->front[q], head), rest = m->n_queue[q] - at;
    Object **nq = xrealloc(NULL, (at - head + n_first + rest) * sizeof(Object *));
    if (at > head)
        memcpy(nq, m->queue[q] + head, (at - head) * sizeof(Object *));
    memcpy(nq + (at - head), first, n_first * sizeof(Object *));
    if (rest > 0)
        memcpy(nq + (at - head) + n_first, m->queue[q] + at, rest * sizeof(Object *));
    free(m->queue[q]);
    m->queue[q] = nq;
    m->n_queue[q] = at - head + n_first + rest;
    m->front[q] = at - head + n_first;
    m->head[q] = 0;
}

/* The objects whose spec an edit changed (sync_spec put them in Manager.edited, in table order)
 * are due before the objects of their kind already queued, in that order, but after those an
 * earlier edit put first that are still queued (a steady stream of edits does not hold back the
 * first one; an object queued by an earlier edit keeps its place): an edit made during a first
 * pass or a full resync over thousands of domains does not wait for all of them (pools and
 * networks still go before domains). One walk over the queue whatever the number of edits. An
 * object in flight is queued first when its pass ends (due_first); a held one (a dependency, a
 * retry time) stays where kick looks first anyway. */
static void due_edited_first(Manager *m) {
    for (int q = 0; q < 2 && m->n_edited > 0; q++) {
        for (size_t i = MAX(m->front[q], m->head[q]); i < m->n_queue[q]; i++) {
            Object *o = m->queue[q][i];
            if (o && o->edited) {
                m->queue[q][i] = NULL;   /* kick_queues skips the place it had */
                o->queued = false;
            }
        }
        _cleanup_free_ Object **first = xrealloc(NULL, m->n_edited * sizeof(Object *));
        size_t k = 0;
        for (size_t i = 0; i < m->n_edited; i++) {
            Object *o = m->edited[i];
            if ((o->kind == KIND_DOMAIN) != q)
                continue;
            o->edited = false;
            o->due = true;
            if (o->in_flight)
                o->due_first = true;
            else if (!o->queued) {
                o->queued = true;
                first[k++] = o;
            }
        }
        if (k > 0)
            queue_first(m, first, k, q);
    }
    free(m->edited);
    m->edited = NULL;
    m->n_edited = 0;
}

/* An object leaving the table: out of the queues and the summary. */
static void object_unlist(Manager *m, Object *o) {
    Object **lists[] = { m->queue[0], m->queue[1], m->held, m->touched };
    size_t ns[] = { m->n_queue[0], m->n_queue[1], m->n_held, m->n_touched };
    for (size_t l = 0; l < ELEMENTSOF(lists); l++)
        for (size_t i = 0; (o->queued || o->retally) && i < ns[l]; i++)
            if (lists[l][i] == o)
                lists[l][i] = NULL;
    m->tallies[o->tally]--;
}

static void object_free(Object *o) {
    object_touch(o);
    spec_unref(o->spec);
    free(o->name);
    free(o->last_action);
    free(o->waiting);
    free(o->gone_file);
    actions_free(o->last_actions, o->n_last_actions);
    if (o->detail)
        object_result_clear(o->detail);
    free(o->detail);
    free(o);
}

static void schedule_kick(Manager *m, unsigned delay_ms);

static Tally object_tally(const Object *o) {
    if (!o->spec || o->elsewhere)   /* placed on another host: counted as such, not as ours */
        return TALLY_NONE;
    if (o->waiting || (o->detail && o->detail->deferred))
        return TALLY_WAITING;
    if (!o->has_result)
        return TALLY_OTHER;
    switch ((SyncState) o->last_state) {
    case SYNC_IN_SYNC: return TALLY_SYNC;
    case SYNC_RELOAD_PENDING: return TALLY_PENDING;
    case SYNC_FAILED: case SYNC_FOREIGN_CONFLICT: return TALLY_FAILED;
    case SYNC_DRIFTED: return TALLY_DRIFTED;
    default: return TALLY_OTHER;
    }
}

static void summarize(Manager *m) {
    for (size_t i = 0; i < m->n_touched; i++) {
        Object *o = m->touched[i];
        if (!o)
            continue;   /* dropped */
        o->retally = false;
        m->looks++;
        m->tallies[o->tally]--;
        o->tally = object_tally(o);
        m->tallies[o->tally]++;
    }
    m->n_touched = 0;
    const unsigned *c = m->tallies;
    unsigned n = c[TALLY_SYNC] + c[TALLY_PENDING] + c[TALLY_FAILED] + c[TALLY_DRIFTED] +
                 c[TALLY_OTHER] + c[TALLY_WAITING];
    unsigned sync = c[TALLY_SYNC], pending = c[TALLY_PENDING], failed = c[TALLY_FAILED],
             drifted = c[TALLY_DRIFTED], other = c[TALLY_OTHER], waiting = c[TALLY_WAITING];
    size_t bad = m->current.n_bad_files;
    char extra[96] = "", invalid[48] = "";
    if (bad)
        snprintf(invalid, sizeof(invalid), ", %zu invalid spec file%s", bad, bad == 1 ? "" : "s");
    if (drifted)
        snprintf(extra, sizeof(extra), ", %u drifted", drifted);
    if (waiting)
        snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), ", %u waiting", waiting);
    if (other)
        snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), ", %u working", other);
    _cleanup_free_ char *s = NULL;
    if (m->stopping)
        s = xasprintf("stopping%s%s", m->stop_reason ? ": " : "", m->stop_reason ? m->stop_reason : "");
    else if (!m->connected)
        /* what the daemon does right now: it serves (specs loaded, status written), unconnected */
        s = xasprintf("connecting to %s (attempt %u)%s%s; %u spec%s loaded%s",
                      virt_default_uri(m->cfg->uri), m->connect_attempt,
                      m->connect_error ? ": " : "", m->connect_error ? m->connect_error : "",
                      n, n == 1 ? "" : "s", invalid);
    else
        s = xasprintf("%u spec%s: %u in sync, %u reload-pending, %u failed%s%s",
                      n, n == 1 ? "" : "s", sync, pending, failed, extra, invalid);
    _cleanup_free_ char *share = daemon_share_summary(&m->share);
    if (share) {
        char *t = xasprintf("%s: %s", share, s);
        free(s);
        s = t;
    }
    _cleanup_free_ char *why = m->cfg->prune ? prune_block_reason(m) : NULL;
    if (why && !m->stopping) {
        char *t = xasprintf("%s; not pruning: %s", s, why);
        free(s);
        s = t;
    }
    if (!streq_ptr(s, m->last_status)) {
        sd_glue_status(s);
        free(m->last_status);
        m->last_status = xstrdup(s);
    }
}

/* What holds o's spec at the version in force: the first error of its file, else of the file of
 * a template it is built with (a refused template edit holds its users at their last good
 * version, docs/templates.md). Allocated; NULL when none. */
static char *spec_error_of(const Manager *m, const Object *o) {
    const DiagList *l = &m->current.diags;
    for (size_t k = 0; o->spec && k < l->n; k++)
        if (l->items[k].level == DIAG_ERROR && streq(l->items[k].file, o->spec->file))
            return xstrdup(l->items[k].message);
    for (size_t t = 0; o->spec && t < o->spec->n_template_files; t++)
        for (size_t k = 0; k < l->n; k++)
            if (l->items[k].level == DIAG_ERROR && streq(l->items[k].file, o->spec->template_files[t])) {
                const char *file;
                unsigned line;
                _cleanup_free_ char *msg = diag_shown(&l->items[k], &file, &line);
                _cleanup_free_ char *shown = text_escape(file);
                return xasprintf("held at its last good version: its template's file is refused: "
                                 "%s:%u:%u: %s", shown, line, l->items[k].col, msg);
            }
    return NULL;
}

/* o's entry of the status file, formatted when it changed since the last write. */
/* What the last pass found as object_json shows it (pointers into o and its detail, no copy);
 * missing before the first pass. */
static ObjectResult object_last(const Object *o) {
    if (o->detail)
        return *o->detail;
    ObjectResult r = { .kind = o->kind, .name = o->name, .state = SYNC_MISSING, .id = -1,
                       .file = o->spec ? o->spec->file : NULL, .line = o->spec ? o->spec->line : 0 };
    if (o->has_result) {
        r.state = (SyncState) o->last_state;
        r.id = o->last_id;
        r.file = o->spec ? o->spec->file : o->gone_file;
        r.line = o->spec ? o->spec->line : o->last_line;
        r.actions = o->last_actions;
        r.n_actions = o->n_last_actions;
    }
    return r;
}

static StatusPack *object_status_text(Manager *m, Object *o) {
    /* a download's progress changes without an event, and so does its end while the pass goes on
     * (decompress, upload): an entry formatted with progress is formatted once more after it */
    if (o->in_flight && o->kind == KIND_DOMAIN && (o->status_fetching || image_fetch_running()))
        object_touch(o);
    if (!o->status_text) {
        _cleanup_free_ char *spec_error = spec_error_of(m, o);
        StatusExtra x = {
            .spec_error = spec_error,
            .last_action = o->last_action,
            .last_action_time = o->last_action_time,
            .last_pass_time = o->last_pass_time,
            .failures = o->failures,
            .orphan = !o->spec,
            .reconciling = o->in_flight,
        };
        /* a view: what the last pass found, or missing before the first; a wait for a
         * dependency is what the object's error says until the pass can run */
        ObjectResult view = object_last(o);
        if (o->spec) {
            /* the spec's place now (a renamed file), not where the last pass found it */
            view.file = o->spec->file;
            view.line = o->spec->line;
        }
        if (o->waiting && o->spec)
            view.error = o->waiting;
        else if (view.deferred)
            view.error = view.deferred;
        x.waiting = (o->waiting && o->spec) || view.deferred;
        ImageFetchStatus fs = {};
        if (o->in_flight && o->kind == KIND_DOMAIN && image_fetch_status(o->name, &fs)) {
            x.fetch_url = fs.url;
            x.fetch_done = fs.done;
            x.fetch_total = fs.total;
            x.fetch_rate = fs.rate;
        }
        o->status_text = status_object_pack(&view, &x);
        o->status_fetching = fs.url != NULL;
        free(fs.url);
    }
    return o->status_text;
}

static void write_status(Manager *m) {
    StatusDoc *doc = status_doc_new("daemon");
    _cleanup_free_ StatusPack **texts = xmalloc0((m->n_objects + 1) * sizeof(StatusPack *));
    for (size_t i = 0; i < m->n_objects; i++)
        texts[i] = object_status_text(m, m->objects[i]);
    status_doc_add_diags(doc, &m->current.diags);
    status_doc_set_counts(doc, m->last_status ? m->last_status : "");
    status_doc_set_fleet(doc, m->cfg->host, m->share.revision);
    int r = status_doc_write_with(doc, texts, m->n_objects, m->cfg->status_path);
    if (r < 0)
        log_warning_errno(r, "cannot write %s", m->cfg->status_path);
    status_doc_free(doc);
}

/* The status file says every object: with a thousand, writing it takes milliseconds, too many to
 * spend after each object's pass. Writes are coalesced, at most one per STATUS_DELAY_MS. */
#define STATUS_DELAY_MS 200

static void on_status_timer(uv_timer_t *t) {
    write_status(t->data);
}

static void request_status(Manager *m) {
    if (!uv_is_active((uv_handle_t *) &m->status_timer))
        uv_timer_start(&m->status_timer, on_status_timer, STATUS_DELAY_MS, 0);
}

/* While a pass runs, a base image download's progress reaches the status file each second. */
#define FETCH_STATUS_MS 1000

static void on_fetch_timer(uv_timer_t *t) {
    Manager *m = t->data;
    bool running = image_fetch_running();
    if (m->in_flight == 0)
        uv_timer_stop(t);
    else if (running || m->fetch_was_running)
        request_status(m);   /* once more after the last fetch ended: its entry loses "fetching" */
    m->fetch_was_running = running && m->in_flight > 0;
}

/* One spec in force (at pos in the set) to its object. */
static void sync_spec(Manager *m, Object *o, Spec *s, size_t pos, bool all_dirty) {
    o->reported = true;
    o->set_pos = pos;
    bool back = o->elsewhere;   /* placed here again */
    o->elsewhere = false;
    if (o->spec == s && !all_dirty && !back)
        return;   /* same parsed document: its file did not change */
    object_touch(o);
    if (s->kind == KIND_DOMAIN)
        o->shutdown_timeout = (unsigned) value_int(&s->domain.shutdown_timeout);
    /* a reparsed file yields new documents; only a different canonical model is a change
     * (any key: autostart, adopt, suspend_mode… render no XML but are changes all the same) */
    uint64_t fp = spec_canonical_hash64(s);
    bool changed = !o->has_fingerprint || fp != o->fingerprint;
    bool edited = changed && o->has_fingerprint && !all_dirty;   /* not new, not a full pass */
    if (o->spec != s) {
        if (o->spec && o->has_result && !o->detail && !o->gone_file && !streq(o->spec->file, s->file))
            o->gone_file = xstrdup(o->spec->file);   /* moved: an orphan's entry names the old */
        spec_unref(o->spec);
        o->spec = spec_ref(s);
    }
    if (changed) {
        if (s->n_template_files > 0)
            o->notice = m->notice_pending = true;
        o->fingerprint = fp;
        o->has_fingerprint = true;
        o->failures = 0;
        o->retry_at = 0;
    }
    if (edited && !o->edited) {
        o->edited = true;   /* due_edited_first queues it */
        *(Object **) array_push(&m->edited, &m->n_edited, sizeof(Object *)) = o;
    } else if (changed || all_dirty || back)
        object_due(o);
}

/* Brings the object table in line with the specs in force. */
static void sync_objects(Manager *m, bool all_dirty) {
    for (size_t i = 0; i < m->n_objects; i++)
        m->objects[i]->reported = false;
    size_t hint = 0;
    for (size_t i = 0; i < m->current.n; i++) {
        Spec *s = m->current.specs[i];
        sync_spec(m, add_object_hinted(m, s->kind, s->name, &hint), s, i, all_dirty);
    }
    /* rejected by a check across files: its last good version stays in force */
    for (size_t i = 0; i < m->current.n_held; i++) {
        Object *o = find_object(m, m->current.held[i].kind, m->current.held[i].name);
        if (!o)
            continue;
        o->reported = true;
        /* another host's now: left as it is here, like apply --host leaves it (a warning said so) */
        bool elsewhere = daemon_share_is_other(&m->share, o->kind, o->name);
        if (elsewhere != o->elsewhere)
            object_touch(o);
        o->elsewhere = elsewhere;
    }
    for (size_t i = 0; i < m->n_objects; i++) {
        Object *o = m->objects[i];
        if (o->reported || !o->spec)
            continue;
        /* The spec is gone. The object stays (removing a spec never deletes anything); it is
         * reported as orphaned, and only pruned when the admin asked for that. */
        object_orphaned(m, o, "spec removed; object kept");
        object_touch(o);
        if (o->has_result && !o->detail && !o->gone_file)   /* (object_last reads it only then) */
            o->gone_file = xstrdup(o->spec->file);
        spec_unref(o->spec);
        o->spec = NULL;
        o->has_fingerprint = false;
        /* a look at libvirt: an object the spec never produced (its define failed, it waited
         * for a pool) is not kept as an orphan; with prune, an owned domain is pruned */
        object_due(o);
    }
}

/* The share of host = with the domains defined here as sticky input: those libvirt listed as
 * owned at the connect, and those a pass found (or made) since. */
static void take_share(Manager *m) {
    if (m->cfg->host || m->current.n_hosts > 0) {
        _cleanup_free_ char **defined = NULL;
        size_t n = 0;
        for (size_t i = 0; i < m->n_owned; i++)
            *(char **) array_push(&defined, &n, sizeof(char *)) = m->owned[i];
        for (size_t i = 0; i < m->n_objects; i++) {
            const Object *o = m->objects[i];
            if (o->kind == KIND_DOMAIN && o->has_result && o->last_state != SYNC_MISSING &&
                o->last_state != SYNC_FOREIGN_CONFLICT)
                *(char **) array_push(&defined, &n, sizeof(char *)) = o->name;
        }
        daemon_share_take(&m->current, m->cfg->host, defined, n, &m->share);
    } else
        daemon_share_clear(&m->share);   /* no fleet: no O(specs) copy on every edit pass */
    m->share.revision = sync_revision(m->cfg->specs_dir);
    m->share.sync_failure = m->cfg->sync_remote ? sync_last_failure(m->cfg->sync_checkouts) : NULL;
    if (m->share.error)
        log_error("%s", m->share.error);
}

/* virtspec sync wrote its status file (a rename into sync_checkouts): a failure, or the success
 * that ends one, is in STATUS= and status.json at once, not at the next walk of the tree. */
static void on_sync_status(uv_fs_event_t *h, const char *filename, int events, int status) {
    Manager *m = h->data;
    if (status < 0 || !streq_ptr(filename, "status"))
        return;
    free(m->share.sync_failure);
    m->share.sync_failure = sync_last_failure(m->cfg->sync_checkouts);
    summarize(m);
    request_status(m);
}

static void watch_sync_status(Manager *m, uv_loop_t *loop) {
    if (!m->cfg->sync_remote || !m->cfg->sync_checkouts)
        return;
    (void) mkdir(m->cfg->sync_checkouts, 0755);   /* sync makes it too: watched from the start */
    uv_fs_event_init(loop, &m->sync_watch);
    m->sync_watch.data = m;
    int r = uv_fs_event_start(&m->sync_watch, on_sync_status, m->cfg->sync_checkouts, 0);
    if (r < 0) {
        log_warning("cannot watch %s: %s (a sync's outcome shows at the next walk of the tree)",
                    m->cfg->sync_checkouts, uv_strerror(r));
        uv_close((uv_handle_t *) &m->sync_watch, NULL);
        return;
    }
    m->sync_watching = true;
}

/* A walk of the whole tree reparses every file and frees the specs it replaced; the first pass
 * frees libvirt's documents of every domain. glibc keeps the pages of what was freed (a resync of
 * 2,000 specs left 11 MB of them): they go back to the kernel (docs/performance.md, "Memory per
 * spec"). Not after an edit pass: it frees little, and it must stay short. */
static void give_back_memory(void) {
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

/* ---------------------------------------------------- the set patched in place (edit pass) */

/* Whether s takes part in a check or a derivation across specs (spec_set_derive: an interface's
 * ip; spec_verify_cross: a disk in a logical pool): only a domain that does not can be patched. */
static bool spec_stands_alone(Manager *m, const Spec *s) {
    if (s->kind != KIND_DOMAIN)
        return false;
    const IfaceSpec *ifs = s->domain.interfaces.items;
    for (size_t i = 0; i < s->domain.interfaces.n; i++)
        if (ifs[i].ip.set || ifs[i].guest_ipv6.set)
            return false;
    const DiskSpec *dk = s->domain.disks.items;
    for (size_t i = 0; i < s->domain.disks.n; i++) {
        if (dk[i].path.set || !dk[i].pool.set)
            continue;
        const Object *p = find_object(m, KIND_POOL, dk[i].pool.s);
        if (p && p->spec && streq_ptr(p->spec->pool.type.s, "logical"))
            return false;
    }
    return true;
}

static bool file_has_diags(const SpecSet *set, const char *path) {
    for (size_t i = 0; i < set->diags.n; i++)
        if (streq_ptr(set->diags.items[i].file, path))
            return true;
    return false;
}

/* Why the last update's changes cannot be patched into the set in place, or NULL: they must be
 * the same specs by kind and name, in force as they were, none in a check across specs, in
 * files without problems, no fleet (docs/performance.md). */
static const char *patch_refused(Manager *m) {
    const SpecStore *st = &m->store;
    if (!st->changes_exact)
        return "not only the specs of files without problems changed";
    if (m->cfg->host || m->current.n_hosts > 0)
        return "a fleet's share";
    for (size_t i = 0; i < st->n_changes; i++) {
        const SpecChange *c = &st->changes[i];
        const SpecFile *f = &st->files[c->file];
        if (f->n_specs != c->n_old)
            return "specs added or removed";
        if (file_has_diags(&m->current, f->path))
            return "the file had problems";
        for (size_t j = 0; j < c->n_old; j++) {
            const Spec *a = c->old[j], *b = f->specs[j];
            if (a->kind != b->kind || !streq(a->name, b->name))
                return "a spec renamed";
            if (!spec_stands_alone(m, a) || !spec_stands_alone(m, b))
                return "a spec in a check across specs";
            const Object *o = find_object(m, a->kind, a->name);
            if (!o || o->set_pos >= m->current.n || m->current.specs[o->set_pos] != a)
                return "a spec not in force as it was read";
        }
    }
    return NULL;
}

/* The changed files' new specs in place of their old ones, and their objects synced. */
static void patch_set(Manager *m) {
    const SpecStore *st = &m->store;
    for (size_t i = 0; i < st->n_changes; i++) {
        const SpecFile *f = &st->files[st->changes[i].file];
        for (size_t j = 0; j < f->n_specs; j++) {
            Object *o = find_object(m, f->specs[j]->kind, f->specs[j]->name);
            spec_unref(m->current.specs[o->set_pos]);
            m->current.specs[o->set_pos] = spec_ref(f->specs[j]);
            sync_spec(m, o, f->specs[j], o->set_pos, false);
        }
    }
}

/* VIRTSPEC_DEBUG_SET_CHECK=1: after each patch, the set is built again the old way and compared;
 * a difference is a bug, and the daemon aborts (the tests that edit specs run with it). */
static void check_patched_set(Manager *m) {
    static int on = -1;
    if (on < 0)
        on = streq_ptr(getenv("VIRTSPEC_DEBUG_SET_CHECK"), "1");
    if (!on)
        return;
    _cleanup_(spec_set_clear) SpecSet full = {};
    spec_store_collect(&m->store, &full);
    spec_set_derive(&full);
    diag_list_sort(&full.diags);
    const char *diff = spec_set_difference(&m->current, &full);
    if (diff) {
        log_error("the set patched in place is not the set built again: %s", diff);
        abort();
    }
    log_debug("the set patched in place is the set built again (%zu specs)", full.n);
}

/* The set in force for what the store changed: patched in place when it can be, else built
 * again. Returns whether it was built again. */
static bool update_set(Manager *m, bool edit) {
    const char *refused = edit ? patch_refused(m) : "a walk of the tree";
    if (!refused) {
        patch_set(m);
        take_share(m);
        log_debug("edit pass: %zu file%s patched into the set in place", m->store.n_changes,
                  m->store.n_changes == 1 ? "" : "s");
        check_patched_set(m);
        spec_store_forget_changes(&m->store);
        return false;
    }
    if (edit)
        log_debug("edit pass: the set built again (%s)", refused);
    spec_set_clear(&m->current);
    spec_store_collect(&m->store, &m->current);
    spec_set_derive(&m->current);
    take_share(m);
    diag_list_sort(&m->current.diags);
    spec_store_forget_changes(&m->store);
    return true;
}

/* One problem in force, in the journal (with its file and line as fields). */
static void log_diag(const Diag *d) {
    const char *fields[] = { NULL, NULL, NULL }, *shown_file;
    unsigned line;
    _cleanup_free_ char *msg = diag_shown(d, &shown_file, &line);   /* a template's line */
    _cleanup_free_ char *file = text_escape(shown_file);   /* as diag_list_print shows it */
    _cleanup_free_ char *f1 = xasprintf("CONFIG_FILE=%s", file);
    _cleanup_free_ char *f2 = line > 0 ? xasprintf("CONFIG_LINE=%u", line) : NULL;
    _cleanup_free_ char *at = line > 0 ? xasprintf("%s:%u:%u", file, line, d->col) : NULL;   /* 0: the file */
    fields[0] = f1;
    fields[1] = f2;
    log_full(d->level == DIAG_ERROR ? LOG_ERR : LOG_WARNING, 0, fields, "%s: %s%s", at ? at : file, msg,
             d->level == DIAG_ERROR ? " (last good version stays in force)" : "");
}

/* The problems in force, in the journal: each once while it stays (an edit elsewhere does not
 * log the tree's problems again), all of them again on SIGHUP (relog); a file whose errors all
 * went says so (or that it was removed). Both lists are sorted (update_set). */
static void log_diags(Manager *m, bool relog) {
    const DiagList *now = &m->current.diags, *was = &m->logged;
    if (!relog && diag_list_equal(now, was))
        return;
    for (size_t i = 0; i < now->n; i++)
        if (relog || !diag_list_has(was, &now->items[i]))
            log_diag(&now->items[i]);
    for (size_t i = 0; i < was->n; i++) {
        const char *file = was->items[i].file;
        bool first = i == 0 || !streq(was->items[i - 1].file, file);
        if (first && diag_list_file_has_error(was, file) && !diag_list_file_has_error(now, file)) {
            _cleanup_free_ char *shown = text_escape(file);
            if (access(file, F_OK) < 0 && errno == ENOENT)
                log_info("%s: removed, and its errors with it", shown);
            else
                log_info("%s: no errors any more", shown);
        }
    }
    diag_list_clear(&m->logged);
    for (size_t i = 0; i < now->n; i++)
        diag_list_add_copy(&m->logged, &now->items[i]);
}

/* Rereads the spec tree (paths NULL: walks all of it; else only the files named) and brings the
 * objects in line with what is in force. */
static void rescan(Manager *m, char *const *paths, size_t n_paths, bool force) {
    uint64_t t0 = uv_hrtime();
    int changed = paths ? spec_store_update(&m->store, paths, n_paths) : spec_store_scan(&m->store, force);
    if (changed < 0) {
        log_warning_errno(changed, "cannot read the spec tree %s; keeping the specs in force",
                          m->cfg->specs_dir);
        return;
    }
    size_t n_read = paths ? n_paths : m->store.n_files; /* for the debug lines */
    if (changed == 0 && !force) {
        log_debug("%s %zu file%s: nothing changed, %.2f ms", paths ? "reread" : "walk of the tree,",
                  n_read, n_read == 1 ? "" : "s", (double) (uv_hrtime() - t0) / 1e6);
        return;
    }
    bool had_diags = m->current.diags.n > 0;
    bool rebuilt = update_set(m, paths && !force);
    log_diags(m, m->relog_problems);
    if (rebuilt && (had_diags || m->current.diags.n > 0))
        for (size_t i = 0; i < m->n_objects; i++)
            object_touch(m->objects[i]);   /* an object's spec_error comes from the diagnostics */
    if (rebuilt)
        sync_objects(m, force);
    due_edited_first(m);
    _cleanup_free_ char *why = m->cfg->prune ? prune_block_reason(m) : NULL;
    if (why && !m->prune_blocked)
        log_warning("not pruning: %s (a domain such a file declares would look orphaned); "
                    "orphans stay reported until the tree reads cleanly", why);
    else if (!why && m->prune_blocked) {
        log_info("the spec tree reads cleanly again: pruning the orphans");
        uint64_t now = uv_now(m->loop);
        for (size_t i = 0; i < m->n_objects; i++) {
            Object *o = m->objects[i];
            if (o->spec || o->kind != KIND_DOMAIN)
                continue;
            /* the grace counts from the tree read whole: what it held back may still be moving */
            if (o->orphaned_at < now)
                o->orphaned_at = now;
            object_due(o);
        }
    }
    m->prune_blocked = why != NULL;
    summarize(m);
    if (!paths)
        give_back_memory();
    log_debug("pass over %s%zu file%s: %d changed, %.2f ms", paths ? "" : "the tree, ", n_read,
              n_read == 1 ? "" : "s", changed, (double) (uv_hrtime() - t0) / 1e6);
}

/* ------------------------------------------------------------------ the full pass's listing */

static void index_release(Manager *m) {
    for (size_t i = 0; m->n_by_index > 0 && i < m->n_objects; i++)
        m->objects[i]->by_index = false;
    domain_index_unref(m->index);
    m->index = NULL;
    m->n_by_index = 0;
}

/* The listing is for the domains due for a pass now that nothing changed since it began (no
 * libvirt event, no pass of ours ended): the others are looked up as before. Not for one placed on
 * another host, waiting for a dependency or a retry time: its pass may come much later, and the
 * listing must not outlive the passes it was made for (an autostart changed by hand raises no
 * event; engine-context.h). */
static void index_adopt(Manager *m, DomainIndex *ix, uint64_t seq) {
    index_release(m);
    m->index = ix;
    m->index_seq = seq;
    uint64_t now = uv_now(m->loop);
    for (size_t i = 0; ix && i < m->n_objects; i++) {
        Object *o = m->objects[i];
        if (o->kind == KIND_DOMAIN && o->spec && o->due && !o->in_flight && o->seq <= seq &&
            !o->elsewhere && !o->waiting && o->retry_at <= now) {
            o->by_index = true;
            m->n_by_index++;
        }
    }
    if (m->n_by_index == 0)
        index_release(m);
}

/* A reference to the listing for o's pass starting now, or NULL: look it up. */
static DomainIndex *index_for(Manager *m, Object *o) {
    if (!o->by_index)
        return NULL;
    o->by_index = false;
    DomainIndex *ix = o->seq <= m->index_seq ? domain_index_ref(m->index) : NULL;
    if (--m->n_by_index == 0)
        index_release(m);
    return ix;
}

typedef struct IndexWork {
    uv_work_t req;
    Manager *m;
    Engine engine;
    uint64_t seq;
    int r;
} IndexWork;

static void index_run(uv_work_t *req) {
    IndexWork *w = req->data;
    w->r = domain_index_build(&w->engine, NULL);
}

static void kick(Manager *m);

static void index_done(uv_work_t *req, int status) {
    IndexWork *w = req->data;
    Manager *m = w->m;
    m->in_flight--;
    m->indexing = false;
    if (w->r < 0)
        log_debug("cannot list the domains (%s): each is looked up", strerror(-w->r));
    else if (m->connected && !m->stopping)
        index_adopt(m, TAKE_PTR(w->engine.index), w->seq);
    domain_index_free(&w->engine);
    free(w);
    kick(m);
}

/* Before a full pass: the listing, on the thread pool. */
static void index_start(Manager *m) {
    if (!m->connected || m->stopping || m->indexing)
        return;
    IndexWork *w = xmalloc0(sizeof(IndexWork));
    w->m = m;
    w->engine = m->engine;
    w->engine.index = NULL;
    w->seq = m->seq;
    w->req.data = w;
    m->indexing = true;
    m->in_flight++;   /* stopping and a reconnect wait for it */
    uv_queue_work(m->loop, &w->req, index_run, index_done);
}

/* ------------------------------------------------------------------ work queue */

typedef struct Work {
    uv_work_t req;
    Manager *m;
    Object *o;
    Spec *spec;
    Engine engine;
    ObjectResult result;
    bool prune;
    bool orphan_check;          /* spec gone, no prune: does the object exist at all? */
    bool gone;                  /* the object is not (or no more) in libvirt, or not virtspec's */
    unsigned shutdown_timeout;
    char *prune_error;
    bool prune_deletes;         /* the domain's metadata said delete_volumes_on_removal */
    unsigned n_deleted;         /* volumes deleted with it */
} Work;

static void prune_domain(Work *w) {
    PruneResult p = {};
    engine_prune_domain(&w->engine, w->o->name, w->shutdown_timeout, &p);
    for (size_t i = 0; i < p.n_warnings; i++)
        log_object(LOG_WARNING, "Domain", w->o->name, "Domain %s: prune: %s", w->o->name, p.warnings[i]);
    w->prune_error = TAKE_PTR(p.error);
    w->gone = p.gone;
    w->prune_deletes = p.deletes;
    w->n_deleted = p.n_deleted;
    prune_result_clear(&p);
}

/* An object whose spec is gone: is there anything of it in libvirt (a domain: one virtspec owns)?
 * Not when its spec never produced it. Errors other than "no such object" count as there. */
static bool orphan_gone(Work *w) {
    virConnectPtr c = w->engine.conn;
    if (w->o->kind == KIND_NETWORK) {
        _cleanup_(virNetworkFreep) virNetworkPtr n = virNetworkLookupByName(c, w->o->name);
        return !n && virt_error_errno() == -ENOENT;
    }
    if (w->o->kind == KIND_POOL) {
        _cleanup_(virStoragePoolFreep) virStoragePoolPtr p = virStoragePoolLookupByName(c, w->o->name);
        return !p && virt_error_errno() == -ENOENT;
    }
    _cleanup_(virDomainFreep) virDomainPtr dom = virDomainLookupByName(c, w->o->name);
    if (!dom)
        return virt_error_errno() == -ENOENT;
    char *md = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, VIRTSPEC_XMLNS,
                                    VIR_DOMAIN_AFFECT_CONFIG);
    bool owned = md != NULL;
    free(md);
    return !owned && virt_error_errno() == -ENOENT;   /* no virtspec metadata: not ours */
}

static void work_run(uv_work_t *req) {
    Work *w = req->data;
    if (w->prune)
        prune_domain(w);
    else if (w->orphan_check)
        w->gone = orphan_gone(w);
    else
        engine_reconcile(&w->engine, w->spec, &w->result);
    /* here, on the worker: closing a connection to a host that died may wait for libvirt's
     * keepalive, which the loop must not */
    fleet_peers_free(w->engine.peers);
    w->engine.peers = NULL;
}

/* Forgets an object whose spec is gone and of which nothing is (left) in libvirt. */
static void drop_object(Manager *m, Object *o) {
    bool found;
    size_t i = object_pos(m, o->kind, o->name, &found);
    if (!found || m->objects[i] != o)
        return;
    memmove(&m->objects[i], &m->objects[i + 1], (m->n_objects - 1 - i) * sizeof(Object *));
    m->n_objects--;
    object_unlist(m, o);
    o->retally = true;   /* object_free's touch: not into the list again */
    object_free(o);
}

/* Pruning the image cache (image-cache.h) after the passes: with prune on, once no pass is in
 * flight, on the thread pool (libvirt calls), against the sha256s of the specs in force (a held
 * last good version included), collected here on the loop. */
typedef struct CacheWork {
    uv_work_t req;
    Manager *m;
    Engine engine;
    char **names, **said;
} CacheWork;

static void cache_prune_run(uv_work_t *req) {
    CacheWork *w = req->data;
    int r = image_cache_prune(&w->engine, w->names, &w->said);
    if (r < 0)
        log_warning("cannot prune the image cache: %s", image_cache_prune_strerror(r));
}

static void cache_prune_done(uv_work_t *req, int status) {
    CacheWork *w = req->data;
    w->m->in_flight--;
    w->m->cache_pruning = false;
    image_cache_names_free(w->names);
    image_cache_names_free(w->said);
    Manager *m = w->m;
    free(w);
    kick(m);   /* a slot is free again */
}

static void cache_prune_start(Manager *m) {
    if (m->cache_pruning || m->in_flight > 0 || m->stopping || !m->connected || !may_prune(m))
        return;
    CacheWork *w = xmalloc0(sizeof(CacheWork));
    size_t n = 0;
    w->m = m;
    w->engine = m->engine;
    w->req.data = w;
    for (size_t i = 0; i < m->n_objects; i++)
        image_cache_names_add(&w->names, &n, m->objects[i]->spec);
    m->cache_pruning = true;
    m->in_flight++;   /* stopping waits for it too */
    uv_queue_work(m->loop, &w->req, cache_prune_run, cache_prune_done);
}

/* how soon a domain left alone during another virtspec's restart of it is looked at again */
#define DEFER_RECHECK_MS 2000

/* Whether r says nothing but its state, id, line and actions about o: most in-sync objects'
 * results, a new one's too. Those are kept as Object fields, the name and file being o's and its
 * spec's. */
static bool result_plain(const Object *o, const ObjectResult *r) {
    return r->kind == (SpecKind) o->kind && streq_ptr(r->name, o->name) && o->spec &&
           streq_ptr(r->file, o->spec->file) && r->diff.n == 0 &&
           r->n_pending == 0 && !r->error && r->diags.n == 0 && !r->diags.uses &&
           !r->diags.use_user && r->n_addresses == 0 && !r->deferred;
}

/* r becomes o's last result (r is emptied): the fields, and the detail only when it says more */
static void object_keep_result(Object *o, ObjectResult *r) {
    o->last_state = (uint8_t) r->state;
    o->last_id = r->id;
    o->last_line = r->line;
    o->has_result = true;
    if (o->detail)
        object_result_clear(o->detail);
    actions_free(o->last_actions, o->n_last_actions);
    o->last_actions = NULL;
    o->n_last_actions = 0;
    free(o->gone_file);
    o->gone_file = NULL;
    if (result_plain(o, r)) {
        o->last_actions = TAKE_PTR(r->actions);
        o->n_last_actions = r->n_actions;
        r->n_actions = 0;
        object_result_clear(r);
        free(o->detail);
        o->detail = NULL;
        return;
    }
    if (!o->detail)
        o->detail = xmalloc0(sizeof(ObjectResult));
    *o->detail = *r;
    *r = (ObjectResult) {};
}

static void work_done(uv_work_t *req, int status) {
    Work *w = req->data;
    Manager *m = w->m;
    Object *o = w->o;
    SpecKind o_kind = o->kind;   /* o may be dropped below */

    m->in_flight--;
    o->in_flight = false;
    o->seq = ++m->seq;
    domain_index_unref(w->engine.index);
    o->last_pass_time = time(NULL);
    object_touch(o);
    if (w->prune) {
        if (w->prune_error)
            log_object(LOG_ERR, "Domain", o->name, "Domain %s: prune: %s", o->name, w->prune_error);
        else if (w->prune_deletes)
            log_object(LOG_INFO, "Domain", o->name, "Domain %s: pruned (spec removed; "
                       "delete_volumes_on_removal: %u volume(s) deleted)", o->name, w->n_deleted);
        else
            log_object(LOG_INFO, "Domain", o->name, "Domain %s: pruned (spec removed; volumes kept)", o->name);
        free(w->prune_error);
    } else if (w->orphan_check) {
        if (w->gone)
            log_info("%s %s: spec removed, and nothing of it is in libvirt: no orphan, forgotten",
                     spec_kind_to_string(o->kind), o->name);
    } else {
        ObjectResult *r = &w->result;
        const char *kind = spec_kind_to_string(o->kind);
        _cleanup_free_ char *f_kind = xasprintf("OBJECT_KIND=%s", kind);
        _cleanup_free_ char *f_name = xasprintf("OBJECT_NAME=%s", o->name);
        _cleanup_free_ char *f_file = xasprintf("CONFIG_FILE=%s", r->file ? r->file : "");
        _cleanup_free_ char *f_line = xasprintf("CONFIG_LINE=%u", r->line);
        const char *fields[] = { f_kind, f_name, f_file, f_line, NULL };
        for (size_t i = 0; i < r->diff.n && m->engine.apply; i++) {
            const Change *c = &r->diff.items[i];
            if (c->op == OP_UNMANAGED)
                continue;
            log_full(LOG_INFO, 0, fields, "%s %s: %s %s%s%s%s%s (%s)", kind, o->name,
                     c->op == OP_ADD ? "+" : c->op == OP_REMOVE ? "-" : "~", c->path,
                     c->op == OP_SET ? ": " : "",
                     c->op == OP_SET ? (c->secret ? "(secret)" : strna(c->old_value)) : "",
                     c->op == OP_SET ? " → " : "",
                     c->op == OP_SET ? (c->secret ? "(secret)" : strna(c->new_value)) : "",
                     change_class_to_string(c->cls));
        }
        /* left alone while another virtspec restarts it: said once, looked at again soon */
        bool deferred_again = r->deferred && o->detail && o->detail->deferred;
        for (size_t i = 0; i < r->n_actions && !deferred_again; i++)
        {
            _cleanup_free_ char *line = action_format(&r->actions[i]);
            log_full(LOG_INFO, 0, fields, "%s %s: %s", kind, o->name, line);
        }
        if (r->deferred) {
            o->retry_at = uv_now(m->loop) + DEFER_RECHECK_MS;
            if (!o->due) {
                object_due(o);
                schedule_kick(m, DEFER_RECHECK_MS);
            }
        } else if (r->error) {
            o->failures++;
            unsigned delay = 1u << (o->failures < 9 ? o->failures : 9);
            if (delay > m->cfg->max_backoff_s)
                delay = m->cfg->max_backoff_s;
            o->retry_at = uv_now(m->loop) + delay * 1000ULL;
            if (m->stopping)
                log_full(LOG_ERR, 0, fields, "%s %s: %s: %s", kind, o->name,
                         sync_state_to_string(r->state), r->error);
            else
                log_full(LOG_ERR, 0, fields, "%s %s: %s: %s (retry in %u s)", kind, o->name,
                         sync_state_to_string(r->state), r->error, delay);
            if (!o->due) {
                object_due(o);
                schedule_kick(m, delay * 1000);
            }
        } else {
            o->failures = 0;
            o->retry_at = 0;
        }
        if (!r->deferred && (r->mutated || r->n_actions > 0)) {
            free(o->last_action);
            o->last_action = r->n_actions > 0 ? action_format(&r->actions[r->n_actions - 1])
                                               : r->diff.n > 0 ? xasprintf("~ %s", r->diff.items[0].path)
                                                               : xstrdup("updated");
            o->last_action_time = time(NULL);
        }
        object_keep_result(o, r);
    }
    m->notice_pending = m->notice_pending || o->notice; /* owed since before this pass */
    bool first = o->due_first;   /* edited while in flight: before the queue */
    o->due_first = false;
    /* the spec is gone and so is the object (pruned, or never made): nothing to report */
    if ((w->prune || w->orphan_check) && w->gone && !o->spec && !o->due)
        drop_object(m, o);
    else if (o->due && first) {
        o->edited = true;
        *(Object **) array_push(&m->edited, &m->n_edited, sizeof(Object *)) = o;
        due_edited_first(m);
    } else if (o->due)
        object_due(o);   /* due again while in flight: queued now */
    spec_unref(w->spec);
    free(w);
    summarize(m);
    kick(m);
    if (o_kind == KIND_DOMAIN)
        cache_prune_start(m);
    request_status(m);
}

static void start_work(Manager *m, Object *o) {
    Work *w = xmalloc0(sizeof(Work));
    w->m = m;
    w->o = o;
    w->spec = spec_ref(o->spec);
    w->engine = m->engine;
    w->prune = !o->spec && may_prune(m) && o->kind == KIND_DOMAIN;
    w->orphan_check = !o->spec && !w->prune;
    w->engine.index = index_for(m, o);
    if (o->kind == KIND_DOMAIN && m->prefetches.n > 0) {   /* read while its edit settled */
        DomainIndex *ix = prefetch_take(&m->prefetches, o->name, o->seq);
        if (!w->engine.index && o->spec)
            w->engine.index = ix;
        else
            domain_index_unref(ix);   /* a prune, an orphan check or a full pass's listing */
    }
    if (o->kind == KIND_DOMAIN && o->spec && m->cfg->host && m->current.n_hosts > 0) {
        /* a domain of the share not defined here may be on another Host: moved here */
        w->engine.host = m->cfg->host;
        w->engine.peers = fleet_peers_new(&m->current, m->cfg->host);
    }
    w->shutdown_timeout = o->shutdown_timeout ? o->shutdown_timeout : 60;
    w->req.data = w;
    o->due = false;
    o->in_flight = true;
    object_touch(o);
    m->in_flight++;
    if (!uv_is_active((uv_handle_t *) &m->fetch_timer))
        uv_timer_start(&m->fetch_timer, on_fetch_timer, FETCH_STATUS_MS, FETCH_STATUS_MS);
    uv_queue_work(m->loop, &w->req, work_run, work_done);
    /* the result (and its log lines) comes when the pass ends, which for a reload is after the
     * guest's shutdown: meanwhile the status file says the object is being reconciled */
    request_status(m);
}

/* A dependency of o that has not converged: the pools its disks use and the networks its
 * interfaces use (declared or derived from `ip:`), when virtspec manages them. Pools and networks
 * depend on nothing. An object that virtspec does not manage is not waited for: the pass fails
 * (and retries) if it is missing. Returns NULL when o may go ahead; else the object, and in
 * *ret_why (allocated) what status says about the wait. */
static Object *pending_dependency(Manager *m, Object *o, char **ret_why) {
    if (o->kind != KIND_DOMAIN || !o->spec)
        return NULL;
    const DomainSpec *d = &o->spec->domain;
    const DiskSpec *disks = d->disks.items;
    const IfaceSpec *ifs = d->interfaces.items;
    for (size_t i = 0; i < d->disks.n + d->interfaces.n; i++) {
        bool disk = i < d->disks.n;
        if (disk && disks[i].path.set)
            continue;   /* a host path: no pool (its pool key is only the default "default") */
        const Value *v = disk ? &disks[i].pool : &ifs[i - d->disks.n].network;
        if (!v->set || !v->s)
            continue;
        Object *dep = find_object(m, disk ? KIND_POOL : KIND_NETWORK, v->s);
        if (!dep || !dep->spec)
            continue;
        bool failed = dep->detail && dep->detail->error;
        if (!dep->due && !dep->in_flight && dep->has_result && !failed)
            continue;
        *ret_why = failed ? xasprintf("waiting for %s %s (failed: %s)", disk ? "pool" : "network",
                                      dep->name, dep->detail->error)
                          : xasprintf("waiting for %s %s", disk ? "pool" : "network", dep->name);
        return dep;
    }
    return NULL;
}

static void notice_done(void *userdata) {
    Manager *m = userdata;
    m->notice_running = false;
    m->in_flight--;
    kick(m);
}

/* Whether a pass over s may restart its object: only those are planned for the announcement
 * (a pool is never restarted; a domain only with reload: auto while its spec keeps it running). */
static bool may_restart(const Spec *s) {
    if (s->kind == KIND_POOL)
        return false;
    return s->kind != KIND_DOMAIN ||
           (streq_ptr(s->domain.reload.s, "auto") && streq_ptr(s->domain.state.s, "running"));
}

/* Before the passes over specs a template edit changed start: the restarts they may make are
 * logged (docs/templates.md). An object in flight when its spec changed is announced when that
 * pass ends, before its next one. Returns whether that is under way (no pass may start yet). */
static bool notice_restarts(Manager *m) {
    if (m->notice_running)
        return true;
    if (!m->notice_pending)
        return false;
    m->notice_pending = false;
    Spec **specs = NULL;
    size_t n = 0;
    for (size_t i = 0; i < m->n_objects; i++) {
        Object *o = m->objects[i];
        if (!o->notice || (o->in_flight && o->due))
            continue; /* in flight: its next pass is the one to announce (work_done) */
        o->notice = false;
        if (o->due && o->spec && o->spec->n_template_files > 0 && may_restart(o->spec))
            *(Spec **) array_push(&specs, &n, sizeof(Spec *)) = spec_ref(o->spec);
    }
    if (n == 0)
        return false;
    m->notice_running = true;
    m->in_flight++;   /* stopping waits for it */
    blast_notice_start(m->loop, &m->engine, specs, n, notice_done, m);
    return true;
}

/* kick's look at one due object: its pass started (true), or it waits for a dependency or its
 * retry time (false: it stays due). */
static bool kick_one(Manager *m, Object *o, uint64_t now, uint64_t *next_retry, bool *waits_changed) {
    /* a domain waits only for the pools and networks it uses; a failing one holds up its
     * dependents, nothing else */
    _cleanup_free_ char *why = NULL;
    if (pending_dependency(m, o, &why)) {
        if (!streq_ptr(why, o->waiting)) {
            object_touch(o);
            free(o->waiting);
            o->waiting = TAKE_PTR(why);
            log_debug("%s %s: %s", spec_kind_to_string(o->kind), o->name, o->waiting);
            *waits_changed = true;
        }
        return false;
    }
    if (o->waiting) {
        object_touch(o);
        free(o->waiting);
        o->waiting = NULL;
        *waits_changed = true;
    }
    if (m->prefetches.n > 0 && o->kind == KIND_DOMAIN && prefetch_running(&m->prefetches, o->name))
        return false;   /* what it reads first is on its way: prefetch_done kicks */
    uint64_t after = not_before(m, o);
    if (after > now) {
        if (!*next_retry || after < *next_retry)
            *next_retry = after;
        return false;
    }
    start_work(m, o);
    return true;
}

/* Takes o out of kick's lists when no pass of it is to start (any more). */
static bool kick_skip(Manager *m, Object *o) {
    m->looks++;
    if (o->elsewhere) {
        o->queued = false;   /* another host's: due again (object_due) once placed back here */
        if (o->by_index) {   /* marked before it went elsewhere: the listing is not kept for it */
            o->by_index = false;
            if (--m->n_by_index == 0)
                index_release(m);
        }
        return true;
    }
    if (o->due && !o->in_flight)
        return false;
    o->queued = false;   /* in flight: work_done queues it again if due */
    return true;
}

/* Starts the passes that are due, up to the concurrency: the objects held back before first,
 * then those queued since, pools and networks before domains. Only those are looked at. */
static void kick_queues(Manager *m, uint64_t now, uint64_t *next_retry, bool *waits_changed) {
    for (int q = 0; q < 2; q++) {
        for (size_t i = 0; i < m->n_held && m->in_flight - m->n_prefetching < m->cfg->concurrency; i++) {
            Object *o = m->held[i];
            if (!o || (o->kind == KIND_DOMAIN) != (q == 1))
                continue;
            if (kick_skip(m, o) || kick_one(m, o, now, next_retry, waits_changed)) {
                o->queued = false;
                m->held[i] = NULL;
            }
        }
        while (m->head[q] < m->n_queue[q] && m->in_flight - m->n_prefetching < m->cfg->concurrency) {
            Object *o = m->queue[q][m->head[q]++];
            if (!o || kick_skip(m, o))
                continue;
            if (kick_one(m, o, now, next_retry, waits_changed))
                o->queued = false;
            else
                *(Object **) array_push(&m->held, &m->n_held, sizeof(Object *)) = o;
        }
        if (m->head[q] > 0 && m->head[q] * 2 >= m->n_queue[q]) {   /* drained, or half of it */
            m->n_queue[q] -= m->head[q];
            memmove(m->queue[q], m->queue[q] + m->head[q], m->n_queue[q] * sizeof(Object *));
            m->front[q] = m->front[q] > m->head[q] ? m->front[q] - m->head[q] : 0;
            m->head[q] = 0;
        }
    }
    size_t k = 0;
    for (size_t i = 0; i < m->n_held; i++)
        if (m->held[i])
            m->held[k++] = m->held[i];
    m->n_held = k;
}

/* Whether a pass is due and may start now (not waiting, not before its retry time). */
static bool any_due_now(Manager *m, uint64_t now) {
    /* (no pointer arithmetic on a queue never grown: NULL + 0 is undefined) */
    Object **lists[] = { m->held, m->queue[0], m->queue[1] };
    size_t from[] = { 0, m->head[0], m->head[1] };
    size_t ns[] = { m->n_held, m->n_queue[0], m->n_queue[1] };
    for (size_t l = 0; l < ELEMENTSOF(lists); l++)
        for (size_t i = from[l]; i < ns[l]; i++) {
            const Object *o = lists[l][i];
            if (o && o->due && not_before(m, o) <= now && !o->waiting)
                return true;
        }
    return false;
}

static void kick(Manager *m) {
    uint64_t now = uv_now(m->loop);
    uint64_t next_retry = 0;
    bool waits_changed = false;

    /* the cache's pruning runs alone (cache_prune_done kicks again) */
    if (!m->connected || m->stopping || m->cache_pruning || m->indexing || notice_restarts(m))
        return;
    kick_queues(m, now, &next_retry, &waits_changed);
    if (next_retry)
        schedule_kick(m, (unsigned) (next_retry - now));
    if (waits_changed) {
        summarize(m);
        request_status(m);
    }
    if (!m->first_pass_done && m->in_flight == 0 && !any_due_now(m, now)) {
        /* READY=1 went out when the specs were loaded: this is only news for the log */
        m->first_pass_done = true;
        summarize(m);
        write_status(m);
        log_info("first pass over every object done: %s", strna(m->last_status));
        give_back_memory();
        log_debug("first pass: kick and summarize looked at %" PRIu64 " objects, for %zu", m->looks,
                  m->n_objects);
    }
}

static void prefetch_done(void *userdata, const char *name) {
    Manager *m = userdata;
    m->in_flight--;
    m->n_prefetching--;
    kick(m);   /* its pass may have waited for it */
}

/* Whether a finished prefetch of name may still be taken: its domain's pass is due. */
static bool prefetch_wanted(const char *name, void *userdata) {
    Object *o = find_object(userdata, KIND_DOMAIN, name);
    return o && o->spec && !o->elsewhere && o->due && !o->in_flight;
}

static void on_kick_timer(uv_timer_t *t) {
    kick(t->data);
}

static void schedule_kick(Manager *m, unsigned delay_ms) {
    if (m->stopping)
        return;   /* nothing new starts; a libvirt event or a retry after SIGTERM is for the next run */
    uint64_t due = uv_timer_get_due_in(&m->kick_timer);
    if (uv_is_active((uv_handle_t *) &m->kick_timer) && due <= delay_ms)
        return;
    uv_timer_start(&m->kick_timer, on_kick_timer, delay_ms, 0);
}

/* ------------------------------------------------------------------ libvirt connection */

static void on_reconnect_timer(uv_timer_t *t);

/* Connecting runs on the thread pool: a hung libvirtd (SIGSTOP, a dead remote host) must not
 * freeze the loop, its timers, its status and the watchdog. */
typedef struct ConnectWork {
    uv_work_t req;
    Manager *m;
    Engine engine;
    int r;
    char *error;
    char **owned;           /* names of domains carrying virtspec's metadata */
    size_t n_owned;
    char **known;           /* the domain objects' names at the start (sorted): not asked */
    size_t n_known;
    DomainIndex *index;     /* every domain listed (the first pass uses it) */
    uint64_t seq;           /* Manager.seq at the start */
} ConnectWork;

/* A full resync after every (re)connect (libvirtd may have changed anything meanwhile): every
 * object due, orphans too (are they still there?), queued afresh in table order — pools and
 * networks, then domains, by name — not after the specs loaded before the connection. That is the
 * order of the passes before the queues existed; with the specs first, an orphan check of every
 * owned domain ran behind them, several at once, when libvirtd stalled right after the first
 * pass's defines — where libvirt 9.0's RPC client crashes (docs/reliability.md, issue 21). */
static void due_all_in_table_order(Manager *m) {
    m->n_queue[0] = m->n_queue[1] = m->head[0] = m->head[1] = m->n_held = 0;
    m->front[0] = m->front[1] = 0;
    for (size_t i = 0; i < m->n_objects; i++)
        m->objects[i]->queued = false;
    for (size_t i = 0; i < m->n_objects; i++) {
        object_due(m->objects[i]);
        m->objects[i]->retry_at = 0;
    }
}

static int str_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *) a, *(char *const *) b);
}

static bool known_domain(const char *name, void *userdata) {
    const ConnectWork *cw = userdata;
    bool found;
    array_bsearch(&name, cw->known, cw->n_known, sizeof(char *), str_cmp, &found);
    return found;
}

static void connect_run(uv_work_t *req) {
    ConnectWork *cw = req->data;
    cw->r = engine_open(&cw->engine, cw->m->cfg->uri, true);
    if (cw->r < 0) {
        cw->error = xstrdup(virt_error_message());
        return;
    }
    virt_events_watch(cw->engine.conn);
    /* after the watch: an event from here on marks its domain as changed since the listing */
    if (domain_index_build(&cw->engine, NULL) == 0)
        cw->index = TAKE_PTR(cw->engine.index);
    /* owned domains, to find those whose spec went away while virtspec was not running (a
     * domain with an object is not asked: connect_done keeps it as it is) — with host =, every
     * owned one: those defined here are sticky input to the share (daemon-share.h) */
    engine_list_owned_domains(&cw->engine, cw->m->cfg->host ? NULL : known_domain, cw, &cw->owned,
                              &cw->n_owned);
}

/* The reconnect delay: 1 s doubling, capped at RECONNECT_MAX_S (what docs/daemon.md says). */
#define RECONNECT_MAX_S 30

static unsigned next_reconnect_delay(unsigned delay_s) {
    return delay_s >= RECONNECT_MAX_S / 2 ? RECONNECT_MAX_S : delay_s * 2;
}

static void connect_done(uv_work_t *req, int status) {
    ConnectWork *cw = req->data;
    Manager *m = cw->m;
    m->in_flight--;
    m->connecting = false;
    if (cw->r < 0 || m->stopping) {
        if (cw->r < 0 && !m->stopping) {
            log_warning("cannot connect to %s (attempt %u): %s; retrying in %u s",
                        virt_default_uri(m->cfg->uri), m->connect_attempt, strna(cw->error),
                        m->reconnect_delay_s);
            free(m->connect_error);
            m->connect_error = xasprintf("%s; next attempt in %u s", strna(cw->error),
                                         m->reconnect_delay_s);
            summarize(m);
            request_status(m);
            uv_timer_start(&m->reconnect_timer, on_reconnect_timer, m->reconnect_delay_s * 1000ULL, 0);
            m->reconnect_delay_s = next_reconnect_delay(m->reconnect_delay_s);
        }
        if (cw->r >= 0) {
            virt_events_unwatch(cw->engine.conn);
            engine_close(&cw->engine);
        }
        goto out;
    }
    m->engine = cw->engine;
    m->engine.report_drift = m->cfg->report_drift;
    m->engine.cancel = &m->cancel;
    m->connected = true;
    m->reconnect_delay_s = 1;
    m->connect_attempt = 0;
    free(m->connect_error);
    m->connect_error = NULL;
    log_info("connected to %s", virt_default_uri(m->cfg->uri));
    /* host =: the owned domains are sticky input to the share, which is taken again */
    for (size_t i = 0; i < m->n_owned; i++)
        free(m->owned[i]);
    free(m->owned);
    m->owned = TAKE_PTR(cw->owned);
    m->n_owned = cw->n_owned;
    cw->n_owned = 0;
    if (m->cfg->host)
        rescan(m, NULL, 0, true);
    /* Owned domains that no spec names (removed while virtspec was not running) become orphan
     * objects: reported in status, pruned when the admin asked for pruning. Another host's
     * (held) are not orphans. */
    for (size_t i = 0; i < m->n_owned; i++)
        if (!find_object(m, KIND_DOMAIN, m->owned[i]) &&
            !spec_set_is_held(&m->current, KIND_DOMAIN, m->owned[i])) {
            object_orphaned(m, add_object(m, KIND_DOMAIN, m->owned[i]), "owned by virtspec but no spec names it");
        }
    due_all_in_table_order(m);
    index_adopt(m, TAKE_PTR(cw->index), cw->seq);
    schedule_kick(m, 0);
out:
    domain_index_unref(cw->index);
    for (size_t i = 0; i < cw->n_owned; i++)
        free(cw->owned[i]);
    free(cw->owned);
    for (size_t i = 0; i < cw->n_known; i++)
        free(cw->known[i]);
    free(cw->known);
    free(cw->error);
    free(cw);
}

static void connect_libvirt(Manager *m) {
    if (m->connecting || m->stopping)
        return;
    ConnectWork *cw = xmalloc0(sizeof(ConnectWork));
    cw->m = m;
    cw->req.data = cw;
    cw->seq = m->seq;
    for (size_t i = 0; i < m->n_objects; i++)   /* in (kind, name) order: the domains sorted */
        if (m->objects[i]->kind == KIND_DOMAIN)
            *(char **) array_push(&cw->known, &cw->n_known, sizeof(char *)) = xstrdup(m->objects[i]->name);
    m->connecting = true;
    m->connect_attempt++;
    m->in_flight++;
    summarize(m);
    request_status(m);
    uv_queue_work(m->loop, &cw->req, connect_run, connect_done);
}

static void on_reconnect_timer(uv_timer_t *t) {
    Manager *m = t->data;
    if (m->in_flight > 0) {
        /* work on the old connection must finish (it fails fast) before it is closed */
        uv_timer_start(&m->reconnect_timer, on_reconnect_timer, 200, 0);
        return;
    }
    if (m->engine.conn) {
        prefetch_drop_all(&m->prefetches);   /* their handles are the old connection's */
        virt_events_unwatch(m->engine.conn);
        engine_close(&m->engine);
    }
    connect_libvirt(m);
}

static void on_virt_event(const VirtEvent *ev, void *userdata) {
    Manager *m = userdata;
    if (ev->type == VEV_DISCONNECTED) {
        if (!m->connected)
            return;
        log_warning("lost the connection to libvirt (reason %d); reconnecting", ev->detail);
        m->connected = false;
        prefetch_drop_all(&m->prefetches);
        m->reconnect_delay_s = 1;
        free(m->connect_error);
        m->connect_error = xasprintf("connection lost (reason %d)", ev->detail);
        summarize(m);
        request_status(m);
        uv_timer_start(&m->reconnect_timer, on_reconnect_timer, 1000, 0);
        return;
    }
    Object *o = find_object(m, ev->kind, ev->name);
    if (o)
        o->seq = ++m->seq;   /* the full pass's listing or an edit's prefetch, if any, is not for it */
    if (!o || !o->spec)
        return;   /* not ours */
    log_debug("%s %s: libvirt event %d", spec_kind_to_string(ev->kind), ev->name, ev->detail);
    object_due(o);
    schedule_kick(m, 50);
}

/* ------------------------------------------------------------------ timers and signals */

/* The periodic resync and SIGHUP walk the whole tree: a spec file the watcher saw written in
 * place and not yet closed keeps its last good version until the close names it again. */
static bool spec_being_written(const char *path, void *userdata) {
    const Manager *m = userdata;
    return watch_writing(m->watch, path);
}

static void on_specs_changed(void *userdata, char *const *paths, size_t n_paths) {
    Manager *m = userdata;
    rescan(m, paths, n_paths, false);
    kick(m);
    prefetch_sweep(&m->prefetches, prefetch_wanted, m);   /* read for a spec that did not change */
    request_status(m);
}

/* A spec file was renamed into place or closed after writing: while its burst settles, the
 * domains it declared are read for their passes (edit-prefetch.h). Not while a pass of one runs
 * (its end is an event of ours), nor for one another host has. */
static void on_spec_written(void *userdata, const char *path) {
    Manager *m = userdata;
    /* without metadata events a mark set by hand (another virtspec's reload) would go unseen;
     * with every thread of the pool busy (it has `concurrency`), a read would wait for one while
     * its domain's pass is held for it, and a queued pass could take the thread first */
    if (!m->connected || m->stopping || m->connecting || !virt_events_metadata_watched() ||
        m->in_flight >= m->cfg->concurrency)
        return;
    /* the domains of the file's version in force, by the store's file and the objects' order
     * (a walk over every object touched 10,000 of them, cold, at each edit) */
    const SpecFile *f = spec_store_find(&m->store, path);
    for (size_t i = 0; f && i < f->n_specs; i++) {   /* prefetch_start says when there are enough */
        if (f->specs[i]->kind != KIND_DOMAIN)
            continue;
        Object *o = find_object(m, KIND_DOMAIN, f->specs[i]->name);
        if (!o || !o->spec || o->in_flight || o->elsewhere || !streq(o->spec->file, path))
            continue;
        if (prefetch_start(&m->prefetches, &m->engine, o->name, m->seq)) {
            m->in_flight++;   /* stopping and a reconnect wait for it */
            m->n_prefetching++;   /* …but it takes no pass's place */
        }
    }
}

static void on_resync_timer(uv_timer_t *t) {
    Manager *m = t->data;
    if (watch_git_busy(m->watch)) { /* a checkout half-written: again in a second */
        log_debug("periodic resync: git is writing the checkout, again in 1 s");
        uv_timer_start(t, on_resync_timer, 1000, m->cfg->resync_interval_s * 1000ULL);
        return;
    }
    log_debug("periodic resync");
    watch_refresh(m->watch);
    rescan(m, NULL, 0, true);
    index_start(m);
    kick(m);
    request_status(m);
}

static void on_watchdog_timer(uv_timer_t *t) {
    sd_glue_watchdog();
}

static void on_sighup(uv_signal_t *s, int signum) {
    Manager *m = s->data;
    sd_glue_reloading();
    /* the configuration file first: a bad one is logged and the settings in force stay */
    if (daemon_config_reload(m->cfg) > 0) {
        m->engine.report_drift = m->cfg->report_drift;
        uv_timer_start(&m->resync_timer, on_resync_timer, m->cfg->resync_interval_s * 1000ULL,
                       m->cfg->resync_interval_s * 1000ULL);
        for (size_t i = 0; i < m->n_objects; i++)
            if (!m->objects[i]->spec && may_prune(m) && m->objects[i]->kind == KIND_DOMAIN)
                object_due(m->objects[i]);   /* prune newly on: the orphans go */
        log_info("configuration %s reread", strna(m->cfg->file));
    }
    log_info("reloading: rereading %s", m->cfg->specs_dir);
    watch_refresh(m->watch);
    m->relog_problems = true;
    rescan(m, NULL, 0, true);
    m->relog_problems = false;   /* also when the tree could not be read */
    index_start(m);
    kick(m);
    write_status(m);
    sd_glue_ready();
}

static void close_all(Manager *m) {
    uv_close((uv_handle_t *) &m->resync_timer, NULL);
    uv_close((uv_handle_t *) &m->reconnect_timer, NULL);
    uv_close((uv_handle_t *) &m->watchdog_timer, NULL);
    uv_close((uv_handle_t *) &m->kick_timer, NULL);
    uv_close((uv_handle_t *) &m->stop_timer, NULL);
    uv_close((uv_handle_t *) &m->fetch_timer, NULL);
    if (uv_is_active((uv_handle_t *) &m->status_timer))
        write_status(m);   /* the last word: what stopping left behind */
    uv_close((uv_handle_t *) &m->status_timer, NULL);
    uv_close((uv_handle_t *) &m->sig_hup, NULL);
    uv_close((uv_handle_t *) &m->sig_term, NULL);
    uv_close((uv_handle_t *) &m->sig_int, NULL);
    watch_close(m->watch);
    prefetch_drop_all(&m->prefetches);   /* none runs: stopping waited for them */
    free(m->prefetches.items);
    if (m->sync_watching)
        uv_close((uv_handle_t *) &m->sync_watch, NULL);
    virt_events_stop();
}

static void on_stop_check(uv_timer_t *t) {
    Manager *m = t->data;
    if (m->in_flight > 0)
        return;   /* finish in-flight libvirt calls first */
    uv_timer_stop(t);
    close_all(m);
}

static void on_sigterm(uv_signal_t *s, int signum) {
    Manager *m = s->data;
    if (m->stopping)
        return;
    m->stopping = true;
    __atomic_store_n(&m->cancel, true, __ATOMIC_RELAXED);
    sd_glue_stopping();
    free(m->stop_reason);
    m->stop_reason = xasprintf("waiting for %u reconcile%s in flight (waits for a guest's shutdown "
                               "are interrupted)", m->in_flight, m->in_flight == 1 ? "" : "s");
    summarize(m);
    log_info("stopping (%u reconcile%s in flight)", m->in_flight, m->in_flight == 1 ? "" : "s");
    uv_timer_stop(&m->resync_timer);
    uv_timer_stop(&m->kick_timer);
    uv_timer_start(&m->stop_timer, on_stop_check, 0, 100);
}

/* ------------------------------------------------------------------ main */

int daemon_run(DaemonConfig *cfg) {
    Manager m = { .cfg = cfg, .reconnect_delay_s = 1 };
    uv_loop_t *loop = uv_default_loop();
    m.loop = loop;

    if (!cfg->specs_dir)
        cfg->specs_dir = xstrdup(paths_default()->spec_dir);
    /* the watch names files as root + "/" + name, the walk as well: one spelling of the root */
    for (size_t l = strlen(cfg->specs_dir); l > 1 && cfg->specs_dir[l - 1] == '/'; l--)
        cfg->specs_dir[l - 1] = 0;
    /* a root spelled "." or ".." (`--specs .` in a checkout) has no name in its parent to watch
     * for a swap (watch.h): the watch saw it only as its own parent and dropped its events. Its
     * real path instead (by that spelling it is no symlink to be swapped) */
    const char *base = strrchr(cfg->specs_dir, '/');
    base = base ? base + 1 : cfg->specs_dir;
    char *real = streq(base, ".") || streq(base, "..") ? realpath(cfg->specs_dir, NULL) : NULL;
    if (real) {
        free(cfg->specs_dir);
        cfg->specs_dir = real;
    }
    if (!cfg->status_path)
        cfg->status_path = paths_status_file(true);
    char buf[16];
    size_t sz = sizeof(buf);
    if (uv_os_getenv("UV_THREADPOOL_SIZE", buf, &sz) == UV_ENOENT) {
        snprintf(buf, sizeof(buf), "%u", cfg->concurrency);
        uv_os_setenv("UV_THREADPOOL_SIZE", buf);
    }

    int r = virt_events_start(loop, on_virt_event, &m);
    if (r < 0)
        return log_error_errno(r, "cannot start the libvirt event loop");
    spec_store_init(&m.store, cfg->specs_dir);
    uv_timer_init(loop, &m.resync_timer);
    uv_timer_init(loop, &m.reconnect_timer);
    uv_timer_init(loop, &m.watchdog_timer);
    uv_timer_init(loop, &m.kick_timer);
    uv_timer_init(loop, &m.stop_timer);
    uv_timer_init(loop, &m.status_timer);
    uv_timer_init(loop, &m.fetch_timer);
    m.resync_timer.data = m.reconnect_timer.data = m.watchdog_timer.data = m.kick_timer.data =
        m.status_timer.data = m.stop_timer.data = m.fetch_timer.data = &m;
    uv_signal_init(loop, &m.sig_hup);
    uv_signal_init(loop, &m.sig_term);
    uv_signal_init(loop, &m.sig_int);
    m.sig_hup.data = m.sig_term.data = m.sig_int.data = &m;
    uv_signal_start(&m.sig_hup, on_sighup, SIGHUP);
    uv_signal_start(&m.sig_term, on_sigterm, SIGTERM);
    uv_signal_start(&m.sig_int, on_sigterm, SIGINT);

    watch_new(loop, cfg->specs_dir, cfg->debounce_ms, on_specs_changed, &m, &m.watch);
    m.prefetches = (Prefetches) { .loop = loop, .done = prefetch_done, .userdata = &m };
    /* tests: a hand change between the read and the pass; a pass waiting for a slow read */
    const char *age = getenv("VIRTSPEC_DEBUG_PREFETCH_AGE_MS"), *delay = getenv("VIRTSPEC_DEBUG_PREFETCH_DELAY_MS");
    m.prefetches.max_age_ms = age ? (unsigned) strtoul(age, NULL, 10) : 0;
    m.prefetches.delay_ms = delay ? (unsigned) strtoul(delay, NULL, 10) : 0;
    if (m.watch)
        watch_on_finished_write(m.watch, on_spec_written);
    watch_sync_status(&m, loop);
    m.store.writing = spec_being_written;
    m.store.writing_userdata = &m;
    rescan(&m, NULL, 0, true);
    log_info("watching %s (%zu director%s), %zu spec%s", cfg->specs_dir, watch_n_dirs(m.watch) - 1,
             watch_n_dirs(m.watch) == 2 ? "y" : "ies", m.current.n, m.current.n == 1 ? "" : "s");
    /* Ready means serving: the specs are loaded, status is written and edits are watched —
     * connected to libvirt or not (a libvirtd that is down must not become a start timeout and a
     * restart loop). STATUS= says from here on what the daemon does. */
    connect_libvirt(&m);
    write_status(&m);
    sd_glue_ready();
    log_info("virtspec ready: %s", strna(m.last_status));
    uv_timer_start(&m.resync_timer, on_resync_timer, cfg->resync_interval_s * 1000ULL,
                   cfg->resync_interval_s * 1000ULL);
    uint64_t wd = sd_glue_watchdog_usec();
    if (wd > 0)
        uv_timer_start(&m.watchdog_timer, on_watchdog_timer, 0, wd / 2000);

    uv_run(loop, UV_RUN_DEFAULT);

    if (m.engine.conn) {
        virt_events_unwatch(m.engine.conn);
        engine_close(&m.engine);
    }
    index_release(&m);
    for (size_t i = 0; i < m.n_objects; i++)
        object_free(m.objects[i]);
    free(m.objects);
    free(m.queue[0]);
    free(m.queue[1]);
    free(m.held);
    free(m.touched);
    free(m.last_status);
    free(m.connect_error);
    free(m.stop_reason);
    spec_set_clear(&m.current);
    diag_list_clear(&m.logged);
    spec_store_clear(&m.store);
    daemon_share_clear(&m.share);
    for (size_t i = 0; i < m.n_owned; i++)
        free(m.owned[i]);
    free(m.owned);
    r = uv_loop_close(loop);
    if (r < 0)
        log_debug("event loop closed with handles left: %s", uv_strerror(r));
    log_info("stopped");
    return 0;
}
