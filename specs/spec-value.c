/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>

#include "spec-value.h"

void value_clear(Value *v) {
    if (!v->shared)
        free(v->s);
    *v = (Value) {};
}

void value_copy(Value *dst, const Value *src) {
    value_clear(dst);
    *dst = *src;
    if (!src->shared)
        dst->s = xstrdup(src->s);
}

void value_set_shared(Value *v, const char *s) {
    if (!v->shared)
        free(v->s);
    v->s = (char *) s;
    v->shared = true;
}

int parse_bool(const char *s, bool *ret) {
    static const char *const t[] = { "true", "yes", "on", "True", "Yes", "On", "TRUE", "YES", "ON" };
    static const char *const f[] = { "false", "no", "off", "False", "No", "Off", "FALSE", "NO", "OFF" };
    for (size_t i = 0; i < ELEMENTSOF(t); i++) {
        if (streq(s, t[i])) {
            *ret = true;
            return 0;
        }
        if (streq(s, f[i])) {
            *ret = false;
            return 0;
        }
    }
    return -EINVAL;
}

static int parse_int64(const char *s, int64_t *ret) {
    char *end;
    if (!*s || isspace((unsigned char) *s))
        return -EINVAL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0)
        return -ERANGE;
    if (*end)
        return -EINVAL;
    *ret = v;
    return 0;
}

int parse_size(const char *s, int64_t plain_unit, int64_t *ret) {
    static const struct { const char *suffix; int64_t mult; } units[] = {
        { "B", 1 }, { "K", 1024 }, { "KiB", 1024 }, { "KB", 1000 },
        { "M", 1024 * 1024 }, { "MiB", 1024 * 1024 }, { "MB", 1000 * 1000 },
        { "G", 1024LL * 1024 * 1024 }, { "GiB", 1024LL * 1024 * 1024 }, { "GB", 1000LL * 1000 * 1000 },
        { "T", 1024LL * 1024 * 1024 * 1024 }, { "TiB", 1024LL * 1024 * 1024 * 1024 },
        { "TB", 1000LL * 1000 * 1000 * 1000 },
    };
    const char *p = s;
    uint64_t num = 0;

    if (!isdigit((unsigned char) *p))
        return -EINVAL;
    while (isdigit((unsigned char) *p)) {
        if (num > (UINT64_MAX - 9) / 10)
            return -ERANGE;
        num = num * 10 + (uint64_t) (*p - '0');
        p++;
    }
    while (*p == ' ')
        p++;
    int64_t mult = plain_unit;
    if (*p) {
        mult = 0;
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
            if (streq(p, units[i].suffix)) {
                mult = units[i].mult;
                break;
            }
        if (mult == 0)
            return -EINVAL;
    }
    if (num > (uint64_t) INT64_MAX / (uint64_t) mult)
        return -ERANGE;
    *ret = (int64_t) num * mult;
    return 0;
}

char *format_size(int64_t b) {
    static const struct { const char *name; int64_t mult; } u[] = {
        { "TiB", 1024LL * 1024 * 1024 * 1024 }, { "GiB", 1024LL * 1024 * 1024 },
        { "MiB", 1024 * 1024 }, { "KiB", 1024 },
    };
    for (size_t i = 0; i < ELEMENTSOF(u); i++)
        if (b >= u[i].mult && b % u[i].mult == 0)
            return xasprintf("%" PRId64 " %s", b / u[i].mult, u[i].name);
    return xasprintf("%" PRId64 " B", b);
}

char *wwn_canonical(const char *s) {
    if (!strncmp(s, "0x", 2))   /* libvirt's virValidateWWN: lower-case x only */
        s += 2;
    if (strlen(s) != 16)
        return NULL;
    char *c = xstrdup(s);
    for (char *p = c; *p; p++) {
        if (!isxdigit((unsigned char) *p)) {
            free(c);
            return NULL;
        }
        *p = (char) tolower((unsigned char) *p);
    }
    return c;
}

