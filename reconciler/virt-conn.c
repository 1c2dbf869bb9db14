/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>

#include "paths.h"
#include "virt-conn.h"
#include "xml-util.h"

unsigned virt_mutations;

static void silent_error_func(void *userdata, virErrorPtr err) {
    /* Errors are read back with virGetLastError() where they happen. */
}

void virt_init(void) {
    static bool done;
    if (done)
        return;
    done = true;
    virInitialize();
    virSetErrorFunc(NULL, silent_error_func);
}

const char *virt_default_uri(const char *explicit_uri) {
    return explicit_uri ? explicit_uri : paths_default()->uri;
}

int virt_open(const char *uri, virConnectPtr *ret) {
    virt_init();
    virConnectPtr c = virConnectOpenAuth(uri, virConnectAuthPtrDefault, 0);
    if (!c)
        return virt_error_errno();
    virConnSetErrorFunc(c, NULL, silent_error_func);
    *ret = c;
    return 0;
}

int virt_open_readonly(const char *uri, virConnectPtr *ret) {
    virt_init();
    virConnectPtr c = virConnectOpenReadOnly(uri);
    if (!c)
        return virt_error_errno();
    virConnSetErrorFunc(c, NULL, silent_error_func);
    *ret = c;
    return 0;
}

char *virt_version_text(unsigned long v) {
    return xasprintf("%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000);
}

const char *virt_error_message(void) {
    virErrorPtr e = virGetLastError();
    return e && e->message ? e->message : "";
}

/* Whether the running definition gives the guest an ACPI power button (features/acpi). */
static bool domain_has_acpi(virDomainPtr dom) {
    char *x = virDomainGetXMLDesc(dom, 0);
    _cleanup_(xmlFreeDocp) xmlDoc *doc = x ? xml_parse(x) : NULL;
    free(x);
    return doc && xml_find(xmlDocGetRootElement(doc), "features/acpi");
}

int virt_shutdown_graceful(virDomainPtr dom) {
    /* no ACPI: libvirt's default, which asks the guest agent when the domain has one (the ACPI
     * button alone would leave such a guest running until it is forced off) */
    if (!domain_has_acpi(dom))
        return virDomainShutdown(dom);
    if (virDomainShutdownFlags(dom, VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN) == 0)
        return 0;
    virErrorPtr e = virGetLastError();
    if (e && (e->code == VIR_ERR_INVALID_ARG || e->code == VIR_ERR_NO_SUPPORT ||
              e->code == VIR_ERR_ARGUMENT_UNSUPPORTED))
        return virDomainShutdown(dom);
    return -1;
}

int virt_error_errno(void) {
    virErrorPtr e = virGetLastError();
    if (!e)
        return -EIO;
    switch (e->code) {
    case VIR_ERR_NO_DOMAIN:
    case VIR_ERR_NO_NETWORK:
    case VIR_ERR_NO_STORAGE_POOL:
    case VIR_ERR_NO_STORAGE_VOL:
    case VIR_ERR_NO_DOMAIN_METADATA:
        return -ENOENT;
    case VIR_ERR_OPERATION_INVALID:
        return -EALREADY;
    case VIR_ERR_NO_CONNECT:
    case VIR_ERR_SYSTEM_ERROR:
    case VIR_ERR_RPC:
        return -ECONNREFUSED;
    default:
        return -EIO;
    }
}

int virt_domain_set_metadata(virDomainPtr dom, const char *xml, const char *prefix, const char *ns) {
    if (virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, xml, xml ? prefix : NULL, ns,
                             VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG) == 0)
        return 0;
    /* not running (no live definition) or transient (no persistent one) */
    return virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, xml, xml ? prefix : NULL, ns,
                                VIR_DOMAIN_AFFECT_CURRENT) == 0 ? 0 : -EIO;
}
