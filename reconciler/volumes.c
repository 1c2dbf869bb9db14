/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <endian.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "volumes.h"
#include "image-fetch.h"
#include "log.h"
#include "progress.h"
#include "render.h"
#include "spec-value.h"
#include "term.h"
#include "xml-util.h"

/* One base image upload at a time per process: two domains naming the same image in one pass
 * must not both upload it. */
static pthread_mutex_t base_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct ImageInfo {
    const char *format;     /* "qcow2" or "raw" */
    int64_t file_size;
    int64_t virtual_size;
    char *source;           /* its identity: "PATH (canonical) SIZE MTIME", or "sha256:HEX" */
    const char *url;        /* an image by URL: fetched only when its base must be made */
    char *sha256;           /* lower-case */
    char *fetched;          /* the cached file, once fetched */
} ImageInfo;

static void image_info_clear(ImageInfo *i) {
    free(i->source);
    free(i->sha256);
    free(i->fetched);
}

/* The qcow2 header says what the guest sees; anything else is raw. No qemu-img, no shell. */
static int image_probe(const char *path, ImageInfo *ret, char **ret_err) {
    unsigned char hdr[32];
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        *ret_err = xasprintf("cannot open image %s: %s", path, strerror(e));
        return -e;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        *ret_err = xasprintf("image %s is not a regular file", path);
        return -EINVAL;
    }
    ssize_t n = pread(fd, hdr, sizeof(hdr), 0);
    close(fd);
    char real[PATH_MAX];
    ret->source = xasprintf("%s %" PRId64 " %lld.%09ld", realpath(path, real) ? real : path,
                            (int64_t) st.st_size, (long long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    ret->file_size = st.st_size;
    if (n == (ssize_t) sizeof(hdr) && !memcmp(hdr, "QFI\xfb", 4)) {
        uint64_t vs, backing;
        memcpy(&backing, hdr + 8, 8);   /* backing_file_offset: 0 = none */
        if (backing) {
            /* the base in the pool would point at a file of some other host (or none) */
            *ret_err = xasprintf("image %s has a backing file; flatten it (qemu-img convert)",
                                 path);
            return -EINVAL;
        }
        memcpy(&vs, hdr + 24, 8);
        ret->format = "qcow2";
        ret->virtual_size = (int64_t) be64toh(vs);
    } else {
        ret->format = "raw";
        ret->virtual_size = st.st_size;
    }
    return 0;
}

/* "base-HASH-FILENAME": the hash is over the image's canonical path, size and mtime, so two
 * images with one file name are two volumes, and a changed image is a new volume (overlays made
 * on the old one keep it). Never the file name alone. */
static char *base_volume_name(const char *image, const ImageInfo *info) {
    if (info->sha256)   /* an image by URL: its sha256 alone (one base for every domain) */
        return xasprintf("base-sha256-%s", info->sha256);
    _cleanup_free_ char *copy = xstrdup(image);
    uint64_t h = hash_fnv1a(info->source, strlen(info->source), FNV1A_INIT);
    return xasprintf("base-%012" PRIx64 "-%s", h >> 16, basename(copy));
}

/* Upload state lives in the state directory: "<vol>.partial" while an upload runs (so a volume
 * left half-written by a crash is recognised as ours and redone), "<vol>.complete" after. */
static char *marker(Engine *e, const char *pool, const char *vol, const char *suffix) {
    return xasprintf("%s/images/%s/%s.%s", e->state_dir, pool, vol, suffix);
}

/* "<vol>.created": virtspec created this volume for a disk entry (not `existing`, not a base).
 * delete_volumes_on_removal deletes nothing without it. */
static char *created_marker(Engine *e, const char *pool, const char *vol) {
    return xasprintf("%s/volumes/%s/%s.created", e->state_dir, pool, vol);
}

/* Reads a small marker file; NULL if it does not exist. */
static char *marker_read(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return NULL;
    char buf[256];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    return xstrdup(buf);
}

/* Creates path (and its directories), holding content if given; -errno when it cannot (a full
 * or read-only state directory): the caller fails its action rather than run without it. With
 * O_EXCL in flags an existing file is -EEXIST and left as it is; a file this call created and
 * could not fill is removed. */
static int marker_write(const char *path, const char *content, int flags) {
    _cleanup_free_ char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    *slash = 0;
    for (char *p = dir + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(dir, 0700);
            *p = '/';
        }
    mkdir(dir, 0700);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | flags, 0600);
    if (fd < 0)
        return -errno;
    int err = 0;
    if (content) {
        size_t n = strlen(content);
        ssize_t w = write(fd, content, n);
        if (w < 0 || (size_t) w != n)
            err = w < 0 ? errno : ENOSPC;
    }
    if (close(fd) < 0 && !err)
        err = errno;
    if (err && (flags & O_EXCL))
        unlink(path);
    return -err;
}

static int touch_with(const char *path, const char *content) {
    return marker_write(path, content, content ? O_TRUNC : 0);
}

static int touch(const char *path) {
    return touch_with(path, NULL);
}

/* Whether a "created" marker's record is domain self's: it names self ("domain NAME disk DISK"
 * or "domain NAME cloud_init seed": a name holds no space), or nobody (virtspec 0.1.0 wrote it
 * empty). */
