/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "engine.h"
#include "engine-domain.h"
#include "engine-network.h"
#include "engine-pool.h"

void engine_reconcile(Engine *e, const Spec *s, ObjectResult *r) {
    *r = (ObjectResult) {
        .kind = s->kind,
        .name = xstrdup(s->name),
        .file = xstrdup(s->file),
        .line = s->line,
        .state = SYNC_IN_SYNC,
        .id = -1,
    };
    switch (s->kind) {
    case KIND_DOMAIN: reconcile_domain(e, s, r); break;
    case KIND_NETWORK: reconcile_network(e, s, r); break;
    case KIND_POOL: reconcile_pool(e, s, r); break;
    default: break;
    }
}
