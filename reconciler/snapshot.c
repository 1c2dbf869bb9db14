/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "snapshot.h"
#include "xml-util.h"

static void snap_info_clear(SnapInfo *si) {
    free(si->name);
    free(si->state);
    free(si->method);
    free(si->description);
}

void snap_list_clear(SnapList *l) {
    for (size_t i = 0; i < l->n; i++)
        snap_info_clear(&l->items[i]);
    free(l->items);
    *l = (SnapList) {};
}

/* pflash NVRAM: a pflash loader, an nvram element, or libvirt's automatic efi firmware */
static bool has_pflash(const xmlNode *root) {
    _cleanup_free_ char *loader = xml_get(root, "os/loader/@type");
    _cleanup_free_ char *fw = xml_get(root, "os/@firmware");
    return (loader && streq(loader, "pflash")) || xml_find(root, "os/nvram") ||
           (fw && streq(fw, "efi"));
}

const char *snapshot_method_of_xml(const char *xml, char **ret_why) {
    _cleanup_(xmlFreeDocp) xmlDoc *doc = xml_parse(xml);
    return snapshot_method_of_root(doc ? xmlDocGetRootElement(doc) : NULL, ret_why);
}

const char *snapshot_method_of_root(const xmlNode *root, char **ret_why) {
    if (!root) {
        *ret_why = xstrdup("its definition cannot be parsed");
        return NULL;
    }
    bool pflash = has_pflash(root);
    xmlNode *devices = xml_child(root, "devices");
    for (xmlNode *d = devices ? xml_child(devices, "disk") : NULL; d; d = xml_next_named(d)) {
        _cleanup_free_ char *device = xml_prop(d, "device"), *fmt = xml_get(d, "driver/@type");
        _cleanup_free_ char *dev = xml_get(d, "target/@dev");
        /* read-only disks (CD-ROMs, seeds) are left out of the snapshot by libvirt */
        if (xml_child(d, "readonly") || (device && !streq(device, "disk")))
            continue;
        if (!fmt || !streq(fmt, "qcow2")) {
            *ret_why = xasprintf("disk %s is %s: %s snapshots need every writable disk in qcow2",
                                 strna(dev), fmt ? fmt : "of no stated format",
                                 pflash ? "external" : "internal");
            return NULL;
        }
    }
    /* pflash: libvirt 9.0 takes no internal snapshot; external ones plus an NVRAM copy */
    return pflash ? "external+nvram" : "internal";
}

const char *snapshot_method(virDomainPtr dom, char **ret_why) {
    _cleanup_free_ char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    if (!xml) {
        *ret_why = xasprintf("reading its definition: %s", virt_error_message());
        return NULL;
    }
    return snapshot_method_of_xml(xml, ret_why);
}

char *snapshot_default_name(long long t) {
    time_t tt = (time_t) t;
    struct tm tm;
    char s[32];
    gmtime_r(&tt, &tm);
    strftime(s, sizeof s, "virtspec-%Y%m%d-%H%M%S", &tm);
    return xstrdup(s);
}

static int snap_info(virDomainSnapshotPtr snap, SnapInfo *ret) {
    _cleanup_free_ char *xml = virDomainSnapshotGetXMLDesc(snap, 0);
    if (!xml)
        return -EIO;
    _cleanup_(xmlFreeDocp) xmlDoc *doc = xml_parse(xml);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root)
        return -EINVAL;
    _cleanup_free_ char *t = xml_get(root, "creationTime");
    *ret = (SnapInfo) { .name = xstrdup(virDomainSnapshotGetName(snap)),
                        .time = t ? atoll(t) : 0, .state = xml_get(root, "state"),
                        .description = xml_get(root, "description") };
    if (!ret->state)
        ret->state = xstrdup("unknown");
    else if (streq(ret->state, "disk-snapshot")) {   /* disks only, of a running domain */
        free(ret->state);
        ret->state = xstrdup("running (crash-consistent: no memory)");
    }
    ret->ours = ret->description && strncmp(ret->description, SNAPSHOT_MARKER,
                                            strlen(SNAPSHOT_MARKER)) == 0;
    bool external = false;
    xmlNode *disks = xml_child(root, "disks");
    for (xmlNode *d = disks ? xml_child(disks, "disk") : NULL; d; d = xml_next_named(d))
        external = external || xml_prop_is(d, "snapshot", 8, "external", 8);
    _cleanup_free_ char *mem = xml_get(root, "memory/@snapshot");
    external = external || (mem && streq(mem, "external"));
    ret->method = xstrdup(external ? "external" : "internal");
    return 0;
}

