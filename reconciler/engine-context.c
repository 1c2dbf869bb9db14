/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/uri.h>

#include "paths.h"
#include "config.h"
#include "engine-context.h"
#include "render.h"
#include "virt-conn.h"
#include "xml-util.h"

/* Whether libvirt runs on this machine, in virtspec's network namespace: host interfaces and the
 * guests' tap devices are then ours to see and plug. Only the plain local qemu URIs count
 * (qemu+unix:// with a socket path may be a tunnel to another host). */
static bool conn_is_local(virConnectPtr c) {
    _cleanup_free_ char *uri = virConnectGetURI(c);
    return uri && (streq(uri, "qemu:///system") || streq(uri, "qemu:///session"));
}

/* A connection to another machine's libvirt (docs/fleet.md, agentless mode): a URI with a host
 * part, or a child of plan|apply|daemon --all-hosts (VIRTSPEC_AGENTLESS=HOST). What needs that
 * machine's kernel or files (bridges, taps, host paths) is then not looked for on this one: it is
 * reported as not checked, with this reason. */
static void conn_elsewhere(virConnectPtr c, Engine *e) {
    const char *host = getenv("VIRTSPEC_AGENTLESS");
    _cleanup_free_ char *uri = virConnectGetURI(c);
    xmlURIPtr u = uri ? xmlParseURI(uri) : NULL;
    e->elsewhere[0] = 0;
    if (host && *host)
        snprintf(e->elsewhere, sizeof(e->elsewhere), "libvirt runs on Host %s (agentless mode), "
                 "not on this machine", host);
    else if (u && u->server && *u->server && !streq(u->server, "localhost"))
        snprintf(e->elsewhere, sizeof(e->elsewhere), "libvirt runs on %s, not on this machine",
                 u->server);
    if (u)
        xmlFreeURI(u);
}

/* The state directory: the ownership records of pools and volumes, move locks, the image cache.
 * A Host driven from here (VIRTSPEC_AGENTLESS=NAME: a child of plan|apply|daemon --all-hosts, or
 * of fleet status) has its own below it, hosts/NAME: a record made for a pool or a volume of one
 * Host must not make another Host's object of that name look virtspec's (docs/fleet.md). */
static const char *agentless_dir;
static void agentless_dir_init(void) {
    const char *host = getenv("VIRTSPEC_AGENTLESS");
    if (host && *host && !strchr(host, '/') && !streq(host, "..") && !streq(host, "."))
        agentless_dir = xasprintf("%s/hosts/%s", paths_default()->state_dir, host);
}
static const char *host_state_dir(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, agentless_dir_init);
    return agentless_dir ? agentless_dir : paths_default()->state_dir;
}

int engine_open(Engine *e, const char *uri, bool apply) {
    virConnectPtr c;
    int r = virt_open(virt_default_uri(uri), &c);
    if (r < 0)
        return r;
    e->conn = c;
    e->apply = apply;
    e->host_kvm = host_has_kvm();
    e->local = conn_is_local(c);
    if (!e->local)
        conn_elsewhere(c, e);
    if (virConnectGetLibVersion(c, &e->lib_version) < 0)
        e->lib_version = 0;   /* unknown: as the oldest (port forwards by the QEMU monitor) */
    if (!e->state_dir)
        e->state_dir = host_state_dir();
    if (!e->cache_dir)
        e->cache_dir = paths_default()->cache_dir;
    if (!e->poll_ms)
        e->poll_ms = 200;
    /* On a driver with KVM in its capabilities, "auto" means kvm. */
    char *caps = virConnectGetCapabilities(c);
    if (caps) {
        e->host_kvm = strstr(caps, "<domain type='kvm'") != NULL;
        free(caps);
    }
    return 0;
}

void engine_close(Engine *e) {
    if (e->conn)
        virConnectClose(e->conn);
    e->conn = NULL;
}

bool engine_cancelled(const Engine *e) {
    return e->cancel && __atomic_load_n(e->cancel, __ATOMIC_RELAXED);
}

/* ---------------------------------------------------------------- the domain index */

/* One listing per run instead of a lookup, a state and an autostart call per domain: a no-op
 * pass then costs one XML read per domain, as the floor does. */
struct DomainIndex {
    DomainIndexEntry *items;
    size_t n;
    size_t next_ahead;  /* the next entry to read ahead (atomic) */
    unsigned refs;      /* atomic: the daemon's passes share one (domain_index_ref) */
    bool fresh;         /* domain_index_one: read after the edit its pass is for */
};

static int entry_cmp(const void *a, const void *b) {
    return strcmp(((const DomainIndexEntry *) a)->name, ((const DomainIndexEntry *) b)->name);
}

/* Sets *field of every listed entry to value; returns how many were listed. */
static int mark_listed(virConnectPtr c, DomainIndex *ix, unsigned flags, int *(*field)(DomainIndexEntry *),
                       int value) {
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(c, &doms, flags);
    for (int i = 0; i < n; i++) {
        DomainIndexEntry key = { .name = (char *) virDomainGetName(doms[i]) };
        DomainIndexEntry *en = bsearch(&key, ix->items, ix->n, sizeof(DomainIndexEntry), entry_cmp);
        if (en)
            *field(en) = value;
        virDomainFree(doms[i]);
    }
    free(doms);
    return n;
}

static int *state_field(DomainIndexEntry *e) { return &e->state; }
static int *autostart_field(DomainIndexEntry *e) { return &e->autostart; }

