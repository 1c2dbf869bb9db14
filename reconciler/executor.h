/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "engine-context.h"
#include "spec.h"
#include "diff.h"

/* Live changes of a running domain (executor.c). Applies one live-class change. Returns 0 on
 * success, 1 when it cannot be done live (then it waits for a reload), negative on error. */
int apply_live(Engine *e, virDomainPtr dom, const Spec *s, const Change *c, xmlDoc *want,
               xmlDoc *live, char **ret_why);
