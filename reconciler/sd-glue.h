/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/* systemd glue: readiness, status, reload and watchdog notifications. No-ops outside systemd
 * (no $NOTIFY_SOCKET). */
void sd_glue_ready(void);
void sd_glue_reloading(void);
void sd_glue_stopping(void);
void sd_glue_status(const char *status);
void sd_glue_watchdog(void);
/* Watchdog interval in microseconds, or 0 when systemd does not ask for one. */
uint64_t sd_glue_watchdog_usec(void);
