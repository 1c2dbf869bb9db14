/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "fleet-peers.h"
#include "engine-domain-state.h"
#include "metadata.h"
#include "util.h"
#include "xml-util.h"

#define FLEET_TIMEOUT 30   /* seconds; VIRTSPEC_FLEET_TIMEOUT overrides it */

unsigned fleet_timeout(void) {
    const char *v = getenv("VIRTSPEC_FLEET_TIMEOUT");
    char *end;
    unsigned long t = v ? strtoul(v, &end, 10) : 0;
    return v && *v && !*end && t > 0 && t < 86400 ? (unsigned) t : FLEET_TIMEOUT;
}

/* One open in flight: shared by its thread and the peers until both let go (refs). */
typedef struct Opening {
    char *uri;
    virConnectPtr conn;
    char *error;
    bool done, abandoned;
    unsigned refs;
} Opening;

typedef struct Peer {
    HostSpec *host;             /* a copy: what placement_host_accepts reads, and the uri */
    virConnectPtr conn;         /* NULL: did not answer (error) */
    char *error;
} Peer;

struct FleetPeers {
    pthread_mutex_t lock;
    pthread_cond_t cond;        /* an Opening is done */
    Peer *peers;
    size_t n;
    bool opened;
};

static pthread_once_t loop_once = PTHREAD_ONCE_INIT;
static bool loop_elsewhere;   /* the daemon runs libvirt's event loop itself (virt-events.c) */

void fleet_peers_event_loop_runs(void) {
    loop_elsewhere = true;
}

static void *event_loop(void *arg) {
    for (;;)
        if (virEventRunDefaultImpl() < 0)
            return NULL;
}

/* libvirt's keepalive needs an event loop: the default one, in a thread of its own. */
static void start_event_loop(void) {
    pthread_t t;
    if (!loop_elsewhere && virEventRegisterDefaultImpl() == 0 && pthread_create(&t, NULL, event_loop, NULL) == 0)
        pthread_detach(t);
}

/* The keys of h a destination reads (the set's hosts may go while a daemon's pass runs). */
static HostSpec *host_copy(const HostSpec *h) {
    HostSpec *c = xmalloc0(sizeof(HostSpec));
    c->name.s = xstrdup(h->name.s);
    c->uri.s = xstrdup(h->uri.s);
    c->maintenance.i = h->maintenance.i;
    c->lost.i = h->lost.i;
    c->labels.items = xmalloc0((h->labels.n + 1) * sizeof(Value));
    for (size_t i = 0; i < h->labels.n; i++)
        ((Value *) c->labels.items)[i].s = xstrdup(((const Value *) h->labels.items)[i].s);
    c->labels.n = h->labels.n;
    return c;
}

static void host_copy_free(HostSpec *c) {
    for (size_t i = 0; i < c->labels.n; i++)
        free(((Value *) c->labels.items)[i].s);
    free(c->labels.items);
    free(c->name.s);
    free(c->uri.s);
    free(c);
}

FleetPeers *fleet_peers_new(const SpecSet *set, const char *self) {
    FleetPeers *p = xmalloc0(sizeof(FleetPeers));
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    for (size_t i = 0; i < set->n_hosts; i++) {
        const HostSpec *h = set->hosts[i];
        if (!streq(h->name.s, self) && h->uri.set && !h->lost.i)
            ((Peer *) array_push(&p->peers, &p->n, sizeof(Peer)))->host = host_copy(h);
    }
    return p;
}

void fleet_peers_free(FleetPeers *p) {
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        if (p->peers[i].conn)
            virConnectClose(p->peers[i].conn);
        free(p->peers[i].error);
        host_copy_free(p->peers[i].host);
    }
    free(p->peers);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
    free(p);
}

static void opening_unref(Opening *o) {
    if (--o->refs > 0)
        return;
    if (o->conn)
        virConnectClose(o->conn);
    free(o->uri);
    free(o->error);
    free(o);
}

typedef struct OpenArg {
    FleetPeers *peers;
    Opening *o;
} OpenArg;

static void *open_worker(void *arg) {
    OpenArg a = *(OpenArg *) arg;
    free(arg);
    virConnectPtr c = virConnectOpen(a.o->uri);
    char *err = c ? NULL : xstrdup(virt_error_message());
    if (c && virConnectSetKeepAlive(c, 5, 3) < 0)
        virResetLastError();   /* a peer without keepalive: opened all the same */
    pthread_mutex_lock(&a.peers->lock);
    a.o->conn = c;
    a.o->error = err;
    a.o->done = true;
    pthread_cond_broadcast(&a.peers->cond);
    opening_unref(a.o);   /* abandoned: closes what it got */
    pthread_mutex_unlock(&a.peers->lock);
    return NULL;
}

