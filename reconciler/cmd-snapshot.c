/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <time.h>

#include "cli.h"
#include "engine-context.h"
#include "engine-domain-state.h"
#include "hostfwd.h"
#include "metadata.h"
#include "progress.h"
#include "reload-mark.h"
#include "snapshot.h"
#include "term.h"
#include "virt-conn.h"
#include "xml-util.h"

/* virtspec snapshot create|list|revert|delete DOMAIN [NAME] (docs/snapshots.md). create and list
 * act at once; revert and delete are shown first as a plan (exit 2) and done with --yes. */

static void time_text(long long t, char s[static 32]) {
    time_t tt = (time_t) t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(s, 32, "%Y-%m-%d %H:%M:%S", &tm);
}

static void print_list(const SnapList *l) {
    if (l->n == 0) {
        printf("no snapshots\n");
        return;
    }
    size_t w = 4, ws = 8;
    for (size_t i = 0; i < l->n; i++) {
        if (strlen(l->items[i].name) > w)
            w = strlen(l->items[i].name);
        if (strlen(l->items[i].state) > ws)
            ws = strlen(l->items[i].state);
    }
    printf("%-*s  %-19s  %-8s  %-*s  %s\n", (int) w, "NAME", "TIME (UTC)", "METHOD", (int) ws,
           "STATE", "BY");
    for (size_t i = 0; i < l->n; i++) {
        char t[32];
        time_text(l->items[i].time, t);
        printf("%-*s  %-19s  %-8s  %-*s  %s\n", (int) w, l->items[i].name, t, l->items[i].method,
               (int) ws, l->items[i].state, l->items[i].ours ? "virtspec" : "foreign");
    }
}

static const SnapInfo *find(const SnapList *l, const char *name) {
    for (size_t i = 0; i < l->n; i++)
        if (streq(l->items[i].name, name))
            return &l->items[i];
    return NULL;
}

static const char *state_name(int st) {
    return st < 0 ? "unknown" : state_running(st) ? (st == VIR_DOMAIN_PAUSED ? "paused" : "running")
                                                  : "shutoff";
}

/* What a revert changes, as plan lines. */
static void print_revert_plan(const char *dom_name, int st, const SnapInfo *si) {
    char t[32];
    time_text(si->time, t);
    printf("Domain %s: %s revert to snapshot %s (%s, taken %s UTC, %s)\n", dom_name,
           term_glyph(GLYPH_RELOAD), si->name, si->method, t, si->ours ? "virtspec's" : "foreign");
    printf("  ~ disks: their content goes back to the snapshot's; what was written since is lost\n");
    printf("  ~ definition: the one saved with the snapshot replaces the current one (a spec "
           "names the domain: the next apply or the daemon converges it again)\n");
    bool to_running = streq(si->state, "running") || streq(si->state, "paused");
    printf("  ~ run state: %s %s %s%s\n", state_name(st), term_glyph(GLYPH_ARROW),
           to_running ? si->state : "shutoff",
           to_running ? " (memory state restored)" : "");
}

