/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "reload-mark.h"
#include "snapshot.h"
#include "util.h"
#include "volumes.h"
#include "xml-util.h"

/* External disk-only snapshots plus a copy of the NVRAM file, for domains with pflash NVRAM
 * (docs/snapshots.md): each writable disk gets a qcow2 overlay volume "STEM@SNAP.qcow2" in its
 * own pool (STEM: the volume's name before any '@' and without ".qcow2"), the NVRAM is copied into
 * a volume "DOMAIN@SNAP.nvram" next to the first overlay; both carry virtspec's "created" record
 * (volumes.c). The copy is named in the snapshot's description (SNAPSHOT_NVRAM_TAG). */

#define NVRAM_TAG "; nvram copy "

char *snapshot_overlay_name(const char *vol, const char *tag) {
    size_t n = strcspn(vol, "@");
    if (!vol[n] && n > 6 && streq(vol + n - 6, ".qcow2"))
        n -= 6;
    return xasprintf("%.*s@%s.qcow2", (int) n, vol, tag);
}

static void ext_disk_clear(ExtDisk *d) {
    free(d->dev);
    free(d->pool);
    free(d->base);
    free(d->base_path);
    free(d->overlay);
    free(d->overlay_path);
}

void ext_revert_clear(ExtRevert *x) {
    for (size_t i = 0; i < x->n; i++)
        ext_disk_clear(&x->disks[i]);
    free(x->disks);
    for (size_t i = 0; i < x->n_kept; i++)
        free(x->kept[i]);
    free(x->kept);
    free(x->nvram_pool);
    free(x->nvram_vol);
    free(x->nvram_path);
    free(x->backup_vol);
    free(x->def);
    *x = (ExtRevert) {};
}

/* The pool, name and path of the volume a disk element uses (type volume, or a file a pool
 * holds). */
static int disk_volume(virConnectPtr conn, const xmlNode *d, ExtDisk *ret, char **ret_err) {
    _cleanup_free_ char *p = xml_get(d, "source/@pool"), *v = xml_get(d, "source/@volume");
    _cleanup_free_ char *f = xml_get(d, "source/@file");
    _cleanup_(virStorageVolFreep) virStorageVolPtr sv = NULL;
    if (p && v) {
        _cleanup_(virStoragePoolFreep) virStoragePoolPtr sp = virStoragePoolLookupByName(conn, p);
        sv = sp ? virStorageVolLookupByName(sp, v) : NULL;
    } else if (f)
        sv = virStorageVolLookupByPath(conn, f);
    _cleanup_(virStoragePoolFreep) virStoragePoolPtr pool = sv ? virStoragePoolLookupByVolume(sv) : NULL;
    char *path = pool ? virStorageVolGetPath(sv) : NULL;
    if (!path) {
        *ret_err = xasprintf("disk %s is no volume of a libvirt pool (%s): an external snapshot puts "
                             "its overlay in the disk's pool", strna(ret->dev), virt_error_message());
        return -ENOENT;
    }
    ret->pool = xstrdup(virStoragePoolGetName(pool));
    ret->base = xstrdup(virStorageVolGetName(sv));
    ret->base_path = path;
    return 0;
}

/* The writable disks of a domain definition (CD-ROMs and read-only disks are left out). */
static bool writable_disk(const xmlNode *d) {
    _cleanup_free_ char *device = xml_prop(d, "device");
    return !xml_child(d, "readonly") && (!device || streq(device, "disk"));
}

static const xmlNode *disk_by_dev(const xmlNode *root, const char *dev) {
    xmlNode *devices = xml_child(root, "devices");
    for (xmlNode *d = devices ? xml_child(devices, "disk") : NULL; d; d = xml_next_named(d)) {
        _cleanup_free_ char *t = xml_get(d, "target/@dev");
        if (streq_ptr(t, dev))
            return d;
    }
    return NULL;
}

/* Points the disk element at pool/vol (type='volume'). */
static void disk_set_volume(xmlNode *d, const char *pool, const char *vol) {
    xmlSetProp(d, (const xmlChar *) "type", (const xmlChar *) "volume");
    xml_unset(d, "source/@file");
    xml_unset(d, "source/@index");
    xml_set(d, "source/@pool", pool);
    xml_set(d, "source/@volume", vol);
    xmlNode *bs = xml_child(d, "backingStore");
    if (bs) {
        xmlUnlinkNode(bs);
        xmlFreeNode(bs);
    }
}

