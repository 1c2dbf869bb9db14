/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "spec.h"
#include "virt-conn.h"

/* The other Hosts of the tree, as a destination host sees them before it creates a domain
 * (docs/fleet.md#moving): each Host with a `uri`, not `lost`, opened through libvirt's remote
 * driver at the first look-up — all at once, each open bounded by VIRTSPEC_FLEET_TIMEOUT (30 s):
 * an open still running then is abandoned (its thread closes what it gets), the host "did not
 * answer". The hosts are copied: the set may go before the peers. Opened connections get libvirt's keepalive (5 s, 3 missed: a host that dies later
 * fails a call within ~20 s instead of the kernel's TCP timeout). Thread-safe. */

typedef struct FleetPeers FleetPeers;

FleetPeers *fleet_peers_new(const SpecSet *set, const char *self);
void fleet_peers_free(FleetPeers *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(FleetPeers *, fleet_peers_free);

typedef enum PeerFind {
    PEER_NONE,          /* on no other host (as far as the hosts with a uri say): create it */
    PEER_FOUND,         /* owned by virtspec on exactly one host: host, conn, dom */
    PEER_CONFLICT,      /* owned on several hosts: why names them */
    PEER_WAIT,          /* a host that may have it did not answer: why */
} PeerFind;

typedef struct PeerHit {
    PeerFind what;
    const HostSpec *host;       /* PEER_FOUND: where it is */
    virConnectPtr conn;         /* PEER_FOUND: that host's connection (the set's: not closed) */
    virDomainPtr dom;           /* PEER_FOUND: a reference (virDomainFree) */
    char *why;                  /* PEER_CONFLICT, PEER_WAIT */
} PeerHit;

void peer_hit_clear(PeerHit *h);
/* Looks for an owned domain of this name on the other hosts. */
void fleet_peers_find(FleetPeers *p, const char *name, PeerHit *ret);
/* VIRTSPEC_FLEET_TIMEOUT=SECONDS (1..86399), else dflt: the one reading of it (fleet status,
 * --all-hosts and the look-ups before a move). */
unsigned fleet_timeout_env(unsigned dflt);
/* The seconds an open may take (VIRTSPEC_FLEET_TIMEOUT, else 30). */
unsigned fleet_timeout(void);
