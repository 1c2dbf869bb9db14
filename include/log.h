/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <syslog.h>

#include "macro.h"

/* Logging: to the journal with structured fields when stderr is connected to it
 * ($JOURNAL_STREAM), readable lines on stderr otherwise. Pure stages never log above debug;
 * their callers log once. */

void log_setup(void);
void log_set_max_level(int level);
int log_get_max_level(void);

/* Fields: NULL-terminated list of "KEY=value" strings added to the journal record. */
int log_full(int level, int error, const char *const *fields, const char *fmt, ...) _printf_(4, 5);

#define log_debug(...)   log_full(LOG_DEBUG, 0, NULL, __VA_ARGS__)
#define log_info(...)    log_full(LOG_INFO, 0, NULL, __VA_ARGS__)
#define log_notice(...)  log_full(LOG_NOTICE, 0, NULL, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, 0, NULL, __VA_ARGS__)
#define log_error(...)   log_full(LOG_ERR, 0, NULL, __VA_ARGS__)
/* The _errno forms append ": <strerror>" and return r (negative). */
#define log_error_errno(r, ...)   log_full(LOG_ERR, (r), NULL, __VA_ARGS__)
#define log_warning_errno(r, ...) log_full(LOG_WARNING, (r), NULL, __VA_ARGS__)