char *snapshot_nvram_path(virDomainPtr dom) {
    _cleanup_free_ char *x = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    _cleanup_(xmlFreeDocp) xmlDoc *doc = x ? xml_parse(x) : NULL;
    char *p = doc ? xml_get(xmlDocGetRootElement(doc), "os/nvram") : NULL;
    if (!p && virDomainIsActive(dom) == 1) {
        _cleanup_free_ char *lx = virDomainGetXMLDesc(dom, 0);
        _cleanup_(xmlFreeDocp) xmlDoc *ld = lx ? xml_parse(lx) : NULL;
        p = ld ? xml_get(xmlDocGetRootElement(ld), "os/nvram") : NULL;
    }
    if (!p || !*p) {   /* libvirt's own name for it (qemu driver, system instance) */
        free(p);
        p = xasprintf("/var/lib/libvirt/qemu/nvram/%s_VARS.fd", virDomainGetName(dom));
    }
    return p;
}

/* Creates volume name in pool, virtspec's "created" record first (owner: "domain D snapshot S").
 * backing NULL: a raw volume of size bytes; else a qcow2 overlay on backing (a qcow2). */
static int volume_make(Engine *e, virConnectPtr conn, const char *pool, const char *name,
                       const char *owner, const char *backing, unsigned long long size,
                       virStorageVolPtr *ret_vol, char **ret_err) {
    _cleanup_(virStoragePoolFreep) virStoragePoolPtr sp = virStoragePoolLookupByName(conn, pool);
    if (!sp) {
        *ret_err = xasprintf("pool %s: %s", pool, virt_error_message());
        return -ENOENT;
    }
    _cleanup_free_ char *what = xasprintf("volume %s/%s", pool, name);
    _cleanup_free_ char *self = xstrdup(owner + strlen("domain "));
    self[strcspn(self, " ")] = 0;
    return volume_create_recorded(e, sp, name, size, backing ? "qcow2" : "raw", backing, "qcow2",
                                  owner, self, what, ret_vol, ret_err);
}

/* Deletes volume v and its "created" record; -EIO when libvirt refuses. */
static int volume_drop(Engine *e, virStorageVolPtr v) {
    _cleanup_(virStoragePoolFreep) virStoragePoolPtr sp = virStoragePoolLookupByVolume(v);
    _cleanup_free_ char *m = sp ? volume_created_marker(e, virStoragePoolGetName(sp),
                                                        virStorageVolGetName(v)) : NULL;
    virt_count_mutation();
    if (virStorageVolDelete(v, 0) < 0)
        return -EIO;
    if (m)
        unlink(m);
    return 0;
}

/* Deletes volumes this run created and that hold nothing yet (a snapshot that failed). */
static void volume_unmake(Engine *e, virStorageVolPtr v) {
    if (v)
        (void) volume_drop(e, v);
}

static int read_all(const char *path, char **ret, size_t *ret_len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -EINVAL;
    }
    char *b = xmalloc0((size_t) st.st_size + 1);
    size_t got = 0;
    while (got < (size_t) st.st_size) {
        ssize_t k = read(fd, b + got, (size_t) st.st_size - got);
        if (k <= 0) {
            close(fd);
            free(b);
            return k < 0 ? -errno : -EIO;
        }
        got += (size_t) k;
    }
    close(fd);
    *ret = b;
    *ret_len = got;
    return 0;
}

/* Finishes (ok) or aborts stream st, freeing it; a failure says "WHAT: libvirt's error". */
_printf_(4, 5)
static int stream_end(virStreamPtr st, bool ok, char **ret_err, const char *fmt, ...) {
    ok = ok && virStreamFinish(st) == 0;
    if (!ok) {
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *what = xvasprintf(fmt, ap);
        va_end(ap);
        *ret_err = xasprintf("%s: %s", what, virt_error_message());
        if (st)
            virStreamAbort(st);
    }
    if (st)
        virStreamFree(st);
    return ok ? 0 : -EIO;
}

/* The NVRAM file's bytes into volume v (libvirt's volume upload). */
static int nvram_upload(virConnectPtr conn, virStorageVolPtr v, const char *path, char **ret_err) {
    _cleanup_free_ char *b = NULL;
    size_t len = 0;
    int r = read_all(path, &b, &len);
    if (r < 0) {
        *ret_err = xasprintf("reading the NVRAM file %s: %s", path, strerror(-r));
        return r;
    }
    virStreamPtr st = virStreamNew(conn, 0);
    bool ok = st && virStorageVolUpload(v, st, 0, len, 0) == 0;
    for (size_t off = 0; ok && off < len;) {
        int k = virStreamSend(st, b + off, len - off);
        ok = k > 0;
        off += ok ? (size_t) k : 0;
    }
    return stream_end(st, ok, ret_err, "copying the NVRAM file %s", path);
}

