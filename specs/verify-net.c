/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>

#include "spec-internal.h"
#include "verify.h"

/* Validation of a domain's interfaces. */

/* Where a list entry was written: the first value the user gave in it (defaults have no
 * position), else the list itself. The entry is a struct of Values only (IfaceSpec). */
Pos item_pos(const void *item, size_t size, const List *list) {
    const Value *v = item;
    for (size_t i = 0; i < size / sizeof(Value); i++)
        if (v[i].set && !v[i].defaulted && v[i].line > 0)
            return (Pos) { v[i].line, v[i].col };
    return (Pos) { list->line, list->col };
}

/* 224.0.0.0/4 or ff00::/8 (canonical text, as parse_ip writes it) */
static bool ip_is_multicast(const char *ip) {
    if (strchr(ip, ':'))
        return strlen(ip) >= 2 && (ip[0] == 'f' || ip[0] == 'F') && (ip[1] == 'f' || ip[1] == 'F');
    int first = atoi(ip);
    return first >= 224 && first <= 239;
}

/* `ip` (and `netmask`) on an interface: the reservation itself is derived across the set
 * (spec-derive.c); here, what one document can tell. */
void verify_iface_ip(const Spec *s, const IfaceSpec *ifs, size_t i, DiagList *diags) {
    const IfaceSpec *f = &ifs[i];
    if (f->netmask.set && !f->ip.set)
        ERR(&f->netmask, "interfaces[%zu].netmask needs 'ip'", i);
    if (f->netmask.set && spec_netmask_prefix(f->netmask.s) < 0)
        ERR(&f->netmask, "interfaces[%zu].netmask must be a mask like 255.255.255.0 or a prefix "
            "length 8..30, got '%s'", i, f->netmask.s);
    if (!f->ip.set)
        return;
    if (value_ip_family(&f->ip) != 4)
        ERR(&f->ip, "interfaces[%zu].ip must be an IPv4 address (a DHCP reservation), got %s", i,
            f->ip.s);
    if (!streq(f->type.s, "network"))
        ERR(&f->ip, "interfaces[%zu].ip needs type network (a libvirt network's DHCP hands it "
            "out); type is %s", i, f->type.s);
    for (size_t j = 0; j < i; j++)
        if (ifs[j].ip.set && streq(ifs[j].ip.s, f->ip.s)) {
            ERR(&f->ip, "interfaces[%zu].ip %s is also interfaces[%zu].ip", i, f->ip.s, j);
            break;
        }
}

/* Point-to-point NICs (udp, mcast, server, client): which keys apply, which are required. */
void verify_tunnel(const Spec *s, const IfaceSpec *f, size_t i, DiagList *diags) {
    const char *t = f->type.s;
    bool tunnel = iface_is_tunnel(t), udp = streq(t, "udp");
    const struct { const Value *v; const char *key; bool ok; const char *types; } only[] = {
        { &f->tunnel_ip, "tunnel_ip", tunnel, "types udp, mcast, server, client" },
        { &f->tunnel_port, "tunnel_port", tunnel, "types udp, mcast, server, client" },
        { &f->tunnel_local_ip, "tunnel_local_ip", udp, "type udp" },
        { &f->tunnel_local_port, "tunnel_local_port", udp, "type udp" },
        { &f->target, "target", !tunnel, "types network, bridge, direct" },
    };
    for (size_t k = 0; k < ELEMENTSOF(only); k++)
        if (only[k].v->set && !only[k].ok)
            ERR(only[k].v, "interfaces[%zu].%s only applies to %s (type is %s)", i, only[k].key,
                only[k].types, t);
    if (!tunnel)
        return;
    if (!f->tunnel_port.set)
        ERR(&f->type, "interfaces[%zu] of type %s needs 'tunnel_port'", i, t);
    if (udp && !f->tunnel_local_port.set)
        ERR(&f->type, "interfaces[%zu] of type udp needs 'tunnel_local_port' (the port it receives on)", i);
    if (f->tunnel_ip.set && streq(t, "mcast") && !ip_is_multicast(f->tunnel_ip.s))
        ERR(&f->tunnel_ip, "interfaces[%zu].tunnel_ip of type mcast must be a multicast group "
            "(224.0.0.0/4 or ff00::/8), got %s", i, f->tunnel_ip.s);
    if (f->tunnel_ip.set && !streq(t, "mcast") && ip_is_multicast(f->tunnel_ip.s))
        ERR(&f->tunnel_ip, "interfaces[%zu].tunnel_ip %s is a multicast group: use type mcast", i,
            f->tunnel_ip.s);
    if (f->tunnel_local_ip.set && ip_is_multicast(f->tunnel_local_ip.s))
        ERR(&f->tunnel_local_ip, "interfaces[%zu].tunnel_local_ip must be a unicast address, got %s",
            i, f->tunnel_local_ip.s);
    if (udp && f->tunnel_port.set && f->tunnel_local_port.set &&
        value_int(&f->tunnel_port) == value_int(&f->tunnel_local_port) &&
        streq(f->tunnel_ip.set ? f->tunnel_ip.s : "127.0.0.1",
              f->tunnel_local_ip.set ? f->tunnel_local_ip.s : "127.0.0.1"))
        ERR(&f->tunnel_local_port, "interfaces[%zu]: a udp tunnel to its own address and port "
            "talks to itself; the peer needs another port", i);
}

