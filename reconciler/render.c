/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "config.h"
#include "render.h"
#include "spec-value.h"
#include "xml-util.h"

typedef struct Ctx {
    const Spec *spec;
    const RenderOpts *o;
    xmlNode *root;
} Ctx;

bool host_has_kvm(void) {
    return access("/dev/kvm", R_OK | W_OK) == 0;
}

char *render_volume_name(const DomainSpec *d, const DiskSpec *disk) {
    return xasprintf("%s-%s.%s", d->name.s, disk->name.s, disk->format.s);
}

char *render_value(const KeyDef *k, const Value *v) {
    if (k->type == VT_BOOL)
        return xstrdup(v->i ? "yes" : "no");
    return xstrdup(v->s);
}

static bool xml_is_presence(const KeyDef *k) {
    /* A boolean stored as an element (<shareable/>) rather than an attribute. */
    return k->type == VT_BOOL && k->xml && !strchr(k->xml, '@');
}

static void render_rows(Ctx *c, const KeyTable *t, const void *base, xmlNode *node);

static void render_item_prelude(Ctx *c, const KeyTable *t, const void *item, xmlNode *e) {
    if (streq(t->name, "disks")) {
        const DiskSpec *d = item;
        xmlSetProp(e, (const xmlChar *) "type", (const xmlChar *) (d->path.set ? "file" : "volume"));
        xmlSetProp(e, (const xmlChar *) "device", (const xmlChar *) "disk");
        xml_set(e, "driver/@name", "qemu");
        if (d->path.set)
            xml_set(e, "source/@file", d->path.s);
        else {
            _cleanup_free_ char *vol = render_volume_name(&c->spec->domain, d);
            xml_set(e, "source/@pool", d->pool.s);
            xml_set(e, "source/@volume", vol);
        }
    } else if (streq(t->name, "cdroms")) {
        xmlSetProp(e, (const xmlChar *) "type", (const xmlChar *) "file");
        xmlSetProp(e, (const xmlChar *) "device", (const xmlChar *) "cdrom");
        xml_set(e, "driver/@name", "qemu");
        xml_set(e, "driver/@type", "raw");
        xml_ensure(e, "readonly", false);
    }
}

