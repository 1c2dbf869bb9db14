/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "diff.h"
#include "render.h"
#include "spec-value.h"
#include "xml-util.h"

/* libvirt XML → canonical values, the same form spec-value.c produces for the spec side. */

static char *canon_size_text(const char *text, const char *unit) {
    int64_t v;
    static const struct { const char *u; int64_t m; } units[] = {
        { "b", 1 }, { "bytes", 1 }, { "KiB", 1024 }, { "k", 1024 }, { "KB", 1000 },
        { "MiB", 1024 * 1024 }, { "M", 1024 * 1024 }, { "MB", 1000000 },
        { "GiB", 1024LL * 1024 * 1024 }, { "G", 1024LL * 1024 * 1024 }, { "GB", 1000000000LL },
        { "TiB", 1024LL * 1024 * 1024 * 1024 }, { "T", 1024LL * 1024 * 1024 * 1024 },
    };
    int64_t mult = 1024;   /* libvirt's default unit for memory is KiB */
    if (!text || parse_size(text, 1, &v) < 0)
        return NULL;
    if (unit) {
        mult = 0;
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
            if (streq(unit, units[i].u))
                mult = units[i].m;
        if (mult == 0)
            return NULL;
    }
    if (v > INT64_MAX / mult)
        return NULL;   /* no size libvirt writes; not a value (and no overflow) */
    char buf[24];
    return xstrdup(int_text(buf, v * mult));
}

static char *canon_size(const xmlNode *e) {
    if (!e)
        return NULL;
    _cleanup_free_ char *text = xml_text(e), *unit = xml_prop(e, "unit");
    return canon_size_text(text, unit);
}

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

static char *canon_scalar(const KeyDef *k, char *raw) {
    if (!raw)
        return NULL;
    switch (k->type) {
    case VT_BOOL: {
        bool b;
        if (parse_bool(raw, &b) < 0)
            return raw;
        free(raw);
        return xstrdup(b ? "true" : "false");
    }
    case VT_INT: {
        char *end;
        long long v = strtoll(raw, &end, 0);
        if (*end || end == raw)
            return raw;
        free(raw);
        if (v == -1)
            return NULL;    /* libvirt's "unset" for ports and the like */
        char buf[24];
        return xstrdup(int_text(buf, v));
    }
    case VT_MAC: {
        char mac[18];
        if (parse_mac(raw, mac) < 0)
            return raw;
        free(raw);
        return xstrdup(mac);
    }
    case VT_IP: {
        char *c;
        if (parse_ip(raw, false, NULL, &c, NULL) < 0)
            return raw;
        free(raw);
        return c;
    }
    case VT_WWN: {
        char *c = wwn_canonical(raw);
        if (!c)
            return raw;
        free(raw);
        return c;
    }
    default:
        return raw;
    }
}

bool is_guest_agent_channel(const xmlNode *ch) {
    _cleanup_free_ char *name = xml_get(ch, "target/@name");
    return streq_ptr(name, GUEST_AGENT_CHANNEL);
}

/* Every value at a repeated element (or its attribute), quoted: "a", "b c". */
static char *observe_value_list(const KeyDef *k, const xmlNode *ctx) {
    const char *attr = strstr(k->xml, "/@");
    _cleanup_free_ char *elem = attr ? xstrndup(k->xml, (size_t) (attr - k->xml)) : xstrdup(k->xml);
    const char *slash = strrchr(elem, '/');
    _cleanup_free_ char *parent = slash ? xstrndup(elem, (size_t) (slash - elem)) : NULL;
    const char *name = slash ? slash + 1 : elem;
    xmlNode *p = parent ? xml_find(ctx, parent) : (xmlNode *) ctx;
    char *acc = NULL;
    for (xmlNode *e = p ? p->children : NULL; e; e = e->next) {
        if (!xml_is(e, name))
            continue;
        _cleanup_xmlchar_ xmlChar *v = attr ? xmlGetProp(e, (const xmlChar *) attr + 2)
                                            : xmlNodeGetContent(e);
        /* quoted, with " and \ escaped, so that no two lists read the same */
        size_t len = 3;
        for (const xmlChar *q = v; q && *q; q++)
            len += 1 + (*q == '"' || *q == '\\');
        char *item = xmalloc0(len), *o = item;
        *o++ = '"';
        for (const xmlChar *q = v; q && *q; q++) {
            if (*q == '"' || *q == '\\')
                *o++ = '\\';
            *o++ = (char) *q;
        }
        *o = '"';
        char *n = xasprintf("%s%s%s", acc ? acc : "", acc ? ", " : "", item);
        free(acc);
        free(item);
        acc = n;
    }
    return acc;
}

