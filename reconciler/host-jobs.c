/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "fleet-peers.h"
#include "git.h"
#include "host-jobs.h"

unsigned host_jobs_timeout(unsigned dflt) {
    return fleet_timeout_env(dflt);
}

char **host_job_argv(const CliOpts *o, char *self, const char *const *head, const char *host,
                     const char *uri, size_t first) {
    size_t n_head = 0;
    while (head[n_head])
        n_head++;
    char **argv = xmalloc0((o->n_paths + n_head + 16) * sizeof(char *));
    size_t n = 0;
    argv[n++] = self;
    for (size_t i = 0; i < n_head; i++)
        argv[n++] = (char *) head[i];
    argv[n++] = (char *) "--host";
    argv[n++] = (char *) host;
    if (o->config) {
        argv[n++] = (char *) "--config";
        argv[n++] = (char *) o->config;
    }
    if (o->relaxed_perms)
        argv[n++] = (char *) "--insecure-spec-perms";
    if (uri) {
        argv[n++] = (char *) "-c";
        argv[n++] = (char *) uri;
    }
    argv[n++] = (char *) "--";   /* a path that starts with '-' is a path */
    for (size_t i = first; i < o->n_paths; i++)
        argv[n++] = o->paths[i];
    return argv;
}

/* The jobs, shared by the workers: each takes the next index. */
typedef struct Queue {
    HostJob *jobs;
    size_t n, next;
    unsigned timeout_s;
    HostJobDone done;
    void *userdata;
} Queue;

static void *queue_worker(void *arg) {
    Queue *q = arg;
    for (size_t i; (i = __atomic_fetch_add(&q->next, 1, __ATOMIC_SEQ_CST)) < q->n;) {
        HostJob *j = &q->jobs[i];
        if (!j->argv)
            continue;
        j->rc = run_argv((const char *const *) j->argv, j->env, q->timeout_s, &j->out, &j->err);
        if (q->done)
            q->done(i, q->userdata);
    }
    return NULL;
}

void host_jobs_run(HostJob *jobs, size_t n, unsigned timeout_s, HostJobDone done, void *userdata) {
    Queue q = { .jobs = jobs, .n = n, .timeout_s = timeout_s, .done = done, .userdata = userdata };
    size_t want = n < HOST_JOBS ? n : HOST_JOBS, started = 0;
    pthread_t th[HOST_JOBS];
    fflush(stdout);
    fflush(stderr);
    run_argv_forward_signals();
    for (size_t i = 0; i < n; i++)
        jobs[i].rc = -1;
    while (started < want && pthread_create(&th[started], NULL, queue_worker, &q) == 0)
        started++;
    if (started == 0)
        queue_worker(&q);   /* no thread: one after the other, here */
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
}

void host_jobs_clear(HostJob *jobs, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(jobs[i].argv);
        free(jobs[i].out);
        free(jobs[i].err);
        jobs[i] = (HostJob) {};
    }
}