static bool marker_names(const char *rec, const char *self) {
    _cleanup_free_ char *mine = xasprintf("domain %s ", self);
    return !*rec || strncmp(rec, mine, strlen(mine)) == 0;
}

/* Removes a "created" marker only while it is still domain self's (another domain's apply may
 * have written it since it was read). */
static void marker_unlink_own(const char *path, const char *self) {
    _cleanup_free_ char *rec = marker_read(path);
    if (rec && marker_names(rec, self))
        unlink(path);
}

char *volume_created_marker(Engine *e, const char *pool, const char *vol) {
    return created_marker(e, pool, vol);
}

char *volume_marker_read(const char *path) {
    return marker_read(path);
}

int volume_claim(const char *m, const char *owner, const char *what, bool *ret_made, char **ret_err) {
    int k = marker_write(m, owner, O_EXCL);
    *ret_made = k == 0;   /* by this call: only then may a failure remove it */
    if (k == -EEXIST) {
        /* never overwritten: another apply may be creating its volume right now; one left by
         * this owner (killed between marker and volume, or a concurrent apply of the same
         * domain) or nobody's (0.1.0) is reused */
        _cleanup_free_ char *rec = marker_read(m);
        if (!rec) {
            *ret_err = xasprintf("%s: its marker %s exists but cannot be read (not a regular "
                                 "file?): not overwritten", what, m);
            return -EEXIST;
        }
        if (*rec && !streq(rec, owner)) {
            rec[strcspn(rec, "\n")] = 0;
            _cleanup_free_ char *wanter = xstrndup(owner, strcspn(owner, "\n"));
            *ret_err = xasprintf("%s is claimed twice: its marker says virtspec creates it for "
                                 "%s, and %s wants it too (%s)", what, rec, wanter, m);
            return -EEXIST;
        }
        k = !*rec ? touch_with(m, owner) : 0;
    }
    if (k < 0) {
        *ret_err = xasprintf("cannot write the volume marker %s: %s", m, strerror(-k));
        return k;
    }
    return 0;
}

void volume_claim_drop(virStoragePoolPtr pool, const char *name, const char *m, const char *self, bool made) {
    /* the marker goes only while it is this domain's and no volume came of it (a second apply
     * of this domain may have created the volume meanwhile) */
    if (!made)
        return;
    _cleanup_(virStorageVolFreep) virStorageVolPtr now = virStorageVolLookupByName(pool, name);
    if (!now)
        marker_unlink_own(m, self);
}

/* What a "<vol>.created" marker holds: the domain and disk entry the volume was created for
 * (virtspec 0.1.0 wrote it empty). */
static char *created_owner(const DomainSpec *d, const DiskSpec *disk) {
    return xasprintf("domain %s disk %s\n", d->name.s, disk->name.s);
}

/* A base image upload skips the image's holes (VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM): a 10 GiB
 * image with 1 GiB of data moves 1 GiB, and the volume in a dir pool stays as sparse as the
 * image. The image's holes are found with SEEK_DATA/SEEK_HOLE (a file system without them has
 * none: all data). Never past size, the length libvirt was told. */
typedef struct Upload {
    int fd;
    int err;            /* errno of the last failure of a handler */
    uint64_t size;
    uint64_t pos;       /* where in the image: data sent + holes skipped */
    uint64_t sent;      /* bytes of data sent */
    Progress progress;
} Upload;

static void upload_clear(Upload *u) {
    if (u->fd >= 0)
        close(u->fd);
    progress_end(&u->progress);
}

static int upload_data(virStreamPtr st, char *buf, size_t n, void *opaque) {
    Upload *u = opaque;
    (void) st;
    if (n > u->size - u->pos)
        n = (size_t) (u->size - u->pos);
    ssize_t k;
    do
        k = read(u->fd, buf, n);
    while (k < 0 && errno == EINTR);
    if (k < 0) {
        u->err = errno;
        return -1;
    }
    u->pos += (uint64_t) k;
    u->sent += (uint64_t) k;
    progress_update(&u->progress, u->pos);
    return (int) k;
}

static int upload_in_data(virStreamPtr st, int *in_data, long long *length, void *opaque) {
    Upload *u = opaque;
    (void) st;
    off_t cur = (off_t) u->pos, left = (off_t) (u->size - u->pos);
    off_t data = lseek(u->fd, cur, SEEK_DATA);
    if (data < 0 && errno != ENXIO) {
        u->err = errno;
        return -1;
    }
    if (data < 0 || data > cur) {   /* a hole: up to the next data, or the rest (ENXIO) */
        *in_data = 0;
        *length = data < 0 || data - cur > left ? left : data - cur;
    } else {
        off_t hole = lseek(u->fd, cur, SEEK_HOLE);
        if (hole < 0) {
            u->err = errno;
            return -1;
        }
        *in_data = 1;
        *length = hole - cur > left ? left : hole - cur;
    }
    if (lseek(u->fd, cur, SEEK_SET) < 0) {
        u->err = errno;
        return -1;
    }
    return 0;
}

static int upload_skip(virStreamPtr st, long long length, void *opaque) {
    Upload *u = opaque;
    (void) st;
    if (lseek(u->fd, (off_t) length, SEEK_CUR) < 0) {
        u->err = errno;
        return -1;
    }
    u->pos += (uint64_t) length;
    progress_update(&u->progress, u->pos);
    return 0;
}

