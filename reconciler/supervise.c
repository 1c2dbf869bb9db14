/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "paths.h"
#include "placement.h"
#include "sd-glue.h"
#include "status-json.h"
#include "supervise.h"
#include "util.h"

/* `virtspec daemon --all-hosts` (all_hosts = true; docs/fleet.md, agentless mode): one service
 * for every `kind: Host` with a uri, each driven by its own `virtspec daemon --host NAME -c URI`
 * child — the per-host daemon itself, so the share, the passes and the status are the same as on
 * the host, and one host's libvirt trouble (a hung connection, a crash of its RPC client) stays in
 * its own process. Each child has its own status file (status-NAME.json beside status.json), is
 * restarted with a backoff when it dies, and gets SIGTERM when this process stops or dies
 * (PR_SET_PDEATHSIG). The Host documents are read again every SUPERVISE_INTERVAL seconds and on
 * SIGHUP: a new Host gets a child, a removed one (or one whose uri changed) is stopped. A tree with
 * a refused file only adds children: a Host of a refused file is not taken as gone. The configured
 * status file is this process's: its pid and each child's state and status file, which is what
 * `virtspec status` shows (status-daemon.c); a removed Host's status file goes with its child. */

#define SUPERVISE_INTERVAL 60    /* seconds (a whole tree read: a reload reads it at once); VIRTSPEC_SUPERVISE_INTERVAL overrides it */
#define SUPERVISE_BACKOFF_MAX 60 /* seconds between restarts of a child that keeps dying */
#define SUPERVISE_STOP_WAIT 25   /* seconds the children get to stop before SIGKILL (the unit's
                                  * TimeoutStopSec= is 30 s) */

typedef struct Child {
    char *name, *uri;
    pid_t pid;                  /* 0: not running */
    bool gone;                  /* its Host left the tree (or changed uri): stopped, not restarted */
    unsigned backoff;           /* seconds before the next restart */
    time_t started, restart_at;
    int last_exit;              /* the wait status of its last end; -1: none yet */
} Child;

typedef struct Super {
    const CliOpts *o;
    char *self;
    Child *c;
    size_t n;
    char *status;               /* the STATUS= said last */
    char *status_path;          /* this process's status file (status.json) */
    bool dirty;                 /* a child started or ended since the status file was written */
} Super;

static unsigned interval(void) {
    const char *v = getenv("VIRTSPEC_SUPERVISE_INTERVAL");
    unsigned long t = v ? strtoul(v, NULL, 10) : 0;
    return t > 0 && t < 86400 ? (unsigned) t : SUPERVISE_INTERVAL;
}

/* status-NAME.json beside the configured status file */
static char *child_status_path(const CliOpts *o, const char *name) {
    _cleanup_free_ char *dflt = o->cfg->status_path ? NULL : paths_status_file(false);
    const char *p = o->cfg->status_path ? o->cfg->status_path : dflt;
    const char *dot = strrchr(p, '.'), *slash = strrchr(p, '/');
    size_t stem = dot && (!slash || dot > slash) ? (size_t) (dot - p) : strlen(p);
    return xasprintf("%.*s-%s.json", (int) stem, p, name);
}

static void child_exec(const Super *s, const Child *c) {
    const CliOpts *o = s->o;
    _cleanup_free_ char *status = child_status_path(o, c->name);
    _cleanup_free_ char *env = xasprintf("VIRTSPEC_AGENTLESS=%s", c->name);
    const char *argv[24];
    size_t n = 0;
    argv[n++] = s->self;
    argv[n++] = "daemon";
    argv[n++] = "--host";
    argv[n++] = c->name;
    argv[n++] = "-c";
    argv[n++] = c->uri;
    argv[n++] = "--status-file";
    argv[n++] = status;
    argv[n++] = "--specs";
    argv[n++] = o->cfg->specs_dir ? o->cfg->specs_dir : paths_default()->spec_dir;
    if (o->config) {
        argv[n++] = "--config";
        argv[n++] = o->config;
    }
    if (o->relaxed_perms)
        argv[n++] = "--insecure-spec-perms";
    if (o->drift) {
        argv[n++] = "--drift";
        argv[n++] = o->drift;
    }
    if (o->prune)
        argv[n++] = "--prune";
    argv[n] = NULL;
    prctl(PR_SET_PDEATHSIG, SIGTERM);   /* this process gone (even SIGKILL): the child stops */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    putenv(env);
    /* systemd hears the supervisor only: READY=, STATUS= and the watchdog are its */
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    execv(s->self, (char *const *) argv);
    fprintf(stderr, "virtspec: cannot run %s: %m\n", s->self);
    _exit(127);
}

static void child_start(Super *s, Child *c) {
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        log_error_errno(-errno, "host %s: cannot start its daemon", c->name);
        c->restart_at = time(NULL) + c->backoff;
        return;
    }
    if (pid == 0)
        child_exec(s, c);
    c->pid = pid;
    s->dirty = true;
    c->started = time(NULL);
    log_info("host %s: daemon started (pid %d, %s)", c->name, (int) pid, c->uri);
}

