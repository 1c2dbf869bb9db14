/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A version in force without its YAML tree (docs/performance.md, "Memory per spec", cut 7).
 * The daemon's store keeps each file's last good version because a template change builds the
 * specs of the files that use templates again from it. A file with no template, no Host document
 * and no `from:` in any document uses at most the default template (one named "default" applies
 * to every document of its kind): only that template coming, going or changing builds it again,
 * and an edit of the file itself is read from disk. So its tree (hundreds of small blocks for a
 * large file, about 0.5 KB for a minimal one) is freed once its specs are built, and its bytes
 * (one block) are kept: parsed again, they give the same tree. What the store reads of a version
 * in force without parsing it stays: the kind of each document (file_deps), and that it has no
 * Host document and no template (file_plain, spec_store_collect: n_docs is 0). */
#include <assert.h>

#include "spec-internal.h"

SpecKind loaded_doc_deps_kind(const YNode *doc) {
    const YNode *k = ynode_map_get(doc, "kind");
    return k && k->type == YNODE_SCALAR ? spec_kind_from_string(k->value) : KIND_DOMAIN;
}

static bool may_be_slim(const LoadedFile *lf) {
    if (!lf->text || lf->unread || lf->d.n_errors > 0 || lf->n_templates > 0 || lf->n_docs == 0 ||
        lf->n_docs > LOADED_FILE_SLIM_MAX)
        return false;
    for (size_t i = 0; i < lf->n_docs; i++)
        if (ynode_is_host(lf->docs[i]) || ynode_map_get(lf->docs[i], "from"))
            return false;
    return true;
}

void loaded_file_slim(LoadedFile *lf) {
    if (lf->n_slim > 0)
        return;
    if (!may_be_slim(lf)) {
        free(lf->text);   /* only a slim version reads it again */
        lf->text = NULL;
        lf->text_len = 0;
        return;
    }
    for (size_t i = 0; i < lf->n_docs; i++)
        lf->slim_kinds[i] = (int8_t) loaded_doc_deps_kind(lf->docs[i]);
    lf->n_slim = (uint8_t) lf->n_docs;
    ynode_free_many(lf->docs, lf->n_docs);
    lf->docs = NULL;
    lf->n_docs = 0;
}

void loaded_file_unslim(LoadedFile *lf) {
    if (lf->n_slim == 0)
        return;
    LoadedFile again = {};
    loaded_file_parse(&again, lf->file, lf->text, lf->text_len);
    /* the same bytes: the same documents, and no problem (the first parse had none) */
    assert(again.n_docs == lf->n_slim && again.n_templates == 0 && again.d.n_errors == 0);
    lf->docs = TAKE_PTR(again.docs);
    lf->n_docs = again.n_docs;
    again.n_docs = 0;
    lf->n_slim = 0;
    loaded_file_clear(&again);
}
