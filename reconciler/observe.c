/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "diff.h"
#include "hooks.h"
#include "render.h"
#include "spec-value.h"
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
