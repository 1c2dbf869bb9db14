/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "macro.h"
#include "roff.h"

/* One UTF-8 sequence at *p as \[uXXXX]; returns the bytes it took. */
static size_t put_utf8(FILE *f, const unsigned char *p) {
    unsigned cp, n;
    const unsigned char *q = p + 1;
    if (*p >= 0xf0)
        cp = *p & 0x07, n = 3;
    else if (*p >= 0xe0)
        cp = *p & 0x0f, n = 2;
    else
        cp = *p & 0x1f, n = 1;
    for (; n > 0 && (*q & 0xc0) == 0x80; n--, q++)
        cp = cp << 6 | (*q & 0x3f);
    fprintf(f, "\\[u%04X]", cp);
    return (size_t) (q - p);
}

void roff_text(FILE *f, const char *s) {
    bool line_start = true, bold = false;
    const unsigned char *p = (const unsigned char *) s;
    while (*p) {
        unsigned char c = *p;
        if (line_start && (c == '.' || c == '\''))
            fputs("\\&", f);
        line_start = false;
        if (c == '\n') {
            if (bold)
                fputs("\\fR", f), bold = false;
            fputc('\n', f);
            line_start = true;
            p++;
        } else if (c == '\\') {
            fputs("\\e", f);
            p++;
        } else if (c == '`') {
            fputs(bold ? "\\fR" : "\\fB", f);
            bold = !bold;
            p++;
        } else if (c == '-' && (p == (const unsigned char *) s || p[-1] == ' ' || p[-1] == '-' ||
                                p[-1] == '(' || p[-1] == '`' || p[-1] == '[')) {
            fputs("\\-", f);   /* an option's dashes: a minus a reader can copy */
            p++;
        } else if (c < 0x80) {
            fputc(c, f);
            p++;
        } else
            p += put_utf8(f, p);
    }
    if (bold)
        fputs("\\fR", f);
}

void roff_request(FILE *f, const char *request, const char *arg) {
    fprintf(f, ".%s", request);
    if (arg) {
        fputs(" \"", f);
        for (const unsigned char *p = (const unsigned char *) arg; *p;)
            if (*p == '"')
                fputs("\\(dq", f), p++;
            else if (*p == '\\')
                fputs("\\e", f), p++;
            else if (*p >= 0x80)
                p += put_utf8(f, p);
            else
                fputc(*p++, f);
        fputc('"', f);
    }
    fputc('\n', f);
}