static Child *child_find(Super *s, const char *name) {
    for (size_t i = 0; i < s->n; i++)
        if (streq(s->c[i].name, name))
            return &s->c[i];
    return NULL;
}

/* Another child than `not` of this name that is not gone (a Host whose uri changed: its new one). */
static bool child_find_live(Super *s, const char *name, const Child *not) {
    for (size_t i = 0; i < s->n; i++)
        if (&s->c[i] != not && !s->c[i].gone && streq(s->c[i].name, name))
            return true;
    return false;
}

/* The Hosts with a uri of the tree: children for the new ones, the gone ones stopped. */
static void read_hosts(Super *s) {
    _cleanup_(spec_set_clear) SpecSet set = {};
    char *dir = (char *) (s->o->cfg->specs_dir ? s->o->cfg->specs_dir : paths_default()->spec_dir);
    spec_load_paths(&set, &dir, 1);
    bool whole = set.n_bad_files == 0 && !set.incomplete;
    for (size_t i = 0; i < s->n; i++) {
        const HostSpec *h = spec_set_find_host(&set, s->c[i].name);
        bool keep = h ? h->uri.set && streq(h->uri.s, s->c[i].uri) : !whole;
        if (!keep && !s->c[i].gone) {
            log_info("host %s: %s: its daemon is stopped", s->c[i].name,
                     h ? "its uri changed or was removed" : "no `kind: Host` document names it now");
            s->c[i].gone = true;
            if (s->c[i].pid > 0)
                kill(s->c[i].pid, SIGTERM);
        }
    }
    for (size_t i = 0; i < set.n_hosts; i++) {
        const HostSpec *h = set.hosts[i];
        Child *c = child_find(s, h->name.s);
        if (!h->uri.set || (c && !c->gone))
            continue;
        if (c)   /* stopping still (a changed uri): started again once it has ended */
            continue;
        c = array_push(&s->c, &s->n, sizeof(Child));
        *c = (Child) { .name = xstrdup(h->name.s), .uri = xstrdup(h->uri.s), .backoff = 1,
                       .last_exit = -1 };
    }
}

/* A child ended: dropped when its Host is gone, else restarted after its backoff. */
static void child_ended(Super *s, pid_t pid, int status) {
    for (size_t i = 0; i < s->n; i++) {
        Child *c = &s->c[i];
        if (c->pid != pid)
            continue;
        c->pid = 0;
        s->dirty = true;
        c->last_exit = status;
        time_t now = time(NULL);
        if (now - c->started >= SUPERVISE_BACKOFF_MAX)
            c->backoff = 1;   /* it ran a while: a fresh failure */
        if (!c->gone) {
            if (WIFEXITED(status) && WEXITSTATUS(status) == 78)
                c->backoff = SUPERVISE_BACKOFF_MAX;   /* EX_CONFIG: every start meets it again */
            c->restart_at = now + c->backoff;
            log_warning("host %s: daemon ended (%s %d): restarted in %u s", c->name,
                        WIFEXITED(status) ? "exit" : "signal",
                        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), c->backoff);
            c->backoff = c->backoff * 2 > SUPERVISE_BACKOFF_MAX ? SUPERVISE_BACKOFF_MAX : c->backoff * 2;
        }
        return;
    }
}

static void reap(Super *s) {
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        child_ended(s, pid, status);
}

/* Gone children that have ended leave the list; the others due are (re)started. */
static void tend(Super *s) {
    size_t k = 0;
    time_t now = time(NULL);
    for (size_t i = 0; i < s->n; i++) {
        Child *c = &s->c[i];
        if (c->gone && c->pid == 0) {
            _cleanup_free_ char *f = child_status_path(s->o, c->name);
            if (!child_find_live(s, c->name, c))
                unlink(f);   /* status shows no host the tree no longer has */
            free(c->name);
            free(c->uri);
            continue;
        }
        if (!c->gone && c->pid == 0 && now >= c->restart_at)
            child_start(s, c);
        s->c[k++] = *c;
    }
    s->n = k;
}

static const char *fmt_clock(time_t t) {
    static char buf[16];
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
    return buf;
}

/* The status file: each child's state and its own status file. */
static void write_status(Super *s) {
    HostStatusRow *rows = xmalloc0((s->n + 1) * sizeof(HostStatusRow));
    char **files = xmalloc0((s->n + 1) * sizeof(char *));
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        const Child *c = &s->c[i];
        if (c->gone)
            continue;
        files[k] = child_status_path(s->o, c->name);
        rows[k] = (HostStatusRow) { .name = c->name, .uri = c->uri, .status_file = files[k],
                                    .pid = c->pid, .restart_at = c->restart_at,
                                    .last_exit = c->last_exit };
        k++;
    }
    int r = status_hosts_write(rows, k, s->status_path);
    if (r < 0)
        log_warning_errno(r, "cannot write %s", s->status_path);
    for (size_t i = 0; i < k; i++)
        free(files[i]);
    free(files);
    free(rows);
}

