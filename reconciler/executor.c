/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdlib.h>

#include "executor.h"
#include "observe.h"
#include "render.h"
#include "virt-conn.h"
#include "xml-util.h"

/* Applies one live-class change to the running domain. Returns 0 on success, 1 when it cannot be
 * done live (then it waits for a reload), negative on error. */
int apply_live(Engine *e, virDomainPtr dom, const Spec *s, const Change *c, xmlDoc *want,
                      xmlDoc *live, char **ret_why) {
    const DomainSpec *d = &s->domain;
    xmlNode *lroot = xmlDocGetRootElement(live);
    const unsigned LIVE = VIR_DOMAIN_AFFECT_LIVE;

    if (c->list && c->op != OP_SET) {
        /* device hot-plug / unplug */
        if (c->op == OP_ADD) {
            xmlNode *w = observe_change_item(want, c);
            if (!w)
                return 1;
            _cleanup_free_ char *x = xml_node_to_string(want, w);
            virt_count_mutation();
            if (virDomainAttachDeviceFlags(dom, x, LIVE) < 0) {
                *ret_why = xstrdup(virt_error_message());
                return 1;
            }
            return 0;
        }
        xmlNode *h = observe_change_item(live, c);
        if (!h)
            return 0;
        _cleanup_free_ char *x = xml_node_to_string(live, h);
        virt_count_mutation();
        if (virDomainDetachDeviceFlags(dom, x, LIVE) < 0) {
            *ret_why = xstrdup(virt_error_message());
            return 1;
        }
        return 0;
    }
    const KeyDef *k = c->row;
    if (k->hook == HOOK_MEMORY) {
        _cleanup_free_ char *max = observe_value(&(KeyDef) { .hook = HOOK_MAX_MEMORY }, lroot);
        int64_t live_max = max ? strtoll(max, NULL, 10) : 0;
        if (d->memory.i > live_max) {
            *ret_why = xasprintf("above the running domain's ceiling");
            return 1;
        }
        virt_count_mutation();
        if (virDomainSetMemoryFlags(dom, (unsigned long) (d->memory.i / 1024), LIVE) < 0) {
            *ret_why = xstrdup(virt_error_message());
            return 1;
        }
        return 0;
    }
    if (k->hook == HOOK_VCPU) {
        _cleanup_free_ char *max = xml_get(lroot, "vcpu");
        if (!max || d->cpus.i > strtoll(max, NULL, 10)) {
            *ret_why = xasprintf("above the running domain's max_cpus");
            return 1;
        }
        virt_count_mutation();
        if (virDomainSetVcpusFlags(dom, (unsigned) d->cpus.i, LIVE) < 0) {
            *ret_why = xstrdup(virt_error_message());
            return 1;
        }
        return 0;
    }
    if (streq(k->key, "title") || streq(k->key, "description")) {
        const Value *v = streq(k->key, "title") ? &d->title : &d->description;
        virt_count_mutation();
        if (virDomainSetMetadata(dom, streq(k->key, "title") ? VIR_DOMAIN_METADATA_TITLE
                                                               : VIR_DOMAIN_METADATA_DESCRIPTION,
                                 v->set ? v->s : NULL, NULL, NULL, LIVE) < 0) {
            *ret_why = xstrdup(virt_error_message());
            return 1;
        }
        return 0;
    }
    if (k->hook == HOOK_PASSWD) {
        xmlNode *g = xml_find(lroot, "devices/graphics");
        _cleanup_free_ char *pw = xml_get(xmlDocGetRootElement(want), "devices/graphics/@passwd");
        if (!g)
            return 1;
        if (pw)
            xmlSetProp(g, (const xmlChar *) "passwd", (const xmlChar *) pw);
        else
            xmlUnsetProp(g, (const xmlChar *) "passwd");
        _cleanup_free_ char *x = xml_node_to_string(live, g);
        virt_count_mutation();
        int r = virDomainUpdateDeviceFlags(dom, x, LIVE);
        /* scrub the copy: it held the password */
        xmlUnsetProp(g, (const xmlChar *) "passwd");
        if (r < 0) {
            *ret_why = xstrdup("the display rejected the new password");
            return 1;
        }
        return 0;
    }
    if (c->list && streq(c->list->key, "cdroms") && streq(k->key, "path")) {
        xmlNode *w = observe_change_item(want, c);
        if (!w)
            return 1;
        _cleanup_free_ char *x = xml_node_to_string(want, w);
        virt_count_mutation();
        if (virDomainUpdateDeviceFlags(dom, x, LIVE | VIR_DOMAIN_DEVICE_MODIFY_FORCE) < 0) {
            *ret_why = xstrdup(virt_error_message());
            return 1;
        }
        return 0;
    }
    if (c->list && streq(c->list->key, "disks") && streq(k->key, "size"))
        return 0;   /* volume capacity is not part of the domain definition */
    *ret_why = xstrdup("no live path for this field");
    return 1;
}