static int upload(Engine *e, virStorageVolPtr vol, const char *image, int64_t size, char **ret_err) {
    _cleanup_(upload_clear) Upload u = { .fd = open(image, O_RDONLY | O_CLOEXEC), .size = (uint64_t) size };
    if (u.fd < 0) {
        int err = errno;
        *ret_err = xasprintf("cannot open %s: %s", image, strerror(err));
        return -err;
    }
    virStreamPtr st = virStreamNew(e->conn, 0);
    if (!st || virStorageVolUpload(vol, st, 0, (unsigned long long) size,
                                   VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM) < 0) {
        *ret_err = xasprintf("upload failed: %s", virt_error_message());
        if (st)
            virStreamFree(st);
        return -EIO;
    }
    _cleanup_free_ char *what = xasprintf("uploading %s", image);
    progress_start(&u.progress, what, u.size, term_tty());
    if (virStreamSparseSendAll(st, upload_data, upload_in_data, upload_skip, &u) < 0 || u.pos < u.size) {
        *ret_err = u.err ? xasprintf("reading %s: %s", image, strerror(u.err))
                 : u.pos < u.size ? xasprintf("reading %s: file shrank", image)
                 : xasprintf("upload failed: %s", virt_error_message());
        virStreamAbort(st);
        virStreamFree(st);
        return -EIO;
    }
    if (virStreamFinish(st) < 0) {
        *ret_err = xasprintf("upload did not finish: %s", virt_error_message());
        virStreamFree(st);
        return -EIO;
    }
    virStreamFree(st);
    progress_end(&u.progress);
    char t[32], d[32];
    log_info("uploaded %s: %s in %.1f s, %" PRIu64 " bytes of data sent (%s), holes skipped", image,
             progress_bytes(t, sizeof(t), u.size), progress_elapsed(&u.progress), u.sent,
             progress_bytes(d, sizeof(d), u.sent));
    return 0;
}

static int create_and_upload(Engine *e, virStoragePoolPtr pool, const char *name, const char *image,
                             const ImageInfo *info, virStorageVolPtr *ret_vol, ObjectResult *r) {
    _cleanup_(xmlFreeDocp) xmlDoc *doc = xmlNewDoc((const xmlChar *) "1.0");
    xmlNode *root = xmlNewNode(NULL, (const xmlChar *) "volume");
    _cleanup_free_ char *err = NULL;
    char cap[32];
    xmlDocSetRootElement(doc, root);
    xml_set(root, "name", name);
    snprintf(cap, sizeof(cap), "%" PRId64, info->virtual_size);
    xml_set(root, "capacity", cap);
    xml_set(root, "capacity/@unit", "bytes");
    /* no preallocation: the sparse upload leaves the image's holes unallocated (a base never goes
     * to a logical pool, refused before) */
    xml_set(root, "allocation", "0");
    xml_set(root, "target/format/@type", info->format);
    _cleanup_free_ char *x = xml_to_string(doc);
    virt_count_mutation();
    virStorageVolPtr v = virStorageVolCreateXML(pool, x, 0);
    if (!v)
        return fail(r, "creating base volume %s: %s", name, virt_error_message());
    *ret_vol = v;
    virt_count_mutation();
    if (upload(e, v, image, info->file_size, &err) < 0)
        return fail(r, "base image %s: %s", image, err);
    virStorageVolInfo vi;
    if (virStorageVolGetInfoFlags(v, &vi, VIR_STORAGE_VOL_GET_PHYSICAL) < 0 ||
        (int64_t) vi.allocation < info->file_size)
        return fail(r, "base image %s: the uploaded volume is shorter than the image", image);
    return 0;
}

/* What a base made before says of itself: an image by URL is not fetched (nor probed) again. */
static void base_volume_info(virStorageVolPtr v, ImageInfo *info) {
    virStorageVolInfo vi;
    char *x = virStorageVolGetXMLDesc(v, 0);
    _cleanup_(xmlFreeDocp) xmlDoc *doc = x ? xml_parse(x) : NULL;
    free(x);
    _cleanup_free_ char *fmt = doc ? xml_get(xmlDocGetRootElement(doc), "target/format/@type") : NULL;
    info->format = streq_ptr(fmt, "qcow2") ? "qcow2" : "raw";
    if (virStorageVolGetInfo(v, &vi) == 0)
        info->virtual_size = (int64_t) vi.capacity;
}

static bool base_complete(virStoragePoolPtr pool, const char *name, const char *complete) {
    _cleanup_(virStorageVolFreep) virStorageVolPtr v = virStorageVolLookupByName(pool, name);
    return v && access(complete, F_OK) == 0;
}

/* Makes sure the base volume for image exists, complete, in pool (an image by URL is fetched
 * first, unless the base is there). Returns its path. */
