/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `virtspec status` while a daemon runs: its status file is the truth (it also knows orphans,
 * retries, last actions). With `daemon --all-hosts` (docs/fleet.md, agentless mode) the status
 * file is the supervisor's: a row per Host naming that Host's child and its own status file
 * (status-NAME.json); status shows each of those in turn, and a child that is not running as
 * such (docs/json.md). */
#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "paths.h"
#include "status-daemon.h"
#include "status-json.h"
#include "status-table.h"

int status_exit_of(const char *state) {
    if (streq(state, "in-sync"))
        return 0;
    if (streq(state, "failed") || streq(state, "foreign-conflict"))
        return 1;
    return 2;
}

int status_exit_worst(int a, int b) {
    return a == 1 || b == 1 ? 1 : a == 2 || b == 2 ? 2 : 0;
}

static bool pid_runs(json_object *root) {
    json_object *pid;
    return json_object_object_get_ex(root, "pid", &pid) && json_object_get_int(pid) > 0 &&
           kill(json_object_get_int(pid), 0) == 0;
}

static bool is_true(json_object *root, const char *key) {
    json_object *v;
    return json_object_object_get_ex(root, key, &v) && json_object_get_boolean(v);
}

/* The status file at path of a daemon that runs (a per-host daemon's, or the supervisor's with
 * all_hosts): -ENOENT no file, -EINVAL not JSON, -ESRCH its daemon is gone. *ret_text: as read. */
static int doc_load(const char *path, json_object **ret, char **ret_text) {
    _cleanup_free_ char *buf = NULL, *msg = NULL;
    size_t len;
    if (spec_read_file(path, &buf, &len, &msg) < 0)
        return -ENOENT;
    json_object *root = json_tokener_parse(buf);
    if (!root)
        return -EINVAL;
    json_object *objs;
    if (!pid_runs(root) || (!is_true(root, "all_hosts") && !json_object_object_get_ex(root, "objects", &objs))) {
        json_object_put(root);
        return -ESRCH;
    }
    *ret = root;
    if (ret_text)
        *ret_text = TAKE_PTR(buf);
    return 0;
}

/* Keeps the objects sel names (status web1); returns the document's exit code. */
static int doc_select(json_object *root, Selection *sel) {
    json_object *objs, *v;
    json_object_object_get_ex(root, "objects", &objs);
    if (sel->active) {
        json_object *kept = json_object_new_array();
        for (size_t i = 0; i < json_object_array_length(objs); i++) {
            json_object *j = json_object_array_get_idx(objs, i), *k, *n;
            if (json_object_object_get_ex(j, "kind", &k) && json_object_object_get_ex(j, "name", &n) &&
                selection_has(sel, spec_kind_from_string(json_object_get_string(k)), json_object_get_string(n)))
                json_object_array_add(kept, json_object_get(j));
        }
        json_object_object_add(root, "objects", kept);
        objs = kept;
    }
    int code = 0;
    json_object *errs;
    if (!sel->active && json_object_object_get_ex(root, "spec_errors", &errs))
        for (size_t i = 0; i < json_object_array_length(errs); i++)
            if (json_object_object_get_ex(json_object_array_get_idx(errs, i), "level", &v) &&
                streq(json_object_get_string(v), "error"))
                code = 1;   /* a rejected spec file (its last good version may be in force) */
    for (size_t i = 0; i < json_object_array_length(objs); i++) {
        json_object *j = json_object_array_get_idx(objs, i);
        if (json_object_object_get_ex(j, "state", &v))
            code = status_exit_worst(code, status_exit_of(json_object_get_string(v)));
        if (json_object_object_get_ex(j, "spec_error", &v) && json_object_get_string(v))
            code = 1;
    }
    return code;
}

static const char *or_empty(const char *s) {
    return s ? s : "";
}

static const char *str_of(json_object *j, const char *key) {
    json_object *v;
    return json_object_object_get_ex(j, key, &v) && v ? json_object_get_string(v) : NULL;
}

/* "restarting at 12:00:04 (last exit 1)" for a host whose child does not run */
static char *host_not_running(json_object *h) {
    json_object *at;
    char clock[16] = "?";
    if (json_object_object_get_ex(h, "restart_at", &at) && at) {
        time_t t = (time_t) json_object_get_int64(at);
        struct tm tm;
        strftime(clock, sizeof(clock), "%H:%M:%S", localtime_r(&t, &tm));
    }
    const char *last = str_of(h, "last_exit");
    return xasprintf("its daemon is not running: restarting at %s%s%s%s", clock,
                     last ? " (last " : "", or_empty(last), last ? ")" : "");
}