/* Volume v's bytes over the NVRAM file at path (a new file renamed over it). */
static int nvram_download(virConnectPtr conn, virStorageVolPtr v, const char *path, char **ret_err) {
    Buf b = {};
    virStreamPtr st = virStreamNew(conn, 0);
    bool ok = st && virStorageVolDownload(v, st, 0, 0, 0) == 0;
    char chunk[65536];
    for (int k = 1; ok && k > 0;) {
        k = virStreamRecv(st, chunk, sizeof chunk);
        ok = k >= 0;
        if (k > 0)
            buf_add(&b, chunk, (size_t) k);
    }
    ok = stream_end(st, ok, ret_err, "reading the NVRAM copy of %s", path) == 0;
    _cleanup_free_ char *tmp = xasprintf("%s.virtspec-revert", path);
    int fd = ok ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600) : -1;
    if (ok && fd < 0)
        *ret_err = xasprintf("writing %s: %m", tmp);
    bool wrote = fd >= 0 && write(fd, b.p ? b.p : "", b.n) == (ssize_t) b.n && fsync(fd) == 0;
    if (fd >= 0 && (close(fd) < 0 || !wrote || rename(tmp, path) < 0)) {
        *ret_err = xasprintf("writing the NVRAM file %s: %m", path);
        unlink(tmp);
        wrote = false;
    }
    free(b.p);
    return wrote ? 0 : -EIO;
}

/* The snapshot document: its name, description and one external disk per overlay. */
static char *snapshot_xml(const char *name, const char *desc, const ExtDisk *d, size_t n) {
    _cleanup_(xmlFreeDocp) xmlDoc *doc = xmlNewDoc((const xmlChar *) "1.0");
    xmlNode *root = xmlNewNode(NULL, (const xmlChar *) "domainsnapshot");
    xmlDocSetRootElement(doc, root);
    xmlNewTextChild(root, NULL, (const xmlChar *) "name", (const xmlChar *) name);
    xmlNewTextChild(root, NULL, (const xmlChar *) "description", (const xmlChar *) desc);
    xmlNode *disks = xmlNewChild(root, NULL, (const xmlChar *) "disks", NULL);
    for (size_t i = 0; i < n; i++) {
        xmlNode *e = xmlNewChild(disks, NULL, (const xmlChar *) "disk", NULL);
        xmlSetProp(e, (const xmlChar *) "name", (const xmlChar *) d[i].dev);
        xmlSetProp(e, (const xmlChar *) "snapshot", (const xmlChar *) "external");
        xmlSetProp(e, (const xmlChar *) "type", (const xmlChar *) "file");
        xmlNode *s = xmlNewChild(e, NULL, (const xmlChar *) "source", NULL);
        xmlSetProp(s, (const xmlChar *) "file", (const xmlChar *) d[i].overlay_path);
        xmlNode *drv = xmlNewChild(e, NULL, (const xmlChar *) "driver", NULL);
        xmlSetProp(drv, (const xmlChar *) "type", (const xmlChar *) "qcow2");
    }
    return xml_to_string(doc);
}

/* After the snapshot: the persistent definition names the overlays as volumes of their pools
 * (libvirt wrote them as files), as a spec's disk renders (render.c takes "STEM@…" for STEM). */
static int define_with_overlays(virDomainPtr dom, const ExtDisk *d, size_t n, char **ret_err) {
    _cleanup_free_ char *x = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
    _cleanup_(xmlFreeDocp) xmlDoc *doc = x ? xml_parse(x) : NULL;
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    for (size_t i = 0; root && i < n; i++) {
        xmlNode *e = (xmlNode *) disk_by_dev(root, d[i].dev);
        if (e)
            disk_set_volume(e, d[i].pool, d[i].overlay);
    }
    _cleanup_free_ char *nx = root ? xml_to_string(doc) : NULL;
    virt_count_mutation();
    virDomainPtr nd = nx ? virDomainDefineXML(virDomainGetConnect(dom), nx) : NULL;
    if (!nd) {
        *ret_err = xasprintf("naming the overlays as volumes in the definition: %s",
                             virt_error_message());
        return -EIO;
    }
    virDomainFree(nd);
    return 0;
}

/* The "created" record an overlay on d->base gets: the one of the volume it is put on ("domain D
 * disk NAME", so that the disk entry keeps owning its data, volumes.c), else fallback. */
static char *overlay_owner(Engine *e, const ExtDisk *d, const char *fallback) {
    _cleanup_free_ char *m = volume_created_marker(e, d->pool, d->base);
    char *rec = volume_marker_read(m);
    if (rec && strncmp(rec, "domain ", 7) == 0 && strchr(rec, '\n'))
        return rec;
    free(rec);
    return xstrdup(fallback);
}

/* Overlays and the NVRAM volume for snapshot name: planned (names) and created. */
static int ext_prepare_create(Engine *e, virDomainPtr dom, const char *name, ExtDisk **ret_d,
                              size_t *ret_n, char **ret_err) {
    virConnectPtr conn = virDomainGetConnect(dom);
    _cleanup_free_ char *x = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    _cleanup_(xmlFreeDocp) xmlDoc *doc = x ? xml_parse(x) : NULL;
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    xmlNode *devices = root ? xml_child(root, "devices") : NULL;
    for (xmlNode *d = devices ? xml_child(devices, "disk") : NULL; d; d = xml_next_named(d)) {
        if (!writable_disk(d))
            continue;
        ExtDisk *ed = array_push(ret_d, ret_n, sizeof(ExtDisk));
        ed->dev = xml_get(d, "target/@dev");
        if (disk_volume(conn, d, ed, ret_err) < 0)
            return -ENOENT;
        ed->overlay = snapshot_overlay_name(ed->base, name);
    }
    (void) e;
    if (*ret_n == 0) {
        *ret_err = xstrdup("it has no writable disk to snapshot");
        return -EINVAL;
    }
    return 0;
}

