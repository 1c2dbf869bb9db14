/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <systemd/sd-daemon.h>
#include <time.h>

#include "macro.h"
#include "sd-glue.h"

void sd_glue_ready(void) {
    sd_notify(0, "READY=1");
}

void sd_glue_reloading(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
               (unsigned long long) ts.tv_sec * 1000000ULL + (unsigned long long) ts.tv_nsec / 1000);
}

void sd_glue_stopping(void) {
    sd_notify(0, "STOPPING=1");
}

void sd_glue_status(const char *status) {
    sd_notifyf(0, "STATUS=%s", status);
}

void sd_glue_watchdog(void) {
    sd_notify(0, "WATCHDOG=1");
}

uint64_t sd_glue_watchdog_usec(void) {
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0)
        return 0;
    return usec;
}
