/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "engine-domain-state.h"
#include "hostfwd.h"
#include "firmware.h"
#include "reload-mark.h"
#include "snapshot.h"
#include "util.h"
#include "virt-conn.h"
#include "xml-util.h"

int domain_state(virDomainPtr dom) {
    int state, reason;
    if (virDomainGetState(dom, &state, &reason, 0) < 0)
        return -1;
    return state;
}

bool state_running(int st) {
    return st == VIR_DOMAIN_RUNNING || st == VIR_DOMAIN_BLOCKED || st == VIR_DOMAIN_PAUSED ||
           st == VIR_DOMAIN_PMSUSPENDED;
}

xmlDoc *domain_xml(virDomainPtr dom, unsigned flags) {
    char *x = virDomainGetXMLDesc(dom, flags | VIR_DOMAIN_XML_SECURE);
    if (!x)
        return NULL;
    xmlDoc *d = xml_parse(x);
    free(x);
    return d;
}

void sleep_ms(unsigned ms) {
    struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* ACPI shutdown, wait up to timeout_s, then force off. A stop of the daemon ends the wait at once
 * (-ECANCELED): the guest is left as it is, never forced off because virtspec stops. */
/* Whether QEMU is gone: "shutdown" (VIR_DOMAIN_SHUTDOWN) is a guest that powered off while
 * libvirt still stops its QEMU, and a start then fails with "domain is already running". */
static bool state_stopped(int st) {
    return st == VIR_DOMAIN_SHUTOFF || st == VIR_DOMAIN_CRASHED || st < 0;
}

int domain_stop(Engine *e, virDomainPtr dom, unsigned timeout_s, char **ret_error) {
    int st = domain_state(dom);
    if (!state_running(st) && st != VIR_DOMAIN_SHUTDOWN)
        return 0;
    virt_count_mutation();
    if (st == VIR_DOMAIN_PAUSED || (st != VIR_DOMAIN_SHUTDOWN && virt_shutdown_graceful(dom) < 0)) {
        /* a paused guest cannot react to ACPI; a failing shutdown request falls through */
    } else {   /* asked now, or already on its way down */
        unsigned waited = 0;
        while (waited < timeout_s * 1000) {
            sleep_ms(e->poll_ms);
            waited += e->poll_ms;
            if (state_stopped(domain_state(dom)))
                return 0;
            if (engine_cancelled(e)) {
                *ret_error = xasprintf("interrupted after %u s of the guest's graceful shutdown: "
                                       "virtspec is stopping; the domain is left as it is",
                                       waited / 1000);
                return -ECANCELED;
            }
        }
    }
    virt_count_mutation();
    if (virDomainDestroy(dom) < 0) {
        /* the message first: the state call below resets libvirt's last error */
        _cleanup_free_ char *err = xstrdup(virt_error_message());
        if (state_running(domain_state(dom))) {
            *ret_error = xasprintf("forced stop failed: %s", err);
            return -EIO;
        }
    }
    return 0;
}

/* `apply` beside another virtspec's restart of the domain: waits while the record *have carries
 * is fresh (busy: what reload_mark_fresh said, taken), rereading the inactive definition into
 * *have, for limit_s at most, and says so on stderr. Returns NULL when the restart is over (*have
 * is the definition it left), else what the record still says (the wait ran out, or the
 * definition could not be read). */
char *wait_reload_done(virDomainPtr dom, const char *name, unsigned limit_s, xmlDoc **have,
                              char *busy) {
    fprintf(stderr, "virtspec: Domain %s is %s: waiting for the restart to end (%u s at most)\n",
            name, busy, limit_s);
    for (unsigned waited_ms = 0; busy && waited_ms < limit_s * 1000U; waited_ms += 500) {
        sleep_ms(500);
        xmlDoc *now = domain_xml(dom, VIR_DOMAIN_XML_INACTIVE);
        if (!now)
            break;   /* gone or unreadable: the caller reports what the record said */
        xmlFreeDoc(*have);
        *have = now;
        free(busy);
        busy = reload_mark_fresh(*have);
    }
    return busy;
}

void snapshot_plan(const DomainSpec *d, xmlDoc *have, ObjectResult *r) {
    const SnapshotsSpec *snap = d ? spec_box(d, snapshots) : NULL;
    if (!snap || !value_int(&snap->before_reload))
        return;
    _cleanup_free_ char *why = NULL;
    const char *m = snapshot_method_of_root(have ? xmlDocGetRootElement(have) : NULL, &why);
    _cleanup_free_ char *keep = snap->keep.set ?
        xasprintf("; keep %" PRId64 " of virtspec's", value_int(&snap->keep)) : xstrdup("");
    if (m)
        action_add(r, ACTION_SNAPSHOT, NULL, "before restart (method %s%s%s)", m,
                   streq(m, "internal") ? "" : "; disks and NVRAM, crash-consistent: the domain "
                   "is paused for it, no memory state", keep);
    else
        action_add(r, ACTION_WARN, NULL, "no snapshot before restart possible (%s): the restart "
                   "would fail", why);
}

/* snapshots.before_reload: the snapshot, then keep's pruning (a failing prune is said in the
 * note; the snapshot is there, the restart goes on). */
static int snapshot_before_restart(Engine *e, virDomainPtr dom, const DomainSpec *d, char **ret_note,
                                   char **ret_error) {
    if (!d || !value_int(&spec_box(d, snapshots)->before_reload))
        return 0;
    _cleanup_free_ char *name = NULL, *err = NULL;
    const char *method = NULL;
    if (snapshot_create(e, dom, NULL, "before restart", &name, &method, &err) < 0) {
        *ret_error = xasprintf("snapshot before restart failed, not restarted: %s", err);
        return -EIO;
    }
    Buf note = {};
    buf_printf(&note, "before restart: %s (%s)", name, method);
    if (spec_box(d, snapshots)->keep.set) {
        int64_t keep = value_int(&spec_box(d, snapshots)->keep);
        char **deleted = NULL;
        size_t n = 0;
        _cleanup_free_ char *perr = NULL;
        int k = snapshot_prune(e, dom, (unsigned) keep, &deleted, &n, &perr);
        for (size_t i = 0; i < n; i++) {
            if (i == 0)
                buf_printf(&note, "; deleted (keep %" PRId64 "): ", keep);
            buf_printf(&note, "%s%s", i == 0 ? "" : ", ", deleted[i]);
            free(deleted[i]);
        }
        free(deleted);
        if (k < 0)
            buf_printf(&note, "; pruning to keep %" PRId64 " failed: %s", keep, perr);
    }
    *ret_note = note.p;
    return 0;
}

/* The flags for a start of dom: VIR_DOMAIN_START_RESET_NVRAM while its persistent definition
 * records a reset owed (firmware.h). */
static unsigned nvram_reset_start_flags(virDomainPtr dom) {
    _cleanup_(xmlFreeDocp) xmlDoc *x = domain_xml(dom, VIR_DOMAIN_XML_INACTIVE);
    return nvram_reset_marked(x) ? VIR_DOMAIN_START_RESET_NVRAM : 0;
}

int engine_reload_domain(Engine *e, const char *name, const DomainSpec *d, unsigned timeout_s,
                         char **ret_note, char **ret_error) {
    _cleanup_(virDomainFreep) virDomainPtr dom = virDomainLookupByName(e->conn, name);
    if (!dom) {
        *ret_error = xasprintf("no domain '%s': %s", name, virt_error_message());
        return -ENOENT;
    }
    if (snapshot_before_restart(e, dom, d, ret_note, ret_error) < 0)
        return -EIO;
    /* the shutdown is ours: a daemon that sees it leaves the domain alone (a minute for the
     * start after the shutdown's timeout). Without the record (a libvirt refusing metadata) the
     * restart goes on as before. */
    reload_mark_set(dom, timeout_s + RELOAD_MARK_SLACK_S);
    int r = domain_stop(e, dom, timeout_s, ret_error);
    if (r == 0) {
        virt_count_mutation();
        unsigned flags = nvram_reset_start_flags(dom);
        if (virDomainCreateWithFlags(dom, flags) < 0) {
            *ret_error = xasprintf("start failed: %s", virt_error_message());
            r = -EIO;
        } else if (flags & VIR_DOMAIN_START_RESET_NVRAM)
            nvram_reset_mark_clear(dom);
    }
    if (r == 0 && d && hostfwd_wanted(d, e->lib_version)) {
        /* QEMU started without the port forwards virtspec keeps through its monitor */
        ObjectResult fr = { .id = -1 };
        hostfwd_converge(dom, NULL, d, true, &fr);
        if (fr.error) {
            *ret_error = xasprintf("port forwards: %s", fr.error);
            r = -EIO;
        }
        object_result_clear(&fr);
    }
    reload_mark_clear(dom);
    return r;
}

/* A start that lost a race — a start still in progress from an interrupted run (virtspec killed
 * mid-apply), a user's virsh start — leaves the domain running, which is what was asked. */
int start_domain(virDomainPtr dom, unsigned flags, ObjectResult *r) {
    virt_count_mutation();
    unsigned reset = nvram_reset_start_flags(dom);
    if (virDomainCreateWithFlags(dom, flags | reset) == 0) {
        if (reset) {
            nvram_reset_mark_clear(dom);
            action_add(r, ACTION_NOTE, NULL, "NVRAM reset from the firmware's template");
        }
        return 0;
    }
    _cleanup_free_ char *err = xstrdup(virt_error_message());
    if (state_running(domain_state(dom))) {
        action_add(r, ACTION_NOTE, NULL, "started meanwhile by someone else (%s)", err);
        return 0;
    }
    return fail(r, "start failed: %s", err);
}

/* A resume or suspend that loses a race is no failure when the domain ends in the state asked
 * for: a domain found paused may be one still starting up (a start from a run killed mid-apply,
 * or a user's); the resume waits for that start and libvirt then answers "already running".
 * Likewise a suspend of a domain someone paused meanwhile. */
int set_run_state(virDomainPtr dom, bool run, ObjectResult *r) {
    virt_count_mutation();
    if ((run ? virDomainResume(dom) : virDomainSuspend(dom)) == 0)
        return 0;
    _cleanup_free_ char *err = xstrdup(virt_error_message());
    if (domain_state(dom) == (run ? VIR_DOMAIN_RUNNING : VIR_DOMAIN_PAUSED)) {
        action_add(r, ACTION_NOTE, NULL, "%s meanwhile (%s)", run ? "running" : "paused", err);
        return 0;
    }
    return fail(r, "%s failed: %s", run ? "resume" : "suspend", err);
}

int converge_state(Engine *e, virDomainPtr dom, int st, const DomainSpec *d, ObjectResult *r) {
    const char *want = d->state.s;
    char *why = NULL;

    if (streq(want, "running")) {
        if (st == VIR_DOMAIN_PAUSED) {
            action_add(r, ACTION_RESUME, NULL, NULL);
            if (e->apply && set_run_state(dom, true, r) < 0)
                return -EIO;
        } else if (!state_running(st)) {
            action_add(r, ACTION_START, NULL, NULL);
            if (e->apply && start_domain(dom, 0, r) < 0)
                return -EIO;
        } else
            return 0;
    } else if (streq(want, "paused")) {
        if (st == VIR_DOMAIN_PAUSED)
            return 0;
        if (!state_running(st)) {
            action_add(r, ACTION_START_PAUSED, NULL, NULL);
            if (e->apply && start_domain(dom, VIR_DOMAIN_START_PAUSED, r) < 0)
                return -EIO;
        } else {
            action_add(r, ACTION_SUSPEND, NULL, NULL);
            if (e->apply && set_run_state(dom, false, r) < 0)
                return -EIO;
        }
    } else {
        if (!state_running(st))
            return 0;
        action_add(r, ACTION_STOP, NULL, "ACPI shutdown, forced after %" PRId64 " s", value_int(&d->shutdown_timeout));
        if (e->apply && domain_stop(e, dom, (unsigned) value_int(&d->shutdown_timeout), &why) < 0) {
            fail(r, "%s", why);
            free(why);
            return -EIO;
        }
    }
    if (e->apply)
        r->mutated = true;
    return 0;
}

/* cur: the autostart flag if already known (the run's index), else -1 */
int converge_autostart(Engine *e, virDomainPtr dom, int cur, const DomainSpec *d, ObjectResult *r) {
    if (cur < 0 && virDomainGetAutostart(dom, &cur) < 0)
        return fail(r, "reading autostart: %s", virt_error_message());
    if (!!cur == !!value_int(&d->autostart))
        return 0;
    action_add_set(r, "autostart", cur ? "true" : "false", d->autostart.s, CHANGE_LIVE, NULL);
    if (!e->apply)
        return 0;
    virt_count_mutation();
    if (virDomainSetAutostart(dom, (int) value_int(&d->autostart)) < 0)
        return fail(r, "setting autostart: %s", virt_error_message());
    r->mutated = true;
    return 0;
}
