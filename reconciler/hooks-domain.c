/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "hooks-internal.h"
#include "hooks.h"
#include "spec-value.h"
#include "xml-util.h"
#include "xml-value.h"

/* Hooks of the domain as a whole: its type, memory, vCPUs, machine, boot order, CPU and
 * hypervisor features, loader, qemu command line, guest agent, RNG and balloon. Each with its
 * XML writer (render), its reader (observe) and, where a change needs more than replacing the
 * row's element, its patch. */

/* ---- domain_type: root @type, "auto" resolved against the host ---- */

void hook_domain_type_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const Value *v = key_value(k, (void *) base);
    xmlSetProp(node, (const xmlChar *) "type",
               (const xmlChar *) (streq(v->s, "auto") ? (c->o->host_kvm ? "kvm" : "qemu") : v->s));
}

char *hook_domain_type_observe(const KeyDef *k, const xmlNode *ctx) {
    return xml_get(ctx, "@type");
}

void hook_domain_type_patch(const KeyDef *k, xmlNode *want, xmlNode *have) {
    _cleanup_xmlchar_ xmlChar *t = xmlGetProp(want, (const xmlChar *) "type");
    xmlSetProp(have, (const xmlChar *) "type", t);
}

/* ---- memory, max_memory: <memory> (the ceiling) and <currentMemory> ---- */

void hook_memory_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const DomainSpec *d = &c->spec->domain;
    char buf[64];
    int64_t max = d->max_memory.set ? value_int(&d->max_memory) : value_int(&d->memory);
    xml_set(node, "memory", int_text(buf, max / 1024));
    xml_set(node, "memory/@unit", "KiB");
    xml_set(node, "currentMemory", int_text(buf, value_int(&d->memory) / 1024));
    xml_set(node, "currentMemory/@unit", "KiB");
}

char *hook_memory_observe(const KeyDef *k, const xmlNode *ctx) {
    xmlNode *e = xml_child(ctx, "currentMemory");
    return canon_size(e ? e : xml_child(ctx, "memory"));
}

char *hook_max_memory_observe(const KeyDef *k, const xmlNode *ctx) {
    xmlNode *e = xml_child(ctx, "memory");
    return e ? canon_size(e) : NULL;
}

/* ---- cpus, max_cpus: <vcpu current=…>max</vcpu> ---- */

void hook_vcpu_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const DomainSpec *d = &c->spec->domain;
    const Value *v = key_value(k, (void *) base);
    char buf[64];
    int64_t max = d->max_cpus.set ? value_int(&d->max_cpus) : value_int(&d->cpus);
    xml_set(node, "vcpu", int_text(buf, max));
    xml_set(node, "vcpu/@placement", "static");
    if (max != value_int(&d->cpus))
        xml_set(node, "vcpu/@current", v->s);
}

char *hook_vcpu_observe(const KeyDef *k, const xmlNode *ctx) {
    char *cur = xml_get(ctx, "vcpu/@current");
    return canon_scalar(k, cur ? cur : xml_get(ctx, "vcpu"));
}

char *hook_max_vcpu_observe(const KeyDef *k, const xmlNode *ctx) {
    return canon_scalar(k, xml_get(ctx, "vcpu"));
}

/* ---- machine: os/type/@machine, "q35" matches libvirt's expanded "pc-q35-7.2" ---- */

/* libvirt expands "pc" to "pc-i440fx-7.2" and "q35" to "pc-q35-7.2". */
bool hook_machine_equal(const KeyDef *k, const char *want, const char *have) {
    if (!want || !have)
        return want == have;
    if (streq(want, have))
        return true;
    if (streq(want, "pc"))
        return !strncmp(have, "pc-i440fx-", 10);
    if (streq(want, "q35"))
        return !strncmp(have, "pc-q35-", 7);
    return false;
}

/* ---- boot: os/boot dev list ---- */

