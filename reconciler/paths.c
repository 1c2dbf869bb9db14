/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "paths.h"

static const char *env_abs(EnvLookup env, void *userdata, const char *name) {
    const char *v = env(name, userdata);
    return v && v[0] == '/' ? v : NULL;   /* XDG: a relative path is invalid, ignored */
}

/* $XDG_name, else $HOME/fallback; + "/virtspec" */
static char *xdg_dir(EnvLookup env, void *userdata, const char *name, const char *home,
                     const char *fallback) {
    const char *v = env_abs(env, userdata, name);
    return v ? xasprintf("%s/virtspec", v) : xasprintf("%s/%s/virtspec", home, fallback);
}

/* uri_default = "URI" of libvirt's client configuration (FILE: the user's libvirt.conf), as
 * libvirt itself reads it when no URI is given; NULL without one. */
char *paths_libvirt_uri_default(const char *file) {
    FILE *f = fopen(file, "re");
    char line[4096];
    char *found = NULL;
    while (f && !found && fgets(line, sizeof(line), f)) {
        char *p = line;
        while (isspace((unsigned char) *p))
            p++;
        if (strncmp(p, "uri_default", 11) != 0)
            continue;
        p += 11;
        while (isspace((unsigned char) *p))
            p++;
        if (*p++ != '=')
            continue;
        while (isspace((unsigned char) *p))
            p++;
        char q = *p;
        if (q != '"' && q != '\'')
            continue;
        char *end = strchr(p + 1, q);
        if (!end || end == p + 1)
            continue;
        found = xstrndup(p + 1, (size_t) (end - p - 1));
    }
    if (f)
        fclose(f);
    return found;
}

int paths_for(uid_t uid, EnvLookup env, void *userdata, const Paths *sys, Paths *ret) {
    Paths p = {};
    const char *sd = env("VIRTSPEC_STATE_DIR", userdata);
    const char *rd = env_abs(env, userdata, "RUNTIME_DIRECTORY");   /* systemd's RuntimeDirectory= */
    const char *uri = env("LIBVIRT_DEFAULT_URI", userdata);
    if (uid == 0) {
        p.spec_dir = xstrdup(sys->spec_dir);
        p.config_file = xstrdup(sys->config_file);
        p.state_dir = xstrdup(sd && *sd ? sd : sys->state_dir);
        p.run_dir = xstrdup(rd ? rd : sys->run_dir);
        p.cache_dir = xstrdup(p.state_dir);
        p.uri = xstrdup(uri && *uri ? uri : "qemu:///system");
        *ret = p;
        return 0;
    }
    const char *home = env_abs(env, userdata, "HOME");
    if (!home)
        return -ENOENT;
    const char *cfg = env_abs(env, userdata, "XDG_CONFIG_HOME");
    _cleanup_free_ char *cfg_home = cfg ? xstrdup(cfg) : xasprintf("%s/.config", home);
    p.spec_dir = xasprintf("%s/virtspec", cfg_home);
    p.config_file = xasprintf("%s/virtspec.conf", cfg_home);
    p.state_dir = sd && *sd ? xstrdup(sd) : xdg_dir(env, userdata, "XDG_STATE_HOME", home, ".local/state");
    const char *xrd = env_abs(env, userdata, "XDG_RUNTIME_DIR");
    p.run_dir = rd ? xstrdup(rd) : xrd ? xasprintf("%s/virtspec", xrd)
                                       : xasprintf("/run/user/%u/virtspec", (unsigned) uid);
    p.cache_dir = xdg_dir(env, userdata, "XDG_CACHE_HOME", home, ".cache");
    /* libvirt's own order without a URI: $LIBVIRT_DEFAULT_URI, the user's uri_default, then
     * (for a user) the session driver */
    _cleanup_free_ char *conf = xasprintf("%s/libvirt/libvirt.conf", cfg_home);
    _cleanup_free_ char *conf_uri = uri && *uri ? NULL : paths_libvirt_uri_default(conf);
    p.uri = xstrdup(uri && *uri ? uri : conf_uri ? conf_uri : "qemu:///session");
    *ret = p;
    return 0;
}

void paths_clear(Paths *p) {
    free(p->spec_dir);
    free(p->config_file);
    free(p->state_dir);
    free(p->run_dir);
    free(p->cache_dir);
    free(p->uri);
    *p = (Paths) {};
}
