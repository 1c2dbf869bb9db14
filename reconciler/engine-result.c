/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>

#include "engine-result.h"

static const char *const sync_names[_SYNC_MAX] = {
    [SYNC_IN_SYNC] = "in-sync",
    [SYNC_DRIFTED] = "drifted",
    [SYNC_RELOAD_PENDING] = "reload-pending",
    [SYNC_FAILED] = "failed",
    [SYNC_MISSING] = "missing",
    [SYNC_FOREIGN_CONFLICT] = "foreign-conflict",
};

const char *sync_state_to_string(SyncState s) {
    return s >= 0 && s < _SYNC_MAX ? sync_names[s] : NULL;
}

static void strv_free(char **v, size_t n) {
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void object_result_clear(ObjectResult *r) {
    free(r->name);
    free(r->file);
    diff_clear(&r->diff);
    actions_free(r->actions, r->n_actions);
    strv_free(r->pending, r->n_pending);
    strv_free(r->addresses, r->n_addresses);
    free(r->error);
    free(r->deferred);
    diag_list_clear(&r->diags);
    *r = (ObjectResult) {};
}

Action *action_add(ObjectResult *r, ActionOp op, const char *key, const char *fmt, ...) {
    Action *a = array_push(&r->actions, &r->n_actions, sizeof(Action));
    *a = (Action) { .op = op, .kind = r->kind, .object = r->name ? xstrdup(r->name) : NULL,
                    .key = key ? xstrdup(key) : NULL };
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&a->reason, fmt, ap) < 0)
            abort();
        va_end(ap);
    }
    return a;
}

void action_add_copy(ObjectResult *r, const Action *a) {
    Action *c = action_add(r, a->op, a->key, NULL);
    c->cls = a->cls;
    c->from = a->from ? xstrdup(a->from) : NULL;
    c->to = a->to ? xstrdup(a->to) : NULL;
    c->reason = a->reason ? xstrdup(a->reason) : NULL;
}

void action_add_set(ObjectResult *r, const char *key, const char *from, const char *to,
                    ChangeClass cls, const char *note) {
    Action *a = action_add(r, ACTION_SET, key, NULL);
    a->reason = note ? xstrdup(note) : NULL;
    a->cls = cls;
    a->from = from ? xstrdup(from) : NULL;
    a->to = to ? xstrdup(to) : NULL;
}

void add_pending(ObjectResult *r, const char *path) {
    for (size_t i = 0; i < r->n_pending; i++)
        if (streq(r->pending[i], path))
            return;
    *(char **) array_push(&r->pending, &r->n_pending, sizeof(char *)) = xstrdup(path);
}

void clear_actions(ObjectResult *r) {
    actions_free(r->actions, r->n_actions);
    r->actions = NULL;
    r->n_actions = 0;
}

void clear_pending(ObjectResult *r) {
    strv_free(r->pending, r->n_pending);
    r->pending = NULL;
    r->n_pending = 0;
}

static int vfail(ObjectResult *r, const Value *v, const char *fmt, va_list ap) _printf_(3, 0);
static int vfail(ObjectResult *r, const Value *v, const char *fmt, va_list ap) {
    char *s;
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    if (v)
        diag_add(&r->diags, DIAG_ERROR, r->file, v->line, v->col, "%s", s);
    if (!r->error)
        r->error = s;
    else {
        char *n = xasprintf("%s; %s", r->error, s);
        free(r->error);
        free(s);
        r->error = n;
    }
    r->state = SYNC_FAILED;
    return -EIO;
}

int fail(ObjectResult *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int ret = vfail(r, NULL, fmt, ap);
    va_end(ap);
    return ret;
}

int fail_at(ObjectResult *r, const Value *v, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int ret = vfail(r, v, fmt, ap);
    va_end(ap);
    return ret;
}