void hook_boot_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const List *l = key_list(k, (void *) base);
    for (size_t i = 0; i < l->n; i++) {
        xmlNode *b = xml_ensure(node, "os/boot", true);
        xmlSetProp(b, (const xmlChar *) "dev", (const xmlChar *) ((Value *) l->items)[i].s);
    }
}

char *hook_boot_observe(const KeyDef *k, const xmlNode *ctx) {
    char *acc = NULL;
    for (xmlNode *b = xml_child(xml_child(ctx, "os"), "boot"); b; b = xml_next_named(b)) {
        _cleanup_xmlchar_ xmlChar *dev = xmlGetProp(b, (const xmlChar *) "dev");
        char *n = acc ? xasprintf("%s,%s", acc, (char *) dev) : xstrdup((char *) dev);
        free(acc);
        acc = n;
    }
    return acc;
}

/* ---- nested: cpu features vmx+svm, policy optional ---- */

void hook_nested_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const Value *v = key_value(k, (void *) base);
    if (!value_int(v))
        return;
    static const char *const feats[] = { "vmx", "svm" };
    for (size_t i = 0; i < ELEMENTSOF(feats); i++) {
        xmlNode *f = xml_ensure(node, "cpu/feature", true);
        xmlSetProp(f, (const xmlChar *) "policy", (const xmlChar *) "optional");
        xmlSetProp(f, (const xmlChar *) "name", (const xmlChar *) feats[i]);
    }
}

char *hook_nested_observe(const KeyDef *k, const xmlNode *ctx) {
    bool vmx = false;
    for (xmlNode *f = xml_child(xml_child(ctx, "cpu"), "feature"); f; f = xml_next_named(f)) {
        _cleanup_xmlchar_ xmlChar *name = xmlGetProp(f, (const xmlChar *) "name");
        _cleanup_xmlchar_ xmlChar *pol = xmlGetProp(f, (const xmlChar *) "policy");
        if (name && (streq((char *) name, "vmx") || streq((char *) name, "svm")) &&
            !(pol && (streq((char *) pol, "disable") || streq((char *) pol, "forbid"))))
            vmx = true;
    }
    return xstrdup(vmx ? "true" : "false");
}

/* ---- guest_agent: the qemu guest agent channel ---- */

bool is_guest_agent_channel(const xmlNode *ch) {
    _cleanup_free_ char *name = xml_get(ch, "target/@name");
    return streq_ptr(name, GUEST_AGENT_CHANNEL);
}

void hook_guest_agent_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const Value *v = key_value(k, (void *) base);
    if (!value_int(v))
        return;
    xmlNode *ch = xml_ensure(node, "devices/channel", true);
    xmlSetProp(ch, (const xmlChar *) "type", (const xmlChar *) "unix");
    xml_set(ch, "target/@type", "virtio");
    xml_set(ch, "target/@name", GUEST_AGENT_CHANNEL);
}

char *hook_guest_agent_observe(const KeyDef *k, const xmlNode *ctx) {
    xmlNode *devs = xml_child(ctx, "devices");
    for (xmlNode *c = xml_child(devs, "channel"); c; c = xml_next_named(c))
        if (is_guest_agent_channel(c))
            return xstrdup("true");
    return xstrdup("false");
}

void hook_guest_agent_patch(const KeyDef *k, xmlNode *want, xmlNode *have) {
    xmlNode *hd = xml_ensure(have, "devices", false), *wd = xml_child(want, "devices");
    for (xmlNode *c = hd->children, *next; c; c = next) {
        next = c->next;
        if (xml_is(c, "channel") && is_guest_agent_channel(c)) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
    }
    for (xmlNode *c = wd ? wd->children : NULL; c; c = c->next)
        if (xml_is(c, "channel") && is_guest_agent_channel(c))
            xml_adopt_copy(hd, c);
}

/* ---- rng: its backend device ---- */

void hook_rng_backend_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const Value *v = key_value(k, (void *) base);
    xml_set(node, "devices/rng/backend", v->s);
    xml_set(node, "devices/rng/backend/@model", "random");
}

char *hook_rng_backend_observe(const KeyDef *k, const xmlNode *ctx) {
    return xml_get(ctx, "devices/rng/backend");
}

