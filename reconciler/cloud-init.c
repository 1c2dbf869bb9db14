/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cloud-init.h"
#include "diff.h"
#include "spec-addr.h"
#include "xml-util.h"

/* The seed's three files, rendered as text with every string a YAML double-quoted scalar (a
 * superset of JSON strings: nothing a key or a host name holds can break the document). */

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

typedef struct Buf {
    char *p;
    size_t n, cap;
} Buf;

static void buf_add(Buf *b, const char *s, size_t n) {
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void buf_puts(Buf *b, const char *s) {
    buf_add(b, s, strlen(s));
}

static void buf_printf(Buf *b, const char *fmt, ...) _printf_(2, 3);
static void buf_printf(Buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    _cleanup_free_ char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    va_end(ap);
    buf_puts(b, s);
}

/* s as a YAML double-quoted scalar. */
static void buf_quoted(Buf *b, const char *s) {
    buf_puts(b, "\"");
    for (const unsigned char *c = (const unsigned char *) s; *c; c++) {
        if (*c == '"' || *c == '\\') {
            char e[3] = { '\\', (char) *c, 0 };
            buf_puts(b, e);
        } else if (*c < 0x20 || *c == 0x7f)
            buf_printf(b, "\\x%02x", *c);
        else
            buf_add(b, (const char *) c, 1);
    }
    buf_puts(b, "\"");
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

static void render_users(const DomainSpec *d, const SeedInput *in, Buf *b) {
    const CloudUserSpec *u = d->cloud_init.users.items;
    if (d->cloud_init.users.n == 0)
        return;
    buf_puts(b, "users:\n  - default\n");
    for (size_t i = 0; i < d->cloud_init.users.n; i++) {
        const SeedUser *su = i < in->n_users ? &in->users[i] : NULL;
        buf_puts(b, "  - name: ");
        buf_quoted(b, u[i].name.s);
        buf_puts(b, "\n    shell: ");
        buf_quoted(b, u[i].shell.s);
        buf_puts(b, "\n");
        if (su && su->password_hash) {
            buf_puts(b, "    lock_passwd: false\n    passwd: ");
            buf_quoted(b, su->password_hash);
            buf_puts(b, "\n");
        } else
            buf_puts(b, "    lock_passwd: true\n");
        if (u[i].sudo.i)
            buf_puts(b, "    sudo: \"ALL=(ALL) NOPASSWD:ALL\"\n");
        if (su && su->n_keys > 0) {
            buf_puts(b, "    ssh_authorized_keys:\n");
            for (size_t k = 0; k < su->n_keys; k++) {
                buf_puts(b, "      - ");
                buf_quoted(b, su->keys[k]);
                buf_puts(b, "\n");
            }
        }
    }
}

static char *render_network(const DomainSpec *d, const SeedInput *in) {
    if (streq(d->cloud_init.network.s, "none") || in->n_ifaces == 0)
        return NULL;
    Buf b = {};
    buf_puts(&b, "version: 2\nethernets:\n");
    bool gateway_given = false;   /* one default route: the first static interface's */
    for (size_t i = 0; i < in->n_ifaces; i++) {
        const SeedIface *f = &in->ifaces[i];
        buf_printf(&b, "  eth%zu:\n    match:\n      macaddress: ", i);
        buf_quoted(&b, f->mac);
        buf_printf(&b, "\n    set-name: \"eth%zu\"\n", i);
        if (!f->address) {
            buf_puts(&b, "    dhcp4: true\n");
            continue;
        }
        buf_puts(&b, "    dhcp4: false\n    addresses:\n      - ");
        buf_quoted(&b, f->address);
        buf_puts(&b, "\n");
        if (f->gateway && !gateway_given) {
            /* gateway4, not routes: cloud-init's ifupdown renderer turns routes into net-tools
             * `route` commands a minimal image lacks; gateway4 is a `gateway` line everywhere */
            buf_puts(&b, "    gateway4: ");
            buf_quoted(&b, f->gateway);
            buf_puts(&b, "\n");
            gateway_given = true;
        }
        if (f->dns) {
            buf_puts(&b, "    nameservers:\n      addresses:\n        - ");
            buf_quoted(&b, f->dns);
            buf_puts(&b, "\n");
        }
    }
    return b.p;
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
    Buf users = {};
    render_users(d, in, &users);
    _cleanup_free_ char *ours = xasprintf("#cloud-config\n# virtspec: domain %s\n%s", d->name.s,
                                          users.p ? users.p : "");
    if (in->user_data) {
        if (combine_user_data(ours, in, &s.user_data, ret_error) < 0) {
            free(users.p);
            return -EINVAL;
        }
    } else
        s.user_data = xstrdup(ours);
    s.network_config = render_network(d, in);

    /* the seed's identity: every byte the guest reads but the instance-id */
    Buf all = {};
    buf_printf(&all, "local-hostname %s\n", d->cloud_init.hostname.s);
    buf_puts(&all, s.user_data);
    buf_puts(&all, "\n--network-config--\n");
    buf_puts(&all, s.network_config ? s.network_config : "(none)");
    s.digest = hex_digest(all.p, all.n);
    explicit_bzero(all.p, all.n);
    free(all.p);
    s.instance_id = streq(d->cloud_init.rerun.s, "on-change") ? xasprintf("%s-%s", d->name.s, s.digest)
                                                              : xstrdup(d->name.s);
    Buf md = {};
    buf_puts(&md, "instance-id: ");
    buf_quoted(&md, s.instance_id);
    buf_puts(&md, "\nlocal-hostname: ");
    buf_quoted(&md, d->cloud_init.hostname.s);
    buf_puts(&md, "\n");
    s.meta_data = md.p;

    s.shown[0] = xstrdup(d->cloud_init.hostname.s);
    s.shown[1] = users_shown(d, users.p ? users.p : "");
    _cleanup_free_ char *nd = s.network_config ? hex_digest(s.network_config, strlen(s.network_config)) : NULL;
    s.shown[2] = nd ? xasprintf("%s [%.8s]", d->cloud_init.network.s, nd) : xstrdup(d->cloud_init.network.s);
    _cleanup_free_ char *ud = in->user_data ? hex_digest(in->user_data, in->user_data_len) : NULL;
    s.shown[3] = ud ? xasprintf("%s [%.8s]", d->cloud_init.user_data_file.s, ud) : NULL;
    s.shown[4] = xstrdup(d->cloud_init.rerun.s);
    if (users.p) {
        explicit_bzero(users.p, users.n);
        free(users.p);
    }
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
