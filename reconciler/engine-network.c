/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <pthread.h>

#include "engine-network.h"
#include "engine-object.h"
#include "netlink.h"
#include "network-check.h"
#include "render.h"
#include "virt-conn.h"
#include "xml-util.h"

/* A network defined without a bridge name gets a free virbrN from libvirt 9.0; two such defines
 * at once (the CLI's workers, the daemon's passes) both got virbr0 (seen: CI, test-ip under ASan:
 * the second network failed to start, "error creating bridge interface virbr0: File exists",
 * and every redefine after "bridge name 'virbr0' already in use"). One new network at a time in
 * this process: the next define sees the first one's bridge. */
static pthread_mutex_t new_network_lock = PTHREAD_MUTEX_INITIALIZER;

static int net_get_autostart(void *o, int *ret) { return virNetworkGetAutostart(o, ret); }
static int net_set_autostart(void *o, int on) { return virNetworkSetAutostart(o, on); }
static int net_is_active(void *o) { return virNetworkIsActive(o); }
static int net_start(void *o) { return virNetworkCreate(o); }
static const LifecycleOps network_ops = { net_get_autostart, net_set_autostart, net_is_active, net_start };

static int net_update(virNetworkPtr net, unsigned cmd, unsigned section, xmlDoc *doc, xmlNode *n,
                      ObjectResult *r, const char *what) {
    _cleanup_free_ char *x = xml_node_to_string(doc, n);
    virt_count_mutation();
    if (virNetworkUpdate(net, cmd, section, -1, x,
                         VIR_NETWORK_UPDATE_AFFECT_LIVE | VIR_NETWORK_UPDATE_AFFECT_CONFIG) < 0) {
        action_add(r, ACTION_LIVE_WAITS, what, "%s", virt_error_message());
        return -EIO;
    }
    return 0;
}

/* Lists of a network whose items libvirt changes on the running network (virNetworkUpdate):
 * DHCP static hosts, and DNS host records. libvirt cannot modify a DNS host record in place
 * ("only added or deleted"): a changed one is deleted and added again. */
typedef struct NetItemSection {
    const char *xml_elem;       /* the list table's xml_elem */
    unsigned section;
    bool modify;                /* VIR_NETWORK_UPDATE_COMMAND_MODIFY works for it */
} NetItemSection;

static const NetItemSection net_item_sections[] = {
    { "ip/dhcp/host", VIR_NETWORK_SECTION_IP_DHCP_HOST, true },
    { "dns/host", VIR_NETWORK_SECTION_DNS_HOST, false },
};

static const NetItemSection *net_item_section(const Change *c) {
    for (size_t i = 0; c->list && i < ELEMENTSOF(net_item_sections); i++)
        if (streq(c->list->sub->xml_elem, net_item_sections[i].xml_elem))
            return &net_item_sections[i];
    return NULL;
}

/* Whether an earlier change of d (before index i) is about the same list item. */
static bool item_seen_before(const Diff *d, size_t i) {
    const Change *c = &d->items[i];
    for (size_t j = 0; j < i; j++)
        if (d->items[j].list == c->list && streq_ptr(d->items[j].item_key, c->item_key))
            return true;
    return false;
}

/* One list item on the running network: deletions first (pass 0), then additions and in-place
 * modifications (pass 1), so that a name moving from one DNS record to another never meets
 * libvirt's "a record with a matching field exists". */
static void net_update_item(virNetworkPtr net, const Diff *d, size_t i, int pass, xmlDoc *want,
                            xmlDoc *have, ObjectResult *r) {
    const Change *c = &d->items[i];
    const NetItemSection *sec = net_item_section(c);
    if (!sec || (c->op == OP_SET && item_seen_before(d, i)))
        return;   /* one update per item, whatever number of its fields changed */
    xmlNode *w = diff_find_item(xmlDocGetRootElement(want), c->list->sub, c->item_key);
    xmlNode *h = diff_find_item(xmlDocGetRootElement(have), c->list->sub, c->item_key);
    bool replace = c->op == OP_SET && !sec->modify;
    if (pass == 0 && h && (c->op == OP_REMOVE || replace))
        net_update(net, VIR_NETWORK_UPDATE_COMMAND_DELETE, sec->section, have, h, r, c->path);
    else if (pass == 1 && w && (c->op == OP_ADD || replace))
        net_update(net, VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, sec->section, want, w, r, c->path);
    else if (pass == 1 && w && c->op == OP_SET)
        net_update(net, VIR_NETWORK_UPDATE_COMMAND_MODIFY, sec->section, want, w, r, c->path);
}