int snapshot_create_external(Engine *e, virDomainPtr dom, const char *name, const char *why,
                             char **ret_err) {
    if (!e->local) {
        *ret_err = xstrdup("its NVRAM file is copied on the libvirt host: virtspec must run there "
                           "(a local qemu:///system connection)");
        return -EOPNOTSUPP;
    }
    virConnectPtr conn = virDomainGetConnect(dom);
    ExtDisk *d = NULL;
    size_t n = 0;
    virStorageVolPtr *made = NULL;
    size_t n_made = 0;
    _cleanup_free_ char *nvram = snapshot_nvram_path(dom), *nvol = NULL, *desc = NULL;
    _cleanup_free_ char *owner = xasprintf("domain %s snapshot %s\n", virDomainGetName(dom), name);
    struct stat st;
    int r = ext_prepare_create(e, dom, name, &d, &n, ret_err);
    if (r == 0 && stat(nvram, &st) < 0) {
        *ret_err = xasprintf("its NVRAM file %s does not exist (%m): start the domain once, "
                             "then take the snapshot", nvram);
        r = -ENOENT;
    }
    for (size_t i = 0; r == 0 && i < n; i++) {
        virStorageVolInfo vi;
        _cleanup_(virStoragePoolFreep) virStoragePoolPtr sp = virStoragePoolLookupByName(conn, d[i].pool);
        _cleanup_(virStorageVolFreep) virStorageVolPtr bv = sp ? virStorageVolLookupByName(sp, d[i].base) : NULL;
        if (!bv || virStorageVolGetInfo(bv, &vi) < 0) {
            *ret_err = xasprintf("volume %s/%s: %s", d[i].pool, d[i].base, virt_error_message());
            r = -EIO;
            break;
        }
        virStorageVolPtr *slot = array_push(&made, &n_made, sizeof(virStorageVolPtr));
        _cleanup_free_ char *rec = overlay_owner(e, &d[i], owner);
        r = volume_make(e, conn, d[i].pool, d[i].overlay, rec, d[i].base_path, vi.capacity, slot,
                        ret_err);
        if (r < 0)
            n_made--;
        else
            d[i].overlay_path = virStorageVolGetPath(*slot);
    }
    virStorageVolPtr nv = NULL;
    if (r == 0) {
        nvol = xasprintf("%s@%s.nvram", virDomainGetName(dom), name);
        r = volume_make(e, conn, d[0].pool, nvol, owner, NULL, (unsigned long long) st.st_size,
                        &nv, ret_err);
    }
    bool paused = false;
    int dstate = VIR_DOMAIN_NOSTATE;
    if (r == 0 && virDomainGetState(dom, &dstate, NULL, 0) == 0 && dstate == VIR_DOMAIN_RUNNING) {
        virt_count_mutation();
        paused = virDomainSuspend(dom) == 0;
        if (!paused) {
            *ret_err = xasprintf("pausing it around the snapshot: %s", virt_error_message());
            r = -EIO;
        }
    }
    bool taken = false;
    if (r == 0) {
        desc = xasprintf("%s %s" NVRAM_TAG "%s/%s", SNAPSHOT_MARKER, why, d[0].pool, nvol);
        _cleanup_free_ char *sx = snapshot_xml(name, desc, d, n);
        virt_count_mutation();
        virDomainSnapshotPtr s = virDomainSnapshotCreateXML(dom, sx,
            VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY | VIR_DOMAIN_SNAPSHOT_CREATE_REUSE_EXT |
            VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC);
        if (!s) {
            *ret_err = xasprintf("creating snapshot %s (external+nvram): %s", name, virt_error_message());
            r = -EIO;
        } else {
            taken = true;
            virDomainSnapshotFree(s);
            r = nvram_upload(conn, nv, nvram, ret_err);
            if (r < 0) {
                char *m = xasprintf("snapshot %s taken, but its NVRAM copy failed: %s", name, *ret_err);
                free(*ret_err);
                *ret_err = m;
            }
        }
    }
    if (paused) {
        virt_count_mutation();
        if (virDomainResume(dom) < 0 && r == 0) {
            *ret_err = xasprintf("snapshot %s taken, but resuming the domain failed: %s", name,
                                 virt_error_message());
            r = -EIO;
        }
    }
    if (taken) {
        _cleanup_free_ char *derr = NULL;
        if (define_with_overlays(dom, d, n, &derr) < 0 && r == 0) {
            *ret_err = xasprintf("snapshot %s taken, but %s", name, derr);
            r = -EIO;
        }
    } else {   /* nothing was taken: the empty volumes go again */
        for (size_t i = 0; i < n_made; i++)
            volume_unmake(e, made[i]);
        volume_unmake(e, nv);
    }
    for (size_t i = 0; i < n_made; i++)
        virStorageVolFree(made[i]);
    free(made);
    if (nv)
        virStorageVolFree(nv);
    for (size_t i = 0; i < n; i++)
        ext_disk_clear(&d[i]);
    free(d);
    return r;
}

