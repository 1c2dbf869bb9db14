/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Edit latency for bench/run (scenario 2): with `virtspec daemon` watching the spec tree, edit
 * one spec's memory the way editors and GitOps tools do (write a dotfile, rename it over the
 * spec) and time, from just before rename(2) to the moment libvirt's DEFINED lifecycle event for
 * the domain reaches this client, how long the daemon takes to redefine the domain.
 *
 *   edit-latency SPEC NAME EDITS GAP_MS MIB_A MIB_B
 *
 * Edit i (from 1) sets SPEC's "memory:" line to MIB_A MiB when i is odd, MIB_B MiB when even.
 * After each event the domain's persistent <memory> is checked against the edit (a redefinition
 * that does not carry the edit counts as "wrong"); then the next edit waits GAP_MS, during
 * which further DEFINED events for the domain are counted as "extra_defines" (there should be
 * none: one edit, one define). An edit without its event within 10 s is a timeout.
 *
 * Output: one JSON object, {"edits": …, "latency_s": [...], "timeouts": …, "wrong": …,
 * "extra_defines": …}. Uses the libvirt event loop in this thread only.
 *
 *   edit-latency --log LOG SPEC NAME EDITS GAP_MS MIB_A MIB_B
 *
 * A running domain's memory instead (scenario 8): the daemon redefines the domain, then makes
 * the live change (virDomainSetMemoryFlags, the balloon) and, once its pass is over, writes
 * "Domain NAME: ~ memory: A MiB → B MiB (live)" to LOG (its stderr). The time is taken from just
 * before rename(2) to the moment that line is in LOG (inotify), an upper bound on "the balloon
 * call returned". A line with another target is "wrong"; further lines for the domain during the
 * gap are "extra_defines". */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static const char *target;
static unsigned n_defined;      /* DEFINED events for target so far */
static double last_defined_at;

static int on_lifecycle(virConnectPtr c, virDomainPtr dom, int event, int detail, void *opaque) {
    if (event == VIR_DOMAIN_EVENT_DEFINED && !strcmp(virDomainGetName(dom), target)) {
        last_defined_at = now();
        n_defined++;
    }
    return 0;
}

static void tick(int timer, void *opaque) {
}

static void quiet(void *opaque, virErrorPtr err) {
}

/* Runs the event loop until n_defined exceeds `seen` or `until` passes. */
static bool wait_defined(unsigned seen, double until) {
    while (n_defined <= seen && now() < until)
        if (virEventRunDefaultImpl() < 0)
            return false;
    return n_defined > seen;
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "re");
    if (!f)
        return NULL;
    char *b = calloc(1, 65536);
    size_t n = b ? fread(b, 1, 65535, f) : 0;
    fclose(f);
    if (!b || n == 0 || n == 65535) {
        free(b);
        return NULL;
    }
    return b;
}

/* The spec text with its "memory:" line replaced. */
static char *with_memory(const char *spec, unsigned mib) {
    const char *p = spec;
    while (p && strncmp(p, "memory:", 7)) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p)
        return NULL;
    const char *eol = strchr(p, '\n');
    char *out;
    if (asprintf(&out, "%.*smemory: %uMiB%s", (int) (p - spec), spec, mib, eol ? eol : "\n") < 0)
        abort();
    return out;
}

static int write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "we");
    if (!f)
        return -1;
    bool ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* The spec's two versions (memory MIB_A and MIB_B) and the dotfile each edit is written to before
 * its rename over the spec (editors' and GitOps tools' way). */
typedef struct Edits {
    char *spec, *text[2], *tmp;
} Edits;

static int edits_prepare(Edits *ed, const char *spec_path, const unsigned mib[2]) {
    ed->spec = slurp(spec_path);
    ed->text[0] = ed->spec ? with_memory(ed->spec, mib[0]) : NULL;
    ed->text[1] = ed->spec ? with_memory(ed->spec, mib[1]) : NULL;
    if (!ed->text[0] || !ed->text[1]) {
        fprintf(stderr, "edit-latency: cannot read a memory: line in %s\n", spec_path);
        return -1;
    }
    const char *slash = strrchr(spec_path, '/');
    if (asprintf(&ed->tmp, "%.*s.%s.tmp", slash ? (int) (slash - spec_path + 1) : 0, spec_path,
                 slash ? slash + 1 : spec_path) < 0)
        abort();
    return 0;
}

