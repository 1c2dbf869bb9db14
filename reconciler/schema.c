/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt's own RelaxNG schemas (installed with libvirt0 in /usr/share/libvirt/schemas). The
 * renderer's output is schema-checked by the golden tests; a spec with the xml escape hatch can
 * produce anything, so its document is validated here before it is used, at plan and at apply. */
#include <libxml/relaxng.h>
#include <pthread.h>
#include <stdio.h>

#include "macro.h"
#include "render.h"
#include "schema.h"

#ifndef LIBVIRT_SCHEMA_DIR
#define LIBVIRT_SCHEMA_DIR "/usr/share/libvirt/schemas"
#endif

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static xmlRelaxNGPtr schemas[3];
static bool tried[3];

static const char *schema_file(SpecKind kind) {
    return kind == KIND_DOMAIN ? "domain.rng" : kind == KIND_NETWORK ? "network.rng" : "storagepool.rng";
}

typedef struct Errors {
    char *first;
    unsigned line;
} Errors;

static void collect(void *userdata, const xmlError *error) {
    Errors *e = userdata;
    if (e->first || !error || !error->message)
        return;
    e->first = xstrdup(error->message);
    e->first[strcspn(e->first, "\n")] = 0;
    e->line = (unsigned) error->line;
}

int schema_validate(SpecKind kind, xmlDoc *doc, char **ret_error) {
    int idx = kind == KIND_DOMAIN ? 0 : kind == KIND_NETWORK ? 1 : 2;
    _cleanup_free_ char *path = xasprintf("%s/%s", LIBVIRT_SCHEMA_DIR, schema_file(kind));
    int ret = 0;

    *ret_error = NULL;
    pthread_mutex_lock(&lock);   /* parsing the schema once, and validating, one at a time */
    if (!tried[idx]) {
        tried[idx] = true;
        xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewParserCtxt(path);
        if (pc) {
            xmlRelaxNGSetParserStructuredErrors(pc, NULL, NULL);
            schemas[idx] = xmlRelaxNGParse(pc);
            xmlRelaxNGFreeParserCtxt(pc);
        }
    }
    if (!schemas[idx]) {
        *ret_error = xasprintf("cannot load libvirt's schema %s", path);
        ret = -ENOENT;
        goto out;
    }
    /* what libvirt receives: without the private records of pools */
    xmlDoc *copy = xmlCopyDoc(doc, 1);
    render_strip_private(kind, copy);
    xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(schemas[idx]);
    Errors errs = {};
    xmlRelaxNGSetValidStructuredErrors(vc, (xmlStructuredErrorFunc) collect, &errs);
    int r = xmlRelaxNGValidateDoc(vc, copy);
    xmlRelaxNGFreeValidCtxt(vc);
    xmlFreeDoc(copy);
    if (r != 0) {
        *ret_error = errs.first ? xasprintf("%s (%s)", errs.first, schema_file(kind))
                                : xasprintf("does not validate against %s", schema_file(kind));
        ret = -EINVAL;
    }
    free(errs.first);
out:
    pthread_mutex_unlock(&lock);
    return ret;
}
