/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "macro.h"

/* Where virtspec keeps things by default, for whoever runs it. root (the system unit): the
 * compiled-in system paths, qemu:///system. Anyone else (a user unit, rootless with
 * qemu:///session): the XDG base directories of that user. $LIBVIRT_DEFAULT_URI,
 * $VIRTSPEC_STATE_DIR and systemd's $RUNTIME_DIRECTORY win over both. */
typedef struct Paths {
    char *spec_dir;     /* root: VIRTSPEC_SPEC_DIR; user: $XDG_CONFIG_HOME/virtspec */
    char *config_file;  /* root: VIRTSPEC_CONFIG_FILE; user: $XDG_CONFIG_HOME/virtspec.conf */
    char *state_dir;    /* root: VIRTSPEC_STATE_DIR; user: $XDG_STATE_HOME/virtspec */
    char *run_dir;      /* status.json's directory; root: VIRTSPEC_RUN_DIR; user: $XDG_RUNTIME_DIR/virtspec */
    char *cache_dir;    /* base images by URL (images/ inside); root: the state directory;
                         * user: $XDG_CACHE_HOME/virtspec */
    char *uri;          /* the default connection: qemu:///system, qemu:///session */
} Paths;

/* An environment lookup: the value of name, or NULL. */
typedef const char *(*EnvLookup)(const char *name, void *userdata);

/* The paths for uid in that environment (pure: no file is looked at); sys: root's (spec_dir,
 * config_file, state_dir, run_dir: config.h's VIRTSPEC_*). A user's XDG directory
 * that is unset, empty or relative falls back to the specification's default under $HOME;
 * $XDG_RUNTIME_DIR to /run/user/UID. -ENOENT: a user without $HOME. */
/* uri_default = "URI" of a libvirt client configuration file; NULL without one (caller frees). */
char *paths_libvirt_uri_default(const char *file);
int paths_for(uid_t uid, EnvLookup env, void *userdata, const Paths *sys, Paths *ret);
void paths_clear(Paths *p);

/* paths_for(geteuid(), getenv, VIRTSPEC_*), computed once ($HOME, when unset, from the password
 * database). In config.c, beside the compiled-in paths. */
const Paths *paths_default(void);

/* The daemon's status file when none is configured: status.json in paths_default()'s run_dir
 * (made first when make_dir: for a writer). Caller frees. */
char *paths_status_file(bool make_dir);
