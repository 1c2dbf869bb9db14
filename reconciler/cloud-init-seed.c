/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "cloud-init.h"
#include "cloud-init-seed.h"
#include "volumes.h"
#include "host-file.h"
#include "log.h"
#include "seed-iso.h"
#include "spec-addr.h"
#include "render.h"
#include "spec-value.h"
#include "xml-util.h"

/* cloud_init at apply time: the facts the seed is rendered from, then its volume. The seed is
 * volume cidata-DOMAIN.iso of cloud_init.pool, created by virtspec (its ".created" record says
 * "domain NAME cloud_init seed"), uploaded through libvirt's volume upload (so it works over a
 * remote URI too) and attached read-only as the domain's last cdrom (spec_resolve adds it). Its
 * content is recorded in the domain's metadata (cloud_init_record); a change of it is a
 * first-boot change: the volume is uploaded again, the domain is never restarted. */

#define KEYS_FILE_MAX (64u * 1024)
#define HASH_FILE_MAX 4096u
#define USER_DATA_MAX (256u * 1024)
#define SEED_ALIGN (1u << 20)   /* the volume's size: the ISO padded with zeros to a MiB */

static char *seed_owner(const DomainSpec *d) {
    return xasprintf("domain %s cloud_init seed\n", d->name.s);
}

/* The public keys of an authorized_keys file: its lines but blank ones and # comments, each an
 * OpenSSH public key line, optionally after authorized_keys options. A file with a private key
 * (a user naming ~/.ssh/id_ed25519 instead of its .pub) is refused whole. An error never quotes
 * the file's content: -EINVAL and *ret_err. */
/* What to do about a missing ssh_authorized_keys_file. */
static char *missing_key_hint(const char *path) {
    size_t n = strlen(path);
    _cleanup_free_ char *make = n > 4 && streq(path + n - 4, ".pub")
        ? xasprintf(" (ssh-keygen -t ed25519 -f %.*s makes it)", (int) (n - 4), path) : xstrdup("");
    return xasprintf("write the public key there%s or name an existing one; this domain is applied "
                     "once it exists (plan/apply again; the daemon retries it), the other specs are "
                     "applied meanwhile", make);
}

static int add_key_lines(SeedUser *u, const char *path, const char *text, char **ret_err) {
    if (strstr(text, "PRIVATE KEY")) {
        *ret_err = xasprintf("ssh_authorized_keys_file %s holds a private key, which must never go "
                             "into the seed: name the public key (.pub) or an authorized_keys "
                             "file", path);
        return -EINVAL;
    }
    size_t line = 1, first = u->n_keys;
    for (const char *l = text; *l; line++) {
        size_t n = strcspn(l, "\r\n");
        size_t skip = strspn(l, " \t");
        if (n > skip && l[skip] != '#') {
            char *k = xstrndup(l + skip, n - skip);
            *(char **) array_push(&u->keys, &u->n_keys, sizeof(char *)) = k;
            if (!spec_ssh_key_line_ok(k, true)) {
                *ret_err = xasprintf("ssh_authorized_keys_file %s: line %zu is not an OpenSSH "
                                     "public key line ([options] TYPE BASE64 [comment])", path, line);
                for (size_t i = first; i < u->n_keys; i++)
                    explicit_bzero(u->keys[i], strlen(u->keys[i]));
                return -EINVAL;
            }
        }
        l += n;
        if (*l == '\r' && l[1] == '\n')
            l++;
        if (*l)
            l++;
    }
    return 0;
}

/* A crypt(3) hash: $id$…, one line, no blanks or ':' (it goes into /etc/shadow). */
static bool crypt_hash_ok(const char *h) {
    return h[0] == '$' && strlen(h) >= 13 && !strpbrk(h, " \t:\r\n");
}