/* One Host's child of the supervisor: its status file shown (text) or added to hosts (JSON);
 * returns its exit code. */
static int show_host(const CliOpts *o, json_object *h, Selection *sel, json_object *hosts) {
    const char *name = strna(str_of(h, "name")), *file = str_of(h, "status_file");
    json_object *doc = NULL;
    int code;
    _cleanup_free_ char *why = NULL;
    bool starting = streq_ptr(str_of(h, "state"), "running");
    if (!file || doc_load(file, &doc, NULL) < 0 || is_true(doc, "all_hosts"))
        why = starting ? xstrdup("its daemon is starting (no status yet)") : host_not_running(h);
    if (why)
        code = starting ? 2 : 1;   /* starting: work left; restarting: a failure */
    else
        code = doc_select(doc, sel);
    if (o->json) {
        json_object *j = json_object_new_object();
        json_object_object_add(j, "name", json_object_new_string(name));
        json_object_object_add(j, "uri", json_object_new_string(or_empty(str_of(h, "uri"))));
        json_object_object_add(j, "status_file", file ? json_object_new_string(file) : NULL);
        json_object_object_add(j, "error", why ? json_object_new_string(why) : NULL);
        json_object_object_add(j, "status", why ? NULL : json_object_get(doc));
        json_object_array_add(hosts, j);
    } else {
        printf("== %s (%s)%s%s\n", name, or_empty(str_of(h, "uri")), why ? ": " : "", or_empty(why));
        if (!why && sel->active)   /* the files' errors are not the named objects' business */
            json_object_object_del(doc, "spec_errors");
        if (!why)
            status_table_print(doc);
    }
    json_object_put(doc);
    return code;
}

/* The supervisor's file: every Host's child in turn. */
static int show_hosts(const CliOpts *o, json_object *root, Selection *sel) {
    json_object *list, *hosts = o->json ? json_object_new_array() : NULL;
    int code = 0;
    json_object_object_get_ex(root, "hosts", &list);
    size_t n = list ? json_object_array_length(list) : 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && !o->json)
            printf("\n");
        code = status_exit_worst(code, show_host(o, json_object_array_get_idx(list, i), sel, hosts));
    }
    if (n == 0 && !o->json)
        printf("no `kind: Host` with a uri in the tree: no host is driven\n");
    if (o->json) {
        json_object *out = json_object_new_object();
        json_object_object_add(out, "schema_version", json_object_new_int(STATUS_SCHEMA_VERSION));
        json_object_object_add(out, "command", json_object_new_string("status"));
        json_object_object_add(out, "all_hosts", json_object_new_boolean(true));
        json_object_object_add(out, "hosts", hosts);
        _cleanup_free_ char *text = status_json_text(out);
        fputs(text, stdout);
        json_object_put(out);
    }
    return code;
}

int status_from_daemon(const CliOpts *o, int *exit_code) {
    _cleanup_free_ char *path = o->status_file ? xstrdup(o->status_file) : paths_status_file(false);
    _cleanup_free_ char *text = NULL;
    json_object *root = NULL;
    int r = o->n_paths > 0 ? -ENOENT : doc_load(path, &root, &text);
    if (r < 0)
        return r;
    _cleanup_(selection_clear) Selection sel = {};
    if (selection_parse_targets(o, &sel) > 0) {
        json_object_put(root);
        *exit_code = 1;
        return 0;
    }
    bool all = is_true(root, "all_hosts");
    int code = all ? show_hosts(o, root, &sel) : doc_select(root, &sel);
    if (sel.active && selection_report_unused(&sel) > 0)
        code = 1;
    else if (!all && o->json) {
        _cleanup_free_ char *selected = sel.active ? status_json_text(root) : NULL;
        fputs(selected ? selected : text, stdout);
    } else if (!all) {
        if (sel.active)   /* the files' errors are not the named objects' business */
            json_object_object_del(root, "spec_errors");
        status_table_print(root);
    }
    json_object_put(root);
    *exit_code = code;
    return 0;
}
