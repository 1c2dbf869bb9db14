/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>

#include "paths.h"
#include "config.h"
#include "cli.h"
#include "cloud-init.h"
#include "engine.h"
#include "hostfwd.h"
#include "placement.h"
#include "provenance.h"
#include "render.h"
#include "xml-util.h"

size_t cli_load_specs(const CliOpts *o, SpecSet *set) {
    /* no PATH: the spec tree of the configuration file (specs =), else the default one */
    char *def[] = { (char *) (o->specs_dir ? o->specs_dir : paths_default()->spec_dir) };
    char *const *paths = o->n_paths ? o->paths : def;
    size_t n = o->n_paths ? o->n_paths : 1;

    spec_load_paths(set, paths, n);
    spec_set_derive(set);
    /* the placement's checks only: validate, render and export see the whole tree (host = of
     * the configuration file selects what plan and apply take: cli_load_tree) */
    size_t placement_errors, moved;
    placement_take_share(set, NULL, NULL, 0, &placement_errors, &moved);
    diag_list_sort(&set->diags);
    diag_list_print(&set->diags, stderr);
    return set->diags.n_errors;
}

/* The share of o->host (docs/fleet.md): specs placed elsewhere leave the set (held, never
 * orphans); unplaceable specs are errors. Returns their number, SIZE_MAX when no Host document
 * names o->host (said on stderr). */
