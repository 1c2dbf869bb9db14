/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <limits.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "status-json.h"
#include "util.h"

/* Every string of the status file through text_escape: a file name that is not UTF-8 would make
 * the document invalid JSON, a control character reach whoever prints it. */
static json_object *jstr(const char *s) {
    _cleanup_free_ char *e = text_escape(s);
    return json_object_new_string(e);
}

struct StatusDoc {
    json_object *root, *objects, *errors;
};

/* The actions as plan prints them (action_format). */
static json_object *actions_json(const Action *a, size_t n) {
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        _cleanup_free_ char *s = action_format(&a[i]);
        json_object_array_add(arr, jstr(s));
    }
    return arr;
}

static json_object *strv(char **v, size_t n) {
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(a, jstr(v[i]));
    return a;
}

static json_object *time_json(time_t t) {
    char buf[32];
    struct tm tm;
    if (t == 0)
        return NULL;
    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return jstr(buf);
}

StatusDoc *status_doc_new(const char *source) {
    StatusDoc *d = xmalloc0(sizeof(StatusDoc));
    d->root = json_object_new_object();
    d->objects = json_object_new_array();
    d->errors = json_object_new_array();
    /* docs/json.md: bump schema_version when a field changes meaning or goes away */
    json_object_object_add(d->root, "schema_version", json_object_new_int(STATUS_SCHEMA_VERSION));
    json_object_object_add(d->root, "command", json_object_new_string("status"));
    json_object_object_add(d->root, "source", jstr(source));
    json_object_object_add(d->root, "pid", json_object_new_int((int) getpid()));
    json_object_object_add(d->root, "generated", time_json(time(NULL)));
    json_object_object_add(d->root, "summary", json_object_new_string(""));
    json_object_object_add(d->root, "objects", d->objects);
    json_object_object_add(d->root, "spec_errors", d->errors);
    return d;
}

void status_doc_set_command(StatusDoc *d, const char *command) {
    json_object_object_add(d->root, "command", json_object_new_string(command));
}

static json_object *str_or_null(const char *s) {
    return s ? jstr(s) : NULL;
}

/* The actions field by field (docs/json.md, "Actions"): the Action as the engine decided it, for
 * scripts, with its display line as `text` (the same string as in `actions`). An action never
 * carries a secret: a password change is a diff entry (secret, values withheld), not an Action. */
static json_object *action_items_json(const Action *a, size_t n) {
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        json_object *j = json_object_new_object();
        _cleanup_free_ char *s = action_format(&a[i]);
        json_object_object_add(j, "op", json_object_new_string(action_op_to_string(a[i].op)));
        json_object_object_add(j, "kind", json_object_new_string(spec_kind_to_string(a[i].kind)));
        json_object_object_add(j, "object", str_or_null(a[i].object));
        json_object_object_add(j, "key", str_or_null(a[i].key));
        json_object_object_add(j, "from", str_or_null(a[i].from));
        json_object_object_add(j, "to", str_or_null(a[i].to));
        json_object_object_add(j, "class", a[i].op == ACTION_SET ?
                               json_object_new_string(change_class_to_string(a[i].cls)) : NULL);
        json_object_object_add(j, "reason", str_or_null(a[i].reason));
        json_object_object_add(j, "text", jstr(s));
        json_object_array_add(arr, j);
    }
    return arr;
}

static const char *const op_names[] = {
    [OP_SET] = "set", [OP_ADD] = "add", [OP_REMOVE] = "remove", [OP_UNMANAGED] = "unmanaged",
};

/* The changes, field by field; a secret's values are never written. */
static json_object *changes_json(const Diff *diff) {
    json_object *a = json_object_new_array();
    for (size_t k = 0; k < diff->n; k++) {
        const Change *c = &diff->items[k];
        if (c->op == OP_UNMANAGED)
            continue;
        json_object *j = json_object_new_object();
        json_object_object_add(j, "op", json_object_new_string(op_names[c->op]));
        json_object_object_add(j, "path", jstr(c->path));
        json_object_object_add(j, "old", c->secret ? NULL : str_or_null(c->old_value));
        json_object_object_add(j, "new", c->secret ? NULL : str_or_null(c->new_value));
        json_object_object_add(j, "class", json_object_new_string(change_class_to_string(c->cls)));
        json_object_object_add(j, "secret", json_object_new_boolean(c->secret));
        if (c->note)
            json_object_object_add(j, "note", jstr(c->note));
        json_object_array_add(a, j);
    }
    return a;
}

