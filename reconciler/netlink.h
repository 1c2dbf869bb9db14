/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The one kernel networking call virtspec makes itself, over rtnetlink: plugging a running
 * guest's tap device back into its network's bridge after virtspec restarted the network
 * (libvirt 9.0 recreates the bridge empty). What libvirt does for the same taps when its daemon
 * reconnects to running guests. Needs CAP_NET_ADMIN in the network namespace of the devices. */

/* Makes bridge the master of dev, gives dev the bridge's MTU (as libvirt does for a tap without
 * an MTU of its own) and sets it up. 0 when done, 1 when dev already was a port of bridge (nothing
 * changed), negative errno: -ENODEV for a missing device, -EPERM without CAP_NET_ADMIN. */
int netlink_enslave(const char *dev, const char *bridge);
/* Whether dev is a port of bridge: 1 yes, 0 no, negative errno (-ENODEV: either is missing).
 * Reading needs no privilege. */
int netlink_is_port(const char *dev, const char *bridge);
