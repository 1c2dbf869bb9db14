/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <time.h>

#include "cli.h"
#include "engine-domain-state.h"
#include "metadata.h"
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
    size_t w = 4;
    for (size_t i = 0; i < l->n; i++)
        if (strlen(l->items[i].name) > w)
            w = strlen(l->items[i].name);
    printf("%-*s  %-19s  %-8s  %-8s  %s\n", (int) w, "NAME", "TIME (UTC)", "METHOD", "STATE", "BY");
    for (size_t i = 0; i < l->n; i++) {
        char t[32];
        time_text(l->items[i].time, t);
        printf("%-*s  %-19s  %-8s  %-8s  %s\n", (int) w, l->items[i].name, t, l->items[i].method,
               l->items[i].state, l->items[i].ours ? "virtspec" : "foreign");
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
    _cleanup_(virConnectClosep) virConnectPtr conn = NULL;
    if (virt_open(o->connect, &conn) < 0) {
        fprintf(stderr, "virtspec: cannot connect to %s: %s\n", virt_default_uri(o->connect),
                virt_error_message());
        return 1;
    }
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
        if (snapshot_create(dom, name, "virtspec snapshot create", &made, &err) < 0) {
            fprintf(stderr, "virtspec: snapshot %s: %s\n", dom_name, err);
            return 1;
        }
        printf("Domain %s: snapshot %s created (internal)\n", dom_name, made);
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
    if (revert)
        print_revert_plan(dom_name, domain_state(dom), si);
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
    int k = revert ? snapshot_revert(dom, name, &err) : snapshot_delete(dom, name, &err);
    if (k < 0) {
        fprintf(stderr, "virtspec: snapshot %s: %s\n", dom_name, err);
        return 1;
    }
    printf("Domain %s: snapshot %s %s\n", dom_name, name, revert ? "reverted to" : "deleted");
    return 0;
}
