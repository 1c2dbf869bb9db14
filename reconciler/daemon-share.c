/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "daemon-share.h"
#include "placement.h"
#include "util.h"

void daemon_share_clear(DaemonShare *s) {
    for (size_t i = 0; i < s->elsewhere; i++)
        free(s->others[i].name);
    free(s->others);
    free(s->error);
    free(s->revision);
    free(s->sync_failure);
    *s = (DaemonShare) {};
}

static bool is_bad_file(const SpecSet *set, const char *file) {
    for (size_t i = 0; i < set->n_bad_files; i++)
        if (streq(set->bad_files[i], file))
            return true;
    return false;
}

void daemon_share_take(SpecSet *set, const char *host, char *const *defined_here, size_t n_defined,
                       DaemonShare *ret) {
    daemon_share_clear(ret);
    ret->host = host;
    /* what was in the set: a spec that leaves it without its file being refused is another
     * host's (a refused file's specs are held at their last good version, as everywhere) */
    size_t n = set->n;
    struct { SpecKind kind; char *name, *file; } *before = xmalloc0((n + 1) * sizeof(*before));
    for (size_t i = 0; i < n; i++)
        before[i].kind = set->specs[i]->kind, before[i].name = xstrdup(set->specs[i]->name),
        before[i].file = xstrdup(set->specs[i]->file);
    PlaceObserved *obs = xmalloc0((n_defined + 1) * sizeof(PlaceObserved));
    for (size_t i = 0; i < n_defined; i++)
        obs[i] = (PlaceObserved) { .kind = KIND_DOMAIN, .name = defined_here[i], .host = host };
    size_t errors;
    if (placement_take_share(set, host, obs, host ? n_defined : 0, &errors, &ret->moved) == -ENOENT) {
        /* nothing is this host's: every spec is held (nothing applied, nothing orphaned) */
        ret->error = xasprintf("host = %s: no `kind: Host` document of the tree names it; "
                               "nothing is applied here", host);
        bool *all = xmalloc0((set->n + 1) * sizeof(bool));
        for (size_t i = 0; i < set->n; i++)
            all[i] = true;
        spec_set_drop_held(set, all, set->n);
        free(all);
    }
    SpecIndex ix;   /* a look-up per spec: a walk of the set each would be N² */
    spec_index_build(&ix, set);
    for (size_t i = 0; i < n; i++) {
        if (!spec_index_find(&ix, before[i].kind, before[i].name) && !is_bad_file(set, before[i].file)) {
            typeof(*ret->others) *x = array_push(&ret->others, &ret->elsewhere, sizeof(*ret->others));
            x->kind = before[i].kind;
            x->name = TAKE_PTR(before[i].name);
        }
        free(before[i].name);
        free(before[i].file);
    }
    spec_index_clear(&ix);
    ret->here = set->n;
    free(before);
    free(obs);
}

bool daemon_share_is_other(const DaemonShare *s, SpecKind kind, const char *name) {
    for (size_t i = 0; i < s->elsewhere; i++)
        if (s->others[i].kind == kind && streq(s->others[i].name, name))
            return true;
    return false;
}

char *daemon_share_summary(const DaemonShare *s) {
    Buf b = {};
    if (s->revision)
        buf_printf(&b, "revision %.12s%s", s->revision, s->host ? ", " : "");
    if (s->host && s->error)
        buf_printf(&b, "%s", s->error);
    else if (s->host) {
        buf_printf(&b, "host %s, %zu of %zu specs (%zu on other hosts", s->host, s->here,
                   s->here + s->elsewhere, s->elsewhere);
        if (s->moved)
            buf_printf(&b, "; %zu defined here placed on another host", s->moved);
        buf_printf(&b, ")");
    }
    if (s->sync_failure)
        buf_printf(&b, "%s%s", b.p ? "; " : "", s->sync_failure);
    return b.p;
}