/* What virtspec's own revert of an external snapshot changes (libvirt 9.0 reverts none). */
static void print_revert_plan_external(const char *dom_name, int st, const SnapInfo *si,
                                       const ExtRevert *x, unsigned timeout_s) {
    char t[32];
    time_text(si->time, t);
    printf("Domain %s: %s revert to snapshot %s (external, taken %s UTC, %s; virtspec's own "
           "revert: libvirt before 9.7 reverts no external snapshot)\n", dom_name,
           term_glyph(GLYPH_RELOAD), si->name, t, si->ours ? "virtspec's" : "foreign");
    if (state_running(st))
        printf("  %s stop: the revert is done on the shut-off domain (with --yes: ACPI shutdown, "
               "forced off after %u s, the spec's shutdown_timeout; started again after it)\n",
               term_glyph(GLYPH_STOP), timeout_s);
    for (size_t i = 0; i < x->n; i++)
        printf("  + volume %s/%s: a new overlay on the snapshot's %s, for disk %s\n",
               x->disks[i].pool, x->disks[i].overlay, x->disks[i].base, x->disks[i].dev);
    if (x->backup_vol)
        printf("  + volume %s/%s: a copy of the current NVRAM file, kept (delete it when no longer "
               "needed: virsh vol-delete --pool %s %s)\n", x->nvram_pool, x->backup_vol,
               x->nvram_pool, x->backup_vol);
    if (x->nvram_vol)
        printf("  ~ nvram: %s gets the copy taken with the snapshot (%s/%s)\n", x->nvram_path,
               x->nvram_pool, x->nvram_vol);
    else
        printf("  = nvram: the snapshot has no NVRAM copy: %s stays as it is\n", x->nvram_path);
    printf("  ~ definition: the one saved with the snapshot replaces the current one, its disks "
           "on the new overlays (a spec names the domain: the next apply or the daemon converges "
           "it again)\n");
    for (size_t i = 0; i < x->n_kept; i++) {
        const char *slash = strchr(x->kept[i], '/');
        printf("  = kept: volume %s, written since the snapshot (delete it when no longer needed: "
               "virsh vol-delete --pool %.*s %s)\n", x->kept[i], (int) (slash - x->kept[i]),
               x->kept[i], slash + 1);
    }
    printf("  ~ run state: %s %s %s\n", state_name(st), term_glyph(GLYPH_ARROW),
           state_running(st) ? "running (started again on the reverted disks and NVRAM)" : "shutoff");
}

/* The running domain stopped, reverted and started again, its port forwards (d's, libvirt < 9.2)
 * put back; each error says when a domain that was running is left shut off. */
static int revert_external_stopped(Engine *e, virDomainPtr dom, const char *name, ExtRevert *x,
                                   const DomainSpec *d, unsigned timeout_s, char **ret_err) {
    const char *dom_name = virDomainGetName(dom);
    bool was_running = state_running(domain_state(dom));
    if (was_running) {
        cli_print_stop(dom_name, timeout_s, false);
        _cleanup_free_ char *what = xasprintf("waiting for %s to shut down", dom_name);
        Countdown *cd = countdown_start(what, timeout_s, term_tty());
        int k = domain_stop(e, dom, timeout_s, ret_err);
        countdown_stop(cd);
        if (k < 0)
            return k;
    }
    int k = snapshot_revert_external(e, dom, name, x, ret_err);
    if (k < 0 && was_running && virDomainIsActive(dom) == 0) {
        char *m = xasprintf("%s; the domain, which was running, is left shut off", *ret_err);
        free(*ret_err);
        *ret_err = m;
    }
    if (k < 0 || !was_running)
        return k;
    virt_count_mutation();
    if (virDomainCreate(dom) < 0) {
        *ret_err = xasprintf("snapshot %s reverted to, but starting the domain again failed (it is "
                             "left shut off): %s", name, virt_error_message());
        return -EIO;
    }
    printf("Domain %s: %s started again (it was running)\n", dom_name, term_glyph(GLYPH_START));
    if (d && hostfwd_wanted(d, e->lib_version)) {
        /* QEMU started without the port forwards virtspec keeps through its monitor */
        ObjectResult fr = { .id = -1 };
        hostfwd_converge(dom, NULL, d, true, &fr);
        if (fr.error) {
            *ret_err = xasprintf("snapshot %s reverted to and the domain started again, but its "
                                 "port forwards: %s", name, fr.error);
            k = -EIO;
        }
        object_result_clear(&fr);
    }
    return k;
}

/* virtspec's revert of an external snapshot: a running domain is stopped as reload stops it
 * (ACPI, forced off after timeout_s), reverted, and started again. Recorded as reload records its
 * restart (reload-mark.h, set again on the definition the revert writes): a daemon leaves the
 * domain alone until it is over. */
