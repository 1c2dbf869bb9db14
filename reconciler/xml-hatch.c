/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>
#include <libxml/parser.h>

#include "metadata.h"
#include "xml-hatch.h"
#include "xml-util.h"

/* The `xml` escape hatch: raw edits applied after rendering (remove, add, set), recorded in
 * virtspec's metadata so that diff can tell them from what libvirt adds, compared and patched one
 * by one, and undone when they leave the spec. */

/* ---- applying the edits ---- */

/* The xml key's edits, recorded so diff can tell them apart from what libvirt adds, and undo
 * them when they leave the spec. */
void render_edits_record(const XmlHatchSpec *x, xmlNode *vs, xmlNs *ns) {
    xmlNode *edits = xmlNewChild(vs, ns, (const xmlChar *) "edits", NULL);
    for (size_t i = 0; i < x->remove.n; i++) {
        xmlNode *e = xmlNewChild(edits, ns, (const xmlChar *) "remove", NULL);
        xmlSetProp(e, (const xmlChar *) "path", (const xmlChar *) ((const Value *) x->remove.items)[i].s);
    }
    for (size_t i = 0; i < x->add.n; i++) {
        const XmlAddSpec *a = &((const XmlAddSpec *) x->add.items)[i];
        /* a fragment with a secret is recorded with the secret masked */
        xmlDoc *fd = NULL;
        xmlNode *f = render_parse_fragment(a->fragment.s, &fd);
        _cleanup_free_ char *masked = f && xml_mask_secrets(f, RECORDED_SECRET) ? xml_node_to_compact(fd, f) : NULL;
        xmlFreeDoc(fd);
        xmlNode *e = xmlNewTextChild(edits, ns, (const xmlChar *) "add",
                                     (const xmlChar *) (masked ? masked : a->fragment.s));
        xmlSetProp(e, (const xmlChar *) "at", (const xmlChar *) a->at.s);
    }
    for (size_t i = 0; i < x->set.n; i++) {
        const XmlSetSpec *a = &((const XmlSetSpec *) x->set.items)[i];
        xmlNode *e = xmlNewChild(edits, ns, (const xmlChar *) "set", NULL);
        xmlSetProp(e, (const xmlChar *) "path", (const xmlChar *) a->path.s);
        xmlSetProp(e, (const xmlChar *) "value",
                   (const xmlChar *) (xml_path_is_secret(a->path.s) ? RECORDED_SECRET : a->value.s));
    }
}

xmlNode *render_parse_fragment(const char *text, xmlDoc **ret_doc) {
    *ret_doc = xmlReadMemory(text, (int) strlen(text), "fragment.xml", NULL,
                             XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
                             XML_PARSE_NOWARNING);
    return *ret_doc ? xmlDocGetRootElement(*ret_doc) : NULL;
}

void render_apply_xml_edits(xmlNode *root, const char *const *remove, size_t n_remove,
                            const char *const *add_at, const char *const *add_fragment, size_t n_add,
                            const char *const *set_path, const char *const *set_value, size_t n_set) {
    for (size_t i = 0; i < n_remove; i++) {
        /* every matching element; an attribute on the first one */
        bool attr = remove[i][0] == '@' || strstr(remove[i], "/@");
        for (unsigned guard = 0; guard < 4096; guard++) {
            _cleanup_free_ char *v = attr ? xml_get(root, remove[i]) : NULL;
            if (attr ? !v : !xml_find(root, remove[i]))
                break;
            xml_unset(root, remove[i]);
            if (xml_path_selects_one(remove[i]))
                break;   /* the n-th element: the next one is not it */
        }
    }
    for (size_t i = 0; i < n_add; i++) {
        xmlDoc *f = NULL;
        xmlNode *e = render_parse_fragment(add_fragment[i], &f);
        if (e) {
            xmlNode *parent = streq(add_at[i], ".") ? root : xml_ensure(root, add_at[i], false);
            if (parent)   /* an n-th or filtered element that is not there: nothing to add to */
                xml_adopt_copy(parent, e);
        }
        xmlFreeDoc(f);
    }
    for (size_t i = 0; i < n_set; i++)
        xml_set(root, set_path[i], set_value[i]);
}

