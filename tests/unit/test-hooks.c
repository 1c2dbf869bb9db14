/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "unit-test.h"

#include "hooks.h"
#include "spec-table.h"

/* reconciler/hooks.c: one entry per hook. A hook without an entry (or one side of it) would be
 * rendered or read as a plain row without a word: every hook a row can name has a writer, and a
 * reader or the explicit HOOK_READS_PLAIN, never both. */

static void test_every_hook_has_both_directions(void **state) {
    for (XmlHook h = HOOK_NONE + 1; h < _HOOK_MAX; h++) {
        const HookOps *o = &hook_ops[h];
        if (!o->render || !o->observe == !(o->flags & HOOK_READS_PLAIN))
            fprintf(stderr, "hook %d: render %p, observe %p, flags %#x\n", (int) h,
                    (void *) o->render, (void *) o->observe, o->flags);
        assert_non_null(o->render);
        assert_true(!o->observe != !(o->flags & HOOK_READS_PLAIN));
        /* a reader of the row's own path is a reader */
        if (o->flags & HOOK_READS_PATH)
            assert_non_null(o->observe);
        /* a patch unit without a patch function is replaced as an element: either alone */
        if (o->also)
            assert_null(o->patch);
    }
    /* HOOK_NONE: the rows without a hook, read and written by the walkers alone */
    assert_null(hook_ops[HOOK_NONE].render);
    assert_null(hook_ops[HOOK_NONE].observe);
}

/* Every row's hook is one the table has; used[h]: a row names hook h. */
static void check_rows(const KeyTable *t, bool *used) {
    for (size_t i = 0; i < t->n_keys; i++) {
        const KeyDef *k = &t->keys[i];
        assert_true(k->hook < _HOOK_MAX);
        used[k->hook] = true;
        if (k->hook != HOOK_NONE && k->type == VT_LIST && !(k->flags & KEY_WHOLE))
            assert_false(hook_ops[k->hook].flags & HOOK_RENDERS_LIST);   /* items are matched */
        if (k->sub)
            check_rows(k->sub, used);
    }
}

static void test_rows_name_known_hooks(void **state) {
    bool used[_HOOK_MAX] = {};
    for (SpecKind kind = 0; kind < _KIND_MAX; kind++)
        check_rows(spec_kind_table(kind), used);
    /* and every hook is named by a row: a hook no row names is dead code in hook_ops */
    for (XmlHook h = HOOK_NONE + 1; h < _HOOK_MAX; h++) {
        if (!used[h])
            fprintf(stderr, "hook %d: no row names it\n", (int) h);
        assert_true(used[h]);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_hook_has_both_directions),
        cmocka_unit_test(test_rows_name_known_hooks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