bool snapshot_libvirt_reverts_external(virConnectPtr conn) {
    unsigned long v = 0;
    return virConnectGetLibVersion(conn, &v) == 0 && v >= 9007000;
}

/* "POOL/VOL" of the NVRAM copy a description names, split. */
static bool nvram_copy_of(const char *desc, char **pool, char **vol) {
    const char *t = desc ? strstr(desc, NVRAM_TAG) : NULL;
    if (!t)
        return false;
    t += strlen(NVRAM_TAG);
    const char *slash = strchr(t, '/');
    if (!slash || slash == t || !slash[1])
        return false;
    *pool = xstrndup(t, (size_t) (slash - t));
    *vol = xstrndup(slash + 1, strcspn(slash + 1, " \n"));
    return true;
}

static bool volume_exists(virConnectPtr conn, const char *pool, const char *name) {
    _cleanup_(virStoragePoolFreep) virStoragePoolPtr sp = virStoragePoolLookupByName(conn, pool);
    _cleanup_(virStorageVolFreep) virStorageVolPtr v = sp ? virStorageVolLookupByName(sp, name) : NULL;
    return v != NULL;
}

int snapshot_revert_prepare(virDomainPtr dom, const char *name, ExtRevert *ret, char **ret_err) {
    virConnectPtr conn = virDomainGetConnect(dom);
    virDomainSnapshotPtr s = virDomainSnapshotLookupByName(dom, name, 0);
    _cleanup_free_ char *sx = s ? virDomainSnapshotGetXMLDesc(s, VIR_DOMAIN_SNAPSHOT_XML_SECURE) : NULL;
    if (s)
        virDomainSnapshotFree(s);
    _cleanup_(xmlFreeDocp) xmlDoc *doc = sx ? xml_parse(sx) : NULL;
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    xmlNode *saved = root ? xml_child(root, "domain") : NULL;
    if (!saved) {
        *ret_err = xasprintf("snapshot %s: its saved definition cannot be read: %s", name,
                             virt_error_message());
        return -EIO;
    }
    *ret = (ExtRevert) {};
    _cleanup_free_ char *desc = xml_get(root, "description");
    nvram_copy_of(desc, &ret->nvram_pool, &ret->nvram_vol);
    ret->nvram_path = snapshot_nvram_path(dom);
    if (ret->nvram_vol && access(ret->nvram_path, F_OK) == 0) {   /* a backup of it first */
        time_t now = time(NULL);
        struct tm tm;
        char t[32];
        gmtime_r(&now, &tm);
        strftime(t, sizeof t, "%Y%m%d-%H%M%S", &tm);   /* UTC, as snapshot names (snapshot.c) */
        for (unsigned k = 1; !ret->backup_vol || volume_exists(conn, ret->nvram_pool, ret->backup_vol); k++) {
            free(ret->backup_vol);
            ret->backup_vol = k == 1 ? xasprintf("%s@before-revert-%s.nvram", virDomainGetName(dom), t)
                                     : xasprintf("%s@before-revert-%s-%u.nvram", virDomainGetName(dom), t, k);
        }
    }
    _cleanup_free_ char *cx = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    _cleanup_(xmlFreeDocp) xmlDoc *cur = cx ? xml_parse(cx) : NULL;
    _cleanup_(xmlFreeDocp) xmlDoc *def = xmlNewDoc((const xmlChar *) "1.0");
    xmlNode *droot = xmlDocCopyNode(saved, def, 1);
    xmlDocSetRootElement(def, droot);
    xmlNode *disks = xml_child(root, "disks");
    for (xmlNode *k = disks ? xml_child(disks, "disk") : NULL; k; k = xml_next_named(k)) {
        if (!xml_prop_is(k, "snapshot", 8, "external", 8))
            continue;
        ExtDisk *ed = array_push(&ret->disks, &ret->n, sizeof(ExtDisk));
        ed->dev = xml_prop(k, "name");
        xmlNode *sd = (xmlNode *) disk_by_dev(droot, ed->dev);
        if (!sd || disk_volume(conn, sd, ed, ret_err) < 0) {
            if (!sd)
                *ret_err = xasprintf("snapshot %s: disk %s is not in its saved definition", name,
                                     strna(ed->dev));
            ext_revert_clear(ret);
            return -ENOENT;
        }
        /* a fresh overlay on the snapshot's image: that image stays as it is (the overlays
         * written since are based on it) */
        for (unsigned k2 = 1; !ed->overlay || volume_exists(conn, ed->pool, ed->overlay); k2++) {
            free(ed->overlay);
            _cleanup_free_ char *tag = xasprintf("%s.r%u", name, k2);
            ed->overlay = snapshot_overlay_name(ed->base, tag);
        }
        disk_set_volume(sd, ed->pool, ed->overlay);
        const xmlNode *now = cur ? disk_by_dev(xmlDocGetRootElement(cur), ed->dev) : NULL;
        ExtDisk k3 = { .dev = xstrdup(ed->dev) };
        _cleanup_free_ char *ignored = NULL;
        if (now && disk_volume(conn, now, &k3, &ignored) == 0)
            *(char **) array_push(&ret->kept, &ret->n_kept, sizeof(char *)) =
                xasprintf("%s/%s", k3.pool, k3.base);
        ext_disk_clear(&k3);
    }
    ret->def = xml_to_string(def);
    return 0;
}