static void render_hook(Ctx *c, const KeyDef *k, const void *base, xmlNode *node) {
    const DomainSpec *d = &c->spec->domain;
    const Value *v = key_value(k, (void *) base);
    char buf[64];

    switch (k->hook) {
    case HOOK_DOMAIN_TYPE:
        xmlSetProp(node, (const xmlChar *) "type",
                   (const xmlChar *) (streq(v->s, "auto") ? (c->o->host_kvm ? "kvm" : "qemu") : v->s));
        return;
    case HOOK_MEMORY: {
        int64_t max = d->max_memory.set ? d->max_memory.i : d->memory.i;
        snprintf(buf, sizeof(buf), "%" PRId64, max / 1024);
        xml_set(node, "memory", buf);
        xml_set(node, "memory/@unit", "KiB");
        snprintf(buf, sizeof(buf), "%" PRId64, d->memory.i / 1024);
        xml_set(node, "currentMemory", buf);
        xml_set(node, "currentMemory/@unit", "KiB");
        return;
    }
    case HOOK_VCPU: {
        int64_t max = d->max_cpus.set ? d->max_cpus.i : d->cpus.i;
        snprintf(buf, sizeof(buf), "%" PRId64, max);
        xml_set(node, "vcpu", buf);
        xml_set(node, "vcpu/@placement", "static");
        if (max != d->cpus.i)
            xml_set(node, "vcpu/@current", v->s);
        return;
    }
    case HOOK_MAX_MEMORY:
    case HOOK_MAX_VCPU:
    case HOOK_API:
        return;
    case HOOK_DISK_SOURCE:
        return;   /* <source> is written by render_item_prelude: pool+volume, or file for a path */
    case HOOK_BOOT: {
        const List *l = key_list(k, (void *) base);
        for (size_t i = 0; i < l->n; i++) {
            xmlNode *b = xml_ensure(node, "os/boot", true);
            xmlSetProp(b, (const xmlChar *) "dev", (const xmlChar *) ((Value *) l->items)[i].s);
        }
        return;
    }
    case HOOK_NESTED:
        if (v->i) {
            static const char *const feats[] = { "vmx", "svm" };
            for (size_t i = 0; i < ELEMENTSOF(feats); i++) {
                xmlNode *f = xml_ensure(node, "cpu/feature", true);
                xmlSetProp(f, (const xmlChar *) "policy", (const xmlChar *) "optional");
                xmlSetProp(f, (const xmlChar *) "name", (const xmlChar *) feats[i]);
            }
        }
        return;
    case HOOK_GRAPHICS_NONE:
        if (!streq(v->s, "none"))
            xml_set(node, k->xml, v->s);
        return;
    case HOOK_PASSWD: {
        const char *pw = c->o->passwd ? c->o->passwd : v->set ? v->s : NULL;
        if (pw)
            xml_set(node, k->xml, c->o->show_secrets ? pw : MASKED_SECRET);
        return;
    }
    case HOOK_GUEST_AGENT:
        if (v->i) {
            xmlNode *ch = xml_ensure(node, "devices/channel", true);
            xmlSetProp(ch, (const xmlChar *) "type", (const xmlChar *) "unix");
            xml_set(ch, "target/@type", "virtio");
            xml_set(ch, "target/@name", GUEST_AGENT_CHANNEL);
        }
        return;
    case HOOK_RNG_BACKEND:
        xml_set(node, "devices/rng/backend", v->s);
        xml_set(node, "devices/rng/backend/@model", "random");
        return;
    case HOOK_NET_FORWARD:
        if (!streq(v->s, "none") && !streq(v->s, "veryisolated"))
            xml_set(node, "forward/@mode", v->s);
        return;
    case HOOK_NET_BRIDGE:
        if (v->set) {
            xml_set(node, "bridge/@name", v->s);
            if (!streq(c->spec->network.forward.s, "bridge")) {
                xml_set(node, "bridge/@stp", "on");
                xml_set(node, "bridge/@delay", "0");
            }
        }
        return;
    case HOOK_NET_IP: {
        const NetworkSpec *n = &c->spec->network;
        if (streq(k->key, "ipv6"))
            return;   /* rendered with the IPv4 row, in address-family order */
        const Value *ips[] = { &n->ip, &n->ipv6 };
        for (size_t i = 0; i < ELEMENTSOF(ips); i++) {
            if (!ips[i]->set)
                continue;
            _cleanup_free_ char *addr = xstrndup(ips[i]->s, strcspn(ips[i]->s, "/"));
            xmlNode *ip = xml_ensure(node, "ip", true);
            if (i == 1)
                xmlSetProp(ip, (const xmlChar *) "family", (const xmlChar *) "ipv6");
            xmlSetProp(ip, (const xmlChar *) "address", (const xmlChar *) addr);
            xmlSetProp(ip, (const xmlChar *) "prefix", (const xmlChar *) (strchr(ips[i]->s, '/') + 1));
        }
        return;
    }
    default:
        /* Hooks that only matter for comparison render like a plain path. */
        if (v->set && k->xml)
            xml_set(node, k->xml, v->s);
        return;
    }
}

static void render_rows(Ctx *c, const KeyTable *t, const void *base, xmlNode *node) {
    for (size_t i = 0; i < t->n_keys; i++) {
        const KeyDef *k = &t->keys[i];
        if (k->type == VT_MAP) {
            if (key_value(k, (void *) base)->set)
                render_rows(c, k->sub, base, node);
            continue;
        }
        if (k->type == VT_LIST) {
            const List *l = key_list(k, (void *) base);
            for (size_t j = 0; j < l->n; j++) {
                const void *item = (const char *) l->items + j * k->sub->item_size;
                xmlNode *e = xml_ensure(node, k->sub->xml_elem, true);
                render_item_prelude(c, k->sub, item, e);
                render_rows(c, k->sub, item, e);
            }
            continue;
        }
        if (k->hook != HOOK_NONE) {
            render_hook(c, k, base, node);
            continue;
        }
        const Value *v = key_value(k, (void *) base);
        if (!v->set || !k->xml || (k->flags & KEY_NO_XML))
            continue;
        if (xml_is_presence(k)) {
            if (v->i)
                xml_ensure(node, k->xml, false);
            continue;
        }
        _cleanup_free_ char *text = render_value(k, v);
        xml_set(node, k->xml, text);
    }
}

/* ---- ownership metadata ---- */

static void managed_add(char **acc, const char *tok) {
    char *n = *acc ? xasprintf("%s %s", *acc, tok) : xstrdup(tok);
    free(*acc);
    *acc = n;
}

