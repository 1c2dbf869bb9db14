/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The raw libvirt floor for bench/run: only the libvirt calls a reconciler cannot avoid.
 *
 *   floor list                       list all domains and read each one's persistent XML
 *   floor define DIR                 define every .xml file in DIR
 *   floor define-start DIR           define and start every .xml file in DIR, sequentially
 *   floor undefine-all PREFIX        destroy + undefine domains whose name starts with PREFIX
 *   floor wait-defined NAME          print "ready", then the CLOCK_REALTIME (ns) of the next
 *                                    DEFINED lifecycle event for NAME, and exit
 *
 * Prints the elapsed time in seconds (wall clock) on stdout. */
#include <dirent.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "re");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *b = malloc((size_t) n + 1);
    if (!b || fread(b, 1, (size_t) n, f) != (size_t) n) {
        fclose(f);
        free(b);
        return NULL;
    }
    b[n] = 0;
    fclose(f);
    return b;
}

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* File names in dir ending .xml, sorted. */
static size_t list_xml(const char *dir, char ***ret) {
    DIR *d = opendir(dir);
    char **v = NULL;
    size_t n = 0;
    for (struct dirent *de; d && (de = readdir(d));) {
        size_t l = strlen(de->d_name);
        if (l > 4 && !strcmp(de->d_name + l - 4, ".xml")) {
            v = realloc(v, (n + 1) * sizeof(char *));
            if (asprintf(&v[n++], "%s/%s", dir, de->d_name) < 0)
                abort();
        }
    }
    if (d)
        closedir(d);
    qsort(v, n, sizeof(char *), cmp);
    *ret = v;
    return n;
}

static int defined_cb(virConnectPtr c, virDomainPtr dom, int event, int detail, void *opaque) {
    if (event == VIR_DOMAIN_EVENT_DEFINED && !strcmp(virDomainGetName(dom), opaque)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        printf("%lld\n", (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec);
        fflush(stdout);
        exit(0);
    }
    return 0;
}

static void quiet(void *opaque, virErrorPtr err) {
}

int main(int argc, char **argv) {
    virSetErrorFunc(NULL, quiet);
    if (argc < 2) {
        fprintf(stderr, "usage: floor list | define DIR | define-start DIR | undefine-all PREFIX | "
                        "wait-defined NAME\n");
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "wait-defined") && argc == 3) {
        virEventRegisterDefaultImpl();
        virConnectPtr c = virConnectOpen(NULL);
        if (!c || virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                   VIR_DOMAIN_EVENT_CALLBACK(defined_cb), argv[2],
                                                   NULL) < 0)
            return 1;
        printf("ready\n");
        fflush(stdout);
        double deadline = now() + 30;
        while (now() < deadline)
            virEventRunDefaultImpl();
        return 1;
    }
    virConnectPtr c = virConnectOpen(NULL);
    if (!c)
        return 1;
    double t0 = now();
    if (!strcmp(cmd, "list")) {
        virDomainPtr *doms = NULL;
        int n = virConnectListAllDomains(c, &doms, 0);
        for (int i = 0; i < n; i++) {
            free(virDomainGetXMLDesc(doms[i], VIR_DOMAIN_XML_INACTIVE));
            virDomainFree(doms[i]);
        }
        free(doms);
    } else if ((!strcmp(cmd, "define") || !strcmp(cmd, "define-start")) && argc == 3) {
        char **files;
        size_t n = list_xml(argv[2], &files);
        char **xml = calloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
            xml[i] = slurp(files[i]);   /* read before timing: the floor is the libvirt part */
        t0 = now();
        for (size_t i = 0; i < n; i++) {
            virDomainPtr d = virDomainDefineXML(c, xml[i]);
            if (!d || (!strcmp(cmd, "define-start") && virDomainCreate(d) < 0)) {
                virErrorPtr e = virGetLastError();
                fprintf(stderr, "floor: %s: %s\n", files[i], e && e->message ? e->message : "?");
                return 1;
            }
            virDomainFree(d);
        }
    } else if (!strcmp(cmd, "undefine-all") && argc == 3) {
        virDomainPtr *doms = NULL;
        int n = virConnectListAllDomains(c, &doms, 0);
        for (int i = 0; i < n; i++) {
            if (!strncmp(virDomainGetName(doms[i]), argv[2], strlen(argv[2]))) {
                virDomainDestroy(doms[i]);
                virDomainUndefine(doms[i]);
            }
            virDomainFree(doms[i]);
        }
        free(doms);
    } else {
        fprintf(stderr, "floor: bad command\n");
        return 2;
    }
    printf("%.6f\n", now() - t0);
    virConnectClose(c);
    return 0;
}
