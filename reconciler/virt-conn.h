/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "macro.h"

/* The one adapter between libvirt's (-1/NULL + thread-local error) convention and ours
 * (negative errno + a message). libvirt never prints to stderr: our error handler swallows it. */

DEFINE_TRIVIAL_CLEANUP_FUNC(virDomainPtr, virDomainFree);
DEFINE_TRIVIAL_CLEANUP_FUNC(virNetworkPtr, virNetworkFree);
DEFINE_TRIVIAL_CLEANUP_FUNC(virStoragePoolPtr, virStoragePoolFree);
DEFINE_TRIVIAL_CLEANUP_FUNC(virStorageVolPtr, virStorageVolFree);
DEFINE_TRIVIAL_CLEANUP_FUNC(virConnectPtr, virConnectClose);

void virt_init(void);
/* URI: explicit, else $LIBVIRT_DEFAULT_URI, else qemu:///system. */
const char *virt_default_uri(const char *explicit_uri);
int virt_open(const char *uri, virConnectPtr *ret);
/* Read-only: enough to ask the daemon what it is (virtspec version). */
int virt_open_readonly(const char *uri, virConnectPtr *ret);
/* "9.0.0" from libvirt's major * 1000000 + minor * 1000 + micro. */
char *virt_version_text(unsigned long v);

/* The message of the last libvirt error on this thread ("" if none), and a negative errno for it:
 * -ENOENT for "no such object", -EEXIST for "already exists/in that state", -EIO otherwise. */
const char *virt_error_message(void);
int virt_error_errno(void);
/* A graceful shutdown: the ACPI power button, which is what the docs promise (libvirt's default
 * asks the guest agent instead when the domain has one); a domain without ACPI (features/acpi),
 * and a driver that knows no such mode (the test driver takes no flags), get libvirt's default,
 * which asks the guest agent when there is one. 0, or -1 with libvirt's error. */
int virt_shutdown_graceful(virDomainPtr dom);
/* Sets (xml) or removes (NULL) virtspec's own metadata element in namespace ns: in the live and
 * persistent definitions, else (not running, or transient) in the current one. 0 or -EIO. */
int virt_domain_set_metadata(virDomainPtr dom, const char *xml, const char *prefix, const char *ns);
/* Counts mutating libvirt calls made through the executor (idempotency tests, --stats). */
extern unsigned virt_mutations;
#define virt_count_mutation() __atomic_add_fetch(&virt_mutations, 1, __ATOMIC_RELAXED)
