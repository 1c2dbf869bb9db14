/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>
#include <libxml/parser.h>

#include "cloud-init.h"
#include "hooks.h"
#include "metadata.h"
#include "observe.h"
#include "render.h"
#include "spec-value.h"
#include "xml-value.h"
#include "xml-hatch.h"
#include "xml-items.h"
#include "xml-util.h"

bool host_has_kvm(void) {
    return access("/dev/kvm", R_OK | W_OK) == 0;
}

/* DOMAIN-DISK.FORMAT with the disk name's '-' and '+' written "+2d" and "+2b": the disk part
 * then holds no '-', so the last '-' separates it from the domain name (which may hold any) and
 * no two (domain, disk) pairs share a name (domain x disk y-z is x-y+2dz, domain x-y disk z is
 * x-y-z). A disk name with neither keeps the name earlier versions gave it. */
char *render_volume_name(const DomainSpec *d, const DiskSpec *disk) {
    _cleanup_free_ char *enc = xmalloc0(3 * strlen(disk->name.s) + 1);
    char *p = enc;
    for (const char *c = disk->name.s; *c; c++)
        if (*c == '-' || *c == '+')
            p += sprintf(p, "+%02x", (unsigned) *c);
        else
            *p++ = *c;
    return xasprintf("%s-%s.%s", d->name.s, enc, disk->format.s);
}

char *render_volume_disk_name(const char *domain, const char *format, const char *vol) {
    size_t nl = strlen(domain), vl = strlen(vol), fl = strlen(format);
    if (vl < nl + fl + 3 || strncmp(vol, domain, nl) || vol[nl] != '-' || vol[vl - fl - 1] != '.' ||
        !streq(vol + vl - fl, format))
        return NULL;
    const char *c = vol + nl + 1, *end = vol + vl - fl - 1;
    char *name = xmalloc0((size_t) (end - c) + 1), *p = name;
    while (c < end)
        if (end - c >= 3 && (!strncmp(c, "+2d", 3) || !strncmp(c, "+2b", 3))) {
            *p++ = c[2] == 'd' ? '-' : '+';
            c += 3;
        } else
            *p++ = *c++;   /* the legacy name: the disk name as it is */
    return name;
}

char *render_volume_name_legacy(const DomainSpec *d, const DiskSpec *disk) {
    return xasprintf("%s-%s.%s", d->name.s, disk->name.s, disk->format.s);
}

bool render_doc_has_volume(xmlDoc *doc, const char *pool, const char *name) {
    xmlNode *devs = doc ? xml_child(xmlDocGetRootElement(doc), "devices") : NULL;
    for (xmlNode *e = devs ? xml_child(devs, "disk") : NULL; e; e = xml_next_named(e)) {
        _cleanup_free_ char *p = xml_get(e, "source/@pool"), *v = xml_get(e, "source/@volume");
        if (streq_ptr(p, pool) && streq_ptr(v, name))
            return true;
    }
    return false;
}

/* The volume of pool an observed disk uses that is an external snapshot's overlay on name
 * ("STEM@TAG.qcow2" for "STEM.qcow2", snapshot-external.c), or NULL: the disk's data now. */
static char *observed_overlay(xmlDoc *doc, const char *pool, const char *name) {
    size_t n = strlen(name);
    if (n <= 6 || !streq(name + n - 6, ".qcow2") || strchr(name, '@'))
        return NULL;
    n -= 6;
    xmlNode *devs = doc ? xml_child(xmlDocGetRootElement(doc), "devices") : NULL;
    for (xmlNode *e = devs ? xml_child(devs, "disk") : NULL; e; e = xml_next_named(e)) {
        _cleanup_free_ char *p = xml_get(e, "source/@pool"), *v = xml_get(e, "source/@volume");
        size_t vl = v ? strlen(v) : 0;
        if (streq_ptr(p, pool) && vl > n + 7 && !strncmp(v, name, n) && v[n] == '@' &&
            streq(v + vl - 6, ".qcow2"))
            return TAKE_PTR(v);
    }
    return NULL;
}

char *render_disk_volume(const DomainSpec *d, const DiskSpec *disk, xmlDoc *observed) {
    if (disk->volume.set)
        return xstrdup(disk->volume.s);   /* an existing volume by its own name */
    char *name = render_volume_name(d, disk);
    if (!observed || disk->path.set)
        return name;
    char *overlay = observed_overlay(observed, disk->pool.s, name);
    if (overlay) {
        free(name);
        return overlay;
    }
    _cleanup_free_ char *old = render_volume_name_legacy(d, disk);
    if (streq(old, name) || render_doc_has_volume(observed, disk->pool.s, name) ||
        !render_doc_has_volume(observed, disk->pool.s, old))
        return name;
    free(name);
    return TAKE_PTR(old);
}

