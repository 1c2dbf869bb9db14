/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "progress.h"
#include "status-table.h"

enum { C_KIND, C_NAME, C_STATE, C_ADDR, C_CHANGED, N_COLS };

static const char *const headers[N_COLS] = { "KIND", "NAME", "STATE", "ADDRESSES", "CHANGED" };
/* the narrowest NAME and ADDRESSES shrink to */
static const size_t min_width[N_COLS] = { [C_NAME] = 8, [C_ADDR] = 9 };

typedef struct Row {
    char *cell[N_COLS];
    char *detail;       /* the line under the row, or NULL */
} Row;

/* Columns a string takes: its UTF-8 characters (the names and glyphs here are not wide). */
static size_t width(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char) *s & 0xc0) != 0x80;
    return n;
}

/* The first w columns of s, the last ones the ellipsis when s is wider. */
static char *fit(const char *s, size_t w, const char *ellipsis) {
    if (width(s) <= w)
        return xstrdup(s);
    size_t ew = width(ellipsis), keep = w > ew ? w - ew : 0, n = 0;
    const char *p = s;
    for (; *p; p++) {
        if (((unsigned char) *p & 0xc0) != 0x80 && n++ == keep)
            break;
    }
    return xasprintf("%.*s%s", (int) (p - s), s, w > ew ? ellipsis : "");
}

static const char *str(json_object *o, const char *key) {
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
        ? json_object_get_string(v) : NULL;
}

static time_t parse_time(const char *s) {
    struct tm tm = {};
    if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return 0;
    return timegm(&tm);
}

char *status_age(char *buf, size_t n, time_t then, time_t now) {
    long d = then == 0 ? -1 : now > then ? (long) (now - then) : 0;
    if (d < 0)
        snprintf(buf, n, "-");
    else if (d < 60)
        snprintf(buf, n, "%ld s ago", d);
    else if (d < 3600)
        snprintf(buf, n, "%ld min ago", d / 60);
    else if (d < 2 * 86400)
        snprintf(buf, n, "%ld h ago", d / 3600);
    else
        snprintf(buf, n, "%ld days ago", d / 86400);
    return buf;
}

/* The strings of an array joined by sep; NULL when it is empty or missing. */
static char *join(json_object *o, const char *key, const char *sep) {
    json_object *a;
    if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array) ||
        json_object_array_length(a) == 0)
        return NULL;
    char *s = NULL;
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        const char *v = json_object_get_string(json_object_array_get_idx(a, i));
        char *t = xasprintf("%s%s%s", s ? s : "", s ? sep : "", strna(v));
        free(s);
        s = t;
    }
    return s;
}

static void add_detail(char **d, const char *what, const char *text) {
    if (!text)
        return;
    char *t = xasprintf("%s%s%s%s", *d ? *d : "", *d ? "; " : "", what, text);
    free(*d);
    *d = t;
}

static uint64_t u64(json_object *o, const char *key) {
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_int)
        ? (uint64_t) json_object_get_int64(v) : 0;
}

/* "fetching URL: 3.0 MiB of 16.0 MiB (18%), 1.2 MiB/s, ETA 00:11" ("…: 3.0 MiB, 1.2 MiB/s" when
 * the size is unknown) */
static char *fetching_line(json_object *f) {
    char d[32], r[32];
    uint64_t done = u64(f, "done"), total = u64(f, "total"), rate = u64(f, "rate");
    _cleanup_free_ char *what = xasprintf("fetching %s", strna(str(f, "url")));
    if (total)
        return progress_line(what, done, total, rate ? (double) done / (double) rate : 0);
    return xasprintf("%s: %s, %s%s", what, progress_bytes(d, sizeof(d), done),
                     rate ? progress_bytes(r, sizeof(r), rate) : "-", rate ? "/s" : "");
}

static void object_row(Row *r, json_object *o, time_t now) {
    char age[32];
    const char *state = strna(str(o, "state"));
    _cleanup_free_ char *addr = join(o, "addresses", ", ");
    _cleanup_free_ char *fields = join(o, "fields", ", "), *pending = join(o, "reload_pending", ", ");
    json_object *v;
    r->cell[C_KIND] = xstrdup(strna(str(o, "kind")));
    r->cell[C_NAME] = xstrdup(strna(str(o, "name")));
    r->cell[C_STATE] = xstrdup(state);
    r->cell[C_ADDR] = xstrdup(addr ? addr : "-");
    r->cell[C_CHANGED] = xstrdup(status_age(age, sizeof(age), parse_time(str(o, "last_action_time")), now));
    if (!streq(state, "in-sync") && !streq(state, "reload-pending"))
        add_detail(&r->detail, "fields: ", fields);
    add_detail(&r->detail, "pending: ", pending);
    if (streq(state, "orphaned"))
        add_detail(&r->detail, "", "owned by virtspec, no spec names it; apply --prune would undefine it");
    add_detail(&r->detail, "", str(o, "error"));
    add_detail(&r->detail, "spec: ", str(o, "spec_error"));
    if (json_object_object_get_ex(o, "reconciling", &v) && json_object_get_boolean(v))
        add_detail(&r->detail, "", "reconciling now");
    if (json_object_object_get_ex(o, "fetching", &v) && json_object_is_type(v, json_type_object)) {
        _cleanup_free_ char *line = fetching_line(v);
        free(r->cell[C_STATE]);
        r->cell[C_STATE] = xstrdup("fetching");
        add_detail(&r->detail, "", line);
    }
}

