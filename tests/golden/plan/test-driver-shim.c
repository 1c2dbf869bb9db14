/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* LD_PRELOAD shim for the plan goldens (tests/golden/run.sh plan): libvirt's test driver (9.0)
 * refuses VIR_NETWORK_XML_INACTIVE and VIR_STORAGE_XML_INACTIVE ("unsupported flags"), which
 * virtspec asks for when it reads a network or pool. A network or pool of a test driver node file
 * has one definition, persistent and active alike, so on the test driver only (virConnectGetType
 * "TEST") the flag is dropped; every other call goes to libvirt unchanged. No virtspec code is
 * replaced: the plan printed is the one virtspec makes of what the driver returns.
 * One knob for tests of the daemon's timing (check-template-blast.sh): with SHIM_HOLD_DOMAIN=NAME
 * and SHIM_HOLD_FILE=PATH, virDomainSetMemoryFlags on that domain (a pass's live memory change,
 * never a plan's or a read's) waits while PATH exists (20 s at most), so that pass is in flight
 * for as long as the test wants. */
#include <dlfcn.h>   /* RTLD_NEXT: _GNU_SOURCE comes from meson.build */
#include <libvirt/libvirt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static bool is_test_driver(virConnectPtr c) {
    const char *t = c ? virConnectGetType(c) : NULL;
    return t && strcmp(t, "TEST") == 0;
}

char *virNetworkGetXMLDesc(virNetworkPtr net, unsigned int flags) {
    static char *(*real)(virNetworkPtr, unsigned int);
    if (!real)
        real = (char *(*)(virNetworkPtr, unsigned int)) dlsym(RTLD_NEXT, "virNetworkGetXMLDesc");
    if (is_test_driver(virNetworkGetConnect(net)))
        flags &= ~(unsigned int) VIR_NETWORK_XML_INACTIVE;
    return real(net, flags);
}

char *virStoragePoolGetXMLDesc(virStoragePoolPtr pool, unsigned int flags) {
    static char *(*real)(virStoragePoolPtr, unsigned int);
    if (!real)
        real = (char *(*)(virStoragePoolPtr, unsigned int)) dlsym(RTLD_NEXT, "virStoragePoolGetXMLDesc");
    if (is_test_driver(virStoragePoolGetConnect(pool)))
        flags &= ~(unsigned int) VIR_STORAGE_XML_INACTIVE;
    return real(pool, flags);
}

int virDomainSetMemoryFlags(virDomainPtr dom, unsigned long memory, unsigned int flags) {
    static int (*real)(virDomainPtr, unsigned long, unsigned int);
    if (!real)
        real = (int (*)(virDomainPtr, unsigned long, unsigned int)) dlsym(RTLD_NEXT, "virDomainSetMemoryFlags");
    const char *hold = getenv("SHIM_HOLD_DOMAIN"), *file = getenv("SHIM_HOLD_FILE");
    const char *name = virDomainGetName(dom);
    if (hold && file && name && strcmp(hold, name) == 0)
        for (int i = 0; i < 1000 && access(file, F_OK) == 0; i++)
            nanosleep(&(struct timespec) { .tv_nsec = 20 * 1000 * 1000 }, NULL);
    return real(dom, memory, flags);
}
