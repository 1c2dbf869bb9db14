/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <stdio.h>

#include "paths.h"
#include "config.h"
#include "cli.h"
#include "cli-table.h"
#include "config-file.h"

/* `virtspec __complete CWORD WORD…` (hidden): what the shell may put at WORD[CWORD], the words of
 * the command line as the shell split them (WORD[0] the program; bash splits --opt=value into
 * "--opt" "=" "value"). The first line says how the shell treats the rest: "words" (only the
 * candidates that follow), "paths" (also spec files and directories, which the shell completes
 * itself), "files", "dirs". Candidates come from the command-line table (cli-table.c) and, for
 * object names, from the spec tree the configuration names (read, never libvirt: fast, no
 * connection). The scripts in completion/ are thin wrappers around it. */

typedef struct Ctx {
    const char *cur;        /* the word being completed (after --opt= when it has one) */
    const char *lead;       /* printed before each candidate: "--opt=" for a one-word --opt=value */
    const char *config, *specs;
} Ctx;

static void put(const Ctx *c, const char *w) {
    if (!strncmp(w, c->cur, strlen(c->cur)))
        printf("%s%s\n", c->lead, w);
}

/* The option a word names ("-c", "--connect", "--drift=x"), or NULL. */
static const CliOption *option_of(const char *w) {
    for (size_t i = 0; i < cli_n_options; i++) {
        const CliOption *o = &cli_options[i];
        size_t l = strlen(o->name);
        if ((w[0] == '-' && w[1] == o->short_name && o->short_name && !w[2]) ||
            (!strncmp(w, o->name, l) && (w[l] == 0 || w[l] == '=')))
            return o;
    }
    return NULL;
}

/* Object names of the spec tree: KIND NULL every kind; with_kind: also "Kind/name". */
static void put_names(const Ctx *c, const char *kind, bool with_kind) {
    _cleanup_(daemon_config_clear) DaemonConfig cfg = {};
    ConfigOverrides ovr = { .file = c->config, .specs_dir = c->specs };
    _cleanup_(spec_set_clear) SpecSet set = {};
    if (daemon_config_resolve(&cfg, &ovr) < 0)
        return;
    char *paths[] = { cfg.specs_dir ? cfg.specs_dir : paths_default()->spec_dir };
    spec_trust_warn_only = true;
    spec_load_paths(&set, paths, 1);
    for (size_t i = 0; i < set.n; i++) {
        const char *k = spec_kind_to_string(set.specs[i]->kind);
        if (kind && strcasecmp(kind, k))
            continue;
        put(c, set.specs[i]->name);
        if (with_kind) {
            _cleanup_free_ char *kn = xasprintf("%s/%s", k, set.specs[i]->name);
            put(c, kn);
        }
    }
}

static int complete_value(const Ctx *c, const CliOption *o) {
    if (o->choices) {
        puts("words");
        for (size_t i = 0; o->choices[i]; i++)
            put(c, o->choices[i]);
    } else if (streq(o->name, "--config") || streq(o->name, "--status-file"))
        puts("files");
    else if (streq(o->name, "--specs"))
        puts("dirs");
    else if (streq(o->name, "--target")) {
        puts("words");
        put_names(c, NULL, true);
    } else {
        puts("words");
        if (streq(o->name, "--connect")) {
            put(c, "qemu:///system");
            put(c, "qemu:///session");
        }
    }
    return 0;
}

static const char *const snapshot_subcommands[] = { "create", "list", "revert", "delete" };

int cmd_complete(int argc, char **argv) {
    if (argc < 2)
        return 1;
    int cword = atoi(argv[0]);
    char **words = argv + 1;
    int n = argc - 1;
    if (cword < 1 || cword > n)
        return 1;
    Ctx c = { .cur = cword < n ? words[cword] : "", .lead = "" };
    const CliCommand *cmd = NULL;
    bool help = false;
    int npos = 0;   /* the command's own words before the one completed */

    for (int i = 1; i < cword; i++) {
        const char *w = words[i];
        const CliOption *o = w[0] == '-' && w[1] ? option_of(w) : NULL;
        if (o && o->arg && !strchr(w, '=')) {
            int v = i + 1 < cword && streq(words[i + 1], "=") ? i + 2 : i + 1;
            if (v < cword) {
                if (streq(o->name, "--config"))
                    c.config = words[v];
                else if (streq(o->name, "--specs"))
                    c.specs = words[v];
            }
            i = v;
        } else if (o && o->arg) {
            const char *v = strchr(w, '=') + 1;
            if (streq(o->name, "--config"))
                c.config = v;
            else if (streq(o->name, "--specs"))
                c.specs = v;
        } else if (w[0] != '-' && !streq(w, "=") && cmd)
            npos++;
        else if (w[0] != '-' && !streq(w, "=") && !cmd && !help) {
            if (streq(w, "help"))
                help = true;
            else
                cmd = cli_command_find(w);
        }
    }

    /* an option's value: "--opt VALUE", bash's "--opt = VALUE", a one-word "--opt=VALUE" */
    const char *prev = words[cword - 1];
    const CliOption *o = NULL;
    if (streq(prev, "=") && cword >= 2)
        o = option_of(words[cword - 2]);
    else if (prev[0] == '-' && !strchr(prev, '=') && (o = option_of(prev)) && !o->arg)
        o = NULL;
    if (!o && !strncmp(c.cur, "--", 2) && strchr(c.cur, '=') && (o = option_of(c.cur)) && o->arg) {
        const char *eq = strchr(c.cur, '=');
        _cleanup_free_ char *lead = xstrndup(c.cur, (size_t) (eq - c.cur + 1));
        c.lead = lead;
        c.cur = eq + 1;
        return complete_value(&c, o);
    }
    if (o && o->arg)
        return complete_value(&c, o);

    if (c.cur[0] == '-') {
        puts("words");
        unsigned mask = cmd ? cmd->opts | O_EVERY : ~0u;
        for (size_t i = 0; i < cli_n_options; i++)
            if ((cli_options[i].bit & mask) || (!cmd && !cli_options[i].bit)) {
                _cleanup_free_ char *w = xasprintf("%s%s", cli_options[i].name,
                                                   cli_options[i].arg && cli_options[i].choices ? "=" : "");
                put(&c, w);
            }
        return 0;
    }
    if (!cmd) {
        puts("words");
        if (!help)
            put(&c, "help");
        for (size_t i = 0; i < cli_n_commands; i++)
            put(&c, cli_commands[i].name);
        return 0;
    }
    switch (cmd->args) {
    case ARGS_PATHS:
        if (streq(cmd->name, "fleet") && npos == 0) {   /* its one subcommand, then paths */
            puts("words");
            put(&c, "status");
            break;
        }
        puts("paths");
        break;
    case ARGS_DIR:
        puts("dirs");
        break;
    case ARGS_NAMES:
        puts("words");
        put_names(&c, streq(cmd->name, "reload") ? "Domain" : NULL, false);
        break;
    case ARGS_NAMES_PATHS:
        puts("paths");
        put_names(&c, NULL, true);
        break;
    case ARGS_SNAPSHOT:
        puts("words");
        if (npos == 0)
            for (size_t i = 0; i < ELEMENTSOF(snapshot_subcommands); i++)
                put(&c, snapshot_subcommands[i]);
        else if (npos == 1)
            put_names(&c, "Domain", false);
        break;
    case ARGS_NONE:
        puts("words");
        break;
    }
    return 0;
}