int parse_mac(const char *s, char ret[static 18]) {
    unsigned char b[6];
    char hex[13];
    size_t n = 0;

    for (const char *p = s; *p; p++) {
        if (*p == ':' || *p == '-')
            continue;
        if (!isxdigit((unsigned char) *p) || n >= 12)
            return -EINVAL;
        hex[n++] = (char) tolower((unsigned char) *p);
    }
    if (n != 12)
        return -EINVAL;
    /* Separators, if any, must be between every byte. */
    size_t len = strlen(s);
    if (len != 12 && len != 17)
        return -EINVAL;
    if (len == 17)
        for (size_t i = 2; i < 17; i += 3)
            if (s[i] != ':' && s[i] != '-')
                return -EINVAL;
    hex[12] = 0;
    for (int i = 0; i < 6; i++)
        if (sscanf(hex + 2 * i, "%2hhx", &b[i]) != 1)
            return -EINVAL;
    if (b[0] & 1)
        return -EDOM;   /* multicast */
    snprintf(ret, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
    return 0;
}

int parse_ip(const char *s, bool with_prefix, int *ret_family, char **ret_canonical,
             int *ret_prefix) {
    _cleanup_free_ char *addr = NULL;
    const char *slash = strchr(s, '/');
    int prefix = -1;
    unsigned char buf[16];
    char out[INET6_ADDRSTRLEN];
    int family;

    if (slash) {
        if (!with_prefix)
            return -EINVAL;
        addr = xstrndup(s, (size_t) (slash - s));
        int64_t p;
        if (parse_int64(slash + 1, &p) < 0 || p < 0 || p > 128)
            return -EINVAL;
        prefix = (int) p;
    } else {
        if (with_prefix)
            return -ENODATA;
        addr = xstrdup(s);
    }
    if (inet_pton(AF_INET, addr, buf) == 1)
        family = 4;
    else if (inet_pton(AF_INET6, addr, buf) == 1)
        family = 6;
    else
        return -EINVAL;
    if (prefix > (family == 4 ? 32 : 128))
        return -ERANGE;
    inet_ntop(family == 4 ? AF_INET : AF_INET6, buf, out, sizeof(out));
    if (ret_family)
        *ret_family = family;
    if (ret_canonical)
        *ret_canonical = prefix >= 0 ? xasprintf("%s/%d", out, prefix) : xstrdup(out);
    if (ret_prefix)
        *ret_prefix = prefix;
    return 0;
}

bool valid_name(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 64 || s[0] == '.' || s[0] == '-')
        return false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char) *p) && !strchr("_.+-", *p))
            return false;
    return true;
}

static bool valid_uuid(const char *s) {
    if (strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
        } else if (!isxdigit((unsigned char) s[i]))
            return false;
    }
    return true;
}

/* The first character of s libvirt's XML cannot hold: a control character (newline and tab
 * are fine in multiline text), DEL, a C1 control, a Unicode non-character (U+FFFE, U+FDD0…:
 * libxml2 refuses U+FFFE and U+FFFF, and an escaped one passed validate to fail at libvirt
 * without a position); 0 when there is none. Bidirectional marks are allowed (and shown
 * escaped in messages). libyaml already rejects invalid UTF-8 (0xFFFFFFFF here). */
static uint32_t bad_char(const char *s, bool multiline) {
    while (*s) {
        uint32_t cp;
        size_t n = utf8_char(s, &cp);
        if (n == 0)
            return UINT32_MAX;
        if (codepoint_hidden(cp) && !(multiline && (cp == '\n' || cp == '\t')) &&
            !(cp >= 0x202a && cp <= 0x2069))
            return cp;
        s += n;
    }
    return 0;
}

static bool valid_utf8_text(const char *s, bool multiline) {
    return bad_char(s, multiline) == 0;
}

/* What valid_utf8_text refused in s. */
static const char *bad_text_what(const char *s, bool multiline) {
    uint32_t cp = bad_char(s, multiline);
    return cp >= 0xfdd0 && cp != UINT32_MAX ? "a Unicode non-character (libvirt's XML cannot hold it)"
                                            : "control characters";
}

