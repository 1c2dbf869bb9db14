/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "hooks-internal.h"
#include "hooks.h"
#include "spec-value.h"
#include "xml-util.h"
#include "xml-value.h"

/* Hooks of devices (list items and device maps): graphics, disk and channel sources, PCI
 * addresses, Open vSwitch ports, filesystem drivers, file chardevs. */

/* ---- graphics.type: none is no <graphics> element ---- */

void hook_graphics_none_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const Value *v = key_value(k, (void *) base);
    if (!streq(v->s, "none"))
        xml_set(node, k->xml, v->s);
}

char *hook_graphics_none_observe(const KeyDef *k, const xmlNode *ctx) {
    char *t = xml_get(ctx, k->xml);
    return t ? t : xstrdup("none");
}

/* ---- graphics.password: a secret, masked unless shown; observed as a plain row ---- */

void hook_passwd_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const Value *v = key_value(k, (void *) base);
    const char *pw = c->o->passwd ? c->o->passwd : v->set ? v->s : NULL;
    if (pw)
        xml_set(node, k->xml, c->o->show_secrets ? pw : MASKED_SECRET);
}

/* ---- disks.pool: the source, written by render's disk prelude (pool+volume, or a file) ---- */

char *hook_disk_source_observe(const KeyDef *k, const xmlNode *ctx) {
    /* what the disk holds: pool/volume, or the host file of a `path` disk */
    _cleanup_free_ char *pool = xml_get(ctx, "source/@pool"), *vol = xml_get(ctx, "source/@volume");
    if (pool || vol)
        return xasprintf("%s/%s", strna(pool), strna(vol));
    return xml_get(ctx, "source/@file");
}

/* ---- channels.target_name: a guestfwd channel is keyed guestfwd:ADDRESS:PORT ---- */

char *channel_guestfwd_key(const char *address, const char *port) {
    return xasprintf("guestfwd:%s:%s", strna(address), strna(port));
}

char *hook_channel_name_observe(const KeyDef *k, const xmlNode *ctx) {
    /* a guestfwd channel has no name: its target is its identity */
    char *name = xml_get(ctx, k->xml);
    _cleanup_free_ char *type = name ? NULL : xml_get(ctx, "target/@type");
    if (name || !streq_ptr(type, "guestfwd"))
        return name;
    _cleanup_free_ char *addr = canon_scalar(&(KeyDef) { .type = VT_IP }, xml_get(ctx, "target/@address"));
    _cleanup_free_ char *port = canon_scalar(&(KeyDef) { .type = VT_INT }, xml_get(ctx, "target/@port"));
    return channel_guestfwd_key(addr, port);
}

char *hook_channel_name_export_value(const KeyDef *k, const xmlNode *ctx) {
    return xml_get(ctx, k->xml);   /* a guestfwd channel is exported by its target, not a name */
}

char *hook_channel_name_item_key(const KeyDef *k, const void *item) {
    const ChannelSpec *ch = item;
    return channel_guestfwd_key(ch->target_address.s, ch->target_port.s);
}

/* ---- pci.address: hostdev source address from "DDDD:BB:SS.F" ---- */

int parse_pci_address(const char *s, unsigned *dom, unsigned *bus, unsigned *slot, unsigned *fn) {
    int n = 0;
    *dom = 0;
    if (sscanf(s, "%4x:%2x:%2x.%1x%n", dom, bus, slot, fn, &n) == 4 && !s[n] && strlen(s) == 12)
        ;
    else if (n = 0, sscanf(s, "%2x:%2x.%1x%n", bus, slot, fn, &n) == 3 && !s[n] && strlen(s) == 7)
        *dom = 0;
    else
        return -EINVAL;
    return *slot <= 0x1f && *fn <= 7 ? 0 : -ERANGE;
}

void hook_pci_host_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const Value *v = key_value(k, (void *) base);
    unsigned dom, bus, slot, fn;
    char buf[64];
    if (!v->set || parse_pci_address(v->s, &dom, &bus, &slot, &fn) < 0)
        return;
    xmlNode *a = xml_ensure(node, k->xml, false);
    snprintf(buf, sizeof(buf), "0x%04x", dom);
    xmlSetProp(a, (const xmlChar *) "domain", (const xmlChar *) buf);
    snprintf(buf, sizeof(buf), "0x%02x", bus);
    xmlSetProp(a, (const xmlChar *) "bus", (const xmlChar *) buf);
    snprintf(buf, sizeof(buf), "0x%02x", slot);
    xmlSetProp(a, (const xmlChar *) "slot", (const xmlChar *) buf);
    snprintf(buf, sizeof(buf), "0x%x", fn);
    xmlSetProp(a, (const xmlChar *) "function", (const xmlChar *) buf);
}

