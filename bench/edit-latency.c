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
 * "extra_defines": …}. Uses the libvirt event loop in this thread only. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: edit-latency SPEC NAME EDITS GAP_MS MIB_A MIB_B\n");
        return 2;
    }
    const char *spec_path = argv[1];
    target = argv[2];
    int edits = atoi(argv[3]);
    double gap = atof(argv[4]) / 1000.0;
    unsigned mib[2] = { (unsigned) atoi(argv[5]), (unsigned) atoi(argv[6]) };

    char *spec = slurp(spec_path);
    char *text[2] = { spec ? with_memory(spec, mib[0]) : NULL, spec ? with_memory(spec, mib[1]) : NULL };
    if (!text[0] || !text[1]) {
        fprintf(stderr, "edit-latency: cannot read a memory: line in %s\n", spec_path);
        return 1;
    }
    char *tmp;
    const char *slash = strrchr(spec_path, '/');
    if (asprintf(&tmp, "%.*s.%s.tmp", slash ? (int) (slash - spec_path + 1) : 0, spec_path,
                 slash ? slash + 1 : spec_path) < 0)
        abort();

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
        const char *t = text[i % 2 ? 0 : 1];
        unsigned want_kib = mib[i % 2 ? 0 : 1] * 1024;
        if (write_file(tmp, t) < 0) {
            fprintf(stderr, "edit-latency: cannot write %s\n", tmp);
            return 1;
        }
        unsigned seen = n_defined;
        double t0 = now();
        if (rename(tmp, spec_path) < 0) {
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
    printf("{\"edits\": %d, \"gap_ms\": %.0f, \"latency_s\": [", edits, gap * 1000);
    for (int i = 0; i < n_lat; i++)
        printf("%s%.6f", i ? ", " : "", lat[i]);
    printf("], \"timeouts\": %d, \"wrong\": %d, \"extra_defines\": %u}\n", timeouts, wrong, extra);
    virConnectClose(c);
    free(lat);
    free(tmp);
    free(text[0]);
    free(text[1]);
    free(spec);
    return timeouts == edits ? 1 : 0;
}
