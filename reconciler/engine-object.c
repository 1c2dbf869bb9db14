/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "engine-object.h"
#include "render.h"
#include "schema.h"
#include "virt-conn.h"
#include "xml-util.h"

bool has_hatch(const Spec *s) {
    const XmlHatchSpec *x = spec_xml_hatch(s);
    return x && x->present.set;
}

/* The xml escape hatch can produce any document: libvirt's schema decides whether it may be
 * used, before it is (plan and apply); libvirtd validates it again at define (the *_VALIDATE
 * flags, only for such specs: the renderer's own output is schema-checked by the test suite,
 * and libvirtd's check costs ~5 ms a define). */
int check_hatch_schema(const Spec *s, xmlDoc *want, ObjectResult *r) {
    if (!has_hatch(s))
        return 0;
    _cleanup_free_ char *err = NULL;
    int q = schema_validate(s->kind, want, &err);
    if (q == -EINVAL)
        return fail_at(r, &spec_xml_hatch(s)->present, "xml: with these edits the document is not "
                       "valid for libvirt: %s", err);
    if (q < 0)
        action_add(r, ACTION_WARN, "xml", "xml: %s; libvirtd validates the document when it is defined", err);
    return 0;
}

/* An object of the spec's name that virtspec does not own is left alone unless the spec adopts it. */
bool foreign_conflict(ObjectResult *r, bool owned, bool adopt) {
    if (owned || adopt)
        return false;
    const char *kind = r->kind == KIND_DOMAIN ? "domain" : r->kind == KIND_NETWORK ? "network" : "pool";
    r->state = SYNC_FOREIGN_CONFLICT;
    r->error = xasprintf("a %s of this name exists that virtspec does not own; set adopt: true "
                         "to take it over", kind);
    return true;
}

/* Replaces the virtspec metadata of `have` with that of `want`. */
void copy_metadata(xmlDoc *want, xmlDoc *have) {
    xmlNode *wr = xmlDocGetRootElement(want), *hr = xmlDocGetRootElement(have);
    xmlNode *wm = xml_child(wr, "metadata"), *hm = xml_child(hr, "metadata");
    if (hm) {
        for (xmlNode *c = hm->children, *next; c; c = next) {
            next = c->next;
            if (c->ns && c->ns->href && streq((const char *) c->ns->href, VIRTSPEC_XMLNS)) {
                xmlUnlinkNode(c);
                xmlFreeNode(c);
            }
        }
    } else
        hm = xml_ensure(hr, "metadata", false);
    for (xmlNode *c = wm ? wm->children : NULL; c; c = c->next)
        xmlAddChild(hm, xmlDocCopyNode(c, have, 1));
}

void converge_lifecycle(Engine *e, ObjectResult *r, const LifecycleOps *ops, void *obj,
                               Value autostart) {
    int cur = 0;
    if (ops->get_autostart(obj, &cur) == 0 && !!cur != !!value_int(&autostart)) {
        action_add_set(r, "autostart", cur ? "true" : "false", autostart.s, CHANGE_LIVE, NULL);
        if (e->apply) {
            virt_count_mutation();
            if (ops->set_autostart(obj, (int) value_int(&autostart)) < 0) {
                fail(r, "setting autostart: %s", virt_error_message());
                return;
            }
            r->mutated = true;
        }
        if (r->state == SYNC_IN_SYNC)
            r->state = SYNC_DRIFTED;
    }
    if (ops->is_active(obj) != 1) {
        action_add(r, ACTION_START, NULL, NULL);
        if (e->apply) {
            virt_count_mutation();
            if (ops->start(obj) < 0) {
                fail(r, "start failed: %s", virt_error_message());
                return;
            }
            r->mutated = true;
        } else if (r->state == SYNC_IN_SYNC)
            r->state = SYNC_DRIFTED;
    }
    if (e->apply)
        r->state = r->n_pending > 0 ? SYNC_RELOAD_PENDING : SYNC_IN_SYNC;
    else if (r->state == SYNC_IN_SYNC && r->n_pending > 0)
        r->state = SYNC_RELOAD_PENDING;
}

static int name_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Whether the domain's definition has a NIC on network or a disk in pool. */
static bool domain_uses(xmlDoc *doc, const char *network, const char *pool, const char *pool_dir) {
    xmlNode *devs = xml_child(xmlDocGetRootElement(doc), "devices");
    size_t dl = pool_dir ? strlen(pool_dir) : 0;
    for (xmlNode *i = xml_child(devs, "interface"); network && i; i = xml_next_named(i)) {
        _cleanup_free_ char *src = xml_get(i, "source/@network");
        if (streq_ptr(src, network))
            return true;
    }
    for (xmlNode *d = xml_child(devs, "disk"); pool && d; d = xml_next_named(d)) {
        _cleanup_free_ char *p = xml_get(d, "source/@pool");
        _cleanup_free_ char *f = xml_get(d, "source/@file");
        if (streq_ptr(p, pool) || (f && dl > 0 && strncmp(f, pool_dir, dl) == 0 && f[dl] == '/'))
            return true;
    }
    return false;
}

int domains_using(Engine *e, const char *network, const char *pool, const char *pool_dir,
                  DomainStays stays, void *userdata, char **ret) {
    virDomainPtr *doms = NULL;
    char **users = NULL;
    size_t n_users = 0;
    int n = virConnectListAllDomains(e->conn, &doms, 0);
    *ret = NULL;
    if (n < 0)
        return -EIO;
    for (int i = 0; i < n; i++) {
        const char *name = virDomainGetName(doms[i]);
        /* the live definition too: a NIC or disk plugged in live uses the object as much */
        for (unsigned flags = VIR_DOMAIN_XML_INACTIVE;; flags = 0) {
            char *x = stays(name, userdata) ? virDomainGetXMLDesc(doms[i], flags) : NULL;
            _cleanup_(xmlFreeDocp) xmlDoc *doc = x ? xml_parse(x) : NULL;
            free(x);
            if (doc && domain_uses(doc, network, pool, pool_dir)) {
                *(char **) array_push(&users, &n_users, sizeof(char *)) = xstrdup(name);
                break;
            }
            if (flags == 0 || virDomainIsActive(doms[i]) != 1)
                break;
        }
        virDomainFree(doms[i]);
    }
    free(doms);
    if (n_users > 1)   /* qsort of no array (users NULL) is undefined */
        qsort(users, n_users, sizeof(char *), name_cmp);
    for (size_t i = 0; i < n_users; i++) {
        char *acc = *ret ? xasprintf("%s, %s", *ret, users[i]) : xstrdup(users[i]);
        free(*ret);
        free(users[i]);
        *ret = acc;
    }
    free(users);
    return 0;
}
