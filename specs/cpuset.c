/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "spec-internal.h"

/* CPU and node sets: "0-3,8,^2" checked and written canonically. */

/* Parses "0-3,8,^2" into a bitmap of limit bits; false on a syntax error or an id >= limit. */
bool cpuset_bits(const char *s, unsigned limit, unsigned char *bits) {
    const char *p = s;
    bool any = false;
    if (!*s)
        return false;
    while (*p) {
        bool neg = *p == '^';
        unsigned long a, b;
        char *end;
        if (neg)
            p++;
        if (*p < '0' || *p > '9')
            return false;
        a = strtoul(p, &end, 10);
        b = a;
        p = end;
        if (*p == '-' && !neg) {
            p++;
            if (*p < '0' || *p > '9')
                return false;
            b = strtoul(p, &end, 10);
            p = end;
        }
        if (a > b || b >= limit)
            return false;
        for (unsigned long i = a; i <= b; i++) {
            if (neg)
                bits[i / 8] &= (unsigned char) ~(1u << (i % 8));
            else
                bits[i / 8] |= (unsigned char) (1u << (i % 8));
        }
        any = any || !neg;
        if (*p == ',')
            p++;
        else if (*p)
            return false;
        else
            break;
        if (!*p)
            return false;   /* trailing comma */
    }
    return any;
}

char *cpuset_canonical(const char *s, unsigned limit) {
    unsigned char *bits = xmalloc0(limit / 8 + 1);
    char *acc = NULL;
    if (cpuset_bits(s, limit, bits)) {
        for (unsigned i = 0; i < limit; i++) {
            if (!(bits[i / 8] & (1u << (i % 8))))
                continue;
            unsigned j = i;
            while (j + 1 < limit && (bits[(j + 1) / 8] & (1u << ((j + 1) % 8))))
                j++;
            char *n = j == i ? xasprintf("%s%s%u", acc ? acc : "", acc ? "," : "", i)
                             : xasprintf("%s%s%u-%u", acc ? acc : "", acc ? "," : "", i, j);
            free(acc);
            acc = n;
            i = j;
        }
        if (!acc)
            acc = NULL;   /* everything excluded */
    }
    free(bits);
    return acc;
}

bool cpuset_has(const char *canonical, unsigned id) {
    for (const char *p = canonical; p && *p;) {
        char *end;
        unsigned long a = strtoul(p, &end, 10), b = a;
        if (*end == '-')
            b = strtoul(end + 1, &end, 10);
        if (id >= a && id <= b)
            return true;
        p = *end == ',' ? end + 1 : end;
        if (end == p && *p)
            break;
    }
    return false;
}
