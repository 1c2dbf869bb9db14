/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libxml/tree.h>

#include "spec.h"

/* Validates doc against libvirt's RelaxNG schema for kind. 0, or a negative errno with
 * *ret_error saying why (-EINVAL: invalid; -ENOENT: the schema could not be loaded). */
int schema_validate(SpecKind kind, xmlDoc *doc, char **ret_error);
