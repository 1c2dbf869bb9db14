/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "engine-object.h"
#include "engine-pool.h"
#include "render.h"
#include "spec-value.h"
#include "virt-conn.h"
#include "xml-util.h"

/* ---------------------------------------------------------------- pools */

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
        action_add(r, ACTION_NOTE, NULL, "volume group %s exists (%s): used as it is", vg, devs);
        return 0;
    }
    if (!value_int(&p->build))
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
        {
            /* "~ directory PATH: mode 0700 → 0750 (declared in the spec)" */
            _cleanup_free_ char *what = xasprintf("directory %s", p->path.s);
            _cleanup_free_ char *from = xasprintf("%s %s", key[i], now[i]);
            action_add_set(r, what, from, v[i]->s, CHANGE_NONE, "declared in the spec");
        }
    }
    if (!have)
        action_add(r, ACTION_NOTE, NULL, "directory %s exists (owner %s, group %s, mode %s): what the spec does "
                   "not declare is kept", p->path.s, now[1], now[2], now[0]);
}

void reconcile_pool(Engine *e, const Spec *s, ObjectResult *r) {
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
            action_add(r, ACTION_CREATE, NULL, "volume group %s%s%s", p->vg_name.set ? p->vg_name.s : p->name.s,
                       value_int(&p->build) ? ", built when missing on " : "", value_int(&p->build) ? "source_devices" : "");
        else {
            action_add(r, ACTION_CREATE, NULL, "and build %s", p->path.s);
            pool_keep_perms(p, want, NULL, r);
        }
        if (!e->apply) {
            if (logical && build_logical(e, p, NULL, r) < 0)
                return;
            if (value_int(&p->autostart))
                action_add_set(r, "autostart", NULL, "true", CHANGE_LIVE, NULL);
            action_add(r, ACTION_START, NULL, NULL);
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
        if (foreign_conflict(r, access(marker, F_OK) == 0, value_int(&p->adopt)))
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
                action_add(r, ACTION_ADOPT, NULL, "record virtspec ownership (%s)", marker);
            }
        }
    }
    /* starting never builds: a volume group is created only at definition, when the spec asks */
    converge_lifecycle(e, r, &pool_ops, pool, p->autostart);
}

int engine_destroy_pool(Engine *e, const char *name, DomainStays stays, void *userdata,
                        ObjectResult *r) {
    _cleanup_(virStoragePoolFreep) virStoragePoolPtr pool = virStoragePoolLookupByName(e->conn, name);
    if (!pool)
        return virt_error_errno() == -ENOENT ? 0 : fail(r, "looking up pool: %s", virt_error_message());
    _cleanup_free_ char *marker = pool_marker(e, name);
    if (access(marker, F_OK) < 0) {
        r->state = SYNC_FOREIGN_CONFLICT;
        r->error = xasprintf("a pool of this name exists that virtspec does not own (no %s): left alone",
                             marker);
        return -EPERM;
    }
    char *x = virStoragePoolGetXMLDesc(pool, VIR_STORAGE_XML_INACTIVE);
    _cleanup_(xmlFreeDocp) xmlDoc *have = x ? xml_parse(x) : NULL;
    free(x);
    if (!have)
        return fail(r, "reading pool: %s", virt_error_message());
    xmlNode *root = xmlDocGetRootElement(have);
    _cleanup_free_ char *type = xml_get(root, "@type");
    _cleanup_free_ char *dir = xml_get(root, "target/path");
    _cleanup_free_ char *users = NULL;
    if (domains_using(e, NULL, name, dir, stays, userdata, &users) < 0)
        return fail(r, "listing the domains that use it: %s", virt_error_message());
    if (users)
        return fail(r, "a domain that stays defined has a disk in it: %s", users);
    int n = virStoragePoolIsActive(pool) == 1 ? virStoragePoolNumOfVolumes(pool) : -1;
    const char *what = streq_ptr(type, "logical") ? "volume group" : "directory";
    r->state = SYNC_DRIFTED;
    if (n >= 0)
        action_add(r, ACTION_DESTROY, NULL, "%s and %d volume%s kept", what, n, n == 1 ? "" : "s");
    else
        action_add(r, ACTION_DESTROY, NULL, "%s and its volumes kept", what);
    if (!e->apply)
        return 0;
    /* never virStoragePoolDelete: the directory and the volumes stay where they are */
    virt_count_mutation();
    if (virStoragePoolIsActive(pool) == 1 && virStoragePoolDestroy(pool) < 0)
        return fail(r, "stopping the pool: %s", virt_error_message());
    virt_count_mutation();
    if (virStoragePoolUndefine(pool) < 0)
        return fail(r, "undefine failed: %s", virt_error_message());
    r->mutated = true;
    if (unlink(marker) < 0 && errno != ENOENT)
        return fail(r, "removing the ownership record %s: %s", marker, strerror(errno));
    return 0;
}
