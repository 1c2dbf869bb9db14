/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image-cache.h"
#include "log.h"

/* A verified image of the cache: a file named by 64 hex digits (not a .part, .bad, .lock, nor a
 * pool's directory of markers). */
static bool cache_name(const char *n) {
    size_t i = 0;
    for (; n[i]; i++)
        if (!isxdigit((unsigned char) n[i]) || isupper((unsigned char) n[i]))
            return false;
    return i == 64;
}

void image_cache_names_add(char ***names, size_t *n, const Spec *s) {
    if (!*names)
        *names = xmalloc0(sizeof(char *));
    if (!s || s->kind != KIND_DOMAIN)
        return;
    const DiskSpec *dk = s->domain.disks.items;
    for (size_t k = 0; k < s->domain.disks.n; k++) {
        if (!dk[k].image_url.set || !dk[k].image_sha256.s)
            continue;
        char *l = xstrdup(dk[k].image_sha256.s);
        for (char *p = l; *p; p++)
            *p = (char) tolower((unsigned char) *p);
        *names = xrealloc(*names, (*n + 2) * sizeof(char *));
        (*names)[(*n)++] = l;
        (*names)[*n] = NULL;
    }
}

void image_cache_names_free(char **names) {
    for (char **l = names; l && *l; l++)
        free(*l);
    free(names);
}

static bool named(char *const *names, const char *sha) {
    for (char *const *l = names; l && *l; l++)
        if (streq(*l, sha))
            return true;
    return false;
}

/* The pool holding sha's complete base volume (its volume in libvirt and the upload's
 * .complete marker), else NULL; caller frees. The pools were refreshed before. */
static char *pool_holding(Engine *e, virStoragePoolPtr *pools, int n, const char *sha) {
    _cleanup_free_ char *vol = xasprintf("base-sha256-%s", sha);
    for (int i = 0; i < n; i++) {
        const char *pool = virStoragePoolGetName(pools[i]);
        virStorageVolPtr v = virStorageVolLookupByName(pools[i], vol);
        if (!v)
            continue;
        virStorageVolFree(v);
        _cleanup_free_ char *complete = xasprintf("%s/images/%s/%s.complete", e->state_dir, pool, vol);
        if (access(complete, F_OK) == 0)
            return xstrdup(pool);
    }
    return NULL;
}

const char *image_cache_prune_strerror(int r) {
    return r == -ECOMM ? virt_error_message() : strerror(-r);
}

int image_cache_prune(Engine *e, char *const *names, char ***ret_said) {
    _cleanup_free_ char *dir = xasprintf("%s/images", e->cache_dir);
    char **said = xmalloc0(sizeof(char *));
    size_t n_said = 0;
    *ret_said = said;
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : -errno;
    virStoragePoolPtr *pools = NULL;
    int n_pools = virConnectListAllStoragePools(e->conn, &pools, VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);
    if (n_pools < 0) {
        closedir(d);
        return -ECOMM;   /* libvirt's error (image_cache_prune_strerror) */
    }
    for (int i = 0; i < n_pools; i++)
        virStoragePoolRefresh(pools[i], 0);   /* once per run, not per image */
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!cache_name(de->d_name) || named(names, de->d_name))
            continue;
        _cleanup_free_ char *pool = pool_holding(e, pools, n_pools, de->d_name);
        if (!pool)
            continue;   /* the only copy here: kept */
        _cleanup_free_ char *path = xasprintf("%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        /* a pass fetching it or uploading from it holds its lock (image-fetch.h): left alone */
        _cleanup_free_ char *lock = xasprintf("%s.lock", path);
        int lfd = e->apply ? open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600) : -1;
        if (e->apply && (lfd < 0 || flock(lfd, LOCK_EX | LOCK_NB) < 0)) {
            log_debug("not removing cached image %s: %s", path,
                      lfd < 0 ? strerror(errno) : "in use (a pass fetches it or uploads from it)");
            if (lfd >= 0)
                close(lfd);
            continue;
        }
        char *line;
        if (!e->apply)
            line = xasprintf("would remove cached image %s: no spec names it, pool %s holds its base "
                             "volume base-sha256-%s", path, pool, de->d_name);
        else if (unlink(path) < 0)
            line = xasprintf("cannot remove cached image %s: %s", path, strerror(errno));
        else {
            line = xasprintf("removed cached image %s (%lld MiB): no spec names it, pool %s holds "
                             "its base volume base-sha256-%s", path, (long long) (st.st_size >> 20),
                             pool, de->d_name);
            log_info("%s", line);
        }
        if (lfd >= 0)
            close(lfd);
        said = xrealloc(said, (n_said + 2) * sizeof(char *));
        said[n_said++] = line;
        said[n_said] = NULL;
    }
    closedir(d);
    for (int i = 0; i < n_pools; i++)
        virStoragePoolFree(pools[i]);
    free(pools);
    *ret_said = said;
    return (int) n_said;
}
