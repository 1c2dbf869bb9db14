/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Addresses as spec values write them (specs/spec-addr.c). */

/* An IPv4 address in host order; false when s is not one. */
bool spec_ip4(const char *s, uint32_t *ret);
/* "255.255.255.0", "24" or "/24" → 24; -EINVAL unless a contiguous mask of length 8..30. */
int spec_netmask_prefix(const char *s);
/* A host name of RFC 1123 labels, dot-separated, at most 253 characters. */
bool valid_hostname(const char *s);