static void network_update_live(virNetworkPtr net, const Diff *d, xmlDoc *want, xmlDoc *have,
                                ObjectResult *r) {
    xmlNode *wdhcp = xml_find(xmlDocGetRootElement(want), "ip/dhcp");
    xmlNode *hdhcp = xml_find(xmlDocGetRootElement(have), "ip/dhcp");
    bool range_done = false;

    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < d->n; i++)
            if (d->items[i].op != OP_UNMANAGED && d->items[i].cls == CHANGE_LIVE)
                net_update_item(net, d, i, pass, want, have, r);
    for (size_t i = 0; i < d->n; i++) {
        const Change *c = &d->items[i];
        if (c->op == OP_UNMANAGED || c->cls != CHANGE_LIVE || c->list)
            continue;
        if (c->row && (streq(c->row->key, "start") || streq(c->row->key, "end")) && !range_done) {
            range_done = true;
            xmlNode *hr = xml_child(hdhcp, "range"), *wr = xml_child(wdhcp, "range");
            if (hr)
                net_update(net, VIR_NETWORK_UPDATE_COMMAND_DELETE, VIR_NETWORK_SECTION_IP_DHCP_RANGE,
                           have, hr, r, c->path);
            if (wr)
                net_update(net, VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, VIR_NETWORK_SECTION_IP_DHCP_RANGE,
                           want, wr, r, c->path);
        }
    }
}

/* Appends item (taken) to the ", "-separated list *acc. */
static void append_item(char **acc, char *item) {
    char *n = *acc ? xasprintf("%s, %s", *acc, item) : xstrdup(item);
    free(item);
    free(*acc);
    *acc = n;
}

/* The taps of one running domain's NICs on network name: enslaved to bridge again (local), or
 * added to *cut (a remote connection, or the kernel said no). steady: a check on a pass that
 * restarted nothing — a tap that is already a port is the normal case, one that vanished is a
 * guest stopping meanwhile; a plan only says what apply would plug back. */
static void reattach_domain(Engine *e, virDomainPtr dom, const char *name, const char *bridge,
                            bool steady, ObjectResult *r, char **cut) {
    char *x = virDomainGetXMLDesc(dom, 0);
    _cleanup_(xmlFreeDocp) xmlDoc *doc = x ? xml_parse(x) : NULL;
    free(x);
    xmlNode *devs = doc ? xml_child(xmlDocGetRootElement(doc), "devices") : NULL;
    const char *dname = virDomainGetName(dom);
    for (xmlNode *i = xml_child(devs, "interface"); i; i = xml_next_named(i)) {
        _cleanup_free_ char *type = xml_get(i, "@type");
        _cleanup_free_ char *src = xml_get(i, "source/@network");
        _cleanup_free_ char *tap = xml_get(i, "target/@dev");
        if (!streq_ptr(type, "network") || !streq_ptr(src, name) || !tap)
            continue;
        if (!e->local) {
            append_item(cut, xasprintf("%s (%s)", dname, tap));
            continue;
        }
        int rc = e->apply ? netlink_enslave(tap, bridge) : netlink_is_port(tap, bridge);
        if (rc == 1 || (steady && rc == -ENODEV))
            continue;
        if (rc == 0 && e->apply)
            action_add(r, ACTION_REPLUG, dname, "%s: %s plugged into %s again", dname, tap, bridge);
        else if (rc == 0) {
            action_add(r, ACTION_REPLUG, dname, "%s: %s is no port of %s: it would be plugged back in", dname, tap, bridge);
            if (r->state == SYNC_IN_SYNC)
                r->state = SYNC_DRIFTED;
        } else if (e->apply)
            append_item(cut, xasprintf("%s (%s: %s)", dname, tap, strerror(-rc)));
    }
}

/* After virtspec started an existing network again: libvirt 9.0 recreates the bridge without the
 * running guests' taps (tests/integration/NOTES.md), so each running domain's NIC on it is
 * plugged back, as libvirt does when its daemon reconnects to running guests. Only on a local
 * connection; otherwise, or when that fails, the guests are reported as needing attention.
 * steady: every other pass over an active network on a local connection checks the same, so a
 * re-plug that failed stays failed (and is retried) until the taps are ports of the bridge again,
 * across restarts of virtspec too. */