static int cmp_snap(const void *a, const void *b) {
    const SnapInfo *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return strcmp(x->name, y->name);
}

int snapshot_list(virDomainPtr dom, SnapList *ret, char **ret_err) {
    virDomainSnapshotPtr *snaps = NULL;
    int n = virDomainListAllSnapshots(dom, &snaps, 0);
    if (n < 0) {
        *ret_err = xasprintf("listing snapshots: %s", virt_error_message());
        return -EIO;
    }
    int r = 0;
    *ret = (SnapList) { .items = xmalloc0(((size_t) n + 1) * sizeof(SnapInfo)) };
    for (int i = 0; i < n; i++) {
        if (r == 0 && snap_info(snaps[i], &ret->items[ret->n]) < 0) {
            *ret_err = xasprintf("reading snapshot %s: %s", virDomainSnapshotGetName(snaps[i]),
                                 virt_error_message());
            r = -EIO;
        } else if (r == 0)
            ret->n++;
        virDomainSnapshotFree(snaps[i]);
    }
    free(snaps);
    if (r < 0) {
        snap_list_clear(ret);
        return r;
    }
    if (ret->n > 1)
        qsort(ret->items, ret->n, sizeof(SnapInfo), cmp_snap);
    return 0;
}

static bool name_ok(const char *s) {
    return *s && *s != '.' && *s != '-' && strlen(s) <= 128 &&
           s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")] == 0;
}

static bool snap_exists(virDomainPtr dom, const char *name) {
    virDomainSnapshotPtr s = virDomainSnapshotLookupByName(dom, name, 0);
    if (!s)
        return false;
    virDomainSnapshotFree(s);
    return true;
}

int snapshot_create(Engine *e, virDomainPtr dom, const char *name, const char *why, char **ret_name,
                    const char **ret_method, char **ret_err) {
    _cleanup_free_ char *n = NULL;
    if (name) {
        if (!name_ok(name)) {
            *ret_err = xasprintf("'%s' is no snapshot name virtspec makes: letters, digits, '.', "
                                 "'_' and '-', not first '.' or '-', 128 at most", name);
            return -EINVAL;
        }
        n = xstrdup(name);
    } else {
        _cleanup_free_ char *base = snapshot_default_name((long long) time(NULL));
        n = xstrdup(base);
        for (unsigned k = 2; snap_exists(dom, n) && k < 1000; k++) {
            free(n);
            n = xasprintf("%s-%u", base, k);
        }
    }
    _cleanup_free_ char *why_method = NULL;
    const char *method = snapshot_method(dom, &why_method);
    if (!method) {
        *ret_err = xasprintf("cannot snapshot the domain: %s", why_method);
        return -EOPNOTSUPP;
    }
    if (ret_method)
        *ret_method = method;
    if (streq(method, "external+nvram")) {
        int r = snapshot_create_external(e, dom, n, why, ret_err);
        if (r == 0 && ret_name)
            *ret_name = TAKE_PTR(n);
        return r;
    }
    /* why is virtspec's own text; the name was checked above: nothing to escape */
    _cleanup_free_ char *xml = xasprintf("<domainsnapshot><name>%s</name><description>%s %s"
                                         "</description></domainsnapshot>", n, SNAPSHOT_MARKER, why);
    virt_count_mutation();
    virDomainSnapshotPtr s = virDomainSnapshotCreateXML(dom, xml, 0);
    if (!s) {
        *ret_err = xasprintf("creating snapshot %s (%s): %s", n, method, virt_error_message());
        return -EIO;
    }
    virDomainSnapshotFree(s);
    if (ret_name)
        *ret_name = TAKE_PTR(n);
    return 0;
}