static int revert_external(Engine *e, virDomainPtr dom, const char *name, ExtRevert *x,
                           const DomainSpec *d, unsigned timeout_s, char **ret_err) {
    x->mark_ttl_s = timeout_s + RELOAD_MARK_SLACK_S;
    reload_mark_set(dom, x->mark_ttl_s);
    int k = revert_external_stopped(e, dom, name, x, d, timeout_s, ret_err);
    reload_mark_clear(dom);
    return k;
}

/* The NVRAM backup a revert kept, named with its delete command. */
static void print_backup_kept(const ExtRevert *x) {
    if (x->backup_kept)
        printf("  + kept: the NVRAM file as it was before, in volume %s/%s (delete it when no "
               "longer needed: virsh vol-delete --pool %s %s)\n", x->nvram_pool, x->backup_vol,
               x->nvram_pool, x->backup_vol);
}

/* What virtspec's delete of its own external snapshot changes. */
static void print_delete_plan_external(const char *dom_name, const SnapInfo *si, const ExtDelete *x) {
    char t[32];
    time_text(si->time, t);
    printf("Domain %s: - delete snapshot %s (external, taken %s UTC, virtspec's; virtspec's own "
           "delete: the snapshot's metadata, then its volumes nothing else uses)\n", dom_name,
           si->name, t);
    for (size_t i = 0; i < x->n_gone; i++)
        printf("  - volume %s/%s: %s\n", x->gone[i].pool, x->gone[i].name, x->gone[i].why);
    for (size_t i = 0; i < x->n_kept; i++) {
        printf("  = kept: volume %s/%s: %s", x->kept[i].pool, x->kept[i].name, x->kept[i].why);
        if (x->kept[i].in_use)
            printf("\n");
        else
            printf(" (delete it when no longer needed: virsh vol-delete --pool %s %s)\n",
                   x->kept[i].pool, x->kept[i].name);
    }
}

static int usage(void) {
    fprintf(stderr, "virtspec: snapshot: usage: virtspec snapshot create|list|revert|delete "
            "DOMAIN [NAME] (see 'virtspec snapshot --help')\n");
    return 1;
}