/* The xml key: remove, add, set, in that order, after everything else is rendered. */
void render_xml_edits(const XmlHatchSpec *x, xmlNode *root) {
    const Value *rm = x->remove.items;
    const XmlAddSpec *add = x->add.items;
    const XmlSetSpec *set = x->set.items;
    const char **r = xmalloc0((x->remove.n + 1) * sizeof(char *));
    const char **at = xmalloc0((x->add.n + 1) * sizeof(char *));
    const char **fr = xmalloc0((x->add.n + 1) * sizeof(char *));
    const char **sp = xmalloc0((x->set.n + 1) * sizeof(char *));
    const char **sv = xmalloc0((x->set.n + 1) * sizeof(char *));
    for (size_t i = 0; i < x->remove.n; i++)
        r[i] = rm[i].s;
    for (size_t i = 0; i < x->add.n; i++) {
        at[i] = add[i].at.s;
        fr[i] = add[i].fragment.s;
    }
    for (size_t i = 0; i < x->set.n; i++) {
        sp[i] = set[i].path.s;
        sv[i] = set[i].value.s;
    }
    render_apply_xml_edits(root, r, x->remove.n, at, fr, x->add.n, sp, sv, x->set.n);
    free(r);
    free(at);
    free(fr);
    free(sp);
    free(sv);
}

/* ---- the record of the edits, read back; fragments matched against what libvirt returns ---- */

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

/* ---- diff and patch: edits recorded in the metadata, compared one by one ---- */

static bool strv_has2(char **a, char **b, size_t n, const char *x, const char *y) {
    for (size_t i = 0; i < n; i++)
        if (streq(a[i], x) && (!b || streq(b[i], y)))
            return true;
    return false;
}

/* The child of parent that matches fragment f and is not in used, or NULL. */
static xmlNode *fragment_in(const xmlNode *parent, const xmlNode *f, xmlNode **used, size_t n_used) {
    for (xmlNode *h = parent ? parent->children : NULL; h; h = h->next) {
        bool taken = false;
        for (size_t i = 0; i < n_used; i++)
            taken = taken || used[i] == h;
        if (!taken && xml_fragment_matches(f, h))
            return h;
    }
    return NULL;
}

static size_t count_named(const xmlNode *parent, const xmlChar *name, xmlNode **used, size_t n_used,
                          xmlNode **ret_first) {
    size_t n = 0;
    for (xmlNode *h = parent ? parent->children : NULL; h; h = h->next) {
        bool taken = false;
        for (size_t i = 0; i < n_used; i++)
            taken = taken || used[i] == h;
        if (!taken && h->type == XML_ELEMENT_NODE && xmlStrEqual(h->name, name)) {
            if (n++ == 0 && ret_first)
                *ret_first = h;
        }
    }
    return n;
}

/* fragment_in, and for a fragment the domain's record says was added (recorded) the one element
 * of its name: libvirt stores some fragments in its own form (<tb-cache unit='MiB'>2048 comes
 * back as unit='KiB'>2097152), which then never matches the spec's text again; compared as text
 * it was taken as missing, and each apply added one more copy until libvirt refused the document.
 * Only when it cannot be another's: have's parent holds one such element not matched otherwise,
 * and want's at most one (the fragment itself). A hand edit of that element is not seen. */
static xmlNode *fragment_or_stored(const xmlNode *want_parent, const xmlNode *parent, const xmlNode *f,
                                   xmlNode **used, size_t n_used, bool recorded) {
    xmlNode *m = fragment_in(parent, f, used, n_used), *only = NULL;
    if (!m && recorded && count_named(parent, f->name, used, n_used, &only) == 1 &&
        count_named(want_parent, f->name, NULL, 0, NULL) <= 1)
        m = only;
    return m;
}

static xmlNode *edit_parent(const xmlNode *root, const char *at) {
    return streq(at, ".") ? (xmlNode *) root : xml_find(root, at);
}