static void network_reattach_guests(Engine *e, virNetworkPtr net, const char *name, bool steady,
                                    ObjectResult *r) {
    _cleanup_free_ char *bridge = virNetworkGetBridgeName(net);
    if (!bridge && steady)
        return;
    virDomainPtr *doms = NULL;
    int n = bridge ? virConnectListAllDomains(e->conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE) : -1;
    if (n < 0) {
        fail(r, "finding the guests of the restarted network: %s", virt_error_message());
        return;
    }
    _cleanup_free_ char *cut = NULL;
    for (int i = 0; i < n; i++) {
        reattach_domain(e, doms[i], name, bridge, steady, r, &cut);
        virDomainFree(doms[i]);
    }
    free(doms);
    if (cut)
        fail(r, "running guests are cut off from %s and need attention (ip link set TAP master "
             "%s up, or restart the guest)%s: %s", bridge, bridge,
             e->local ? "" : "; libvirt is not local, so virtspec cannot plug them back", cut);
}

/* Networks whose bridge libvirt makes (and remakes on a restart): their guests' taps must be its
 * ports. A host bridge (forward: bridge) is not libvirt's to remake, and may be Open vSwitch's. */
static bool network_owns_bridge(const NetworkSpec *n) {
    return !streq_ptr(n->forward.s, "bridge");
}

/* reload: auto: a restart-pending network is restarted now, and its guests plugged back. */
static int network_restart(Engine *e, virNetworkPtr net, const char *name, ObjectResult *r) {
    action_add(r, ACTION_RESTART, NULL, NULL);
    virt_count_mutation();
    if (virNetworkDestroy(net) < 0)
        return fail(r, "restart: stopping the network: %s", virt_error_message());
    r->mutated = true;
    virt_count_mutation();
    if (virNetworkCreate(net) < 0)
        return fail(r, "restart: starting the network: %s", virt_error_message());
    clear_pending(r);
    network_reattach_guests(e, net, name, false, r);
    return r->state == SYNC_FAILED ? -EIO : 0;
}

