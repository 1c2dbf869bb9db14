/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: bytes → spec_load_buffer (YAML reader, key tables, values, cross-field checks,
 * defaults) → render_spec of every resulting spec → XML text, then everything is freed.
 * Diagnostics are sorted and formatted too (to /dev/null). Inputs above FUZZ_MAX_INPUT are
 * skipped. Corpus: tests/fuzz/spec/.
 *
 * Two properties are checked (abort() when broken): a rendered spec diffs against itself with no
 * change, and so does its XML text parsed back (what libvirt stores is what was rendered). */
#include <libxml/parser.h>
#include <stdio.h>

#include "diag.h"
#include "diff.h"
#include "fuzz.h"
#include "render.h"
#include "spec.h"
#include "xml-util.h"

static FILE *devnull;

static void quiet(void *ctx, const char *msg, ...) {
}

static void expect_in_sync(const Spec *s, xmlDoc *want, xmlDoc *have, const char *what) {
    _cleanup_free_ char *managed = observe_managed(want);
    Diff d;
    diff_compute(s->kind, want, have, managed, &d);
    if (diff_count_effective(&d) > 0) {
        fprintf(stderr, "%s %s: %s is not in sync with its rendering:\n",
                spec_kind_to_string(s->kind), s->name, what);
        for (size_t i = 0; i < d.n; i++)
            fprintf(stderr, "  op %d %s: %s -> %s\n", d.items[i].op, d.items[i].path,
                    strna(d.items[i].old_value), strna(d.items[i].new_value));
        abort();
    }
    diff_clear(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > FUZZ_MAX_INPUT)
        return 0;
    if (!devnull) {
        devnull = fopen("/dev/null", "we");
        xmlSetGenericErrorFunc(NULL, quiet);
    }

    SpecSet set = {};
    spec_load_buffer(&set, "fuzz.yaml", (const char *) data, size);
    spec_set_verify(&set);   /* duplicates within the file */
    diag_list_sort(&set.diags);
    if (devnull)
        diag_list_print(&set.diags, devnull);

    for (size_t i = 0; i < set.n; i++) {
        const Spec *s = set.specs[i];
        /* both renderings a host can ask for: domain_type auto, secrets masked or shown */
        RenderOpts o = { .host_kvm = (size & 1) != 0, .show_secrets = (size & 2) != 0 };
        xmlDoc *doc = NULL;
        if (render_spec(s, &o, &doc) < 0 || !doc)
            continue;
        free(render_managed_keys(s));
        free(render_hash(doc));
        expect_in_sync(s, doc, doc, "the rendering itself");
        char *text = xml_to_string(doc);
        xmlDoc *back = xml_parse(text);
        if (!back) {
            fprintf(stderr, "%s %s: rendered XML does not parse:\n%s", spec_kind_to_string(s->kind),
                    s->name, text);
            abort();
        }
        expect_in_sync(s, doc, back, "the rendering parsed back");
        xmlFreeDoc(back);
        free(text);
        xmlFreeDoc(doc);
    }
    spec_set_clear(&set);
    return 0;
}
