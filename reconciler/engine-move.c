/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine-domain-state.h"
#include "engine-move.h"
#include "fleet-peers.h"
#include "placement.h"
#include "spec-value.h"
#include "virt-conn.h"
#include "xml-util.h"

/* Moving a domain here from the host that has it: see engine-move.h and docs/fleet.md#moving. */

/* One disk of the domain on the source host, with its volume there. */
typedef struct MoveDisk {
    char *target;               /* vda */
    char *pool, *vol;           /* the volume on the source */
    uint64_t capacity;
    bool readonly;              /* a cdrom, a seed: copied by a stream before a live migration */
    bool shared;                /* its pool is shared storage (netfs, rbd, …): never copied */
} MoveDisk;

typedef struct Move {
    const char *name, *from, *to;
    virConnectPtr sconn, dconn;
    virDomainPtr sdom;
    bool live;
    MoveDisk *disks;
    size_t n_disks;
    uint64_t bytes;             /* the capacity copied */
} Move;

static void move_clear(Move *m) {
    for (size_t i = 0; i < m->n_disks; i++) {
        free(m->disks[i].target);
        free(m->disks[i].pool);
        free(m->disks[i].vol);
    }
    free(m->disks);
}

/* Pools on storage that every host reaches: their volumes are the same on both hosts. */
static bool pool_type_shared(const char *type) {
    static const char *const shared[] = { "netfs", "gluster", "rbd", "iscsi", "iscsi-direct",
                                          "sheepdog", "scsi", "mpath", "vstorage", NULL };
    for (size_t i = 0; type && shared[i]; i++)
        if (streq(type, shared[i]))
            return true;
    return false;
}

/* The source volume of a <disk> (type file or volume) on the source host, or NULL. */
static virStorageVolPtr disk_volume(virConnectPtr c, xmlNode *disk) {
    _cleanup_free_ char *file = xml_get(disk, "source/@file");
    _cleanup_free_ char *pool = xml_get(disk, "source/@pool"), *vol = xml_get(disk, "source/@volume");
    if (file)
        return virStorageVolLookupByPath(c, file);
    _cleanup_(virStoragePoolFreep) virStoragePoolPtr p = pool ? virStoragePoolLookupByName(c, pool) : NULL;
    return p && vol ? virStorageVolLookupByName(p, vol) : NULL;
}

/* The disk's volume on the source, as a MoveDisk; an error names the disk. */
static int inspect_disk(Move *m, xmlNode *disk, ObjectResult *r) {
    _cleanup_free_ char *target = xml_get(disk, "target/@dev"), *device = xml_get(disk, "@device");
    _cleanup_free_ char *file = xml_get(disk, "source/@file"), *vol = xml_get(disk, "source/@volume");
    if (!file && !vol)
        return 0;   /* no source (an empty cdrom), a block device, a network disk: nothing to copy */
    _cleanup_(virStorageVolFreep) virStorageVolPtr v = disk_volume(m->sconn, disk);
    _cleanup_(virStoragePoolFreep) virStoragePoolPtr p = v ? virStoragePoolLookupByVolume(v) : NULL;
    virStorageVolInfo info;
    if (!p || virStorageVolGetInfo(v, &info) < 0)
        return fail(r, "not moved: disk %s of %s on %s is in no storage pool there (%s): a move "
                    "copies pool volumes only", strna(target), m->name, m->from, virt_error_message());
    _cleanup_free_ char *pxml = virStoragePoolGetXMLDesc(p, 0);
    _cleanup_(xmlFreeDocp) xmlDoc *pdoc = pxml ? xml_parse(pxml) : NULL;
    _cleanup_free_ char *ptype = pdoc ? xml_get(xmlDocGetRootElement(pdoc), "@type") : NULL;
    MoveDisk *d = array_push(&m->disks, &m->n_disks, sizeof(MoveDisk));
    *d = (MoveDisk) { .target = xstrdup(strna(target)), .pool = xstrdup(virStoragePoolGetName(p)),
                      .vol = xstrdup(virStorageVolGetName(v)), .capacity = info.capacity,
                      .readonly = xml_child(disk, "readonly") || streq_ptr(device, "cdrom"),
                      .shared = pool_type_shared(ptype) };
    if (!d->shared)
        m->bytes += d->capacity;
    return 0;
}