static char *choices_text(const char *const *c) {
    size_t len = 1;
    for (size_t i = 0; c[i]; i++)
        len += strlen(c[i]) + 2;
    char *r = xmalloc0(len), *p = r;
    for (size_t i = 0; c[i]; i++)
        p += sprintf(p, "%s%s", i ? ", " : "", c[i]);
    return r;
}

/* One parser per scalar type: s is n's text; fills v (s and i canonical) and returns 0, or sets
 * *ret_msg and returns a negative errno. */
static int vt_string(const KeyDef *k, const YNode *n, const char *s, Value *v, char **ret_msg) {
    if (!valid_utf8_text(s, k->flags & KEY_MULTILINE)) {
        *ret_msg = xasprintf("'%s' contains %s", k->key, bad_text_what(s, KEY_MULTILINE & k->flags));
        return -EINVAL;
    }
    if (k->max > 0 && (int64_t) strlen(s) > k->max) {
        *ret_msg = xasprintf("'%s' is longer than %" PRId64 " characters", k->key, k->max);
        return -EINVAL;
    }
    v->s = xstrdup(s);
    return 0;
}

static int vt_name(const KeyDef *k, const YNode *n, const char *s, Value *v, char **ret_msg) {
    if (strlen(s) > 64) {
        /* not echoed: the point is its length */
        *ret_msg = xasprintf("'%s' is %zu characters long; a name has at most 64", k->key,
                             strlen(s));
        return -EINVAL;
    }
    if (!valid_name(s)) {
        *ret_msg = xasprintf("'%s' must be 1 to 64 characters of letters, digits, '_', '.', "
                             "'+' and '-', not starting with '.' or '-'; got '%s'", k->key, s);
        return -EINVAL;
    }
    v->s = xstrdup(s);
    return 0;
}

static int vt_int(const KeyDef *k, const YNode *n, const char *s, Value *v, char **ret_msg) {
    int r;
    int64_t i;
    r = parse_int64(s, &i);
    if (r >= 0 && n->quoted) {
        *ret_msg = xasprintf("'%s' must be an integer, not the quoted string '%s' (write it "
                             "without quotes)", k->key, s);
        return -EINVAL;
    }
    if (r == -ERANGE) {
        *ret_msg = xasprintf("'%s' must be between %" PRId64 " and %" PRId64 ", got %s", k->key,
                             k->min, k->max, s);
        return -ERANGE;
    }
    if (r < 0) {
        *ret_msg = xasprintf("'%s' must be an integer, got '%s'", k->key, s);
        return -EINVAL;
    }
    if (i < k->min || (k->max != 0 && i > k->max)) {
        *ret_msg = xasprintf("'%s' must be between %" PRId64 " and %" PRId64 ", got %" PRId64,
                             k->key, k->min, k->max, i);
        return -ERANGE;
    }
    v->s = xasprintf("%" PRId64, i);
    return 0;
}

static int vt_bool(const KeyDef *k, const YNode *n, const char *s, Value *v, char **ret_msg) {
    bool b;
    if (parse_bool(s, &b) < 0) {
        *ret_msg = xasprintf("'%s' must be true or false, got '%s'", k->key, s);
        return -EINVAL;
    }
    if (n->quoted) {
        *ret_msg = xasprintf("'%s' must be true or false, not the quoted string '%s' (write "
                             "it without quotes)", k->key, s);
        return -EINVAL;
    }
    value_set_shared(v, b ? "true" : "false");
    return 0;
}