/* The text a list item's key row gives in the managed keys, as diff_item_key reads it back. */
static char *item_key_text(const KeyDef *k, const void *item) {
    const Value *kv = key_value(k, (void *) item);
    if (hook_of(k)->item_key && !kv->set)
        return hook_of(k)->item_key(k, item);
    return xstrdup(strna(kv->s));
}

static bool xml_is_presence(const KeyDef *k) {
    /* A boolean stored as an element (<shareable/>) rather than an attribute. */
    return k->type == VT_BOOL && k->xml && !strchr(k->xml, '@');
}

static void render_rows(HookCtx *c, const KeyTable *t, const void *base, xmlNode *node);

static void render_item_prelude(HookCtx *c, const KeyTable *t, const void *item, size_t idx, xmlNode *e) {
    char buf[32];
    if (streq(t->name, "numa")) {
        snprintf(buf, sizeof(buf), "%zu", idx);
        xmlSetProp(e, (const xmlChar *) "id", (const xmlChar *) buf);
    } else if (streq(t->name, "pci") || streq(t->name, "usb")) {
        xmlSetProp(e, (const xmlChar *) "mode", (const xmlChar *) "subsystem");
        xmlSetProp(e, (const xmlChar *) "type", (const xmlChar *) t->name);
        if (streq(t->name, "usb"))
            xmlSetProp(e, (const xmlChar *) "managed", (const xmlChar *) "yes");
    } else if (streq(t->name, "floppies")) {
        xmlSetProp(e, (const xmlChar *) "type", (const xmlChar *) "file");
        xmlSetProp(e, (const xmlChar *) "device", (const xmlChar *) "floppy");
        xml_set(e, "driver/@name", "qemu");
        xml_set(e, "driver/@type", "raw");
        xml_set(e, "target/@bus", "fdc");
    } else if (streq(t->name, "redirdevs")) {
        const RedirDevSpec *r = item;
        xmlSetProp(e, (const xmlChar *) "bus", (const xmlChar *) "usb");
        if (streq(r->type.s, "tcp")) {
            xml_set(e, "source/@mode", "connect");
            xml_set(e, "protocol/@type", "raw");
        }
    } else if (streq(t->name, "filesystems")) {
        xmlSetProp(e, (const xmlChar *) "type", (const xmlChar *) "mount");
    } else if (streq(t->name, "disks")) {
        const DiskSpec *d = item;
        xmlSetProp(e, (const xmlChar *) "type", (const xmlChar *) (d->path.set ? "file" : "volume"));
        xmlSetProp(e, (const xmlChar *) "device", (const xmlChar *) "disk");
        xml_set(e, "driver/@name", "qemu");
        if (d->path.set)
            xml_set(e, "source/@file", d->path.s);
        else {
            _cleanup_free_ char *vol = render_disk_volume(&c->spec->domain, d, c->o->observed);
            xml_set(e, "source/@pool", d->pool.s);
            xml_set(e, "source/@volume", vol);
        }
    } else if (streq(t->name, "cdroms")) {
        const CdromSpec *cd = item;
        xmlSetProp(e, (const xmlChar *) "type", (const xmlChar *) (cd->volume.set ? "volume" : "file"));
        xmlSetProp(e, (const xmlChar *) "device", (const xmlChar *) "cdrom");
        xml_set(e, "driver/@name", "qemu");
        xml_set(e, "driver/@type", "raw");
        xml_ensure(e, "readonly", false);
    }
}

