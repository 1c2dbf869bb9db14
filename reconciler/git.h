/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* Runs a program (git, gpg, tar) as an argument vector, never through a shell: fork, execvp,
 * its own process group; stdout and stderr captured; killed (the whole group) after timeout_s
 * seconds (0: none). env: "NAME=VALUE" entries added to the environment (NULL-terminated, or
 * NULL). Returns the exit status (0…255), -ETIMEDOUT, or a negative errno (it could not run,
 * or died of a signal: -EINTR). *ret_out, *ret_err: what it printed (allocated; may be NULL). */
int run_argv(const char *const *argv, const char *const *env, unsigned timeout_s, char **ret_out,
             char **ret_err);
/* SIGINT, SIGTERM and SIGHUP of this process kill the groups of the programs run_argv runs too
 * (each thread's; up to 64 at once),
 * then end this process as the signal would have (an interrupted `virtspec sync` leaves no git
 * behind writing its cache). */
void run_argv_forward_signals(void);
/* The last non-empty line of text (a command's stderr), for one-line messages; allocated. */
char *last_line(const char *text);