/* A user-mode interface's backend and port forwards (docs/networks.md, "Port forwards"). */
static void verify_user_net(const Spec *s, const IfaceSpec *f, size_t i, DiagList *diags) {
    bool user = streq(f->type.s, "user");
    if (f->backend.set && !f->backend.defaulted && !user)
        ERR(&f->backend, "interfaces[%zu].backend only applies to type user (type is %s)", i, f->type.s);
    if (f->forward.n == 0)
        return;
    if (!user)
        ERR(&f->forward, "interfaces[%zu].forward only applies to type user (type is %s)", i, f->type.s);
    else if (streq(f->backend.s, "slirp"))
        ERR(&f->backend, "interfaces[%zu].forward needs backend auto or passt (libvirt's "
            "portForward is passt's; auto on a libvirt before 9.2: slirp, the forwards added "
            "through the QEMU monitor)", i);
    const PortForwardSpec *fw = f->forward.items;
    for (size_t k = 0; k < f->forward.n; k++)
        for (size_t j = 0; j < k; j++)
            if (value_int(&fw[k].host) == value_int(&fw[j].host) && streq(fw[k].proto.s, fw[j].proto.s) &&
                streq_ptr(fw[k].address.s, fw[j].address.s)) {
                ERR(&fw[k].host, "interfaces[%zu].forward[%zu]: host port %" PRId64 "/%s is "
                    "also forward[%zu]", i, k, value_int(&fw[k].host), fw[k].proto.s, j);
                break;
            }
}

/* Interfaces */
void verify_interfaces(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    const IfaceSpec *ifs = d->interfaces.items;
    for (size_t i = 0; i < d->interfaces.n; i++) {
        const IfaceSpec *f = &ifs[i];
        const char *t = f->type.s;
        const struct { const Value *v; const char *key, *type; } only[] = {
            { &f->network, "network", "network" }, { &f->portgroup, "portgroup", "network" },
            { &f->bridge, "bridge", "bridge" }, { &f->dev, "dev", "direct" },
            { &f->mode, "mode", "direct" }, { &f->trust_guest_rx_filters, "trust_guest_rx_filters", "direct" },
        };
        for (size_t k = 0; k < ELEMENTSOF(only); k++)
            if (only[k].v->set && !streq(t, only[k].type))
                ERR(only[k].v, "interfaces[%zu].%s only applies to type %s (type is %s)", i,
                    only[k].key, only[k].type, t);
        verify_iface_ip(s, ifs, i, diags);
        if (streq(t, "network") && !f->network.set && !f->ip.set) {
            /* type network is the default: then point at the entry, not the document */
            Pos p = f->type.defaulted ? item_pos(f, sizeof(*f), &d->interfaces)
                                      : (Pos) { f->type.line, f->type.col };
            ERR(&p, "interfaces[%zu] of type network needs 'network'", i);
        }
        if (streq(t, "bridge") && !f->bridge.set)
            ERR(&f->type, "interfaces[%zu] of type bridge needs 'bridge'", i);
        if (streq(t, "direct") && !f->dev.set)
            ERR(&f->type, "interfaces[%zu] of type direct needs 'dev'", i);
        verify_tunnel(s, f, i, diags);
        verify_user_net(s, f, i, diags);
        if (f->target.set) {
            static const char *const bad[] = { "vnet", "vif", "macvtap", "macvlan" };
            for (size_t k = 0; k < ELEMENTSOF(bad); k++)
                if (!strncmp(f->target.s, bad[k], strlen(bad[k])))
                    ERR(&f->target, "interfaces[%zu].target must not start with '%s' (libvirt "
                        "reserves it)", i, bad[k]);
        }
        if (f->queues.set && !streq(f->model.s, "virtio"))
            ERR(&f->queues, "interfaces[%zu].queues needs model virtio", i);
        if (f->driver_iommu.set && !streq(f->model.s, "virtio"))
            ERR(&f->driver_iommu, "interfaces[%zu].driver_iommu needs model virtio", i);
        if (f->pci_bus.set != f->pci_slot.set)
            ERR(f->pci_bus.set ? &f->pci_bus : &f->pci_slot,
                "interfaces[%zu] needs pci_bus and pci_slot together", i);
        if (value_int(&f->ovs) && !streq(t, "bridge"))
            ERR(&f->ovs, "interfaces[%zu].ovs needs type bridge (an Open vSwitch bridge)", i);
        if (f->ovs_interfaceid.set && !value_int(&f->ovs))
            ERR(&f->ovs_interfaceid, "interfaces[%zu].ovs_interfaceid needs ovs: true", i);
        for (size_t j = 0; j < i; j++)
            if (f->pci_bus.set && f->pci_slot.set && ifs[j].pci_bus.set && ifs[j].pci_slot.set &&
                value_int(&f->pci_bus) == value_int(&ifs[j].pci_bus) && value_int(&f->pci_slot) == value_int(&ifs[j].pci_slot)) {
                ERR(&f->pci_slot, "interfaces[%zu] uses PCI bus %" PRId64 " slot %" PRId64 " again",
                    i, value_int(&f->pci_bus), value_int(&f->pci_slot));
                break;
            }
        for (size_t j = 0; j < i; j++)
            if (f->mac.set && ifs[j].mac.set && streq(f->mac.s, ifs[j].mac.s)) {
                ERR(&f->mac, "MAC address %s is used twice", f->mac.s);
                break;
            }
    }
}