static int vt_size(const KeyDef *k, const YNode *n, const char *s, Value *v, char **ret_msg) {
    int r;
    int64_t b;
    r = parse_size(s, k->unit ? k->unit : 1, &b);
    if (r < 0 && s[0] == '-') {
        *ret_msg = xasprintf("'%s' cannot be negative, got '%s'", k->key, s);
        return -ERANGE;
    }
    if (r == -ERANGE) {
        *ret_msg = xasprintf("'%s' is too large: '%s'", k->key, s);
        return r;
    }
    if (r < 0) {
        *ret_msg = xasprintf("'%s' must be a size such as 512MiB, 1GiB or 10G (a plain number "
                             "counts %s), got '%s'", k->key,
                             k->unit == 1024LL * 1024 * 1024 ? "GiB"
                             : k->unit == 1024 * 1024        ? "MiB"
                             : k->unit == 1024               ? "KiB"
                                                             : "bytes", s);
        return -EINVAL;
    }
    if (b < k->min || (k->max > 0 && b > k->max)) {
        _cleanup_free_ char *lo = format_size(k->min), *hi = format_size(k->max);
        *ret_msg = xasprintf("'%s' must be between %s and %s, got '%s'", k->key, lo,
                             k->max > 0 ? hi : "unbounded", s);
        return -ERANGE;
    }
    v->s = xasprintf("%" PRId64, b);
    return 0;
}

static int vt_enum(const KeyDef *k, const YNode *n, const char *s, Value *v, char **ret_msg) {
    if (k->type == VT_ENUM_LIST && !k->choices) {
        /* a list of free strings (qemu_args, oem_strings) */
        if (!valid_utf8_text(s, false)) {
            *ret_msg = xasprintf("'%s' entries must not contain %s", k->key,
                                 bad_text_what(s, false));
            return -EINVAL;
        }
        if (!*s || (k->max > 0 && (int64_t) strlen(s) > k->max)) {
            *ret_msg = xasprintf("'%s' entries must be 1 to %" PRId64 " characters", k->key,
                                 k->max);
            return -EINVAL;
        }
        v->s = xstrdup(s);
        return 0;
    }
    for (size_t i = 0; k->choices[i]; i++)
        if (streq(k->choices[i], s)) {
            value_set_shared(v, k->choices[i]);   /* the table's static text */
            break;
        }
    if (!v->s) {
        _cleanup_free_ char *c = choices_text(k->choices);
        *ret_msg = xasprintf("'%s' must be one of %s; got '%s'", k->key, c, s);
        return -EINVAL;
    }
    return 0;
}

static int vt_mac(const KeyDef *k, const YNode *n, const char *s, Value *v, char **ret_msg) {
    int r;
    char mac[18];
    r = parse_mac(s, mac);
    if (r == -EDOM) {
        *ret_msg = xasprintf("'%s' is a multicast MAC address: '%s'", k->key, s);
        return r;
    }
    if (r < 0) {
        *ret_msg = xasprintf("'%s' must be a MAC address like 52:54:00:12:34:56, got '%s'",
                             k->key, s);
        return r;
    }
    if (streq(mac, "00:00:00:00:00:00")) {
        *ret_msg = xasprintf("'%s' is the all-zero MAC address, which no NIC has", k->key);
        return -EINVAL;
    }
    v->s = xstrdup(mac);
    return 0;
}

static int vt_ip(const KeyDef *k, const YNode *n, const char *s, Value *v, char **ret_msg) {
    int r;
    int fam, prefix;
    char *canon;
    r = parse_ip(s, k->type == VT_IP_PREFIX, &fam, &canon, &prefix);
    if (r == -ENODATA) {
        *ret_msg = xasprintf("'%s' needs a prefix length, like 10.0.0.1/24: '%s'", k->key, s);
        return -EINVAL;
    }
    if (r == -ERANGE) {
        *ret_msg = xasprintf("'%s' has a prefix length longer than an IPv4 address (32): '%s'",
                             k->key, s);
        return -EINVAL;
    }
    if (r < 0) {
        *ret_msg = xasprintf("'%s' must be an IPv4 or IPv6 address%s, got '%s'", k->key,
                             k->type == VT_IP_PREFIX ? " with prefix length" : "", s);
        return r;
    }
    if (fam == 6 && !strncasecmp(canon, "::ffff:", 7) && strchr(canon, '.')) {
        *ret_msg = xasprintf("'%s' is an IPv4-mapped IPv6 address ('%s'): write the IPv4 "
                             "address itself", k->key, s);
        free(canon);
        return -EINVAL;
    }
    v->s = canon;
    return 0;
}

