/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <uv.h>

#include "spec.h"

/* libvirt's events reach the libuv loop through here. libvirt's own event loop runs on one
 * thread (its client code may call the event hooks from any thread, which libuv does not allow);
 * each event is queued and handed to the loop thread with uv_async_send, so all reconcile state
 * is touched from the loop thread only. */

typedef enum VirtEventType {
    VEV_OBJECT,         /* something happened to a domain/network/pool */
    VEV_DISCONNECTED,   /* the connection closed (libvirtd restarted, keepalive timeout) */
} VirtEventType;

typedef struct VirtEvent {
    VirtEventType type;
    SpecKind kind;
    char *name;
    int detail;         /* libvirt's lifecycle event code; -1 a balloon change, -2 metadata set */
} VirtEvent;

typedef void (*VirtEventHandler)(const VirtEvent *ev, void *userdata);

/* Starts libvirt's event thread (once per process), must run before any connection opens. */
int virt_events_start(uv_loop_t *loop, VirtEventHandler handler, void *userdata);
/* Subscribes a connection: lifecycle events of domains, networks and pools, a domain's balloon
 * and metadata changes, keepalive and the close callback. */
int virt_events_watch(void *conn);
void virt_events_unwatch(void *conn);
/* Whether metadata changes are watched on the connection (libvirt ≥ 3.0 and the right to): the
 * edit prefetch relies on them (edit-prefetch.h). */
bool virt_events_metadata_watched(void);
void virt_events_stop(void);