static int ensure_base(Engine *e, virStoragePoolPtr pool, const char *pool_name, const char *image,
                       ImageInfo *info, char **ret_path, ObjectResult *r) {
    _cleanup_free_ char *name = base_volume_name(image, info);
    _cleanup_free_ char *partial = marker(e, pool_name, name, "partial");
    _cleanup_free_ char *complete = marker(e, pool_name, name, "complete");
    int ret = 0, image_lock = -1;   /* held shared until the upload ended: not pruned meanwhile */

    if (info->url && e->apply && !base_complete(pool, name, complete)) {
        /* outside base_lock: other bases are uploaded meanwhile (image_fetch locks the image) */
        _cleanup_free_ char *err = NULL;
        if (image_fetch(e->cache_dir, info->url, info->sha256, r->name, e->cancel, &info->fetched,
                        &image_lock, &err) < 0 ||
            (free(info->source), image_probe(info->fetched, info, &err)) < 0) {
            if (image_lock >= 0)
                close(image_lock);
            return fail(r, "base image %s: %s", image, err);
        }
        free(info->source);
        info->source = xasprintf("sha256:%s", info->sha256);
    }
    pthread_mutex_lock(&base_lock);
    virStorageVolPtr v = virStorageVolLookupByName(pool, name);
    if (v && access(complete, F_OK) == 0)
        goto done;
    if (v && access(partial, F_OK) == 0) {
        /* an upload of ours was interrupted: never use a half-written base */
        log_warning("base image %s/%s is incomplete (interrupted upload); uploading it again",
                    pool_name, name);
        if (e->apply) {
            virt_count_mutation();
            virStorageVolDelete(v, 0);
        }
        virStorageVolFree(v);
        v = NULL;
    } else if (v) {
        ret = fail(r, "pool %s already has a volume %s that virtspec did not upload; "
                   "remove or rename it", pool_name, name);
        goto done;
    }
    if (info->url && !e->apply) {
        action_add(r, ACTION_VOLUME_CREATE, NULL, "base image %s/%s from %s (fetched and verified "
                   "at apply, unless cached)", pool_name, name, image);
        goto done;
    }
    if (info->url && !info->fetched) {   /* the base was complete before the fetch, not now */
        ret = fail(r, "base image %s/%s disappeared meanwhile; fetched on a later pass", pool_name, name);
        goto done;
    }
    action_add(r, ACTION_VOLUME_CREATE, NULL, "base image %s/%s from %s (%" PRId64 " bytes)", pool_name, name, image,
               info->file_size);
    if (!e->apply)
        goto done;
    int k = touch(partial);
    if (k < 0) {
        ret = fail(r, "cannot write the upload marker %s: %s", partial, strerror(-k));
        goto done;
    }
    ret = create_and_upload(e, pool, name, info->fetched ? info->fetched : image, info, &v, r);
    if (ret == 0 && (k = touch_with(partial, info->source)) < 0)   /* which image it holds */
        ret = fail(r, "cannot write the upload marker %s: %s", partial, strerror(-k));
    if (ret == 0 && rename(partial, complete) < 0)
        ret = fail(r, "cannot record the finished upload in %s: %s", complete, strerror(errno));
    if (ret == 0)
        r->mutated = true;
done:
    if (ret == 0 && v && !info->format)
        base_volume_info(v, info);
    if (ret == 0 && v) {
        char *p = virStorageVolGetPath(v);
        *ret_path = p ? xstrdup(p) : NULL;
        free(p);
    }
    if (v)
        virStorageVolFree(v);
    pthread_mutex_unlock(&base_lock);
    if (image_lock >= 0)
        close(image_lock);
    return ret;
}

/* Whether a pool is an LVM volume group (its volumes are logical volumes: raw, fully allocated). */
static bool pool_is_logical(virStoragePoolPtr pool) {
    char *x = virStoragePoolGetXMLDesc(pool, VIR_STORAGE_XML_INACTIVE);
    _cleanup_(xmlFreeDocp) xmlDoc *doc = x ? xml_parse(x) : NULL;
    free(x);
    _cleanup_free_ char *type = doc ? xml_get(xmlDocGetRootElement(doc), "@type") : NULL;
    return streq_ptr(type, "logical");
}

int volume_create_recorded(Engine *e, virStoragePoolPtr pool, const char *name, uint64_t capacity,
                           const char *format, const char *backing, const char *backing_fmt,
                           const char *owner, const char *self, const char *what,
                           virStorageVolPtr *ret_vol, char **ret_err) {
    _cleanup_(xmlFreeDocp) xmlDoc *doc = xmlNewDoc((const xmlChar *) "1.0");
    xmlNode *root = xmlNewNode(NULL, (const xmlChar *) "volume");
    char cap[32];
    xmlDocSetRootElement(doc, root);
    xml_set(root, "name", name);
    snprintf(cap, sizeof(cap), "%" PRIu64, capacity);
    xml_set(root, "capacity", cap);
    xml_set(root, "capacity/@unit", "bytes");
    if (!format) {
        /* allocation below capacity would make libvirt create a sparse snapshot LV */
        xml_set(root, "allocation", cap);
        xml_set(root, "allocation/@unit", "bytes");
    } else {
        xml_set(root, "allocation", "0");
        xml_set(root, "target/format/@type", format);
    }
    if (backing) {
        xml_set(root, "backingStore/path", backing);
        xml_set(root, "backingStore/format/@type", backing_fmt);
    }
    _cleanup_free_ char *x = xml_to_string(doc);
    const char *pool_name = virStoragePoolGetName(pool);
    /* the marker first: a volume without one could never be cleaned up (a kill between the
     * two leaves a marker without a volume, which deletes nothing) */
    _cleanup_free_ char *m = created_marker(e, pool_name, name);
    bool made = false;
    if (volume_claim(m, owner, what, &made, ret_err) < 0)
        return -EEXIST;
    virt_count_mutation();
    virStorageVolPtr nv = virStorageVolCreateXML(pool, x, 0);
    if (!nv) {
        *ret_err = xasprintf("creating volume %s in pool %s: %s", name, pool_name, virt_error_message());
        volume_claim_drop(pool, name, m, self, made);
        return -EIO;
    }
    if (ret_vol)
        *ret_vol = nv;
    else
        virStorageVolFree(nv);
    return 0;
}

