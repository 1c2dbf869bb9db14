/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <libvirt/libvirt-qemu.h>
#include <stdio.h>
#include <string.h>

#include "hostfwd.h"
#include "term.h"
#include "virt-conn.h"
#include "xml-util.h"

/* Port forwards through the QEMU monitor (hostfwd.h): the parser and the diff are pure; the rest
 * speaks HMP through virDomainQemuMonitorCommand, this file alone. */

void hostfwd_list_clear(HostFwdList *l) {
    free(l->items);
    *l = (HostFwdList) {};
}

static void list_add(HostFwdList *l, const HostFwd *h) {
    *(HostFwd *) array_push(&l->items, &l->n, sizeof(HostFwd)) = *h;
}

/* "Hub -1 (hostnet0):" → whether it names netdev */
static bool section_is(const char *line, size_t len, const char *netdev) {
    const char *open = memchr(line, '(', len);
    size_t nl = strlen(netdev);
    return open && (size_t) (line + len - open) >= nl + 3 && !strncmp(open + 1, netdev, nl) &&
           !strncmp(open + 1 + nl, "):", 2);
}

int hostfwd_parse_usernet(const char *text, const char *netdev, HostFwdList *ret) {
    bool mine = false;
    int n = 0;
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t) (end - line) : strlen(line);
        _cleanup_free_ char *l = xstrndup(line, len);
        line = end ? end + 1 : NULL;
        l[strcspn(l, "\r")] = 0;
        if (l[0] && l[0] != ' ' && l[0] != '\t') {   /* a section: one slirp stack */
            mine = section_is(l, strlen(l), netdev);
            continue;
        }
        if (!mine || !strstr(l, "[HOST_FORWARD]"))
            continue;
        char proto[8], src[64], dst[64];
        int fd, sport, dport, used = 0;
        if (sscanf(l, " %7[A-Z][HOST_FORWARD] %d %63s %d %63s %d%n", proto, &fd, src, &sport, dst,
                   &dport, &used) != 6 || used == 0 || sport < 1 || sport > 65535 || dport < 1 ||
            dport > 65535)
            return -EINVAL;
        HostFwd h = { .host = sport, .guest = dport };
        if (streq(proto, "TCP"))
            strcpy(h.proto, "tcp");
        else if (streq(proto, "UDP"))
            strcpy(h.proto, "udp");
        else
            return -EINVAL;
        if (!streq(src, "*") && !streq(src, "0.0.0.0"))
            snprintf(h.addr, sizeof(h.addr), "%s", src);
        list_add(ret, &h);
        n++;
    }
    return n;
}

void hostfwd_from_spec(const IfaceSpec *f, HostFwdList *ret) {
    const PortForwardSpec *p = f->forward.items;
    for (size_t i = 0; i < f->forward.n; i++) {
        HostFwd h = { .host = (int) value_int(&p[i].host), .guest = (int) (p[i].guest.set ? value_int(&p[i].guest) : value_int(&p[i].host)) };
        snprintf(h.proto, sizeof(h.proto), "%s", p[i].proto.set ? p[i].proto.s : "tcp");
        if (p[i].address.set && !streq(p[i].address.s, "0.0.0.0"))
            snprintf(h.addr, sizeof(h.addr), "%s", p[i].address.s);
        list_add(ret, &h);
    }
}

/* the same listening socket: protocol, host address and port */
static bool same_socket(const HostFwd *a, const HostFwd *b) {
    return streq(a->proto, b->proto) && streq(a->addr, b->addr) && a->host == b->host;
}

static bool list_has(const HostFwdList *l, const HostFwd *h, bool guest_too) {
    for (size_t i = 0; i < l->n; i++)
        if (same_socket(&l->items[i], h) && (!guest_too || l->items[i].guest == h->guest))
            return true;
    return false;
}

static const HostFwd *find_socket(const HostFwdList *l, const HostFwd *h) {
    for (size_t i = 0; i < l->n; i++)
        if (same_socket(&l->items[i], h))
            return &l->items[i];
    return NULL;
}