/* The current NVRAM file into a new volume x->backup_vol (before the revert overwrites it). */
static int nvram_backup(Engine *e, virConnectPtr conn, const ExtRevert *x, const char *owner,
                        virStorageVolPtr *ret_vol, char **ret_err) {
    struct stat st;
    if (stat(x->nvram_path, &st) < 0) {
        int k = -errno;
        *ret_err = xasprintf("reading the NVRAM file %s for its backup: %s", x->nvram_path, strerror(-k));
        return k;
    }
    int r = volume_make(e, conn, x->nvram_pool, x->backup_vol, owner, NULL,
                        (unsigned long long) st.st_size, ret_vol, ret_err);
    if (r == 0)
        r = nvram_upload(conn, *ret_vol, x->nvram_path, ret_err);
    return r;
}

/* A revert that failed after it replaced the NVRAM file: the backup back over it (the disks stay
 * on the volumes they used: the definition was not written), said in *ret_err. The backup volume
 * is kept either way. */
static void nvram_put_back(virConnectPtr conn, const ExtRevert *x, virStorageVolPtr backup,
                           char **ret_err) {
    _cleanup_free_ char *err = NULL;
    char *m;
    if (nvram_download(conn, backup, x->nvram_path, &err) == 0)
        m = xasprintf("%s; the NVRAM file %s was put back as it was, from its backup %s/%s", *ret_err,
                      x->nvram_path, x->nvram_pool, x->backup_vol);
    else
        m = xasprintf("%s; putting the NVRAM file back from its backup %s/%s failed too (%s): copy it "
                      "back with virsh vol-download --pool %s %s %s", *ret_err, x->nvram_pool,
                      x->backup_vol, err, x->nvram_pool, x->backup_vol, x->nvram_path);
    free(*ret_err);
    *ret_err = m;
}