static void render_rows(HookCtx *c, const KeyTable *t, const void *base, xmlNode *node) {
    for (size_t i = 0; i < t->n_keys; i++) {
        const KeyDef *k = &t->keys[i];
        if (k->change == CHANGE_FIRST_BOOT)
            continue;   /* the seed's content, not the domain's XML (reconciler/cloud-init.c) */
        if ((k->flags & KEY_PASST) && c->o->forwards_by_monitor)
            continue;   /* libvirt < 9.2: virtspec keeps it through the QEMU monitor (hostfwd.h) */
        if (k->type == VT_MAP) {
            if (map_present(k, base)->set)
                render_rows(c, k->sub, spec_section(base, k), node);
            continue;
        }
        /* lists whose items do not map to one element name each: their hook renders them (the
         * xml key's edits at the very end, render_xml_edits) */
        if (k->type == VT_LIST && (hook_of(k)->flags & HOOK_RENDERS_LIST)) {
            hook_of(k)->render(c, k, base, node);
            continue;
        }
        if (k->type == VT_LIST) {
            const List *l = key_list(k, (void *) base);
            for (size_t j = 0; j < l->n; j++) {
                const void *item = (const char *) l->items + j * k->sub->item_size;
                xmlNode *e = xml_ensure(node, k->sub->xml_elem, true);
                render_item_prelude(c, k->sub, item, j, e);
                render_rows(c, k->sub, item, e);
            }
            continue;
        }
        if (k->hook != HOOK_NONE) {
            hook_of(k)->render(c, k, base, node);
            continue;
        }
        if (k->type == VT_ENUM_LIST) {
            /* one element (or one element's attribute) per value, in order */
            if (!k->xml || (k->flags & KEY_NO_XML))
                continue;   /* placement.match: read by placement only */
            const List *l = key_list(k, (void *) base);
            _cleanup_free_ char *elem = NULL;
            const char *attr = strstr(k->xml, "/@");
            elem = attr ? xstrndup(k->xml, (size_t) (attr - k->xml)) : xstrdup(k->xml);
            for (size_t j = 0; j < l->n; j++) {
                xmlNode *e = xml_ensure(node, elem, true);
                const char *text = ((const Value *) l->items)[j].s;
                if (attr)
                    xmlSetProp(e, (const xmlChar *) attr + 2, (const xmlChar *) text);
                else
                    xmlNodeAddContent(e, (const xmlChar *) text);
            }
            continue;
        }
        const Value *v = key_value(k, (void *) base);
        if (!v->set || !k->xml || (k->flags & KEY_NO_XML))
            continue;
        if (xml_is_presence(k)) {
            if (value_int(v))
                xml_ensure(node, k->xml, false);
            continue;
        }
        _cleanup_free_ char *text = render_value(k, v);
        xml_set(node, k->xml, text);
    }
}

/* ---- ownership metadata ---- */

/* Appends " tok" to the list. Its length is kept after the terminating NUL's place would be a
 * cheaper design; lists are short (the keys one spec sets), strlen is fine, xasprintf was not. */
static void managed_add(char **acc, const char *tok) {
    size_t al = *acc ? strlen(*acc) : 0, tl = strlen(tok);
    *acc = xrealloc(*acc, al + tl + 2);
    if (al)
        (*acc)[al++] = ' ';
    memcpy(*acc + al, tok, tl + 1);
}

static void managed_rows(const KeyTable *t, const void *base, const char *prefix, char **acc,
                         const xmlNode *root) {
    for (size_t i = 0; i < t->n_keys; i++) {
        const KeyDef *k = &t->keys[i];
        _cleanup_(lazy_path_clear) LazyPath lp;
        lazy_path_init(&lp, prefix, k->key);
        if (k->type == VT_MAP) {
            if (map_present(k, base)->set) {
                managed_add(acc, lazy_path(&lp));
                managed_rows(k->sub, spec_section(base, k), lazy_path(&lp), acc, root);
            }
        } else if (k->type == VT_LIST && (k->flags & KEY_WHOLE)) {
            if (key_list(k, (void *) base)->n > 0)
                managed_add(acc, lazy_path(&lp));
        } else if (k->type == VT_LIST && root) {
            /* item keys as diff computes them from XML, in canonical form */
            xmlNode *p = diff_list_parent(root, k->sub);
            for (xmlNode *e = p ? p->children : NULL; e; e = e->next) {
                if (!diff_item_selected(k->sub, e))
                    continue;
                _cleanup_free_ char *key = diff_item_key(k->sub, e);
                _cleanup_free_ char *tok = xasprintf("%s:%s", lazy_path(&lp), key);
                if (key)
                    managed_add(acc, tok);
            }
        } else if (k->type == VT_LIST) {
            const List *l = key_list(k, (void *) base);
            for (size_t j = 0; j < l->n; j++) {
                const void *item = (const char *) l->items + j * k->sub->item_size;
                _cleanup_free_ char *tok = NULL;
                for (size_t r = 0; r < k->sub->n_keys; r++)
                    if (k->sub->keys[r].flags & KEY_ITEM_KEY) {
                        _cleanup_free_ char *kv = item_key_text(&k->sub->keys[r], item);
                        char *n = tok ? xasprintf("%s,%s", tok, kv) : xasprintf("%s:%s", lazy_path(&lp), kv);
                        free(tok);
                        tok = n;
                    }
                if (tok)
                    managed_add(acc, tok);
            }
        } else if (k->type == VT_ENUM_LIST) {
            /* derived defaults (features by architecture) are not the spec's own */
            const List *l = key_list(k, (void *) base);
            if (l->line > 0 || (l->n > 0 && !((const Value *) l->items)[0].defaulted))
                managed_add(acc, lazy_path(&lp));
        } else if (key_value(k, (void *) base)->set && k->change != CHANGE_NONE)
            managed_add(acc, lazy_path(&lp));
    }
}

