/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <unistd.h>

#include "session-check.h"

bool session_uri(const char *uri) {
    return uri && strstr(uri, ":///session") != NULL;
}

#define NEED_SYSTEM "needs qemu:///system (root's libvirtd); this is a session connection"

static void warn_at(DiagList *d, const Spec *s, const Value *v, const char *what) {
    diag_add(d, DIAG_WARNING, s->file, v->line ? v->line : s->line, v->line ? v->col : s->col,
             "%s %s", what, NEED_SYSTEM);
}

static void check_domain(const Spec *s, DiagList *d) {
    const IfaceSpec *ifs = s->domain.interfaces.items;
    for (size_t i = 0; i < s->domain.interfaces.n; i++) {
        const IfaceSpec *f = &ifs[i];
        _cleanup_free_ char *what = NULL;
        if (streq(f->type.s, "bridge") || streq(f->type.s, "network"))
            what = xasprintf("interfaces[%zu] of type %s (a tap device; use type user)", i, f->type.s);
        else if (streq(f->type.s, "direct"))
            what = xasprintf("interfaces[%zu] of type direct (macvtap; use type user)", i);
        if (what)
            warn_at(d, s, &f->type, what);
        if (f->ip.set) {
            _cleanup_free_ char *w = xasprintf("interfaces[%zu].ip (a DHCP reservation in a libvirt network)", i);
            warn_at(d, s, &f->ip, w);
        }
    }
}

static void check_pool(const Spec *s, DiagList *d) {
    const PoolSpec *p = &s->pool;
    if (!streq(p->type.s, "dir")) {
        warn_at(d, s, &p->type, "a pool of this type");
        return;
    }
    if (value_int(&p->owner) != (int64_t) geteuid() || value_int(&p->group) != (int64_t) getegid())
        warn_at(d, s, p->owner.line ? &p->owner : p->group.line ? &p->group : &p->path,
                "a pool directory owned by another user (owner and group: set yours, id -u / id -g)");
    if (!p->path.set)
        return;
    /* not there yet: the nearest directory above it that is, where it would be made */
    _cleanup_free_ char *dir = xstrdup(p->path.s);
    for (char *slash; access(dir, F_OK) < 0 && (slash = strrchr(dir, '/')) && slash != dir;)
        *slash = 0;
    if (access(dir, W_OK) < 0)
        warn_at(d, s, &p->path, "a pool path you cannot write");
}

void session_check_spec(const Spec *s, DiagList *d) {
    if (s->kind == KIND_DOMAIN)
        check_domain(s, d);
    else if (s->kind == KIND_NETWORK)
        diag_add(d, DIAG_WARNING, s->file, s->line, s->col, "a libvirt network %s", NEED_SYSTEM);
    else if (s->kind == KIND_POOL)
        check_pool(s, d);
}
