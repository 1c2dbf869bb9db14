/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libxml/tree.h>

#include "spec-table.h"

typedef struct RenderOpts {
    bool host_kvm;          /* resolves domain_type auto */
    bool show_secrets;      /* false: graphics passwords are masked */
    const char *passwd;     /* password read from passwd_file, if any */
} RenderOpts;

/* Spec → libvirt XML document (domain, network or pool), built with libxml2's tree API. The
 * result is deterministic for a given spec and options. Ownership metadata is included for
 * domains and networks. Returns 0 or negative errno. */
int render_spec(const Spec *s, const RenderOpts *o, xmlDoc **ret);
/* The volume name a disk entry uses in its pool. */
char *render_volume_name(const DomainSpec *d, const DiskSpec *disk);
/* Canonical XML text of a value for row k (what goes into an attribute or element). */
char *render_value(const KeyDef *k, const Value *v);
/* Keys the spec manages, as stable tokens ("title", "tpm", "disks:vda"), space-separated. */
char *render_managed_keys(const Spec *s);
/* FNV-1a 64 of the document without its metadata, as 16 hex digits. */
char *render_hash(xmlDoc *doc);
bool host_has_kvm(void);

#define MASKED_SECRET "********"
#define GUEST_AGENT_CHANNEL "org.qemu.guest_agent.0"