/* A base image downloading for the object: {url, done, total (null: unknown), rate}. */
static json_object *fetching_json(const StatusExtra *x) {
    if (!x->fetch_url)
        return NULL;
    json_object *j = json_object_new_object();
    json_object_object_add(j, "url", jstr(x->fetch_url));
    json_object_object_add(j, "done", json_object_new_int64((int64_t) x->fetch_done));
    json_object_object_add(j, "total", x->fetch_total ? json_object_new_int64((int64_t) x->fetch_total) : NULL);
    json_object_object_add(j, "rate", json_object_new_int64((int64_t) x->fetch_rate));
    return j;
}

static json_object *object_json(const ObjectResult *r, const StatusExtra *x) {
    static const StatusExtra none = {};
    json_object *j = json_object_new_object(), *fields = json_object_new_array();
    if (!x)
        x = &none;
    json_object_object_add(j, "kind", json_object_new_string(spec_kind_to_string(r->kind)));
    json_object_object_add(j, "name", jstr(r->name));
    json_object_object_add(j, "file", str_or_null(r->file));
    json_object_object_add(j, "line", json_object_new_int((int) r->line));
    json_object_object_add(j, "state", json_object_new_string(
                               x->orphan ? "orphaned" : sync_state_to_string(r->state)));
    for (size_t k = 0; k < r->diff.n; k++)
        if (r->diff.items[k].op != OP_UNMANAGED)
            json_object_array_add(fields, jstr(r->diff.items[k].path));
    json_object_object_add(j, "fields", fields);
    json_object_object_add(j, "changes", changes_json(&r->diff));
    json_object_object_add(j, "actions", actions_json(r->actions, r->n_actions));
    json_object_object_add(j, "action_items", action_items_json(r->actions, r->n_actions));
    json_object_object_add(j, "reload_pending", strv(r->pending, r->n_pending));
    json_object_object_add(j, "error", str_or_null(r->error));
    json_object_object_add(j, "health", json_object_new_string(
                               x->waiting ? "waiting" : r->error ? "failed" : r->n_pending ? "degraded" : "ok"));
    /* every field on every object, whatever its kind and whoever wrote it (docs/json.md) */
    json_object_object_add(j, "id", r->kind == KIND_DOMAIN && r->id >= 0 ? json_object_new_int(r->id) : NULL);
    json_object_object_add(j, "addresses", strv(r->addresses, r->n_addresses));
    json_object_object_add(j, "last_action", str_or_null(x->last_action));
    json_object_object_add(j, "last_action_time", time_json(x->last_action_time));
    json_object_object_add(j, "last_pass_time", time_json(x->last_pass_time));
    json_object_object_add(j, "failures", json_object_new_int((int) x->failures));
    json_object_object_add(j, "reconciling", json_object_new_boolean(x->reconciling));
    json_object_object_add(j, "fetching", fetching_json(x));
    json_object_object_add(j, "spec_error", str_or_null(x->spec_error));
    return j;
}

void status_doc_add(StatusDoc *d, const ObjectResult *r, const StatusExtra *x) {
    json_object_array_add(d->objects, object_json(r, x));
}

#define STATUS_FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

/* The element the objects' texts replace: the array's only string element (objects are JSON
 * objects), so no name or file can be mistaken for it. */
#define OBJECTS_MARKER_VALUE "@virtspec-objects@"
#define OBJECTS_MARKER "\"" OBJECTS_MARKER_VALUE "\""
/* json-c indents by two spaces a level; an element of "objects" is at level 2 */
#define OBJECT_INDENT 4

static void add_spaces(Buf *b, size_t n) {
    static const char spaces[] = "                                ";
    for (; n > 0; n -= n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1)
        buf_add(b, spaces, n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1);
}

