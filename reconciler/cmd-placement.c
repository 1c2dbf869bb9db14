/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"
#include "placement.h"
#include "spec-value.h"
#include "term.h"

/* `virtspec placement`: the answer of specs/placement.c, spec by spec, with each other host's
 * reason (docs/fleet.md). Reads the tree only: the share every host computes from the repository. */

static void print_reason(const PlacementSet *ps, const Placement *p, size_t h) {
    const HostSpec *host = ps->hosts[h];
    const PlacementSpec *pl = spec_placement(p->spec);
    printf("  %s: %s", host->name.s, place_why_to_string(p->why[h]));
    if (p->why[h] == PLACE_LABELS)
        printf(" (no %s)", placement_label_missing(host, &pl->match));
    else if (p->why[h] == PLACE_NOT_NAMED)
        printf(" (placement.host: %s)", pl->host.s);
    else if (p->why[h] == PLACE_MEMORY) {
        _cleanup_free_ char *need = format_size(value_int(&p->spec->domain.memory));
        _cleanup_free_ char *left = format_size(p->free_memory[h]);
        printf(" (needs %s, %s left)", need, left);
    } else if (p->why[h] == PLACE_VCPUS)
        printf(" (needs %" PRId64 ", %" PRId64 " left)", value_int(&p->spec->domain.cpus), p->free_vcpus[h]);
    else if (p->why[h] == PLACE_RANK || p->why[h] == PLACE_CHOSEN)
        printf(" (score %016" PRIx64 ")",
               placement_score(p->spec->kind, p->spec->name, host->name.s));
    putchar('\n');
}

int cmd_placement(const CliOpts *o) {
    _cleanup_(spec_set_clear) SpecSet set = {};
    CliOpts all = *o;
    all.host = NULL;   /* the whole tree: --host selects what is printed */
    size_t errors = cli_load_specs(&all, &set);
    if (o->host && !spec_set_find_host(&set, o->host)) {
        fprintf(stderr, "virtspec: --host %s: no `kind: Host` document of the tree names it\n", o->host);
        return 1;
    }
    PlacementSet ps = {};
    DiagList d = {};
    placement_compute(&set, NULL, 0, &ps, &d);   /* what cli_load_specs reported, again */
    diag_list_clear(&d);
    for (size_t i = 0; i < ps.n; i++) {
        const Placement *p = &ps.items[i];
        if (o->host && !placement_on_host(&ps, p, o->host))
            continue;
        printf("%s %s (%s:%u) ", spec_kind_to_string(p->spec->kind), p->spec->name, p->spec->file,
               p->spec->line);
        if (p->everywhere) {
            printf("%s every host\n", term_glyph(GLYPH_ARROW));
            continue;
        }
        printf("%s %s%s\n", term_glyph(GLYPH_ARROW), ps.hosts[p->host]->name.s,
               p->sticky ? " (sticky)" : "");
        for (size_t h = 0; h < ps.n_hosts; h++)
            if ((ssize_t) h != p->host)
                print_reason(&ps, p, h);
    }
    placement_set_clear(&ps);
    return errors > 0 ? 1 : 0;
}
