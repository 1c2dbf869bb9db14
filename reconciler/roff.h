/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

/* Text for a manual page (man(7) macros): backslashes, a leading dot or quote, option dashes and
 * every non-ASCII character escaped (as \[uXXXX], so groff needs no preconv); `code` spans of the
 * Markdown the tables are written in become bold. Newlines stay line breaks of the input. */
void roff_text(FILE *f, const char *s);
/* A request line: ".SH NAME" — roff_request(f, "SH", "NAME"); arg NULL: none. */
void roff_request(FILE *f, const char *request, const char *arg);