/* ---- features: features/<NAME/> for each simple hypervisor feature ---- */

void hook_features_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const List *l = key_list(k, (void *) base);
    if (l->n == 0 && l->line > 0)
        xml_ensure(node, "features", false);   /* written as []: none of them */
    for (size_t i = 0; i < l->n; i++)   /* features/NAME */
        xml_ensure(xml_ensure(node, "features", false), ((Value *) l->items)[i].s, false);
}

char *hook_features_observe(const KeyDef *k, const xmlNode *ctx) {
    /* the simple features among the row's choices that are on, in the choices' order; "" for a
     * <features> without any (libvirt drops it; the same as none, see hook_features_equal) */
    xmlNode *f = xml_child(ctx, "features");
    char *acc = NULL;
    for (size_t i = 0; f && k->choices[i]; i++) {
        xmlNode *e = xml_child(f, k->choices[i]);
        _cleanup_xmlchar_ xmlChar *st = e ? xmlGetProp(e, (const xmlChar *) "state") : NULL;
        if (!e || (st && streq((char *) st, "off")))
            continue;
        char *n = acc ? xasprintf("%s,%s", acc, k->choices[i]) : xstrdup(k->choices[i]);
        free(acc);
        acc = n;
    }
    return acc ? acc : f ? xstrdup("") : NULL;
}

char *hook_features_export_value(const KeyDef *k, const xmlNode *ctx) {
    /* no <features> at all is said as [], or the architecture's default would add them */
    char *v = hook_features_observe(k, ctx);
    return v ? v : xstrdup("");
}

bool hook_features_equal(const KeyDef *k, const char *want, const char *have) {
    /* an empty <features/> is what `features: []` renders; libvirt drops it */
    want = want && *want ? want : NULL;
    have = have && *have ? have : NULL;
    if (!want || !have)
        return want == have;
    return streq(want, have);
}

/* the simple ones (the row's choices) are replaced, kvm, hyperv and others kept */
void hook_features_patch(const KeyDef *k, xmlNode *want, xmlNode *have) {
    xmlNode *wf = xml_child(want, "features"), *hf = xml_child(have, "features");
    if (!hf && !wf)
        return;
    if (!hf)
        hf = xml_ensure(have, "features", false);
    for (xmlNode *c = hf->children, *next; c; c = next) {
        next = c->next;
        for (size_t i = 0; c->type == XML_ELEMENT_NODE && k->choices[i]; i++)
            if (xml_is(c, k->choices[i])) {
                xmlUnlinkNode(c);
                xmlFreeNode(c);
                break;
            }
    }
    for (xmlNode *c = wf ? wf->children : NULL; c; c = c->next)
        for (size_t i = 0; c->type == XML_ELEMENT_NODE && k->choices[i]; i++)
            if (xml_is(c, k->choices[i]))
                xml_adopt_copy(hf, c);
}

/* ---- hyperv: features/hyperv/<NAME state retries value/> ---- */

void hook_hyperv_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const List *l = key_list(k, (void *) base);
    if (l->n == 0)
        return;
    xmlNode *h = xml_ensure(node, "features/hyperv", false);
    for (size_t i = 0; i < l->n; i++) {
        const HypervSpec *f = &((const HypervSpec *) l->items)[i];
        xmlNode *e = xml_add_child(h, f->name.s);
        xmlSetProp(e, (const xmlChar *) "state", (const xmlChar *) (value_int(&f->state) ? "on" : "off"));
        if (f->retries.set)
            xmlSetProp(e, (const xmlChar *) "retries", (const xmlChar *) f->retries.s);
        if (f->value.set)
            xmlSetProp(e, (const xmlChar *) "value", (const xmlChar *) f->value.s);
    }
}

