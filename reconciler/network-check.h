/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "engine-context.h"
#include "engine-result.h"

/* Before a network is defined or changed (network-check.c): its bridge name is not a host
 * interface (forward: bridge: the host bridge exists), and its IPv4 subnet is not another libvirt
 * network's (checked only before it is created). have_bridge: the bridge it has now, if any. */
int network_check_host(Engine *e, const NetworkSpec *n, bool exists, const char *have_bridge,
                       ObjectResult *r);