static void managed_rows(const KeyTable *t, const void *base, const char *prefix, char **acc) {
    for (size_t i = 0; i < t->n_keys; i++) {
        const KeyDef *k = &t->keys[i];
        _cleanup_free_ char *path = prefix ? xasprintf("%s.%s", prefix, k->key) : xstrdup(k->key);
        if (k->type == VT_MAP) {
            if (key_value(k, (void *) base)->set) {
                managed_add(acc, path);
                managed_rows(k->sub, base, path, acc);
            }
        } else if (k->type == VT_LIST) {
            const List *l = key_list(k, (void *) base);
            for (size_t j = 0; j < l->n; j++) {
                const void *item = (const char *) l->items + j * k->sub->item_size;
                _cleanup_free_ char *tok = NULL;
                for (size_t r = 0; r < k->sub->n_keys; r++)
                    if (k->sub->keys[r].flags & KEY_ITEM_KEY) {
                        const Value *kv = key_value(&k->sub->keys[r], (void *) item);
                        char *n = tok ? xasprintf("%s,%s", tok, kv->s) : xasprintf("%s:%s", path, kv->s);
                        free(tok);
                        tok = n;
                    }
                if (tok)
                    managed_add(acc, tok);
            }
        } else if (k->type == VT_ENUM_LIST) {
            if (key_list(k, (void *) base)->n > 0)
                managed_add(acc, path);
        } else if (key_value(k, (void *) base)->set && k->change != CHANGE_NONE)
            managed_add(acc, path);
    }
}

char *render_managed_keys(const Spec *s) {
    char *acc = NULL;
    managed_rows(spec_kind_table(s->kind), &s->domain, NULL, &acc);
    return acc ? acc : xstrdup("");
}

char *render_hash(xmlDoc *doc) {
    xmlDoc *copy = xmlCopyDoc(doc, 1);
    xmlNode *root = xmlDocGetRootElement(copy);
    xmlNode *md = xml_child(root, "metadata");
    if (md) {
        xmlUnlinkNode(md);
        xmlFreeNode(md);
    }
    /* A hash of a short password is a guessable password: leave secrets out. */
    xmlNode *devs = xml_child(root, "devices");
    for (xmlNode *g = xml_child(devs, "graphics"); g; g = xml_next_named(g))
        xmlUnsetProp(g, (const xmlChar *) "passwd");
    _cleanup_free_ char *text = xml_to_string(copy);
    xmlFreeDoc(copy);
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *) text; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return xasprintf("%016" PRIx64, h);
}

static void render_metadata(const Spec *s, xmlDoc *doc) {
    xmlNode *root = xmlDocGetRootElement(doc);
    _cleanup_free_ char *hash = render_hash(doc);
    _cleanup_free_ char *managed = render_managed_keys(s);
    char line[32];

    xmlNode *md = xml_ensure(root, "metadata", false);
    xmlNode *vs = xmlNewChild(md, NULL, (const xmlChar *) "virtspec", NULL);
    xmlNs *ns = xmlNewNs(vs, (const xmlChar *) VIRTSPEC_XMLNS, (const xmlChar *) VIRTSPEC_XMLNS_PREFIX);
    xmlSetNs(vs, ns);
    snprintf(line, sizeof(line), "%u", s->line);
    xmlNode *src = xmlNewChild(vs, ns, (const xmlChar *) "spec", NULL);
    xmlSetProp(src, (const xmlChar *) "file", (const xmlChar *) s->file);
    xmlSetProp(src, (const xmlChar *) "line", (const xmlChar *) line);
    xmlSetProp(src, (const xmlChar *) "hash", (const xmlChar *) hash);
    xmlSetProp(src, (const xmlChar *) "version", (const xmlChar *) VIRTSPEC_VERSION);
    xmlNewTextChild(vs, ns, (const xmlChar *) "managed", (const xmlChar *) managed);
}

int render_spec(const Spec *s, const RenderOpts *o, xmlDoc **ret) {
    static const char *const roots[_KIND_MAX] = { "domain", "network", "pool" };
    xmlDoc *doc = xmlNewDoc((const xmlChar *) "1.0");
    xmlNode *root = xmlNewNode(NULL, (const xmlChar *) roots[s->kind]);
    Ctx c = { .spec = s, .o = o, .root = root };

    xmlDocSetRootElement(doc, root);
    if (s->kind == KIND_DOMAIN) {
        const DomainSpec *d = &s->domain;
        xml_set(root, "os/type", "hvm");
        const char *arch = d->machine_arch.set ? d->machine_arch.s : "x86_64";
        if (streq(arch, "x86_64") || streq(arch, "i686")) {
            xml_ensure(root, "features/acpi", false);
            xml_ensure(root, "features/apic", false);
        }
    }
    render_rows(&c, spec_kind_table(s->kind), &s->domain, root);
    if (s->kind != KIND_POOL)
        render_metadata(s, doc);
    *ret = doc;
    return 0;
}
