/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Progress of long work (a base image upload). On a terminal one line on stdout rewrites itself
 * ("NAME: 1.0 GiB of 10.0 GiB (10%), 85.3 MiB/s, ETA 01:48"); elsewhere (the journal, a pipe)
 * the same line goes to the log once per 10 %. The formatting is pure (unit-tested). */

/* "512 B", "1.5 KiB", "20.0 MiB", "9.8 GiB" into buf. Returns buf. */
char *progress_bytes(char *buf, size_t n, uint64_t bytes);
/* "mm:ss" (minutes may pass 59: "125:03"), "--:--" when seconds < 0 (unknown). Returns buf. */
char *progress_eta(char *buf, size_t n, long seconds);
/* A total of 0 is a size not known (a download without Content-Length): the line then says
 * "NAME: 64.0 MiB of unknown size, 85.3 MiB/s" and goes to the log once per
 * PROGRESS_UNKNOWN_STEP bytes. */
#define PROGRESS_UNKNOWN_STEP (64ull << 20)

/* The 10 % step reached, 0…10 (10 only when done == total). */
int progress_step(uint64_t done, uint64_t total);
/* The line for done of total after elapsed seconds; caller frees. */
char *progress_line(const char *what, uint64_t done, uint64_t total, double elapsed);

typedef struct Progress {
    char *what;
    uint64_t total, done;
    uint64_t step;              /* the last 10 % step logged (total 0: PROGRESS_UNKNOWN_STEP) */
    bool tty;                   /* draw on the terminal instead of logging steps */
    struct timespec start, drawn;
} Progress;

/* tty: term_tty() in the program; a parameter for tests. */
void progress_start(Progress *p, const char *what, uint64_t total, bool tty);
void progress_update(Progress *p, uint64_t done);
/* Ends the line on the terminal; frees what. */
void progress_end(Progress *p);
/* Seconds since progress_start. */
double progress_elapsed(const Progress *p);

/* Around any other line printed to stdout while a progress or countdown line may be drawn (apply's
 * streamed results): begin clears the drawn line ("\r\033[K", redrawn by the next update) and
 * holds the terminal's lock until end, so no draw lands inside the line. */
void progress_output_begin(void);
void progress_output_end(void);

/* A wait that cannot report its own progress (a guest's graceful shutdown inside
 * engine_reload_domain): on a terminal a line counting the seconds, redrawn each second by a
 * thread ("waiting for web1 to shut down: 12 s of 60"); nothing elsewhere, nothing in the first
 * second (a wait that ends at once says nothing). */
typedef struct Countdown Countdown;
/* "WHAT: 12 s of 60" (never past "60 s of 60"); caller frees. */
char *countdown_line(const char *what, unsigned elapsed_s, unsigned total_s);
/* NULL (nothing to stop) when not tty. */
Countdown *countdown_start(const char *what, unsigned total_s, bool tty);
/* Ends the line (if it was drawn) and frees c. */
void countdown_stop(Countdown *c);
