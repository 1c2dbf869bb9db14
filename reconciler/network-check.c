/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What libvirt would only say when a network starts (or never): checked at plan time, so a plan
 * that shows "+ create" can be applied. vagrant-libvirt users meet both as late failures: a bridge
 * name a host interface already has, and a subnet another network already uses. */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdlib.h>

#include "network-check.h"
#include "xml-util.h"

/* libvirt refuses a bridge name another libvirt network has, but not one a host interface
 * already has: the network would be defined and then fail to start ("File exists"); for
 * forward: bridge, guests would fail to start on a bridge that is not there. Only when libvirtd
 * runs here (Engine.local): the host's interfaces are then ours to see. */
static int check_bridge(const Engine *e, const NetworkSpec *n, const char *have_bridge,
                        ObjectResult *r) {
    if (!n->bridge.set || n->bridge.defaulted || streq_ptr(have_bridge, n->bridge.s))
        return 0;   /* checked when the name is new to the network, not on every pass */
    if (e->elsewhere[0]) {
        diag_add(&r->diags, DIAG_WARNING, r->file, n->bridge.line, n->bridge.col, "bridge %s is not "
                 "checked against the host's interfaces: %s (libvirt says so when the network "
                 "starts)", n->bridge.s, e->elsewhere);
        return 0;
    }
    if (!e->local)
        return 0;
    bool exists = if_nametoindex(n->bridge.s) != 0;
    if (streq(n->forward.s, "bridge")) {
        if (!exists)
            return fail_at(r, &n->bridge, "bridge %s does not exist on this host (forward: bridge uses "
                           "an existing host bridge)", n->bridge.s);
        return 0;
    }
    if (exists)
        return fail_at(r, &n->bridge, "bridge name %s is already taken by a host interface; choose "
                       "another or leave bridge unset (libvirt then picks a free virbrN)", n->bridge.s);
    return 0;
}

typedef struct Subnet {
    uint32_t net, mask;
} Subnet;

static bool subnet_parse(const char *addr, int prefix, Subnet *ret) {
    struct in_addr a;
    if (!addr || prefix < 0 || prefix > 32 || inet_pton(AF_INET, addr, &a) != 1)
        return false;
    ret->mask = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
    ret->net = ntohl(a.s_addr) & ret->mask;
    return true;
}

/* The IPv4 subnets of a libvirt network definition: <ip address= prefix=|netmask=>. */
static size_t xml_subnets(xmlDoc *doc, Subnet *out, size_t max) {
    size_t n = 0;
    for (xmlNode *ip = xml_child(xmlDocGetRootElement(doc), "ip"); ip && n < max; ip = xml_next_named(ip)) {
        _cleanup_free_ char *fam = xml_get(ip, "@family");
        _cleanup_free_ char *addr = xml_get(ip, "@address");
        _cleanup_free_ char *prefix = xml_get(ip, "@prefix");
        _cleanup_free_ char *netmask = xml_get(ip, "@netmask");
        if (fam && !streq(fam, "ipv4"))
            continue;
        int p = 24;
        struct in_addr m;
        if (prefix)
            p = atoi(prefix);
        else if (netmask && inet_pton(AF_INET, netmask, &m) == 1)
            p = __builtin_popcount(ntohl(m.s_addr));
        if (subnet_parse(addr, p, &out[n]))
            n++;
    }
    return n;
}

static bool subnets_overlap(const Subnet *a, const Subnet *b) {
    uint32_t m = a->mask & b->mask;   /* the shorter prefix */
    return (a->net & m) == (b->net & m);
}

/* Two libvirt networks on one subnet: the second fails to start ("Network is already in use by
 * interface virbrN"), or worse, both run and the host routes to one of them. */
static int check_subnet(Engine *e, const NetworkSpec *n, ObjectResult *r) {
    Subnet want;
    if (!n->ip.set)
        return 0;
    _cleanup_free_ char *addr = xstrdup(n->ip.s);
    char *slash = strchr(addr, '/');
    if (!slash)
        return 0;
    *slash = 0;
    if (!subnet_parse(addr, atoi(slash + 1), &want))
        return 0;
    virNetworkPtr *nets = NULL;
    int count = virConnectListAllNetworks(e->conn, &nets, 0);
    if (count < 0)
        return 0;   /* the define will say what is wrong */
    int ret = 0;
    for (int i = 0; i < count; i++) {
        const char *name = virNetworkGetName(nets[i]);
        char *x = ret == 0 && !streq_ptr(name, n->name.s) ? virNetworkGetXMLDesc(nets[i], 0) : NULL;
        _cleanup_(xmlFreeDocp) xmlDoc *doc = x ? xml_parse(x) : NULL;
        free(x);
        Subnet have[8];
        size_t nh = doc ? xml_subnets(doc, have, ELEMENTSOF(have)) : 0;
        for (size_t j = 0; j < nh && ret == 0; j++)
            if (subnets_overlap(&want, &have[j]))
                ret = fail_at(r, &n->ip, "subnet %s overlaps libvirt network %s (%s/%d); give this "
                              "network another subnet, or use %s", n->ip.s, name,
                              inet_ntoa((struct in_addr) { htonl(have[j].net) }),
                              __builtin_popcount(have[j].mask), name);
        virNetworkFree(nets[i]);
    }
    free(nets);
    return ret;
}

int network_check_host(Engine *e, const NetworkSpec *n, bool exists, const char *have_bridge,
                       ObjectResult *r) {
    int ret = check_bridge(e, n, have_bridge, r);
    /* only before creating: an existing network's subnet change is a restart-class change that
     * libvirt checks itself when it restarts */
    if (!exists && check_subnet(e, n, r) < 0)
        ret = -EIO;
    return ret;
}
