/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <endian.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "executor-internal.h"
#include "log.h"
#include "render.h"
#include "spec-value.h"
#include "xml-util.h"

/* One base image upload at a time per process: two domains naming the same image in one pass
 * must not both upload it. */
static pthread_mutex_t base_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct ImageInfo {
    const char *format;     /* "qcow2" or "raw" */
    int64_t file_size;
    int64_t virtual_size;
} ImageInfo;

/* The qcow2 header says what the guest sees; anything else is raw. No qemu-img, no shell. */
static int image_probe(const char *path, ImageInfo *ret, char **ret_err) {
    unsigned char hdr[32];
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *ret_err = xasprintf("cannot open image %s: %s", path, strerror(errno));
        return -errno;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        *ret_err = xasprintf("image %s is not a regular file", path);
        return -EINVAL;
    }
    ssize_t n = pread(fd, hdr, sizeof(hdr), 0);
    close(fd);
    ret->file_size = st.st_size;
    if (n == (ssize_t) sizeof(hdr) && !memcmp(hdr, "QFI\xfb", 4)) {
        uint64_t vs;
        memcpy(&vs, hdr + 24, 8);
        ret->format = "qcow2";
        ret->virtual_size = (int64_t) be64toh(vs);
    } else {
        ret->format = "raw";
        ret->virtual_size = st.st_size;
    }
    return 0;
}

static char *base_volume_name(const char *image) {
    _cleanup_free_ char *copy = xstrdup(image);
    return xasprintf("base-%s", basename(copy));
}

/* Upload state lives in the state directory: "<vol>.partial" while an upload runs (so a volume
 * left half-written by a crash is recognised as ours and redone), "<vol>.complete" after. */
static char *marker(Engine *e, const char *pool, const char *vol, const char *suffix) {
    return xasprintf("%s/images/%s/%s.%s", e->state_dir, pool, vol, suffix);
}

static void touch(const char *path) {
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
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
}

