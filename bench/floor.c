/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The raw libvirt floor for bench/run: only the libvirt calls a reconciler cannot avoid, with
 * nothing of virtspec in between (no YAML, no rendering, no diff).
 *
 *   floor [--reps R] list                (a) list all domains and read each one's persistent XML
 *                                            (virConnectListAllDomains + virDomainGetXMLDesc
 *                                            INACTIVE); --parse also parses each with libxml2;
 *                                            --events: the same calls from a client that, as a
 *                                            daemon must, runs libvirt's event loop (registered
 *                                            before connecting, on a thread of its own)
 *   floor [--reps R] define DIR          (b) define every DIR/NAME.xml (sorted by name)
 *   floor [--reps R] define-start DIR    (c) define and start every DIR/NAME.xml, one after the
 *                                            other
 *   floor [--reps R] --threads T define-start DIR   (or define DIR)
 *                                        (c') the same calls from T threads on the one connection,
 *                                            each taking the next file (the parallel floor)
 *   floor [--reps R] define-one FILE     (d) one define: FILE is defined once, untimed; each
 *                                            repetition then redefines its persistent XML with
 *                                            <memory>/<currentMemory> toggled (what an update of
 *                                            an existing domain costs); finally undefined.
 *                                            --events: each timed to its DEFINED event at this
 *                                            client, which runs libvirt's event loop (where
 *                                            bench/edit-latency's clock stops); "call_seconds"
 *                                            has the calls' returns. --gap MS: each repetition
 *                                            comes after MS of idleness (untimed), as the edits
 *                                            of bench/edit-latency do: the first call after a
 *                                            quiet spell costs more (docs/performance.md)
 *   floor [--reps R] setmem NAME MIB_A MIB_B
 *                                        (e) the running domain NAME's memory set live
 *                                            (virDomainSetMemoryFlags LIVE, the balloon),
 *                                            repetition i to MIB_A when i is odd, MIB_B when even
 *   floor idle SECONDS                       an idle libvirt client as a daemon holds it (lifecycle
 *                                            events registered, keepalive 5 s × 3): the floor for
 *                                            CPU ticks and RSS; prints "ready" first
 *   floor cleanup PREFIX                     (a tool, not a floor) destroy and undefine every
 *                                            domain whose name starts with PREFIX
 *
 * define and define-start leave the domains defined (and running) after the last repetition, so
 * that the whole process can be timed from outside; between repetitions they are destroyed and
 * undefined, untimed. The XML files are read, and define-one's variants built, before the clock
 * starts. Output: one
 * JSON object on stdout, e.g.
 *   {"op": "list", "reps": 3, "items": 1000, "connect_s": 0.003, "seconds": [0.16, 0.15, 0.16]}
 * "seconds" holds one wall-clock (CLOCK_MONOTONIC) figure per repetition for the timed part
 * only; bench/run times the whole process from outside as well. Exit status 1 on any libvirt
 * error (named on stderr). */
#include <dirent.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdatomic.h>
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

static void quiet(void *opaque, virErrorPtr err) {
}

static int die(const char *what) {
    virErrorPtr e = virGetLastError();
    fprintf(stderr, "floor: %s: %s\n", what, e && e->message ? e->message : "failed");
    exit(1);
}

static void *xrealloc(void *p, size_t n) {
    p = realloc(p, n);
    if (!p)
        abort();
    return p;
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "re");
    if (!f) {
        fprintf(stderr, "floor: cannot read %s\n", path);
        exit(1);
    }
    size_t n = 0, cap = 4096;
    char *b = xrealloc(NULL, cap);
    for (size_t k; (k = fread(b + n, 1, cap - n - 1, f)) > 0;) {
        n += k;
        if (cap - n < 2)
            b = xrealloc(b, cap *= 2);
    }
    b[n] = 0;
    fclose(f);
    return b;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The contents of the .xml files in dir, in file-name order. */
static size_t read_xml_dir(const char *dir, char ***ret) {
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t n = 0;
    if (!d) {
        fprintf(stderr, "floor: cannot open %s\n", dir);
        exit(1);
    }
    for (struct dirent *de; (de = readdir(d));) {
        size_t l = strlen(de->d_name);
        if (l > 4 && !strcmp(de->d_name + l - 4, ".xml")) {
            names = xrealloc(names, (n + 1) * sizeof(char *));
            if (asprintf(&names[n++], "%s/%s", dir, de->d_name) < 0)
                abort();
        }
    }
    closedir(d);
    qsort(names, n, sizeof(char *), cmp_str);
    char **xml = xrealloc(NULL, (n + 1) * sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        xml[i] = slurp(names[i]);
        free(names[i]);
    }
    free(names);
    *ret = xml;
    return n;
}

static void print_result(const char *op, int reps, long items, double connect_s, const double *secs,
                         const char *extra) {
    printf("{\"op\": \"%s\", \"reps\": %d, \"items\": %ld, \"connect_s\": %.6f, \"seconds\": [",
           op, reps, items, connect_s);
    for (int i = 0; i < reps; i++)
        printf("%s%.6f", i ? ", " : "", secs[i]);
    printf("]%s}\n", extra ? extra : "");
}

static void undefine(virDomainPtr d) {
    int st, reason;
    if (virDomainGetState(d, &st, &reason, 0) == 0 && st != VIR_DOMAIN_SHUTOFF)
        virDomainDestroy(d);
    if (virDomainUndefine(d) < 0)
        die("undefine");
    virDomainFree(d);
}

/* (a) */
static void floor_list(virConnectPtr c, int reps, bool parse, double *secs, long *items) {
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        virDomainPtr *doms = NULL;
        int n = virConnectListAllDomains(c, &doms, 0);
        if (n < 0)
            die("virConnectListAllDomains");
        for (int i = 0; i < n; i++) {
            char *x = virDomainGetXMLDesc(doms[i], VIR_DOMAIN_XML_INACTIVE);
            if (!x)
                die("virDomainGetXMLDesc");
            if (parse) {
                xmlDoc *doc = xmlReadMemory(x, (int) strlen(x), NULL, NULL, XML_PARSE_NONET);
                if (!doc)
                    die("xmlReadMemory");
                xmlFreeDoc(doc);
            }
            free(x);
            virDomainFree(doms[i]);
        }
        free(doms);
        secs[r] = now() - t0;
        *items = n;
    }
}