static int gather_users(const DomainSpec *d, SeedInput *in, ObjectResult *r) {
    const CloudUserSpec *u = d->cloud_init.users.items;
    in->n_users = d->cloud_init.users.n;
    in->users = xmalloc0((in->n_users + 1) * sizeof(SeedUser));
    for (size_t i = 0; i < in->n_users; i++) {
        SeedUser *su = &in->users[i];
        const Value *keys = u[i].ssh_authorized_keys.items;
        for (size_t k = 0; k < u[i].ssh_authorized_keys.n; k++)
            *(char **) array_push(&su->keys, &su->n_keys, sizeof(char *)) = xstrdup(keys[k].s);
        _cleanup_free_ char *err = NULL, *text = NULL;
        if (u[i].ssh_authorized_keys_file.set) {
            int k = host_file_read(u[i].ssh_authorized_keys_file.s, "ssh_authorized_keys_file",
                                   KEYS_FILE_MAX, false, &text, NULL, &err);
            if (k == -ENOENT) {   /* the usual first run: say what to do */
                _cleanup_free_ char *hint = missing_key_hint(u[i].ssh_authorized_keys_file.s);
                return fail_at(r, &u[i].ssh_authorized_keys_file, "cloud_init.users[%s]: %s: %s",
                               u[i].name.s, err, hint);
            }
            if (k < 0)
                return fail_at(r, &u[i].ssh_authorized_keys_file, "cloud_init.users[%s]: %s",
                               u[i].name.s, err);
            k = add_key_lines(su, u[i].ssh_authorized_keys_file.s, text, &err);
            explicit_bzero(text, strlen(text));
            if (k < 0)
                return fail_at(r, &u[i].ssh_authorized_keys_file, "cloud_init.users[%s]: %s",
                               u[i].name.s, err);
        }
        if (u[i].password_hash_file.set) {
            char *h = NULL;
            if (host_file_read(u[i].password_hash_file.s, "password_hash_file",
                               HASH_FILE_MAX, true, &h, NULL, &err) < 0)
                return fail_at(r, &u[i].password_hash_file, "cloud_init.users[%s]: %s", u[i].name.s, err);
            h[strcspn(h, "\r\n")] = 0;   /* the first line */
            bool ok = crypt_hash_ok(h);
            if (ok)
                su->password_hash = xstrdup(h);
            explicit_bzero(h, strlen(h));
            free(h);
            if (!ok)
                return fail_at(r, &u[i].password_hash_file, "cloud_init.users[%s]: "
                               "password_hash_file %s does not hold a crypt(3) hash on its first "
                               "line ($id$…, e.g. from mkpasswd -m yescrypt): a clear-text "
                               "password is never taken", u[i].name.s, u[i].password_hash_file.s);
        }
    }
    return 0;
}

int seed_gather(const DomainSpec *d, SeedNetworkLookup lookup, void *userdata, bool mask_secrets,
                SeedInput *in, ObjectResult *r) {
    *in = (SeedInput) {};
    if (gather_users(d, in, r) < 0)
        return -EIO;
    if (d->cloud_init.user_data_file.set) {
        _cleanup_free_ char *err = NULL;
        if (host_file_read(d->cloud_init.user_data_file.s, "cloud_init.user_data_file", USER_DATA_MAX,
                           false, &in->user_data, &in->user_data_len, &err) < 0)
            return fail_at(r, &d->cloud_init.user_data_file, "%s", err);
    }
    if (streq(d->cloud_init.network.s, "none"))
        return 0;
    const IfaceSpec *ifs = d->interfaces.items;
    in->n_ifaces = d->interfaces.n;
    in->ifaces = xmalloc0((in->n_ifaces + 1) * sizeof(SeedIface));
    for (size_t i = 0; i < d->interfaces.n; i++) {
        in->ifaces[i].mac = xstrdup(ifs[i].mac.s);
        if (!streq(d->cloud_init.network.s, "auto") || !ifs[i].ip.set || !ifs[i].network.set)
            continue;
        _cleanup_free_ char *err = NULL;
        _cleanup_(xmlFreeDocp) xmlDoc *net = lookup(ifs[i].network.s, userdata, &err);
        if (!net && err)
            return fail_at(r, &ifs[i].ip, "cloud_init.network auto: interfaces[%zu]: %s", i, err);
        if (!net) {
            /* a plan before the network exists: the subnet as the spec derives it */
            int prefix = ifs[i].netmask.set ? spec_netmask_prefix(ifs[i].netmask.s) : 24;
            in->ifaces[i].address = xasprintf("%s/%d", ifs[i].ip.s, prefix);
            continue;
        }
        if (seed_iface_from_network(net, &ifs[i], &in->ifaces[i], &err) < 0)
            return fail_at(r, &ifs[i].ip, "cloud_init.network auto: interfaces[%zu]: %s", i, err);
    }
    if (mask_secrets)
        for (size_t i = 0; i < in->n_users; i++)
            if (in->users[i].password_hash) {
                explicit_bzero(in->users[i].password_hash, strlen(in->users[i].password_hash));
                free(in->users[i].password_hash);
                in->users[i].password_hash = xstrdup(MASKED_SECRET);
            }
    return 0;
}