static virDomainSnapshotPtr lookup(virDomainPtr dom, const char *name, char **ret_err) {
    virDomainSnapshotPtr s = virDomainSnapshotLookupByName(dom, name, 0);
    if (!s)
        *ret_err = xasprintf("no snapshot %s: %s", name, virt_error_message());
    return s;
}

/* Looks the snapshot up and calls op on it (virDomainSnapshotDelete, virDomainRevertToSnapshot),
 * the failure said as "VERB snapshot NAME: libvirt's error". */
static int snap_op(virDomainPtr dom, const char *name, int (*op)(virDomainSnapshotPtr, unsigned),
                   const char *verb, char **ret_err) {
    virDomainSnapshotPtr s = lookup(dom, name, ret_err);
    if (!s)
        return -ENOENT;
    virt_count_mutation();
    int k = op(s, 0);
    if (k < 0)
        *ret_err = xasprintf("%s snapshot %s: %s", verb, name, virt_error_message());
    virDomainSnapshotFree(s);
    return k < 0 ? -EIO : 0;
}

bool snapshot_deleted_by_virtspec(const SnapInfo *si) {
    return si->ours && streq(si->method, "external");
}

int snapshot_delete(Engine *e, virDomainPtr dom, const char *name, char **ret_err) {
    virDomainSnapshotPtr s = lookup(dom, name, ret_err);
    if (!s)
        return -ENOENT;
    SnapInfo si = {};
    int r = snap_info(s, &si);
    virDomainSnapshotFree(s);
    if (r < 0) {
        *ret_err = xasprintf("reading snapshot %s: %s", name, virt_error_message());
        return r;
    }
    bool own = snapshot_deleted_by_virtspec(&si);
    snap_info_clear(&si);
    if (!own)
        return snap_op(dom, name, virDomainSnapshotDelete, "deleting", ret_err);
    _cleanup_(ext_delete_clear) ExtDelete x = {};
    r = snapshot_delete_prepare(e, dom, name, true, &x, ret_err);
    if (r == 0)
        r = snapshot_delete_external(e, dom, name, &x, ret_err);
    for (size_t i = 0; r == 0 && i < x.n_kept; i++)
        log_info("Domain %s: snapshot %s deleted, its volume %s/%s kept: %s",
                 virDomainGetName(dom), name, x.kept[i].pool, x.kept[i].name, x.kept[i].why);
    return r;
}

int snapshot_revert(virDomainPtr dom, const char *name, char **ret_err) {
    return snap_op(dom, name, virDomainRevertToSnapshot, "reverting to", ret_err);
}

int snapshot_prune(Engine *e, virDomainPtr dom, unsigned keep, char ***deleted, size_t *n_deleted,
                   char **ret_err) {
    _cleanup_(snap_list_clear) SnapList l = {};
    int r = snapshot_list(dom, &l, ret_err);
    if (r < 0)
        return r;
    size_t ours = 0;
    for (size_t i = 0; i < l.n; i++)
        ours += l.items[i].ours;
    for (size_t i = 0; i < l.n && ours > keep; i++) {
        if (!l.items[i].ours)
            continue;
        r = snapshot_delete(e, dom, l.items[i].name, ret_err);
        if (r < 0)
            return r;
        *(char **) array_push(deleted, n_deleted, sizeof(char *)) = xstrdup(l.items[i].name);
        ours--;
    }
    return 0;
}