int cmd_snapshot(const CliOpts *o) {
    if (o->n_paths < 2)
        return usage();
    const char *sub = o->paths[0], *dom_name = o->paths[1];
    const char *name = o->n_paths > 2 ? o->paths[2] : NULL;
    bool create = streq(sub, "create"), list = streq(sub, "list");
    bool revert = streq(sub, "revert"), del = streq(sub, "delete");
    if ((!create && !list && !revert && !del) || o->n_paths > 3 || (list && name) ||
        ((revert || del) && !name))
        return usage();
    if (o->yes && (create || list)) {
        fprintf(stderr, "virtspec: snapshot %s: --yes is for revert and delete\n", sub);
        return 1;
    }
    _cleanup_(engine_close) Engine e = {};
    if (engine_open(&e, o->connect, true) < 0) {
        fprintf(stderr, "virtspec: cannot connect to %s: %s\n", virt_default_uri(o->connect),
                virt_error_message());
        return 1;
    }
    virConnectPtr conn = e.conn;
    _cleanup_(virDomainFreep) virDomainPtr dom = virDomainLookupByName(conn, dom_name);
    if (!dom) {
        fprintf(stderr, "virtspec: snapshot: no domain '%s': %s\n", dom_name, virt_error_message());
        return 1;
    }
    /* create, revert and delete change the domain: only one virtspec manages (its metadata);
     * list only reads. */
    if (!list) {
        _cleanup_(xmlFreeDocp) xmlDoc *doc = domain_xml(dom, VIR_DOMAIN_XML_INACTIVE);
        if (!doc) {
            fprintf(stderr, "virtspec: snapshot %s: reading its definition: %s\n", dom_name,
                    virt_error_message());
            return 1;
        }
        if (!observe_owned(doc)) {
            fprintf(stderr, "virtspec: snapshot %s: refused: the domain is not managed by virtspec "
                    "(no virtspec metadata; adopt it with a spec first)\n", dom_name);
            return 1;
        }
    }
    _cleanup_free_ char *err = NULL;
    if (create) {
        _cleanup_free_ char *made = NULL;
        const char *method = NULL;
        bool was_running = state_running(domain_state(dom));
        if (snapshot_create(&e, dom, name, "virtspec snapshot create", &made, &method, &err) < 0) {
            fprintf(stderr, "virtspec: snapshot %s: %s\n", dom_name, err);
            return 1;
        }
        printf("Domain %s: snapshot %s created (%s%s)\n", dom_name, made, method,
               was_running && !streq(method, "internal") ?
               "; crash-consistent: the domain was paused for it, no memory state" : "");
        return 0;
    }
    _cleanup_(snap_list_clear) SnapList l = {};
    if (snapshot_list(dom, &l, &err) < 0) {
        fprintf(stderr, "virtspec: snapshot %s: %s\n", dom_name, err);
        return 1;
    }
    if (list) {
        print_list(&l);
        return 0;
    }
    const SnapInfo *si = find(&l, name);
    if (!si) {
        fprintf(stderr, "virtspec: snapshot %s: no snapshot named %s\n", dom_name, name);
        return 1;
    }
    _cleanup_(ext_revert_clear) ExtRevert x = {};
    _cleanup_(ext_delete_clear) ExtDelete xd = {};
    bool own = revert && streq(si->method, "external") && !snapshot_libvirt_reverts_external(conn);
    bool own_del = del && snapshot_deleted_by_virtspec(si);
    int st = domain_state(dom);
    if ((own && snapshot_revert_prepare(dom, name, &x, &err) < 0) ||
        (own_del && snapshot_delete_prepare(&e, dom, name, false, &xd, &err) < 0)) {
        fprintf(stderr, "virtspec: snapshot %s: %s\n", dom_name, err);
        return 1;
    }
    _cleanup_(spec_set_clear) SpecSet specs = {};
    if (own)
        cli_load_timeout_specs(o, &specs);
    unsigned timeout = cli_shutdown_timeout(&specs, dom_name);
    if (own)
        print_revert_plan_external(dom_name, st, si, &x, timeout);
    else if (revert)
        print_revert_plan(dom_name, st, si);
    else if (own_del)
        print_delete_plan_external(dom_name, si, &xd);
    else {
        char t[32];
        time_text(si->time, t);
        printf("Domain %s: - delete snapshot %s (%s, taken %s UTC, %s)\n", dom_name, si->name,
               si->method, t, si->ours ? "virtspec's" : "foreign: not made by virtspec");
    }
    if (!o->yes) {
        printf("Run again with --yes to do it.\n");
        return 2;
    }
    int k;
    const Spec *spec = own ? spec_set_find(&specs, KIND_DOMAIN, dom_name) : NULL;
    if (own)
        k = revert_external(&e, dom, name, &x, spec ? &spec->domain : NULL, timeout, &err);
    else if (own_del)
        k = snapshot_delete_external(&e, dom, name, &xd, &err);
    else
        k = revert ? snapshot_revert(dom, name, &err) : snapshot_delete(&e, dom, name, &err);
    if (k < 0) {
        fprintf(stderr, "virtspec: snapshot %s: %s\n", dom_name, err);
        print_backup_kept(&x);
        return 1;
    }
    printf("Domain %s: snapshot %s %s\n", dom_name, name, revert ? "reverted to" : "deleted");
    print_backup_kept(&x);
    for (size_t i = 0; i < xd.n_gone; i++)
        printf("  - deleted volume %s/%s (%s)\n", xd.gone[i].pool, xd.gone[i].name, xd.gone[i].why);
    return 0;
}