xmlDoc *seed_libvirt_network(const char *name, void *userdata, char **ret_error) {
    Engine *e = userdata;
    virNetworkPtr net = virNetworkLookupByName(e->conn, name);
    if (!net && !e->apply)
        return NULL;   /* a plan: it may be created first */
    char *x = net ? virNetworkGetXMLDesc(net, 0) : NULL;
    if (net)
        virNetworkFree(net);
    xmlDoc *doc = x ? xml_parse(x) : NULL;
    free(x);
    if (!doc)
        *ret_error = xasprintf("network '%s' cannot be read: %s", name, virt_error_message());
    return doc;
}

typedef struct MemSource {
    const unsigned char *p;
    size_t n, off;
} MemSource;

static int mem_send(virStreamPtr st, char *data, size_t nbytes, void *opaque) {
    MemSource *m = opaque;
    size_t k = m->n - m->off < nbytes ? m->n - m->off : nbytes;
    memcpy(data, m->p + m->off, k);
    m->off += k;
    return (int) k;
}

/* Writes bytes over the whole volume through libvirt's upload stream. */
static int upload_bytes(Engine *e, virStorageVolPtr v, const unsigned char *p, size_t n, char **ret_err) {
    virStreamPtr st = virStreamNew(e->conn, 0);
    MemSource m = { p, n, 0 };
    virt_count_mutation();
    if (!st || virStorageVolUpload(v, st, 0, n, 0) < 0 || virStreamSendAll(st, mem_send, &m) < 0 ||
        virStreamFinish(st) < 0) {
        *ret_err = xstrdup(virt_error_message());
        if (st) {
            virStreamAbort(st);
            virStreamFree(st);
        }
        return -EIO;
    }
    virStreamFree(st);
    return 0;
}

static int create_seed_volume(Engine *e, virStoragePoolPtr pool, const DomainSpec *d, const char *name,
                              size_t capacity, virStorageVolPtr *ret, ObjectResult *r) {
    _cleanup_(xmlFreeDocp) xmlDoc *doc = xmlNewDoc((const xmlChar *) "1.0");
    xmlNode *root = xmlNewNode(NULL, (const xmlChar *) "volume");
    char cap[32];
    xmlDocSetRootElement(doc, root);
    xml_set(root, "name", name);
    snprintf(cap, sizeof(cap), "%zu", capacity);
    xml_set(root, "capacity", cap);
    xml_set(root, "capacity/@unit", "bytes");
    xml_set(root, "allocation", "0");
    xml_set(root, "target/format/@type", "raw");
    _cleanup_free_ char *x = xml_to_string(doc);
    /* the record first: a volume without one could never be told apart from a stranger's */
    _cleanup_free_ char *m = volume_created_marker(e, d->cloud_init.pool.s, name), *owner = seed_owner(d);
    _cleanup_free_ char *what = xasprintf("cloud_init: seed %s/%s", d->cloud_init.pool.s, name);
    _cleanup_free_ char *err = NULL;
    bool made = false;
    if (volume_claim(m, owner, what, &made, &err) < 0)
        return fail_at(r, &d->cloud_init.present, "%s", err);
    virt_count_mutation();
    *ret = virStorageVolCreateXML(pool, x, 0);
    if (!*ret) {
        int r2 = fail(r, "creating the cloud_init seed %s in pool %s: %s", name,
                      d->cloud_init.pool.s, virt_error_message());
        volume_claim_drop(pool, name, m, d->name.s, made);
        return r2;
    }
    return 0;
}

void seed_changes(const DomainSpec *d, xmlDoc *have, const Seed *seed, ObjectResult *r) {
    const KeyDef *ci = key_table_find(spec_kind_table(KIND_DOMAIN), "cloud_init");
    for (size_t i = 0; i < SEED_N_KEYS; i++) {
        _cleanup_free_ char *old = cloud_init_recorded(have, seed_keys[i]);
        if (streq_ptr(old, seed->shown[i]))
            continue;
        Change *c = array_push(&r->diff.items, &r->diff.n, sizeof(Change));
        *c = (Change) { .op = OP_SET, .cls = CHANGE_FIRST_BOOT };
        c->path = xasprintf("cloud_init.%s", seed_keys[i]);
        c->old_value = old ? xstrdup(old) : NULL;
        c->new_value = seed->shown[i] ? xstrdup(seed->shown[i]) : NULL;
        c->row = key_table_find(ci->sub, seed_keys[i]);
        c->note = xstrdup(streq(d->cloud_init.rerun.s, "on-change")
                              ? "first-boot: a new instance-id, cloud-init runs again at the "
                                "guest's next boot"
                              : "first-boot: takes effect at the guest's next first boot; set "
                                "cloud_init.rerun: on-change to give it a new instance-id");
    }
}

