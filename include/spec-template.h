/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "spec-origin.h"
#include "spec-table.h"
#include "yaml-tree.h"

/* Templates (docs/templates.md): `kind: Template` documents holding keys of one kind, applied
 * to the specs that name them in `from:` (and a template named `default` to every spec of its
 * kind unless it says `from: []`). Expansion is a load-time step over the YAML trees, before the
 * typed parse (specs/spec-template.c): later stages see ordinary specs. */

#define TEMPLATE_KIND "Template"
#define TEMPLATE_DEFAULT "default"
#define TEMPLATE_MAX_DEPTH 32u

typedef struct Template {
    char *name;
    SpecKind applies_to;
    char *file;
    unsigned line, col;         /* where the document starts */
    unsigned name_line, name_col;
    YNode *body;                /* its keys but kind, name, applies_to and from */
    char **from;                /* the templates it builds on, in order */
    unsigned *from_line, *from_col;
    size_t n_from;
    uint64_t hash;              /* of its content (the daemon: which templates changed) */
    bool invalid;               /* its own keys are refused */
    bool bad;                   /* refused (itself, or across templates): its users are too */
    DiagList *owner_diags;      /* its file's diagnostics (while loading) */
} Template;

typedef struct TemplateSet {
    Template **items;
    size_t n;
} TemplateSet;

/* A `kind: Template` document: parsed and checked against its kind's keys (errors into
 * diags). NULL when it is not usable at all (no name, a bad applies_to). */
Template *template_from_document(const char *file, const YNode *doc, DiagList *diags);
void template_free(Template *t);
/* Whether doc is a Template document (a map whose kind is Template). */
bool ynode_is_template(const YNode *doc);

/* Adds t (not owned: the set holds pointers) to ts; a name already there is an error at t's
 * name (into t->owner_diags) and t is marked bad. */
void template_set_add(TemplateSet *ts, Template *t);
/* Checks across templates: from names known, of the same kind, no cycle. Errors go to the
 * owner_diags of the template they are about, which is marked bad. */
void template_set_verify(TemplateSet *ts);
const Template *template_set_find(const TemplateSet *ts, const char *name);
void template_set_clear(TemplateSet *ts);   /* frees the array, not the templates */

/* The merged tree of a spec document of kind `kind`: its templates applied in order, its own
 * keys last. *ret NULL when no template applies (the document is used as it is). Returns 0, or
 * -EINVAL after reporting errors into diags (unknown or broken template). The names of the
 * templates used (directly or through from:) have their files appended to *used (each once) when used is not NULL. */
int template_expand(const TemplateSet *ts, const char *file, const YNode *doc, SpecKind kind,
                    YNode **ret, char ***used, size_t *n_used, DiagList *diags);

/* A hash of the templates (names, contents, whether refused) doc, of kind `kind`, is built
 * with: the daemon rebuilds a spec when it changes. doc NULL: one without `from:`. */
uint64_t template_deps_hash(const TemplateSet *ts, const YNode *doc, SpecKind kind);

/* The key a list's items merge by in templates (NULL: the list is replaced). */
const char *key_table_merge_key(const KeyDef *k);