static void step_add(HostFwdList *l, const HostFwd *h, bool remove) {
    HostFwd s = *h;
    s.remove = remove;
    list_add(l, &s);
}

/* Order: a forward on a new socket is added before any rule goes, so that a move whose new host
 * port is taken keeps the old forward; a socket kept with another guest port is removed and added
 * again (it cannot be added while it listens); then the sockets want no longer lists go. */
void hostfwd_diff(const HostFwdList *want, const HostFwdList *have, HostFwdList *ret) {
    HostFwdList done = {};   /* the sockets of want already planned (want lists each once) */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < want->n; i++) {
            const HostFwd *w = &want->items[i], *old = find_socket(have, w);
            if (list_has(have, w, true) || list_has(&done, w, false) || (pass == 0) != !old)
                continue;
            if (old)
                step_add(ret, old, true);
            step_add(ret, w, false);
            list_add(&done, w);
        }
    for (size_t i = 0; i < have->n; i++)
        if (!find_socket(want, &have->items[i]) && !list_has(&done, &have->items[i], false)) {
            step_add(ret, &have->items[i], true);
            list_add(&done, &have->items[i]);
        }
    hostfwd_list_clear(&done);
}

char *hostfwd_format(const HostFwd *h) {
    return xasprintf("%s %s:%d %s %d", h->proto, h->addr[0] ? h->addr : "*", h->host,
                     term_glyph(GLYPH_ARROW), h->guest);
}

char *hostfwd_rule(const HostFwd *h, bool with_guest) {
    if (with_guest)
        return xasprintf("%s:%s:%d-:%d", h->proto, h->addr, h->host, h->guest);
    return xasprintf("%s:%s:%d", h->proto, h->addr, h->host);
}

static bool forwards_by_monitor(unsigned long lib_version) {
    return lib_version < HOSTFWD_PASST_LIBVIRT;
}

int hostfwd_check(const DomainSpec *d, unsigned long lib_version, ObjectResult *r) {
    const IfaceSpec *ifs = d->interfaces.items;
    int ret = 0;
    if (!forwards_by_monitor(lib_version))
        return 0;
    for (size_t i = 0; i < d->interfaces.n; i++) {
        if (streq_ptr(ifs[i].type.s, "user") && streq_ptr(ifs[i].backend.s, "passt"))
            ret = fail_at(r, &ifs[i].backend, "interfaces[%zu].backend: passt needs libvirt 9.2 or "
                          "later (this libvirt is %lu.%lu.%lu); leave backend auto: slirp, with "
                          "the forwards added through the QEMU monitor", i, lib_version / 1000000,
                          lib_version / 1000 % 1000, lib_version % 1000);
        const PortForwardSpec *p = ifs[i].forward.items;
        for (size_t k = 0; streq_ptr(ifs[i].type.s, "user") && k < ifs[i].forward.n; k++)
            if (p[k].address.set && strchr(p[k].address.s, ':'))
                ret = fail_at(r, &p[k].address, "interfaces[%zu].forward[%zu].address: %s is IPv6; "
                              "on this libvirt (%lu.%lu.%lu) forwards are QEMU slirp's hostfwd, "
                              "IPv4 only; libvirt 9.2 or later with passt takes IPv6", i, k,
                              p[k].address.s, lib_version / 1000000, lib_version / 1000 % 1000,
                              lib_version % 1000);
    }
    return ret;
}

bool hostfwd_wanted(const DomainSpec *d, unsigned long lib_version) {
    const IfaceSpec *ifs = d->interfaces.items;
    if (!forwards_by_monitor(lib_version))
        return false;
    for (size_t i = 0; i < d->interfaces.n; i++)
        if (streq_ptr(ifs[i].type.s, "user") && ifs[i].forward.line > 0)
            return true;
    return false;
}

/* One HMP command; its text (empty for hostfwd_add/remove that worked), or NULL with *ret_err. */
static char *hmp(virDomainPtr dom, const char *cmd, char **ret_err) {
    char *out = NULL;
    if (virDomainQemuMonitorCommand(dom, cmd, &out, VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP) < 0) {
        *ret_err = xasprintf("QEMU monitor '%s': %s", cmd, virt_error_message());
        return NULL;
    }
    return out ? out : xstrdup("");
}

