/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "spec-internal.h"
#include "verify.h"

/* Validation of disks and cdroms. */

/* A cdrom's volume: with a pool, never with a path; not the domain's own cloud_init seed. */
void verify_cdrom_volumes(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    const CdromSpec *cds = d->cdroms.items;
    _cleanup_free_ char *seed = spec_seed_volume_name(d->name.s);
    for (size_t i = 0; i < d->cdroms.n; i++) {
        if (cds[i].volume.set && cds[i].path.set)
            ERR(&cds[i].volume, "cdroms[%zu]: give path or volume, not both", i);
        if (cds[i].pool.set && !cds[i].pool.defaulted && !cds[i].volume.set)
            ERR(&cds[i].pool, "cdroms[%zu].pool needs volume", i);
        if (cds[i].volume.set && d->cloud_init.present.set && streq(cds[i].volume.s, seed))
            ERR(&cds[i].volume, "cdroms[%zu].volume: %s is this domain's cloud_init seed, which "
                "virtspec attaches itself", i, seed);
    }
}
