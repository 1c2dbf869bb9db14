/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdlib.h>

#include "hooks-internal.h"
#include "hooks.h"
#include "virt-conn.h"
#include "xml-util.h"

/* The live paths of the hooks whose change a running domain takes through a libvirt call of
 * its own (executor.c:apply_live walks hook_ops for them): memory by the balloon, vCPUs by
 * hot-plug, the display password by a device update. Each returns 0 when done, 1 when the change
 * waits for a reload (*ret_why says why). */

/* The libvirt error of the call that just failed, as the reason. */
static int live_failed(char **ret_why) {
    *ret_why = xstrdup(virt_error_message());
    return 1;
}

int hook_memory_live(const HookLive *l, char **ret_why) {
    const DomainSpec *d = &l->spec->domain;
    _cleanup_free_ char *max = hook_max_memory_observe(l->change->row,
                                                       xmlDocGetRootElement(l->live));
    int64_t live_max = max ? strtoll(max, NULL, 10) : 0;
    if (value_int(&d->memory) > live_max) {
        *ret_why = xasprintf("above the running domain's ceiling");
        return 1;
    }
    virt_count_mutation();
    if (virDomainSetMemoryFlags(l->dom, (unsigned long) (value_int(&d->memory) / 1024),
                                VIR_DOMAIN_AFFECT_LIVE) < 0)
        return live_failed(ret_why);
    return 0;
}

int hook_vcpu_live(const HookLive *l, char **ret_why) {
    const DomainSpec *d = &l->spec->domain;
    _cleanup_free_ char *max = xml_get(xmlDocGetRootElement(l->live), "vcpu");
    if (!max || value_int(&d->cpus) > strtoll(max, NULL, 10)) {
        *ret_why = xasprintf("above the running domain's max_cpus");
        return 1;
    }
    virt_count_mutation();
    if (virDomainSetVcpusFlags(l->dom, (unsigned) value_int(&d->cpus), VIR_DOMAIN_AFFECT_LIVE) < 0)
        return live_failed(ret_why);
    return 0;
}

int hook_passwd_live(const HookLive *l, char **ret_why) {
    xmlNode *g = xml_find(xmlDocGetRootElement(l->live), "devices/graphics");
    _cleanup_free_ char *pw = xml_get(xmlDocGetRootElement(l->want), "devices/graphics/@passwd");
    if (!g)
        return 1;
    if (pw)
        xmlSetProp(g, (const xmlChar *) "passwd", (const xmlChar *) pw);
    else
        xmlUnsetProp(g, (const xmlChar *) "passwd");
    _cleanup_free_ char *x = xml_node_to_string(l->live, g);
    virt_count_mutation();
    int r = virDomainUpdateDeviceFlags(l->dom, x, VIR_DOMAIN_AFFECT_LIVE);
    /* scrub the copy: it held the password */
    xmlUnsetProp(g, (const xmlChar *) "passwd");
    if (r < 0) {
        *ret_why = xstrdup("the display rejected the new password");
        return 1;
    }
    return 0;
}