/* text with every line after the first indented by n spaces (a JSON string never holds a raw
 * newline) */
static char *indent_lines(const char *text, size_t n) {
    Buf b = {};
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t) (nl - p + 1) : strlen(p);
        buf_add(&b, p, l);
        p += l;
        if (nl && *p)
            add_spaces(&b, n);
    }
    /* kept per object by the daemon (manager.c): not the buffer's doubled capacity */
    return b.p ? xrealloc(b.p, b.n + 1) : xstrdup("");
}

char *status_object_text(const ObjectResult *r, const StatusExtra *x) {
    json_object *j = object_json(r, x);
    char *text = indent_lines(json_object_to_json_string_ext(j, STATUS_FLAGS), OBJECT_INDENT);
    json_object_put(j);
    return text;
}

/* The entries most objects' entries are nearest to (status-pack.h): an in-sync domain's, and
 * the same after the pass that created it (until its next). */
static const char *pack_references[2];
static pthread_once_t pack_references_once = PTHREAD_ONCE_INIT;

static void make_pack_references(void) {
    Action create = { .op = ACTION_CREATE, .kind = KIND_DOMAIN, .object = (char *) "" };
    ObjectResult r = { .kind = KIND_DOMAIN, .name = "", .file = "", .line = 1, .state = SYNC_IN_SYNC,
                       .id = -1 };
    StatusExtra x = { .last_pass_time = 1 };
    pack_references[0] = status_object_text(&r, &x);
    r.actions = &create;
    r.n_actions = 1;
    _cleanup_free_ char *text = action_format(&create);
    x.last_action = text;
    x.last_action_time = 1;
    pack_references[1] = status_object_text(&r, &x);
}

StatusPack *status_object_pack(const ObjectResult *r, const StatusExtra *x) {
    pthread_once(&pack_references_once, make_pack_references);
    _cleanup_free_ char *text = status_object_text(r, x);
    return status_pack(text, pack_references, ELEMENTSOF(pack_references));
}

/* The pieces of the document's text (root: its text with the marker as the only element of
 * "objects") with the objects' texts where json-c would have printed the elements, joined by
 * ",\n" (the texts are indented for that place already): pointers into root and objects, no
 * copy (with ten thousand objects the document is megabytes), a batch at a time (no array of
 * every piece: that was 170 bytes an object while a write ran). */
typedef struct Pieces {
    const char *root, *line, *rest;     /* root's text up to line, and from rest */
    StatusPack *const *objects;
    size_t n, i;
    int stage;                          /* 0: the head, 1: objects, 2: the tail, 3: done */
} Pieces;

#define PIECES_BATCH 256

static Pieces pieces_start(const char *root, StatusPack *const *objects, size_t n) {
    const char *at = strstr(root, OBJECTS_MARKER);
    assert(at);
    const char *line = at;
    while (line > root && line[-1] != '\n')
        line--;
    assert(at - line == OBJECT_INDENT && sizeof(STATUS_PACK_LEAD) - 1 == 2 + OBJECT_INDENT);
    const char *rest = strchr(at, '\n');
    return (Pieces) { root, line, rest ? rest + 1 : at + strlen(at), objects, n, 0, 0 };
}

/* The next pieces into v (room for PIECES_BATCH): their number, 0 at the end. */
static size_t pieces_next(Pieces *p, struct iovec *v) {
    size_t k = 0;
    if (p->stage == 0) {
        v[k++] = (struct iovec) { (void *) p->root, (size_t) (p->line - p->root) };
        p->stage = 1;
    }
    while (p->stage == 1 && p->i < p->n &&
           k + status_pack_n_pieces(p->objects[p->i]) <= PIECES_BATCH) {
        size_t first = k;
        k += status_pack_pieces(p->objects[p->i], pack_references, v + k);
        if (p->i++ == 0) {   /* no separator before the first */
            v[first].iov_base = (char *) v[first].iov_base + 2;
            v[first].iov_len -= 2;
        }
    }
    if (p->stage == 1 && p->i == p->n && k + 2 <= PIECES_BATCH) {
        if (p->n > 0)   /* a newline after the last */
            v[k++] = (struct iovec) { (void *) "\n", 1 };
        v[k++] = (struct iovec) { (void *) p->rest, strlen(p->rest) };
        p->stage = 3;
    }
    assert(k > 0 || p->stage == 3);   /* an entry of more pieces than a batch would end the file here */
    return k;
}