/* Three listings (every domain, the active ones, the autostarted ones), two more when any domain
 * runs (running, paused): an inactive domain is shut off; an active one in neither list (blocked,
 * crashed, shutting down, pmsuspended) is left unknown (-1), its pass asks for its state. */
int domain_index_build(Engine *e, char **ret_error) {
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(e->conn, &doms, 0);
    if (n < 0) {
        if (ret_error)
            *ret_error = xstrdup(virt_error_message());
        return virt_error_errno();
    }
    DomainIndex *ix = xmalloc0(sizeof(DomainIndex));
    ix->refs = 1;
    ix->items = xmalloc0(((size_t) n + 1) * sizeof(DomainIndexEntry));
    for (int i = 0; i < n; i++)
        ix->items[ix->n++] = (DomainIndexEntry) {
            .name = xstrdup(virDomainGetName(doms[i])), .dom = doms[i], .state = VIR_DOMAIN_SHUTOFF,
        };
    free(doms);
    qsort(ix->items, ix->n, sizeof(DomainIndexEntry), entry_cmp);
    /* whole or not at all: an entry's state and autostart are only true when every listing
     * answered (one that failed would leave "shut off, not autostarted": a start planned for a
     * running domain) */
    int active = mark_listed(e->conn, ix, VIR_CONNECT_LIST_DOMAINS_ACTIVE, state_field, -1);
    bool ok = active >= 0;
    if (ok && active > 0)
        ok = mark_listed(e->conn, ix, VIR_CONNECT_LIST_DOMAINS_RUNNING, state_field, VIR_DOMAIN_RUNNING) >= 0 &&
             mark_listed(e->conn, ix, VIR_CONNECT_LIST_DOMAINS_PAUSED, state_field, VIR_DOMAIN_PAUSED) >= 0;
    ok = ok && mark_listed(e->conn, ix, VIR_CONNECT_LIST_DOMAINS_AUTOSTART, autostart_field, 1) >= 0;
    if (!ok) {
        int r = virt_error_errno();
        if (ret_error)   /* before the entries' virDomainFree, which resets libvirt's error */
            *ret_error = xstrdup(virt_error_message());
        domain_index_unref(ix);
        return r < 0 ? r : -EIO;
    }
    e->index = ix;
    return 0;
}

DomainIndex *domain_index_ref(DomainIndex *ix) {
    if (ix)
        __atomic_add_fetch(&ix->refs, 1, __ATOMIC_RELAXED);
    return ix;
}

/* While the CLI reads its spec files (our CPU), libvirtd would sit idle: read the persistent
 * definitions of listed domains ahead, in index order, until *stop. At most what libvirtd serves
 * in the time the specs take to load is read for domains no spec names. */
void domain_index_read_ahead(Engine *e, const bool *stop) {
    DomainIndex *ix = e->index;
    while (ix && !__atomic_load_n(stop, __ATOMIC_ACQUIRE)) {
        size_t i = __atomic_fetch_add(&ix->next_ahead, 1, __ATOMIC_ACQ_REL);
        if (i >= ix->n)
            break;
        char *x = virDomainGetXMLDesc(ix->items[i].dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
        __atomic_store_n(&ix->items[i].ahead, x, __ATOMIC_RELEASE);
    }
}

static void free_ahead(char *x) {
    if (x) {
        explicit_bzero(x, strlen(x));   /* a secure XML: it may hold a graphics password */
        free(x);
    }
}

/* One domain read as its pass would (handle, persistent XML, state), while its edit settles: the
 * daemon's prefetch (edit-prefetch.h). Its autostart is left to the pass (no event says when it
 * changes). */
int domain_index_one(Engine *e, const char *name, DomainIndex **ret) {
    virDomainPtr dom = virDomainLookupByName(e->conn, name);
    if (!dom)
        return virt_error_errno();
    char *x = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
    int state = -1, reason;
    if (!x || virDomainGetState(dom, &state, &reason, 0) < 0) {
        int r = virt_error_errno();
        free_ahead(x);
        virDomainFree(dom);
        return r < 0 ? r : -EIO;
    }
    DomainIndex *ix = xmalloc0(sizeof(DomainIndex));
    ix->refs = 1;
    ix->fresh = true;
    ix->items = xmalloc0(sizeof(DomainIndexEntry));
    ix->items[0] = (DomainIndexEntry) { .name = xstrdup(name), .dom = dom, .state = state, .autostart = -1, .ahead = x };
    ix->n = 1;
    *ret = ix;
    return 0;
}

bool domain_index_fresh(const DomainIndex *ix) {
    return ix && ix->fresh;
}

void domain_index_unref(DomainIndex *ix) {
    if (!ix || __atomic_sub_fetch(&ix->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    for (size_t i = 0; i < ix->n; i++) {
        free(ix->items[i].name);
        virDomainFree(ix->items[i].dom);
        free_ahead(ix->items[i].ahead);
    }
    free(ix->items);
    free(ix);
}

void domain_index_free(Engine *e) {
    domain_index_unref(e->index);
    e->index = NULL;
}

DomainIndexEntry *index_find(const Engine *e, const char *name) {
    DomainIndexEntry key = { .name = (char *) name };
    return bsearch(&key, e->index->items, e->index->n, sizeof(DomainIndexEntry), entry_cmp);
}

/* The persistent definition read ahead for this entry, parsed; NULL when there is none. */
xmlDoc *index_take_ahead(DomainIndexEntry *ie) {
    char *x = ie ? __atomic_exchange_n(&ie->ahead, NULL, __ATOMIC_ACQ_REL) : NULL;
    if (!x)
        return NULL;
    xmlDoc *d = xml_parse(x);
    free_ahead(x);
    return d;
}

