/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "align.h"
#include "cloud-init.h"
#include "config.h"
#include "engine.h"
#include "executor-internal.h"
#include "host-file.h"
#include "netlink.h"
#include "render.h"
#include "schema.h"
#include "spec-value.h"
#include "virt-conn.h"
#include "xml-util.h"

static const char *const sync_names[_SYNC_MAX] = {
    [SYNC_IN_SYNC] = "in-sync",
    [SYNC_DRIFTED] = "drifted",
    [SYNC_RELOAD_PENDING] = "reload-pending",
    [SYNC_FAILED] = "failed",
    [SYNC_MISSING] = "missing",
    [SYNC_FOREIGN_CONFLICT] = "foreign-conflict",
};

const char *sync_state_to_string(SyncState s) {
    return s >= 0 && s < _SYNC_MAX ? sync_names[s] : NULL;
}

static void strv_free(char **v, size_t n) {
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void object_result_clear(ObjectResult *r) {
    free(r->name);
    free(r->file);
    diff_clear(&r->diff);
    strv_free(r->actions, r->n_actions);
    strv_free(r->pending, r->n_pending);
    strv_free(r->addresses, r->n_addresses);
    free(r->error);
    free(r->deferred);
    diag_list_clear(&r->diags);
    *r = (ObjectResult) {};
}

void add_action(ObjectResult *r, const char *fmt, ...) {
    va_list ap;
    char *s;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    va_end(ap);
    *(char **) array_push(&r->actions, &r->n_actions, sizeof(char *)) = s;
}

void add_pending(ObjectResult *r, const char *path) {
    for (size_t i = 0; i < r->n_pending; i++)
        if (streq(r->pending[i], path))
            return;
    *(char **) array_push(&r->pending, &r->n_pending, sizeof(char *)) = xstrdup(path);
}

static void clear_pending(ObjectResult *r) {
    strv_free(r->pending, r->n_pending);
    r->pending = NULL;
    r->n_pending = 0;
}

static int vfail(ObjectResult *r, const Value *v, const char *fmt, va_list ap) _printf_(3, 0);
static int vfail(ObjectResult *r, const Value *v, const char *fmt, va_list ap) {
    char *s;
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    if (v)
        diag_add(&r->diags, DIAG_ERROR, r->file, v->line, v->col, "%s", s);
    if (!r->error)
        r->error = s;
    else {
        char *n = xasprintf("%s; %s", r->error, s);
        free(r->error);
        free(s);
        r->error = n;
    }
    r->state = SYNC_FAILED;
    return -EIO;
}

int fail(ObjectResult *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int ret = vfail(r, NULL, fmt, ap);
    va_end(ap);
    return ret;
}

int fail_at(ObjectResult *r, const Value *v, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int ret = vfail(r, v, fmt, ap);
    va_end(ap);
    return ret;
}

static bool has_hatch(const Spec *s) {
    const XmlHatchSpec *x = spec_xml_hatch(s);
    return x && x->present.set;
}

/* The xml escape hatch can produce any document: libvirt's schema decides whether it may be
 * used, before it is (plan and apply); libvirtd validates it again at define (the *_VALIDATE
 * flags, only for such specs: the renderer's own output is schema-checked by the test suite,
 * and libvirtd's check costs ~5 ms a define). */
static int check_hatch_schema(const Spec *s, xmlDoc *want, ObjectResult *r) {
    if (!has_hatch(s))
        return 0;
    _cleanup_free_ char *err = NULL;
    int q = schema_validate(s->kind, want, &err);
    if (q == -EINVAL)
        return fail_at(r, &spec_xml_hatch(s)->present, "xml: with these edits the document is not "
                       "valid for libvirt: %s", err);
    if (q < 0)
        add_action(r, "! xml: %s; libvirtd validates the document when it is defined", err);
    return 0;
}

/* Whether libvirt runs on this machine, in virtspec's network namespace: host interfaces and the
 * guests' tap devices are then ours to see and plug. Only the plain local qemu URIs count
 * (qemu+unix:// with a socket path may be a tunnel to another host). */
static bool conn_is_local(virConnectPtr c) {
    _cleanup_free_ char *uri = virConnectGetURI(c);
    return uri && (streq(uri, "qemu:///system") || streq(uri, "qemu:///session"));
}

int engine_open(Engine *e, const char *uri, bool apply) {
    virConnectPtr c;
    int r = virt_open(virt_default_uri(uri), &c);
    if (r < 0)
        return r;
    e->conn = c;
    e->apply = apply;
    e->host_kvm = host_has_kvm();
    e->local = conn_is_local(c);
    if (!e->state_dir) {
        const char *sd = getenv("VIRTSPEC_STATE_DIR");
        e->state_dir = sd && *sd ? sd : VIRTSPEC_STATE_DIR;
    }
    if (!e->poll_ms)
        e->poll_ms = 200;
    /* On a driver with KVM in its capabilities, "auto" means kvm. */
    char *caps = virConnectGetCapabilities(c);
    if (caps) {
        e->host_kvm = strstr(caps, "<domain type='kvm'") != NULL;
        free(caps);
    }
    return 0;
}

void engine_close(Engine *e) {
    if (e->conn)
        virConnectClose(e->conn);
    e->conn = NULL;
}

/* ---------------------------------------------------------------- the domain index */

/* One listing per run instead of a lookup, a state and an autostart call per domain: a no-op
 * pass then costs one XML read per domain, as the floor does. */
typedef struct DomainIndexEntry {
    char *name;
    virDomainPtr dom;
    int state;
    int autostart;
    char *ahead;        /* persistent XML read ahead (domain_index_read_ahead), taken once */
} DomainIndexEntry;

struct DomainIndex {
    DomainIndexEntry *items;
    size_t n;
    size_t next_ahead;  /* the next entry to read ahead (atomic) */
};

static int entry_cmp(const void *a, const void *b) {
    return strcmp(((const DomainIndexEntry *) a)->name, ((const DomainIndexEntry *) b)->name);
}

static void mark_listed(virConnectPtr c, DomainIndex *ix, unsigned flags, int *(*field)(DomainIndexEntry *),
                        int value) {
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(c, &doms, flags);
    for (int i = 0; i < n; i++) {
        DomainIndexEntry key = { .name = (char *) virDomainGetName(doms[i]) };
        DomainIndexEntry *en = bsearch(&key, ix->items, ix->n, sizeof(DomainIndexEntry), entry_cmp);
        if (en)
            *field(en) = value;
        virDomainFree(doms[i]);
    }
    free(doms);
}

static int *state_field(DomainIndexEntry *e) { return &e->state; }
static int *autostart_field(DomainIndexEntry *e) { return &e->autostart; }

int domain_index_build(Engine *e) {
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(e->conn, &doms, 0);
    if (n < 0)
        return virt_error_errno();
    DomainIndex *ix = xmalloc0(sizeof(DomainIndex));
    ix->items = xmalloc0(((size_t) n + 1) * sizeof(DomainIndexEntry));
    for (int i = 0; i < n; i++)
        ix->items[ix->n++] = (DomainIndexEntry) {
            .name = xstrdup(virDomainGetName(doms[i])), .dom = doms[i], .state = VIR_DOMAIN_SHUTOFF,
        };
    free(doms);
    qsort(ix->items, ix->n, sizeof(DomainIndexEntry), entry_cmp);
    mark_listed(e->conn, ix, VIR_CONNECT_LIST_DOMAINS_RUNNING, state_field, VIR_DOMAIN_RUNNING);
    mark_listed(e->conn, ix, VIR_CONNECT_LIST_DOMAINS_PAUSED, state_field, VIR_DOMAIN_PAUSED);
    mark_listed(e->conn, ix, VIR_CONNECT_LIST_DOMAINS_AUTOSTART, autostart_field, 1);
    e->index = ix;
    return 0;
}

/* While the CLI reads its spec files (our CPU), libvirtd would sit idle: read the persistent
 * definitions of listed domains ahead, in index order, until *stop. At most what libvirtd serves
 * in the time the specs take to load is read for domains no spec names. */
void domain_index_read_ahead(Engine *e, const bool *stop) {
    DomainIndex *ix = e->index;
    while (ix && !__atomic_load_n(stop, __ATOMIC_ACQUIRE)) {
        size_t i = __atomic_fetch_add(&ix->next_ahead, 1, __ATOMIC_ACQ_REL);
        if (i >= ix->n)
            break;
        char *x = virDomainGetXMLDesc(ix->items[i].dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
        __atomic_store_n(&ix->items[i].ahead, x, __ATOMIC_RELEASE);
    }
}

static void free_ahead(char *x) {
    if (x) {
        explicit_bzero(x, strlen(x));   /* a secure XML: it may hold a graphics password */
        free(x);
    }
}

void domain_index_free(Engine *e) {
    DomainIndex *ix = e->index;
    if (!ix)
        return;
    for (size_t i = 0; i < ix->n; i++) {
        free(ix->items[i].name);
        virDomainFree(ix->items[i].dom);
        free_ahead(ix->items[i].ahead);
    }
    free(ix->items);
    free(ix);
    e->index = NULL;
}

static DomainIndexEntry *index_find(const Engine *e, const char *name) {
    DomainIndexEntry key = { .name = (char *) name };
    return bsearch(&key, e->index->items, e->index->n, sizeof(DomainIndexEntry), entry_cmp);
}

/* The persistent definition read ahead for this entry, parsed; NULL when there is none. */
static xmlDoc *index_take_ahead(DomainIndexEntry *ie) {
    char *x = ie ? __atomic_exchange_n(&ie->ahead, NULL, __ATOMIC_ACQ_REL) : NULL;
    if (!x)
        return NULL;
    xmlDoc *d = xml_parse(x);
    free_ahead(x);
    return d;
}

/* ---------------------------------------------------------------- domains */

static int domain_state(virDomainPtr dom) {
    int state, reason;
    if (virDomainGetState(dom, &state, &reason, 0) < 0)
        return -1;
    return state;
}

static bool state_running(int st) {
    return st == VIR_DOMAIN_RUNNING || st == VIR_DOMAIN_BLOCKED || st == VIR_DOMAIN_PAUSED ||
           st == VIR_DOMAIN_PMSUSPENDED;
}

static xmlDoc *domain_xml(virDomainPtr dom, unsigned flags) {
    char *x = virDomainGetXMLDesc(dom, flags | VIR_DOMAIN_XML_SECURE);
    if (!x)
        return NULL;
    xmlDoc *d = xml_parse(x);
    free(x);
    return d;
}

static void sleep_ms(unsigned ms) {
    struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

bool engine_cancelled(const Engine *e) {
    return e->cancel && __atomic_load_n(e->cancel, __ATOMIC_RELAXED);
}

/* ACPI shutdown, wait up to timeout_s, then force off. A stop of the daemon ends the wait at once
 * (-ECANCELED): the guest is left as it is, never forced off because virtspec stops. */
/* Whether QEMU is gone: "shutdown" (VIR_DOMAIN_SHUTDOWN) is a guest that powered off while
 * libvirt still stops its QEMU, and a start then fails with "domain is already running". */
static bool state_stopped(int st) {
    return st == VIR_DOMAIN_SHUTOFF || st == VIR_DOMAIN_CRASHED || st < 0;
}

static int domain_stop(Engine *e, virDomainPtr dom, unsigned timeout_s, char **ret_error) {
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
static char *wait_reload_done(virDomainPtr dom, const char *name, unsigned limit_s, xmlDoc **have,
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

int engine_reload_domain(Engine *e, const char *name, unsigned timeout_s, char **ret_error) {
    _cleanup_(virDomainFreep) virDomainPtr dom = virDomainLookupByName(e->conn, name);
    if (!dom) {
        *ret_error = xasprintf("no domain '%s': %s", name, virt_error_message());
        return -ENOENT;
    }
    /* the shutdown is ours: a daemon that sees it leaves the domain alone (a minute for the
     * start after the shutdown's timeout). Without the record (a libvirt refusing metadata) the
     * restart goes on as before. */
    reload_mark_set(dom, timeout_s + RELOAD_MARK_SLACK_S);
    int r = domain_stop(e, dom, timeout_s, ret_error);
    if (r == 0) {
        virt_count_mutation();
        if (virDomainCreate(dom) < 0) {
            *ret_error = xasprintf("start failed: %s", virt_error_message());
            r = -EIO;
        }
    }
    reload_mark_clear(dom);
    return r;
}

/* graphics.passwd_file (host_file_read: a root-only regular file of at most 4 KiB): its first
 * line is the password, which must be what graphics.passwd may be (a vnc password is at most 8
 * characters). */
static int read_secret_file(const char *path, const char *graphics_type, char **ret, char **ret_error) {
    char *buf = NULL;
    int r = host_file_read(path, "graphics.passwd_file", 4096, true, &buf, NULL, ret_error);
    if (r < 0)
        return r;
    size_t line = strcspn(buf, "\r\n");   /* the first line */
    if (streq_ptr(graphics_type, "vnc") && line > 8) {
        *ret_error = xasprintf("graphics.passwd_file %s: a vnc password is at most 8 characters "
                               "(qemu ignores the rest)", path);
        r = -EINVAL;
    } else
        *ret = xstrndup(buf, line);
    explicit_bzero(buf, strlen(buf));
    free(buf);
    return r;
}

/* One host path the domain uses: it must exist (F_OK: stat(); X_OK for the emulator). libvirtd
 * and QEMU open these paths, not virtspec: whether virtspec itself may open them is no part of
 * the answer, which is then the same for `plan` and for the daemon under its unit. (Not
 * access(F_OK): it asks the device cgroup too, and the unit's DevicePolicy=closed makes it EPERM
 * for /dev/tpm0.) */
/* Whether the text of an attribute or element below n is s. */
static bool xml_has_value(const xmlNode *n, const char *s) {
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next) {
        if (c->type == XML_TEXT_NODE && c->content && streq((const char *) c->content, s))
            return true;
        if (c->type != XML_ELEMENT_NODE)
            continue;
        for (const xmlAttr *a = c->properties; a; a = a->next)
            if (a->children && a->children->content && streq((const char *) a->children->content, s))
                return true;
        if (xml_has_value(c, s))
            return true;
    }
    return false;
}

static int check_path(ObjectResult *r, const xmlNode *have, const Value *v, int mode,
                      const char *fmt, ...) _printf_(5, 6);
static int check_path(ObjectResult *r, const xmlNode *have, const Value *v, int mode,
                      const char *fmt, ...) {
    struct stat st;
    if (!v->set || (mode == F_OK ? stat(v->s, &st) : access(v->s, mode)) == 0)
        return 0;
    int err = errno;
    va_list ap;
    va_start(ap, fmt);
    _cleanup_free_ char *what = NULL;
    if (vasprintf(&what, fmt, ap) < 0)
        abort();
    va_end(ap);
    if (xml_has_value(have, v->s)) {
        /* the definition has it already: the spec changes nothing there (an adopted domain
         * whose firmware or disk file is missing on this host) */
        diag_add(&r->diags, DIAG_WARNING, r->file, v->line, v->col, "%s %s: %s (the domain's "
                 "definition has it already: left as it is)", what, v->s, strerror(err));
        return 0;
    }
    return fail_at(r, v, "%s %s: %s", what, v->s, strerror(err));
}

/* Host paths are checked here, per object, not at validation (specs are often validated on
 * another machine): plan and apply name every missing one at its place in the spec, and the
 * object is left alone. A path the domain's definition (have, NULL for a new domain) already
 * has is no change: missing, it is a warning. disks[].image is checked when a volume is made
 * from it (volumes.c): once imported, the image file may go. The NVRAM file itself is libvirt's
 * to create. */
static int check_host_paths(const DomainSpec *d, const xmlDoc *have_doc, ObjectResult *r) {
    const xmlNode *have = have_doc ? xmlDocGetRootElement((xmlDoc *) have_doc) : NULL;
    int ret = 0;
    const CdromSpec *cd = d->cdroms.items;
    const DiskSpec *dk = d->disks.items;
    const FloppySpec *fd = d->floppies.items;
    const FilesystemSpec *fs = d->filesystems.items;
    for (size_t i = 0; i < d->cdroms.n; i++)
        ret |= check_path(r, have, &cd[i].path, F_OK, "cdroms[%s].path", cd[i].dev.s);
    for (size_t i = 0; i < d->disks.n; i++)
        ret |= check_path(r, have, &dk[i].path, F_OK, "disks[%s].path", dk[i].dev.s);
    for (size_t i = 0; i < d->floppies.n; i++)
        ret |= check_path(r, have, &fd[i].path, F_OK, "floppies[%s].path", fd[i].dev.s);
    for (size_t i = 0; i < d->filesystems.n; i++)
        ret |= check_path(r, have, &fs[i].source, F_OK, "filesystems[%s].source", fs[i].target.s);
    ret |= check_path(r, have, &d->tpm.path, F_OK, "tpm.path");
    ret |= check_path(r, have, &d->loader, F_OK, "loader");
    ret |= check_path(r, have, &d->nvram_template, F_OK, "nvram_template");
    ret |= check_path(r, have, &d->kernel, F_OK, "kernel");
    ret |= check_path(r, have, &d->initrd, F_OK, "initrd");
    ret |= check_path(r, have, &d->dtb, F_OK, "dtb");
    ret |= check_path(r, have, &d->emulator, X_OK, "emulator");
    return ret < 0 ? -EIO : 0;
}

/* An object of the spec's name that virtspec does not own is left alone unless the spec adopts it. */
static bool foreign_conflict(ObjectResult *r, bool owned, bool adopt) {
    if (owned || adopt)
        return false;
    const char *kind = r->kind == KIND_DOMAIN ? "domain" : r->kind == KIND_NETWORK ? "network" : "pool";
    r->state = SYNC_FOREIGN_CONFLICT;
    r->error = xasprintf("a %s of this name exists that virtspec does not own; set adopt: true "
                         "to take it over", kind);
    return true;
}

/* Replaces the virtspec metadata of `have` with that of `want`. */
static void copy_metadata(xmlDoc *want, xmlDoc *have) {
    xmlNode *wr = xmlDocGetRootElement(want), *hr = xmlDocGetRootElement(have);
    xmlNode *wm = xml_child(wr, "metadata"), *hm = xml_child(hr, "metadata");
    if (hm) {
        for (xmlNode *c = hm->children, *next; c; c = next) {
            next = c->next;
            if (c->ns && c->ns->href && streq((const char *) c->ns->href, VIRTSPEC_XMLNS)) {
                xmlUnlinkNode(c);
                xmlFreeNode(c);
            }
        }
    } else
        hm = xml_ensure(hr, "metadata", false);
    for (xmlNode *c = wm ? wm->children : NULL; c; c = c->next)
        xmlAddChild(hm, xmlDocCopyNode(c, have, 1));
}

/* Rows whose live form differs from the persistent one by design. */
static bool live_comparable(const Change *c, xmlDoc *persistent, xmlDoc *live) {
    if (c->op == OP_UNMANAGED)
        return false;
    if (c->op == OP_SET && !c->new_value)
        return false;   /* filled in by libvirt at start: a network NIC's bridge, tap names */
    if (c->row && (c->row->hook == HOOK_MEMORY))
        return false;   /* the balloon's actual size follows the guest */
    if (c->row && !strncmp(c->path, "cpu.", 4)) {
        /* host-model is expanded into a custom model in the live definition */
        _cleanup_free_ char *pm = xml_get(xmlDocGetRootElement(persistent), "cpu/@mode");
        _cleanup_free_ char *lm = xml_get(xmlDocGetRootElement(live), "cpu/@mode");
        if (streq_ptr(pm, "host-model") && !streq_ptr(lm, "host-model"))
            return false;
    }
    return true;
}

static void compute_pending(virDomainPtr dom, xmlDoc *persistent, ObjectResult *r) {
    _cleanup_(xmlFreeDocp) xmlDoc *live = domain_xml(dom, 0);
    _cleanup_free_ char *managed = observe_managed(persistent);
    Diff d;
    if (!live)
        return;
    diff_compute(KIND_DOMAIN, persistent, live, managed, &d);
    for (size_t i = 0; i < d.n; i++)
        if (live_comparable(&d.items[i], persistent, live))
            add_pending(r, d.items[i].path);
    diff_clear(&d);
}

static xmlNode *find_device(xmlDoc *doc, const Change *c) {
    xmlNode *devs = xml_child(xmlDocGetRootElement(doc), "devices");
    for (xmlNode *e = devs ? devs->children : NULL; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        const KeyTable *sub = c->list->sub;
        const char *name = strrchr(sub->xml_elem, '/') + 1;
        if (!xml_is(e, name))
            continue;
        if (sub->xml_match) {
            const char *eq = strchr(sub->xml_match, '=');
            _cleanup_free_ char *a = xstrndup(sub->xml_match, (size_t) (eq - sub->xml_match));
            _cleanup_free_ char *ap = xasprintf("@%s", a);
            _cleanup_free_ char *v = xml_get(e, ap);
            if (!streq_ptr(v, eq + 1))
                continue;
        }
        char *key = NULL;
        for (size_t k = 0; k < sub->n_keys; k++)
            if (sub->keys[k].flags & KEY_ITEM_KEY) {
                _cleanup_free_ char *v = observe_value(&sub->keys[k], e);
                char *n = key ? xasprintf("%s,%s", key, strna(v)) : xstrdup(strna(v));
                free(key);
                key = n;
            }
        bool match = streq_ptr(key, c->item_key);
        free(key);
        if (match)
            return e;
    }
    return NULL;
}

/* Applies one live-class change to the running domain. Returns 0 on success, 1 when it cannot be
 * done live (then it waits for a reload), negative on error. */
static int apply_live(Engine *e, virDomainPtr dom, const Spec *s, const Change *c, xmlDoc *want,
                      xmlDoc *live, char **ret_why) {
    const DomainSpec *d = &s->domain;
    xmlNode *lroot = xmlDocGetRootElement(live);
    const unsigned LIVE = VIR_DOMAIN_AFFECT_LIVE;

    if (c->list && c->op != OP_SET) {
        /* device hot-plug / unplug */
        if (c->op == OP_ADD) {
            xmlNode *w = find_device(want, c);
            if (!w)
                return 1;
            _cleanup_free_ char *x = xml_node_to_string(want, w);
            virt_count_mutation();
            if (virDomainAttachDeviceFlags(dom, x, LIVE) < 0) {
                *ret_why = xstrdup(virt_error_message());
                return 1;
            }
            return 0;
        }
        xmlNode *h = find_device(live, c);
        if (!h)
            return 0;
        _cleanup_free_ char *x = xml_node_to_string(live, h);
        virt_count_mutation();
        if (virDomainDetachDeviceFlags(dom, x, LIVE) < 0) {
            *ret_why = xstrdup(virt_error_message());
            return 1;
        }
        return 0;
    }
    const KeyDef *k = c->row;
    if (k->hook == HOOK_MEMORY) {
        _cleanup_free_ char *max = observe_value(&(KeyDef) { .hook = HOOK_MAX_MEMORY }, lroot);
        int64_t live_max = max ? strtoll(max, NULL, 10) : 0;
        if (d->memory.i > live_max) {
            *ret_why = xasprintf("above the running domain's ceiling");
            return 1;
        }
        virt_count_mutation();
        if (virDomainSetMemoryFlags(dom, (unsigned long) (d->memory.i / 1024), LIVE) < 0) {
            *ret_why = xstrdup(virt_error_message());
            return 1;
        }
        return 0;
    }
    if (k->hook == HOOK_VCPU) {
        _cleanup_free_ char *max = xml_get(lroot, "vcpu");
        if (!max || d->cpus.i > strtoll(max, NULL, 10)) {
            *ret_why = xasprintf("above the running domain's max_cpus");
            return 1;
        }
        virt_count_mutation();
        if (virDomainSetVcpusFlags(dom, (unsigned) d->cpus.i, LIVE) < 0) {
            *ret_why = xstrdup(virt_error_message());
            return 1;
        }
        return 0;
    }
    if (streq(k->key, "title") || streq(k->key, "description")) {
        const Value *v = streq(k->key, "title") ? &d->title : &d->description;
        virt_count_mutation();
        if (virDomainSetMetadata(dom, streq(k->key, "title") ? VIR_DOMAIN_METADATA_TITLE
                                                               : VIR_DOMAIN_METADATA_DESCRIPTION,
                                 v->set ? v->s : NULL, NULL, NULL, LIVE) < 0) {
            *ret_why = xstrdup(virt_error_message());
            return 1;
        }
        return 0;
    }
    if (k->hook == HOOK_PASSWD) {
        xmlNode *g = xml_find(lroot, "devices/graphics");
        _cleanup_free_ char *pw = xml_get(xmlDocGetRootElement(want), "devices/graphics/@passwd");
        if (!g)
            return 1;
        if (pw)
            xmlSetProp(g, (const xmlChar *) "passwd", (const xmlChar *) pw);
        else
            xmlUnsetProp(g, (const xmlChar *) "passwd");
        _cleanup_free_ char *x = xml_node_to_string(live, g);
        virt_count_mutation();
        int r = virDomainUpdateDeviceFlags(dom, x, LIVE);
        /* scrub the copy: it held the password */
        xmlUnsetProp(g, (const xmlChar *) "passwd");
        if (r < 0) {
            *ret_why = xstrdup("the display rejected the new password");
            return 1;
        }
        return 0;
    }
    if (c->list && streq(c->list->key, "cdroms") && streq(k->key, "path")) {
        xmlNode *w = find_device(want, c);
        if (!w)
            return 1;
        _cleanup_free_ char *x = xml_node_to_string(want, w);
        virt_count_mutation();
        if (virDomainUpdateDeviceFlags(dom, x, LIVE | VIR_DOMAIN_DEVICE_MODIFY_FORCE) < 0) {
            *ret_why = xstrdup(virt_error_message());
            return 1;
        }
        return 0;
    }
    if (c->list && streq(c->list->key, "disks") && streq(k->key, "size"))
        return 0;   /* volume capacity is not part of the domain definition */
    *ret_why = xstrdup("no live path for this field");
    return 1;
}

/* The guest's addresses: DHCP leases of libvirt networks, and the guest agent when it runs. */
static void collect_addresses(virDomainPtr dom, bool agent, ObjectResult *r) {
    const unsigned sources[] = { VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE,
                                 VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT };
    for (size_t s = 0; s < (agent ? 2u : 1u); s++) {
        virDomainInterfacePtr *ifs = NULL;
        int n = virDomainInterfaceAddresses(dom, &ifs, sources[s], 0);
        for (int i = 0; i < n; i++) {
            for (unsigned a = 0; a < ifs[i]->naddrs; a++) {
                const char *addr = ifs[i]->addrs[a].addr;
                bool dup = false;
                for (size_t k = 0; k < r->n_addresses; k++)
                    dup = dup || !strncmp(r->addresses[k], addr, strlen(addr));
                if (!dup && strncmp(addr, "127.", 4) && strcmp(addr, "::1"))
                    *(char **) array_push(&r->addresses, &r->n_addresses, sizeof(char *)) =
                        xasprintf("%s/%d", addr, ifs[i]->addrs[a].prefix);
            }
            virDomainInterfaceFree(ifs[i]);
        }
        free(ifs);
        if (n > 0)
            break;
    }
}

/* A start that lost a race — a start still in progress from an interrupted run (virtspec killed
 * mid-apply), a user's virsh start — leaves the domain running, which is what was asked. */
static int start_domain(virDomainPtr dom, unsigned flags, ObjectResult *r) {
    virt_count_mutation();
    if (virDomainCreateWithFlags(dom, flags) == 0)
        return 0;
    _cleanup_free_ char *err = xstrdup(virt_error_message());
    if (state_running(domain_state(dom))) {
        add_action(r, "= started meanwhile by someone else (%s)", err);
        return 0;
    }
    return fail(r, "start failed: %s", err);
}

/* A resume or suspend that loses a race is no failure when the domain ends in the state asked
 * for: a domain found paused may be one still starting up (a start from a run killed mid-apply,
 * or a user's); the resume waits for that start and libvirt then answers "already running".
 * Likewise a suspend of a domain someone paused meanwhile. */
static int set_run_state(virDomainPtr dom, bool run, ObjectResult *r) {
    virt_count_mutation();
    if ((run ? virDomainResume(dom) : virDomainSuspend(dom)) == 0)
        return 0;
    _cleanup_free_ char *err = xstrdup(virt_error_message());
    if (domain_state(dom) == (run ? VIR_DOMAIN_RUNNING : VIR_DOMAIN_PAUSED)) {
        add_action(r, "= %s meanwhile (%s)", run ? "running" : "paused", err);
        return 0;
    }
    return fail(r, "%s failed: %s", run ? "resume" : "suspend", err);
}

static int converge_state(Engine *e, virDomainPtr dom, int st, const DomainSpec *d, ObjectResult *r) {
    const char *want = d->state.s;
    char *why = NULL;

    if (streq(want, "running")) {
        if (st == VIR_DOMAIN_PAUSED) {
            add_action(r, "▶ resume");
            if (e->apply && set_run_state(dom, true, r) < 0)
                return -EIO;
        } else if (!state_running(st)) {
            add_action(r, "▶ start");
            if (e->apply && start_domain(dom, 0, r) < 0)
                return -EIO;
        } else
            return 0;
    } else if (streq(want, "paused")) {
        if (st == VIR_DOMAIN_PAUSED)
            return 0;
        if (!state_running(st)) {
            add_action(r, "▶ start paused");
            if (e->apply && start_domain(dom, VIR_DOMAIN_START_PAUSED, r) < 0)
                return -EIO;
        } else {
            add_action(r, "‖ suspend");
            if (e->apply && set_run_state(dom, false, r) < 0)
                return -EIO;
        }
    } else {
        if (!state_running(st))
            return 0;
        add_action(r, "■ stop (ACPI shutdown, forced after %" PRId64 " s)", d->shutdown_timeout.i);
        if (e->apply && domain_stop(e, dom, (unsigned) d->shutdown_timeout.i, &why) < 0) {
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
static int converge_autostart(Engine *e, virDomainPtr dom, int cur, const DomainSpec *d, ObjectResult *r) {
    if (cur < 0 && virDomainGetAutostart(dom, &cur) < 0)
        return fail(r, "reading autostart: %s", virt_error_message());
    if (!!cur == !!d->autostart.i)
        return 0;
    add_action(r, "~ autostart: %s → %s (live)", cur ? "true" : "false", d->autostart.s);
    if (!e->apply)
        return 0;
    virt_count_mutation();
    if (virDomainSetAutostart(dom, (int) d->autostart.i) < 0)
        return fail(r, "setting autostart: %s", virt_error_message());
    r->mutated = true;
    return 0;
}

/* Whether a disk entry of the spec uses pool/name (an `existing` one too). */
static bool spec_uses_volume(const DomainSpec *d, xmlDoc *have, const char *pool, const char *name) {
    const DiskSpec *dk = d->disks.items;
    for (size_t i = 0; i < d->disks.n; i++) {
        _cleanup_free_ char *vn = render_disk_volume(d, &dk[i], have);
        if (!dk[i].path.set && streq_ptr(dk[i].pool.s, pool) && streq(vn, name))
            return true;
    }
    return false;
}

/* delete_volumes_on_removal: the volumes `have` records that no disk entry uses any more (removed
 * disks, deletions still pending). They are recorded in `want` as pending until they are gone. */
static void removed_volumes(const DomainSpec *d, xmlDoc *have, xmlDoc *want, const VolumeRefs *had,
                            VolumeRefs *ret) {
    *ret = (VolumeRefs) { .delete_on_removal = d->delete_volumes_on_removal.i };
    if (!d->delete_volumes_on_removal.i)
        return;
    for (size_t i = 0; i < had->n; i++) {
        const VolumeRef *h = &had->items[i];
        if (spec_uses_volume(d, have, h->pool, h->name) || volume_refs_has(ret, h->pool, h->name))
            continue;
        _cleanup_free_ char *seed = spec_seed_volume_name(d->name.s);
        if (streq(h->name, seed)) {
            /* a seed is never deleted while its domain exists (a guest may boot from it again):
             * its record stays for --prune */
            if (!(d->cloud_init.present.set && streq(d->cloud_init.pool.s, h->pool)))
                render_volume_ref(want, h->pool, h->name, false);
            continue;
        }
        VolumeRef *v = array_push(&ret->items, &ret->n, sizeof(VolumeRef));
        v->pool = xstrdup(h->pool);
        v->name = xstrdup(h->name);
        v->pending = true;
        render_volume_ref(want, h->pool, h->name, true);
    }
}

/* After deletions: drops the records of the volumes that are done from want's metadata and
 * writes it to the persistent definition. */
static void forget_deleted_volumes(Engine *e, virDomainPtr dom, xmlDoc *want, const VolumeRefs *gone,
                                   ObjectResult *r) {
    xmlNode *vs = observe_metadata(want);
    bool changed = false;
    for (xmlNode *c = vs ? vs->children : NULL; c; c = c->next) {
        if (!xml_is(c, "volumes"))
            continue;
        for (xmlNode *v = c->children, *next; v; v = next) {
            next = v->next;
            _cleanup_free_ char *pool = xml_get(v, "@pool"), *name = xml_get(v, "@name");
            _cleanup_free_ char *p = xml_get(v, "@pending");
            for (size_t i = 0; i < gone->n; i++)
                if (gone->items[i].done && p && streq_ptr(pool, gone->items[i].pool) &&
                    streq_ptr(name, gone->items[i].name)) {
                    xmlUnlinkNode(v);
                    xmlFreeNode(v);
                    changed = true;
                    break;
                }
        }
    }
    if (!changed)
        return;
    _cleanup_(xmlFreeDocp) xmlDoc *have = domain_xml(dom, VIR_DOMAIN_XML_INACTIVE);
    if (!have) {
        fail(r, "reading definition: %s", virt_error_message());
        return;
    }
    copy_metadata(want, have);
    _cleanup_free_ char *x = xml_to_string(have);
    virt_count_mutation();
    _cleanup_(virDomainFreep) virDomainPtr nd = virDomainDefineXMLFlags(e->conn, x, 0);
    explicit_bzero(x, strlen(x));
    if (!nd)
        fail(r, "recording deleted volumes: %s", virt_error_message());
}

/* Whether a disk keeps the volume name virtspec 0.1.0 gave it (render_disk_volume). */
static bool keeps_legacy_volume(const DomainSpec *d, xmlDoc *have) {
    const DiskSpec *dk = d->disks.items;
    for (size_t i = 0; i < d->disks.n; i++) {
        _cleanup_free_ char *now = render_volume_name(d, &dk[i]), *kept = render_disk_volume(d, &dk[i], have);
        if (!streq(now, kept))
            return true;
    }
    return false;
}

static void reconcile_domain(Engine *e, const Spec *s, ObjectResult *r) {
    const DomainSpec *d = &s->domain;
    _cleanup_free_ char *secret = NULL, *why = NULL;
    RenderOpts ro = { .host_kvm = e->host_kvm, .show_secrets = true, .compare_only = !e->apply };

    if (d->graphics.passwd_file.set && read_secret_file(d->graphics.passwd_file.s, d->graphics.type.s, &secret, &why) < 0) {
        fail(r, "%s", why);
        return;
    }
    ro.passwd = secret;
    _cleanup_(seed_input_clear) SeedInput seed_in = {};
    _cleanup_(seed_clear) Seed seed = {};
    if (d->cloud_init.present.set) {
        _cleanup_free_ char *err = NULL;
        if (seed_gather(d, seed_libvirt_network, e, false, &seed_in, r) < 0)
            return;
        if (cloud_init_render(d, &seed_in, &seed, &err) < 0) {
            fail_at(r, &d->cloud_init.user_data_file, "%s", err);
            return;
        }
        ro.seed = &seed;
    }
    _cleanup_(xmlFreeDocp) xmlDoc *want = NULL;
    if (render_spec(s, &ro, &want) < 0) {
        fail(r, "rendering failed");
        return;
    }
    if (check_hatch_schema(s, want, r) < 0)
        return;

    DomainIndexEntry *ie = e->index ? index_find(e, d->name.s) : NULL;
    /* the index holds a reference for the whole run: no reference of our own (virDomainRef and
     * virDomainFree each format the UUID for libvirt's debug log, used or not) */
    _cleanup_(virDomainFreep) virDomainPtr owned = NULL;
    virDomainPtr dom = ie ? ie->dom : NULL;
    if (!ie && !e->index)
        dom = owned = virDomainLookupByName(e->conn, d->name.s);
    if (!dom) {
        if (!e->index && virt_error_errno() != -ENOENT) {
            fail(r, "looking up domain: %s", virt_error_message());
            return;
        }
        if (check_host_paths(d, NULL, r) < 0)
            return;
        r->state = SYNC_MISSING;
        add_action(r, "+ create");
        if (ensure_volumes(e, d, NULL, NULL, r) < 0)
            return;
        if (ro.seed && seed_volume(e, d, NULL, &seed, r) < 0)
            return;
        if (!e->apply) {
            if (d->autostart.i)
                add_action(r, "~ autostart: true (live)");
            if (!streq(d->state.s, "shutoff"))
                add_action(r, streq(d->state.s, "paused") ? "▶ start paused" : "▶ start");
            return;
        }
        _cleanup_free_ char *x = xml_to_string(want);
        virt_count_mutation();
        /* VIR_DOMAIN_DEFINE_VALIDATE only with the xml escape hatch (check_hatch_schema) */
        dom = owned = virDomainDefineXMLFlags(e->conn, x, has_hatch(s) ? VIR_DOMAIN_DEFINE_VALIDATE : 0);
        /* x held the password: wipe it before it is freed */
        explicit_bzero(x, strlen(x));
        if (!dom) {
            fail(r, "define failed: %s", virt_error_message());
            return;
        }
        r->mutated = true;
        if (converge_autostart(e, dom, 0, d, r) < 0)
            return;
        if (converge_state(e, dom, VIR_DOMAIN_SHUTOFF, d, r) < 0)
            return;
        r->state = SYNC_IN_SYNC;
        r->id = virDomainGetID(dom) == (unsigned) -1 ? -1 : (int) virDomainGetID(dom);
        return;
    }
    /* read ahead only for a plan: apply patches what it has just read */
    _cleanup_(xmlFreeDocp) xmlDoc *have = e->apply ? NULL : index_take_ahead(ie);
    if (!have)
        have = domain_xml(dom, VIR_DOMAIN_XML_INACTIVE);
    if (!have) {
        fail(r, "reading definition: %s", virt_error_message());
        return;
    }
    /* a restart by virtspec in progress (`virtspec reload`, another process): its shutdown is
     * no drift, its start is coming. apply waits for it, then reconciles what the restart left
     * (never reporting success for a domain it did not bring to the spec); the daemon looks
     * again soon */
    bool waited = false;
    if (e->apply) {
        char *busy = reload_mark_fresh(have);
        if (busy && e->wait_reload) {
            unsigned limit_s = (unsigned) d->shutdown_timeout.i + RELOAD_MARK_SLACK_S;
            busy = wait_reload_done(dom, d->name.s, limit_s, &have, busy);
            waited = true;
            if (busy) {
                fail(r, "not applied: %s, still after %u s; apply again once the restart is done",
                     busy, limit_s);
                free(busy);
                return;
            }
        }
        if (busy) {
            add_action(r, "= left alone: %s", busy);
            r->deferred = busy;
            r->state = SYNC_IN_SYNC;
            return;
        }
    }
    if (foreign_conflict(r, observe_owned(have), d->adopt.i))
        return;
    if (check_host_paths(d, have, r) < 0)
        return;
    int st = ie && !waited ? ie->state : domain_state(dom);   /* the index predates a wait */
    /* disks and cdroms without `dev` keep the devices the domain has for their sources; a new
     * one takes no name a disk detached from the definition still has in the running guest */
    _cleanup_(xmlFreeDocp) xmlDoc *live_devs =
        state_running(st) && align_assigns_new(s, have) ? domain_xml(dom, 0) : NULL;
    _cleanup_(spec_freep) Spec *aligned = align_devices(s, have, live_devs);
    ro.observed = have;
    if (aligned != s || keeps_legacy_volume(d, have)) {
        xmlFreeDoc(want);
        want = NULL;
        if (render_spec(aligned, &ro, &want) < 0) {
            fail(r, "rendering failed");
            return;
        }
        s = aligned;
        d = &s->domain;
    }
    _cleanup_free_ char *managed = observe_managed(have);
    diff_compute(KIND_DOMAIN, want, have, managed, &r->diff);
    if (ro.seed)
        seed_changes(d, have, &seed, r);
    size_t n_changes = diff_count_effective(&r->diff);
    bool adopting = !observe_owned(have);
    _cleanup_(volume_refs_clear) VolumeRefs had = {}, wanted = {}, removed = {};
    observe_volume_refs(have, &had);
    removed_volumes(d, have, want, &had, &removed);
    observe_volume_refs(want, &wanted);
    /* the switch and the volume records live in virtspec's metadata only */
    bool records_changed = !adopting && !volume_refs_equal(&had, &wanted);
    if (records_changed && had.delete_on_removal != wanted.delete_on_removal)
        add_action(r, "~ delete_volumes_on_removal: %s → %s (virtspec metadata)",
                   had.delete_on_removal ? "true" : "false", d->delete_volumes_on_removal.s);
    else if (records_changed && n_changes == 0)
        add_action(r, "~ volume records (virtspec metadata)");
    int autostart = ie && !waited ? ie->autostart : -1;
    bool running = state_running(st);

    if (ensure_volumes(e, d, dom, have, r) < 0)
        return;
    /* Drift mode "report": when the spec is the one virtspec last applied (same hash), a
     * difference was made behind virtspec's back: report it, change nothing — a missing seed
     * too, which the plan below reports (the hash apply records has the seed's digest mixed in:
     * render_metadata) */
    _cleanup_free_ char *want_hash = observe_spec_hash(want), *have_hash = observe_spec_hash(have);
    bool report_only = e->apply && e->report_drift && streq_ptr(want_hash, have_hash);
    if (ro.seed && !report_only && seed_volume(e, d, have, &seed, r) < 0)
        return;

    if (!e->apply) {
        /* plan / status: what would happen, and what is already waiting */
        int cur = 0;
        if (n_changes > 0 || adopting)
            r->state = SYNC_DRIFTED;
        if (adopting)
            add_action(r, "~ adopt: add virtspec ownership metadata");
        if (running) {
            compute_pending(dom, have, r);
            bool config_change = diff_has_class(&r->diff, CHANGE_CONFIG);
            if ((r->n_pending > 0 || config_change) && streq(d->reload.s, "auto"))
                add_action(r, "↻ reload (reload: auto)");
            else if (config_change)
                add_action(r, "! config changes wait for the next boot: virtspec reload %s",
                           d->name.s);
        }
        if ((autostart >= 0 ? (cur = autostart, 0) : virDomainGetAutostart(dom, &cur)) == 0 &&
            !!cur != !!d->autostart.i)
            add_action(r, "~ autostart: %s → %s (live)", cur ? "true" : "false", d->autostart.s);
        if (streq(d->state.s, "running") && !state_running(st))
            add_action(r, "▶ start");
        else if (streq(d->state.s, "running") && st == VIR_DOMAIN_PAUSED)
            add_action(r, "▶ resume");
        else if (streq(d->state.s, "shutoff") && running)
            add_action(r, "■ stop (ACPI shutdown, forced after %" PRId64 " s)", d->shutdown_timeout.i);
        else if (streq(d->state.s, "paused") && st != VIR_DOMAIN_PAUSED)
            add_action(r, running ? "‖ suspend" : "▶ start paused");
        if (removed.n > 0) {
            /* the persistent definition as apply would write it */
            _cleanup_(xmlFreeDocp) xmlDoc *planned = xmlCopyDoc(have, 1);
            diff_patch(KIND_DOMAIN, &r->diff, want, planned);
            _cleanup_free_ char *px = xml_to_string(planned);
            engine_delete_volumes(e, d->name.s, px, false, &removed, r);
        }
        if (r->state == SYNC_IN_SYNC && r->n_actions > 0)
            r->state = SYNC_DRIFTED;
        if (r->state == SYNC_IN_SYNC && r->n_pending > 0)
            r->state = SYNC_RELOAD_PENDING;
        r->id = running ? (int) virDomainGetID(dom) : -1;
        if (running)
            collect_addresses(dom, d->guest_agent.i, r);   /* status shows them too */
        return;
    }

    if (report_only) {
        Engine plan_only = *e;
        plan_only.apply = false;
        plan_only.report_drift = false;
        diff_clear(&r->diff);
        strv_free(r->actions, r->n_actions);
        r->actions = NULL;
        r->n_actions = 0;
        reconcile_domain(&plan_only, s, r);
        if (r->state == SYNC_DRIFTED)
            add_action(r, "(drift mode report: not corrected)");
        return;
    }

    /* apply */
    if (n_changes > 0 || adopting || records_changed) {
        _cleanup_(xmlFreeDocp) xmlDoc *live = running ? domain_xml(dom, 0) : NULL;
        diff_patch(KIND_DOMAIN, &r->diff, want, have);
        copy_metadata(want, have);
        _cleanup_free_ char *x = xml_to_string(have);
        virt_count_mutation();
        _cleanup_(virDomainFreep) virDomainPtr nd =
            virDomainDefineXMLFlags(e->conn, x, has_hatch(s) ? VIR_DOMAIN_DEFINE_VALIDATE : 0);
        explicit_bzero(x, strlen(x));
        if (!nd) {
            fail(r, "redefine failed: %s", virt_error_message());
            return;
        }
        r->mutated = true;
        if (running && live) {
            for (size_t i = 0; i < r->diff.n; i++) {
                const Change *c = &r->diff.items[i];
                _cleanup_free_ char *reason = NULL;
                if (c->op == OP_UNMANAGED || c->cls != CHANGE_LIVE)
                    continue;
                int k = apply_live(e, dom, s, c, want, live, &reason);
                if (k != 0) {
                    add_pending(r, c->path);
                    add_action(r, "… %s waits for a reload: %s", c->path, strna(reason));
                }
            }
        }
    }
    /* removed disks' volumes: only after the definitions (persistent and live) let them go */
    if (removed.n > 0) {
        int k = engine_delete_volumes(e, d->name.s, NULL, false, &removed, r);
        forget_deleted_volumes(e, dom, want, &removed, r);
        if (k < 0 || r->error)
            return;
    }
    if (converge_autostart(e, dom, r->mutated ? -1 : autostart, d, r) < 0)
        return;

    /* reload-pending is read back from libvirt: live definition vs persistent one */
    if (r->mutated || !ie)
        st = domain_state(dom);
    running = state_running(st);
    if (running) {
        _cleanup_(xmlFreeDocp) xmlDoc *persistent = domain_xml(dom, VIR_DOMAIN_XML_INACTIVE);
        if (persistent)
            compute_pending(dom, persistent, r);
        if (r->n_pending > 0 && streq(d->reload.s, "auto") && streq(d->state.s, "running")) {
            _cleanup_free_ char *err = NULL;
            add_action(r, "↻ reload (reload: auto)");
            int rr = engine_reload_domain(e, d->name.s, (unsigned) d->shutdown_timeout.i, &err);
            if (rr < 0) {
                if (rr == -ECANCELED)
                    fail(r, "reload %s", err);   /* "reload interrupted after …" */
                else
                    fail(r, "reload failed: %s", err);
                return;
            }
            r->mutated = true;
            clear_pending(r);
        }
    }
    if (r->mutated)
        st = domain_state(dom);
    if (converge_state(e, dom, st, d, r) < 0)
        return;
    r->state = r->n_pending > 0 ? SYNC_RELOAD_PENDING : SYNC_IN_SYNC;
    unsigned id = virDomainGetID(dom);
    r->id = id == (unsigned) -1 ? -1 : (int) id;
    if (r->id >= 0)
        collect_addresses(dom, d->guest_agent.i, r);
}

/* ---------------------------------------------------------------- networks */

/* Networks and pools share their lifecycle: autostart, then start when inactive. */
typedef struct LifecycleOps {
    int (*get_autostart)(void *obj, int *ret);
    int (*set_autostart)(void *obj, int on);
    int (*is_active)(void *obj);
    int (*start)(void *obj);
} LifecycleOps;

static int net_get_autostart(void *o, int *ret) { return virNetworkGetAutostart(o, ret); }
static int net_set_autostart(void *o, int on) { return virNetworkSetAutostart(o, on); }
static int net_is_active(void *o) { return virNetworkIsActive(o); }
static int net_start(void *o) { return virNetworkCreate(o); }
static const LifecycleOps network_ops = { net_get_autostart, net_set_autostart, net_is_active, net_start };

static int pool_get_autostart(void *o, int *ret) { return virStoragePoolGetAutostart(o, ret); }
static int pool_set_autostart(void *o, int on) { return virStoragePoolSetAutostart(o, on); }
static int pool_is_active(void *o) { return virStoragePoolIsActive(o); }
static int pool_start(void *o) {
    /* WITH_BUILD recreates a removed directory; drivers without it get a plain start */
    if (virStoragePoolCreate(o, VIR_STORAGE_POOL_CREATE_WITH_BUILD) == 0)
        return 0;
    return virStoragePoolCreate(o, 0);
}
static const LifecycleOps pool_ops = { pool_get_autostart, pool_set_autostart, pool_is_active, pool_start };

static void converge_lifecycle(Engine *e, ObjectResult *r, const LifecycleOps *ops, void *obj,
                               Value autostart) {
    int cur = 0;
    if (ops->get_autostart(obj, &cur) == 0 && !!cur != !!autostart.i) {
        add_action(r, "~ autostart: %s → %s (live)", cur ? "true" : "false", autostart.s);
        if (e->apply) {
            virt_count_mutation();
            if (ops->set_autostart(obj, (int) autostart.i) < 0) {
                fail(r, "setting autostart: %s", virt_error_message());
                return;
            }
            r->mutated = true;
        }
        if (r->state == SYNC_IN_SYNC)
            r->state = SYNC_DRIFTED;
    }
    if (ops->is_active(obj) != 1) {
        add_action(r, "▶ start");
        if (e->apply) {
            virt_count_mutation();
            if (ops->start(obj) < 0) {
                fail(r, "start failed: %s", virt_error_message());
                return;
            }
            r->mutated = true;
        } else if (r->state == SYNC_IN_SYNC)
            r->state = SYNC_DRIFTED;
    }
    if (e->apply)
        r->state = r->n_pending > 0 ? SYNC_RELOAD_PENDING : SYNC_IN_SYNC;
    else if (r->state == SYNC_IN_SYNC && r->n_pending > 0)
        r->state = SYNC_RELOAD_PENDING;
}

static int net_update(virNetworkPtr net, unsigned cmd, unsigned section, xmlDoc *doc, xmlNode *n,
                      ObjectResult *r, const char *what) {
    _cleanup_free_ char *x = xml_node_to_string(doc, n);
    virt_count_mutation();
    if (virNetworkUpdate(net, cmd, section, -1, x,
                         VIR_NETWORK_UPDATE_AFFECT_LIVE | VIR_NETWORK_UPDATE_AFFECT_CONFIG) < 0) {
        add_action(r, "… %s could not change live (%s): waits for a network restart", what,
                   virt_error_message());
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
            add_action(r, "⇄ %s: %s plugged into %s again", dname, tap, bridge);
        else if (rc == 0) {
            add_action(r, "⇄ %s: %s is no port of %s: it would be plugged back in", dname, tap, bridge);
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
    add_action(r, "↻ restart (reload: auto)");
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

static void reconcile_network(Engine *e, const Spec *s, ObjectResult *r) {
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
        add_action(r, "+ create");
        if (!e->apply) {
            if (n->autostart.i)
                add_action(r, "~ autostart: true (live)");
            add_action(r, "▶ start");
            return;
        }
        _cleanup_free_ char *x = xml_to_string(want);
        virt_count_mutation();
        net = virNetworkDefineXMLFlags(e->conn, x, has_hatch(s) ? VIR_NETWORK_DEFINE_VALIDATE : 0);
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
        if (foreign_conflict(r, observe_owned(have), n->adopt.i))
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
                add_action(r, "~ adopt: add virtspec ownership metadata");
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
                    add_action(r, "↻ restart (reload: auto); running guests are plugged back in");
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
}

/* ---------------------------------------------------------------- pools */

/* libvirt pools carry no metadata: ownership is a file per pool in the state directory. */
static char *pool_marker(Engine *e, const char *name) {
    return xasprintf("%s/pools/%s", e->state_dir, name);
}

static int mkdir_p(const char *path, mode_t mode) {
    _cleanup_free_ char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            if (mkdir(p, mode) < 0 && errno != EEXIST)
                return -errno;
            *s = '/';
        }
    if (mkdir(p, mode) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}

/* The marker: "virtspec VERSION", then the record of the pool's xml edits (the <metadata> that
 * render_spec gives a pool's document), which libvirt has no place for. */
static int pool_mark_owned(Engine *e, const char *name, xmlDoc *want) {
    _cleanup_free_ char *dir = xasprintf("%s/pools", e->state_dir);
    _cleanup_free_ char *m = pool_marker(e, name);
    int r = mkdir_p(dir, 0700);
    if (r < 0)
        return r;
    int fd = open(m, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    dprintf(fd, "virtspec %s\n", VIRTSPEC_VERSION);
    xmlNode *md = xml_child(xmlDocGetRootElement(want), "metadata");
    if (md) {
        _cleanup_free_ char *t = xml_node_to_string(want, md);
        dprintf(fd, "%s\n", t);
    }
    close(fd);
    return 0;
}

/* The edits recorded at the last apply, put into have (as a domain's or network's are there
 * anyway), so an edit that left the spec is undone; render_strip_private takes them out again. */
static void pool_recorded_edits(const char *marker, xmlDoc *have) {
    _cleanup_free_ char *text = NULL, *msg = NULL;
    size_t len;
    if (spec_read_file(marker, &text, &len, &msg) < 0)
        return;
    const char *nl = strchr(text, '\n');
    _cleanup_(xmlFreeDocp) xmlDoc *d = nl && nl[1] ? xml_parse(nl + 1) : NULL;
    xmlNode *md = d ? xmlDocGetRootElement(d) : NULL;
    if (xml_is(md, "metadata"))
        xml_adopt_copy(xmlDocGetRootElement(have), md);
}

/* Whether volume group vg exists, from libvirt's scan of the host's physical volumes (pvs). */
static int logical_vg_exists(Engine *e, const char *vg, char **ret_devices) {
    char *x = virConnectFindStoragePoolSources(e->conn, "logical", NULL, 0);
    if (!x)
        return -EIO;
    _cleanup_(xmlFreeDocp) xmlDoc *doc = xml_parse(x);
    free(x);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    for (xmlNode *src = xml_child(root, "source"); src; src = xml_next_named(src)) {
        _cleanup_free_ char *name = xml_get(src, "name");
        if (!streq_ptr(name, vg))
            continue;
        char *acc = NULL;
        for (xmlNode *d = xml_child(src, "device"); d; d = xml_next_named(d)) {
            _cleanup_free_ char *path = xml_get(d, "@path");
            char *n = xasprintf("%s%s%s", acc ? acc : "", acc ? " " : "", strna(path));
            free(acc);
            acc = n;
        }
        *ret_devices = acc ? acc : xstrdup("");
        return 1;
    }
    return 0;
}

/* A new logical pool: its volume group exists (then it is used as it is), or the spec says
 * build: true and libvirt creates it with NO_OVERWRITE, refusing any device that carries a
 * signature. Returns 0 when the pool can start, else fails r. */
static int build_logical(Engine *e, const PoolSpec *p, virStoragePoolPtr pool, ObjectResult *r) {
    const char *vg = p->vg_name.set ? p->vg_name.s : p->name.s;
    _cleanup_free_ char *devs = NULL;
    int have = logical_vg_exists(e, vg, &devs);
    if (have < 0)
        return fail(r, "scanning LVM volume groups: %s", virt_error_message());
    if (have > 0) {
        add_action(r, "= volume group %s exists (%s): used as it is", vg, devs);
        return 0;
    }
    if (!p->build.i)
        return fail(r, "volume group %s does not exist; set build: true to create it on "
                    "source_devices", vg);
    if (!e->apply)
        return 0;
    virt_count_mutation();
    if (virStoragePoolBuild(pool, VIR_STORAGE_POOL_BUILD_NO_OVERWRITE) < 0)
        return fail(r, "building volume group %s (never overwriting a device): %s", vg,
                    virt_error_message());
    return 0;
}

/* A pool's type and source say which storage it is: a change would point the pool at other
 * data (or rebuild it), so it is refused and reported instead. */
static bool pool_identity_conflict(ObjectResult *r) {
    char *acc = NULL;
    for (size_t i = 0; i < r->diff.n; i++) {
        const Change *c = &r->diff.items[i];
        if (c->op == OP_UNMANAGED || c->cls != CHANGE_IDENTITY)
            continue;
        char *n = xasprintf("%s%s%s: %s → %s", acc ? acc : "", acc ? "; " : "", c->path,
                            strna(c->old_value), strna(c->new_value));
        free(acc);
        acc = n;
    }
    if (!acc)
        return false;
    fail(r, "%s: a pool's type and source identify its storage; virtspec never rebuilds or "
         "re-points a pool (restore the spec, or remove the pool by hand and apply again)", acc);
    free(acc);
    return true;
}

/* A pool's mode, owner and group the spec leaves to their defaults are for a directory the pool
 * creates: an existing directory keeps its own (libvirt's build would chown and chmod it to
 * root 0755). from: the existing directory (create) or libvirt's pool definition. Declared
 * values that differ from an existing directory are said in the plan. */
static void pool_keep_perms(const PoolSpec *p, xmlDoc *want, const xmlNode *have, ObjectResult *r) {
    const Value *v[] = { &p->mode, &p->owner, &p->group };
    static const char *const key[] = { "mode", "owner", "group" };
    char now[3][16];
    struct stat st;
    if (!have && (!p->path.set || stat(p->path.s, &st) < 0 || !S_ISDIR(st.st_mode)))
        return;   /* a new directory: the spec's values, defaults included */
    for (size_t i = 0; i < ELEMENTSOF(v); i++) {
        _cleanup_free_ char *path = xasprintf("target/permissions/%s", key[i]);
        _cleanup_free_ char *cur = have ? xml_get(have, path) : NULL;
        if (!have)
            snprintf(now[i], sizeof(now[i]), i == 0 ? "%04o" : "%u",
                     i == 0 ? (unsigned) (st.st_mode & 07777) : i == 1 ? (unsigned) st.st_uid
                                                                      : (unsigned) st.st_gid);
        else
            snprintf(now[i], sizeof(now[i]), "%s", cur ? cur : "");
        if (!*now[i])
            continue;
        if (v[i]->defaulted || !v[i]->set)
            xml_set(xmlDocGetRootElement(want), path, now[i]);
        else if (!have && (i == 0 ? strtoul(v[i]->s, NULL, 8) != strtoul(now[i], NULL, 8)
                                  : !streq(v[i]->s, now[i])))
            add_action(r, "~ directory %s: %s %s → %s (declared in the spec)", p->path.s, key[i],
                       now[i], v[i]->s);
    }
    if (!have)
        add_action(r, "= directory %s exists (owner %s, group %s, mode %s): what the spec does "
                   "not declare is kept", p->path.s, now[1], now[2], now[0]);
}

static void reconcile_pool(Engine *e, const Spec *s, ObjectResult *r) {
    const PoolSpec *p = &s->pool;
    bool logical = streq(p->type.s, "logical");
    RenderOpts ro = { .host_kvm = e->host_kvm };
    _cleanup_(xmlFreeDocp) xmlDoc *want = NULL;
    _cleanup_free_ char *marker = pool_marker(e, p->name.s);
    render_spec(s, &ro, &want);
    if (check_hatch_schema(s, want, r) < 0)
        return;

    _cleanup_(virStoragePoolFreep) virStoragePoolPtr pool = virStoragePoolLookupByName(e->conn, p->name.s);
    if (!pool) {
        if (virt_error_errno() != -ENOENT) {
            fail(r, "looking up pool: %s", virt_error_message());
            return;
        }
        r->state = SYNC_MISSING;
        if (logical)
            add_action(r, "+ create (volume group %s%s%s)", p->vg_name.set ? p->vg_name.s : p->name.s,
                       p->build.i ? ", built when missing on " : "", p->build.i ? "source_devices" : "");
        else {
            add_action(r, "+ create (and build %s)", p->path.s);
            pool_keep_perms(p, want, NULL, r);
        }
        if (!e->apply) {
            if (logical && build_logical(e, p, NULL, r) < 0)
                return;
            if (p->autostart.i)
                add_action(r, "~ autostart: true (live)");
            add_action(r, "▶ start");
            return;
        }
        _cleanup_(xmlFreeDocp) xmlDoc *def = xmlCopyDoc(want, 1);
        render_strip_private(KIND_POOL, def);
        _cleanup_free_ char *x = xml_to_string(def);
        virt_count_mutation();
        pool = virStoragePoolDefineXML(e->conn, x, has_hatch(s) ? VIR_STORAGE_POOL_DEFINE_VALIDATE : 0);
        if (!pool) {
            fail(r, "define failed: %s", virt_error_message());
            return;
        }
        if (pool_mark_owned(e, p->name.s, want) < 0)
            fail(r, "cannot record ownership in %s", marker);
        r->mutated = true;
        if (logical) {
            if (build_logical(e, p, pool, r) < 0) {
                /* the definition just made holds nothing: drop it, so the next pass starts over */
                virt_count_mutation();
                if (virStoragePoolUndefine(pool) == 0)
                    unlink(marker);
                return;
            }
        } else {
            /* dir: the directory; netfs: the mount point */
            virt_count_mutation();
            if (virStoragePoolBuild(pool, 0) < 0) {
                fail(r, "build failed: %s", virt_error_message());
                return;
            }
        }
    } else {
        if (foreign_conflict(r, access(marker, F_OK) == 0, p->adopt.i))
            return;
        char *x = virStoragePoolGetXMLDesc(pool, VIR_STORAGE_XML_INACTIVE);
        _cleanup_(xmlFreeDocp) xmlDoc *have = x ? xml_parse(x) : NULL;
        free(x);
        if (!have) {
            fail(r, "reading pool: %s", virt_error_message());
            return;
        }
        /* every key a pool spec has is in its XML with a default: the managed list is the spec */
        _cleanup_free_ char *managed = render_managed_keys(s);
        bool owned = access(marker, F_OK) == 0;
        if (owned)
            pool_recorded_edits(marker, have);
        if (!logical)
            pool_keep_perms(p, want, xmlDocGetRootElement(have), r);
        diff_compute(KIND_POOL, want, have, managed, &r->diff);
        if (pool_identity_conflict(r))
            return;
        if (diff_count_effective(&r->diff) > 0) {
            r->state = SYNC_DRIFTED;
            if (e->apply) {
                diff_patch(KIND_POOL, &r->diff, want, have);
                render_strip_private(KIND_POOL, have);
                _cleanup_free_ char *nx = xml_to_string(have);
                virt_count_mutation();
                _cleanup_(virStoragePoolFreep) virStoragePoolPtr np =
                    virStoragePoolDefineXML(e->conn, nx, has_hatch(s) ? VIR_STORAGE_POOL_DEFINE_VALIDATE : 0);
                if (!np) {
                    fail(r, "redefine failed: %s", virt_error_message());
                    return;
                }
                r->mutated = true;
                if (owned && pool_mark_owned(e, p->name.s, want) < 0)
                    fail(r, "cannot record the xml edits in %s", marker);
            }
            if (virStoragePoolIsActive(pool) == 1)
                for (size_t i = 0; i < r->diff.n; i++)
                    add_pending(r, r->diff.items[i].path);
        }
        if (!owned) {
            /* adoption: the marker file is the whole change */
            if (e->apply)
                pool_mark_owned(e, p->name.s, want);
            else {
                r->state = SYNC_DRIFTED;
                add_action(r, "~ adopt: record virtspec ownership (%s)", marker);
            }
        }
    }
    /* starting never builds: a volume group is created only at definition, when the spec asks */
    converge_lifecycle(e, r, &pool_ops, pool, p->autostart);
}

void engine_reconcile(Engine *e, const Spec *s, ObjectResult *r) {
    *r = (ObjectResult) {
        .kind = s->kind,
        .name = xstrdup(s->name),
        .file = xstrdup(s->file),
        .line = s->line,
        .state = SYNC_IN_SYNC,
        .id = -1,
    };
    switch (s->kind) {
    case KIND_DOMAIN: reconcile_domain(e, s, r); break;
    case KIND_NETWORK: reconcile_network(e, s, r); break;
    case KIND_POOL: reconcile_pool(e, s, r); break;
    default: break;
    }
}