static int create_volume(Engine *e, virStoragePoolPtr pool, const DomainSpec *d, const DiskSpec *disk, const char *name,
                         int64_t capacity, const char *backing, const char *backing_fmt,
                         bool logical, ObjectResult *r) {
    _cleanup_free_ char *owner = created_owner(d, disk), *err = NULL;
    _cleanup_free_ char *what = xasprintf("disks[%s]: volume %s/%s", disk->dev.s, disk->pool.s, name);
    int k = volume_create_recorded(e, pool, name, (uint64_t) capacity, logical ? NULL : disk->format.s,
                                   backing, backing_fmt, owner, d->name.s, what, NULL, &err);
    if (k == -EEXIST)
        return fail_at(r, &disk->name, "%s", err);
    if (k < 0)
        return fail(r, "%s", err);
    r->mutated = true;
    return 0;
}

/* The capacity of the volume an overlay is backed by, or -1 when it cannot be read. */
static int64_t backing_capacity(Engine *e, virStorageVolPtr v) {
    char *x = virStorageVolGetXMLDesc(v, 0);
    _cleanup_(xmlFreeDocp) xmlDoc *doc = x ? xml_parse(x) : NULL;
    free(x);
    _cleanup_free_ char *path = doc ? xml_get(xmlDocGetRootElement(doc), "backingStore/path") : NULL;
    _cleanup_(virStorageVolFreep) virStorageVolPtr b = path ? virStorageVolLookupByPath(e->conn, path) : NULL;
    virStorageVolInfo bi;
    return b && virStorageVolGetInfo(b, &bi) == 0 ? (int64_t) bi.capacity : -1;
}

/* Grows a volume whose spec size went up, and the running disk with it; refuses to shrink. An
 * overlay is as large as its base at least (its size may say less): it grows to a size above
 * that, and shrinking it below what it has is refused like any other. */
static int grow_volume(Engine *e, virStorageVolPtr v, const DiskSpec *disk, const char *name,
                       virDomainPtr dom, ObjectResult *r) {
    virStorageVolInfo vi;
    if (virStorageVolGetInfo(v, &vi) < 0)
        return fail(r, "reading volume %s: %s", name, virt_error_message());
    int64_t have = (int64_t) vi.capacity, want = value_int(&disk->size);
    if (disk->image.set) {
        int64_t floor = backing_capacity(e, v);
        if (floor < 0)
            floor = have;   /* base unknown: only ever grow */
        if (want < floor)
            want = floor;
    }
    if (have == want)
        return 0;
    _cleanup_free_ char *from = format_size(have), *to = format_size(want);
    if (want < have)
        return fail(r, "disks[%s].size: shrinking %s from %s to %s is refused (data would be lost)",
                    disk->dev.s, name, from, to);
    _cleanup_free_ char *key = xasprintf("disks[%s].size", disk->dev.s);
    action_add_set(r, key, from, to, CHANGE_LIVE, NULL);
    if (!e->apply)
        return 0;
    int st, reason;
    bool running = dom && virDomainGetState(dom, &st, &reason, 0) == 0 &&
                   (st == VIR_DOMAIN_RUNNING || st == VIR_DOMAIN_PAUSED || st == VIR_DOMAIN_BLOCKED);
    virt_count_mutation();
    if (running) {
        /* qemu grows the image and tells the guest in one step */
        if (virDomainBlockResize(dom, disk->dev.s, (unsigned long long) want,
                                 VIR_DOMAIN_BLOCK_RESIZE_BYTES) < 0)
            return fail(r, "growing disk %s: %s", disk->dev.s, virt_error_message());
    } else if (virStorageVolResize(v, (unsigned long long) want, 0) < 0)
        return fail(r, "growing volume %s: %s", name, virt_error_message());
    r->mutated = true;
    return 0;
}

static char *domain_using_other(Engine *e, const char *self, const char *pool, const char *name,
                                const char *path);

/* Whether the existing volume pool/name is this disk's: an `existing` one is; else virtspec must
 * have created it for this domain and disk entry (its "created" marker says which), or, for a
 * volume an earlier version recorded without saying which, the domain's definition attaches it
 * (or nothing does) and no other domain's definition does. Such a record is then completed. */