/* STATUS=: "3 hosts: kvm1 running, kvm2 restarting at 12:00:04 (last exit 1), kvm3 running" */
static void say_status(Super *s) {
    Buf b = {};
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        n += !s->c[i].gone;
    buf_printf(&b, "%zu host%s:", n, n == 1 ? "" : "s");
    for (size_t i = 0, k = 0; i < s->n; i++) {
        const Child *c = &s->c[i];
        if (c->gone)
            continue;
        buf_printf(&b, "%s %s ", k++ ? "," : "", c->name);
        if (c->pid > 0)
            buf_printf(&b, "running");
        else   /* the time, not a countdown: a changed STATUS= is a journal line */
            buf_printf(&b, "restarting at %s", fmt_clock(c->restart_at));
        if (c->last_exit >= 0 && WIFEXITED(c->last_exit))
            buf_printf(&b, " (last exit %d)", WEXITSTATUS(c->last_exit));
        else if (c->last_exit >= 0)
            buf_printf(&b, " (last signal %d)", WTERMSIG(c->last_exit));
    }
    if (n == 0)
        buf_printf(&b, " no `kind: Host` with a uri in the tree");
    if (!streq_ptr(b.p, s->status)) {
        sd_glue_status(b.p);
        log_info("%s", b.p);
        free(s->status);
        s->status = TAKE_PTR(b.p);
        s->dirty = true;
    }
    if (s->dirty)   /* a pid changed too: a child that died and started again since */
        write_status(s);
    s->dirty = false;
    free(b.p);
}

/* SIGTERM to every child, SIGKILL to those left after SUPERVISE_STOP_WAIT seconds. */
static void stop_all(Super *s) {
    sd_glue_stopping();
    for (size_t i = 0; i < s->n; i++) {
        s->c[i].gone = true;
        if (s->c[i].pid > 0)
            kill(s->c[i].pid, SIGTERM);
    }
    time_t until = time(NULL) + SUPERVISE_STOP_WAIT;
    for (;;) {
        reap(s);
        bool left = false;
        for (size_t i = 0; i < s->n; i++)
            left = left || s->c[i].pid > 0;
        if (!left)
            return;
        if (time(NULL) >= until)
            break;
        usleep(100 * 1000);
    }
    for (size_t i = 0; i < s->n; i++)
        if (s->c[i].pid > 0)
            kill(s->c[i].pid, SIGKILL);
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
        ;
}

static void super_clear(Super *s) {
    for (size_t i = 0; i < s->n; i++) {
        free(s->c[i].name);
        free(s->c[i].uri);
    }
    free(s->c);
    free(s->status);
    free(s->status_path);
    free(s->self);
}

int daemon_all_hosts(const CliOpts *o) {
    Super s = { .o = o, .self = realpath("/proc/self/exe", NULL) };
    if (!s.self)
        return log_error_errno(-errno, "cannot find this program (/proc/self/exe)"), 1;
    s.status_path = o->cfg->status_path ? xstrdup(o->cfg->status_path) : paths_status_file(true);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, NULL);
    read_hosts(&s);
    tend(&s);
    sd_glue_ready();
    time_t next_read = time(NULL) + interval();
    uint64_t wd_usec = sd_glue_watchdog_usec();
    for (;;) {
        say_status(&s);
        sd_glue_watchdog();
        /* asleep until a signal (a child's end, reload, stop), the next re-read, a restart due,
         * or half the unit's WatchdogSec= */
        time_t now = time(NULL), wake = next_read;
        for (size_t i = 0; i < s.n; i++)
            if (!s.c[i].gone && s.c[i].pid == 0 && s.c[i].restart_at < wake)
                wake = s.c[i].restart_at;
        struct timespec ts = { .tv_sec = wake > now ? wake - now : 0, .tv_nsec = wake > now ? 0 : 100000000 };
        if (wd_usec > 0 && (uint64_t) ts.tv_sec * 1000000 >= wd_usec / 2)
            ts = (struct timespec) { .tv_sec = (time_t) (wd_usec / 2000000), .tv_nsec = (long) (wd_usec / 2 % 1000000) * 1000 };
        int sig = sigtimedwait(&set, NULL, &ts);
        if (sig == SIGTERM || sig == SIGINT)
            break;
        reap(&s);
        for (size_t i = 0; sig == SIGHUP && i < s.n; i++)
            if (s.c[i].pid > 0)
                kill(s.c[i].pid, SIGHUP);   /* each rereads the configuration and the tree */
        if (sig == SIGHUP || time(NULL) >= next_read) {
            read_hosts(&s);
            next_read = time(NULL) + interval();
        }
        tend(&s);
    }
    log_info("stopping the hosts' daemons");
    stop_all(&s);
    super_clear(&s);
    return 0;
}
