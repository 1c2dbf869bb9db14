/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>

#include "yaml-tree.h"

/* `virtspec export --templates NAME`: the values several exported domains share, factored into a
 * `kind: Template` document, so that adopting a host gives the tree a person would write. */

/* Pure: docs are n Domain documents (maps, as export builds them or the loader reads them). Every
 * key whose value is the same in all of them (whole values; for maps, key by key, at any depth)
 * moves into a new Template document named name, and each doc gets `from: [name]` after its
 * name. Identity never moves: kind, name, uuid, title, adopt, disks (volumes and paths), and any
 * value holding a uuid or mac. Returns the template, or NULL (docs unchanged) with fewer than two
 * docs or when they share nothing. Expanding the template into each doc (maps merged key by key,
 * the spec's own keys last) gives back the doc as it was. */
YNode *export_templates_factor(YNode **docs, size_t n, const char *name);

/* Pure: the groups among docs (after export_templates_factor(docs, n, name), base: name, or NULL
 * when it wrote no template). Domains whose names differ only in a trailing number (web1, web2,
 * web-03: the stem web, separators - _ . dropped) form a group; a group of at least two, not every
 * domain, whose members share values the base does not hold gets a template "NAME-STEM" (building
 * on base) with them, and its members say from: [NAME-STEM] instead. The templates go into *ret
 * (in the order of their first member); returns how many. */
size_t export_templates_groups(YNode **docs, size_t n, const char *name, const char *base,
                               YNode ***ret);

/* The documents of one export, kept in order until all are read. */
typedef struct ExportTemplates {
    struct ExportTemplatesDoc {
        YNode *doc;
        char *notes;        /* comment lines printed after it, or NULL */
        bool domain;
    } *docs;
    size_t n;
} ExportTemplates;

/* Takes doc and notes. */
void export_templates_add(ExportTemplates *et, bool domain, YNode *doc, char *notes);
/* Appends a comment line to what is printed after the document added last. */
void export_templates_note(ExportTemplates *et, const char *line);
/* Factors the domains' shared values into template name, and their groups' into NAME-STEM
 * (export_templates_groups), and writes the templates, then every document in the order added. 0, or -EIO when the emitter fails. */
int export_templates_print(ExportTemplates *et, const char *name, FILE *f);
void export_templates_clear(ExportTemplates *et);