/* The disks of the domain on the source (the running definition when it runs). */
static int inspect_disks(Move *m, ObjectResult *r) {
    _cleanup_(xmlFreeDocp) xmlDoc *doc = domain_xml(m->sdom, m->live ? 0 : VIR_DOMAIN_XML_INACTIVE);
    if (!doc)
        return fail(r, "reading %s on %s: %s", m->name, m->from, virt_error_message());
    xmlNode *devs = xml_child(xmlDocGetRootElement(doc), "devices");
    for (xmlNode *d = devs ? xml_child(devs, "disk") : NULL; d; d = xml_next_named(d))
        if (inspect_disk(m, d, r) < 0)
            return -EIO;
    return 0;
}

/* Here: the pool of each disk exists; a copied volume does not exist yet (a move never writes
 * over a volume), a shared one does. */
static int check_destination(Move *m, ObjectResult *r) {
    for (size_t i = 0; i < m->n_disks; i++) {
        const MoveDisk *d = &m->disks[i];
        _cleanup_(virStoragePoolFreep) virStoragePoolPtr p = virStoragePoolLookupByName(m->dconn, d->pool);
        if (!p || virStoragePoolIsActive(p) != 1)
            return fail(r, "not moved: pool %s (disk %s) is not active on %s", d->pool, d->target, m->to);
        _cleanup_(virStorageVolFreep) virStorageVolPtr v = virStorageVolLookupByName(p, d->vol);
        if (v && !d->shared)
            return fail(r, "not moved: volume %s/%s (disk %s) exists on %s already, and a move "
                        "never writes over a volume; remove it there if it is not needed",
                        d->pool, d->vol, d->target, m->to);
        if (!v && d->shared)
            return fail(r, "not moved: volume %s/%s (disk %s, shared storage) is not seen on %s",
                        d->pool, d->vol, d->target, m->to);
    }
    return 0;
}

/* ---------------------------------------------------------------- copying a volume */

static int stream_send_all(virStreamPtr out, const char *buf, int n) {
    for (int off = 0; off < n;) {
        int k = virStreamSend(out, buf + off, (size_t) (n - off));
        if (k < 0)
            return -EIO;
        off += k;
    }
    return 0;
}

/* Source stream into destination stream, holes as holes. */
static int stream_pump(virStreamPtr in, virStreamPtr out) {
    const size_t size = 1 << 20;
    _cleanup_free_ char *buf = xmalloc0(size);
    for (;;) {
        int n = virStreamRecvFlags(in, buf, size, VIR_STREAM_RECV_STOP_AT_HOLE);
        long long hole = 0;
        if (n == 0)
            return 0;
        if (n == -3 && (virStreamRecvHole(in, &hole, 0) < 0 || virStreamSendHole(out, hole, 0) < 0))
            return -EIO;
        if (n == -3)
            continue;
        if (n < 0 || stream_send_all(out, buf, n) < 0)
            return -EIO;
    }
}

/* src's content into dst (made for it, same size and format). *ret_error: libvirt's why. */
static int volume_copy(virStorageVolPtr src, virStorageVolPtr dst, char **ret_error) {
    virStreamPtr in = virStreamNew(virStorageVolGetConnect(src), 0);
    virStreamPtr out = virStreamNew(virStorageVolGetConnect(dst), 0);
    bool ok = in && out &&
              virStorageVolDownload(src, in, 0, 0, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM) == 0 &&
              virStorageVolUpload(dst, out, 0, 0, VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM) == 0;
    ok = ok && stream_pump(in, out) == 0;
    ok = ok && virStreamFinish(in) == 0 && virStreamFinish(out) == 0;
    if (!ok) {
        *ret_error = xstrdup(virt_error_message());
        if (in)
            virStreamAbort(in);
        if (out)
            virStreamAbort(out);
    }
    if (in)
        virStreamFree(in);
    if (out)
        virStreamFree(out);
    return ok ? 0 : -EIO;
}

/* The volume XML of a copy: the source's name, capacity and format (no backing file: a volume
 * with one is refused before, the copy would point at a file the destination lacks). */
