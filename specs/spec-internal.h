/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "spec-addr.h"
#include "spec-table.h"
#include "spec-template.h"
#include "spec-value.h"
#include "yaml-tree.h"

typedef struct ParseCtx {
    const char *file;
    DiagList *diags;
    bool template;              /* a Template's keys: no required keys, KEY_NO_TEMPLATE refused */
} ParseCtx;

/* Checks a Template's keys (all but kind, name, applies_to, from) against kind's table: unknown
 * keys, bad values, keys no template may set. Errors into diags (spec-load.c). */
void spec_check_template(const char *file, SpecKind kind, const YNode *body, DiagList *diags);

/* A document is parsed (spec-load.c), given the key table's defaults (apply_defaults), validated
 * (spec_verify), then given the values derived from others (spec_resolve): see spec-post-parse.c
 * for why derived values come after validation. */

/* The key table's defaults for every key the document does not set (spec-post-parse.c). */
void apply_defaults(const KeyTable *t, void *base);
/* Cross-field rules (spec-verify.c); errors point at the offending line. */
void spec_verify(const Spec *s, DiagList *diags);
/* Fill values that depend on other values: device names, MACs, buses (spec-post-parse.c). */
void spec_resolve(Spec *s);
/* Rules across documents (disks against the pools they name); marks specs to drop. */
void spec_verify_cross(const SpecSet *set, DiagList *diags, bool *drop);

/* Parses "0-3,8,^2" into a bitmap of limit bits (cpuset.c). */
bool cpuset_bits(const char *s, unsigned limit, unsigned char *bits);
/* Defaults that validation checks too (spec-post-parse.c): serial ports, host name, tunnels. */
int64_t *chardev_ports(const DomainSpec *d, bool consoles);
char *default_hostname(const char *name);
bool iface_is_tunnel(const char *type);

#define LOADED_FILE_SLIM_MAX 8u   /* documents a slim file may have */

/* One file between the two steps of loading: its documents parsed and its templates checked
 * (each file on its own), then, once every template of the load is known, its specs built. */
typedef struct LoadedFile {
    char *file;
    YNode **docs;           /* its spec documents, in order (templates are in templates) */
    size_t n_docs;
    Template **templates;
    size_t n_templates;
    DiagList d;
    bool unread;            /* could not be read (d says why) */
    /* A plain file's version in force keeps its bytes, not its tree (loaded-file-slim.c): then
     * docs is NULL and n_docs 0, and n_slim documents of the kinds slim_kinds were there. */
    uint8_t n_slim;
    int8_t slim_kinds[LOADED_FILE_SLIM_MAX];
    uint32_t text_len;
    char *text;             /* the bytes parsed (kept by the daemon's store only) */
} LoadedFile;

void loaded_file_parse(LoadedFile *lf, const char *file, const char *buf, size_t len);
void loaded_file_clear(LoadedFile *lf);
/* Every template of files (in order) into ts, then the checks across them; errors go to each
 * template's file (d). */
void templates_collect(TemplateSet *ts, LoadedFile *files, size_t n);
/* The specs of lf with the templates of ts (lf->d moves into set->diags). */
void loaded_file_build(SpecSet *set, LoadedFile *lf, const TemplateSet *ts);

/* ---- a version in force without its tree (loaded-file-slim.c, docs/performance.md cut 7) ----
 * A file with no template, no Host document and no `from:` needs its tree only to build its
 * specs again, which only a default template's change asks (an edit of the file rereads it):
 * its tree is freed and parsed again from its kept bytes (text) when that happens. */
/* The kind a document's template dependencies are hashed with (spec-store.c's file_deps). */
SpecKind loaded_doc_deps_kind(const YNode *doc);
/* Frees lf's tree when lf may be slim (a good version with text), else its text. */
void loaded_file_slim(LoadedFile *lf);
/* Parses a slim lf's tree again from its text (its diagnostics stay those of the first parse). */
void loaded_file_unslim(LoadedFile *lf);

/* ---- `kind: Host` documents (spec-host.c, docs/fleet.md) ---- */
bool ynode_is_host(const YNode *doc);
/* A Host document parsed through host_table; NULL after errors (into diags) (spec-load.c). */
HostSpec *host_from_document(const char *file, const YNode *doc, DiagList *diags);
/* A KEY_LABELS row: a map of label: value into l (of Value "label=value", sorted by label). */
void spec_parse_labels(ParseCtx *c, const KeyDef *k, const YNode *n, List *l, const char *path);
