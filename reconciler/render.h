/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libxml/tree.h>

#include "hooks.h"
#include "metadata.h"
#include "xml-hatch.h"
#include "spec-table.h"


/* Spec → libvirt XML document (domain, network or pool), built with libxml2's tree API. The
 * result is deterministic for a given spec and options. Ownership metadata is included for
 * domains and networks; a pool's document carries only the record of its xml edits, which
 * render_strip_private takes out before it goes to libvirt. Returns 0 or negative errno. */
int render_spec(const Spec *s, const RenderOpts *o, xmlDoc **ret);
/* The volume name a disk entry gets in its pool: injective over (domain, disk, format). */
char *render_volume_name(const DomainSpec *d, const DiskSpec *disk);
/* The disk name in vol, a volume name render_volume_name (or virtspec 0.1.0) gave a disk of that
 * domain and format: "+2d" and "+2b" decoded. NULL when vol is not DOMAIN-DISK.FORMAT. */
char *render_volume_disk_name(const char *domain, const char *format, const char *vol);
/* DOMAIN-DISK.FORMAT, the name virtspec 0.1.0 gave (not injective). */
char *render_volume_name_legacy(const DomainSpec *d, const DiskSpec *disk);
/* The name the disk uses: render_volume_name, or the legacy name when observed (the domain's
 * definition) attaches that volume and not the new one. */
char *render_disk_volume(const DomainSpec *d, const DiskSpec *disk, xmlDoc *observed);
/* Whether a domain document has a disk with source pool/name. */
bool render_doc_has_volume(xmlDoc *doc, const char *pool, const char *name);
/* Keys the spec manages, as stable tokens ("title", "tpm", "disks:vda"), space-separated. */
char *render_managed_keys(const Spec *s);
bool host_has_kvm(void);

