/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "diff.h"
#include "reload-mark.h"
#include "virt-conn.h"
#include "xml-util.h"

/* A restart that virtspec performs (`virtspec reload NAME`, the daemon's reload: auto) is
 * recorded in the domain's own metadata, in the persistent definition (and the live one while it
 * runs), so that every virtspec — the daemon above all — knows the shutdown it sees is no drift
 * to correct. The record names the process and a deadline; past the deadline, or when the
 * process on this host is gone, it is stale and ignored. */

#define RELOAD_XMLNS "https://virtspec.dev/xmlns/reload/1"
#define RELOAD_PREFIX "vsreload"

static int set_metadata(virDomainPtr dom, const char *xml) {
    return virt_domain_set_metadata(dom, xml, RELOAD_PREFIX, RELOAD_XMLNS);
}

int reload_mark_set(virDomainPtr dom, unsigned ttl_s) {
    char host[256] = "";
    gethostname(host, sizeof(host) - 1);
    _cleanup_free_ char *xml = xasprintf("<reload pid='%ld' host='%s' until='%lld'/>", (long) getpid(),
                                         host, (long long) time(NULL) + ttl_s);
    return set_metadata(dom, xml);
}

void reload_mark_clear(virDomainPtr dom) {
    set_metadata(dom, NULL);
}

char *reload_mark_fresh(xmlDoc *have) {
    xmlNode *root = observe_metadata_element(have, RELOAD_XMLNS, "reload");
    if (!root)
        return NULL;
    _cleanup_free_ char *pid = xml_get(root, "@pid"), *host = xml_get(root, "@host"),
                        *until = xml_get(root, "@until");
    long long deadline = until ? atoll(until) : 0;
    long long left = deadline - (long long) time(NULL);
    if (left <= 0)
        return NULL;   /* stale: the restart should long be over */
    char me[256] = "";
    gethostname(me, sizeof(me) - 1);
    long p = pid ? atol(pid) : 0;
    if (p <= 0 || (streq_ptr(host, me) && kill((pid_t) p, 0) < 0 && errno == ESRCH))
        return NULL;   /* its process is gone: interrupted */
    return xasprintf("being restarted by virtspec (pid %ld on %s; left alone for %lld s at most)", p,
                     strna(host), left);
}