/* A rejected spec file: its first error. */
static void file_row(Row *r, const char *file, const char *message) {
    r->cell[C_KIND] = xstrdup("file");
    r->cell[C_NAME] = xstrdup(file);
    r->cell[C_STATE] = xstrdup("failed");
    r->cell[C_ADDR] = xstrdup("-");
    r->cell[C_CHANGED] = xstrdup("-");
    add_detail(&r->detail, "", message);
}

static TermColor state_color(const char *state) {
    return streq(state, "in-sync") ? TERM_GREEN
         : streq(state, "failed") || streq(state, "foreign-conflict") ? TERM_RED : TERM_YELLOW;
}

/* Shrinks NAME and ADDRESSES, the wider first, until the row fits in columns. */
static void fit_widths(size_t w[N_COLS], unsigned columns) {
    size_t total = 2 * (N_COLS - 1);
    for (int c = 0; c < N_COLS; c++)
        total += w[c];
    while (columns > 0 && total > columns) {
        size_t slack_name = w[C_NAME] > min_width[C_NAME] ? w[C_NAME] - min_width[C_NAME] : 0,
               slack_addr = w[C_ADDR] > min_width[C_ADDR] ? w[C_ADDR] - min_width[C_ADDR] : 0;
        if (slack_name == 0 && slack_addr == 0)
            break;
        w[slack_name >= slack_addr ? C_NAME : C_ADDR]--;
        total--;
    }
}

char *status_table_format(json_object *root, const StatusTableStyle *s) {
    json_object *objs = NULL, *errs = NULL, *pid;
    size_t n_rows = 0, len = 0;
    char *out = NULL;
    FILE *f = open_memstream(&out, &len);
    if (!f)
        abort();
    json_object_object_get_ex(root, "objects", &objs);
    json_object_object_get_ex(root, "spec_errors", &errs);
    size_t n_objs = objs ? json_object_array_length(objs) : 0, n_errs = errs ? json_object_array_length(errs) : 0;
    Row *rows = xmalloc0((n_objs + n_errs + 1) * sizeof(Row));
    for (size_t i = 0; i < n_objs; i++)
        object_row(&rows[n_rows++], json_object_array_get_idx(objs, i), s->now);
    for (size_t i = 0; i < n_errs; i++) {
        json_object *e = json_object_array_get_idx(errs, i);
        const char *file = str(e, "file");
        bool seen = false;
        if (!file || !streq_ptr(str(e, "level"), "error"))
            continue;
        for (size_t k = n_objs; k < n_rows && !seen; k++)
            seen = streq(rows[k].cell[C_NAME], file);
        if (!seen)
            file_row(&rows[n_rows++], file, str(e, "message"));
    }

    size_t w[N_COLS];
    for (int c = 0; c < N_COLS; c++) {
        w[c] = width(headers[c]);
        for (size_t i = 0; i < n_rows; i++)
            if (width(rows[i].cell[c]) > w[c])
                w[c] = width(rows[i].cell[c]);
    }
    fit_widths(w, s->columns);
    for (size_t i = 0; i <= n_rows; i++) {
        for (int c = 0; c < N_COLS; c++) {
            const char *text = i == 0 ? headers[c] : rows[i - 1].cell[c];
            _cleanup_free_ char *cell = fit(text, w[c], s->ellipsis);
            bool colored = i > 0 && c == C_STATE;
            size_t pad = c == N_COLS - 1 ? 0 : w[c] - width(cell) + 2;
            fprintf(f, "%s%s%s%*s", colored ? s->color(state_color(text)) : "", cell,
                   colored ? s->color(TERM_RESET) : "", (int) pad, "");
        }
        fprintf(f, "\n");
        if (i > 0 && rows[i - 1].detail)
            fprintf(f, "%*s%s\n", (int) (w[C_KIND] + 2), "", rows[i - 1].detail);
    }
    /* the daemon's summary (one-shot's counts are the rows just printed) */
    const char *summary = str(root, "summary");
    if (summary && *summary && streq_ptr(str(root, "source"), "daemon") &&
        json_object_object_get_ex(root, "pid", &pid))
        fprintf(f, "\ndaemon (pid %d): %s\n", json_object_get_int(pid), summary);
    for (size_t i = 0; i < n_rows; i++) {
        for (int c = 0; c < N_COLS; c++)
            free(rows[i].cell[c]);
        free(rows[i].detail);
    }
    free(rows);
    fclose(f);
    return out;
}

void status_table_print(json_object *root) {
    StatusTableStyle s = {
        .columns = term_columns(), .color = term_color, .ellipsis = term_glyph(GLYPH_ELLIPSIS),
        .now = time(NULL),
    };
    _cleanup_free_ char *text = status_table_format(root, &s);
    fputs(text, stdout);
}
