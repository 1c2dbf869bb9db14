/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "fleet-peers.h"
#include "engine-domain-state.h"
#include "metadata.h"
#include "util.h"
#include "virt-loop.h"
#include "xml-util.h"

#define FLEET_TIMEOUT 30   /* seconds; VIRTSPEC_FLEET_TIMEOUT overrides it */

unsigned fleet_timeout_env(unsigned dflt) {
    const char *v = getenv("VIRTSPEC_FLEET_TIMEOUT");
    char *end;
    unsigned long t = v ? strtoul(v, &end, 10) : 0;
    return v && *v && !*end && t > 0 && t < 86400 ? (unsigned) t : dflt;
}

unsigned fleet_timeout(void) {
    return fleet_timeout_env(FLEET_TIMEOUT);
}

/* One open in flight: shared by its thread and the peers until both let go (refs). Its fields,
 * and the list of those abandoned, are guarded by open_lock: never by the FleetPeers, which may
 * be freed while an abandoned open still runs. */
typedef struct Opening {
    char *uri;
    virConnectPtr conn;
    char *error;
    bool done, abandoned;
    unsigned refs;
    time_t started;
} Opening;

typedef struct Peer {
    HostSpec *host;             /* a copy: what placement_host_accepts reads, and the uri */
    virConnectPtr conn;         /* NULL: did not answer (error) */
    char *error;
} Peer;

struct FleetPeers {
    Peer *peers;
    size_t n;
    bool opening, opened;       /* under open_lock */
};

/* Process-wide: every open's thread signals open_cond when it ends. */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t open_cond = PTHREAD_COND_INITIALIZER;
/* The opens given up on that have not returned yet (a host that accepted and never answers can
 * hold virConnectOpen for ever): a host is not opened again while one of its opens waits, so
 * each such host costs one thread, not one per pass. */
static Opening **abandoned;
static size_t n_abandoned;

/* The keys of h a destination reads (the set's hosts may go while a daemon's pass runs). */
static HostSpec *host_copy(const HostSpec *h) {
    HostSpec *c = xmalloc0(sizeof(HostSpec));
    c->name.s = xstrdup(h->name.s);
    c->uri.s = xstrdup(h->uri.s);
    c->maintenance.s = h->maintenance.s ? xstrdup(h->maintenance.s) : NULL;
    c->lost.s = h->lost.s ? xstrdup(h->lost.s) : NULL;
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
    free(c->maintenance.s);
    free(c->lost.s);
    free(c);
}

FleetPeers *fleet_peers_new(const SpecSet *set, const char *self) {
    FleetPeers *p = xmalloc0(sizeof(FleetPeers));
    for (size_t i = 0; i < set->n_hosts; i++) {
        const HostSpec *h = set->hosts[i];
        if (!streq(h->name.s, self) && h->uri.set && !value_int(&h->lost))
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
    free(p);
}

/* Called with open_lock held. */
static void opening_unref(Opening *o) {
    if (--o->refs > 0)
        return;
    if (o->conn)
        virConnectClose(o->conn);
    free(o->uri);
    free(o->error);
    free(o);
}

static void *open_worker(void *arg) {
    Opening *o = arg;
    virConnectPtr c = virConnectOpen(o->uri);
    char *err = c ? NULL : xstrdup(virt_error_message());
    if (c && virConnectSetKeepAlive(c, 5, 3) < 0)
        virResetLastError();   /* a peer without keepalive: opened all the same */
    pthread_mutex_lock(&open_lock);
    o->conn = c;
    o->error = err;
    o->done = true;
    for (size_t i = 0; i < n_abandoned; i++)
        if (abandoned[i] == o) {
            abandoned[i] = abandoned[--n_abandoned];
            break;
        }
    /* abandoned: what it got is closed here, after the lock (a close is a round trip to a host
     * that was just too slow: nobody else waits for it) */
    virConnectPtr late = o->refs == 1 ? TAKE_PTR(o->conn) : NULL;
    pthread_cond_broadcast(&open_cond);
    opening_unref(o);
    pthread_mutex_unlock(&open_lock);
    if (late)
        virConnectClose(late);
    return NULL;
}

/* Whether every opening is done. */
static bool all_done(Opening **o, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (o[i] && !o[i]->done)
            return false;
    return true;
}

/* An open of uri given up on earlier that has not returned and still stands for the host, or
 * NULL: a host is opened again once its last such open is FLEET_REOPEN_AFTER bounds old (one
 * that ACKed and went away may hold virConnectOpen for hours), with at most FLEET_STUCK_MAX such
 * threads per host. */
#define FLEET_REOPEN_AFTER 4
#define FLEET_STUCK_MAX 4
static const Opening *still_waiting(const char *uri) {
    const Opening *youngest = NULL;
    size_t n = 0;
    for (size_t i = 0; i < n_abandoned; i++)
        if (streq(abandoned[i]->uri, uri)) {
            n++;
            if (!youngest || abandoned[i]->started > youngest->started)
                youngest = abandoned[i];
        }
    if (!youngest || (n < FLEET_STUCK_MAX &&
                      time(NULL) - youngest->started >= (time_t) (FLEET_REOPEN_AFTER * fleet_timeout())))
        return NULL;
    return youngest;
}

/* An open of peer i in a thread of its own, or NULL with peer->error set. */
static Opening *open_start(Peer *peer) {
    const Opening *w = still_waiting(peer->host->uri.s);
    if (w) {
        peer->error = xasprintf("no answer: an open started %lld s ago has not returned",
                                (long long) (time(NULL) - w->started));
        return NULL;
    }
    Opening *o = xmalloc0(sizeof(Opening));
    *o = (Opening) { .uri = xstrdup(peer->host->uri.s), .refs = 2, .started = time(NULL) };
    pthread_t t;
    if (pthread_create(&t, NULL, open_worker, o) != 0) {
        free(o->uri);
        free(o);
        peer->error = xstrdup("no thread to open it");
        return NULL;
    }
    pthread_detach(t);
    return o;
}

/* Opens every peer at once, each bounded by fleet_timeout(); called with open_lock held (the
 * waits release it). */
static void open_peers(FleetPeers *p) {
    Opening **o = xmalloc0((p->n + 1) * sizeof(Opening *));
    virt_loop_start();   /* libvirt's keepalive needs an event loop */
    p->opening = true;
    for (size_t i = 0; i < p->n; i++)
        o[i] = open_start(&p->peers[i]);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += fleet_timeout();
    while (!all_done(o, p->n) && pthread_cond_timedwait(&open_cond, &open_lock, &until) == 0)
        ;
    for (size_t i = 0; i < p->n; i++) {
        Peer *peer = &p->peers[i];
        if (!o[i])
            continue;
        if (o[i]->done) {
            peer->conn = TAKE_PTR(o[i]->conn);
            peer->error = TAKE_PTR(o[i]->error);
        } else {
            o[i]->abandoned = true;
            *(Opening **) array_push(&abandoned, &n_abandoned, sizeof(Opening *)) = o[i];
            peer->error = xasprintf("no answer within %u s (VIRTSPEC_FLEET_TIMEOUT)", fleet_timeout());
        }
        opening_unref(o[i]);
    }
    free(o);
    p->opened = true;
    pthread_cond_broadcast(&open_cond);   /* the other finds of p waiting for these opens */
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
    pthread_mutex_lock(&open_lock);
    if (!p->opening)
        open_peers(p);
    while (!p->opened)
        pthread_cond_wait(&open_cond, &open_lock);
    pthread_mutex_unlock(&open_lock);
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