static size_t cli_take_share(const CliOpts *o, SpecSet *set, const PlaceObserved *obs, size_t n_obs,
                             size_t *ret_moved) {
    size_t errors;
    if (placement_take_share(set, o->host, obs, n_obs, &errors, ret_moved) == -ENOENT) {
        fprintf(stderr, "virtspec: --host %s: no `kind: Host` document of the tree names it\n", o->host);
        return SIZE_MAX;
    }
    return errors;
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

/* SeedNetworkLookup over a spec set: the network's spec, rendered (a synthetic vs-… one too). */
static xmlDoc *set_network(const char *name, void *userdata, char **ret_error) {
    const Spec *n = spec_set_find(userdata, KIND_NETWORK, name);
    RenderOpts ro = { .compare_only = true };
    xmlDoc *doc = NULL;
    if (!n)
        *ret_error = xasprintf("network '%s' has no spec here", name);
    else if (render_spec(n, &ro, &doc) < 0)
        *ret_error = xasprintf("network '%s' cannot be rendered", name);
    return doc;
}

/* render --seed: each cloud_init seed's files, as apply would upload them (password hashes
 * masked unless --show-secrets). */
static int render_seeds(const CliOpts *o, SpecSet *set) {
    int ret = 0;
    for (size_t i = 0; i < set->n; i++) {
        const Spec *s = set->specs[i];
        if (s->kind != KIND_DOMAIN || !s->domain.cloud_init.present.set)
            continue;
        _cleanup_(seed_input_clear) SeedInput in = {};
        _cleanup_(seed_clear) Seed seed = {};
        _cleanup_(object_result_clear) ObjectResult r = {};
        _cleanup_free_ char *err = NULL;
        if (seed_gather(&s->domain, set_network, set, !o->show_secrets, &in, &r) < 0 ||
            cloud_init_render(&s->domain, &in, &seed, &err) < 0) {
            fprintf(stderr, "%s:%u: error: Domain %s: %s\n", s->file, s->line, s->name,
                    err ? err : strna(r.error));
            ret = 1;
            continue;
        }
        const char *names[] = { "meta-data", "user-data", "network-config" };
        const char *texts[] = { seed.meta_data, seed.user_data, seed.network_config };
        for (size_t f = 0; f < ELEMENTSOF(names); f++)
            if (texts[f])
                printf("# ---- Domain %s seed: %s\n%s", s->name, names[f], texts[f]);
    }
    return ret;
}

/* --libvirt-version X.Y[.Z] in virConnectGetLibVersion's encoding; NULL: the newest. */
static int render_libvirt_version(const char *text, unsigned long *ret) {
    unsigned long part[3] = {};
    const char *c = text;
    size_t n = 0;   /* parts read */
    *ret = ULONG_MAX;
    if (!text)
        return 0;
    while (n < 3 && isdigit((unsigned char) *c)) {
        char *end;
        if ((part[n++] = strtoul(c, &end, 10)) > 999)
            break;
        c = end;
        if (*c != '.' || n == 3 || !isdigit((unsigned char) c[1]))
            break;
        c++;
    }
    if (n < 2 || *c || part[n - 1] > 999) {
        fprintf(stderr, "virtspec: --libvirt-version takes X.Y or X.Y.Z (9.0, 10.0.0), not '%s'\n", text);
        return -EINVAL;
    }
    *ret = part[0] * 1000000UL + part[1] * 1000UL + part[2];
    return 0;
}

int cmd_render(const CliOpts *o) {
    _cleanup_(spec_set_clear) SpecSet set = {};
    unsigned long lib_version;
    if (render_libvirt_version(o->libvirt_version, &lib_version) < 0)
        return 1;
    size_t errors = cli_load_specs(o, &set);
    RenderOpts ro = {
        .host_kvm = o->host_kvm >= 0 ? o->host_kvm : host_has_kvm(),
        .show_secrets = o->show_secrets,
        .forwards_by_monitor = lib_version < HOSTFWD_PASST_LIBVIRT,
    };

    if (o->seed)
        return render_seeds(o, &set) || errors > 0 ? 1 : 0;
    if (o->explain) {
        for (size_t i = 0; i < set.n; i++)
            provenance_explain(stdout, set.specs[i]);
        return errors > 0 ? 1 : 0;
    }
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

/* ------------------------------------------------------------------ selection */

void selection_clear(Selection *s) {
    for (size_t i = 0; i < s->n_prefixes; i++)
        free(s->prefixes[i]);
    free(s->prefixes);
    free(s->targets);
    *s = (Selection) {};
}

static bool target_matches(struct Target *t, SpecKind kind, const char *name) {
    if ((t->kind != _KIND_INVALID && t->kind != kind) || !streq(t->name, name))
        return false;
    t->used = true;
    return true;
}

bool selection_has(Selection *s, SpecKind kind, const char *name) {
    bool any = false;
    for (size_t i = 0; i < s->n_targets; i++)
        any = target_matches(&s->targets[i], kind, name) || any;
    return !s->active || any;
}

bool selection_has_orphan(Selection *s, const char *name) {
    if (!s->tree_read)
        return false;   /* a lone file or another directory: what it does not name is not gone */
    if (s->n_targets > 0)
        return selection_has(s, KIND_DOMAIN, name);
    return !s->active && !s->lone_files;
}

bool selection_has_spec(Selection *s, const Spec *spec) {
    if (!s->active)
        return true;
    if (selection_has(s, spec->kind, spec->name) && s->n_targets > 0)
        return true;
    _cleanup_free_ char *real = spec->file ? realpath(spec->file, NULL) : NULL;
    for (size_t i = 0; real && i < s->n_prefixes; i++) {
        const char *p = s->prefixes[i];
        size_t l = strlen(p);
        if (p[l - 1] == '/' ? strncmp(real, p, l) == 0 : streq(real, p))
            return true;
    }
    return false;
}

size_t selection_report_unused(const Selection *s) {
    size_t n = 0;
    for (size_t i = 0; i < s->n_targets; i++)
        if (!s->targets[i].used) {
            fprintf(stderr, "virtspec: no object %s in the spec tree\n", s->targets[i].arg);
            n++;
        }
    return n;
}

/* [KIND/]NAME; KIND is Domain, Network or Pool, any case. */
static int parse_target(const char *arg, struct Target *t) {
    const char *slash = strchr(arg, '/');
    *t = (struct Target) { .kind = _KIND_INVALID, .name = arg, .arg = arg };
    if (!slash)
        return 0;
    for (int k = 0; k < _KIND_MAX; k++)
        if (strncasecmp(arg, spec_kind_to_string(k), (size_t) (slash - arg)) == 0 &&
            strlen(spec_kind_to_string(k)) == (size_t) (slash - arg)) {
            t->kind = k;
            t->name = slash + 1;
            return *t->name ? 0 : -EINVAL;
        }
    return -EINVAL;
}

size_t selection_parse_targets(const CliOpts *o, Selection *sel) {
    size_t errors = 0;
    for (size_t i = 0; i < o->n_targets; i++) {
        struct Target *t = array_push(&sel->targets, &sel->n_targets, sizeof(struct Target));
        if (parse_target(o->targets[i], t) < 0) {
            fprintf(stderr, "virtspec: bad target '%s': give [KIND/]NAME, KIND one of Domain, "
                    "Network, Pool\n", o->targets[i]);
            errors++;
        }
        sel->active = true;
    }
    return errors;
}

/* real path of dir is a prefix of the real path of p (or equal) */
static bool path_within(const char *p, const char *dir) {
    _cleanup_free_ char *rp = realpath(p, NULL), *rd = realpath(dir, NULL);
    if (!rp || !rd)
        return false;
    size_t l = strlen(rd);
    return strncmp(rp, rd, l) == 0 && (rp[l] == '/' || rp[l] == 0 || streq(rd, "/"));
}

/* p is the directory tree itself (another spelling of it) */
static bool is_tree(const char *p, const char *tree) {
    _cleanup_free_ char *rp = realpath(p, NULL), *rt = realpath(tree, NULL);
    return rp && rt && streq(rp, rt);
}

size_t cli_read_tree(const CliOpts *o, SpecSet *set, Selection *sel) {
    const char *tree = o->specs_dir ? o->specs_dir : paths_default()->spec_dir;
    _cleanup_free_ char **roots = NULL, **dirs = NULL;
    size_t n_roots = 0, n_dirs = 0, errors = 0;
    bool need_tree = o->n_paths == 0, lone_files = false;
    struct stat st;

    errors += selection_parse_targets(o, sel);
    /* A file of the spec tree is planned against the whole tree (as the daemon sees it); a
     * directory is a tree of its own; a file elsewhere is read alone (a scratch spec). */
    for (size_t i = 0; i < o->n_paths; i++) {
        const char *p = o->paths[i];
        if (is_tree(p, tree))
            sel->tree_read = true;
        else
            sel->other_paths = true;
        bool in_tree = stat(p, &st) == 0 && S_ISREG(st.st_mode) && path_within(p, tree);
        if (in_tree) {
            need_tree = sel->active = true;
            *(char **) array_push(&sel->prefixes, &sel->n_prefixes, sizeof(char *)) = realpath(p, NULL);
            continue;
        }
        bool file = stat(p, &st) == 0 && S_ISREG(st.st_mode);
        lone_files = lone_files || file;
        *(char **) array_push(&roots, &n_roots, sizeof(char *)) = (char *) p;
        char *rp = realpath(p, NULL);
        if (rp && file)
            *(char **) array_push(&sel->prefixes, &sel->n_prefixes, sizeof(char *)) = rp;
        else if (rp)
            *(char **) array_push(&dirs, &n_dirs, sizeof(char *)) = streq(rp, "/") ? rp : xasprintf("%s/", rp);
        if (rp && !file && !streq(rp, "/"))
            free(rp);
    }
    /* a directory named beside a file of the tree: its objects are selected too (a directory
     * alone is the tree, and targets select in it) */
    for (size_t i = 0; i < n_dirs; i++)
        if (need_tree && o->n_paths > 0)
            *(char **) array_push(&sel->prefixes, &sel->n_prefixes, sizeof(char *)) = TAKE_PTR(dirs[i]);
        else
            free(dirs[i]);
    if (need_tree) {
        /* the tree holds the named paths that lie in it: read once */
        size_t k = 0;
        for (size_t i = 0; i < n_roots; i++)
            if (!path_within(roots[i], tree))
                roots[k++] = roots[i];
        n_roots = k;
        *(char **) array_push(&roots, &n_roots, sizeof(char *)) = (char *) tree;
        sel->tree_read = true;
    }
    sel->lone_files = lone_files;
    spec_load_paths(set, roots, n_roots);
    size_t before = set->n;
    spec_set_derive(set);
    /* A network derived for an ip: while files were read alone: a file of their tree that was not
     * read may declare that subnet's network, and the domain would move to the derived one. */
    for (size_t i = before; lone_files && i < set->n; i++)
        diag_add(&set->diags, DIAG_WARNING, set->specs[i]->file, set->specs[i]->line, set->specs[i]->col,
                 "network %s is derived for this address: no spec read declares its subnet, and "
                 "only the named files were read; name their directory (with -t NAME to select) "
                 "if another file declares the network", set->specs[i]->name);
    return errors;
}

size_t cli_tree_share(const CliOpts *o, SpecSet *set, const PlaceObserved *obs, size_t n_obs,
                      size_t *ret_moved) {
    size_t errors = cli_take_share(o, set, obs, n_obs, ret_moved) == SIZE_MAX;
    diag_list_sort(&set->diags);
    diag_list_print(&set->diags, stderr);
    return set->diags.n_errors + errors;
}

size_t cli_load_tree(const CliOpts *o, SpecSet *set, Selection *sel) {
    size_t moved, errors = cli_read_tree(o, set, sel);
    return errors + cli_tree_share(o, set, NULL, 0, &moved);
}