static char *root_with_marker(StatusDoc *d) {
    json_object_array_add(d->objects, json_object_new_string(OBJECTS_MARKER_VALUE));
    char *text = status_doc_to_string(d);
    json_object_array_del_idx(d->objects, json_object_array_length(d->objects) - 1, 1);
    return text;
}

char *status_doc_to_string_with(StatusDoc *d, StatusPack *const *objects, size_t n) {
    _cleanup_free_ char *root = root_with_marker(d);
    Buf b = {};
    struct iovec v[PIECES_BATCH];
    Pieces p = pieces_start(root, objects, n);
    for (size_t k; (k = pieces_next(&p, v)) > 0;)
        for (size_t i = 0; i < k; i++)
            buf_add(&b, v[i].iov_base, v[i].iov_len);
    return b.p ? b.p : xstrdup("");
}

void status_doc_add_diags(StatusDoc *d, const DiagList *diags) {
    for (size_t i = 0; i < diags->n; i++) {
        const Diag *g = &diags->items[i];
        const char *file;
        unsigned line;
        _cleanup_free_ char *msg = diag_shown(g, &file, &line);   /* a template's line */
        json_object *j = json_object_new_object();
        json_object_object_add(j, "file", jstr(file));
        json_object_object_add(j, "line", json_object_new_int((int) line));
        json_object_object_add(j, "column", json_object_new_int((int) g->col));
        json_object_object_add(j, "level", jstr(g->level == DIAG_ERROR ? "error" : "warning"));
        json_object_object_add(j, "message", jstr(msg));
        json_object_array_add(d->errors, j);
    }
}

void status_doc_add_blast_radius(StatusDoc *d, const BlastRadius *b) {
    json_object *arr = json_object_new_array();
    for (size_t x = 0; x < b->n; x++) {
        const BlastTemplate *t = &b->items[x];
        json_object *j = json_object_new_object();
        json_object_object_add(j, "template", jstr(t->tmpl));
        json_object_object_add(j, "file", jstr(t->file));
        json_object_object_add(j, "kind", jstr(spec_kind_to_string(t->kind)));
        json_object_object_add(j, "count", json_object_new_int64((int64_t) t->n_objects));
        json_object_object_add(j, "live", json_object_new_int64((int64_t) t->live));
        json_object_object_add(j, "reload_pending", json_object_new_int64((int64_t) t->pending));
        json_object_object_add(j, "restart", json_object_new_int64((int64_t) t->restart));
        json_object_object_add(j, "at_next_start", json_object_new_int64((int64_t) t->off));
        json_object_object_add(j, "objects", strv(t->objects, t->n_objects));
        json_object_object_add(j, "restarting", strv(t->restarting, t->n_restarting));
        json_object_array_add(arr, j);
    }
    json_object_object_add(d->root, "blast_radius", arr);
}

void status_doc_set_counts(StatusDoc *d, const char *summary) {
    json_object_object_add(d->root, "summary", jstr(summary));
}

void status_doc_set_placed_elsewhere(StatusDoc *d, size_t n) {
    json_object_object_add(d->root, "placed_elsewhere", json_object_new_int64((int64_t) n));
}

void status_doc_set_fleet(StatusDoc *d, const char *host, const char *revision) {
    if (host)
        json_object_object_add(d->root, "host", jstr(host));
    if (revision)
        json_object_object_add(d->root, "revision", jstr(revision));
}

char *status_json_text(json_object *root) {
    return xasprintf("%s\n", json_object_to_json_string_ext(root, STATUS_FLAGS));
}

char *status_doc_to_string(StatusDoc *d) {
    return status_json_text(d->root);
}

json_object *status_doc_json(StatusDoc *d) {
    return d->root;
}