static char *managed_keys(const Spec *s, const xmlNode *root) {
    char *acc = NULL;
    managed_rows(spec_kind_table(s->kind), &s->domain, NULL, &acc, root);
    return acc ? acc : xstrdup("");
}

char *render_managed_keys(const Spec *s) {
    return managed_keys(s, NULL);
}

/* delete_volumes_on_removal: the volumes virtspec creates for the domain's disks, so that they
 * are still known when a disk entry or the whole spec is gone. Never an `existing` volume, one
 * attached by `volume` name, or a `path` disk. */
static void render_volume_refs(const DomainSpec *d, xmlDoc *observed, xmlDoc *doc) {
    const DiskSpec *dk = d->disks.items;
    if (!value_int(&d->delete_volumes_on_removal))
        return;
    metadata_volumes(doc);   /* present even with no disk: the switch itself is recorded */
    for (size_t i = 0; i < d->disks.n; i++) {
        if (dk[i].path.set || !dk[i].pool.set || value_int(&dk[i].existing) || dk[i].volume.set)
            continue;
        _cleanup_free_ char *name = render_disk_volume(d, &dk[i], observed);
        render_volume_ref(doc, dk[i].pool.s, name, false);
    }
    if (d->cloud_init.present.set) {
        _cleanup_free_ char *seed = spec_seed_volume_name(d->name.s);
        render_volume_ref(doc, d->cloud_init.pool.s, seed, false);
    }
}

static void render_metadata(const Spec *s, const RenderOpts *o, xmlDoc *doc) {
    xmlNode *root = xmlDocGetRootElement(doc);
    const XmlHatchSpec *x = spec_xml_hatch(s);
    xmlNs *ns = NULL;

    if (s->kind == KIND_POOL) {
        /* libvirt keeps no metadata for a pool: only the edits, for diff; render_strip_private
         * takes them out before the document goes to libvirt or a user */
        if (x->present.set)
            render_edits_record(x, metadata_virtspec(root, &ns), ns);
        return;
    }
    _cleanup_free_ char *hash = NULL;
    if (!o->compare_only)
        hash = render_hash(doc);
    else if (!metadata_hash_needs_copy(doc))
        xml_strip_blank_text(root);   /* what hashing leaves of the document, without the hash */
    if (hash && o->seed) {
        /* the seed is part of what was applied: a changed seed is a changed spec */
        char *h = xasprintf("%016" PRIx64, hash_fnv1a(o->seed->digest, strlen(o->seed->digest),
                                                       hash_fnv1a(hash, strlen(hash), FNV1A_INIT)));
        free(hash);
        hash = h;
    }
    _cleanup_free_ char *managed = managed_keys(s, root);
    xmlNode *vs = metadata_write_record(root, s->file, s->line, hash, managed, &ns);
    if (x->present.set)
        render_edits_record(x, vs, ns);
    if (s->kind == KIND_DOMAIN)
        render_volume_refs(&s->domain, o->observed, doc);
    if (s->kind == KIND_DOMAIN && o->seed)
        cloud_init_record(vs, ns, o->seed);
}

/* What several keys together imply. */
static void render_domain_extras(HookCtx *c, xmlNode *root) {
    const DomainSpec *d = &c->spec->domain;
    if (spec_box(d, sysinfo)->present.set) {
        xml_set(root, "sysinfo/@type", "smbios");
        xml_set(root, "os/smbios/@mode", "sysinfo");
    }
    if (spec_box(d, usb_controller)->present.set)
        xml_set(root, "devices/controller[@type='usb']/@index", "0");
    if (spec_box(d, smartcard)->present.set && streq_ptr(spec_box(d, smartcard)->type.s, "tcp"))
        xml_set(root, "devices/smartcard/protocol/@type", "raw");
}

int render_spec(const Spec *s, const RenderOpts *o, xmlDoc **ret) {
    static const char *const roots[_KIND_MAX] = { "domain", "network", "pool" };
    xmlDoc *doc = xmlNewDoc((const xmlChar *) "1.0");
    xmlNode *root = xmlNewNode(NULL, (const xmlChar *) roots[s->kind]);
    HookCtx c = { .spec = s, .o = o, .root = root };

    xmlDocSetRootElement(doc, root);
    if (s->kind == KIND_DOMAIN)
        xml_set(root, "os/type", "hvm");
    render_rows(&c, spec_kind_table(s->kind), &s->domain, root);
    if (s->kind == KIND_DOMAIN)
        render_domain_extras(&c, root);
    render_xml_edits(spec_xml_hatch(s), root);   /* last: they may change anything above */
    if (!o->show_secrets)
        xml_mask_secrets(root, MASKED_SECRET);   /* the xml key's too (set or in a fragment) */
    render_metadata(s, o, doc);
    *ret = doc;
    return 0;
}