int snapshot_revert_external(Engine *e, virDomainPtr dom, const char *name, ExtRevert *x,
                             char **ret_err) {
    virConnectPtr conn = virDomainGetConnect(dom);
    if (virDomainIsActive(dom) != 0) {
        *ret_err = xstrdup("the domain must be shut off for virtspec's revert of an external "
                           "snapshot");
        return -EBUSY;
    }
    if (x->nvram_vol && !e->local) {
        *ret_err = xstrdup("the NVRAM copy is restored on the libvirt host: virtspec must run "
                           "there (a local qemu:///system connection)");
        return -EOPNOTSUPP;
    }
    int r = 0;
    bool own = !snapshot_libvirt_reverts_external(conn);
    _cleanup_free_ char *owner = xasprintf("domain %s snapshot %s revert\n", virDomainGetName(dom), name);
    virStorageVolPtr *made = xmalloc0((x->n + 1) * sizeof(virStorageVolPtr));
    for (size_t i = 0; own && r == 0 && i < x->n; i++) {
        virStorageVolInfo vi;
        _cleanup_(virStoragePoolFreep) virStoragePoolPtr sp = virStoragePoolLookupByName(conn, x->disks[i].pool);
        _cleanup_(virStorageVolFreep) virStorageVolPtr bv = sp ? virStorageVolLookupByName(sp, x->disks[i].base) : NULL;
        if (!bv || virStorageVolGetInfo(bv, &vi) < 0) {
            *ret_err = xasprintf("volume %s/%s: %s", x->disks[i].pool, x->disks[i].base, virt_error_message());
            r = -EIO;
        } else {
            _cleanup_free_ char *rec = overlay_owner(e, &x->disks[i], owner);
            r = volume_make(e, conn, x->disks[i].pool, x->disks[i].overlay, rec,
                            x->disks[i].base_path, vi.capacity, &made[i], ret_err);
        }
    }
    virStorageVolPtr backup = NULL;
    if (r == 0 && x->backup_vol)
        r = nvram_backup(e, conn, x, owner, &backup, ret_err);
    bool nvram_replaced = false;
    if (r == 0 && x->nvram_vol) {
        _cleanup_(virStoragePoolFreep) virStoragePoolPtr sp = virStoragePoolLookupByName(conn, x->nvram_pool);
        _cleanup_(virStorageVolFreep) virStorageVolPtr nv = sp ? virStorageVolLookupByName(sp, x->nvram_vol) : NULL;
        if (!nv) {
            *ret_err = xasprintf("its NVRAM copy %s/%s: %s", x->nvram_pool, x->nvram_vol,
                                 virt_error_message());
            r = -ENOENT;
        } else
            r = nvram_download(conn, nv, x->nvram_path, ret_err);
        nvram_replaced = r == 0;
    }
    if (r == 0 && own) {
        virt_count_mutation();
        virDomainPtr nd = virDomainDefineXML(conn, x->def);
        if (!nd) {
            *ret_err = xasprintf("defining the domain with the snapshot's disks: %s",
                                 virt_error_message());
            r = -EIO;
        } else {
            if (x->mark_ttl_s)   /* the definition written has no restart record: again */
                reload_mark_set(dom, x->mark_ttl_s);
            virDomainFree(nd);
        }
    } else if (r == 0) {   /* libvirt 9.7 and later revert external snapshots themselves */
        virDomainSnapshotPtr s = virDomainSnapshotLookupByName(dom, name, 0);
        virt_count_mutation();
        if (!s || virDomainRevertToSnapshot(s, 0) < 0) {
            *ret_err = xasprintf("reverting to snapshot %s: %s", name, virt_error_message());
            r = -EIO;
        }
        if (s)
            virDomainSnapshotFree(s);
    }
    for (size_t i = 0; i < x->n; i++) {
        if (r < 0)
            volume_unmake(e, made[i]);
        if (made[i])
            virStorageVolFree(made[i]);
    }
    free(made);
    if (backup && r < 0 && nvram_replaced)
        nvram_put_back(conn, x, backup, ret_err);
    if (backup && r < 0 && !nvram_replaced)   /* the NVRAM file is as it was: no backup needed */
        volume_unmake(e, backup);
    x->backup_kept = backup && (r == 0 || nvram_replaced);
    if (backup)
        virStorageVolFree(backup);
    return r;
}

static void ext_vol_clear(ExtVol *v) {
    free(v->pool);
    free(v->name);
    free(v->why);
}

void ext_delete_clear(ExtDelete *x) {
    for (size_t i = 0; i < x->n_gone; i++)
        ext_vol_clear(&x->gone[i]);
    for (size_t i = 0; i < x->n_kept; i++)
        ext_vol_clear(&x->kept[i]);
    free(x->gone);
    free(x->kept);
    *x = (ExtDelete) {};
}

/* The pool and name of the volume at path; false: none (gone, or no pool's). */
static bool volume_at(virConnectPtr conn, const char *path, char **ret_pool, char **ret_name) {
    _cleanup_(virStorageVolFreep) virStorageVolPtr v = virStorageVolLookupByPath(conn, path);
    _cleanup_(virStoragePoolFreep) virStoragePoolPtr p = v ? virStoragePoolLookupByVolume(v) : NULL;
    if (!p)
        return false;
    *ret_pool = xstrdup(virStoragePoolGetName(p));
    *ret_name = xstrdup(virStorageVolGetName(v));
    return true;
}

/* The first snapshot of dom other than self whose document (its saved definition, its overlays)
 * names the volume: a revert to it needs the volume. NULL: none. */
static char *snapshot_using(virDomainPtr dom, const char *self, const char *pool, const char *name,
                            const char *path) {
    virDomainSnapshotPtr *snaps = NULL;
    int n = virDomainListAllSnapshots(dom, &snaps, 0);
    char *user = n < 0 ? xasprintf("(snapshots cannot be listed: %s)", virt_error_message()) : NULL;
    for (int i = 0; i < n; i++) {
        const char *sn = virDomainSnapshotGetName(snaps[i]);
        if (!user && !streq(sn, self)) {
            _cleanup_free_ char *x = virDomainSnapshotGetXMLDesc(snaps[i], VIR_DOMAIN_SNAPSHOT_XML_SECURE);
            _cleanup_(xmlFreeDocp) xmlDoc *doc = x ? xml_parse(x) : NULL;
            if (!doc || volume_source_refers(xmlDocGetRootElement(doc), pool, name, path))
                user = xasprintf("snapshot %s", sn);
        }
        virDomainSnapshotFree(snaps[i]);
    }
    free(snaps);
    return user;
}

/* pool/name (what it is: "the snapshot's …"; unused: why it goes when nothing uses it) into x:
 * gone when virtspec created it (its record) and user is NULL, else kept. */
