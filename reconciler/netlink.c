/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "macro.h"
#include "netlink.h"

/* rtnetlink by hand: one request, one answer (a link or an acknowledgement). */

typedef struct NlRequest {
    struct nlmsghdr h;
    struct ifinfomsg i;
    char attrs[64];
} NlRequest;

static void closep(int *fd) {
    if (*fd >= 0)
        close(*fd);
}

static void nl_add_u32(NlRequest *q, unsigned short type, uint32_t v) {
    struct rtattr *a = (struct rtattr *) ((char *) q + NLMSG_ALIGN(q->h.nlmsg_len));
    a->rta_type = type;
    a->rta_len = RTA_LENGTH(sizeof(v));
    memcpy(RTA_DATA(a), &v, sizeof(v));
    q->h.nlmsg_len = NLMSG_ALIGN(q->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* Sends q and reads the answer into buf: the message (RTM_NEWLINK for a query), or 0 / a negative
 * errno for an acknowledgement. Returns the answer's length, or a negative errno. */
static int nl_talk(int fd, NlRequest *q, char *buf, size_t size) {
    static uint32_t seq;
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    q->h.nlmsg_seq = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
    if (sendto(fd, q, q->h.nlmsg_len, 0, (struct sockaddr *) &kernel, sizeof(kernel)) < 0)
        return -errno;
    for (;;) {
        ssize_t n = recv(fd, buf, size, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (size_t) n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_seq != q->h.nlmsg_seq)
                continue;
            if (h->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *e = NLMSG_DATA(h);
                return e->error;   /* 0: acknowledged */
            }
            memmove(buf, h, h->nlmsg_len);
            return (int) h->nlmsg_len;
        }
    }
}

/* A link's master (0: none) and MTU. */
static int nl_link(int fd, unsigned ifindex, uint32_t *ret_master, uint32_t *ret_mtu) {
    NlRequest q = {
        .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)), .nlmsg_type = RTM_GETLINK,
               .nlmsg_flags = NLM_F_REQUEST },
        .i = { .ifi_family = AF_UNSPEC, .ifi_index = (int) ifindex },
    };
    char buf[16384];
    int n = nl_talk(fd, &q, buf, sizeof(buf));
    if (n <= 0)
        return n < 0 ? n : -EPROTO;
    struct nlmsghdr *h = (struct nlmsghdr *) buf;
    if (h->nlmsg_type != RTM_NEWLINK)
        return -EPROTO;
    int len = (int) IFLA_PAYLOAD(h);
    *ret_master = *ret_mtu = 0;
    for (struct rtattr *a = IFLA_RTA(NLMSG_DATA(h)); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type == IFLA_MASTER && RTA_PAYLOAD(a) >= 4)
            memcpy(ret_master, RTA_DATA(a), 4);
        else if (a->rta_type == IFLA_MTU && RTA_PAYLOAD(a) >= 4)
            memcpy(ret_mtu, RTA_DATA(a), 4);
    }
    return 0;
}

/* The two links: dev's master and MTU, the bridge's MTU, on an open rtnetlink socket *ret_fd. */
static int nl_pair(const char *dev, const char *bridge, int *ret_fd, unsigned *ret_di, unsigned *ret_bi,
                   uint32_t *ret_master, uint32_t *ret_mtu, uint32_t *ret_br_mtu) {
    unsigned di = if_nametoindex(dev), bi = if_nametoindex(bridge);
    if (di == 0 || bi == 0)
        return -ENODEV;
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return -errno;
    *ret_fd = fd;
    uint32_t br_master;
    int r = nl_link(fd, di, ret_master, ret_mtu);
    if (r < 0 || (r = nl_link(fd, bi, &br_master, ret_br_mtu)) < 0)
        return r;
    *ret_di = di;
    *ret_bi = bi;
    return 0;
}

int netlink_is_port(const char *dev, const char *bridge) {
    _cleanup_(closep) int fd = -1;
    unsigned di, bi;
    uint32_t master, mtu, br_mtu;
    int r = nl_pair(dev, bridge, &fd, &di, &bi, &master, &mtu, &br_mtu);
    return r < 0 ? r : master == bi;
}

int netlink_enslave(const char *dev, const char *bridge) {
    _cleanup_(closep) int fd = -1;
    unsigned di, bi;
    uint32_t master, mtu, br_mtu;
    int r = nl_pair(dev, bridge, &fd, &di, &bi, &master, &mtu, &br_mtu);
    if (r < 0)
        return r;
    if (master == bi)
        return 1;
    NlRequest q = {
        .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)), .nlmsg_type = RTM_NEWLINK,
               .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK },
        .i = { .ifi_family = AF_UNSPEC, .ifi_index = (int) di, .ifi_flags = IFF_UP,
               .ifi_change = IFF_UP },
    };
    nl_add_u32(&q, IFLA_MASTER, bi);
    if (br_mtu > 0 && br_mtu != mtu)
        nl_add_u32(&q, IFLA_MTU, br_mtu);
    char buf[4096];
    r = nl_talk(fd, &q, buf, sizeof(buf));
    return r > 0 ? -EPROTO : r;
}