char *hook_hyperv_observe(const KeyDef *k, const xmlNode *ctx) {
    /* "name=on|off[ retries=N][ value=V]" per enlightenment, in the table's order */
    xmlNode *h = xml_find(ctx, "features/hyperv");
    const KeyDef *name = &k->sub->keys[0];
    char *acc = NULL;
    for (size_t i = 0; h && name->choices[i]; i++) {
        xmlNode *e = xml_child(h, name->choices[i]);
        if (!e)
            continue;
        _cleanup_xmlchar_ xmlChar *st = xmlGetProp(e, (const xmlChar *) "state");
        _cleanup_xmlchar_ xmlChar *re = xmlGetProp(e, (const xmlChar *) "retries");
        _cleanup_xmlchar_ xmlChar *va = xmlGetProp(e, (const xmlChar *) "value");
        bool on = false;
        parse_bool(st ? (char *) st : "off", &on);
        _cleanup_free_ char *item = xasprintf("%s=%s%s%s%s%s", name->choices[i], on ? "on" : "off",
                                              re ? " retries=" : "", re ? (char *) re : "",
                                              va ? " value=" : "", va ? (char *) va : "");
        char *n = acc ? xasprintf("%s, %s", acc, item) : xstrdup(item);
        free(acc);
        acc = n;
    }
    return acc;
}

/* export: one item per enlightenment; one the keys cannot say (a name outside the choices,
 * vendor_id's direct child) is kept whole through the escape hatch */
void hook_hyperv_export(const HookExport *x, const KeyDef *k, YNode *o) {
    xmlNode *h = xml_find(x->root, "features/hyperv");
    YNode *items = ynode_new_seq(false);
    for (xmlNode *e = h ? h->children : NULL; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        _cleanup_free_ char *st = xml_get(e, "@state"), *re = xml_get(e, "@retries");
        _cleanup_free_ char *va = xml_get(e, "@value");
        YNode *name = x->text(&k->sub->keys[0], (const char *) e->name);
        if (!name || xml_child(e, "direct")) {
            ynode_free(name);
            x->fallback(x->x, "features/hyperv", e);
            continue;
        }
        YNode *item = ynode_seq_push(items, ynode_new_map(true));
        ynode_map_put(item, "name", name);
        ynode_map_put(item, "state", ynode_new_plain(streq_ptr(st, "on") ? "true" : "false"));
        if (re)
            ynode_map_put(item, "retries", ynode_new_plain(re));
        if (va)
            ynode_map_put(item, "value", ynode_new_quoted(va));
    }
    if (items->n)
        ynode_map_put(o, k->key, items);
    else
        ynode_free(items);
}

/* ---- loader: os/loader path, type rom or pflash (pflash with an NVRAM) ---- */

void hook_loader_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const DomainSpec *d = &c->spec->domain;
    const Value *v = key_value(k, (void *) base);
    if (!v->set)
        return;
    xml_set(node, "os/loader", v->s);
    xml_set(node, "os/loader/@readonly", "yes");
    xml_set(node, "os/loader/@type", d->nvram.set || d->nvram_template.set ? "pflash" : "rom");
}

char *hook_loader_observe(const KeyDef *k, const xmlNode *ctx) {
    _cleanup_free_ char *path = xml_get(ctx, "os/loader");
    _cleanup_free_ char *type = xml_get(ctx, "os/loader/@type");
    return path ? xasprintf("%s (%s)", path, type ? type : "rom") : NULL;
}

char *hook_loader_export_value(const KeyDef *k, const xmlNode *ctx) {
    return xml_get(ctx, "os/loader");   /* the path: the type follows from it */
}

/* ---- memballoon: enabled false is model none ---- */

void hook_memballoon_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const Value *v = key_value(k, (void *) base);
    if (streq(k->key, "model"))
        xml_set(node, k->xml, value_int(&spec_box(&c->spec->domain, memballoon)->enabled) ? v->s : "none");
}

char *hook_memballoon_observe(const KeyDef *k, const xmlNode *ctx) {
    _cleanup_free_ char *m = xml_get(ctx, "devices/memballoon/@model");
    if (streq(k->key, "enabled"))
        return m ? xstrdup(streq(m, "none") ? "false" : "true") : NULL;
    return m && !streq(m, "none") ? xstrdup(m) : NULL;
}