static int upload(Engine *e, virStorageVolPtr vol, const char *image, int64_t size, char **ret_err) {
    int fd = open(image, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *ret_err = xasprintf("cannot open %s: %s", image, strerror(errno));
        return -errno;
    }
    virStreamPtr st = virStreamNew(e->conn, 0);
    if (!st || virStorageVolUpload(vol, st, 0, (unsigned long long) size, 0) < 0) {
        *ret_err = xasprintf("upload failed: %s", virt_error_message());
        if (st)
            virStreamFree(st);
        close(fd);
        return -EIO;
    }
    _cleanup_free_ char *buf = xmalloc0(1 << 20);
    int64_t sent = 0;
    int last_pct = -1;
    while (sent < size) {
        ssize_t n = read(fd, buf, 1 << 20);
        if (n <= 0) {
            *ret_err = xasprintf("reading %s: %s", image, n < 0 ? strerror(errno) : "file shrank");
            virStreamAbort(st);
            virStreamFree(st);
            close(fd);
            return -EIO;
        }
        for (ssize_t off = 0; off < n;) {
            int k = virStreamSend(st, buf + off, (size_t) (n - off));
            if (k < 0) {
                *ret_err = xasprintf("upload failed: %s", virt_error_message());
                virStreamAbort(st);
                virStreamFree(st);
                close(fd);
                return -EIO;
            }
            off += k;
        }
        sent += n;
        int pct = (int) (sent * 100 / size);
        if (pct / 10 != last_pct / 10) {
            log_info("uploading %s: %d%% (%" PRId64 " of %" PRId64 " bytes)", image, pct, sent, size);
            last_pct = pct;
        }
    }
    close(fd);
    if (virStreamFinish(st) < 0) {
        *ret_err = xasprintf("upload did not finish: %s", virt_error_message());
        virStreamFree(st);
        return -EIO;
    }
    virStreamFree(st);
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

/* Makes sure the base volume for image exists, complete, in pool. Returns its path. */
static int ensure_base(Engine *e, virStoragePoolPtr pool, const char *pool_name, const char *image,
                       const ImageInfo *info, char **ret_path, ObjectResult *r) {
    _cleanup_free_ char *name = base_volume_name(image);
    _cleanup_free_ char *partial = marker(e, pool_name, name, "partial");
    _cleanup_free_ char *complete = marker(e, pool_name, name, "complete");
    int ret = 0;

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
    add_action(r, "+ base image %s/%s from %s (%" PRId64 " bytes)", pool_name, name, image,
               info->file_size);
    if (!e->apply)
        goto done;
    touch(partial);
    ret = create_and_upload(e, pool, name, image, info, &v, r);
    if (ret == 0) {
        rename(partial, complete);
        r->mutated = true;
    }
done:
    if (ret == 0 && v) {
        char *p = virStorageVolGetPath(v);
        *ret_path = p ? xstrdup(p) : NULL;
        free(p);
    }
    if (v)
        virStorageVolFree(v);
    pthread_mutex_unlock(&base_lock);
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

static int create_volume(Engine *e, virStoragePoolPtr pool, const DiskSpec *disk, const char *name,
                         int64_t capacity, const char *backing, const char *backing_fmt,
                         bool logical, ObjectResult *r) {
    _cleanup_(xmlFreeDocp) xmlDoc *doc = xmlNewDoc((const xmlChar *) "1.0");
    xmlNode *root = xmlNewNode(NULL, (const xmlChar *) "volume");
    char cap[32];
    xmlDocSetRootElement(doc, root);
    xml_set(root, "name", name);
    snprintf(cap, sizeof(cap), "%" PRId64, capacity);
    xml_set(root, "capacity", cap);
    xml_set(root, "capacity/@unit", "bytes");
    if (logical) {
        /* allocation below capacity would make libvirt create a sparse snapshot LV */
        xml_set(root, "allocation", cap);
        xml_set(root, "allocation/@unit", "bytes");
    } else {
        xml_set(root, "allocation", "0");
        xml_set(root, "target/format/@type", disk->format.s);
    }
    if (backing) {
        xml_set(root, "backingStore/path", backing);
        xml_set(root, "backingStore/format/@type", backing_fmt);
    }
    _cleanup_free_ char *x = xml_to_string(doc);
    virt_count_mutation();
    _cleanup_(virStorageVolFreep) virStorageVolPtr nv = virStorageVolCreateXML(pool, x, 0);
    if (!nv)
        return fail(r, "creating volume %s in pool %s: %s", name, disk->pool.s, virt_error_message());
    r->mutated = true;
    return 0;
}

/* Grows a volume whose spec size went up, and the running disk with it; refuses to shrink. */
static int grow_volume(Engine *e, virStorageVolPtr v, const DiskSpec *disk, const char *name,
                       virDomainPtr dom, ObjectResult *r) {
    virStorageVolInfo vi;
    if (virStorageVolGetInfo(v, &vi) < 0)
        return fail(r, "reading volume %s: %s", name, virt_error_message());
    int64_t have = (int64_t) vi.capacity;
    if (have == disk->size.i || disk->image.set)
        return 0;   /* an overlay is as large as its base at least; it only grows on request */
    _cleanup_free_ char *from = format_size(have), *to = format_size(disk->size.i);
    if (disk->size.i < have)
        return fail(r, "disks[%s].size: shrinking %s from %s to %s is refused (data would be lost)",
                    disk->dev.s, name, from, to);
    add_action(r, "~ disks[%s].size: %s → %s (live)", disk->dev.s, from, to);
    if (!e->apply)
        return 0;
    int st, reason;
    bool running = dom && virDomainGetState(dom, &st, &reason, 0) == 0 &&
                   (st == VIR_DOMAIN_RUNNING || st == VIR_DOMAIN_PAUSED || st == VIR_DOMAIN_BLOCKED);
    virt_count_mutation();
    if (running) {
        /* qemu grows the image and tells the guest in one step */
        if (virDomainBlockResize(dom, disk->dev.s, (unsigned long long) disk->size.i,
                                 VIR_DOMAIN_BLOCK_RESIZE_BYTES) < 0)
            return fail(r, "growing disk %s: %s", disk->dev.s, virt_error_message());
    } else if (virStorageVolResize(v, (unsigned long long) disk->size.i, 0) < 0)
        return fail(r, "growing volume %s: %s", name, virt_error_message());
    r->mutated = true;
    return 0;
}

int ensure_volumes(Engine *e, const DomainSpec *d, virDomainPtr dom, ObjectResult *r) {
    const DiskSpec *dk = d->disks.items;
    int ret = 0;

    for (size_t i = 0; i < d->disks.n; i++) {
        const DiskSpec *disk = &dk[i];
        if (disk->path.set)
            continue;
        _cleanup_free_ char *name = render_volume_name(d, disk);
        _cleanup_(virStoragePoolFreep) virStoragePoolPtr pool =
            virStoragePoolLookupByName(e->conn, disk->pool.s);
        if (!pool) {
            if (e->apply)
                ret = fail(r, "disks[%s]: storage pool '%s' does not exist", disk->dev.s, disk->pool.s);
            else
                add_action(r, "! disks[%s]: pool '%s' does not exist yet", disk->dev.s, disk->pool.s);
            continue;
        }
        bool logical = pool_is_logical(pool);
        if (logical && (disk->image.set || !streq(disk->format.s, "raw"))) {
            ret = fail(r, "disks[%s]: pool '%s' is a logical pool: its volumes are raw LVM volumes "
                       "(format: raw, no image)", disk->dev.s, disk->pool.s);
            continue;
        }
        _cleanup_(virStorageVolFreep) virStorageVolPtr v = virStorageVolLookupByName(pool, name);
        if (v) {
            if (grow_volume(e, v, disk, name, dom, r) < 0)
                ret = -EIO;
            continue;
        }
        if (disk->existing.i) {
            ret = fail(r, "disks[%s]: volume %s does not exist in pool %s (existing: true)",
                       disk->dev.s, name, disk->pool.s);
            continue;
        }
        _cleanup_free_ char *base = NULL, *err = NULL;
        ImageInfo info = {};
        int64_t capacity = disk->size.i;
        if (disk->image.set) {
            if (image_probe(disk->image.s, &info, &err) < 0) {
                ret = fail_at(r, &disk->image, "disks[%s].image: %s", disk->dev.s, err);
                continue;
            }
            if (ensure_base(e, pool, disk->pool.s, disk->image.s, &info, &base, r) < 0) {
                ret = -EIO;
                continue;
            }
            if (info.virtual_size > capacity)
                capacity = info.virtual_size;
        }
        _cleanup_free_ char *size = format_size(capacity);
        add_action(r, "+ volume %s/%s (%s, %s%s%s)", disk->pool.s, name, size, disk->format.s,
                   disk->image.set ? ", overlay on " : "",
                   disk->image.set ? disk->image.s : "");
        if (!e->apply)
            continue;
        if (create_volume(e, pool, disk, name, capacity, base, info.format, logical, r) < 0)
            ret = -EIO;
    }
    return ret;
}