static int claim_volume(Engine *e, const DomainSpec *d, const DiskSpec *disk, virStorageVolPtr v,
                        const char *name, xmlDoc *have, ObjectResult *r) {
    if (value_int(&disk->existing) || disk->volume.set)
        return 0;
    _cleanup_free_ char *m = created_marker(e, disk->pool.s, name), *owner = created_owner(d, disk);
    _cleanup_free_ char *rec = marker_read(m);
    if (streq_ptr(rec, owner))
        return 0;
    if (rec && *rec) {
        rec[strcspn(rec, "\n")] = 0;
        return fail_at(r, &disk->name, "disks[%s]: volume %s/%s belongs to another disk: virtspec "
                       "created it for %s (%s)", disk->dev.s, disk->pool.s, name, rec, m);
    }
    bool attached = render_doc_has_volume(have, disk->pool.s, name);
    if (!rec && !attached)
        return fail_at(r, &disk->name, "disks[%s]: pool %s already has a volume %s that virtspec "
                       "did not create for this disk; attach it with existing: true, or remove or "
                       "rename it", disk->dev.s, disk->pool.s, name);
    _cleanup_free_ char *path = virStorageVolGetPath(v);
    _cleanup_free_ char *other = domain_using_other(e, d->name.s, disk->pool.s, name, path);
    if (other)
        return fail_at(r, &disk->name, "disks[%s]: volume %s/%s is also a disk of domain %s: "
                       "two domains must not share it (give one of them its own volume)",
                       disk->dev.s, disk->pool.s, name, other);
    if (e->apply && rec)
        touch_with(m, owner);   /* the record now says whose it is (no record: still not ours
                                 * to delete, delete_volumes_on_removal keeps it) */
    return 0;
}

static char *sha256_lower(const char *s) {
    char *l = xstrdup(s);
    for (char *p = l; *p; p++)
        *p = (char) tolower((unsigned char) *p);
    return l;
}

static const char *image_shown(const DiskSpec *disk) {
    return disk->image_url.set ? disk->image_url.s : disk->image_path.s;
}

/* An existing overlay keeps the base it was made on: a new sha256 is said (plan, apply), never
 * fetched for it. */
static void note_new_image(virStorageVolPtr v, const DiskSpec *disk, ObjectResult *r) {
    char *x = virStorageVolGetXMLDesc(v, 0);
    _cleanup_(xmlFreeDocp) xmlDoc *doc = x ? xml_parse(x) : NULL;
    free(x);
    _cleanup_free_ char *path = doc ? xml_get(xmlDocGetRootElement(doc), "backingStore/path") : NULL;
    _cleanup_free_ char *sha = sha256_lower(disk->image_sha256.s);
    _cleanup_free_ char *want = xasprintf("base-sha256-%s", sha);
    const char *have = path ? strrchr(path, '/') : NULL;
    have = have ? have + 1 : path;
    if (!have || streq(have, want))
        return;
    static const char prefix[] = "base-sha256-";
    _cleanup_free_ char *from = !strncmp(have, prefix, strlen(prefix))
                                ? xasprintf("sha256 %.12s…", have + strlen(prefix)) : xstrdup(have);
    /* "sha256 ab12… → cd34…", "base-HASH-FILE → sha256 cd34…" */
    _cleanup_free_ char *to = xasprintf("%s%.12s…", strncmp(from, "sha256 ", 7) ? "sha256 " : "", sha);
    _cleanup_free_ char *key = xasprintf("disks[%s].image", disk->name.s);
    action_add_set(r, key, from, to, CHANGE_NONE, "new domains only; existing overlays keep their base");
}

int ensure_volumes(Engine *e, const DomainSpec *d, virDomainPtr dom, xmlDoc *have, ObjectResult *r) {
    const DiskSpec *dk = d->disks.items;
    int ret = 0;

    for (size_t i = 0; i < d->disks.n; i++) {
        const DiskSpec *disk = &dk[i];
        if (disk->path.set)
            continue;
        _cleanup_free_ char *name = render_disk_volume(d, disk, have);
        _cleanup_(virStoragePoolFreep) virStoragePoolPtr pool =
            virStoragePoolLookupByName(e->conn, disk->pool.s);
        if (!pool) {
            if (e->apply)
                ret = fail(r, "disks[%s]: storage pool '%s' does not exist", disk->dev.s, disk->pool.s);
            else
                action_add(r, ACTION_WARN, NULL, "disks[%s]: pool '%s' does not exist yet", disk->dev.s, disk->pool.s);
            continue;
        }
        bool logical = pool_is_logical(pool);
        if (logical && (disk->image.set || !streq(disk->format.s, "raw"))) {
            ret = fail(r, "disks[%s]: pool '%s' is a logical pool: its volumes are raw LVM volumes "
                       "(format: raw, no image)", disk->dev.s, disk->pool.s);
            continue;
        }
        _cleanup_(virStorageVolFreep) virStorageVolPtr v = virStorageVolLookupByName(pool, name);
        if (v && claim_volume(e, d, disk, v, name, have, r) < 0) {
            ret = -EIO;
            continue;
        }
        if (v && disk->image_url.set)
            note_new_image(v, disk, r);
        if (v) {
            /* a volume attached by name is used as it is: never grown */
            if (!disk->volume.set && grow_volume(e, v, disk, name, dom, r) < 0)
                ret = -EIO;
            continue;
        }
        if (value_int(&disk->existing) || disk->volume.set) {
            ret = fail(r, "disks[%s]: volume %s does not exist in pool %s (%s)", disk->dev.s, name,
                       disk->pool.s, disk->volume.set ? "volume: attached by name, never created"
                                                      : "existing: true");
            continue;
        }
        _cleanup_free_ char *base = NULL, *err = NULL;
        _cleanup_(image_info_clear) ImageInfo info = {};
        int64_t capacity = value_int(&disk->size);
        if (disk->image_url.set) {
            info.url = disk->image_url.s;
            info.sha256 = sha256_lower(disk->image_sha256.s);
        } else if (disk->image.set) {
            if (image_probe(disk->image_path.s, &info, &err) < 0) {
                ret = fail_at(r, &disk->image, "disks[%s].image: %s", disk->dev.s, err);
                continue;
            }
        }
        if (disk->image.set) {
            if (ensure_base(e, pool, disk->pool.s, image_shown(disk), &info, &base, r) < 0) {
                ret = -EIO;
                continue;
            }
            if (info.virtual_size > capacity)
                capacity = info.virtual_size;
        }
        _cleanup_free_ char *size = format_size(capacity);
        action_add(r, ACTION_VOLUME_CREATE, NULL, "volume %s/%s (%s, %s%s%s)", disk->pool.s, name, size, disk->format.s,
                   disk->image.set ? ", overlay on " : "",
                   disk->image.set ? image_shown(disk) : "");
        if (!e->apply)
            continue;
        if (create_volume(e, pool, d, disk, name, capacity, base, info.format ? info.format : "qcow2",
                          logical, r) < 0)
            ret = -EIO;
    }
    return ret;
}

