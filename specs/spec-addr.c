/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>

#include "macro.h"
#include "spec-addr.h"

/* IPv4 addresses and host names as spec values write them. */

bool spec_ip4(const char *s, uint32_t *ret) {
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1)
        return false;
    *ret = ntohl(a.s_addr);
    return true;
}

/* A host name of RFC 1123 labels (letters, digits, inner dashes; 1..63 each), dot-separated. */
bool valid_hostname(const char *s) {
    bool ok = strlen(s) <= 253;
    for (const char *c = s, *label = c; ok; c++) {
        if (*c == '.' || !*c) {
            ok = c > label && c - label <= 63 && label[0] != '-' && c[-1] != '-';
            if (!*c)
                break;
            label = c + 1;
        } else
            ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                 (*c >= '0' && *c <= '9') || *c == '-';
    }
    return ok;
}

int spec_netmask_prefix(const char *s) {
    uint32_t m;
    if (*s == '/')
        s++;
    if (!strchr(s, '.')) {
        char *end;
        long p = strtol(s, &end, 10);
        if (!*s || *end || p < 8 || p > 30)
            return -EINVAL;
        return (int) p;
    }
    if (!spec_ip4(s, &m) || (~m & (~m + 1)) != 0)   /* ones, then zeros only */
        return -EINVAL;
    int p = __builtin_popcount(m);
    return p >= 8 && p <= 30 ? p : -EINVAL;
}
