/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "engine.h"

/* Pruning: an owned domain whose spec is gone. The daemon (--prune, prune = true) and
 * `virtspec apply --prune` use the same rules: only a domain carrying virtspec's metadata is
 * touched; it is shut down (ACPI, destroyed after its shutdown_timeout) and undefined; volumes,
 * NVRAM and TPM state are kept, unless its metadata says delete_volumes_on_removal (then its
 * recorded volumes go, with the checks of a removed disk). Never called for an object whose spec
 * file was rejected: that is the callers' business. */

typedef struct PruneResult {
    bool owned;                 /* it exists and carries virtspec's metadata */
    bool running;               /* it was not shut off */
    bool deletes;               /* its metadata says delete_volumes_on_removal */
    bool gone;                  /* nothing of it is left that is ours: no such domain, one
                                 * virtspec does not own, or undefined now */
    unsigned n_deleted;         /* volumes deleted with it */
    ObjectResult result;        /* the decisions, as for any object: stop, prune, each recorded
                                 * volume (plan: what apply would do) */
    char **warnings;            /* volumes kept (in use, not created by virtspec): their actions'
                                 * lines */
    size_t n_warnings;
    char *error;
    bool defer_volumes;         /* in: the recorded volumes are the caller's to delete (destroy:
                                 * once each, after every domain is gone): handed back in volumes
                                 * once the domain is undefined, instead of deleted here */
    VolumeRefs volumes;
} PruneResult;

void prune_result_clear(PruneResult *r);
/* What happens to the volumes of a pruned domain, in words (plan, apply). */
const char *prune_volumes_said(bool deletes);
/* The names of the domains carrying virtspec's metadata, sorted; skip (may be NULL) says which
 * names not to ask libvirt about (those a spec names: one RPC each is saved). */
int engine_list_owned_domains(Engine *e, bool (*skip)(const char *name, void *userdata),
                              void *userdata, char ***ret, size_t *ret_n);
/* e->apply false: only fills owned, running, deletes and the actions apply would take. The
 * shutdown is the engine's (domain_stop: ACPI, destroyed after shutdown_timeout, never forced
 * because virtspec stops: then -ECANCELED and the domain is left as it is). */
int engine_prune_domain(Engine *e, const char *name, unsigned shutdown_timeout, PruneResult *r);