/* ---------------------------------------------------------------- deleting volumes */

/* Whether any <source> below a domain's disk element names the volume (by pool and name, or by
 * path: a file, a block device, or a backing store in the live definition). */
static bool source_refers(const xmlNode *n, const char *pool, const char *name, const char *path) {
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (xml_is(c, "source")) {
            _cleanup_free_ char *p = xml_get(c, "@pool"), *v = xml_get(c, "@volume");
            _cleanup_free_ char *f = xml_get(c, "@file"), *d = xml_get(c, "@dev");
            if ((streq_ptr(p, pool) && streq_ptr(v, name)) || streq_ptr(f, path) || streq_ptr(d, path))
                return true;
        }
        if (source_refers(c, pool, name, path))
            return true;
    }
    return false;
}

static bool doc_refers(const char *xml, const char *pool, const char *name, const char *path) {
    _cleanup_(xmlFreeDocp) xmlDoc *doc = xml ? xml_parse(xml) : NULL;
    xmlNode *devs = doc ? xml_child(xmlDocGetRootElement(doc), "devices") : NULL;
    for (xmlNode *d = devs ? devs->children : NULL; d; d = d->next)
        if (xml_is(d, "disk") && source_refers(d, pool, name, path))
            return true;
    return false;
}

/* The first domain whose persistent or live definition uses the volume, or NULL (others_only:
 * not self). In a plan (self_planned: the domain's persistent definition as apply would write it)
 * the domain's own running disk does not count yet: *ret_live_self says it is still attached. */
static char *domain_using_if(Engine *e, const char *self, const char *self_planned, bool others_only,
                             const char *pool, const char *name, const char *path, bool *ret_live_self) {
    bool skip_self = self_planned != NULL;
    virDomainPtr *doms = NULL;
    char *user = NULL;
    int n = virConnectListAllDomains(e->conn, &doms, 0);
    if (n < 0)
        return xasprintf("(domains cannot be listed: %s)", virt_error_message());
    for (int i = 0; i < n; i++) {
        const char *dn = virDomainGetName(doms[i]);
        bool is_self = streq_ptr(dn, self);
        for (int live = 0; live < 2 && !user && !(others_only && is_self); live++) {
            if (live && virDomainIsActive(doms[i]) != 1)
                continue;
            char *x = !live && is_self && skip_self ? xstrdup(self_planned)
                                                    : virDomainGetXMLDesc(doms[i], live ? 0 : VIR_DOMAIN_XML_INACTIVE);
            bool uses = doc_refers(x, pool, name, path);
            free(x);
            if (uses && is_self && live && skip_self)
                *ret_live_self = true;
            else if (uses)
                user = xasprintf("%s%s", dn, is_self && live ? " (still attached to the running domain)" : "");
        }
    }
    for (int i = 0; i < n; i++)
        virDomainFree(doms[i]);
    free(doms);
    return user;
}

static char *domain_using(Engine *e, const char *self, const char *self_planned, const char *pool,
                          const char *name, const char *path, bool *ret_live_self) {
    return domain_using_if(e, self, self_planned, false, pool, name, path, ret_live_self);
}

/* The first domain other than self that uses the volume (persistent or live), or NULL. */
static char *domain_using_other(Engine *e, const char *self, const char *pool, const char *name,
                                const char *path) {
    bool unused = false;
    return domain_using_if(e, self, NULL, true, pool, name, path, &unused);
}

/* The first other volume of the pool whose backing store is path, or NULL. */
static char *volume_backed_by(virStoragePoolPtr pool, const char *path) {
    virStorageVolPtr *vols = NULL;
    char *user = NULL;
    int n = virStoragePoolListAllVolumes(pool, &vols, 0);
    if (n < 0)
        return xasprintf("(volumes cannot be listed: %s)", virt_error_message());
    for (int i = 0; i < n; i++) {
        char *x = user ? NULL : virStorageVolGetXMLDesc(vols[i], 0);
        _cleanup_(xmlFreeDocp) xmlDoc *doc = x ? xml_parse(x) : NULL;
        free(x);
        _cleanup_free_ char *b = doc ? xml_get(xmlDocGetRootElement(doc), "backingStore/path") : NULL;
        if (streq_ptr(b, path))
            user = xstrdup(virStorageVolGetName(vols[i]));
        virStorageVolFree(vols[i]);
    }
    free(vols);
    return user;
}

/* The first volume of any active pool (an overlay may live in another pool than its backing
 * file) whose backing store is path, as POOL/NAME, or NULL. */
