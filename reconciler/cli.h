/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "config-file.h"
#include "placement.h"
#include "spec.h"

/* Options shared by the subcommands. */
typedef struct CliOpts {
    const char *connect;        /* libvirt URI; NULL: LIBVIRT_DEFAULT_URI or qemu:///system */
    char **paths;               /* spec files/dirs; default the spec directory */
    size_t n_paths;
    bool json;
    bool show_secrets;
    bool relaxed_perms;         /* --insecure-spec-perms: development and tests only */
    int host_kvm;               /* -1 probe, 0 no, 1 yes */
    const char *libvirt_version;/* render --libvirt-version X.Y; NULL: the newest */
    const char *specs_dir;      /* --specs: spec directory for reload/daemon */
    const char *config;         /* --config: the configuration file */
    const char *drift;          /* --drift correct|report */
    const char *status_file;    /* --status-file */
    bool prune;
    bool vagrant;               /* reference --vagrant: the vagrant-libvirt option table */
    const char *man;            /* reference --man PAGE: a manual page */
    bool seed;                  /* render --seed: the cloud_init seeds' files instead of XML */
    bool explain;               /* render --explain: each key and where its value came from */
    bool yes;                   /* destroy --yes: do it, not only show it */
    const char *templates;      /* export --templates NAME: shared values into template NAME */
    const char *host;           /* --host NAME (or host = of the configuration file) */
    bool all_hosts;             /* --all-hosts: every Host through its uri (agentless mode) */
    DaemonConfig *cfg;          /* the configuration file with the flags applied */
    char **targets;             /* -t [KIND/]NAME (status: also NAME arguments) */
    size_t n_targets;
} CliOpts;

/* Which objects plan, apply and status look at. The tree is always read whole; a selection
 * only narrows what is reconciled and shown (docs: README "Selecting objects"). */
typedef struct Selection {
    bool active;                /* false: every object of the tree */
    bool lone_files;            /* files outside the spec tree were read alone: not a whole tree */
    bool tree_read;             /* the configured spec tree was walked (all of it, or the walk
                                 * said where not: SpecSet.incomplete) */
    bool other_paths;           /* a PATH other than the tree itself was named */
    char **prefixes;            /* real paths: a named file, or a named directory + "/" */
    size_t n_prefixes;
    struct Target { SpecKind kind; const char *name; const char *arg; bool used; } *targets;
    size_t n_targets;           /* kind _KIND_INVALID: any kind */
} Selection;

void selection_clear(Selection *s);
/* The targets of o (-t, status NAME); errors printed and counted. */
size_t selection_parse_targets(const CliOpts *o, Selection *sel);
bool selection_has_spec(Selection *s, const Spec *spec);
/* By name (an object of the daemon's status file): targets only. */
bool selection_has(Selection *s, SpecKind kind, const char *name);
/* An owned domain no spec names: shown when named, or when the run covers a whole tree. */
bool selection_has_orphan(Selection *s, const char *name);
/* Targets no object matched: printed as errors; returns their number. */
size_t selection_report_unused(const Selection *s);

/* plan, apply, status: reads the tree (the PATH directories, and the spec tree when a PATH file
 * or a target lies in it; no PATH: the spec tree), prints the diagnostics, fills the selection.
 * Returns the number of errors, like cli_load_specs. */
size_t cli_load_tree(const CliOpts *o, SpecSet *set, Selection *sel);
/* cli_load_tree in two steps, for plan and apply: reading (errors outside set->diags), then the
 * share of o->host with this host's observed objects as sticky input (placement_take_share;
 * *ret_moved: those placed elsewhere), printing the diagnostics. */
size_t cli_read_tree(const CliOpts *o, SpecSet *set, Selection *sel);
size_t cli_tree_share(const CliOpts *o, SpecSet *set, const PlaceObserved *obs, size_t n_obs,
                      size_t *ret_moved);

int cmd_validate(const CliOpts *o);
int cmd_render(const CliOpts *o);
int cmd_plan(const CliOpts *o);
/* Per spec, the host placement chooses and why not the others (cmd-placement.c, docs/fleet.md). */
int cmd_placement(const CliOpts *o);
/* `virtspec fleet status`: every Host's share and objects by state, read-only (cmd-fleet.c). */
int cmd_fleet(const CliOpts *o);
int cmd_apply(const CliOpts *o);
/* plan|apply --all-hosts: `command --host NAME -c URI` per Host, one child each (cmd-all-hosts.c). */
int cmd_all_hosts(const CliOpts *o, const char *command);
int cmd_status(const CliOpts *o);
int cmd_reload(const CliOpts *o, char **names, size_t n_names);
/* The specs reload and snapshot revert take a domain's shutdown_timeout from: --specs DIR, else
 * the default spec directory when it exists (problems in them are validate's business). */
void cli_load_timeout_specs(const CliOpts *o, SpecSet *set);
/* The domain's shutdown_timeout in set; 60 s for one without a spec there. */
unsigned cli_shutdown_timeout(const SpecSet *set, const char *name);
/* "Domain NAME: ■ stop (ACPI shutdown, forced after N s)[, ▶ start]", as plan prints them. */
void cli_print_stop(const char *name, unsigned timeout_s, bool start);
int cmd_daemon(const CliOpts *o);
/* virtspec sync (docs/fleet.md): exit 0 updated or unchanged, 3 fetch failed, 4 signature
 * refused, 5 held (the new revision has errors), 1 other errors. */
int cmd_sync(const CliOpts *o);
/* Removes what the tree (or -t) declares and virtspec owns; --yes does it (cmd-destroy.c). */
int cmd_destroy(const CliOpts *o);
/* virtspec snapshot create|list|revert|delete DOMAIN [NAME] (cmd-snapshot.c). */
int cmd_snapshot(const CliOpts *o);
/* A spec for existing domains, from their inactive XML (keys, else the xml escape hatch). */
int cmd_export(const CliOpts *o);
/* virtspec's and the libvirt library's versions (--version); cmd_version adds the daemon's. */
void cli_print_versions(void);
int cmd_version(const CliOpts *o);
/* The key sections of virtspec.yaml(5), from the tables (cmd-reference.c). */
void reference_print_man(FILE *f);
/* A manual page in roff: "virtspec.8", "virtspec.yaml.5", "virtspec.conf.5" (man.c). */
int man_print(FILE *f, const char *page);
/* Hidden: `virtspec __complete CWORD WORD…`, the shell completions (cmd-complete.c). */
int cmd_complete(int argc, char **argv);
/* Hidden: the Markdown spec reference, from the key tables (docs/spec-reference.md). */
int cmd_reference(const CliOpts *o);

/* Loads specs for a command and prints diagnostics; returns number of errors. */
size_t cli_load_specs(const CliOpts *o, SpecSet *set);
