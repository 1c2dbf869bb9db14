/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "blast-notice.h"
#include "engine.h"
#include "log.h"
#include "provenance.h"

typedef struct Notice {
    uv_work_t req;
    Engine engine;
    Spec **specs;
    size_t n;
    ObjectResult *results;
    void (*done)(void *userdata);
    void *userdata;
} Notice;

static void notice_run(uv_work_t *req) {
    Notice *x = req->data;
    for (size_t i = 0; i < x->n; i++)
        engine_reconcile(&x->engine, x->specs[i], &x->results[i]);
}

static void notice_done(uv_work_t *req, int status) {
    Notice *x = req->data;
    _cleanup_(blast_radius_clear) BlastRadius b = {};
    for (size_t i = 0; i < x->n && status == 0; i++)
        blast_radius_add(&b, x->specs[i], &x->results[i]);
    for (size_t t = 0; t < b.n; t++) {
        _cleanup_free_ char *line = blast_radius_restart_line(&b.items[t]);
        if (line)
            log_notice("%s", line);
    }
    for (size_t i = 0; i < x->n; i++) {
        object_result_clear(&x->results[i]);
        spec_unref(x->specs[i]);
    }
    free(x->results);
    free(x->specs);
    x->done(x->userdata);
    free(x);
}

void blast_notice_start(uv_loop_t *loop, const Engine *e, Spec **specs, size_t n,
                        void (*done)(void *userdata), void *userdata) {
    Notice *x = xmalloc0(sizeof(Notice));
    x->req.data = x;
    x->engine = *e;
    x->engine.apply = false;   /* a plan: nothing is changed */
    x->specs = specs;
    x->n = n;
    x->results = xmalloc0((n + 1) * sizeof(ObjectResult));
    x->done = done;
    x->userdata = userdata;
    uv_queue_work(loop, &x->req, notice_run, notice_done);
}