void reconcile_network(Engine *e, const Spec *s, ObjectResult *r) {
    const NetworkSpec *n = &s->network;
    bool was_down = false;
    RenderOpts ro = { .host_kvm = e->host_kvm, .show_secrets = true };
    _cleanup_(xmlFreeDocp) xmlDoc *want = NULL;
    render_spec(s, &ro, &want);
    if (check_hatch_schema(s, want, r) < 0)
        return;

    _cleanup_(virNetworkFreep) virNetworkPtr net = virNetworkLookupByName(e->conn, n->name.s);
    if (!net) {
        if (virt_error_errno() != -ENOENT) {
            fail(r, "looking up network: %s", virt_error_message());
            return;
        }
        r->state = SYNC_MISSING;
        if (network_check_host(e, n, false, NULL, r) < 0)
            return;
        action_add(r, ACTION_CREATE, NULL, NULL);
        if (!e->apply) {
            if (value_int(&n->autostart))
                action_add_set(r, "autostart", NULL, "true", CHANGE_LIVE, NULL);
            action_add(r, ACTION_START, NULL, NULL);
            return;
        }
        _cleanup_free_ char *x = xml_to_string(want);
        virt_count_mutation();
        pthread_mutex_lock(&new_network_lock);
        net = virNetworkDefineXMLFlags(e->conn, x, has_hatch(s) ? VIR_NETWORK_DEFINE_VALIDATE : 0);
        pthread_mutex_unlock(&new_network_lock);
        if (!net) {
            fail(r, "define failed: %s", virt_error_message());
            return;
        }
        r->mutated = true;
    } else {
        char *x = virNetworkGetXMLDesc(net, VIR_NETWORK_XML_INACTIVE);
        _cleanup_(xmlFreeDocp) xmlDoc *have = x ? xml_parse(x) : NULL;
        free(x);
        if (!have) {
            fail(r, "reading network: %s", virt_error_message());
            return;
        }
        if (foreign_conflict(r, observe_owned(have), value_int(&n->adopt)))
            return;
        _cleanup_free_ char *have_bridge = xml_get(xmlDocGetRootElement(have), "bridge/@name");
        if (network_check_host(e, n, true, have_bridge, r) < 0)
            return;
        _cleanup_free_ char *managed = observe_managed(have);
        diff_compute(KIND_NETWORK, want, have, managed, &r->diff);
        bool active = virNetworkIsActive(net) == 1;
        if (diff_count_effective(&r->diff) > 0 || !observe_owned(have)) {
            r->state = SYNC_DRIFTED;
            if (!e->apply && !observe_owned(have))
                action_add(r, ACTION_ADOPT, NULL, "add virtspec ownership metadata");
            if (e->apply) {
                /* DHCP ranges, static hosts and DNS host records change on the running
                 * network (the bridge stays up); the rest goes into the persistent
                 * definition. */
                if (active)
                    network_update_live(net, &r->diff, want, have, r);
                diff_patch(KIND_NETWORK, &r->diff, want, have);
                copy_metadata(want, have);
                _cleanup_free_ char *nx = xml_to_string(have);
                virt_count_mutation();
                _cleanup_(virNetworkFreep) virNetworkPtr nn =
                    virNetworkDefineXMLFlags(e->conn, nx, has_hatch(s) ? VIR_NETWORK_DEFINE_VALIDATE : 0);
                if (!nn) {
                    fail(r, "redefine failed: %s", virt_error_message());
                    return;
                }
                r->mutated = true;
            }
        }
        if (active) {
            /* restart-pending: the running network against its persistent definition */
            char *px = virNetworkGetXMLDesc(net, VIR_NETWORK_XML_INACTIVE);
            char *lx = virNetworkGetXMLDesc(net, 0);
            _cleanup_(xmlFreeDocp) xmlDoc *pd = px ? xml_parse(px) : NULL;
            _cleanup_(xmlFreeDocp) xmlDoc *ld = lx ? xml_parse(lx) : NULL;
            free(px);
            free(lx);
            if (pd && ld) {
                _cleanup_free_ char *pm = observe_managed(pd);
                Diff pend;
                diff_compute(KIND_NETWORK, e->apply ? pd : want, ld, pm, &pend);
                for (size_t i = 0; i < pend.n; i++)
                    if (pend.items[i].op != OP_UNMANAGED &&
                        !(pend.items[i].op == OP_SET && !pend.items[i].new_value) &&
                        (e->apply || pend.items[i].cls == CHANGE_CONFIG))
                        add_pending(r, pend.items[i].path);
                diff_clear(&pend);
            }
            if (r->n_pending > 0 && streq(n->reload.s, "auto")) {
                if (!e->apply)
                    action_add(r, ACTION_RESTART, NULL, "running guests are plugged back in");
                else if (network_restart(e, net, n->name.s, r) < 0)
                    return;
            }
        }
        was_down = !active;
    }
    converge_lifecycle(e, r, &network_ops, net, n->autostart);
    if (r->state == SYNC_FAILED || virNetworkIsActive(net) != 1)
        return;
    /* a network found stopped and started again: its running guests were cut off */
    if (e->apply && was_down)
        network_reattach_guests(e, net, n->name.s, false, r);
    /* otherwise (locally) the taps are observed all the same: a re-plug that failed before, or
     * a bridge someone else remade, shows and is mended */
    else if (e->local && network_owns_bridge(n))
        network_reattach_guests(e, net, n->name.s, true, r);
    else if (e->elsewhere[0] && network_owns_bridge(n))
        diag_add(&r->diags, DIAG_WARNING, r->file, n->name.line, n->name.col, "network %s: the "
                 "running guests' taps are not checked to be ports of its bridge: %s", n->name.s,
                 e->elsewhere);
}

int engine_destroy_network(Engine *e, const char *name, DomainStays stays, void *userdata,
                           ObjectResult *r) {
    _cleanup_(virNetworkFreep) virNetworkPtr net = virNetworkLookupByName(e->conn, name);
    if (!net)
        return virt_error_errno() == -ENOENT ? 0 : fail(r, "looking up network: %s", virt_error_message());
    char *x = virNetworkGetXMLDesc(net, VIR_NETWORK_XML_INACTIVE);
    _cleanup_(xmlFreeDocp) xmlDoc *have = x ? xml_parse(x) : NULL;
    free(x);
    if (!have)
        return fail(r, "reading network: %s", virt_error_message());
    if (!observe_owned(have)) {
        r->state = SYNC_FOREIGN_CONFLICT;
        r->error = xstrdup("a network of this name exists that virtspec does not own: left alone");
        return -EPERM;
    }
    _cleanup_free_ char *users = NULL;
    if (domains_using(e, name, NULL, NULL, stays, userdata, &users) < 0)
        return fail(r, "listing the domains that use it: %s", virt_error_message());
    if (users)
        return fail(r, "still used by domains that stay defined: %s", users);
    r->state = SYNC_DRIFTED;
    action_add(r, ACTION_DESTROY, NULL, NULL);
    if (!e->apply)
        return 0;
    virt_count_mutation();
    if (virNetworkIsActive(net) == 1 && virNetworkDestroy(net) < 0)
        return fail(r, "stopping the network: %s", virt_error_message());
    virt_count_mutation();
    if (virNetworkUndefine(net) < 0)
        return fail(r, "undefine failed: %s", virt_error_message());
    r->mutated = true;
    return 0;
}