/* (c'): threads take the next file by an atomic index */
typedef struct Batch {
    virConnectPtr c;
    char **xml;
    virDomainPtr *doms;
    size_t n;
    bool start;
    atomic_size_t next;
} Batch;

static void *batch_worker(void *opaque) {
    Batch *b = opaque;
    for (size_t i; (i = atomic_fetch_add(&b->next, 1)) < b->n;) {
        b->doms[i] = virDomainDefineXML(b->c, b->xml[i]);
        if (!b->doms[i])
            die("virDomainDefineXML");
        if (b->start && virDomainCreate(b->doms[i]) < 0)
            die("virDomainCreate");
    }
    return NULL;
}

static void define_all(Batch *b, int threads) {
    pthread_t th[64];
    int n_th = 0;
    while (n_th < threads && pthread_create(&th[n_th], NULL, batch_worker, b) == 0)
        n_th++;
    if (n_th == 0)
        batch_worker(b);
    for (int i = 0; i < n_th; i++)
        pthread_join(th[i], NULL);
}

/* (b) and (c), from one thread or (c') from several */
static void floor_define(virConnectPtr c, int reps, int threads, const char *dir, bool start,
                         double *secs, long *items) {
    char **xml;
    size_t n = read_xml_dir(dir, &xml);
    virDomainPtr *doms = xrealloc(NULL, (n + 1) * sizeof(virDomainPtr));
    Batch b = { .c = c, .xml = xml, .doms = doms, .n = n, .start = start };
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        atomic_store(&b.next, 0);
        if (threads > 1)
            define_all(&b, threads);
        else
            batch_worker(&b);
        secs[r] = now() - t0;
        for (size_t i = 0; i < n; i++) {
            if (r < reps - 1)
                undefine(doms[i]);
            else
                virDomainFree(doms[i]);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(xml[i]);
    free(xml);
    free(doms);
    *items = (long) n;
}

/* <memory> and <currentMemory> of doc set to kib. */
static char *with_memory(xmlDoc *doc, unsigned long long kib) {
    char v[32];
    snprintf(v, sizeof(v), "%llu", kib);
    for (xmlNode *e = xmlDocGetRootElement(doc)->children; e; e = e->next)
        if (e->type == XML_ELEMENT_NODE && (!xmlStrcmp(e->name, BAD_CAST "memory") ||
                                            !xmlStrcmp(e->name, BAD_CAST "currentMemory"))) {
            xmlNodeSetContent(e, BAD_CAST v);
            xmlSetProp(e, BAD_CAST "unit", BAD_CAST "KiB");
        }
    xmlChar *out = NULL;
    int len = 0;
    xmlDocDumpMemory(doc, &out, &len);
    char *s = strdup((const char *) out);
    xmlFree(out);
    return s;
}

/* (d) */
/* define-one --events: DEFINED events for the domain, counted by the event loop's thread */
static atomic_uint n_defined_events;
static _Atomic double last_defined_at;

static int on_defined(virConnectPtr c, virDomainPtr dom, int event, int detail, void *opaque) {
    if (event == VIR_DOMAIN_EVENT_DEFINED) {
        atomic_store(&last_defined_at, now());
        atomic_fetch_add(&n_defined_events, 1);
    }
    return 0;
}

/* Waits (10 s at most) for DEFINED event number n; its arrival time, or -1. */
static double wait_defined(unsigned n) {
    for (int i = 0; i < 200000 && atomic_load(&n_defined_events) < n; i++) {
        struct timespec ts = { 0, 50000 };
        nanosleep(&ts, NULL);
    }
    return atomic_load(&n_defined_events) >= n ? atomic_load(&last_defined_at) : -1;
}

static void floor_define_one(virConnectPtr c, int reps, int gap_ms, const char *file, bool events,
                             double *secs, double *call_secs) {
    char *x0 = slurp(file);
    virDomainPtr d = virDomainDefineXML(c, x0);
    if (!d)
        die("virDomainDefineXML (creating the domain)");
    free(x0);
    /* the update starts from the persistent XML, as a reconciler's patch does */
    char *px = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE);
    xmlDoc *doc = px ? xmlReadMemory(px, (int) strlen(px), NULL, NULL, XML_PARSE_NONET) : NULL;
    if (!doc)
        die("reading the persistent XML");
    free(px);
    unsigned long kib = 0;
    if (virDomainGetMaxMemory(d) > 0)
        kib = virDomainGetMaxMemory(d);
    char *variant[2] = { with_memory(doc, kib + 16384), with_memory(doc, kib) };
    xmlFreeDoc(doc);
    /* --events: each define timed to its DEFINED event reaching this client, which runs
     * libvirt's event loop — bench/edit-latency's end point for the daemon's define */
    if (events && virConnectDomainEventRegisterAny(c, d, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                   VIR_DOMAIN_EVENT_CALLBACK(on_defined), NULL, NULL) < 0)
        die("virConnectDomainEventRegisterAny");
    virDomainFree(d);
    for (int r = 0; r < reps; r++) {
        if (gap_ms > 0)
            nanosleep(&(struct timespec) { gap_ms / 1000, (long) (gap_ms % 1000) * 1000000 }, NULL);
        unsigned before = atomic_load(&n_defined_events);
        double t0 = now();
        virDomainPtr nd = virDomainDefineXML(c, variant[r % 2]);
        secs[r] = call_secs[r] = now() - t0;
        if (!nd)
            die("virDomainDefineXML (update)");
        if (events) {
            double at = wait_defined(before + 1);
            if (at < 0)
                die("no DEFINED event within 10 s");
            secs[r] = at - t0;
        }
        if (r == reps - 1)
            undefine(nd);
        else
            virDomainFree(nd);
    }
    free(variant[0]);
    free(variant[1]);
}

