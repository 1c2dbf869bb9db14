/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cloud-init.h"
#include "diff.h"
#include "spec-addr.h"
#include "util.h"
#include "xml-util.h"
#include "yaml-tree.h"

/* The seed's three files: YNode trees emitted by libyaml (specs/yaml-emit.c), every string a
 * double-quoted scalar that libyaml quotes and escapes, so nothing a key, a host name or a
 * password hash holds can break the document or be read back as a null, a boolean or a number.
 * Only user-data's first lines (#cloud-config and a comment naming the domain) are text. */

const char *const seed_keys[SEED_N_KEYS] = { "hostname", "users", "network", "user_data_file", "rerun" };

void seed_input_clear(SeedInput *in) {
    for (size_t i = 0; i < in->n_ifaces; i++) {
        free(in->ifaces[i].mac);
        free(in->ifaces[i].address);
        free(in->ifaces[i].gateway);
        free(in->ifaces[i].dns);
    }
    free(in->ifaces);
    for (size_t i = 0; i < in->n_users; i++) {
        for (size_t k = 0; k < in->users[i].n_keys; k++)
            free(in->users[i].keys[k]);
        free(in->users[i].keys);
        if (in->users[i].password_hash) {
            explicit_bzero(in->users[i].password_hash, strlen(in->users[i].password_hash));
            free(in->users[i].password_hash);
        }
    }
    free(in->users);
    free(in->user_data);
    *in = (SeedInput) {};
}

void seed_clear(Seed *s) {
    free(s->meta_data);
    if (s->user_data) {
        explicit_bzero(s->user_data, strlen(s->user_data));   /* may hold password hashes */
        free(s->user_data);
    }
    free(s->network_config);
    free(s->instance_id);
    free(s->digest);
    for (size_t i = 0; i < SEED_N_KEYS; i++)
        free(s->shown[i]);
    *s = (Seed) {};
}

int seed_iface_from_network(xmlDoc *net, const IfaceSpec *f, SeedIface *ret, char **ret_error) {
    xmlNode *root = xmlDocGetRootElement(net), *ip = NULL;
    for (xmlNode *c = root ? root->children : NULL; c && !ip; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || !xml_is(c, "ip"))
            continue;
        _cleanup_free_ char *fam = xml_get(c, "@family");
        if (!fam || streq(fam, "ipv4"))
            ip = c;
    }
    _cleanup_free_ char *addr = ip ? xml_get(ip, "@address") : NULL;
    _cleanup_free_ char *pfx = ip ? xml_get(ip, "@prefix") : NULL;
    _cleanup_free_ char *mask = ip ? xml_get(ip, "@netmask") : NULL;
    int prefix = pfx ? atoi(pfx) : mask ? spec_netmask_prefix(mask) : -1;
    if (!addr || prefix < 0) {
        *ret_error = xasprintf("network '%s' has no IPv4 address", f->network.s);
        return -EINVAL;
    }
    ret->address = xasprintf("%s/%d", f->ip.s, prefix);
    _cleanup_free_ char *mode = xml_get(root, "forward/@mode");
    if (xml_child(root, "forward") &&
        (!mode || streq(mode, "nat") || streq(mode, "route") || streq(mode, "open")))
        ret->gateway = xstrdup(addr);
    _cleanup_free_ char *dns = xml_get(root, "dns/@enable");
    if (!streq_ptr(dns, "no"))
        ret->dns = xstrdup(addr);
    return 0;
}

static char *hex_digest(const char *s, size_t n) {
    return xasprintf("%016" PRIx64, hash_fnv1a(s, n, FNV1A_INIT));
}

static YNode *str(const char *s) {
    return ynode_new_quoted(s);
}

/* Overwrites the strings of n: a seed's tree may hold a password hash. */
static void ynode_wipe(YNode *n) {
    if (n->value)
        explicit_bzero(n->value, strlen(n->value));
    for (size_t i = 0; i < n->n; i++)
        ynode_wipe(n->items[i]);
}

/* doc's text (doc is freed); NULL with *ret_error set when libyaml refuses a string in it (one
 * that is not UTF-8 text: a key file's line, a password hash file). */
