/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libvirt/libvirt.h>
#include <libxml/tree.h>

#include "engine-result.h"
#include "spec.h"

/* Port forwards of user-mode interfaces on a libvirt older than 9.2 (hostfwd.c). Such a libvirt
 * has no passt backend and no <portForward>: the interface is QEMU's slirp, and virtspec adds the
 * forwards to the running QEMU itself through its monitor (HMP hostfwd_add / hostfwd_remove on the
 * interface's netdev, read back with `info usernet`). libvirt taints such a domain
 * "custom-monitor". The only file that talks to libvirt-qemu. */

/* The first libvirt with passt and <portForward> (virConnectGetLibVersion's encoding). */
#define HOSTFWD_PASST_LIBVIRT 9002000UL

typedef struct HostFwd {
    char proto[4];          /* tcp, udp */
    char addr[64];          /* host address; "" for every address (info usernet's "*") */
    int host, guest;        /* ports */
    bool remove;            /* a step of hostfwd_diff's plan: remove this rule (else add it) */
} HostFwd;

typedef struct HostFwdList {
    HostFwd *items;
    size_t n;
} HostFwdList;

void hostfwd_list_clear(HostFwdList *l);

/* The HOST_FORWARD rules of netdev (e.g. hostnet0) in the text HMP `info usernet` prints
 * (appended to *ret). A section starts with a line "Hub N (NETDEV):" (or "VLAN N (NETDEV):");
 * rule lines are "  TCP[HOST_FORWARD]  FD  SRC-ADDR  SRC-PORT  DST-ADDR  DST-PORT  RECVQ  SENDQ".
 * Returns the number of rules found, or -EINVAL for a rule line it cannot read. Pure. */
int hostfwd_parse_usernet(const char *text, const char *netdev, HostFwdList *ret);

/* The forwards one interface of the spec asks for. */
void hostfwd_from_spec(const IfaceSpec *f, HostFwdList *ret);

/* The steps, in order, that make have into want (appended to *ret, each rule with .remove set
 * or not): first the rules of want on a socket (protocol, address, host port) have lacks; then
 * each socket have and want share with another guest port, removed and added again; last the
 * rules of have on a socket want does not list. A move to another host port thus adds the new
 * forward before the old one goes. Pure. */
void hostfwd_diff(const HostFwdList *want, const HostFwdList *have, HostFwdList *ret);

/* "tcp 127.0.0.1:2222 → 22", "udp *:5353 → 53" (glyph by locale). */
char *hostfwd_format(const HostFwd *h);

/* The monitor's rule text: "tcp:127.0.0.1:2222-:22" (add), "tcp:127.0.0.1:2222" (remove). */
char *hostfwd_rule(const HostFwd *h, bool with_guest);

/* Plan-time checks against the connected libvirt (lib_version): `backend: passt` needs libvirt
 * 9.2, and below it (slirp's hostfwd, IPv4 only) a forward's address must not be IPv6. Every
 * error is reported at its key. Returns 0, or fail_at()'s -EIO. */
int hostfwd_check(const DomainSpec *d, unsigned long lib_version, ObjectResult *r);

/* Whether the spec's forwards are virtspec's to keep through the monitor on this libvirt: some
 * interface of type user has a `forward` key (even `forward: []`, which removes the ones there). */
bool hostfwd_wanted(const DomainSpec *d, unsigned long lib_version);

/* A running domain: each user-mode interface with a `forward` key, its rules diffed against
 * `info usernet`; an action per rule to add or remove ("~ interfaces[0].forward: + tcp … (live,
 * QEMU monitor)"), and with apply the monitor commands. Every failure fails r (all are collected:
 * the other rules and interfaces are still tried). live: the running domain's definition when
 * the caller has read it since the domain last started (it names each NIC's netdev), else NULL:
 * read here. */
void hostfwd_converge(virDomainPtr dom, xmlDoc *live, const DomainSpec *d, bool apply,
                      ObjectResult *r);