/* The netdev of the live interface with this MAC: libvirt names it "host" + its alias (net0). */
static char *netdev_of(const xmlNode *root, const char *mac) {
    xmlNode *devs = xml_child(root, "devices");
    for (xmlNode *c = devs ? devs->children : NULL; c; c = c->next) {
        if (!xml_is(c, "interface"))
            continue;
        _cleanup_free_ char *m = xml_get(c, "mac/@address"), *alias = xml_get(c, "alias/@name");
        if (m && alias && !strcasecmp(m, mac))
            return xasprintf("host%s", alias);
    }
    return NULL;
}

/* add or remove one rule, with its action */
static int change_rule(virDomainPtr dom, const char *netdev, size_t i, const HostFwd *h, bool add,
                       bool apply, ObjectResult *r) {
    _cleanup_free_ char *key = xasprintf("interfaces[%zu].forward", i), *what = hostfwd_format(h);
    _cleanup_free_ char *to = xasprintf("%c %s", add ? '+' : '-', what);
    action_add_set(r, key, NULL, to, CHANGE_LIVE, "live, QEMU monitor");
    if (!apply)
        return 0;
    _cleanup_free_ char *rule = hostfwd_rule(h, add), *err = NULL;
    _cleanup_free_ char *cmd = xasprintf("hostfwd_%s %s %s", add ? "add" : "remove", netdev, rule);
    virt_count_mutation();
    _cleanup_free_ char *out = hmp(dom, cmd, &err);
    if (!out)
        return fail(r, "%s", err);
    r->mutated = true;
    /* hostfwd_add says nothing when it worked; hostfwd_remove says "… removed" */
    if (add ? out[strspn(out, " \r\n")] != 0 : !strstr(out, "removed"))
        return fail(r, "QEMU monitor '%s': %.*s", cmd, (int) strcspn(out, "\r\n"), out);
    return 0;
}

void hostfwd_converge(virDomainPtr dom, xmlDoc *live, const DomainSpec *d, bool apply,
                      ObjectResult *r) {
    const IfaceSpec *ifs = d->interfaces.items;
    _cleanup_free_ char *x = live ? NULL : virDomainGetXMLDesc(dom, 0), *usernet = NULL, *err = NULL;
    _cleanup_(xmlFreeDocp) xmlDoc *read = x ? xml_parse(x) : NULL;
    if (!live && !(live = read)) {
        fail(r, "reading the running definition: %s", virt_error_message());
        return;
    }
    for (size_t i = 0; i < d->interfaces.n; i++) {
        if (!streq_ptr(ifs[i].type.s, "user") || ifs[i].forward.line == 0)
            continue;
        _cleanup_free_ char *netdev = netdev_of(xmlDocGetRootElement(live), ifs[i].mac.s);
        if (!netdev)
            continue;   /* not in the running domain yet (added to the definition: next boot) */
        if (!usernet && !(usernet = hmp(dom, "info usernet", &err))) {
            fail(r, "%s", err);
            return;
        }
        _cleanup_(hostfwd_list_clear) HostFwdList want = {}, have = {}, plan = {};
        if (hostfwd_parse_usernet(usernet, netdev, &have) < 0) {
            fail(r, "QEMU monitor 'info usernet': cannot read the forwards of %s", netdev);
            continue;
        }
        hostfwd_from_spec(&ifs[i], &want);
        hostfwd_diff(&want, &have, &plan);
        /* every rule is tried and every failure reported; once an add failed, no rule of this
         * NIC is removed (a moved forward keeps its old socket until the new one works) */
        bool add_failed = false;
        for (size_t k = 0; k < plan.n; k++) {
            const HostFwd *h = &plan.items[k];
            if (h->remove && add_failed)
                continue;
            if (change_rule(dom, netdev, i, h, !h->remove, apply, r) < 0 && !h->remove)
                add_failed = true;
        }
    }
}
