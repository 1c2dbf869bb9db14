/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "engine-context.h"
#include "engine-result.h"

/* cloud_init (cloud-init-seed.c; seed_gather in cloud-init.h) */
struct Seed;
/* What the seed changes against the record in the domain's definition have: a first-boot change
 * in r->diff for each key whose recorded value differs. */
void seed_changes(const DomainSpec *d, xmlDoc *have, const struct Seed *seed, ObjectResult *r);
/* The seed's volume: created, or uploaded again when the content the record in have (NULL: a
 * new domain) names is not the seed's (apply; a plan says so). Before the domain is (re)defined:
 * it never restarts the domain. */
int seed_volume(Engine *e, const DomainSpec *d, xmlDoc *have, const struct Seed *seed,
                ObjectResult *r);