static void edits_clear(Edits *ed) {
    free(ed->tmp);
    free(ed->text[0]);
    free(ed->text[1]);
    free(ed->spec);
}

static void print_result(int edits, double gap, const double *lat, int n_lat, int timeouts,
                         int wrong, unsigned extra) {
    printf("{\"edits\": %d, \"gap_ms\": %.0f, \"latency_s\": [", edits, gap * 1000);
    for (int i = 0; i < n_lat; i++)
        printf("%s%.6f", i ? ", " : "", lat[i]);
    printf("], \"timeouts\": %d, \"wrong\": %d, \"extra_defines\": %u}\n", timeouts, wrong, extra);
}

/* --log mode: LOG's text from *off on, read as it grows */
typedef struct Log {
    const char *path;
    int ino;            /* inotify fd watching LOG for IN_MODIFY */
    long off;
    char buf[65536];
    size_t n;           /* bytes of an unfinished line kept in buf */
} Log;

/* Waits until `until` for the next complete line of the log that holds needle; copies it to
 * line. Returns false at the deadline. */
static bool log_next(Log *l, const char *needle, char *line, size_t cap, double until) {
    for (;;) {
        FILE *f = fopen(l->path, "re");
        if (f && fseek(f, l->off, SEEK_SET) == 0) {
            size_t k = fread(l->buf + l->n, 1, sizeof(l->buf) - 1 - l->n, f);
            l->off += (long) k;
            l->n += k;
        }
        if (f)
            fclose(f);
        l->buf[l->n] = 0;
        for (char *eol; (eol = strchr(l->buf, '\n'));) {
            *eol = 0;
            bool hit = strstr(l->buf, needle) != NULL;
            if (hit) {
                size_t k = strlen(l->buf) < cap - 1 ? strlen(l->buf) : cap - 1;
                memcpy(line, l->buf, k);
                line[k] = 0;
            }
            size_t rest = l->n - (size_t) (eol + 1 - l->buf);
            memmove(l->buf, eol + 1, rest + 1);
            l->n = rest;
            if (hit)
                return true;
        }
        if (l->n == sizeof(l->buf) - 1)
            l->n = 0;   /* a line longer than the buffer: dropped */
        double left = until - now();
        if (left <= 0)
            return false;
        struct pollfd p = { .fd = l->ino, .events = POLLIN };
        if (poll(&p, 1, (int) (left * 1000) + 1) > 0) {
            char ev[4096];
            (void) !read(l->ino, ev, sizeof(ev));
        }
    }
}

static int log_mode(int argc, char **argv) {
    Log l = { .path = argv[2] };
    const char *spec_path = argv[3];
    target = argv[4];
    int edits = atoi(argv[5]);
    double gap = atof(argv[6]) / 1000.0;
    unsigned mib[2] = { (unsigned) atoi(argv[7]), (unsigned) atoi(argv[8]) };
    Edits ed = {};
    if (edits_prepare(&ed, spec_path, mib) < 0)
        return 1;
    struct stat st;
    l.ino = inotify_init1(IN_CLOEXEC);
    if (l.ino < 0 || inotify_add_watch(l.ino, l.path, IN_MODIFY) < 0 || stat(l.path, &st) < 0) {
        fprintf(stderr, "edit-latency: cannot watch %s\n", l.path);
        return 1;
    }
    l.off = st.st_size;
    char needle[256], line[4096];
    snprintf(needle, sizeof(needle), "Domain %s: ~ memory: ", target);
    double *lat = calloc((size_t) edits + 1, sizeof(double));
    int n_lat = 0, timeouts = 0, wrong = 0;
    unsigned extra = 0;
    for (int i = 1; i <= edits; i++) {
        unsigned want = mib[i % 2 ? 0 : 1];
        char tail[64];
        snprintf(tail, sizeof(tail), " %u MiB (live)", want);
        if (write_file(ed.tmp, ed.text[i % 2 ? 0 : 1]) < 0)
            return 1;
        double t0 = now();
        if (rename(ed.tmp, spec_path) < 0) {
            perror("edit-latency: rename");
            return 1;
        }
        if (!log_next(&l, needle, line, sizeof(line), t0 + 10)) {
            timeouts++;
            while (log_next(&l, needle, line, sizeof(line), now() + gap))
                ;   /* a late line is this edit's, not the next one's */
            continue;
        }
        lat[n_lat++] = now() - t0;
        size_t ll = strlen(line), tl = strlen(tail);
        if (ll < tl || strcmp(line + ll - tl, tail))
            wrong++;
        while (log_next(&l, needle, line, sizeof(line), now() + gap))
            extra++;
    }
    print_result(edits, gap, lat, n_lat, timeouts, wrong, extra);
    free(lat);
    edits_clear(&ed);
    return timeouts == edits ? 1 : 0;
}