static char *volume_backed_by_any(Engine *e, const char *path) {
    virStoragePoolPtr *pools = NULL;
    int n = virConnectListAllStoragePools(e->conn, &pools, VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);
    if (n < 0)
        return xasprintf("(pools cannot be listed: %s)", virt_error_message());
    char *user = NULL;
    for (int i = 0; i < n; i++) {
        _cleanup_free_ char *v = user ? NULL : volume_backed_by(pools[i], path);
        if (v)
            user = xasprintf("%s/%s", virStoragePoolGetName(pools[i]), v);
        virStoragePoolFree(pools[i]);
    }
    free(pools);
    return user;
}

char *volume_user(Engine *e, const char *pool, const char *name, const char *path) {
    bool live_self = false;
    _cleanup_free_ char *d = domain_using(e, NULL, NULL, pool, name, path, &live_self);
    if (d)
        return xasprintf("domain %s", d);
    _cleanup_free_ char *v = volume_backed_by_any(e, path);
    return v ? xasprintf("volume %s", v) : NULL;
}

bool volume_source_refers(const xmlNode *n, const char *pool, const char *name, const char *path) {
    return source_refers(n, pool, name, path);
}

/* Deletes one recorded volume, or says why it waits (ref stays pending) or is never deleted
 * (ref->done). */
static int delete_one(Engine *e, const char *self, const char *self_planned, bool last_chance,
                      VolumeRef *ref, ObjectResult *r) {
    _cleanup_(virStoragePoolFreep) virStoragePoolPtr pool = virStoragePoolLookupByName(e->conn, ref->pool);
    _cleanup_(virStorageVolFreep) virStorageVolPtr v = pool ? virStorageVolLookupByName(pool, ref->name) : NULL;
    _cleanup_free_ char *key = xasprintf("%s/%s", ref->pool, ref->name);
    if (!pool) {
        action_add(r, ACTION_VOLUME_WAITS, key, "pool %s is not defined", ref->pool);
        return 0;
    }
    if (!v) {
        ref->done = true;   /* already gone */
        return 0;
    }
    _cleanup_free_ char *created = created_marker(e, ref->pool, ref->name);
    _cleanup_free_ char *base1 = marker(e, ref->pool, ref->name, "complete");
    _cleanup_free_ char *base2 = marker(e, ref->pool, ref->name, "partial");
    if (access(base1, F_OK) == 0 || access(base2, F_OK) == 0 || access(created, F_OK) < 0) {
        ref->done = true;
        action_add(r, ACTION_VOLUME_KEPT, key, "virtspec did not create it for a disk (no %s)", created);
        return 0;
    }
    /* the marker names the domain it was created for (virtspec 0.1.0 wrote it empty): another
     * domain's volume is never deleted for this one */
    _cleanup_free_ char *rec = marker_read(created);
    if (rec && !marker_names(rec, self)) {
        ref->done = true;
        rec[strcspn(rec, "\n")] = 0;
        action_add(r, ACTION_VOLUME_KEPT, key, "virtspec created it for %s, not for domain %s (%s)",
                   rec, self, created);
        return 0;
    }
    _cleanup_free_ char *path = virStorageVolGetPath(v);
    if (!path) {
        action_add(r, ACTION_VOLUME_WAITS, key, "its path cannot be read: %s", virt_error_message());
        return 0;
    }
    bool live_self = false;
    _cleanup_free_ char *user = domain_using(e, self, self_planned, ref->pool, ref->name, path, &live_self);
    _cleanup_free_ char *backs = user ? NULL : volume_backed_by_any(e, path);
    if (user || backs) {
        action_add(r, last_chance ? ACTION_VOLUME_KEPT_IN_USE : ACTION_VOLUME_WAITS, key,
                   "used by %s %s%s", user ? "domain" : "volume", user ? user : backs,
                   last_chance ? "" : "; retried on a later pass");
        return 0;
    }
    virStorageVolInfo vi = {};
    virStorageVolGetInfo(v, &vi);
    _cleanup_free_ char *cap = format_size((int64_t) vi.capacity), *alloc = format_size((int64_t) vi.allocation);
    if (!e->apply) {
        action_add(r, ACTION_VOLUME_DELETE, key, "%s, %s allocated%s", cap, alloc, live_self ? "; once the running domain has released the disk" : "");
        return 0;
    }
    virt_count_mutation();
    if (virStorageVolDelete(v, 0) < 0)
        return fail(r, "deleting volume %s/%s: %s", ref->pool, ref->name, virt_error_message());
    marker_unlink_own(created, self);
    ref->done = true;
    r->mutated = true;
    action_add(r, ACTION_VOLUME_DELETE, key, "%s, %s allocated", cap, alloc);
    log_object(LOG_NOTICE, "Domain", self, "Domain %s: deleted volume %s/%s (%s, %s allocated; "
               "delete_volumes_on_removal)", self, ref->pool, ref->name, cap, alloc);
    return 0;
}

int engine_delete_volumes(Engine *e, const char *domain, const char *planned, bool last_chance,
                          VolumeRefs *refs, ObjectResult *r) {
    int ret = 0;
    for (size_t i = 0; i < refs->n; i++)
        if (!refs->items[i].done && delete_one(e, domain, planned, last_chance, &refs->items[i], r) < 0)
            ret = -EIO;
    return ret;
}
