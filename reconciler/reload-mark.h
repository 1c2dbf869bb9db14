/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libvirt/libvirt.h>
#include <libxml/tree.h>

/* The restart-in-progress record in a domain's metadata (reload-mark.c): set before a restart
 * virtspec performs (lasting ttl_s at most), cleared after it. reload_mark_fresh: read from the
 * domain's definition as the pass fetched it (the inactive XML: the persistent definition, or
 * the live one of a transient domain; no RPC of its own); NULL when there is none or it is stale
 * (past its deadline, or its process on this host is gone), else what status says about it. */
int reload_mark_set(virDomainPtr dom, unsigned ttl_s);
void reload_mark_clear(virDomainPtr dom);
char *reload_mark_fresh(xmlDoc *have);
/* A restart lasts its shutdown_timeout and this long for the start. */
#define RELOAD_MARK_SLACK_S 60