static int vt_path(const KeyDef *k, const YNode *n, const char *s, Value *v, char **ret_msg) {
    if (s[0] != '/') {
        *ret_msg = xasprintf("'%s' must be an absolute path, got '%s'", k->key, s);
        return -EINVAL;
    }
    if (strlen(s) > 4095) {
        *ret_msg = xasprintf("'%s' is longer than 4095 bytes (PATH_MAX)", k->key);
        return -EINVAL;
    }
    if (!valid_utf8_text(s, false)) {
        *ret_msg = xasprintf("'%s' contains %s", k->key, bad_text_what(s, KEY_MULTILINE & k->flags));
        return -EINVAL;
    }
    v->s = xstrdup(s);
    return 0;
}

static int vt_uuid(const KeyDef *k, const YNode *n, const char *s, Value *v, char **ret_msg) {
    if (!valid_uuid(s)) {
        *ret_msg = xasprintf("'%s' must be a UUID like 3e4c7b1a-0f2d-4c55-9a1e-2b7d9c6f8e01, "
                             "got '%s'", k->key, s);
        return -EINVAL;
    }
    v->s = xstrdup(s);
    for (char *p = v->s; *p; p++)
        *p = (char) tolower((unsigned char) *p);
    return 0;
}

static int vt_devname(const KeyDef *k, const YNode *n, const char *s, Value *v, char **ret_msg) {
    size_t len = strlen(s);
    bool ok = len >= 3 && len <= 8 && (!strncmp(s, "vd", 2) || !strncmp(s, "sd", 2) ||
                                       !strncmp(s, "hd", 2) || !strncmp(s, "fd", 2));
    for (size_t i = 2; ok && i < len; i++)
        ok = islower((unsigned char) s[i]);
    if (!ok) {
        *ret_msg = xasprintf("'%s' must be a guest disk name like vda, sdb or hdc, got '%s'",
                             k->key, s);
        return -EINVAL;
    }
    v->s = xstrdup(s);
    return 0;
}

static int vt_wwn(const KeyDef *k, const YNode *n, const char *s, Value *v, char **ret_msg) {
    _cleanup_free_ char *c = wwn_canonical(s);
    if (!c) {
        *ret_msg = xasprintf("'%s' must be 16 hexadecimal digits (0x prefix allowed), got '%s'",
                             k->key, s);
        return -EINVAL;
    }
    v->s = TAKE_PTR(c);
    return 0;
}

static int (*const value_parsers[])(const KeyDef *k, const YNode *n, const char *s, Value *v,
                                     char **ret_msg) = {
    [VT_STRING] = vt_string,
    [VT_NAME] = vt_name,
    [VT_INT] = vt_int,
    [VT_BOOL] = vt_bool,
    [VT_SIZE] = vt_size,
    [VT_ENUM] = vt_enum,
    [VT_ENUM_LIST] = vt_enum,
    [VT_MAC] = vt_mac,
    [VT_IP] = vt_ip,
    [VT_IP_PREFIX] = vt_ip,
    [VT_PATH] = vt_path,
    [VT_UUID] = vt_uuid,
    [VT_DEVNAME] = vt_devname,
    [VT_WWN] = vt_wwn,
};

int value_parse(const KeyDef *k, const YNode *n, Value *v, char **ret_msg) {
    const char *s;
    int r;

    *ret_msg = NULL;
    value_clear(v);
    v->line = n->line;
    v->col = n->col;
    if (n->type != YNODE_SCALAR) {
        *ret_msg = xasprintf("'%s' must be a single value, not a %s", k->key,
                             n->type == YNODE_MAP ? "map" : "list");
        return -EINVAL;
    }
    s = n->value;

    if ((size_t) k->type >= ELEMENTSOF(value_parsers) || !value_parsers[k->type]) {
        *ret_msg = xasprintf("'%s' cannot hold a single value", k->key);
        return -EINVAL;
    }
    r = value_parsers[k->type](k, n, s, v, ret_msg);
    if (r < 0)
        return r;
    v->set = true;
    return 0;
}
