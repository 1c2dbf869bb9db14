/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libxml/tree.h>

#include "spec-table.h"

typedef struct RenderOpts {
    bool host_kvm;          /* resolves domain_type auto */
    bool show_secrets;      /* false: graphics passwords are masked */
    const char *passwd;     /* password read from passwd_file, if any */
    bool compare_only;      /* the document is compared, never written (plan, status): the
                             * spec's hash is left out of its metadata (nothing reads it there) */
    xmlDoc *observed;       /* the domain's definition, if it has one: a disk keeps the volume
                             * name an earlier version gave it (render_disk_volume) */
    const struct Seed *seed;/* cloud_init: the seed, recorded in the metadata (cloud-init.h) */
} RenderOpts;

/* Spec → libvirt XML document (domain, network or pool), built with libxml2's tree API. The
 * result is deterministic for a given spec and options. Ownership metadata is included for
 * domains and networks; a pool's document carries only the record of its xml edits, which
 * render_strip_private takes out before it goes to libvirt. Returns 0 or negative errno. */
int render_spec(const Spec *s, const RenderOpts *o, xmlDoc **ret);
/* Removes what libvirt has no place for: a pool's metadata (the record of its xml edits). */
void render_strip_private(SpecKind kind, xmlDoc *doc);
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
/* Canonical XML text of a value for row k (what goes into an attribute or element). */
char *render_value(const KeyDef *k, const Value *v);
/* Keys the spec manages, as stable tokens ("title", "tpm", "disks:vda"), space-separated. */
char *render_managed_keys(const Spec *s);
/* Records pool/name in the volume list of a domain document's virtspec metadata (pending: a
 * removed disk's volume whose deletion waits). */
void render_volume_ref(xmlDoc *doc, const char *pool, const char *name, bool pending);
/* FNV-1a 64 of the document without its metadata, as 16 hex digits. */
char *render_hash(xmlDoc *doc);
bool host_has_kvm(void);

/* Canonical hexadecimal id for a HOOK_HEX row (0x08, 0x1234), or NULL if s is not 0x…. */
char *render_hex(const KeyDef *k, const char *s);
/* "DDDD:BB:SS.F" or "BB:SS.F". Returns 0, or negative errno. */
int parse_pci_address(const char *s, unsigned *dom, unsigned *bus, unsigned *slot, unsigned *fn);

#define QEMU_XMLNS "http://libvirt.org/schemas/domain/qemu/1.0"

/* The xml key's edits on a rendered (or patched) domain: remove every element a path names (or
 * the attribute), append each fragment below its parent, set each value. */
void render_apply_xml_edits(xmlNode *root, const char *const *remove, size_t n_remove,
                            const char *const *add_at, const char *const *add_fragment, size_t n_add,
                            const char *const *set_path, const char *const *set_value, size_t n_set);
/* Parses one fragment of the xml key; its element, or NULL. Free *ret_doc. */
xmlNode *render_parse_fragment(const char *text, xmlDoc **ret_doc);

/* Host CPU and node ids in cpusets are below this. */
#define CPUSET_LIMIT 16384u


#define MASKED_SECRET "********"
/* What virtspec's metadata records for a secret of the xml key (a value set on a passwd
 * attribute, a fragment's passwd): never the secret itself; observe_xml_edits reads it back
 * from the document the record is in. */
#define RECORDED_SECRET "(secret)"
#define GUEST_AGENT_CHANNEL "org.qemu.guest_agent.0"
