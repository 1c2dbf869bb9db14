/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "config-file.h"
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
    const char *specs_dir;      /* --specs: spec directory for reload/daemon */
    const char *config;         /* --config: the configuration file */
    const char *drift;          /* --drift correct|report */
    const char *status_file;    /* --status-file */
    bool prune;
    bool vagrant;               /* reference --vagrant: the vagrant-libvirt option table */
    DaemonConfig *cfg;          /* the configuration file with the flags applied */
} CliOpts;

int cmd_validate(const CliOpts *o);
int cmd_render(const CliOpts *o);
int cmd_plan(const CliOpts *o);
int cmd_apply(const CliOpts *o);
int cmd_status(const CliOpts *o);
int cmd_reload(const CliOpts *o, char **names, size_t n_names);
int cmd_daemon(const CliOpts *o);
/* A spec for existing domains, from their inactive XML (keys, else the xml escape hatch). */
int cmd_export(const CliOpts *o);
/* Hidden: the Markdown spec reference, from the key tables (docs/spec-reference.md). */
int cmd_reference(const CliOpts *o);

/* Loads specs for a command and prints diagnostics; returns number of errors. */
size_t cli_load_specs(const CliOpts *o, SpecSet *set);
