/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "spec-internal.h"
#include "verify.h"

/* Validation: spec_verify hands a document to its kind's rules (verify-*.c); spec_verify_cross
 * checks documents against each other. */

/* Disks in a logical pool are logical volumes: raw, without a backing image. Checked when the
 * pool's spec is in the set (the executor checks the live pool otherwise). */
void spec_verify_cross(const SpecSet *set, DiagList *diags, bool *drop) {
    for (size_t n = 0; n < set->n; n++) {
        const Spec *s = set->specs[n];
        if (s->kind != KIND_DOMAIN)
            continue;
        const DiskSpec *dk = s->domain.disks.items;
        for (size_t i = 0; i < s->domain.disks.n; i++) {
            const DiskSpec *disk = &dk[i];
            if (disk->path.set || !disk->pool.set)
                continue;
            const Spec *pool = spec_set_find(set, KIND_POOL, disk->pool.s);
            if (!pool || !streq(pool->pool.type.s, "logical"))
                continue;
            const Value *at = explicit_of(&disk->format, &disk->pool);
            if (streq(disk->format.s, "qcow2") && !disk->image.set) {
                ERR(at, "disks[%zu] is in pool '%s', a logical pool (%s:%u): its volumes are LVM "
                    "logical volumes, so the disk needs format: raw", i, disk->pool.s, pool->file,
                    pool->line);
                drop[n] = true;
            }
            if (disk->image.set) {
                ERR(&disk->image, "disks[%zu].image: pool '%s' is a logical pool (%s:%u); a base "
                    "image needs qcow2 overlays, which LVM volumes cannot hold", i, disk->pool.s,
                    pool->file, pool->line);
                drop[n] = true;
            }
        }
    }
}

/* The file's name goes into virtspec's metadata, status and logs: libvirt refuses a control
 * character there, JSON a byte that is not UTF-8. */
static void verify_file_name(const Spec *s, DiagList *diags) {
    for (const char *p = s->file; *p;) {
        uint32_t cp;
        size_t n = utf8_char(p, &cp);
        if (n == 0 || codepoint_hidden(cp)) {
            diag_add(diags, DIAG_ERROR, s->file, s->line, s->col, "the file's name %s; rename "
                     "the file (virtspec records it in libvirt's metadata)",
                     n == 0 ? "is not UTF-8" : "contains a control character");
            return;
        }
        p += n;
    }
}

void spec_verify(const Spec *s, DiagList *diags) {
    verify_file_name(s, diags);
    switch (s->kind) {
    case KIND_DOMAIN: verify_domain(s, diags); break;
    case KIND_NETWORK: verify_network(s, diags); break;
    case KIND_POOL: verify_pool(s, diags); break;
    default: return;
    }
    verify_xml_edits(s, diags);
}

static int spec_key_cmp(const void *a, const void *b) {
    const Spec *x = *(Spec *const *) a, *y = *(Spec *const *) b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return strcmp(x->name, y->name);
}

void spec_set_verify(SpecSet *set) {
    /* duplicates by sorting a copy: O(n log n), so a 1000-spec tree stays cheap to rescan */
    Spec **sorted = xmalloc0((set->n + 1) * sizeof(Spec *));
    bool *drop = xmalloc0(set->n * sizeof(bool) + 1);
    if (set->n > 0)
        memcpy(sorted, set->specs, set->n * sizeof(Spec *));
    qsort(sorted, set->n, sizeof(Spec *), spec_key_cmp);
    for (size_t i = 0; i + 1 < set->n; i++) {
        size_t j = i + 1;
        if (spec_key_cmp(&sorted[i], &sorted[j]) != 0)
            continue;
        /* report in file order: the earlier definition first */
        const Spec *a = sorted[i], *b = sorted[j];
        for (size_t k = 0; k < set->n; k++)
            if (set->specs[k] == b) {
                for (size_t m = 0; m < k; m++)
                    if (set->specs[m] == a)
                        goto ordered;
                const Spec *t = a;
                a = b;
                b = t;
                break;
            }
    ordered:
        diag_add(&set->diags, DIAG_ERROR, b->file, b->line, b->col,
                 "%s '%s' is also defined at %s:%u:%u", spec_kind_to_string(b->kind),
                 b->name, a->file, a->line, a->col);
        diag_add(&set->diags, DIAG_ERROR, a->file, a->line, a->col,
                 "%s '%s' is also defined at %s:%u:%u", spec_kind_to_string(a->kind),
                 a->name, b->file, b->line, b->col);
        for (size_t k = 0; k < set->n; k++)
            if (set->specs[k] == a || set->specs[k] == b)
                drop[k] = true;
    }
    free(sorted);
    spec_set_verify_hosts(set);
    spec_verify_cross(set, &set->diags, drop);
    spec_set_drop_held(set, drop, set->n);
    free(drop);
}