/* Whether every opening is done. */
static bool all_done(Opening **o, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (o[i] && !o[i]->done)
            return false;
    return true;
}

/* Opens every peer at once, each bounded by fleet_timeout(); called with the lock held. */
static void open_peers(FleetPeers *p) {
    Opening **o = xmalloc0((p->n + 1) * sizeof(Opening *));
    pthread_once(&loop_once, start_event_loop);
    for (size_t i = 0; i < p->n; i++) {
        o[i] = xmalloc0(sizeof(Opening));
        *o[i] = (Opening) { .uri = xstrdup(p->peers[i].host->uri.s), .refs = 2 };
        OpenArg *a = xmalloc0(sizeof(OpenArg));
        *a = (OpenArg) { .peers = p, .o = o[i] };
        pthread_t t;
        if (pthread_create(&t, NULL, open_worker, a) != 0) {
            free(a);
            o[i]->done = true;
            o[i]->refs = 1;
            o[i]->error = xstrdup("no thread to open it");
        } else
            pthread_detach(t);
    }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += fleet_timeout();
    while (!all_done(o, p->n) && pthread_cond_timedwait(&p->cond, &p->lock, &until) == 0)
        ;
    for (size_t i = 0; i < p->n; i++) {
        Peer *peer = &p->peers[i];
        if (o[i]->done) {
            peer->conn = TAKE_PTR(o[i]->conn);
            peer->error = TAKE_PTR(o[i]->error);
        } else {
            o[i]->abandoned = true;
            peer->error = xasprintf("no answer within %u s (VIRTSPEC_FLEET_TIMEOUT)", fleet_timeout());
        }
        opening_unref(o[i]);
    }
    free(o);
    p->opened = true;
}

void peer_hit_clear(PeerHit *h) {
    if (h->dom)
        virDomainFree(h->dom);
    free(h->why);
    *h = (PeerHit) {};
}

static void append(char **acc, const char *sep, char *one) {
    char *joined = *acc ? xasprintf("%s%s%s", *acc, sep, one) : xstrdup(one);
    free(one);
    free(*acc);
    *acc = joined;
}

/* Whether the peer has an owned domain of this name (*ret: a reference); -EIO: it could not say
 * (*ret_error). A domain of that name virtspec does not own there is not this spec's. */
static int peer_has(Peer *peer, const char *name, virDomainPtr *ret, char **ret_error) {
    *ret = NULL;
    if (!peer->conn) {
        *ret_error = xstrdup(strna(peer->error));
        return -EIO;
    }
    virDomainPtr dom = virDomainLookupByName(peer->conn, name);
    if (!dom && virt_error_errno() == -ENOENT)
        return 0;
    _cleanup_(xmlFreeDocp) xmlDoc *doc = dom ? domain_xml(dom, VIR_DOMAIN_XML_INACTIVE) : NULL;
    if (!doc) {
        *ret_error = xstrdup(virt_error_message());
        if (dom)
            virDomainFree(dom);
        return -EIO;
    }
    if (!observe_owned(doc)) {
        virDomainFree(dom);
        return 0;
    }
    *ret = dom;
    return 1;
}

void fleet_peers_find(FleetPeers *p, const char *name, PeerHit *ret) {
    _cleanup_free_ char *found = NULL, *silent = NULL;
    size_t n_found = 0;
    *ret = (PeerHit) {};
    pthread_mutex_lock(&p->lock);
    if (!p->opened)
        open_peers(p);
    pthread_mutex_unlock(&p->lock);
    for (size_t i = 0; i < p->n; i++) {
        virDomainPtr dom = NULL;
        _cleanup_free_ char *err = NULL;
        int k = peer_has(&p->peers[i], name, &dom, &err);
        const char *host = p->peers[i].host->name.s;
        if (k < 0)
            append(&silent, "; ", xasprintf("%s, which did not answer (%s)", host, err));
        else if (k > 0) {
            append(&found, ", ", xstrdup(host));
            if (n_found++ == 0)
                *ret = (PeerHit) { .what = PEER_FOUND, .host = p->peers[i].host,
                                   .conn = p->peers[i].conn, .dom = dom };
            else
                virDomainFree(dom);
        }
    }
    if (n_found > 1) {
        peer_hit_clear(ret);
        ret->what = PEER_CONFLICT;
        ret->why = xasprintf("%s is defined on several hosts (%s), each owned by virtspec", name, found);
    } else if (silent) {
        peer_hit_clear(ret);   /* found on one, but another may have it too */
        ret->what = PEER_WAIT;
        ret->why = xasprintf("%s may run on %s", name, silent);
    }
}
