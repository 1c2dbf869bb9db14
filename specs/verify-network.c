/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <strings.h>

#include "spec-internal.h"
#include "verify.h"

/* Validation of a Network: addresses, forward mode, DHCP, DNS hosts. */

/* Why an address (with or without a prefix) cannot be a network's: loopback, multicast, the
 * "this network" block; NULL when it can. */
static const char *special_address(const char *s) {
    _cleanup_free_ char *a = xstrndup(s, strcspn(s, "/"));
    unsigned char b[16];
    if (inet_pton(AF_INET, a, b) == 1) {
        if (b[0] == 127)
            return "a loopback address (127.0.0.0/8)";
        if (b[0] >= 224 && b[0] <= 239)
            return "a multicast address (224.0.0.0/4)";
        if (b[0] == 0)
            return "in 0.0.0.0/8 (this host on this network)";
        if (b[0] >= 240)
            return "a reserved or broadcast address (240.0.0.0/4)";
        return NULL;
    }
    if (inet_pton(AF_INET6, a, b) == 1) {
        static const unsigned char loop[16] = { [15] = 1 };
        if (!memcmp(b, loop, 16))
            return "the loopback address (::1)";
        if (b[0] == 0xff)
            return "a multicast address (ff00::/8)";
    }
    return NULL;
}

/* dns.hosts: an address of a family the network has, at least one valid name, no address or
 * name twice (libvirt 9.0 refuses a second record for an address; it accepts a shared name, and
 * then cannot delete either record: tests/integration/NOTES.md k). */
static void verify_dns_hosts(const Spec *s, DiagList *diags) {
    const NetworkSpec *n = &s->network;
    const DnsHostSpec *h = n->dns.hosts.items;
    for (size_t i = 0; i < n->dns.hosts.n; i++) {
        const Value *ip = &h[i].ip;
        if (ip->set && value_ip_family(ip) == 4 && !(n->ip.set && value_ip_family(&n->ip) == 4))
            ERR(ip, "dns host address %s is IPv4, and the network has no IPv4 'ip'", ip->s);
        else if (ip->set && value_ip_family(ip) == 6 && !(n->ipv6.set && value_ip_family(&n->ipv6) == 6))
            ERR(ip, "dns host address %s is IPv6, and the network has no 'ipv6'", ip->s);
        for (size_t j = 0; j < i && ip->set; j++)
            if (h[j].ip.set && streq(ip->s, h[j].ip.s)) {
                ERR(ip, "dns host address %s is listed twice", ip->s);
                break;
            }
        if (h[i].names.n == 0 && h[i].names.line > 0)
            ERR(&h[i].names, "a dns host needs at least one name");
        const Value *nm = h[i].names.items;
        for (size_t k = 0; k < h[i].names.n; k++) {
            if (!nm[k].s)
                continue;
            if (!valid_hostname(nm[k].s)) {
                ERR(&nm[k], "dns host name '%s' is not a host name (letters, digits, inner "
                    "dashes, dot-separated labels of 1 to 63)", nm[k].s);
                continue;
            }
            bool dup = false;
            for (size_t j = 0; j <= i && !dup; j++) {
                const Value *other = h[j].names.items;
                for (size_t m = 0; m < (j == i ? k : h[j].names.n) && !dup; m++)
                    dup = other[m].s && !strcasecmp(other[m].s, nm[k].s);
            }
            if (dup)
                ERR(&nm[k], "dns host name '%s' is listed twice", nm[k].s);
        }
    }
}

