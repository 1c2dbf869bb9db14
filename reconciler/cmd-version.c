/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "config.h"
#include "cli.h"
#include "virt-conn.h"

/* `virtspec version`: what runs here, and what answers at the other end of the connection. */

void cli_print_versions(void) {
    unsigned long lib = 0;
    printf("virtspec %s\n", VIRTSPEC_VERSION);
    virt_init();
    if (virGetVersion(&lib, NULL, NULL) == 0) {
        _cleanup_free_ char *v = virt_version_text(lib);
        printf("libvirt library %s\n", v);
    }
}

int cmd_version(const CliOpts *o) {
    _cleanup_(virConnectClosep) virConnectPtr conn = NULL;
    const char *uri = virt_default_uri(o->connect);
    unsigned long lib = 0, hv = 0;

    if (o->n_paths > 0) {
        fprintf(stderr, "virtspec: version takes no arguments\n");
        return 1;
    }
    cli_print_versions();
    if (virt_open_readonly(uri, &conn) < 0) {
        fprintf(stderr, "virtspec: cannot connect to %s: %s\n", uri, virt_error_message());
        return 1;
    }
    if (virConnectGetLibVersion(conn, &lib) < 0) {
        fprintf(stderr, "virtspec: %s: cannot read the daemon's version: %s\n", uri,
                virt_error_message());
        return 1;
    }
    _cleanup_free_ char *v = virt_version_text(lib);
    const char *type = virConnectGetType(conn);
    printf("libvirt daemon %s at %s", v, uri);
    if (type && virConnectGetVersion(conn, &hv) == 0 && hv > 0) {
        _cleanup_free_ char *h = virt_version_text(hv);
        printf(" (%s %s)", type, h);
    } else if (type)
        printf(" (%s)", type);
    putchar('\n');
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