/* (e) */
static void floor_setmem(virConnectPtr c, int reps, const char *name, unsigned long mib_a,
                         unsigned long mib_b, double *secs) {
    virDomainPtr d = virDomainLookupByName(c, name);
    if (!d)
        die("virDomainLookupByName");
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        if (virDomainSetMemoryFlags(d, (r % 2 ? mib_b : mib_a) * 1024, VIR_DOMAIN_AFFECT_LIVE) < 0)
            die("virDomainSetMemoryFlags");
        secs[r] = now() - t0;
    }
    virDomainFree(d);
}

static int idle_event(virConnectPtr c, virDomainPtr dom, int event, int detail, void *opaque) {
    return 0;
}

static bool idle_done;

static void idle_end(int timer, void *opaque) {
    idle_done = true;
}

static int floor_idle(double seconds) {
    if (virEventRegisterDefaultImpl() < 0)
        die("virEventRegisterDefaultImpl");
    virConnectPtr c = virConnectOpen(NULL);
    if (!c)
        die("virConnectOpen");
    if (virConnectSetKeepAlive(c, 5, 3) < 0)
        die("virConnectSetKeepAlive");
    if (virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                         VIR_DOMAIN_EVENT_CALLBACK(idle_event), NULL, NULL) < 0)
        die("virConnectDomainEventRegisterAny");
    /* one timer for the end: no other wakeup than libvirt's own (keepalive) */
    virEventAddTimeout((int) (seconds * 1000), idle_end, NULL, NULL);
    printf("ready\n");
    fflush(stdout);
    while (!idle_done)
        if (virEventRunDefaultImpl() < 0)
            die("virEventRunDefaultImpl");
    printf("{\"op\": \"idle\", \"seconds\": %.3f}\n", seconds);
    virConnectClose(c);
    return 0;
}

