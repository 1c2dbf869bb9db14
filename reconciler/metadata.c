/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <libxml/parser.h>

#include "config.h"
#include "metadata.h"
#include "xml-util.h"

/* virtspec's record in an object's <metadata>: the spec it came from (file, line, hash,
 * version), the keys it manages, the xml key's edits (xml-hatch.c), the volumes it created. */

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
/* Whether the hash must be taken of a trimmed copy: the document has metadata or a password. */
bool metadata_hash_needs_copy(xmlDoc *doc) {
    xmlNode *root = xmlDocGetRootElement(doc);
    if (xml_child(root, "metadata"))
        return true;
    for (xmlNode *g = xml_child(xml_child(root, "devices"), "graphics"); g; g = xml_next_named(g))
        if (xmlHasProp(g, (const xmlChar *) "passwd"))
            return true;
    return false;
}

char *render_hash(xmlDoc *doc) {
    /* render_metadata hashes every rendered document before it has metadata: most need no copy */
    xmlDoc *copy = metadata_hash_needs_copy(doc) ? xmlCopyDoc(doc, 1) : NULL;
    if (copy) {
        xmlNode *root = xmlDocGetRootElement(copy);
        xmlNode *md = xml_child(root, "metadata");
        if (md) {
            xmlUnlinkNode(md);
            xmlFreeNode(md);
        }
        /* A hash of a short password is a guessable password: leave secrets out. */
        xml_mask_secrets(root, NULL);
    }
    _cleanup_free_ char *text = xml_to_string(copy ? copy : doc);
    if (copy)
        xmlFreeDoc(copy);
    return xasprintf("%016" PRIx64, hash_fnv1a(text, strlen(text), FNV1A_INIT));
}

/* The volume list in a domain document's virtspec metadata, created when absent. */
xmlNode *metadata_volumes(xmlDoc *doc) {
    xmlNode *vs = observe_metadata(doc);
    if (!vs)
        return NULL;
    for (xmlNode *c = vs->children; c; c = c->next)
        if (xml_is(c, "volumes"))
            return c;
    xmlNode *vols = xmlNewChild(vs, vs->ns, (const xmlChar *) "volumes", NULL);
    xmlSetProp(vols, (const xmlChar *) "delete-on-removal", (const xmlChar *) "true");
    return vols;
}

void render_volume_ref(xmlDoc *doc, const char *pool, const char *name, bool pending) {
    xmlNode *vols = metadata_volumes(doc);
    if (!vols)
        return;
    xmlNode *v = xmlNewChild(vols, vols->ns, (const xmlChar *) "volume", NULL);
    xmlSetProp(v, (const xmlChar *) "pool", (const xmlChar *) pool);
    xmlSetProp(v, (const xmlChar *) "name", (const xmlChar *) name);
    if (pending)
        xmlSetProp(v, (const xmlChar *) "pending", (const xmlChar *) "delete");
}

xmlNode *metadata_virtspec(xmlNode *root, xmlNs **ret_ns) {
    xmlNode *md = xml_ensure(root, "metadata", false);
    xmlNode *vs = xmlNewChild(md, NULL, (const xmlChar *) "virtspec", NULL);
    *ret_ns = xmlNewNs(vs, (const xmlChar *) VIRTSPEC_XMLNS, (const xmlChar *) VIRTSPEC_XMLNS_PREFIX);
    xmlSetNs(vs, *ret_ns);
    return vs;
}

xmlNode *metadata_write_record(xmlNode *root, const char *file, unsigned line, const char *hash,
                               const char *managed, xmlNs **ret_ns) {
    char buf[32];
    xmlNode *vs = metadata_virtspec(root, ret_ns);
    xmlNode *src = xmlNewChild(vs, *ret_ns, (const xmlChar *) "spec", NULL);
    xmlSetProp(src, (const xmlChar *) "file", (const xmlChar *) file);
    xmlSetProp(src, (const xmlChar *) "line", (const xmlChar *) int_text(buf, line));
    if (hash)
        xmlSetProp(src, (const xmlChar *) "hash", (const xmlChar *) hash);
    xmlSetProp(src, (const xmlChar *) "version", (const xmlChar *) VIRTSPEC_VERSION);
    xmlNewTextChild(vs, *ret_ns, (const xmlChar *) "managed", (const xmlChar *) managed);
    return vs;
}

void render_strip_private(SpecKind kind, xmlDoc *doc) {
    xmlNode *md = kind == KIND_POOL ? xml_child(xmlDocGetRootElement(doc), "metadata") : NULL;
    if (md) {
        xmlUnlinkNode(md);
        xmlFreeNode(md);
    }
}
