/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libvirt/libvirt.h>
#include <libxml/tree.h>

#include "change.h"
#include "engine-result.h"

/* Firmware by intent (firmware.c): the changes that need a fresh NVRAM, and the record of a reset
 * owed to the domain's next start by virtspec.
 *
 * A change of firmware.secure_boot or firmware.enrolled_keys (rows whose hook has
 * HOOK_NVRAM_RESET) makes libvirt pick another firmware at the next start, whose NVRAM template
 * differs: the NVRAM file the domain has belongs to the old one. virtspec replaces it only when
 * the spec says firmware.reset_nvram: true, never silently. */

/* Notes each such change in diff ("config, NVRAM reset …" or "blocked: …"). Returns 0 when there
 * is none, 1 when there is one and the spec allows the reset, -EPERM when it does not (a warning
 * action in r says why). */
int firmware_nvram_changes(bool reset_allowed, Diff *diff, ObjectResult *r);

/* The firmware file libvirt's selection will pick from this host's descriptors for type (efi,
 * bios) on arch and machine (canonical: pc-q35-7.2), secure_boot and enrolled_keys each 1 (asked
 * on), -1 (asked off) or 0 (not asked): "FILE (DESCRIPTOR.json)", *ret_template the NVRAM
 * template; NULL when none fits. */
char *firmware_pick(const char *type, const char *arch, const char *machine, int secure_boot,
                    int enrolled_keys, char **ret_template);
/* The same over the descriptor directories dirs (the first hides a namesake in the later ones);
 * a malformed descriptor fits nothing it cannot be read as (never a crash). */
char *firmware_pick_in(const char *const *dirs, size_t n_dirs, const char *type, const char *arch,
                       const char *machine, int secure_boot, int enrolled_keys, char **ret_template);
/* plan: a note naming the file libvirt will pick for an efi spec (machine from the domain
 * capabilities); an error when no descriptor fits (-EINVAL). The descriptors read are this
 * host's: on a connection that is not local (local false) libvirt's host is another one, and
 * the note only says that libvirt chooses at the start (never an error). */
int firmware_plan(virConnectPtr conn, bool local, const DomainSpec *d, const char *virttype,
                  ObjectResult *r);

/* The record, in the domain's metadata: put into the definition (doc) whose redefine needs the
 * reset, so that one define carries both (no window where the firmware changed unmarked); read
 * from the persistent definition by every start virtspec performs (VIR_DOMAIN_START_RESET_NVRAM),
 * cleared after that start. Pure. */
void nvram_reset_mark_put(xmlDoc *doc);
void nvram_reset_mark_clear(virDomainPtr dom);
bool nvram_reset_marked(xmlDoc *have);