static bool path_present(const xmlNode *root, const char *path) {
    if (path[0] == '@' || strstr(path, "/@")) {
        _cleanup_free_ char *v = xml_get(root, path);
        return v != NULL;
    }
    return xml_find(root, path) != NULL;
}

static Change *add_edit_change(Diff *out, ChangeOp op, const KeyDef *row, const char *path,
                               const char *old, const char *new) {
    Change *ch = diff_add_change(out, op, row->change, path);
    ch->row = row;
    ch->old_value = old ? xstrdup(old) : NULL;
    ch->new_value = new ? xstrdup(new) : NULL;
    return ch;
}

/* The element of have that fragment i of h matches when the fragment left the spec (w no longer
 * has it), or NULL. *fd: the parsed fragment, its root in *ret_f; the caller frees *fd. */
static xmlNode *fragment_gone(const XmlEdits *w, const XmlEdits *h, size_t i, const xmlNode *want,
                              const xmlNode *have, xmlNode **used, size_t n_used, xmlDoc **fd,
                              xmlNode **ret_f) {
    *fd = NULL;
    *ret_f = NULL;
    if (strv_has2(w->add_at, w->add_fragment, w->n_add, h->add_at[i], h->add_fragment[i]))
        return NULL;
    xmlNode *f = *ret_f = render_parse_fragment(h->add_fragment[i], fd);
    return f ? fragment_or_stored(edit_parent(want, h->add_at[i]), edit_parent(have, h->add_at[i]), f,
                                  used, n_used, true) : NULL;
}

void diff_xml_edits(Diff *out, const KeyTable *t, const xmlNode *want, const xmlNode *have) {
    const KeyDef *add_row = &t->keys[0], *set_row = &t->keys[1], *rm_row = &t->keys[2];
    XmlEdits w, h;
    observe_xml_edits(want->doc, &w);
    if (have)
        observe_xml_edits(have->doc, &h);
    else
        h = (XmlEdits) {};
    xmlNode **used = xmalloc0((w.n_add + 1) * sizeof(xmlNode *));
    size_t n_used = 0;

    for (size_t i = 0; i < w.n_add; i++) {
        xmlDoc *fd = NULL;
        xmlNode *f = render_parse_fragment(w.add_fragment[i], &fd);
        if (!f) {
            xmlFreeDoc(fd);
            continue;
        }
        xmlNode *parent = have ? edit_parent(have, w.add_at[i]) : NULL;
        bool recorded = strv_has2(h.add_at, h.add_fragment, h.n_add, w.add_at[i], w.add_fragment[i]);
        xmlNode *m = fragment_or_stored(edit_parent(want, w.add_at[i]), parent, f, used, n_used, recorded);
        if (m)
            used[n_used++] = m;
        else {
            _cleanup_free_ char *path = xasprintf("xml.add[%s/%s]", w.add_at[i], (const char *) f->name);
            _cleanup_free_ char *canon = xml_canonical(f);
            /* what is there now: the first element of that name */
            xmlNode *old = NULL;
            for (xmlNode *e = parent ? parent->children : NULL; e && !old; e = e->next)
                if (e->type == XML_ELEMENT_NODE && streq((const char *) e->name, (const char *) f->name))
                    old = e;
            _cleanup_free_ char *oc = old ? xml_canonical(old) : NULL;
            add_edit_change(out, OP_SET, add_row, path, oc, canon);
        }
        xmlFreeDoc(fd);
    }
    /* fragments that left the spec: removed when still there (and not what another fragment
     * of the spec matches) */
    for (size_t i = 0; i < h.n_add && have; i++) {
        xmlDoc *fd;
        xmlNode *f, *m = fragment_gone(&w, &h, i, want, have, used, n_used, &fd, &f);
        if (m) {
            _cleanup_free_ char *path = xasprintf("xml.add[%s/%s]", h.add_at[i], (const char *) f->name);
            _cleanup_free_ char *canon = xml_canonical(m);
            add_edit_change(out, OP_REMOVE, add_row, path, canon, NULL);
        }
        xmlFreeDoc(fd);
    }
    for (size_t i = 0; i < w.n_set; i++) {
        _cleanup_free_ char *hv = have ? xml_get(have, w.set_path[i]) : NULL;
        if (streq_ptr(hv, w.set_value[i]))
            continue;
        _cleanup_free_ char *path = xasprintf("xml.set[%s]", w.set_path[i]);
        add_edit_change(out, OP_SET, set_row, path, hv, w.set_value[i])->secret =
            xml_path_is_secret(w.set_path[i]);
    }
    /* values that left the spec go back to what the rest of the spec renders */
    for (size_t i = 0; i < h.n_set && have; i++) {
        if (strv_has2(w.set_path, NULL, w.n_set, h.set_path[i], NULL))
            continue;
        _cleanup_free_ char *wv = xml_get(want, h.set_path[i]);
        _cleanup_free_ char *hv = xml_get(have, h.set_path[i]);
        if (streq_ptr(wv, hv))
            continue;
        _cleanup_free_ char *path = xasprintf("xml.set[%s]", h.set_path[i]);
        add_edit_change(out, OP_SET, set_row, path, hv, wv)->secret = xml_path_is_secret(h.set_path[i]);
    }
    for (size_t i = 0; i < w.n_remove; i++) {
        if (!have || !path_present(have, w.remove[i]))
            continue;
        _cleanup_free_ char *path = xasprintf("xml.remove[%s]", w.remove[i]);
        add_edit_change(out, OP_SET, rm_row, path, "present", "(removed)");
    }
    free(used);
    xml_edits_clear(&w);
    xml_edits_clear(&h);
}