static char *emit(YNode *doc, const char *file, char **ret_error) {
    char *t = yaml_emit_document(doc, false);
    ynode_wipe(doc);
    ynode_free(doc);
    if (!t)
        *ret_error = xasprintf("cloud_init: the seed's %s cannot be written: a value in it is not "
                               "UTF-8 text (an ssh key file's comment or a password hash file?)", file);
    return t;
}

static YNode *users_node(const DomainSpec *d, const SeedInput *in) {
    const CloudUserSpec *u = d->cloud_init.users.items;
    if (d->cloud_init.users.n == 0)
        return NULL;
    YNode *seq = ynode_new_seq(false);
    ynode_seq_push(seq, ynode_new_plain("default"));
    for (size_t i = 0; i < d->cloud_init.users.n; i++) {
        const SeedUser *su = i < in->n_users ? &in->users[i] : NULL;
        YNode *m = ynode_seq_push(seq, ynode_new_map(false));
        ynode_map_put(m, "name", str(u[i].name.s));
        ynode_map_put(m, "shell", str(u[i].shell.s));
        if (su && su->password_hash) {
            ynode_map_put(m, "lock_passwd", ynode_new_plain("false"));
            ynode_map_put(m, "passwd", str(su->password_hash));
        } else
            ynode_map_put(m, "lock_passwd", ynode_new_plain("true"));
        if (value_int(&u[i].sudo))
            ynode_map_put(m, "sudo", str("ALL=(ALL) NOPASSWD:ALL"));
        if (su && su->n_keys > 0) {
            YNode *keys = ynode_map_put(m, "ssh_authorized_keys", ynode_new_seq(false));
            for (size_t k = 0; k < su->n_keys; k++)
                ynode_seq_push(keys, str(su->keys[k]));
        }
    }
    return seq;
}

/* network-config (NULL in *ret: none). Returns 0, or -EINVAL with *ret_error set. */
static int render_network(const DomainSpec *d, const SeedInput *in, char **ret, char **ret_error) {
    *ret = NULL;
    if (streq(d->cloud_init.network.s, "none") || in->n_ifaces == 0)
        return 0;
    YNode *doc = ynode_new_map(false);
    ynode_map_put(doc, "version", ynode_new_plain("2"));
    YNode *eths = ynode_map_put(doc, "ethernets", ynode_new_map(false));
    bool gateway_given = false;   /* one default route: the first static interface's */
    for (size_t i = 0; i < in->n_ifaces; i++) {
        const SeedIface *f = &in->ifaces[i];
        char name[32];
        snprintf(name, sizeof(name), "eth%zu", i);
        YNode *e = ynode_map_put(eths, name, ynode_new_map(false));
        ynode_map_put(ynode_map_put(e, "match", ynode_new_map(false)), "macaddress", str(f->mac));
        ynode_map_put(e, "set-name", str(name));
        ynode_map_put(e, "dhcp4", ynode_new_plain(f->address ? "false" : "true"));
        if (!f->address)
            continue;
        ynode_seq_push(ynode_map_put(e, "addresses", ynode_new_seq(false)), str(f->address));
        if (f->gateway && !gateway_given) {
            /* gateway4, not routes: cloud-init's ifupdown renderer turns routes into net-tools
             * `route` commands a minimal image lacks; gateway4 is a `gateway` line everywhere */
            ynode_map_put(e, "gateway4", str(f->gateway));
            gateway_given = true;
        }
        if (f->dns) {
            YNode *ns = ynode_map_put(e, "nameservers", ynode_new_map(false));
            ynode_seq_push(ynode_map_put(ns, "addresses", ynode_new_seq(false)), str(f->dns));
        }
    }
    *ret = emit(doc, "network-config", ret_error);
    return *ret ? 0 : -EINVAL;
}

