/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "spec-internal.h"
#include "verify.h"

/* Validation of a Pool: the keys its type takes. */

void verify_pool(const Spec *s, DiagList *diags) {
    const PoolSpec *p = &s->pool;
    const char *m = p->mode.s;
    bool ok = strlen(m) >= 3 && strlen(m) <= 4;
    for (const char *c = m; *c && ok; c++)
        ok = *c >= '0' && *c <= '7';
    if (!ok)
        ERR(&p->mode, "pool mode must be octal like 0755, got '%s'", m);
    if (p->path.set && streq(p->path.s, "/"))
        ERR(&p->path, "a pool cannot be the root directory");

    /* which keys a pool type takes */
    const char *t = p->type.s;
    bool logical = streq(t, "logical"), netfs = streq(t, "netfs");
    const struct { const Value *v; const char *key; bool ok; const char *types, *note; } only[] = {
        { &p->vg_name, "vg_name", logical, "type logical", "" },
        { &p->build, "build", logical, "type logical", "" },
        { &p->source_host, "source_host", netfs, "type netfs", "" },
        { &p->source_dir, "source_dir", netfs, "type netfs", "" },
        { &p->format, "format", netfs, "type netfs", "" },
        { &p->path, "path", !logical, "types dir and netfs", "; libvirt sets a logical pool's path to /dev/VG_NAME" },
        { &p->mode, "mode", !logical, "types dir and netfs", "" },
        { &p->owner, "owner", !logical, "types dir and netfs", "" },
        { &p->group, "group", !logical, "types dir and netfs", "" },
    };
    for (size_t k = 0; k < ELEMENTSOF(only); k++)
        if (only[k].v->set && !only[k].v->defaulted && !only[k].ok)
            ERR(only[k].v, "pool %s only applies to %s (type is %s%s)", only[k].key, only[k].types,
                t, only[k].note);
    if (p->source_devices.n > 0 && !logical)
        ERR(&p->source_devices, "pool source_devices only applies to type logical (type is %s)", t);
    if (!logical && !p->path.set)
        ERR(&(Pos) {}, "Pool needs 'path'");   /* the document: where a required key is missing */
    const Value *dev = p->source_devices.items;
    for (size_t i = 0; i < p->source_devices.n; i++) {
        if (dev[i].s[0] != '/' || strstr(dev[i].s, "/../") || strstr(dev[i].s, "/./"))
            ERR(&dev[i], "source_devices[%zu] must be an absolute device path like /dev/sdb, got "
                "'%s'", i, dev[i].s);
        for (size_t j = 0; j < i; j++)
            if (streq(dev[i].s, dev[j].s)) {
                ERR(&dev[i], "source_devices lists %s twice", dev[i].s);
                break;
            }
    }
    if (logical && value_int(&p->build) && p->source_devices.n == 0)
        ERR(&p->build, "build: true needs source_devices (the devices the volume group is created on)");
    if (netfs && !p->source_host.set)
        ERR(&p->type, "a netfs pool needs 'source_host'");
    if (netfs && !p->source_dir.set)
        ERR(&p->type, "a netfs pool needs 'source_dir'");
    if (p->source_host.set) {
        /* a host name (RFC 1123 labels) or an address */
        if (parse_ip(p->source_host.s, false, NULL, NULL, NULL) < 0 &&
            !valid_hostname(p->source_host.s))
            ERR(&p->source_host, "source_host must be a host name or an address, got '%s'",
                p->source_host.s);
    }
}