int seed_volume(Engine *e, const DomainSpec *d, xmlDoc *have, const Seed *seed, ObjectResult *r) {
    const char *pool_name = d->cloud_init.pool.s;
    _cleanup_free_ char *name = spec_seed_volume_name(d->name.s);

    _cleanup_(virStoragePoolFreep) virStoragePoolPtr pool = virStoragePoolLookupByName(e->conn, pool_name);
    if (!pool) {
        if (e->apply)
            return fail(r, "cloud_init: storage pool '%s' does not exist", pool_name);
        action_add(r, ACTION_VOLUME_CREATE, NULL, "cloud_init seed %s/%s (instance-id %s; pool '%s' does not exist yet)",
                   pool_name, name, seed->instance_id, pool_name);
        return 0;
    }
    _cleanup_(virStorageVolFreep) virStorageVolPtr v = virStorageVolLookupByName(pool, name);
    _cleanup_free_ char *m = volume_created_marker(e, pool_name, name), *owner = seed_owner(d);
    if (v) {
        _cleanup_free_ char *rec = volume_marker_read(m);
        if (!streq_ptr(rec, owner)) {
            if (rec)
                rec[strcspn(rec, "\n")] = 0;
            return fail_at(r, &d->cloud_init.present, "cloud_init: pool %s already has a volume %s "
                           "that virtspec did not create for this domain's seed%s%s%s; remove or "
                           "rename it", pool_name, name, rec ? " (it was created for " : "",
                           rec ? rec : "", rec ? ")" : "");
        }
    }
    _cleanup_free_ char *recorded_digest = have ? cloud_init_recorded(have, "digest") : NULL;
    _cleanup_free_ char *recorded_iid = have ? cloud_init_recorded(have, "instance-id") : NULL;
    bool same = v && streq_ptr(recorded_digest, seed->digest) && streq_ptr(recorded_iid, seed->instance_id);
    if (same)
        return 0;

    SeedFile files[3] = {
        { "meta-data", seed->meta_data, strlen(seed->meta_data) },
        { "user-data", seed->user_data, strlen(seed->user_data) },
        { "network-config", seed->network_config, seed->network_config ? strlen(seed->network_config) : 0 },
    };
    unsigned char *iso = NULL;
    size_t iso_len = 0;
    int k = seed_iso_build(files, seed->network_config ? 3 : 2, &iso, &iso_len);
    if (k < 0)
        return fail(r, "cloud_init: building the seed ISO failed: %s", strerror(-k));
    size_t size = (iso_len + SEED_ALIGN - 1) / SEED_ALIGN * SEED_ALIGN;
    action_add(r, v ? ACTION_VOLUME_UPLOAD : ACTION_VOLUME_CREATE, NULL,
               "cloud_init seed %s/%s (%zu bytes, instance-id %s)", pool_name, name, iso_len,
               seed->instance_id);
    if (!e->apply) {
        free(iso);
        return 0;
    }
    int ret = 0;
    if (!v)
        ret = create_seed_volume(e, pool, d, name, size, &v, r);
    virStorageVolInfo vi;
    if (ret == 0 && virStorageVolGetInfo(v, &vi) < 0)
        ret = fail(r, "reading the cloud_init seed %s/%s: %s", pool_name, name, virt_error_message());
    if (ret == 0 && vi.capacity > size)
        size = vi.capacity;   /* never shrunk: the rest is zeros */
    if (ret == 0 && vi.capacity < size) {
        virt_count_mutation();
        if (virStorageVolResize(v, size, 0) < 0)
            ret = fail(r, "growing the cloud_init seed %s/%s: %s", pool_name, name, virt_error_message());
    }
    if (ret == 0) {
        unsigned char *padded = xmalloc0(size);
        memcpy(padded, iso, iso_len);
        _cleanup_free_ char *err = NULL;
        if (upload_bytes(e, v, padded, size, &err) < 0)
            ret = fail(r, "uploading the cloud_init seed %s/%s: %s", pool_name, name, err);
        explicit_bzero(padded, size);   /* may hold password hashes */
        free(padded);
    }
    explicit_bzero(iso, iso_len);
    free(iso);
    if (ret == 0) {
        r->mutated = true;
        log_object(LOG_NOTICE, "Domain", d->name.s, "Domain %s: uploaded cloud_init seed %s/%s "
                   "(instance-id %s)", d->name.s, pool_name, name, seed->instance_id);
    }
    return ret;
}
