/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <pthread.h>

#include "log.h"
#include "virt-conn.h"
#include "virt-events.h"
#include "virt-loop.h"

static struct {
    uv_async_t async;
    pthread_mutex_t lock;
    VirtEvent *queue;
    size_t n;
    VirtEventHandler handler;
    void *userdata;
    int cb_domain, cb_balloon, cb_metadata, cb_network, cb_pool;
} S = { .lock = PTHREAD_MUTEX_INITIALIZER, .cb_domain = -1, .cb_balloon = -1, .cb_metadata = -1, .cb_network = -1,
        .cb_pool = -1 };

static void push(VirtEventType type, SpecKind kind, const char *name, int detail) {
    pthread_mutex_lock(&S.lock);
    VirtEvent *e = array_push(&S.queue, &S.n, sizeof(VirtEvent));
    e->type = type;
    e->kind = kind;
    e->name = xstrdup(name);
    e->detail = detail;
    pthread_mutex_unlock(&S.lock);
    uv_async_send(&S.async);
}

static void on_async(uv_async_t *a) {
    pthread_mutex_lock(&S.lock);
    VirtEvent *q = S.queue;
    size_t n = S.n;
    S.queue = NULL;
    S.n = 0;
    pthread_mutex_unlock(&S.lock);
    for (size_t i = 0; i < n; i++) {
        S.handler(&q[i], S.userdata);
        free(q[i].name);
    }
    free(q);
}

int virt_events_start(uv_loop_t *loop, VirtEventHandler handler, void *userdata) {
    S.handler = handler;
    S.userdata = userdata;
    int r = uv_async_init(loop, &S.async, on_async);
    if (r < 0)
        return r;
    return virt_loop_start();
}

static int on_domain_event(virConnectPtr c, virDomainPtr dom, int event, int detail, void *opaque) {
    push(VEV_OBJECT, KIND_DOMAIN, virDomainGetName(dom), event);
    return 0;
}

/* The guest's balloon moved: a `virsh setmem` behind virtspec's back fires no lifecycle event,
 * only this one (when the guest's balloon driver answers). */
static void on_balloon_event(virConnectPtr c, virDomainPtr dom, unsigned long long actual,
                             void *opaque) {
    push(VEV_OBJECT, KIND_DOMAIN, virDomainGetName(dom), -1);
}

/* Metadata set behind virtspec's back (`virsh metadata`, `virsh desc`): a change of the
 * persistent definition that raises no lifecycle event, only this one. */
static void on_metadata_event(virConnectPtr c, virDomainPtr dom, int type, const char *nsuri, void *opaque) {
    push(VEV_OBJECT, KIND_DOMAIN, virDomainGetName(dom), -2);
}

static void on_network_event(virConnectPtr c, virNetworkPtr net, int event, int detail, void *opaque) {
    push(VEV_OBJECT, KIND_NETWORK, virNetworkGetName(net), event);
}

static void on_pool_event(virConnectPtr c, virStoragePoolPtr pool, int event, int detail,
                          void *opaque) {
    push(VEV_OBJECT, KIND_POOL, virStoragePoolGetName(pool), event);
}

static void on_close(virConnectPtr c, int reason, void *opaque) {
    push(VEV_DISCONNECTED, _KIND_INVALID, "", reason);
}

int virt_events_watch(void *conn) {
    virConnectPtr c = conn;
    /* keepalive: notice a hung or vanished libvirtd within ~15 s */
    if (virConnectSetKeepAlive(c, 5, 3) < 0)
        log_warning("cannot enable libvirt keepalive: %s", virt_error_message());
    if (virConnectRegisterCloseCallback(c, on_close, NULL, NULL) < 0)
        log_warning("cannot watch the libvirt connection: %s", virt_error_message());
    S.cb_domain = virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                   VIR_DOMAIN_EVENT_CALLBACK(on_domain_event),
                                                   NULL, NULL);
    S.cb_balloon = virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE,
                                                    VIR_DOMAIN_EVENT_CALLBACK(on_balloon_event),
                                                    NULL, NULL);
    if (S.cb_balloon < 0)
        log_warning("cannot watch balloon changes: %s", virt_error_message());
    S.cb_metadata = virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
                                                     VIR_DOMAIN_EVENT_CALLBACK(on_metadata_event),
                                                     NULL, NULL);
    if (S.cb_metadata < 0)
        log_warning("cannot watch metadata changes: %s", virt_error_message());
    S.cb_network = virConnectNetworkEventRegisterAny(c, NULL, VIR_NETWORK_EVENT_ID_LIFECYCLE,
                                                     VIR_NETWORK_EVENT_CALLBACK(on_network_event),
                                                     NULL, NULL);
    S.cb_pool = virConnectStoragePoolEventRegisterAny(c, NULL, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                                                      VIR_STORAGE_POOL_EVENT_CALLBACK(on_pool_event),
                                                      NULL, NULL);
    if (S.cb_domain < 0)
        return -EIO;
    return 0;
}

bool virt_events_metadata_watched(void) {
    return S.cb_metadata >= 0;
}

void virt_events_unwatch(void *conn) {
    virConnectPtr c = conn;
    if (S.cb_domain >= 0)
        virConnectDomainEventDeregisterAny(c, S.cb_domain);
    if (S.cb_balloon >= 0)
        virConnectDomainEventDeregisterAny(c, S.cb_balloon);
    if (S.cb_metadata >= 0)
        virConnectDomainEventDeregisterAny(c, S.cb_metadata);
    if (S.cb_network >= 0)
        virConnectNetworkEventDeregisterAny(c, S.cb_network);
    if (S.cb_pool >= 0)
        virConnectStoragePoolEventDeregisterAny(c, S.cb_pool);
    virConnectUnregisterCloseCallback(c, on_close);
    S.cb_domain = S.cb_balloon = S.cb_metadata = S.cb_network = S.cb_pool = -1;
}

void virt_events_stop(void) {
    uv_close((uv_handle_t *) &S.async, NULL);
    pthread_mutex_lock(&S.lock);
    for (size_t i = 0; i < S.n; i++)
        free(S.queue[i].name);
    free(S.queue);
    S.queue = NULL;
    S.n = 0;
    pthread_mutex_unlock(&S.lock);
    /* libvirt's event thread (virt-loop.c) blocks in poll(); it is left to end with the process. */
}