void verify_network(const Spec *s, DiagList *diags) {
    const NetworkSpec *n = &s->network;
    const char *fwd = n->forward.s;
    uint32_t host = 0, mask = 0, net = 0;
    bool have4 = false;

    if (n->ip.set) {
        if (value_ip_family(&n->ip) != 4)
            ERR(&n->ip, "'ip' is the IPv4 address/prefix; put IPv6 in 'ipv6'");
        else {
            _cleanup_free_ char *a = xstrndup(n->ip.s, strcspn(n->ip.s, "/"));
            int prefix = atoi(strchr(n->ip.s, '/') + 1);
            spec_ip4(a, &host);
            mask = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
            net = host & mask;
            have4 = true;
            if (prefix < 8 || prefix > 30)
                ERR(&n->ip, "network prefix /%d is outside /8../30", prefix);
            else if (host == net || host == (net | ~mask))
                ERR(&n->ip, "'%s' is the network or broadcast address; give the host's address "
                    "(e.g. the .1)", n->ip.s);
        }
    }
    if (n->ipv6.set && value_ip_family(&n->ipv6) != 6)
        ERR(&n->ipv6, "'ipv6' must be an IPv6 address/prefix");
    const Value *nets[] = { &n->ip, &n->ipv6 };
    for (size_t i = 0; i < ELEMENTSOF(nets); i++) {
        const char *why = nets[i]->set ? special_address(nets[i]->s) : NULL;
        if (why)
            ERR(nets[i], "'%s' %s is %s: a virtual network cannot use it", i ? "ipv6" : "ip",
                nets[i]->s, why);
    }
    if (streq(fwd, "bridge")) {
        if (!n->bridge.set)
            ERR(&n->forward, "forward bridge needs 'bridge' (an existing host bridge)");
        if (n->ip.set)
            ERR(&n->ip, "forward bridge networks have no 'ip': the host bridge carries it");
        if (n->dhcp.present.set)
            ERR(&n->dhcp.present, "forward bridge networks have no DHCP service");
        if (n->dns.present.set)
            ERR(&n->dns.present, "forward bridge networks have no DNS service");
    }
    if ((streq(fwd, "nat") || streq(fwd, "route") || streq(fwd, "open")) && !n->ip.set && !n->ipv6.set)
        ERR(&n->forward, "forward %s%s needs an address: give 'ip' (e.g. 192.168.100.1/24) or 'ipv6'"
            "%s (libvirt refuses %s forwarding without one)", fwd, n->forward.defaulted ? " (the default)" : "",
            n->forward.defaulted ? ", or forward: none for an isolated network" : "", fwd);
    if (streq(fwd, "veryisolated") && (n->ip.set || n->ipv6.set))
        ERR(n->ip.set ? &n->ip : &n->ipv6, "forward veryisolated networks have no address");
    if (n->forward_dev.set && !(streq(fwd, "nat") || streq(fwd, "route") || streq(fwd, "bridge")))
        ERR(&n->forward_dev, "forward_dev applies to forward nat, route or bridge");
    if (n->domain_local_only.set && !n->domain.set)
        ERR(&n->domain_local_only, "domain_local_only needs 'domain'");
    verify_dns_hosts(s, diags);
    if (n->dhcp.present.set) {
        if (!have4)
            ERR(&n->dhcp.present, "dhcp needs the network's IPv4 'ip'");
        if (n->dhcp.start.set != n->dhcp.end.set)
            ERR(&n->dhcp.present, "dhcp needs both start and end");
        uint32_t a = 0, b = 0;
        const Value *se[] = { &n->dhcp.start, &n->dhcp.end };
        for (size_t i = 0; i < 2 && have4; i++) {
            uint32_t x = 0;
            if (!se[i]->set)
                continue;
            if (!spec_ip4(se[i]->s, &x))
                ERR(se[i], "dhcp range addresses must be IPv4");
            else if ((x & mask) != net || x == net || x == (net | ~mask))
                ERR(se[i], "dhcp address %s is outside %s", se[i]->s, n->ip.s);
            else if (x == host)
                ERR(se[i], "dhcp address %s is the host's own address", se[i]->s);
            *(i == 0 ? &a : &b) = x;
        }
        if (a && b && a > b)
            ERR(&n->dhcp.end, "dhcp end %s comes before start %s", n->dhcp.end.s, n->dhcp.start.s);
        const DhcpHostSpec *h = n->dhcp.hosts.items;
        for (size_t i = 0; i < n->dhcp.hosts.n; i++) {
            uint32_t x = 0;
            /* it goes into dnsmasq's hosts file verbatim: "h1,set:evil" would add options */
            if (h[i].name.set && !valid_hostname(h[i].name.s))
                ERR(&h[i].name, "dhcp host name '%s' is not a host name (letters, digits, inner "
                    "dashes, dot-separated labels)", h[i].name.s);
            if (have4 && (!spec_ip4(h[i].ip.s, &x) || (x & mask) != net || x == host))
                ERR(&h[i].ip, "dhcp host address %s is not a guest address in %s", h[i].ip.s,
                    n->ip.s);
            bool dup_mac = false, dup_ip = false;
            for (size_t j = 0; j < i; j++) {
                if (!dup_mac && streq(h[i].mac.s, h[j].mac.s)) {
                    ERR(&h[i].mac, "dhcp host MAC %s is listed twice", h[i].mac.s);
                    dup_mac = true;
                }
                if (!dup_ip && streq(h[i].ip.s, h[j].ip.s)) {
                    ERR(&h[i].ip, "dhcp host address %s is listed twice", h[i].ip.s);
                    dup_ip = true;
                }
            }
        }
    }
}
