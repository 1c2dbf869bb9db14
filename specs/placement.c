/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <inttypes.h>

#include "placement.h"
#include "spec-origin.h"
#include "spec-table.h"
#include "spec-value.h"
#include "util.h"

/* Placement: the rules are in include/placement.h and docs/fleet.md. */

static const char *const why_names[_PLACE_WHY_MAX] = {
    [PLACE_CHOSEN] = "chosen",
    [PLACE_RANK] = "lower rank",
    [PLACE_SPREAD] = "more of the spread group",
    [PLACE_STICKY] = "runs elsewhere (sticky)",
    [PLACE_NOT_NAMED] = "not the named host",
    [PLACE_LABELS] = "label mismatch",
    [PLACE_MAINTENANCE] = "maintenance",
    [PLACE_LOST] = "lost",
    [PLACE_MEMORY] = "capacity: memory",
    [PLACE_VCPUS] = "capacity: vcpus",
};

const char *place_why_to_string(PlaceWhy w) {
    return w >= 0 && w < _PLACE_WHY_MAX ? why_names[w] : NULL;
}

uint64_t placement_score(SpecKind kind, const char *name, const char *host) {
    uint64_t h = hash_cstr(spec_kind_to_string(kind), FNV1A_INIT);
    h = hash_cstr(name, h);
    h = hash_cstr(host, h);
    /* SplitMix64's finalizer */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

const PlacementSpec *spec_placement(const Spec *s) {
    const KeyDef *k = key_table_find(spec_kind_table(s->kind), "placement");
    assert(k && k->type == VT_MAP);
    return (const PlacementSpec *) ((const char *) &s->domain + k->offset);
}

const char *placement_label_missing(const HostSpec *h, const List *match) {
    for (size_t i = 0; i < match->n; i++) {
        const char *want = ((const Value *) match->items)[i].s;
        bool found = false;
        for (size_t j = 0; j < h->labels.n && !found; j++)
            found = streq(((const Value *) h->labels.items)[j].s, want);
        if (!found)
            return want;
    }
    return NULL;
}

static int host_cmp(const void *a, const void *b) {
    const HostSpec *x = *(const HostSpec *const *) a, *y = *(const HostSpec *const *) b;
    return strcmp(x->name.s, y->name.s);
}

static int item_cmp(const void *a, const void *b) {
    const Spec *x = ((const Placement *) a)->spec, *y = ((const Placement *) b)->spec;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* What a spec uses of a host's capacity. */
static int64_t spec_memory(const Spec *s) {
    return s->kind == KIND_DOMAIN && s->domain.memory.set ? value_int(&s->domain.memory) : 0;
}

static int64_t spec_vcpus(const Spec *s) {
    return s->kind == KIND_DOMAIN && s->domain.cpus.set ? value_int(&s->domain.cpus) : 0;
}

typedef struct Load {
    int64_t memory, vcpus;
    size_t *groups;         /* members per spread group name (index into group names) */
} Load;

typedef struct Ctx {
    PlacementSet *ps;
    Load *load;             /* per host */
    char **groups;          /* spread group names seen */
    size_t n_groups;
} Ctx;

static size_t group_index(Ctx *c, const char *name) {
    for (size_t i = 0; i < c->n_groups; i++)
        if (streq(c->groups[i], name))
            return i;
    *(char **) array_push(&c->groups, &c->n_groups, sizeof(char *)) = xstrdup(name);
    for (size_t h = 0; h < c->ps->n_hosts; h++) {
        size_t n = c->n_groups - 1;
        *(size_t *) array_push(&c->load[h].groups, &n, sizeof(size_t)) = 0;
    }
    return c->n_groups - 1;
}

/* Why host h cannot take p now (PLACE_CHOSEN: it can); fills p's free_* for h. */
static PlaceWhy host_filter(Ctx *c, Placement *p, size_t h) {
    const HostSpec *host = c->ps->hosts[h];
    const PlacementSpec *pl = spec_placement(p->spec);
    const Load *l = &c->load[h];
    p->free_memory[h] = host->capacity.memory.set ? value_int(&host->capacity.memory) - l->memory : -1;
    p->free_vcpus[h] = host->capacity.vcpus.set ? value_int(&host->capacity.vcpus) - l->vcpus : -1;
    if (pl->host.set && !streq(pl->host.s, host->name.s))
        return PLACE_NOT_NAMED;
    if (placement_label_missing(host, &pl->match))
        return PLACE_LABELS;
    if (value_int(&host->maintenance))
        return PLACE_MAINTENANCE;
    if (value_int(&host->lost))
        return PLACE_LOST;
    if (p->free_memory[h] >= 0 && spec_memory(p->spec) > p->free_memory[h])
        return PLACE_MEMORY;
    if (p->free_vcpus[h] >= 0 && spec_vcpus(p->spec) > p->free_vcpus[h])
        return PLACE_VCPUS;
    return PLACE_CHOSEN;
}

bool placement_host_accepts(const Spec *s, const HostSpec *host) {
    const PlacementSpec *pl = spec_placement(s);
    return !(pl->host.set && !streq(pl->host.s, host->name.s)) &&
           !placement_label_missing(host, &pl->match) && !value_int(&host->maintenance) && !value_int(&host->lost);
}

static void place_on(Ctx *c, Placement *p, size_t h) {
    const PlacementSpec *pl = spec_placement(p->spec);
    p->host = (ssize_t) h;
    c->load[h].memory += spec_memory(p->spec);
    c->load[h].vcpus += spec_vcpus(p->spec);
    if (pl->spread.set) {
        size_t g = group_index(c, pl->spread.s);   /* first: it may grow the arrays */
        c->load[h].groups[g]++;
    }
}

/* The observed host of p (the smallest name when it is seen on several), or -1. */
static ssize_t observed_host(const PlacementSet *ps, const Placement *p, const PlaceObserved *obs,
                             size_t n_obs) {
    ssize_t best = -1;
    for (size_t i = 0; i < n_obs; i++) {
        if (obs[i].kind != p->spec->kind || !streq(obs[i].name, p->spec->name))
            continue;
        for (size_t h = 0; h < ps->n_hosts; h++)
            if (streq(ps->hosts[h]->name.s, obs[i].host) && (best < 0 || (ssize_t) h < best))
                best = (ssize_t) h;
    }
    return best;
}

static void place_sticky(Ctx *c, Placement *p, const PlaceObserved *obs, size_t n_obs) {
    ssize_t h = observed_host(c->ps, p, obs, n_obs);
    if (h < 0 || host_filter(c, p, (size_t) h) != PLACE_CHOSEN)
        return;
    for (size_t o = 0; o < c->ps->n_hosts; o++) {
        PlaceWhy w = host_filter(c, p, o);
        p->why[o] = (ssize_t) o == h ? PLACE_CHOSEN : w == PLACE_CHOSEN ? PLACE_STICKY : w;
    }
    p->sticky = true;
    place_on(c, p, (size_t) h);
}

static size_t group_count(Ctx *c, const Placement *p, size_t h) {
    const PlacementSpec *pl = spec_placement(p->spec);
    if (!pl->spread.set)
        return 0;
    size_t g = group_index(c, pl->spread.s);   /* first: it may grow the arrays */
    return c->load[h].groups[g];
}

/* Whether candidate a ranks before candidate b for p. */
static bool ranks_before(Ctx *c, const Placement *p, size_t a, size_t b) {
    size_t ga = group_count(c, p, a), gb = group_count(c, p, b);
    if (ga != gb)
        return ga < gb;
    uint64_t sa = placement_score(p->spec->kind, p->spec->name, c->ps->hosts[a]->name.s);
    uint64_t sb = placement_score(p->spec->kind, p->spec->name, c->ps->hosts[b]->name.s);
    if (sa != sb)
        return sa > sb;
    return a < b;   /* hosts are sorted by name */
}

static void report_unplaceable(Ctx *c, const Placement *p, DiagList *diags) {
    const PlacementSpec *pl = spec_placement(p->spec);
    const Spec *s = p->spec;
    Buf b = {};
    for (size_t h = 0; h < c->ps->n_hosts; h++) {
        const HostSpec *host = c->ps->hosts[h];
        buf_printf(&b, "%s%s: %s", h ? "; " : "", host->name.s, place_why_to_string(p->why[h]));
        if (p->why[h] == PLACE_LABELS)
            buf_printf(&b, " (no %s)", placement_label_missing(host, &pl->match));
        else if (p->why[h] == PLACE_MEMORY) {
            _cleanup_free_ char *need = format_size(spec_memory(s)), *left = format_size(p->free_memory[h]);
            buf_printf(&b, " (needs %s, %s left)", need, left);
        } else if (p->why[h] == PLACE_VCPUS)
            buf_printf(&b, " (needs %" PRId64 ", %" PRId64 " left)", spec_vcpus(s), p->free_vcpus[h]);
    }
    unsigned line = pl->present.set ? pl->present.line : s->line;
    unsigned col = pl->present.set ? pl->present.col : s->col;
    bool named_known = false;
    for (size_t h = 0; pl->host.set && h < c->ps->n_hosts; h++)
        named_known = named_known || streq(c->ps->hosts[h]->name.s, pl->host.s);
    if (c->ps->n_hosts == 0)
        diag_add(diags, DIAG_ERROR, s->file, line, col,
                 "%s '%s' has a placement, but the tree has no `kind: Host` document",
                 spec_kind_to_string(s->kind), s->name);
    else if (pl->host.set && !named_known)
        diag_add(diags, DIAG_ERROR, s->file, pl->host.line, pl->host.col,
                 "placement names host '%s', which no `kind: Host` document defines", pl->host.s);
    else
        diag_add(diags, DIAG_ERROR, s->file, line, col, "no host can take %s '%s': %s",
                 spec_kind_to_string(s->kind), s->name, b.p);
    free(b.p);
}

static void place_ranked(Ctx *c, Placement *p, DiagList *diags, size_t *n_bad) {
    ssize_t best = -1;
    for (size_t h = 0; h < c->ps->n_hosts; h++) {
        p->why[h] = host_filter(c, p, h);
        if (p->why[h] == PLACE_CHOSEN && (best < 0 || ranks_before(c, p, h, (size_t) best)))
            best = (ssize_t) h;
    }
    if (best < 0) {
        report_unplaceable(c, p, diags);
        (*n_bad)++;
        return;
    }
    for (size_t h = 0; h < c->ps->n_hosts; h++)
        if (p->why[h] == PLACE_CHOSEN && (ssize_t) h != best)
            p->why[h] = group_count(c, p, h) > group_count(c, p, (size_t) best) ? PLACE_SPREAD
                                                                                : PLACE_RANK;
    place_on(c, p, (size_t) best);
}

size_t placement_compute(const SpecSet *set, const PlaceObserved *obs, size_t n_obs,
                         PlacementSet *ret, DiagList *diags) {
    PlacementSet *ps = ret;
    size_t n_bad = 0;
    *ps = (PlacementSet) {};
    ps->n_hosts = set->n_hosts;
    ps->hosts = xmalloc0((set->n_hosts + 1) * sizeof(HostSpec *));
    for (size_t i = 0; i < set->n_hosts; i++)
        ps->hosts[i] = set->hosts[i];
    qsort(ps->hosts, ps->n_hosts, sizeof(HostSpec *), host_cmp);
    ps->n = set->n;
    ps->items = xmalloc0((set->n + 1) * sizeof(Placement));
    for (size_t i = 0; i < set->n; i++) {
        Placement *p = &ps->items[i];
        p->spec = set->specs[i];
        p->host = -1;
        p->everywhere = !spec_placement(p->spec)->present.set &&
                        (p->spec->kind != KIND_DOMAIN || ps->n_hosts == 0);
        if (!p->everywhere) {
            p->why = xmalloc0((ps->n_hosts + 1) * sizeof(PlaceWhy));
            p->free_memory = xmalloc0((ps->n_hosts + 1) * sizeof(int64_t));
            p->free_vcpus = xmalloc0((ps->n_hosts + 1) * sizeof(int64_t));
        }
    }
    qsort(ps->items, ps->n, sizeof(Placement), item_cmp);

    Ctx c = { .ps = ps, .load = xmalloc0((ps->n_hosts + 1) * sizeof(Load)) };
    for (size_t i = 0; i < ps->n; i++)
        if (!ps->items[i].everywhere)
            place_sticky(&c, &ps->items[i], obs, n_obs);
    for (size_t i = 0; i < ps->n; i++)
        if (!ps->items[i].everywhere && !ps->items[i].sticky)
            place_ranked(&c, &ps->items[i], diags, &n_bad);
    for (size_t h = 0; h < ps->n_hosts; h++)
        free(c.load[h].groups);
    free(c.load);
    for (size_t g = 0; g < c.n_groups; g++)
        free(c.groups[g]);
    free(c.groups);
    return n_bad;
}

void placement_set_clear(PlacementSet *p) {
    for (size_t i = 0; i < p->n; i++) {
        free(p->items[i].why);
        free(p->items[i].free_memory);
        free(p->items[i].free_vcpus);
    }
    free(p->items);
    free(p->hosts);
    *p = (PlacementSet) {};
}

const Placement *placement_find(const PlacementSet *p, SpecKind kind, const char *name) {
    for (size_t i = 0; i < p->n; i++)
        if (p->items[i].spec->kind == kind && streq(p->items[i].spec->name, name))
            return &p->items[i];
    return NULL;
}

bool placement_on_host(const PlacementSet *ps, const Placement *p, const char *host) {
    if (p->everywhere)
        return true;
    return p->host >= 0 && streq(ps->hosts[p->host]->name.s, host);
}

bool placement_in_use(const SpecSet *set) {
    if (set->n_hosts > 0)
        return true;
    for (size_t i = 0; i < set->n; i++)
        if (spec_placement(set->specs[i])->present.set)
            return true;
    return false;
}

/* Whether p's spec is among the objects observed on host. */
static bool observed_on(const Placement *p, const char *host, const PlaceObserved *obs, size_t n_obs) {
    for (size_t i = 0; i < n_obs; i++)
        if (obs[i].kind == p->spec->kind && streq(obs[i].name, p->spec->name) && streq(obs[i].host, host))
            return true;
    return false;
}

/* A spec observed on host that the placement puts on another one: said at its line. */
static bool moved_away(SpecSet *set, const PlacementSet *ps, const Placement *p, const char *host,
                       const PlaceObserved *obs, size_t n_obs) {
    bool here = observed_on(p, host, obs, n_obs);
    if (!here || p->host < 0 || placement_on_host(ps, p, host))
        return false;
    diag_add(&set->diags, DIAG_WARNING, p->spec->file, p->spec->line, p->spec->col,
             "%s is defined here but placement now puts it on %s: it stays here until %s moves it "
             "(`virtspec apply --host %s` there, through this Host's uri; docs/fleet.md#moving)",
             p->spec->name, ps->hosts[p->host]->name.s, ps->hosts[p->host]->name.s,
             ps->hosts[p->host]->name.s);
    return true;
}

/* A spec observed on host that this host keeps (sticky) but that the repository alone places on
 * another host: that host computes just that, and looks here (this Host's uri) before it creates
 * it: it leaves it here while this host can take it (placement_host_accepts). Said at its line. */
static bool kept_but_placed_away(SpecSet *set, const PlacementSet *repo, const Placement *p,
                                 const char *host, const PlaceObserved *obs, size_t n_obs) {
    bool here = observed_on(p, host, obs, n_obs);
    const Placement *q = here ? placement_find(repo, p->spec->kind, p->spec->name) : NULL;
    if (!q || q->everywhere || q->host < 0 || placement_on_host(repo, q, host))
        return false;
    diag_add(&set->diags, DIAG_WARNING, p->spec->file, p->spec->line, p->spec->col,
             "%s is defined here and stays here, but the repository alone places it on %s, which "
             "sees it here only through this Host's uri (without one it would create it too); pin it "
             "(placement: {host: %s}) so that every host agrees (docs/fleet.md#moving)",
             p->spec->name, repo->hosts[q->host]->name.s, host);
    return true;
}

int placement_take_share(SpecSet *set, const char *host, const PlaceObserved *obs, size_t n_obs,
                         size_t *ret_errors, size_t *ret_moved) {
    *ret_errors = *ret_moved = 0;
    if (host && !spec_set_find_host(set, host))
        return -ENOENT;
    if (!placement_in_use(set))
        return 0;
    PlacementSet ps = {};
    size_t before = set->diags.n_errors;
    placement_compute(set, obs, n_obs, &ps, &set->diags);
    /* what the other hosts compute: the repository alone (they do not see this host's domains) */
    PlacementSet repo = {};
    DiagList scratch = {};
    if (host && n_obs > 0)
        placement_compute(set, NULL, 0, &repo, &scratch);
    bool *drop = xmalloc0(set->n * sizeof(bool) + 1);
    for (size_t i = 0; i < set->n; i++) {
        const Placement *p = placement_find(&ps, set->specs[i]->kind, set->specs[i]->name);
        drop[i] = !p->everywhere && (p->host < 0 || (host && !placement_on_host(&ps, p, host)));
        *ret_moved += host && (moved_away(set, &ps, p, host, obs, n_obs) ||
                               (!drop[i] && n_obs > 0 &&
                                kept_but_placed_away(set, &repo, p, host, obs, n_obs)));
    }
    placement_set_clear(&repo);
    diag_list_clear(&scratch);
    placement_set_clear(&ps);
    *ret_errors = set->diags.n_errors - before;
    spec_set_drop_held(set, drop, set->n);
    free(drop);
    return 0;
}