/* Brings have in line with the xml key's edits: drops fragments that left the spec, applies
 * the spec's removals, adds missing fragments, sets values. */
void patch_xml_edits(const KeyDef *k, xmlNode *want, xmlNode *have) {
    XmlEdits w, h;
    observe_xml_edits(want->doc, &w);
    observe_xml_edits(have->doc, &h);
    /* fragments already there stay (with libvirt's additions); the rest are added */
    size_t n_add = 0;
    const char **at = xmalloc0((w.n_add + 1) * sizeof(char *));
    const char **fr = xmalloc0((w.n_add + 1) * sizeof(char *));
    xmlNode **used = xmalloc0((w.n_add + 1) * sizeof(xmlNode *));
    size_t n_used = 0;
    for (size_t i = 0; i < w.n_add; i++) {
        xmlDoc *fd = NULL;
        xmlNode *f = render_parse_fragment(w.add_fragment[i], &fd);
        bool recorded = strv_has2(h.add_at, h.add_fragment, h.n_add, w.add_at[i], w.add_fragment[i]);
        xmlNode *m = f ? fragment_or_stored(edit_parent(want, w.add_at[i]), edit_parent(have, w.add_at[i]), f,
                                             used, n_used, recorded) : NULL;
        if (m)
            used[n_used++] = m;
        else if (f) {
            at[n_add] = w.add_at[i];
            fr[n_add++] = w.add_fragment[i];
        }
        xmlFreeDoc(fd);
    }
    /* fragments that left the spec go, unless one of the spec's matches the same element */
    for (size_t i = 0; i < h.n_add; i++) {
        xmlDoc *fd;
        xmlNode *f, *m = fragment_gone(&w, &h, i, want, have, used, n_used, &fd, &f);
        if (m) {
            xmlUnlinkNode(m);
            xmlFreeNode(m);
        }
        xmlFreeDoc(fd);
    }
    /* values that left the spec: what the rest of the spec renders, or nothing */
    for (size_t i = 0; i < h.n_set; i++) {
        if (strv_has2(w.set_path, NULL, w.n_set, h.set_path[i], NULL))
            continue;
        _cleanup_free_ char *wv = xml_get(want, h.set_path[i]);
        if (wv)
            xml_set(have, h.set_path[i], wv);
        else
            xml_unset(have, h.set_path[i]);
    }
    render_apply_xml_edits(have, (const char *const *) w.remove, w.n_remove, at, fr, n_add,
                           (const char *const *) w.set_path, (const char *const *) w.set_value, w.n_set);
    free(at);
    free(fr);
    free(used);
    xml_edits_clear(&w);
    xml_edits_clear(&h);
}
