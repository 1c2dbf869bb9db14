/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdlib.h>

#include "executor.h"
#include "hooks.h"
#include "observe.h"
#include "render.h"
#include "virt-conn.h"
#include "xml-util.h"

/* Applies one live-class change to the running domain. Returns 0 on success, 1 when it cannot be
 * done live (then it waits for a reload), negative on error. */
int apply_live(Engine *e, virDomainPtr dom, const Spec *s, const Change *c, xmlDoc *want,
                      xmlDoc *live, char **ret_why) {
    const DomainSpec *d = &s->domain;
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
    if (hook_of(k)->live)
        return hook_of(k)->live(&(HookLive) { .dom = dom, .spec = s, .change = c, .want = want,
                                              .live = live }, ret_why);
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
