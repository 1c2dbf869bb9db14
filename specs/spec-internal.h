/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "spec-table.h"
#include "spec-value.h"
#include "yaml-tree.h"

typedef struct ParseCtx {
    const char *file;
    DiagList *diags;
} ParseCtx;

/* Cross-field rules (spec-verify.c); errors point at the offending line. */
void spec_verify(const Spec *s, DiagList *diags);
/* Fill values that depend on other values: device names, MACs, buses (spec-verify.c). */
void spec_resolve(Spec *s);
/* Rules across documents (disks against the pools they name); marks specs to drop. */
void spec_verify_cross(const SpecSet *set, DiagList *diags, bool *drop);

/* An IPv4 address in host order; false when s is not one. */
bool spec_ip4(const char *s, uint32_t *ret);
/* "255.255.255.0", "24" or "/24" → 24; -EINVAL unless a contiguous mask of length 8..30. */
int spec_netmask_prefix(const char *s);
