/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "macro.h"
#include "term.h"

static struct {
    bool setup, utf8, tty, color;
} term;

static const char *const glyphs[_GLYPH_MAX][2] = {
    /*                 UTF-8       ASCII */
    [GLYPH_START]    = { "▶",      ">" },
    [GLYPH_STOP]     = { "■",      "#" },
    [GLYPH_SUSPEND]  = { "‖",      "||" },
    [GLYPH_FAIL]     = { "✗",      "x" },
    [GLYPH_REPLUG]   = { "⇄",      "<>" },
    [GLYPH_ARROW]    = { "→",      "->" },
    [GLYPH_ELLIPSIS] = { "…",      "..." },
    [GLYPH_RELOAD]   = { "↻",      "@" },
    [GLYPH_UPLOAD]   = { "↑",      "^" },
    [GLYPH_FROM]     = { "←",      "<-" },
    [GLYPH_DASH]     = { "—",      "--" },
};

static const char *const colors[_TERM_COLOR_MAX] = {
    [TERM_RESET] = "\033[0m",
    [TERM_BOLD] = "\033[1m",
    [TERM_DIM] = "\033[2m",
    [TERM_RED] = "\033[31m",
    [TERM_GREEN] = "\033[32m",
    [TERM_YELLOW] = "\033[33m",
};

/* The character set of the environment's locale, without leaving LC_CTYPE changed: the rest of
 * the program (ctype, libxml2, libyaml) keeps running in the C locale it started in. */
static bool locale_utf8(void) {
    const char *cur = setlocale(LC_CTYPE, NULL);
    _cleanup_free_ char *old = cur ? strdup(cur) : NULL;
    bool utf8 = false;
    if (setlocale(LC_CTYPE, "")) {
        const char *cs = nl_langinfo(CODESET);
        utf8 = cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
    }
    setlocale(LC_CTYPE, old ? old : "C");
    return utf8;
}

void term_setup(void) {
    const char *no_color = getenv("NO_COLOR");
    const char *t = getenv("TERM");
    term.utf8 = locale_utf8();
    term.tty = isatty(STDOUT_FILENO) == 1;
    term.color = term.tty && !(no_color && *no_color) && !(t && streq(t, "dumb"));
    term.setup = true;
}

static void ensure(void) {
    if (!term.setup)
        term_setup();
}

bool term_utf8(void) {
    ensure();
    return term.utf8;
}

bool term_tty(void) {
    ensure();
    return term.tty;
}

unsigned term_columns(void) {
    struct winsize w;
    if (!term_tty() || ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) < 0)
        return 0;
    return w.ws_col;
}

const char *term_glyph(Glyph g) {
    assert(g >= 0 && g < _GLYPH_MAX);
    return glyphs[g][term_utf8() ? 0 : 1];
}

const char *term_color(TermColor c) {
    assert(c >= 0 && c < _TERM_COLOR_MAX);
    ensure();
    return term.color ? colors[c] : "";
}