/* ---- qemu_args, qemu_env: qemu:commandline/qemu:arg and qemu:env ---- */

/* A new child of the domain's <qemu:commandline>, created (with its namespace) on first use. */
static xmlNode *qemu_child(const HookCtx *c, const char *name) {
    xmlNs *ns = xmlSearchNsByHref(c->root->doc, c->root, (const xmlChar *) QEMU_XMLNS);
    if (!ns)
        ns = xmlNewNs(c->root, (const xmlChar *) QEMU_XMLNS, (const xmlChar *) "qemu");
    xmlNode *cl = NULL;
    for (xmlNode *e = c->root->children; e && !cl; e = e->next)
        if (xml_is(e, "commandline") && e->ns == ns)
            cl = e;
    if (!cl) {
        cl = xml_add_child(c->root, "commandline");
        xmlSetNs(cl, ns);
    }
    return xmlNewChild(cl, ns, (const xmlChar *) name, NULL);
}

void hook_qemu_args_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const List *l = key_list(k, (void *) base);
    for (size_t i = 0; i < l->n; i++) {
        xmlNode *a = qemu_child(c, "arg");
        xmlSetProp(a, (const xmlChar *) "value", (const xmlChar *) ((Value *) l->items)[i].s);
    }
}

char *hook_qemu_args_observe(const KeyDef *k, const xmlNode *ctx) {
    return observe_value_list(k, ctx);
}

void hook_qemu_env_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const List *l = key_list(k, (void *) base);
    for (size_t i = 0; i < l->n; i++) {
        const EnvSpec *e = &((const EnvSpec *) l->items)[i];
        xmlNode *n = qemu_child(c, "env");
        xmlSetProp(n, (const xmlChar *) "name", (const xmlChar *) e->name.s);
        xmlSetProp(n, (const xmlChar *) "value", (const xmlChar *) (e->value.set ? e->value.s : ""));
    }
}

/* ---- firmware.type: os/@firmware (written and read as a plain row); libvirt selects the loader
 * and NVRAM files for it ---- */

/* A new firmware type (or none) drops what libvirt selected for the old one (the loader, the
 * NVRAM element, the <firmware> features) unless the spec gives a loader itself: libvirt then
 * selects again. The NVRAM file itself stays where it is. */
void hook_firmware_patch(const KeyDef *k, xmlNode *want, xmlNode *have) {
    _cleanup_free_ char *type = xml_get(want, k->xml);
    if (type)
        xml_set(have, k->xml, type);
    else
        xml_unset(have, k->xml);
    if (xml_find(want, "os/loader"))
        return;
    static const char *const selected[] = { "os/loader", "os/nvram", "os/firmware" };
    for (size_t i = 0; i < ELEMENTSOF(selected); i++)
        if (!xml_find(want, selected[i]))
            xml_unset(have, selected[i]);
}

/* ---- firmware.secure_boot, firmware.enrolled_keys: os/firmware/feature[@name='…']/@enabled,
 * a requirement libvirt's firmware selection matches against the descriptors' features ---- */

void hook_firmware_feature_render(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const Value *v = key_value(k, (void *) base);
    if (!v->set)
        return;
    _cleanup_free_ char *x = render_value(k, v);   /* yes|no */
    xml_set(node, k->xml, x);
}

/* The <feature> element as a whole: set from want, or removed (never left without enabled=);
 * an <os><firmware> left empty goes too. */
void hook_firmware_feature_patch(const KeyDef *k, xmlNode *want, xmlNode *have) {
    _cleanup_free_ char *elem = xstrndup(k->xml, strstr(k->xml, "/@") - k->xml);
    _cleanup_free_ char *v = xml_get(want, k->xml);
    xml_unset(have, elem);
    if (v)
        xml_set(have, k->xml, v);
    xmlNode *fw = xml_find(have, "os/firmware");
    if (fw && !xmlFirstElementChild(fw))
        xml_unset(have, "os/firmware");
}
