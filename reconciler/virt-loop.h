/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* libvirt's client event loop, virtspec's own (virEventRegisterImpl): a poll(2) loop on a thread
 * of its own that runs the socket watches and timers of libvirt's client — keepalive, the domain,
 * network and pool events, the close callback.
 *
 * Why not libvirt's default loop (virEventRegisterDefaultImpl, GLib's in libvirt 9.0): each RPC
 * a worker makes on a watched connection disables the connection's socket watch and enables it
 * again (virNetClientIO), and each reply moves the keepalive timer; GLib's loop destroys and
 * re-creates a source for each of those and wakes its thread each time. With 10,000 domains the
 * daemon's first pass spent 1.3 s of CPU on that thread and about as much again on the workers'
 * side of it (docs/performance.md, row 7b). Here turning a watch off wakes nothing (the loop
 * never calls a disabled watch and leaves it out of its next poll), a watch turned on is polled
 * once it has stayed on for SETTLE_MS (20 ms), and a timer moved later wakes nothing. So while
 * calls come less than 20 ms apart (a pass over many domains, an edit's few calls) the loop wakes
 * about once per 20 ms; a lone call still costs it a wake-up or two (the reply, the settling). */

/* Registers the loop with libvirt and starts its thread, once per process (later calls return
 * what the first did). Before any connection opens: libvirt watches a connection only if a loop
 * was registered when it opened. 0, or a negative errno. */
int virt_loop_start(void);

/* How often the loop's thread has woken (returned from poll): tests/unit/test-virt-loop.c. */
unsigned long virt_loop_wakeups(void);
