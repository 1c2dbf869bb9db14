/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <syslog.h>

#include "macro.h"

/* Logging: to the journal with structured fields when stderr is connected to it
 * ($JOURNAL_STREAM), readable lines on stderr otherwise. Pure stages never log above debug;
 * their callers log once. For tests, $VIRTSPEC_LOG_FIELDS=FILE appends each journal record to FILE
 * instead (journal export format: KEY=value lines, a blank line after each record), whether or
 * not stderr is the journal. */

void log_setup(void);
void log_set_max_level(int level);
int log_get_max_level(void);

/* Fields: NULL-terminated list of "KEY=value" strings added to the journal record. The record's
 * CODE_FILE, CODE_LINE and CODE_FUNC name the caller (log_full is a macro). */
int log_internal(const char *file, int line, const char *func, int level, int error,
                 const char *const *fields, const char *fmt, ...) _printf_(7, 8);
#define log_full(level, error, fields, ...) \
    log_internal(__FILE__, __LINE__, __func__, (level), (error), (fields), __VA_ARGS__)
/* A line about one object: OBJECT_KIND= and OBJECT_NAME= (journalctl OBJECT_NAME=web1). */
int log_internal_object(const char *file, int line, const char *func, int level, const char *kind,
                        const char *name, const char *fmt, ...) _printf_(7, 8);
#define log_object(level, kind, name, ...) \
    log_internal_object(__FILE__, __LINE__, __func__, (level), (kind), (name), __VA_ARGS__)

#define log_debug(...)   log_full(LOG_DEBUG, 0, NULL, __VA_ARGS__)
#define log_info(...)    log_full(LOG_INFO, 0, NULL, __VA_ARGS__)
#define log_notice(...)  log_full(LOG_NOTICE, 0, NULL, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, 0, NULL, __VA_ARGS__)
#define log_error(...)   log_full(LOG_ERR, 0, NULL, __VA_ARGS__)
/* The _errno forms append ": <strerror>" and return r (negative). */
#define log_error_errno(r, ...)   log_full(LOG_ERR, (r), NULL, __VA_ARGS__)
#define log_warning_errno(r, ...) log_full(LOG_WARNING, (r), NULL, __VA_ARGS__)