/* The MIME type cloud-init gives a user-data part by its first line; NULL: not one to combine. */
static const char *part_type(const char *s, size_t n) {
    static const struct { const char *start, *type; } types[] = {
        { "#cloud-config\n", "text/cloud-config" },
        { "#cloud-config\r\n", "text/cloud-config" },
        { "#!", "text/x-shellscript" },
        { "#cloud-boothook", "text/cloud-boothook" },
        { "#include\n", "text/x-include-url" },
        { "#include\r\n", "text/x-include-url" },
        { "#part-handler", "text/part-handler" },
    };
    for (size_t i = 0; i < ELEMENTSOF(types); i++)
        if (n >= strlen(types[i].start) && !strncmp(s, types[i].start, strlen(types[i].start)))
            return types[i].type;
    return NULL;
}

/* virtspec's #cloud-config, then the user's file as a second part of a MIME multipart message:
 * a #cloud-config part merged into the first (lists appended, maps merged, a scalar both set
 * keeps virtspec's value), any other part run after it by cloud-init. */
static int combine_user_data(const char *ours, const SeedInput *in, char **ret, char **ret_error) {
    const char *type = part_type(in->user_data, in->user_data_len);
    if (!type || memchr(in->user_data, 0, in->user_data_len)) {
        *ret_error = xstrdup("cloud_init.user_data_file: the file must start with #cloud-config, "
                             "#! (a script), #cloud-boothook, #include or #part-handler (a MIME "
                             "multipart or gzip file is not combined with virtspec's own "
                             "cloud-config: give its parts one by one, or an #include)");
        return -EINVAL;
    }
    /* a boundary neither part holds */
    _cleanup_free_ char *boundary = NULL;
    for (uint64_t salt = 0;; salt++) {
        uint64_t h = hash_fnv1a(in->user_data, in->user_data_len, FNV1A_INIT ^ salt);
        free(boundary);
        boundary = xasprintf("==virtspec-%016" PRIx64 "==", hash_fnv1a(ours, strlen(ours), h));
        if (!strstr(ours, boundary) && !memmem(in->user_data, in->user_data_len, boundary, strlen(boundary)))
            break;
    }
    Buf b = {};
    buf_printf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\nMIME-Version: 1.0\n\n", boundary);
    buf_printf(&b, "--%s\nContent-Type: text/cloud-config; charset=\"utf-8\"\nMIME-Version: 1.0\n"
               "Content-Transfer-Encoding: 8bit\nContent-Disposition: attachment; "
               "filename=\"virtspec.cfg\"\n\n", boundary);
    buf_puts(&b, ours);
    buf_printf(&b, "\n--%s\nContent-Type: %s; charset=\"utf-8\"\nMIME-Version: 1.0\n"
               "Content-Transfer-Encoding: 8bit\nContent-Disposition: attachment; "
               "filename=\"user-data\"\n", boundary, type);
    if (streq(type, "text/cloud-config"))
        buf_puts(&b, "Merge-Type: dict(recurse_array)+list(append)+str()\n");
    buf_puts(&b, "\n");
    buf_add(&b, in->user_data, in->user_data_len);
    if (in->user_data_len > 0 && in->user_data[in->user_data_len - 1] != '\n')
        buf_puts(&b, "\n");
    buf_printf(&b, "--%s--\n", boundary);
    *ret = b.p;
    return 0;
}

