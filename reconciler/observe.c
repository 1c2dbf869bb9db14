/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "hooks.h"
#include "observe.h"
#include "spec-value.h"
#include "xml-items.h"
#include "xml-util.h"
#include "xml-value.h"

/* libvirt XML → canonical values, the same form spec-value.c produces for the spec side. */

/* A list compared as a whole: "key=value …" per item, items joined by ", ", in document order. */
static char *observe_whole_list(const KeyDef *k, const xmlNode *ctx) {
    xmlNode *p = diff_list_parent(ctx, k->sub);
    char *acc = NULL;
    for (xmlNode *e = p ? p->children : NULL; e; e = e->next) {
        if (!diff_item_selected(k->sub, e))
            continue;
        char *item = NULL;
        for (size_t r = 0; r < k->sub->n_keys; r++) {
            const KeyDef *row = &k->sub->keys[r];
            _cleanup_free_ char *v = observe_value(row, e);
            if (!v)
                continue;
            if (row->type == VT_SIZE) {
                /* readable in plans; the same text on both sides */
                char *f = format_size(strtoll(v, NULL, 10));
                char *sp = strchr(f, ' ');
                if (sp)
                    memmove(sp, sp + 1, strlen(sp));
                free(v);
                v = f;
            }
            char *n = item ? xasprintf("%s %s=%s", item, row->key, v) : xasprintf("%s=%s", row->key, v);
            free(item);
            item = n;
        }
        char *n = xasprintf("%s%s%s", acc ? acc : "", acc ? ", " : "", item ? item : "{}");
        free(acc);
        free(item);
        acc = n;
    }
    return acc;
}

char *observe_value(const KeyDef *k, const xmlNode *ctx) {
    const HookOps *h = hook_of(k);
    if (h->observe)
        return h->observe(k, ctx);
    if (k->type == VT_LIST && (k->flags & KEY_WHOLE))
        return observe_whole_list(k, ctx);
    if (k->type == VT_ENUM_LIST && k->xml)
        return observe_value_list(k, ctx);
    if (!k->xml || (k->flags & KEY_NO_XML))
        return NULL;
    if (k->type == VT_BOOL && !strchr(k->xml, '@'))
        return xstrdup(xml_find(ctx, k->xml) ? "true" : "false");
    char *raw = xml_get(ctx, k->xml);
    if (raw && !*raw && !strstr(k->xml, "/@") && k->xml[0] != '@') {
        /* an element without text (<nvram template='…'/>) has no value */
        free(raw);
        return NULL;
    }
    return canon_scalar(k, raw);
}

/* ---- list items by their key ---- */

char *diff_item_key(const KeyTable *sub, const xmlNode *e) {
    char *acc = NULL;
    /* a host USB device is the one of that vendor and product, or the one at that bus and device
     * (a running domain's definition has both) */
    _cleanup_free_ char *usb_vendor = streq(sub->name, "usb") ? xml_get(e, "source/vendor/@id") : NULL;
    for (size_t r = 0; r < sub->n_keys; r++) {
        const KeyDef *k = &sub->keys[r];
        if (!(k->flags & KEY_ITEM_KEY))
            continue;
        if (streq(sub->name, "usb") &&
            (usb_vendor ? streq(k->key, "bus") || streq(k->key, "device")
                        : streq(k->key, "vendor") || streq(k->key, "product")))
            continue;
        _cleanup_free_ char *v = observe_value(k, e);
        char *n = acc ? xasprintf("%s,%s", acc, strna(v)) : xstrdup(strna(v));
        free(acc);
        acc = n;
    }
    return acc;
}

xmlNode *diff_find_item(const xmlNode *root, const KeyTable *sub, const char *key) {
    xmlNode *p = diff_list_parent(root, sub);
    for (xmlNode *e = p ? p->children : NULL; e; e = e->next) {
        if (!diff_item_selected(sub, e))
            continue;
        _cleanup_free_ char *k = diff_item_key(sub, e);
        if (streq(k, key))
            return e;
    }
    return NULL;
}

xmlNode *observe_change_item(xmlDoc *doc, const Change *c) {
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root || !c->list || !c->list->sub || !c->item_key)
        return NULL;
    return diff_find_item(root, c->list->sub, c->item_key);
}
