/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <locale.h>
#include <stdio.h>

#include "unit-test.h"

#include "term.h"

/* Glyphs follow the locale's character set; colour needs a terminal and no NO_COLOR. Under a test
 * runner stdout is a pipe or a file, never a terminal. */

static void with_locale(const char *lc_all) {
    setenv("LC_ALL", lc_all, 1);
    term_setup();
}

static void test_glyphs_utf8(void **state) {
    with_locale("C.UTF-8");
    assert_true(term_utf8());
    assert_string_equal(term_glyph(GLYPH_START), "▶");
    assert_string_equal(term_glyph(GLYPH_FAIL), "✗");
    assert_string_equal(term_glyph(GLYPH_REPLUG), "⇄");
    assert_string_equal(term_glyph(GLYPH_ARROW), "→");
}

static void test_glyphs_ascii(void **state) {
    with_locale("C");
    assert_false(term_utf8());
    assert_string_equal(term_glyph(GLYPH_START), ">");
    assert_string_equal(term_glyph(GLYPH_FAIL), "x");
    assert_string_equal(term_glyph(GLYPH_REPLUG), "<>");
    assert_string_equal(term_glyph(GLYPH_ARROW), "->");
    /* every glyph has a fallback, and the fallback is ASCII */
    for (Glyph g = 0; g < _GLYPH_MAX; g++)
        for (const char *p = term_glyph(g); *p; p++)
            assert_true((unsigned char)*p < 0x80);
}

static void test_locale_left_alone(void **state) {
    /* the program's own LC_CTYPE stays what it was: only the query looked at the environment */
    with_locale("C.UTF-8");
    assert_string_equal(setlocale(LC_CTYPE, NULL), "C");
}

static void test_no_color_off_terminal(void **state) {
    unsetenv("NO_COLOR");
    term_setup();
    assert_false(term_tty());   /* the runner's stdout */
    assert_string_equal(term_color(TERM_RED), "");
    assert_int_equal(term_columns(), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_glyphs_utf8),
        cmocka_unit_test(test_glyphs_ascii),
        cmocka_unit_test(test_locale_left_alone),
        cmocka_unit_test(test_no_color_off_terminal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