static char *copy_xml(virStorageVolPtr src, const MoveDisk *d, char **ret_error) {
    _cleanup_free_ char *x = virStorageVolGetXMLDesc(src, 0);
    _cleanup_(xmlFreeDocp) xmlDoc *doc = x ? xml_parse(x) : NULL;
    if (!doc) {
        *ret_error = xstrdup(virt_error_message());
        return NULL;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    if (xml_child(root, "backingStore") && xml_find(root, "backingStore/path")) {
        *ret_error = xstrdup("it has a backing file (a base image): a cold move copies whole "
                             "volumes only; start it and let the move be live (libvirt copies "
                             "the guest's whole disk)");
        return NULL;
    }
    _cleanup_free_ char *fmt = xml_get(root, "target/format/@type");
    return xasprintf("<volume><name>%s</name><capacity unit='bytes'>%" PRIu64 "</capacity>"
                     "<target><format type='%s'/></target></volume>", d->vol, d->capacity,
                     fmt ? fmt : "raw");
}

/* The volume of d made here and filled from the source's. A copy that fails is deleted (it is
 * this move's own, never user data). */
static int copy_disk(Move *m, const MoveDisk *d, ObjectResult *r) {
    _cleanup_(virStoragePoolFreep) virStoragePoolPtr sp = virStoragePoolLookupByName(m->sconn, d->pool);
    _cleanup_(virStorageVolFreep) virStorageVolPtr sv = sp ? virStorageVolLookupByName(sp, d->vol) : NULL;
    _cleanup_(virStoragePoolFreep) virStoragePoolPtr dp = virStoragePoolLookupByName(m->dconn, d->pool);
    _cleanup_free_ char *err = NULL, *xml = sv ? copy_xml(sv, d, &err) : NULL;
    if (!xml)
        return fail(r, "not moved: volume %s/%s on %s: %s", d->pool, d->vol, m->from,
                    err ? err : virt_error_message());
    virt_count_mutation();
    _cleanup_(virStorageVolFreep) virStorageVolPtr dv = dp ? virStorageVolCreateXML(dp, xml, 0) : NULL;
    if (!dv)
        return fail(r, "not moved: creating volume %s/%s on %s: %s", d->pool, d->vol, m->to,
                    virt_error_message());
    if (volume_copy(sv, dv, &err) < 0) {
        virStorageVolDelete(dv, 0);
        return fail(r, "not moved: copying volume %s/%s from %s: %s (the partial copy on %s is "
                    "deleted)", d->pool, d->vol, m->from, err, m->to);
    }
    _cleanup_free_ char *size = format_size((int64_t) d->capacity);
    action_add(r, ACTION_VOLUME_CREATE, NULL, "volume %s/%s (%s, copied from %s)", d->pool, d->vol,
               size, m->from);
    return 0;
}

static void say_kept(Move *m, ObjectResult *r) {
    for (size_t i = 0; i < m->n_disks; i++)
        if (!m->disks[i].shared) {
            _cleanup_free_ char *key = xasprintf("%s/%s", m->disks[i].pool, m->disks[i].vol);
            action_add(r, ACTION_VOLUME_KEPT, key, "on %s (a move never deletes the source's "
                       "volumes)", m->from);
        }
}

/* ---------------------------------------------------------------- the two moves */

/* Undefines a moved domain (or the copy of a move undone), keeping what only it has: its NVRAM
 * file and its TPM state. A driver without the keep flags (libvirt's test driver) is asked
 * without them: check_source let through no domain that has either. */
static int undefine_keep(virDomainPtr d) {
    if (virDomainUndefineFlags(d, VIR_DOMAIN_UNDEFINE_KEEP_NVRAM | VIR_DOMAIN_UNDEFINE_KEEP_TPM) == 0)
        return 0;
    if (virGetLastErrorCode() != VIR_ERR_INVALID_ARG)
        return -EIO;
    return virDomainUndefineFlags(d, 0) == 0 ? 0 : -EIO;
}



/* After a failed live migration: the volumes of the copied disks here, which did not exist before
 * (check_destination) — libvirt's pre-created ones, copies made before — are this move's own,
 * partial: deleted, so that the next try is not refused. */
static void drop_partial(Move *m) {
    for (size_t i = 0; i < m->n_disks; i++) {
        const MoveDisk *d = &m->disks[i];
        _cleanup_(virStoragePoolFreep) virStoragePoolPtr p =
            d->shared ? NULL : virStoragePoolLookupByName(m->dconn, d->pool);
        _cleanup_(virStorageVolFreep) virStorageVolPtr v = p ? virStorageVolLookupByName(p, d->vol) : NULL;
        if (v)
            virStorageVolDelete(v, 0);
    }
}

/* drop_partial, then r */
static int undo(Move *m, int r) {
    drop_partial(m);
    return r;
}

/* Shut off there: copies, define here, undefine there (its NVRAM file kept). Until it is
 * undefined there, a failure leaves nothing of the move here (drop_partial). */
/* The copy here given up (the domain stays there, and only there): undefined again, and the
 * volumes this move made deleted — unless the undefine fails: then they stay with it. */
static int give_up_copy(Move *m, virDomainPtr nd, ObjectResult *r, char *msg) {
    _cleanup_free_ char *said = msg;
    int k = undefine_keep(nd);
    _cleanup_free_ char *uerr = k < 0 ? xstrdup(virt_error_message()) : NULL;
    virDomainFree(nd);
    if (k < 0)
        return fail(r, "%s; and undefining the copy here failed: %s: undefine %s here by hand (its "
                    "copied volumes are left with it)", said, uerr, m->name);
    drop_partial(m);
    return fail(r, "%s", said);
}

/* Shut off there: copies, define here, undefine there (its NVRAM file and TPM state kept). Until
 * it is undefined there, a failure leaves nothing of the move here (drop_partial). */
static int move_cold(Move *m, ObjectResult *r, virDomainPtr *ret) {
    for (size_t i = 0; i < m->n_disks; i++)
        if (!m->disks[i].shared && copy_disk(m, &m->disks[i], r) < 0)
            return undo(m, -EIO);
    char *x = virDomainGetXMLDesc(m->sdom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
    if (!x)
        return undo(m, fail(r, "reading %s on %s: %s", m->name, m->from, virt_error_message()));
    virt_count_mutation();
    virDomainPtr nd = virDomainDefineXML(m->dconn, x);
    if (!nd) {
        explicit_bzero(x, strlen(x));
        free(x);
        return undo(m, fail(r, "define failed: %s", virt_error_message()));
    }
    int active = virDomainIsActive(m->sdom);
    int k = active == 0 ? undefine_keep(m->sdom) : -EIO;
    _cleanup_free_ char *why = active < 0 || k < 0 ? xstrdup(virt_error_message()) : NULL;
    /* started there between the check and the undefine: it runs there, transient now; its
     * definition goes back there and the copy here is given up */
    bool raced = k == 0 && virDomainIsActive(m->sdom) == 1;
    if (raced) {
        virDomainPtr back = virDomainDefineXML(m->sconn, x);
        if (back)
            virDomainFree(back);
        else
            why = xasprintf("defining it there again failed: %s; define it on %s by hand",
                            virt_error_message(), m->from);
    }
    explicit_bzero(x, strlen(x));
    free(x);
    if (active > 0 || raced)
        return give_up_copy(m, nd, r, xasprintf("not moved: %s started on %s during the copy (%s); "
                            "it runs there", m->name, m->from, why ? why : "defined there still"));
    if (active < 0)
        return give_up_copy(m, nd, r, xasprintf("not moved: %s could not be read on %s after the "
                            "copy: %s", m->name, m->from, why));
    if (k < 0)
        return give_up_copy(m, nd, r, xasprintf("not moved: undefining it on %s failed: %s; it "
                            "stays there (the copy here is undefined again)", m->from, why));
    virt_count_mutation();
    *ret = nd;
    return 0;
}

/* Running there: a live migration to this host's libvirtd, the local disks copied. Never
 * stopped to be moved: a failure leaves it running there. */
static int move_live(Move *m, ObjectResult *r, virDomainPtr *ret) {
    virTypedParameterPtr params = NULL;
    int n = 0, max = 0;
    bool copy = false;
    for (size_t i = 0; i < m->n_disks; i++) {
        const MoveDisk *d = &m->disks[i];
        if (!d->shared && d->readonly && copy_disk(m, d, r) < 0) {
            virTypedParamsFree(params, n);
            drop_partial(m);
            return -EIO;   /* QEMU cannot mirror a read-only disk: copied before */
        }
        if (!d->shared && !d->readonly) {
            virTypedParamsAddString(&params, &n, &max, VIR_MIGRATE_PARAM_MIGRATE_DISKS, d->target);
            copy = true;
        }
    }
    unsigned flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_PERSIST_DEST | VIR_MIGRATE_UNDEFINE_SOURCE |
                     (copy ? VIR_MIGRATE_NON_SHARED_DISK : 0);
    virt_count_mutation();
    virDomainPtr nd = virDomainMigrate3(m->sdom, m->dconn, params, (unsigned) n, flags);
    virTypedParamsFree(params, n);
    if (!nd) {
        _cleanup_free_ char *why = xstrdup(virt_error_message());
        drop_partial(m);
        return fail(r, "live migration from %s failed: %s; %s keeps running there (the partial "
                    "copies here are deleted)", m->from, why, m->name);
    }
    *ret = nd;
    return 0;
}

/* ---------------------------------------------------------------- the pull */

/* The plan's line: → move NAME FROM → TO (live, copy-storage SIZE | cold, copy SIZE). */
static void plan_move(Move *m, ObjectResult *r) {
    _cleanup_free_ char *size = format_size((int64_t) m->bytes);
    Action *a = action_add(r, ACTION_MOVE, NULL, "%s, %s %s", m->live ? "live" : "cold",
                           m->live ? "copy-storage" : "copy", size);
    a->from = xstrdup(m->from);
    a->to = xstrdup(m->to);
}

/* What a move cannot carry over, or what would make libvirt refuse the undefine there once a
 * cold copy is made: refused before anything is copied. NVRAM (UEFI variables) is never moved
 * yet: QEMU's flash contents travel with a live migration but the file here would start from the
 * template. A live move leaves snapshots, saved state and TPM to libvirt (it refuses a domain
 * with snapshots; the TPM emulator's state travels in the migration stream). */
static int check_source(Move *m, ObjectResult *r) {
    _cleanup_(xmlFreeDocp) xmlDoc *doc = domain_xml(m->sdom, VIR_DOMAIN_XML_INACTIVE);
    if (!doc)
        return fail(r, "reading %s on %s: %s", m->name, m->from, virt_error_message());
    xmlNode *root = xmlDocGetRootElement(doc);
    _cleanup_free_ char *fw = xml_get(root, "os/@firmware"), *ltype = xml_get(root, "os/loader/@type");
    if (xml_find(root, "os/nvram") || streq_ptr(fw, "efi") || streq_ptr(ltype, "pflash"))
        return fail(r, "not moved: moving does not carry %s's UEFI variables (its NVRAM file on "
                    "%s) yet: pin it to %s (placement.host) or move it by hand", m->name, m->from,
                    m->from);
    if (m->live)
        return 0;
    _cleanup_free_ char *tpm = xml_get(root, "devices/tpm/backend/@type");
    if (streq_ptr(tpm, "emulator"))
        return fail(r, "not moved: a cold move does not copy %s's TPM state (kept on %s): start "
                    "it there and let the move be live", m->name, m->from);
    int n_snap = virDomainSnapshotNum(m->sdom, 0);
    if (n_snap > 0)
        return fail(r, "not moved: %s has %d snapshot%s on %s, which libvirt keeps with the "
                    "domain there; delete them there first", m->name, n_snap, n_snap == 1 ? "" : "s",
                    m->from);
    if (virDomainHasManagedSaveImage(m->sdom, 0) == 1)
        return fail(r, "not moved: %s has a saved state on %s (virsh managedsave): start it there "
                    "and let the move be live, or remove the saved state", m->name, m->from);
    return 0;
}

/* One move of a domain to this host at a time, whoever runs it here (the daemon, `apply
 * --host`): the partial copies a failed move deletes are then its own. A lock file in the state
 * directory; its fd, or -errno (*ret_why set). */
static int move_lock(const Engine *e, const char *name, char **ret_why) {
    _cleanup_free_ char *path = xasprintf("%s/move-%s.lock", e->state_dir, name);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno == ENOENT) {   /* the state directory (and its parents) made first */
        _cleanup_free_ char *dir = xstrdup(e->state_dir);
        for (char *q = dir + 1; *q; q++)
            if (*q == '/') {
                *q = 0;
                mkdir(dir, 0700);
                *q = '/';
            }
        mkdir(dir, 0700);
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    }
    if (fd < 0) {
        int err = -errno;
        *ret_why = xasprintf("its lock %s: %s", path, strerror(-err));
        return err;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int err = -errno;
        *ret_why = err == -EWOULDBLOCK ? xstrdup("another virtspec on this host is moving it now")
                                       : xasprintf("its lock %s: %s", path, strerror(-err));
        close(fd);
        return err;
    }
    return fd;
}

/* Under the lock: the source as planned still (another move may have ended meanwhile), and
 * nothing of the copies here yet. */
static int recheck(Move *m, ObjectResult *r) {
    int st = domain_state(m->sdom);
    bool live = st != VIR_DOMAIN_SHUTOFF && st != VIR_DOMAIN_NOSTATE && st != VIR_DOMAIN_CRASHED;
    if (st < 0)
        return fail(r, "not moved: %s is no longer on %s (%s)", m->name, m->from, virt_error_message());
    if (live != m->live)
        return fail(r, "not moved: %s %s on %s meanwhile; tried again at the next pass", m->name,
                    live ? "started" : "stopped", m->from);
    return check_destination(m, r);
}

static void move_do(Engine *e, Move *m, ObjectResult *r, virDomainPtr *ret) {
    _cleanup_free_ char *why = NULL;
    int fd = move_lock(e, m->name, &why);
    if (fd < 0) {
        fail(r, "not moved: %s", why);
        return;
    }
    if (recheck(m, r) == 0 && (m->live ? move_live(m, r, ret) : move_cold(m, r, ret)) == 0) {
        r->mutated = true;
        say_kept(m, r);
    }
    close(fd);   /* the lock goes with it */
}

static MoveOutcome move_here(Engine *e, const PeerHit *h, const Spec *s, ObjectResult *r,
                             virDomainPtr *ret) {
    Move m = { .name = s->name, .from = h->host->name.s, .to = e->host, .sconn = h->conn,
               .dconn = e->conn, .sdom = h->dom };
    int st = domain_state(h->dom);
    r->state = SYNC_MISSING;
    if (st == VIR_DOMAIN_CRASHED && virDomainIsActive(h->dom) == 1) {
        fail(r, "not moved: %s crashed on %s and its QEMU still runs there (on_crash preserve): "
             "stop it there first", s->name, m.from);
        return MOVE_HANDLED;
    }
    m.live = st != VIR_DOMAIN_SHUTOFF && st != VIR_DOMAIN_NOSTATE && st != VIR_DOMAIN_CRASHED;
    if (check_source(&m, r) == 0 && inspect_disks(&m, r) == 0)
        plan_move(&m, r);
    if (!r->error && check_destination(&m, r) == 0 && e->apply)
        move_do(e, &m, r, ret);
    move_clear(&m);
    return *ret ? MOVE_DONE : MOVE_HANDLED;
}

MoveOutcome domain_pull(Engine *e, const Spec *s, ObjectResult *r, virDomainPtr *ret_dom) {
    *ret_dom = NULL;
    if (!e->peers || !e->host)
        return MOVE_NONE;
    _cleanup_(peer_hit_clear) PeerHit h = {};
    fleet_peers_find(e->peers, s->name, &h);
    switch (h.what) {
    case PEER_NONE:
        return MOVE_NONE;
    case PEER_CONFLICT:
        fail(r, "not created or moved: %s; undefine it on all but one (docs/fleet.md#moving)", h.why);
        return MOVE_HANDLED;
    case PEER_WAIT:
        r->state = SYNC_MISSING;
        action_add(r, ACTION_MOVE_WAITS, NULL, "%s; a host gone for good: set lost: true on its "
                   "Host (docs/fleet.md#moving)", h.why);
        if (e->apply)
            fail(r, "not created: %s", h.why);
        return MOVE_HANDLED;
    case PEER_FOUND:
        break;
    }
    if (placement_host_accepts(s, h.host)) {
        /* sticky: what runs on a host that can still take it stays there */
        action_add(r, ACTION_NOTE, NULL, "runs on %s, which can still take it: left there "
                   "(sticky; pin it with placement.host to move it; docs/fleet.md#moving)",
                   h.host->name.s);
        r->state = SYNC_IN_SYNC;
        return MOVE_HANDLED;
    }
    return move_here(e, &h, s, r, ret_dom);
}
