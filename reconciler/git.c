/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "git.h"
#include "util.h"

static void child(const char *const *argv, const char *const *env, int out, int err, pid_t parent) {
    setpgid(0, 0);
    /* virtspec killed before its thread put this group in running_groups (a signal between the
     * fork and running_add, or SIGKILL at any time): this program goes with it */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
        _exit(127);
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
        _exit(127);
    for (size_t i = 0; env && env[i]; i++)
        putenv((char *) env[i]);
    execvp(argv[0], (char *const *) argv);
    dprintf(2, "cannot run %s: %m\n", argv[0]);
    _exit(127);
}

/* The process groups of the programs run_argv runs now, one per thread that runs one (fleet
 * status runs several at once): SIGINT/SIGTERM/SIGHUP of virtspec take them all along. A slot is
 * taken and given back atomically; the handler only loads. */
#define RUNNING_MAX 64
static sig_atomic_t running_groups[RUNNING_MAX];

static sig_atomic_t *running_add(pid_t g) {
    for (size_t i = 0; i < RUNNING_MAX; i++) {
        sig_atomic_t free_slot = 0;
        if (__atomic_compare_exchange_n(&running_groups[i], &free_slot, (sig_atomic_t) g, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            return &running_groups[i];
    }
    return NULL;   /* more at once than slots: that one is not taken along (callers run fewer) */
}

static void on_fatal_signal(int sig) {
    for (size_t i = 0; i < RUNNING_MAX; i++) {
        pid_t g = __atomic_load_n(&running_groups[i], __ATOMIC_SEQ_CST);
        if (g > 0)
            kill(-g, SIGKILL);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

void run_argv_forward_signals(void) {
    struct sigaction sa = { .sa_handler = on_fatal_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* Reads what fd has now into b; false at its end (or an error). */
static bool take_output(int fd, Buf *b) {
    char chunk[4096];
    ssize_t k = read(fd, chunk, sizeof(chunk));
    if (k > 0) {
        buf_printf(b, "%.*s", (int) k, chunk);
        return true;
    }
    return k < 0 && (errno == EINTR || errno == EAGAIN);
}

int run_argv(const char *const *argv, const char *const *env, unsigned timeout_s, char **ret_out,
             char **ret_err) {
    int po[2], pe[2];
    Buf bufs[2] = {};
    if (pipe2(po, O_CLOEXEC) < 0)
        return -errno;
    if (pipe2(pe, O_CLOEXEC) < 0) {
        int r = -errno;
        close(po[0]), close(po[1]);
        return r;
    }
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) {
        int r = -errno;
        close(po[0]), close(po[1]), close(pe[0]), close(pe[1]);
        return r;
    }
    if (pid == 0)
        child(argv, env, po[1], pe[1], parent);
    setpgid(pid, pid);   /* both sides: no race with the kill below */
    sig_atomic_t *slot = running_add(pid);
    close(po[1]);
    close(pe[1]);
    struct pollfd fds[2] = { { .fd = po[0], .events = POLLIN }, { .fd = pe[0], .events = POLLIN } };
    uint64_t deadline = timeout_s ? monotonic_ms() + timeout_s * 1000ULL : 0;
    bool timed_out = false, reaped = false;
    int status = 0;
    /* until the child has exited (not until its pipes close: a grandchild such as an ssh
     * control master may keep them open), or the deadline */
    while (!reaped) {
        int wait_ms = 200;   /* the child's exit is polled for as well */
        if (deadline) {
            uint64_t t = monotonic_ms();
            if (t >= deadline) {
                timed_out = true;
                break;
            }
            if (deadline - t < (uint64_t) wait_ms)
                wait_ms = (int) (deadline - t);
        }
        int n = fds[0].fd >= 0 || fds[1].fd >= 0 ? poll(fds, 2, wait_ms) : (usleep(wait_ms * 1000), 0);
        if (n < 0 && errno != EINTR) {
            timed_out = true;   /* cannot watch it any more: it is stopped, not waited for blind */
            break;
        }
        for (int i = 0; n > 0 && i < 2; i++)
            if (fds[i].fd >= 0 && fds[i].revents && !take_output(fds[i].fd, &bufs[i])) {
                close(fds[i].fd);
                fds[i].fd = -1;
            }
        pid_t w = waitpid(pid, &status, WNOHANG);
        reaped = w == pid || (w < 0 && errno == ECHILD);
    }
    if (!reaped)
        kill(-pid, SIGKILL);
    for (int i = 0; i < 2; i++) {
        if (fds[i].fd < 0)
            continue;
        /* what it wrote before it ended, without waiting for a grandchild's end of the pipe */
        fcntl(fds[i].fd, F_SETFL, O_NONBLOCK);
        char chunk[4096];
        ssize_t k;
        while ((k = read(fds[i].fd, chunk, sizeof(chunk))) > 0 || (k < 0 && errno == EINTR))
            if (k > 0)
                buf_printf(&bufs[i], "%.*s", (int) k, chunk);
        close(fds[i].fd);
    }
    if (!reaped)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    if (slot)
        __atomic_store_n(slot, 0, __ATOMIC_SEQ_CST);
    if (ret_out)
        *ret_out = bufs[0].p ? bufs[0].p : xstrdup("");
    else
        free(bufs[0].p);
    if (ret_err)
        *ret_err = bufs[1].p ? bufs[1].p : xstrdup("");
    else
        free(bufs[1].p);
    if (timed_out)
        return -ETIMEDOUT;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -EINTR;
}

char *last_line(const char *text) {
    const char *end = text + strlen(text);
    while (end > text && (end[-1] == '\n' || end[-1] == ' '))
        end--;
    const char *start = end;
    while (start > text && start[-1] != '\n')
        start--;
    return xasprintf("%.*s", (int) (end - start), start);
}