int main(int argc, char **argv) {
    if (argc == 9 && !strcmp(argv[1], "--log"))
        return log_mode(argc, argv);
    if (argc != 7) {
        fprintf(stderr, "usage: edit-latency SPEC NAME EDITS GAP_MS MIB_A MIB_B\n"
                        "       edit-latency --log LOG SPEC NAME EDITS GAP_MS MIB_A MIB_B\n");
        return 2;
    }
    const char *spec_path = argv[1];
    target = argv[2];
    int edits = atoi(argv[3]);
    double gap = atof(argv[4]) / 1000.0;
    unsigned mib[2] = { (unsigned) atoi(argv[5]), (unsigned) atoi(argv[6]) };

    Edits ed = {};
    if (edits_prepare(&ed, spec_path, mib) < 0)
        return 1;

    virSetErrorFunc(NULL, quiet);
    if (virEventRegisterDefaultImpl() < 0)
        return 1;
    virConnectPtr c = virConnectOpen(NULL);
    if (!c || virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                               VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), NULL, NULL) < 0) {
        fprintf(stderr, "edit-latency: cannot connect and listen to libvirt\n");
        return 1;
    }
    virEventAddTimeout(20, tick, NULL, NULL);   /* wakes the loop to check deadlines */

    double *lat = calloc((size_t) edits + 1, sizeof(double));
    int n_lat = 0, timeouts = 0, wrong = 0;
    unsigned extra = 0;
    for (int i = 1; i <= edits; i++) {
        unsigned want_kib = mib[i % 2 ? 0 : 1] * 1024;
        if (write_file(ed.tmp, ed.text[i % 2 ? 0 : 1]) < 0) {
            fprintf(stderr, "edit-latency: cannot write %s\n", ed.tmp);
            return 1;
        }
        unsigned seen = n_defined;
        double t0 = now();
        if (rename(ed.tmp, spec_path) < 0) {
            perror("edit-latency: rename");
            return 1;
        }
        if (!wait_defined(seen, t0 + 10)) {
            timeouts++;
            continue;
        }
        lat[n_lat++] = last_defined_at - t0;
        /* the redefinition carries the edit */
        virDomainPtr d = virDomainLookupByName(c, target);
        char *x = d ? virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE) : NULL;
        char needle[64];
        snprintf(needle, sizeof(needle), "<memory unit='KiB'>%u</memory>", want_kib);
        if (!x || !strstr(x, needle))
            wrong++;
        free(x);
        if (d)
            virDomainFree(d);
        /* quiet gap: the daemon settles; any further define of the domain is counted */
        seen = n_defined;
        double until = now() + gap;
        while (wait_defined(seen, until)) {
            extra += n_defined - seen;
            seen = n_defined;
        }
    }
    print_result(edits, gap, lat, n_lat, timeouts, wrong, extra);
    virConnectClose(c);
    free(lat);
    edits_clear(&ed);
    return timeouts == edits ? 1 : 0;
}