char *hook_pci_host_observe(const KeyDef *k, const xmlNode *ctx) {
    xmlNode *a = xml_find(ctx, k->xml);
    static const char *const parts[] = { "domain", "bus", "slot", "function" };
    unsigned long v[4] = { 0 };
    if (!a)
        return NULL;
    for (size_t i = 0; i < 4; i++) {
        _cleanup_xmlchar_ xmlChar *t = xmlGetProp(a, (const xmlChar *) parts[i]);
        v[i] = t ? strtoul((char *) t, NULL, 0) : 0;
    }
    return xasprintf("%04lx:%02lx:%02lx.%lx", v[0], v[1], v[2], v[3]);
}

/* ---- interfaces.pci_bus, pci_slot: the guest PCI address, both together ---- */

void hook_pci_addr_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const IfaceSpec *f = base;
    char buf[64];
    if (!streq(k->key, "pci_bus") || !f->pci_bus.set || !f->pci_slot.set)
        return;   /* both together, with the bus row */
    xmlNode *a = xml_ensure(node, "address", false);
    xmlSetProp(a, (const xmlChar *) "type", (const xmlChar *) "pci");
    xmlSetProp(a, (const xmlChar *) "domain", (const xmlChar *) "0x0000");
    snprintf(buf, sizeof(buf), "0x%02" PRIx64, value_int(&f->pci_bus));
    xmlSetProp(a, (const xmlChar *) "bus", (const xmlChar *) buf);
    snprintf(buf, sizeof(buf), "0x%02" PRIx64, value_int(&f->pci_slot));
    xmlSetProp(a, (const xmlChar *) "slot", (const xmlChar *) buf);
    xmlSetProp(a, (const xmlChar *) "function", (const xmlChar *) "0x0");
}

char *hook_pci_addr_observe(const KeyDef *k, const xmlNode *ctx) {
    _cleanup_free_ char *type = xml_get(ctx, "address/@type");
    return streq_ptr(type, "pci") ? canon_scalar(k, xml_get(ctx, k->xml)) : NULL;
}

/* ---- interfaces.ovs: virtualport type openvswitch ---- */

void hook_ovs_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const Value *v = key_value(k, (void *) base);
    if (value_int(v))
        xml_set(node, "virtualport/@type", "openvswitch");
}

char *hook_ovs_observe(const KeyDef *k, const xmlNode *ctx) {
    _cleanup_free_ char *t = xml_get(ctx, k->xml);
    return xstrdup(streq_ptr(t, "openvswitch") ? "true" : "false");
}

char *hook_ovs_export_value(const KeyDef *k, const xmlNode *ctx) {
    _cleanup_free_ char *t = xml_get(ctx, k->xml);
    return streq_ptr(t, "openvswitch") ? xstrdup("true") : NULL;   /* no virtualport: no key */
}

/* ---- interfaces.backend (type user): passt, or slirp (no backend element) ---- */

void hook_user_backend_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const IfaceSpec *f = base;
    const Value *v = key_value(k, (void *) base);
    if (!streq_ptr(f->type.s, "user"))
        return;
    if (c->o->forwards_by_monitor)
        return;   /* libvirt < 9.2: no passt (and the forward row rendered no <portForward>):
                   * slirp, and virtspec adds the forwards through the monitor (hostfwd.c);
                   * `backend: passt` is refused at plan (hostfwd_check) */
    /* auto: passt for port forwards (libvirt has them only with passt), else slirp */
    if (streq(v->s, "passt") || (streq(v->s, "auto") && f->forward.n > 0))
        xml_set(node, k->xml, "passt");
}

char *hook_user_backend_observe(const KeyDef *k, const xmlNode *ctx) {
    _cleanup_free_ char *t = xml_get(ctx, k->xml);
    return streq_ptr(t, "passt") ? xstrdup("passt") : NULL;
}

/* ---- filesystems.driver: virtiofs, or 9p (no driver element) ---- */

void hook_fs_driver_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const Value *v = key_value(k, (void *) base);
    if (streq(v->s, "virtiofs"))
        xml_set(node, k->xml, "virtiofs");
}

char *hook_fs_driver_observe(const KeyDef *k, const xmlNode *ctx) {
    _cleanup_free_ char *t = xml_get(ctx, k->xml);
    return xstrdup(streq_ptr(t, "virtiofs") ? "virtiofs" : "9p");
}

/* ---- serials/consoles path: source/@path of a file chardev (a pty's is libvirt's) ---- */

char *hook_chardev_path_observe(const KeyDef *k, const xmlNode *ctx) {
    _cleanup_free_ char *type = xml_get(ctx, "@type");
    return streq_ptr(type, "file") ? xml_get(ctx, k->xml) : NULL;
}
