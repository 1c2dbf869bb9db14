/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "spec-table.h"
#include "yaml-tree.h"

/* Parse one scalar for row k. On success fills *v (s and i canonical) and returns 0; otherwise
 * returns -EINVAL and *ret_msg says what is wrong (caller frees). */
int value_parse(const KeyDef *k, const YNode *n, Value *v, char **ret_msg);
void value_clear(Value *v);
void value_copy(Value *dst, const Value *src);
/* v->s becomes s, which lives as long as the process (a literal, a key table's text, or
 * spec_intern's): not freed by value_clear, not copied by value_copy, never written. */
void value_set_shared(Value *v, const char *s);

int parse_size(const char *s, int64_t plain_unit, int64_t *ret);
int parse_bool(const char *s, bool *ret);
int parse_mac(const char *s, char ret[static 18]);
/* A World Wide Name as libvirt takes it, (0x)?[0-9a-fA-F]{16}: lower-case without the prefix, or
 * NULL. */
char *wwn_canonical(const char *s);
/* family 4 or 6; ret_addr gets canonical text; prefix -1 when none given and allowed. */
int parse_ip(const char *s, bool with_prefix, int *ret_family, char **ret_canonical, int *ret_prefix);
bool valid_name(const char *s);
/* "1.5 GiB", "512 MiB", "1234 B": for plans and docs. */
char *format_size(int64_t bytes);
