/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "spec-internal.h"
#include "verify.h"

/* Validation of cloud_init: the host name, the users and their ssh keys. */

/* A login name as useradd takes it by default: [a-z_][a-z0-9_-]*, at most 32. */
static bool valid_login(const char *u) {
    if (!*u || !((*u >= 'a' && *u <= 'z') || *u == '_'))
        return false;
    return strspn(u, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(u);
}

/* An OpenSSH public key line: TYPE BASE64 [comment], one line. */
static bool valid_ssh_key(const char *k) {
    static const char *const types[] = { "ssh-ed25519 ", "ssh-rsa ", "ecdsa-sha2-nistp256 ",
                                         "ecdsa-sha2-nistp384 ", "ecdsa-sha2-nistp521 ",
                                         "sk-ssh-ed25519@openssh.com ",
                                         "sk-ecdsa-sha2-nistp256@openssh.com ", "ssh-dss ", NULL };
    if (strpbrk(k, "\n\r"))
        return false;
    for (size_t i = 0; types[i]; i++)
        if (!strncmp(k, types[i], strlen(types[i]))) {
            const char *b = k + strlen(types[i]);
            size_t n = strspn(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");
            return n >= 16 && (!b[n] || b[n] == ' ');
        }
    return false;
}

bool spec_ssh_key_line_ok(const char *line, bool options) {
    if (valid_ssh_key(line))
        return true;
    if (!options)
        return false;
    /* sshd(8) AUTHORIZED_KEYS FILE FORMAT: options first, up to the first blank outside quotes */
    bool quoted = false;
    const char *p = line;
    for (; *p && (quoted || (*p != ' ' && *p != '\t')); p++)
        if (*p == '\\' && quoted && p[1])
            p++;
        else if (*p == '"')
            quoted = !quoted;
    if (quoted || p == line || !*p)
        return false;
    return valid_ssh_key(p + strspn(p, " \t"));
}

void verify_cloud_init(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    if (!d->cloud_init.present.set)
        return;
    if (d->cloud_init.hostname.set && !valid_hostname(d->cloud_init.hostname.s))
        ERR(&d->cloud_init.hostname, "cloud_init.hostname '%s' is not a host name (letters, digits "
            "and '-' in dot-separated labels, at most 63 characters)", d->cloud_init.hostname.s);
    if (!d->cloud_init.hostname.set && d->name.set) {
        _cleanup_free_ char *h = default_hostname(d->name.s);
        if (!valid_hostname(h))
            ERR(&d->cloud_init.present, "cloud_init.hostname: the domain name %s is not a valid host "
                "name (letters, digits and '-' in dot-separated labels, at most 63 characters); "
                "set cloud_init.hostname", d->name.s);
    }
    const CloudUserSpec *u = d->cloud_init.users.items;
    for (size_t i = 0; i < d->cloud_init.users.n; i++) {
        if (!valid_login(u[i].name.s))
            ERR(&u[i].name, "cloud_init.users[%zu].name '%s' is not a login name ([a-z_][a-z0-9_-]*)",
                i, u[i].name.s);
        if (streq(u[i].name.s, "root"))
            ERR(&u[i].name, "cloud_init.users[%zu]: root is not an account to create (give another "
                "user sudo: true)", i);
        for (size_t j = 0; j < i; j++)
            if (streq(u[j].name.s, u[i].name.s))
                ERR(&u[i].name, "cloud_init.users: '%s' is listed twice", u[i].name.s);
        const Value *keys = u[i].ssh_authorized_keys.items;
        for (size_t k = 0; k < u[i].ssh_authorized_keys.n; k++)
            if (!valid_ssh_key(keys[k].s))
                ERR(&keys[k], "cloud_init.users[%zu].ssh_authorized_keys[%zu] is not an OpenSSH "
                    "public key line (TYPE BASE64 [comment], e.g. ssh-ed25519 AAAA… me@host)", i, k);
    }
}
