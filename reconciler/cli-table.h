/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* The command line as data: the commands, each one's options and help, the options' help and
 * the exit statuses. main.c parses and dispatches with it; `virtspec reference --man` writes the
 * manual pages from it and `virtspec __complete` answers the shell completions from it, so
 * neither can drift from what the parser accepts. */

/* Each command accepts only its own options: one it would ignore is a usage error (exit 1, like
 * an unknown option), so that `validate --prune` or `plan --json` never pretends to work. */
enum {
    O_CONNECT = 1 << 0, O_JSON = 1 << 1, O_SECRETS = 1 << 2, O_KVM = 1 << 3, O_INSECURE = 1 << 4,
    O_SPECS = 1 << 5, O_DRIFT = 1 << 6, O_PRUNE = 1 << 7, O_STATUS_FILE = 1 << 8,
    O_VAGRANT = 1 << 9, O_TARGET = 1 << 10, O_MAN = 1 << 11,
    O_SEED = 1 << 12, O_YES = 1 << 13, O_EXPLAIN = 1 << 14, O_TEMPLATES = 1 << 15,
    O_HOST = 1 << 16, O_LIBVIRT = 1 << 17, O_ALL_HOSTS = 1 << 18,
    O_EVERY = 1 << 30,   /* --config and --help: every command */
};

/* What a command's arguments are (for completion and the manual). */
typedef enum CliArgs {
    ARGS_NONE,
    ARGS_PATHS,          /* spec files and directories */
    ARGS_NAMES,          /* object names of the spec tree */
    ARGS_NAMES_PATHS,    /* either (status) */
    ARGS_DIR,            /* a directory (daemon) */
    ARGS_SNAPSHOT,       /* create|list|revert|delete, then a domain name (snapshot) */
} CliArgs;

typedef struct CliOption {
    unsigned bit;
    const char *name;       /* "--connect" */
    char short_name;        /* 'c', or 0 */
    const char *arg;        /* "URI", or NULL: a flag */
    const char *const *choices;   /* fixed values of arg, or NULL */
    const char *help;
} CliOption;

typedef struct CliCommand {
    const char *name;
    unsigned opts;
    CliArgs args;
    const char *synopsis;   /* its arguments in the main help: "[PATH…]" */
    const char *summary;    /* one line: the main help and the manual's command list */
    const char *help;       /* `virtspec COMMAND --help`: "Usage: …\n\n" then the text */
} CliCommand;

typedef struct CliExit {
    int status;
    const char *meaning;
} CliExit;

#include <stdio.h>

/* `virtspec --help`: the commands' summaries and the options' help, from the tables. */
void cli_print_main_help(FILE *f);
extern const CliCommand cli_commands[];
extern const size_t cli_n_commands;
extern const CliOption cli_options[];
extern const size_t cli_n_options;
extern const CliExit cli_exits[];
extern const size_t cli_n_exits;

const CliCommand *cli_command_find(const char *name);
/* The option of bit (exactly one bit). */
const CliOption *cli_option_of(unsigned bit);
