/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "diag.h"
#include "spec.h"

/* Whether uri is a session connection (qemu:///session): a user's own libvirtd, no root. */
bool session_uri(const char *uri);
/* On a session connection: a warning at each key of s that needs qemu:///system (root's
 * libvirtd), so plan says it up front instead of libvirt failing at define or start: interfaces
 * of type bridge, direct (macvtap) or network, `ip` reservations, virtual networks, pools whose
 * directory the user cannot write. */
void session_check_spec(const Spec *s, DiagList *d);