char *observe_value(const KeyDef *k, const xmlNode *ctx) {
    switch (k->hook) {
    case HOOK_API:
        return NULL;
    case HOOK_MEMORY: {
        xmlNode *e = xml_child(ctx, "currentMemory");
        return canon_size(e ? e : xml_child(ctx, "memory"));
    }
    case HOOK_MAX_MEMORY: {
        xmlNode *e = xml_child(ctx, "memory");
        return e ? canon_size(e) : NULL;
    }
    case HOOK_VCPU: {
        char *cur = xml_get(ctx, "vcpu/@current");
        return canon_scalar(k, cur ? cur : xml_get(ctx, "vcpu"));
    }
    case HOOK_MAX_VCPU:
        return canon_scalar(k, xml_get(ctx, "vcpu"));
    case HOOK_DOMAIN_TYPE:
        return xml_get(ctx, "@type");
    case HOOK_BOOT: {
        char *acc = NULL;
        for (xmlNode *b = xml_child(xml_child(ctx, "os"), "boot"); b; b = xml_next_named(b)) {
            _cleanup_xmlchar_ xmlChar *dev = xmlGetProp(b, (const xmlChar *) "dev");
            char *n = acc ? xasprintf("%s,%s", acc, (char *) dev) : xstrdup((char *) dev);
            free(acc);
            acc = n;
        }
        return acc;
    }
    case HOOK_NESTED: {
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
    case HOOK_GRAPHICS_NONE: {
        char *t = xml_get(ctx, k->xml);
        return t ? t : xstrdup("none");
    }
    case HOOK_GUEST_AGENT: {
        xmlNode *devs = xml_child(ctx, "devices");
        for (xmlNode *c = xml_child(devs, "channel"); c; c = xml_next_named(c))
            if (is_guest_agent_channel(c))
                return xstrdup("true");
        return xstrdup("false");
    }
    case HOOK_RNG_BACKEND:
        return xml_get(ctx, "devices/rng/backend");
    case HOOK_FEATURES: {
        /* the simple features among the row's choices that are on, in the choices' order; ""
         * for a <features> without any (libvirt drops it; the same as none, see diff.c) */
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
    case HOOK_HYPERV: {
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
    case HOOK_MEMBALLOON: {
        _cleanup_free_ char *m = xml_get(ctx, "devices/memballoon/@model");
        if (streq(k->key, "enabled"))
            return m ? xstrdup(streq(m, "none") ? "false" : "true") : NULL;
        return m && !streq(m, "none") ? xstrdup(m) : NULL;
    }
    case HOOK_HEX: {
        _cleanup_free_ char *raw = xml_get(ctx, k->xml);
        char *end;
        if (!raw)
            return NULL;
        unsigned long long v = strtoull(raw, &end, 16);
        if (*end || end == raw)
            return xstrdup(raw);
        return xasprintf("0x%0*llx", k->max >= 6 ? 4 : 2, v);
    }
    case HOOK_PCI_HOST: {
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
    case HOOK_PCI_ADDR: {
        _cleanup_free_ char *type = xml_get(ctx, "address/@type");
        return streq_ptr(type, "pci") ? canon_scalar(k, xml_get(ctx, k->xml)) : NULL;
    }
    case HOOK_OVS: {
        _cleanup_free_ char *t = xml_get(ctx, k->xml);
        return xstrdup(streq_ptr(t, "openvswitch") ? "true" : "false");
    }
    case HOOK_FS_DRIVER: {
        _cleanup_free_ char *t = xml_get(ctx, k->xml);
        return xstrdup(streq_ptr(t, "virtiofs") ? "virtiofs" : "9p");
    }
    case HOOK_DISK_SOURCE: {
        /* what the disk holds: pool/volume, or the host file of a `path` disk */
        _cleanup_free_ char *pool = xml_get(ctx, "source/@pool"), *vol = xml_get(ctx, "source/@volume");
        if (pool || vol)
            return xasprintf("%s/%s", strna(pool), strna(vol));
        return xml_get(ctx, "source/@file");
    }
    case HOOK_CHARDEV_PATH: {
        _cleanup_free_ char *type = xml_get(ctx, "@type");
        return streq_ptr(type, "file") ? xml_get(ctx, k->xml) : NULL;
    }
    case HOOK_QEMU_ARGS:
        return observe_value_list(k, ctx);
    case HOOK_LOADER: {
        _cleanup_free_ char *path = xml_get(ctx, "os/loader");
        _cleanup_free_ char *type = xml_get(ctx, "os/loader/@type");
        return path ? xasprintf("%s (%s)", path, type ? type : "rom") : NULL;
    }
    case HOOK_CPUSET: {
        char *raw = xml_get(ctx, k->xml);
        char *canon = raw ? cpuset_canonical(raw, CPUSET_LIMIT) : NULL;
        if (!canon)
            return raw;
        free(raw);
        return canon;
    }
    case HOOK_SIZE_KIB: {
        /* text with a unit attribute, or an attribute with a unit attribute beside it */
        const char *at = strrchr(k->xml, '@');
        _cleanup_free_ char *raw = xml_get(ctx, k->xml);
        _cleanup_free_ char *upath = at ? xasprintf("%.*sunit", (int) (at - k->xml + 1), k->xml)
                                        : xasprintf("%s/@unit", k->xml);
        _cleanup_free_ char *unit = xml_get(ctx, upath);
        return raw ? canon_size_text(raw, unit) : NULL;
    }
    case HOOK_CHANNEL_NAME: {
        /* a guestfwd channel has no name: its target is its identity */
        char *name = xml_get(ctx, k->xml);
        _cleanup_free_ char *type = name ? NULL : xml_get(ctx, "target/@type");
        if (name || !streq_ptr(type, "guestfwd"))
            return name;
        _cleanup_free_ char *addr = canon_scalar(&(KeyDef) { .type = VT_IP }, xml_get(ctx, "target/@address"));
        _cleanup_free_ char *port = canon_scalar(&(KeyDef) { .type = VT_INT }, xml_get(ctx, "target/@port"));
        return channel_guestfwd_key(addr, port);
    }
    case HOOK_NET_DOMAIN_LOCAL: {
        /* nothing without a domain name; libvirt's default beside one is no */
        _cleanup_free_ char *name = xml_get(ctx, "domain/@name");
        char *v = name ? xml_get(ctx, k->xml) : NULL;
        return name ? canon_scalar(k, v ? v : xstrdup("no")) : NULL;
    }
    case HOOK_NET_FORWARD: {
        char *m = xml_get(ctx, "forward/@mode");
        if (m)
            return m;
        /* no <forward>: isolated; without any address it is "veryisolated" */
        return xstrdup(xml_child(ctx, "ip") ? "none" : "veryisolated");
    }
    case HOOK_NET_IP: {
        const char *fam = k->key && streq(k->key, "ipv6") ? "ipv6" : "ipv4";
        for (xmlNode *ip = xml_child(ctx, "ip"); ip; ip = xml_next_named(ip)) {
            _cleanup_xmlchar_ xmlChar *f = xmlGetProp(ip, (const xmlChar *) "family");
            if (!streq(f ? (char *) f : "ipv4", fam))
                continue;
            _cleanup_xmlchar_ xmlChar *a = xmlGetProp(ip, (const xmlChar *) "address");
            _cleanup_xmlchar_ xmlChar *p = xmlGetProp(ip, (const xmlChar *) "prefix");
            _cleanup_xmlchar_ xmlChar *nm = xmlGetProp(ip, (const xmlChar *) "netmask");
            int prefix = p ? atoi((char *) p) : -1;
            if (prefix < 0 && nm) {
                unsigned b[4];
                if (sscanf((char *) nm, "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]) == 4) {
                    uint32_t m = b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
                    prefix = __builtin_popcount(m);
                }
            }
            if (!a)
                return NULL;
            _cleanup_free_ char *raw = prefix >= 0 ? xasprintf("%s/%d", (char *) a, prefix)
                                                    : xstrdup((char *) a);
            char *c;
            if (parse_ip(raw, true, NULL, &c, NULL) < 0)
                return xstrdup(raw);
            return c;
        }
        return NULL;
    }
    default:
        break;
    }
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

xmlNode *observe_metadata_element(xmlDoc *doc, const char *xmlns, const char *name) {
    xmlNode *md = doc ? xml_child(xmlDocGetRootElement(doc), "metadata") : NULL;
    for (xmlNode *c = md ? md->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && c->ns && c->ns->href &&
            streq((const char *) c->ns->href, xmlns) && streq((const char *) c->name, name))
            return c;
    return NULL;
}

xmlNode *observe_metadata(xmlDoc *doc) {
    return observe_metadata_element(doc, VIRTSPEC_XMLNS, "virtspec");
}

bool observe_owned(xmlDoc *doc) {
    return observe_metadata(doc) != NULL;
}

char *observe_managed(xmlDoc *doc) {
    xmlNode *vs = observe_metadata(doc);
    for (xmlNode *c = vs ? vs->children : NULL; c; c = c->next)
        if (xml_is(c, "managed")) {
            xmlChar *t = xmlNodeGetContent(c);
            char *r = xstrdup((char *) t);
            xmlFree(t);
            return r;
        }
    return NULL;
}

char *observe_spec_hash(xmlDoc *doc) {
    xmlNode *vs = observe_metadata(doc);
    for (xmlNode *c = vs ? vs->children : NULL; c; c = c->next)
        if (xml_is(c, "spec")) {
            xmlChar *t = xmlGetProp(c, (const xmlChar *) "hash");
            char *r = xstrdup((char *) t);
            xmlFree(t);
            return r;
        }
    return NULL;
}

/* ---- volume records (delete_volumes_on_removal) ---- */

static char *prop(const xmlNode *n, const char *name) {
    xmlChar *v = xmlGetProp(n, (const xmlChar *) name);
    char *r = v ? xstrdup((char *) v) : NULL;
    xmlFree(v);
    return r;
}

void observe_volume_refs(xmlDoc *doc, VolumeRefs *ret) {
    xmlNode *vs = observe_metadata(doc);
    *ret = (VolumeRefs) {};
    for (xmlNode *c = vs ? vs->children : NULL; c; c = c->next) {
        if (!xml_is(c, "volumes"))
            continue;
        _cleanup_free_ char *on = prop(c, "delete-on-removal");
        ret->delete_on_removal = streq_ptr(on, "true");
        for (xmlNode *v = c->children; v; v = v->next) {
            _cleanup_free_ char *pool = prop(v, "pool"), *name = prop(v, "name"), *p = prop(v, "pending");
            if (!xml_is(v, "volume") || !pool || !name)
                continue;
            VolumeRef *r = array_push(&ret->items, &ret->n, sizeof(VolumeRef));
            r->pool = TAKE_PTR(pool);
            r->name = TAKE_PTR(name);
            r->pending = streq_ptr(p, "delete");
        }
    }
}

void volume_refs_clear(VolumeRefs *v) {
    for (size_t i = 0; i < v->n; i++) {
        free(v->items[i].pool);
        free(v->items[i].name);
    }
    free(v->items);
    *v = (VolumeRefs) {};
}

bool volume_refs_has(const VolumeRefs *refs, const char *pool, const char *name) {
    for (size_t i = 0; i < refs->n; i++)
        if (streq(refs->items[i].pool, pool) && streq(refs->items[i].name, name))
            return true;
    return false;
}

bool volume_refs_equal(const VolumeRefs *a, const VolumeRefs *b) {
    if (a->delete_on_removal != b->delete_on_removal || a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (!streq(a->items[i].pool, b->items[i].pool) || !streq(a->items[i].name, b->items[i].name) ||
            a->items[i].pending != b->items[i].pending)
            return false;
    return true;
}

/* ---- the xml key's edits ---- */

static void strv_add(char ***v, size_t *n, const char *s) {
    *(char **) array_push(v, n, sizeof(char *)) = xstrdup(s ? s : "");
}

static bool fragment_matches(const xmlNode *f, const xmlNode *h, bool recorded);

/* Fills the secrets a recorded fragment f has masked (RECORDED_SECRET) from element h, which
 * it matches, and its children from theirs. */
static void fill_secrets(xmlNode *f, const xmlNode *h) {
    for (xmlAttr *a = f->properties; a; a = a->next) {
        if (a->ns || !xml_secret_attr((const char *) a->name))
            continue;
        _cleanup_xmlchar_ xmlChar *hv = xmlGetNoNsProp(h, a->name);
        if (hv)
            xmlSetProp(f, a->name, hv);
    }
    for (xmlNode *fc = f->children; fc; fc = fc->next)
        for (xmlNode *hc = fc->type == XML_ELEMENT_NODE ? h->children : NULL; hc; hc = hc->next)
            if (fragment_matches(fc, hc, true)) {
                fill_secrets(fc, hc);
                break;
            }
}

/* A recorded fragment with its secrets as the document has them (the element it stands for,
 * below at), or NULL when it has none masked or nothing in doc matches it. */
static char *recorded_fragment_secrets(xmlNode *root, const char *at, const char *text) {
    if (!strstr(text, RECORDED_SECRET))
        return NULL;
    xmlNode *parent = streq(at, ".") ? root : xml_find(root, at);
    xmlDoc *fd = NULL;
    xmlNode *f = render_parse_fragment(text, &fd);
    char *r = NULL;
    for (xmlNode *h = f && parent ? parent->children : NULL; h && !r; h = h->next)
        if (fragment_matches(f, h, true)) {
            fill_secrets(f, h);
            r = xml_node_to_compact(fd, f);
        }
    xmlFreeDoc(fd);
    return r;
}

/* The edits recorded in doc's metadata. A secret is recorded masked: it is read back from the
 * document itself (the rendered one holds the spec's, the observed one libvirt's). */
void observe_xml_edits(xmlDoc *doc, XmlEdits *ret) {
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *vs = observe_metadata(doc);
    size_t n_at = 0, n_sv = 0;
    *ret = (XmlEdits) {};
    for (xmlNode *c = vs ? vs->children : NULL; c; c = c->next) {
        if (!xml_is(c, "edits"))
            continue;
        for (xmlNode *e = c->children; e; e = e->next) {
            _cleanup_xmlchar_ xmlChar *path = xmlGetProp(e, (const xmlChar *) "path");
            if (xml_is(e, "remove") && path)
                strv_add(&ret->remove, &ret->n_remove, (char *) path);
            else if (xml_is(e, "add")) {
                _cleanup_xmlchar_ xmlChar *at = xmlGetProp(e, (const xmlChar *) "at");
                _cleanup_xmlchar_ xmlChar *text = xmlNodeGetContent(e);
                _cleanup_free_ char *real = at && text ? recorded_fragment_secrets(root, (char *) at,
                                                                                   (char *) text) : NULL;
                strv_add(&ret->add_at, &n_at, (char *) at);
                strv_add(&ret->add_fragment, &ret->n_add, real ? real : (char *) text);
                if (real)
                    explicit_bzero(real, strlen(real));
            } else if (xml_is(e, "set") && path) {
                _cleanup_xmlchar_ xmlChar *v = xmlGetProp(e, (const xmlChar *) "value");
                _cleanup_free_ char *real = xml_path_is_secret((char *) path) && streq_ptr((char *) v, RECORDED_SECRET)
                                            ? xml_get(root, (char *) path) : NULL;
                strv_add(&ret->set_path, &ret->n_set, (char *) path);
                strv_add(&ret->set_value, &n_sv, real ? real : (char *) v);
                if (real)
                    explicit_bzero(real, strlen(real));
            }
        }
    }
}

void xml_edits_clear(XmlEdits *e) {
    char **v[] = { e->remove, e->add_at, e->add_fragment, e->set_path, e->set_value };
    size_t n[] = { e->n_remove, e->n_add, e->n_add, e->n_set, e->n_set };
    for (size_t i = 0; i < ELEMENTSOF(v); i++) {
        for (size_t j = 0; j < n[i]; j++) {
            explicit_bzero(v[i][j], strlen(v[i][j]));   /* values and fragments: secrets too */
            free(v[i][j]);
        }
        free(v[i]);
    }
    *e = (XmlEdits) {};
}

static bool same_name(const xmlNode *a, const xmlNode *b) {
    if (!streq((const char *) a->name, (const char *) b->name))
        return false;
    const char *na = a->ns ? (const char *) a->ns->href : NULL;
    const char *nb = b->ns ? (const char *) b->ns->href : NULL;
    return streq_ptr(na, nb);
}

static char *own_text(const xmlNode *n) {
    /* the element's direct text, trimmed; NULL when it has none */
    size_t len = 0;
    char *acc = NULL;
    for (xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            const char *t = (const char *) c->content;
            char *m = xasprintf("%s%s", acc ? acc : "", t ? t : "");
            free(acc);
            acc = m;
        }
    if (!acc)
        return NULL;
    char *b = acc;
    while (*b == ' ' || *b == '\n' || *b == '\t' || *b == '\r')
        b++;
    len = strlen(b);
    while (len > 0 && strchr(" \n\t\r", b[len - 1]))
        len--;
    char *r = len ? xstrndup(b, len) : NULL;
    free(acc);
    return r;
}

bool xml_fragment_matches(const xmlNode *f, const xmlNode *h) {
    return fragment_matches(f, h, false);
}

/* recorded: f is a recorded fragment, whose masked secrets match any value */
static bool fragment_matches(const xmlNode *f, const xmlNode *h, bool recorded) {
    if (!f || !h || f->type != XML_ELEMENT_NODE || h->type != XML_ELEMENT_NODE || !same_name(f, h))
        return false;
    for (xmlAttr *a = f->properties; a; a = a->next) {
        _cleanup_xmlchar_ xmlChar *fv = xmlNodeGetContent((xmlNode *) a);
        _cleanup_xmlchar_ xmlChar *hv = a->ns ? xmlGetNsProp(h, a->name, a->ns->href)
                                              : xmlGetNoNsProp(h, a->name);
        bool masked = recorded && !a->ns && xml_secret_attr((const char *) a->name) &&
                      streq((char *) fv, RECORDED_SECRET);
        if (!hv || (!masked && !streq((char *) fv, (char *) hv)))
            return false;
    }
    _cleanup_free_ char *ft = own_text(f);
    _cleanup_free_ char *ht = own_text(h);
    if (ft && !streq_ptr(ft, ht))
        return false;
    /* every child element of f matches a different child of h */
    size_t n_used = 0;
    const xmlNode *used[256];
    for (xmlNode *fc = f->children; fc; fc = fc->next) {
        if (fc->type != XML_ELEMENT_NODE)
            continue;
        const xmlNode *found = NULL;
        for (xmlNode *hc = h->children; hc && !found; hc = hc->next) {
            bool taken = false;
            for (size_t i = 0; i < n_used; i++)
                taken = taken || used[i] == hc;
            if (!taken && fragment_matches(fc, hc, recorded))
                found = hc;
        }
        if (!found || n_used == ELEMENTSOF(used))
            return false;
        used[n_used++] = found;
    }
    return true;
}

static void strip_blanks(xmlNode *n) {
    for (xmlNode *c = n->children, *next; c; c = next) {
        next = c->next;
        if (c->type == XML_TEXT_NODE && xmlIsBlankNode(c) && (c->prev || c->next)) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        } else if (c->type == XML_ELEMENT_NODE)
            strip_blanks(c);
    }
}

char *xml_canonical(const xmlNode *n) {
    xmlNode *copy = xmlCopyNode((xmlNode *) n, 1);
    strip_blanks(copy);
    xml_mask_secrets(copy, MASKED_SECRET);   /* it is shown (plans, logs) */
    xmlBuffer *buf = xmlBufferCreate();
    xmlNodeDump(buf, n->doc, copy, 0, 0);
    char *r = xstrdup((const char *) xmlBufferContent(buf));
    xmlBufferFree(buf);
    xmlFreeNode(copy);
    return r;
}