static void floor_cleanup(virConnectPtr c, const char *prefix, double *secs, long *items) {
    double t0 = now();
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(c, &doms, 0);
    if (n < 0)
        die("virConnectListAllDomains");
    *items = 0;
    for (int i = 0; i < n; i++) {
        if (!strncmp(virDomainGetName(doms[i]), prefix, strlen(prefix))) {
            undefine(doms[i]);
            ++*items;
        } else
            virDomainFree(doms[i]);
    }
    free(doms);
    secs[0] = now() - t0;
}

static void *event_loop(void *arg) {
    for (;;)
        if (virEventRunDefaultImpl() < 0)
            return NULL;
}

static int usage(void) {
    fprintf(stderr,
            "usage: floor [--reps R] list [--parse | --events] | define DIR | define-start DIR | "
            "define-one [--events] FILE\n       floor [--reps R] --threads T define-start DIR | "
            "define DIR\n"
            "       floor [--reps R] --gap MS define-one [--events] FILE\n"
            "       floor [--reps R] setmem NAME MIB_A MIB_B\n"
            "       floor idle SECONDS | cleanup PREFIX\n");
    return 2;
}

int main(int argc, char **argv) {
    int reps = 1, threads = 1, gap_ms = 0, a = 1;
    bool parse = false, events = false;
    virSetErrorFunc(NULL, quiet);
    if (a + 1 < argc && !strcmp(argv[a], "--reps")) {
        reps = atoi(argv[a + 1]);
        a += 2;
    }
    if (a + 1 < argc && !strcmp(argv[a], "--threads")) {
        threads = atoi(argv[a + 1]);
        a += 2;
    }
    if (a + 1 < argc && !strcmp(argv[a], "--gap")) {
        gap_ms = atoi(argv[a + 1]);
        a += 2;
    }
    if (reps < 1 || threads < 1 || threads > 64 || gap_ms < 0 || a >= argc)
        return usage();
    const char *cmd = argv[a++];
    const char *arg = a < argc ? argv[a++] : NULL;
    if (!strcmp(cmd, "list") && arg && !strcmp(arg, "--parse")) {
        parse = true;
        arg = NULL;
    } else if ((!strcmp(cmd, "list") && arg && !strcmp(arg, "--events")) ||
               (!strcmp(cmd, "define-one") && arg && !strcmp(arg, "--events"))) {
        pthread_t t = 0;
        if (virEventRegisterDefaultImpl() < 0)
            die("virEventRegisterDefaultImpl");
        if (pthread_create(&t, NULL, event_loop, NULL) != 0)
            die("pthread_create");
        pthread_detach(t);
        events = true;
        arg = !strcmp(cmd, "list") ? NULL : a < argc ? argv[a++] : NULL;
    }
    const char *mib_a = NULL, *mib_b = NULL;
    if (!strcmp(cmd, "setmem") && a + 2 == argc) {
        mib_a = argv[a++];
        mib_b = argv[a++];
    }
    if (a < argc)
        return usage();
    if (!strcmp(cmd, "idle"))
        return arg ? floor_idle(atof(arg)) : usage();

    double t0 = now();
    virConnectPtr c = virConnectOpen(NULL);
    if (!c)
        die("virConnectOpen");
    double connect_s = now() - t0;
    double *secs = calloc((size_t) reps, sizeof(double));
    long items = 1;
    if (!strcmp(cmd, "list") && !arg) {
        floor_list(c, reps, parse, secs, &items);
        print_result(parse ? "list+parse" : events ? "list+events" : "list", reps, items, connect_s,
                     secs, NULL);
    } else if (!strcmp(cmd, "define") && arg) {
        char extra[32];
        snprintf(extra, sizeof(extra), ", \"threads\": %d", threads);
        floor_define(c, reps, threads, arg, false, secs, &items);
        print_result("define", reps, items, connect_s, secs, extra);
    } else if (!strcmp(cmd, "define-start") && arg) {
        char extra[32];
        snprintf(extra, sizeof(extra), ", \"threads\": %d", threads);
        floor_define(c, reps, threads, arg, true, secs, &items);
        print_result("define-start", reps, items, connect_s, secs, extra);
    } else if (!strcmp(cmd, "define-one") && arg) {
        double *call_secs = calloc((size_t) reps, sizeof(double));
        floor_define_one(c, reps, gap_ms, arg, events, secs, call_secs);
        char *extra = NULL;
        if (events) {   /* the call's return too, as define-one without --events times it */
            size_t len = 32 + (size_t) reps * 24;
            extra = malloc(len);
            int k = snprintf(extra, len, ", \"call_seconds\": [");
            for (int r = 0; r < reps; r++)
                k += snprintf(extra + k, len - (size_t) k, "%s%.6f", r ? ", " : "", call_secs[r]);
            snprintf(extra + k, len - (size_t) k, "]");
        }
        print_result(events ? "define-one+event" : "define-one", reps, 1, connect_s, secs, extra);
        free(extra);
        free(call_secs);
    } else if (!strcmp(cmd, "setmem") && arg && mib_a) {
        floor_setmem(c, reps, arg, strtoul(mib_a, NULL, 10), strtoul(mib_b, NULL, 10), secs);
        print_result("setmem", reps, 1, connect_s, secs, NULL);
    } else if (!strcmp(cmd, "cleanup") && arg) {
        floor_cleanup(c, arg, secs, &items);
        print_result("cleanup", 1, items, connect_s, secs, NULL);
    } else
        return usage();
    free(secs);
    virConnectClose(c);
    return 0;
}
