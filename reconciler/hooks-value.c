/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "hooks-internal.h"
#include "hooks.h"
#include "spec-value.h"
#include "xml-util.h"
#include "xml-value.h"

/* Hooks of value forms (a CPU set, a size in KiB, a hexadecimal id) and the plain ones several
 * hooks share. */

/* Hooks that only matter for comparison render like a plain path. */
void hook_render_plain(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const Value *v = key_value(k, (void *) base);
    if (v->set && k->xml)
        xml_set(node, k->xml, v->s);
}

/* Written by another row's hook, applied last (the xml key), or not XML at all. */
void hook_render_nothing(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
}

char *hook_observe_nothing(const KeyDef *k, const xmlNode *ctx) {
    return NULL;
}

void hook_export_nothing(const HookExport *x, const KeyDef *k, YNode *o) {
}

/* ---- cpuset: a CPU or node set, compared as canonical ranges ("0-3,8") ---- */

void hook_cpuset_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const Value *v = key_value(k, (void *) base);
    if (!v->set)
        return;
    _cleanup_free_ char *canon = cpuset_canonical(v->s, CPUSET_LIMIT);
    xml_set(node, k->xml, canon ? canon : v->s);
}

char *hook_cpuset_observe(const KeyDef *k, const xmlNode *ctx) {
    char *raw = xml_get(ctx, k->xml);
    char *canon = raw ? cpuset_canonical(raw, CPUSET_LIMIT) : NULL;
    if (!canon)
        return raw;
    free(raw);
    return canon;
}

/* ---- size in KiB: element text (memtune limits) or an attribute, with unit='KiB' beside it ---- */

static char *unit_path(const KeyDef *k) {
    const char *at = strrchr(k->xml, '@');
    return at ? xasprintf("%.*sunit", (int) (at - k->xml + 1), k->xml) : xasprintf("%s/@unit", k->xml);
}

void hook_size_kib_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const Value *v = key_value(k, (void *) base);
    char buf[64];
    if (!v->set)
        return;
    /* "memtune/hard_limit" (text) or "@memory" (attribute), with unit='KiB' beside it */
    snprintf(buf, sizeof(buf), "%" PRId64, value_int(v) / 1024);
    xml_set(node, k->xml, buf);
    _cleanup_free_ char *unit = unit_path(k);
    xml_set(node, unit, "KiB");
}

char *hook_size_kib_observe(const KeyDef *k, const xmlNode *ctx) {
    /* text with a unit attribute, or an attribute with a unit attribute beside it */
    _cleanup_free_ char *raw = xml_get(ctx, k->xml);
    _cleanup_free_ char *upath = unit_path(k);
    _cleanup_free_ char *unit = xml_get(ctx, upath);
    return raw ? canon_size_text(raw, unit) : NULL;
}

/* ---- hex: hexadecimal ids 0x08, 0x1234 (compared as numbers) ---- */

char *render_hex(const KeyDef *k, const char *s) {
    char *end;
    if (!s || strncmp(s, "0x", 2) != 0)
        return NULL;
    unsigned long long v = strtoull(s + 2, &end, 16);
    if (*end || end == s + 2)
        return NULL;
    return xasprintf("0x%0*llx", k->max >= 6 ? 4 : 2, v);
}

void hook_hex_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const Value *v = key_value(k, (void *) base);
    if (!v->set)
        return;
    _cleanup_free_ char *hex = render_hex(k, v->s);
    xml_set(node, k->xml, hex ? hex : v->s);
}

char *hook_hex_observe(const KeyDef *k, const xmlNode *ctx) {
    _cleanup_free_ char *raw = xml_get(ctx, k->xml);
    char *end;
    if (!raw)
        return NULL;
    unsigned long long v = strtoull(raw, &end, 16);
    if (*end || end == raw)
        return xstrdup(raw);
    return xasprintf("0x%0*llx", k->max >= 6 ? 4 : 2, v);
}