/* Writes all of v to fd (v is consumed). */
static int write_all(int fd, struct iovec *v, size_t n_v) {
    while (n_v > 0) {
        ssize_t k = writev(fd, v, (int) (n_v < IOV_MAX ? n_v : IOV_MAX));
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -errno;
        size_t done = (size_t) k;
        while (n_v > 0 && done >= v->iov_len) {
            done -= v->iov_len;
            v++;
            n_v--;
        }
        if (n_v > 0 && done > 0) {   /* a short write: the rest of this piece */
            v->iov_base = (char *) v->iov_base + done;
            v->iov_len -= done;
        }
    }
    return 0;
}

/* path replaced atomically (temporary file + rename, mode 0644) by the pieces v (n_v), or by
 * those p gives, batch by batch, when p is set */
static int write_file(const char *path, struct iovec *v, size_t n_v, Pieces *p) {
    _cleanup_free_ char *tmp = xasprintf("%s.tmp.%d", path, (int) getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    fchmod(fd, 0644);
    int r = p ? 0 : write_all(fd, v, n_v);
    struct iovec batch[PIECES_BATCH];
    for (size_t k; p && r == 0 && (k = pieces_next(p, batch)) > 0;)
        r = write_all(fd, batch, k);
    if (r < 0) {
        close(fd);
        unlink(tmp);
        return r;
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        r = -errno;
        unlink(tmp);
        return r;
    }
    return 0;
}

static int write_pieces(struct iovec *v, size_t n_v, const char *path) {
    return write_file(path, v, n_v, NULL);
}

static json_object *host_row_json(const HostStatusRow *h) {
    json_object *j = json_object_new_object();
    json_object_object_add(j, "name", json_object_new_string(h->name));
    json_object_object_add(j, "uri", json_object_new_string(h->uri));
    json_object_object_add(j, "status_file", json_object_new_string(h->status_file));
    json_object_object_add(j, "state", json_object_new_string(h->pid > 0 ? "running" : "restarting"));
    json_object_object_add(j, "pid", h->pid > 0 ? json_object_new_int(h->pid) : NULL);
    json_object_object_add(j, "restart_at",
                           h->pid > 0 ? NULL : json_object_new_int64((int64_t) h->restart_at));
    _cleanup_free_ char *last = h->last_exit < 0 ? NULL
        : WIFEXITED(h->last_exit) ? xasprintf("exit %d", WEXITSTATUS(h->last_exit))
                                  : xasprintf("signal %d", WTERMSIG(h->last_exit));
    json_object_object_add(j, "last_exit", last ? json_object_new_string(last) : NULL);
    return j;
}

int status_hosts_write(const HostStatusRow *rows, size_t n, const char *path) {
    json_object *root = json_object_new_object(), *hosts = json_object_new_array();
    json_object_object_add(root, "schema_version", json_object_new_int(STATUS_SCHEMA_VERSION));
    json_object_object_add(root, "command", json_object_new_string("daemon"));
    json_object_object_add(root, "all_hosts", json_object_new_boolean(true));
    json_object_object_add(root, "pid", json_object_new_int((int) getpid()));
    for (size_t i = 0; i < n; i++)
        json_object_array_add(hosts, host_row_json(&rows[i]));
    json_object_object_add(root, "hosts", hosts);
    _cleanup_free_ char *text = status_json_text(root);
    json_object_put(root);
    struct iovec v = { .iov_base = text, .iov_len = strlen(text) };
    return write_pieces(&v, 1, path);
}

int status_doc_write(StatusDoc *d, const char *path) {
    _cleanup_free_ char *text = status_doc_to_string(d);
    struct iovec v = { text, strlen(text) };
    return write_pieces(&v, 1, path);
}

int status_doc_write_with(StatusDoc *d, StatusPack *const *objects, size_t n, const char *path) {
    _cleanup_free_ char *root = root_with_marker(d);
    Pieces p = pieces_start(root, objects, n);
    return write_file(path, NULL, 0, &p);
}

void status_doc_free(StatusDoc *d) {
    if (!d)
        return;
    json_object_put(d->root);
    free(d);
}
