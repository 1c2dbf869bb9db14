/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#define LIBISOFS_WITHOUT_LIBBURN 1   /* libisofs defines struct burn_source itself */
#include <libisofs/libisofs.h>

#include "seed-iso.h"

/* The only file that knows libisofs. The NoCloud seed: an ISO 9660 image, volume id "cidata",
 * with Rock Ridge and Joliet names, built in memory — no external command, no shell, no
 * temporary file. Every timestamp is fixed and no random value goes in, so the same files give
 * the same bytes. */

/* 2000-01-01 00:00:00 UTC: a fixed time for every timestamp in the image. */
#define SEED_EPOCH ((time_t) 946684800)

static pthread_once_t iso_once = PTHREAD_ONCE_INIT;
static int iso_init_result;

static void iso_setup(void) {
    iso_init_result = iso_init();
    if (iso_init_result >= 0)
        iso_set_msgs_severities("NEVER", "NEVER", "virtspec");   /* errors come back as values */
}

static int add_file(IsoImage *image, const char *name, const char *data, size_t len) {
    IsoDir *root = iso_image_get_root(image);
    unsigned char *copy = malloc(len ? len : 1);
    IsoStream *stream = NULL;
    IsoFile *file = NULL;
    if (!copy)
        return -ENOMEM;
    memcpy(copy, data, len);
    if (iso_memory_stream_new(copy, len, &stream) < 0) {
        free(copy);
        return -EIO;
    }
    int r = iso_tree_add_new_file(root, name, stream, &file);   /* takes the stream's reference */
    if (r < 0) {
        iso_stream_unref(stream);
        return -EIO;
    }
    IsoNode *n = (IsoNode *) file;
    iso_node_set_permissions(n, 0444);
    iso_node_set_uid(n, 0);
    iso_node_set_gid(n, 0);
    iso_node_set_mtime(n, SEED_EPOCH);
    iso_node_set_atime(n, SEED_EPOCH);
    iso_node_set_ctime(n, SEED_EPOCH);
    return 0;
}

int seed_iso_build(const SeedFile *files, size_t n_files, unsigned char **ret, size_t *ret_len) {
    IsoImage *image = NULL;
    IsoWriteOpts *opts = NULL;
    struct burn_source *src = NULL;
    unsigned char *out = NULL;
    size_t len = 0, cap = 0;
    int ret_code = -EIO;

    pthread_once(&iso_once, iso_setup);
    if (iso_init_result < 0)
        return -EIO;
    if (iso_image_new("cidata", &image) < 0)
        return -ENOMEM;
    iso_image_set_volume_id(image, "cidata");
    iso_image_set_application_id(image, "virtspec");
    IsoNode *root = (IsoNode *) iso_image_get_root(image);
    iso_node_set_permissions(root, 0555);
    iso_node_set_mtime(root, SEED_EPOCH);
    iso_node_set_atime(root, SEED_EPOCH);
    iso_node_set_ctime(root, SEED_EPOCH);
    for (size_t i = 0; i < n_files; i++)
        if (add_file(image, files[i].name, files[i].data, files[i].len) < 0)
            goto out;
    if (iso_write_opts_new(&opts, 2) < 0)   /* distribution: Rock Ridge and Joliet */
        goto out;
    iso_write_opts_set_rockridge(opts, 1);
    iso_write_opts_set_joliet(opts, 1);
    iso_write_opts_set_iso_level(opts, 2);
    iso_write_opts_set_always_gmt(opts, 1);
    iso_write_opts_set_relaxed_vol_atts(opts, 1);   /* the volume id as written: "cidata" */
    iso_write_opts_set_replace_mode(opts, 0, 0, 0, 0);   /* the nodes' own modes and times */
    iso_write_opts_set_dir_rec_mtime(opts, 1);
    /* a fixed creation/modification time, as 16 digits (never the clock) */
    char vol_uuid[] = "2000010100000000";
    iso_write_opts_set_pvd_times(opts, SEED_EPOCH, SEED_EPOCH, 0, 0, vol_uuid);
    if (iso_image_create_burn_source(image, opts, &src) < 0)
        goto out;
    for (;;) {
        if (len + 2048 > cap) {
            cap = cap ? cap * 2 : 1 << 19;
            unsigned char *n = realloc(out, cap);
            if (!n) {
                ret_code = -ENOMEM;
                goto out;
            }
            out = n;
        }
        int r = src->read ? src->read(src, out + len, 2048) : src->read_xt(src, out + len, 2048);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        len += (size_t) r;
    }
    *ret = out;
    *ret_len = len;
    out = NULL;
    ret_code = 0;
out:
    if (src) {
        if (ret_code < 0 && src->cancel)
            src->cancel(src);
        src->free_data(src);
        free(src);
    }
    free(out);
    if (opts)
        iso_write_opts_free(opts);
    if (image)
        iso_image_unref(image);
    return ret_code;
}
