/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdio.h>

/* How output reaches a person: glyphs in UTF-8 or their ASCII fallback, chosen by the character
 * set of the locale (LC_ALL, LC_CTYPE, LANG), and colour only on a terminal, never with NO_COLOR
 * set (https://no-color.org) or TERM=dumb. Decided once, by term_setup, from main. */

typedef enum Glyph {
    GLYPH_START,    /* ▶  >  */
    GLYPH_STOP,     /* ■  #  */
    GLYPH_SUSPEND,  /* ‖  || */
    GLYPH_FAIL,     /* ✗  x  */
    GLYPH_REPLUG,   /* ⇄  <> */
    GLYPH_ARROW,    /* →  -> */
    GLYPH_ELLIPSIS, /* …  ...*/
    GLYPH_RELOAD,   /* ↻  @  */
    GLYPH_UPLOAD,   /* ↑  ^  */
    GLYPH_FROM,     /* ←  <- */
    GLYPH_DASH,     /* —  -- */
    _GLYPH_MAX,
} Glyph;

typedef enum TermColor {
    TERM_RESET,
    TERM_BOLD,
    TERM_DIM,
    TERM_RED,
    TERM_GREEN,
    TERM_YELLOW,
    _TERM_COLOR_MAX,
} TermColor;

/* Reads the environment and whether stdout is a terminal. Safe to call again (tests). */
void term_setup(void);
/* The locale's character set is UTF-8. */
bool term_utf8(void);
/* stdout is a terminal (progress lines that rewrite themselves, tables sized to its width). */
bool term_tty(void);
/* Columns of the terminal on stdout, 0 when it is none. */
unsigned term_columns(void);
const char *term_glyph(Glyph g);
/* The escape sequence for c, or "" when colour is off. */
const char *term_color(TermColor c);
