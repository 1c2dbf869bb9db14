/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "config.h"
#include "cli.h"
#include "render.h"
#include "xml-util.h"

size_t cli_load_specs(const CliOpts *o, SpecSet *set) {
    char *def[] = { (char *) VIRTSPEC_SPEC_DIR };
    char *const *paths = o->n_paths ? o->paths : def;
    size_t n = o->n_paths ? o->n_paths : 1;

    spec_load_paths(set, paths, n);
    spec_set_derive(set);
    diag_list_sort(&set->diags);
    diag_list_print(&set->diags, stderr);
    return set->diags.n_errors;
}

/* Files with at least one error (the list is sorted by file); a path that could not be read
 * counts too. */
static size_t files_with_errors(const DiagList *l) {
    size_t n = 0;
    const char *last = NULL;
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].level == DIAG_ERROR && !streq_ptr(last, l->items[i].file)) {
            n++;
            last = l->items[i].file;
        }
    return n;
}

/* The files looked at: those read, and paths that could not be (a dangling link, a missing
 * file: "1 error in 1 of 0 files" said otherwise). */
static size_t files_total(const SpecSet *set) {
    size_t n = set->n_files;
    const char *last = NULL;
    for (size_t i = 0; i < set->diags.n; i++) {
        const char *f = set->diags.items[i].file;
        if (streq_ptr(last, f))
            continue;
        last = f;
        bool known = false;
        for (size_t j = 0; j < set->n_files && !known; j++)
            known = streq(set->files[j], f);
        n += !known;
    }
    return n;
}

int cmd_validate(const CliOpts *o) {
    _cleanup_(spec_set_clear) SpecSet set = {};
    size_t errors = cli_load_specs(o, &set);

    if (errors > 0) {
        fprintf(stderr, "%zu error%s in %zu of %zu file%s\n", errors, errors == 1 ? "" : "s",
                files_with_errors(&set.diags), files_total(&set), files_total(&set) == 1 ? "" : "s");
        return 1;
    }
    printf("%zu spec%s in %zu file%s: valid\n", set.n, set.n == 1 ? "" : "s", set.n_files,
           set.n_files == 1 ? "" : "s");
    return 0;
}

int cmd_render(const CliOpts *o) {
    _cleanup_(spec_set_clear) SpecSet set = {};
    size_t errors = cli_load_specs(o, &set);
    RenderOpts ro = {
        .host_kvm = o->host_kvm >= 0 ? o->host_kvm : host_has_kvm(),
        .show_secrets = o->show_secrets,
    };

    for (size_t i = 0; i < set.n; i++) {
        const Spec *s = set.specs[i];
        _cleanup_(xmlFreeDocp) xmlDoc *doc = NULL;
        if (render_spec(s, &ro, &doc) < 0)
            return 1;
        render_strip_private(s->kind, doc);
        _cleanup_free_ char *text = xml_to_string(doc);
        printf("<!-- %s %s (%s:%u) -->\n%s", spec_kind_to_string(s->kind), s->name, s->file,
               s->line, text);
    }
    return errors > 0 ? 1 : 0;
}