static void ext_vol_sort(Engine *e, ExtDelete *x, const char *pool, const char *name,
                         const char *what, const char *unused, const char *user, bool keep) {
    _cleanup_free_ char *m = volume_created_marker(e, pool, name);
    bool ours = access(m, F_OK) == 0;
    ExtVol *v = user || !ours || keep ? array_push(&x->kept, &x->n_kept, sizeof(ExtVol))
                                      : array_push(&x->gone, &x->n_gone, sizeof(ExtVol));
    *v = (ExtVol) { .pool = xstrdup(pool), .name = xstrdup(name), .in_use = user != NULL,
                    .why = user ? xasprintf("%s, used by %s", what, user)
                         : !ours ? xasprintf("%s, not recorded as virtspec's (no %s)", what, m)
                         : keep ? xasprintf("%s, used by nothing else: kept (pruning never deletes "
                                            "what a guest wrote after a snapshot; `virtspec snapshot "
                                            "delete` would)", what)
                         : xasprintf("%s, %s", what, unused) };
}

int snapshot_delete_prepare(Engine *e, virDomainPtr dom, const char *name, bool keep_overlays,
                            ExtDelete *ret, char **ret_err) {
    virConnectPtr conn = virDomainGetConnect(dom);
    virDomainSnapshotPtr s = virDomainSnapshotLookupByName(dom, name, 0);
    _cleanup_free_ char *sx = s ? virDomainSnapshotGetXMLDesc(s, VIR_DOMAIN_SNAPSHOT_XML_SECURE) : NULL;
    if (s)
        virDomainSnapshotFree(s);
    _cleanup_(xmlFreeDocp) xmlDoc *doc = sx ? xml_parse(sx) : NULL;
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root) {
        *ret_err = xasprintf("snapshot %s cannot be read: %s", name, virt_error_message());
        return -EIO;
    }
    *ret = (ExtDelete) {};
    _cleanup_free_ char *desc = xml_get(root, "description"), *np = NULL, *nv = NULL;
    if (nvram_copy_of(desc, &np, &nv) && volume_exists(conn, np, nv))
        ext_vol_sort(e, ret, np, nv, "the snapshot's NVRAM copy", "used by nothing else",
                     NULL, false);   /* only it names that */
    xmlNode *disks = xml_child(root, "disks");
    for (xmlNode *k = disks ? xml_child(disks, "disk") : NULL; k; k = xml_next_named(k)) {
        _cleanup_free_ char *path = xml_get(k, "source/@file"), *pool = NULL, *vol = NULL;
        if (!xml_prop_is(k, "snapshot", 8, "external", 8) || !path || !volume_at(conn, path, &pool, &vol))
            continue;   /* an overlay already gone is nothing to delete */
        _cleanup_free_ char *user = volume_user(e, pool, vol, path);
        if (!user)
            user = snapshot_using(dom, name, pool, vol, path);
        /* unused: a revert moved the disk off it; it holds what the guest wrote after */
        ext_vol_sort(e, ret, pool, vol, "the snapshot's overlay",
                     "holding what the guest wrote after the snapshot (left by a revert): deleted",
                     user, keep_overlays);
    }
    return 0;
}

int snapshot_delete_external(Engine *e, virDomainPtr dom, const char *name, const ExtDelete *x,
                             char **ret_err) {
    virConnectPtr conn = virDomainGetConnect(dom);
    virDomainSnapshotPtr s = virDomainSnapshotLookupByName(dom, name, 0);
    virt_count_mutation();
    /* the metadata only: libvirt 9.0's block commit leaves the persistent definition on the
     * overlay it deletes when the definition names it as a volume */
    int k = s ? virDomainSnapshotDelete(s, VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY) : -1;
    if (k < 0)
        *ret_err = xasprintf("deleting snapshot %s: %s", name, virt_error_message());
    if (s)
        virDomainSnapshotFree(s);
    if (k < 0)
        return -EIO;
    Buf failed = {};
    for (size_t i = 0; i < x->n_gone; i++) {
        _cleanup_(virStoragePoolFreep) virStoragePoolPtr sp = virStoragePoolLookupByName(conn, x->gone[i].pool);
        _cleanup_(virStorageVolFreep) virStorageVolPtr v = sp ? virStorageVolLookupByName(sp, x->gone[i].name) : NULL;
        if (!v || volume_drop(e, v) < 0)
            buf_printf(&failed, "%s%s/%s (%s; delete it with: virsh vol-delete --pool %s %s)",
                       failed.p ? ", " : "", x->gone[i].pool, x->gone[i].name, virt_error_message(),
                       x->gone[i].pool, x->gone[i].name);
    }
    if (failed.p) {
        *ret_err = xasprintf("snapshot %s deleted, but not its volumes %s", name, failed.p);
        free(failed.p);
        return -EIO;
    }
    return 0;
}