static char *users_shown(const DomainSpec *d, const char *users_text) {
    const CloudUserSpec *u = d->cloud_init.users.items;
    if (d->cloud_init.users.n == 0)
        return NULL;
    Buf b = {};
    for (size_t i = 0; i < d->cloud_init.users.n; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", u[i].name.s);
    _cleanup_free_ char *dg = hex_digest(users_text, strlen(users_text));
    buf_printf(&b, " [%.8s]", dg);
    return b.p;
}

int cloud_init_render(const DomainSpec *d, const SeedInput *in, Seed *ret, char **ret_error) {
    Seed s = {};
    _cleanup_free_ char *users = NULL;   /* the users: document, "" without users */
    YNode *un = users_node(d, in);
    if (un) {
        YNode *doc = ynode_new_map(false);
        ynode_map_put(doc, "users", un);
        users = emit(doc, "user-data", ret_error);
        if (!users)
            return -EINVAL;
    } else
        users = xstrdup("");
    /* a comment is not the emitter's: the name on one line of printable ASCII (a spec's name is
     * one: VT_NAME), any other byte as \xNN (U+2028 or U+0085 would end the comment in YAML 1.1) */
    Buf ours = {};
    buf_puts(&ours, "#cloud-config\n# virtspec: domain ");
    for (const unsigned char *c = (const unsigned char *) d->name.s; *c; c++)
        if (*c >= 0x20 && *c < 0x7f)
            buf_add(&ours, c, 1);
        else
            buf_printf(&ours, "\\x%02x", *c);
    buf_printf(&ours, "\n%s", users);
    int r = 0;
    if (in->user_data)
        r = combine_user_data(ours.p, in, &s.user_data, ret_error);
    else
        s.user_data = xstrdup(ours.p);
    buf_wipe(&ours);
    if (r >= 0)
        r = render_network(d, in, &s.network_config, ret_error);
    YNode *md = ynode_new_map(false);
    if (r >= 0) {
        /* the seed's identity: every byte the guest reads but the instance-id */
        Buf all = {};
        buf_printf(&all, "local-hostname %s\n", d->cloud_init.hostname.s);
        buf_puts(&all, s.user_data);
        buf_puts(&all, "\n--network-config--\n");
        buf_puts(&all, s.network_config ? s.network_config : "(none)");
        s.digest = hex_digest(all.p, all.n);
        buf_wipe(&all);
        s.instance_id = streq(d->cloud_init.rerun.s, "on-change") ? xasprintf("%s-%s", d->name.s, s.digest)
                                                                  : xstrdup(d->name.s);
        ynode_map_put(md, "instance-id", str(s.instance_id));
        ynode_map_put(md, "local-hostname", str(d->cloud_init.hostname.s));
        s.meta_data = emit(TAKE_PTR(md), "meta-data", ret_error);
        if (!s.meta_data)
            r = -EINVAL;
    }
    ynode_free(md);
    /* what plan shows of the users: their names and a digest of the text, taken before the text
     * (password hashes) is wiped */
    char *users_seen = r >= 0 ? users_shown(d, users) : NULL;
    if (users[0])
        explicit_bzero(users, strlen(users));
    if (r < 0) {
        seed_clear(&s);
        return r;
    }

    s.shown[0] = xstrdup(d->cloud_init.hostname.s);
    s.shown[1] = users_seen;
    _cleanup_free_ char *nd = s.network_config ? hex_digest(s.network_config, strlen(s.network_config)) : NULL;
    s.shown[2] = nd ? xasprintf("%s [%.8s]", d->cloud_init.network.s, nd) : xstrdup(d->cloud_init.network.s);
    _cleanup_free_ char *ud = in->user_data ? hex_digest(in->user_data, in->user_data_len) : NULL;
    s.shown[3] = ud ? xasprintf("%s [%.8s]", d->cloud_init.user_data_file.s, ud) : NULL;
    s.shown[4] = xstrdup(d->cloud_init.rerun.s);
    *ret = s;
    return 0;
}

void cloud_init_record(xmlNode *vs, xmlNs *ns, const Seed *s) {
    xmlNode *e = xmlNewChild(vs, ns, (const xmlChar *) "cloud-init", NULL);
    for (size_t i = 0; i < SEED_N_KEYS; i++)
        if (s->shown[i])
            xmlSetProp(e, (const xmlChar *) seed_keys[i], (const xmlChar *) s->shown[i]);
    xmlSetProp(e, (const xmlChar *) "instance-id", (const xmlChar *) s->instance_id);
    xmlSetProp(e, (const xmlChar *) "digest", (const xmlChar *) s->digest);
}

static xmlNode *record_of(xmlDoc *doc) {
    xmlNode *vs = doc ? observe_metadata(doc) : NULL;
    for (xmlNode *c = vs ? vs->children : NULL; c; c = c->next)
        if (xml_is(c, "cloud-init"))
            return c;
    return NULL;
}

bool cloud_init_has_record(xmlDoc *doc) {
    return record_of(doc) != NULL;
}

char *cloud_init_recorded(xmlDoc *doc, const char *key) {
    xmlNode *e = record_of(doc);
    _cleanup_free_ char *attr = xasprintf("@%s", key);
    return e ? xml_get(e, attr) : NULL;
}
