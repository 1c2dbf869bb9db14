/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"
#include "spec-table.h"
#include "spec-value.h"

/* `virtspec reference`: the spec reference in Markdown, printed from the key tables alone, so the
 * documentation (docs/spec-reference.md, checked by tests/check-reference.sh) cannot drift from
 * what the loader accepts. Output depends on nothing but the tables. */

static void put_cell(FILE *f, const char *s) {
    fputc(' ', f);
    for (const char *p = s; *p; p++) {
        if (*p == '|')
            fputs("\\|", f);
        else if (*p == '\n')
            fputc(' ', f);
        else
            fputc(*p, f);
    }
    fputs(" |", f);
}

static char *choices_md(const char *const *c) {
    char *r = xstrdup("");
    for (size_t i = 0; c && c[i]; i++) {
        char *n = xasprintf("%s%s`%s`", r, i ? ", " : "", c[i]);
        free(r);
        r = n;
    }
    return r;
}

static const char *unit_name(int64_t unit) {
    switch (unit) {
    case 1024LL * 1024 * 1024: return "GiB";
    case 1024LL * 1024: return "MiB";
    case 1024: return "KiB";
    default: return "bytes";
    }
}

static char *type_text(const KeyDef *k) {
    _cleanup_free_ char *base = NULL, *c = NULL;

    switch (k->type) {
    case VT_STRING:
        base = k->max > 0 ? xasprintf("%s, at most %" PRId64 " characters",
                                      k->flags & KEY_MULTILINE ? "text (multi-line)" : "string",
                                      k->max)
                          : xstrdup(k->flags & KEY_MULTILINE ? "text (multi-line)" : "string");
        break;
    case VT_NAME:
        base = xstrdup("name (`[A-Za-z0-9_.+-]`, 1..64, no leading `.` or `-`)");
        break;
    case VT_INT:
        base = xasprintf("integer %" PRId64 "..%" PRId64, k->min, k->max);
        break;
    case VT_BOOL:
        base = xstrdup("boolean");
        break;
    case VT_SIZE: {
        _cleanup_free_ char *lo = format_size(k->min);
        _cleanup_free_ char *hi = k->max > 0 ? format_size(k->max) : NULL;
        base = xasprintf("size %s..%s; a plain number counts %s", lo, hi ? hi : "unbounded",
                         unit_name(k->unit ? k->unit : 1));
        break;
    }
    case VT_ENUM:
        c = choices_md(k->choices);
        base = xasprintf("one of %s", c);
        break;
    case VT_ENUM_LIST:
        c = choices_md(k->choices);
        base = xasprintf("list of %s", c);
        break;
    case VT_MAC:
        base = xstrdup("MAC address (unicast)");
        break;
    case VT_IP:
        base = xstrdup("IPv4 or IPv6 address");
        break;
    case VT_IP_PREFIX:
        base = xstrdup("address/prefix");
        break;
    case VT_PATH:
        base = xstrdup("absolute path");
        break;
    case VT_UUID:
        base = xstrdup("UUID");
        break;
    case VT_DEVNAME:
        base = xstrdup("guest device name (`vd…`, `sd…`, `hd…`, `fd…`)");
        break;
    case VT_MAP:
        base = xstrdup("map");
        break;
    case VT_LIST:
        base = xstrdup("list of maps");
        break;
    default:
        base = xstrdup("reserved");
        break;
    }
    return xasprintf("%s%s%s", base, k->flags & KEY_REQUIRED ? "; required" : "",
                     k->flags & KEY_SECRET ? "; secret" : "");
}

static char *default_text(const KeyDef *k) {
    if (k->type == VT_MAP)
        return xstrdup(k->flags & KEY_ALWAYS ? "always present" : "absent");
    if (k->type == VT_LIST || k->type == VT_ENUM_LIST)
        return xstrdup("empty");
    if (k->def)
        return xasprintf("`%s`", k->def);
    return xstrdup("—");
}

static char *change_text(const KeyDef *k) {
    if (k->type == VT_MAP)
        return xstrdup("—");
    const char *c = change_class_to_string(k->change);
    if (k->flags & KEY_ITEM_KEY)
        return xasprintf("%s (item key)", c);
    if (k->flags & KEY_WHEN_SET)
        return xasprintf("%s (when set)", c);
    return xstrdup(c);
}

static char *xml_text(const KeyDef *k, const char *elem) {
    if (k->type == VT_LIST)
        return k->sub->xml_match ? xasprintf("`%s` (%s)", k->sub->xml_elem, k->sub->xml_match)
                                 : xasprintf("`%s`", k->sub->xml_elem);
    if (k->type == VT_MAP)
        return xstrdup("—");
    if (k->xml)
        return elem ? xasprintf("`%s/%s`", elem, k->xml) : xasprintf("`%s`", k->xml);
    if (k->hook == HOOK_API)
        return xstrdup("libvirt API");
    return xstrdup("— (spec only)");
}

static char *doc_text(const KeyDef *k) {
    if ((k->type == VT_MAP || k->type == VT_LIST) && k->sub->doc && strcasecmp(k->sub->doc, k->doc))
        return xasprintf("%s — %s", k->doc, k->sub->doc);
    return xstrdup(k->doc ? k->doc : "");
}

static void print_rows(FILE *f, const KeyTable *t, const char *prefix, const char *elem) {
    for (size_t i = 0; i < t->n_keys; i++) {
        const KeyDef *k = &t->keys[i];
        _cleanup_free_ char *path = prefix ? xasprintf("%s.%s", prefix, k->key) : xstrdup(k->key);
        _cleanup_free_ char *key = xasprintf("`%s`", path), *type = type_text(k),
                            *def = default_text(k), *change = change_text(k),
                            *xml = xml_text(k, elem), *doc = doc_text(k);

        fputc('|', f);
        put_cell(f, key);
        put_cell(f, type);
        put_cell(f, def);
        put_cell(f, change);
        put_cell(f, xml);
        put_cell(f, k->vagrant ? k->vagrant : "—");
        put_cell(f, doc);
        fputc('\n', f);

        if (k->type == VT_MAP)
            print_rows(f, k->sub, path, elem);
        else if (k->type == VT_LIST) {
            _cleanup_free_ char *ipath = xasprintf("%s[]", path);
            print_rows(f, k->sub, ipath, k->sub->xml_elem);
        }
    }
}

static void reference_print(FILE *f) {
    static const char *const roots[_KIND_MAX] = { "domain", "network", "pool" };

    for (int kind = 0; kind < _KIND_MAX; kind++) {
        const KeyTable *t = spec_kind_table(kind);
        fprintf(f, "%s### %s\n\n", kind ? "\n" : "", t->name);
        fprintf(f, "`kind: %s` — %s. XML locations are relative to the `<%s>` element.\n\n",
                t->name, t->doc, roots[kind]);
        fputs("| Key | Type | Default | Change | libvirt XML | vagrant-libvirt | Description |\n",
              f);
        fputs("|---|---|---|---|---|---|---|\n", f);
        print_rows(f, t, NULL, NULL);
    }
}

int cmd_reference(const CliOpts *o) {
    if (o->n_paths > 0) {
        fprintf(stderr, "virtspec: reference takes no arguments\n");
        return 1;
    }
    reference_print(stdout);
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
