/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Validation (spec_verify, spec-verify.c) split by section: private to the verify-*.c files. */

#include "spec-internal.h"

/* An error at a value the user wrote, else at the document; needs `s` and `diags` in scope. */
#define ERR(v, ...) diag_add(diags, DIAG_ERROR, s->file, (v)->line ? (v)->line : s->line, \
                             (v)->line ? (v)->col : s->col, __VA_ARGS__)

/* A position for ERR(). */
typedef struct Pos {
    unsigned line, col;
} Pos;

static inline const Value *explicit_of(const Value *a, const Value *b) {
    /* Prefer pointing at a value the user wrote. */
    if (a->set && !a->defaulted)
        return a;
    return b;
}

/* One function per kind (verify-domain.c, verify-network.c, verify-pool.c). */
void verify_domain(const Spec *s, DiagList *diags);
void verify_network(const Spec *s, DiagList *diags);
void verify_pool(const Spec *s, DiagList *diags);
/* The xml escape hatch of every kind (verify-xml.c). */
void verify_xml_edits(const Spec *s, DiagList *diags);
/* The bytes of the memory devices xml.add adds (verify-xml.c). */
int64_t hatch_memory_devices(const XmlHatchSpec *x);

/* Sections of a domain. */
void verify_cloud_init(const Spec *s, DiagList *diags);      /* verify-cloud-init.c */
void verify_cdrom_volumes(const Spec *s, DiagList *diags);   /* verify-disks.c */
/* Interfaces (verify-net.c). */
Pos item_pos(const void *item, size_t size, const List *list);
void verify_iface_ip(const Spec *s, const IfaceSpec *ifs, size_t i, DiagList *diags);
void verify_tunnel(const Spec *s, const IfaceSpec *f, size_t i, DiagList *diags);
void verify_interfaces(const Spec *s, DiagList *diags);
/* Disks and cdroms (verify-disks.c). */
void verify_disks(const Spec *s, DiagList *diags);
void verify_dev_names(const Spec *s, DiagList *diags);
/* The other devices (verify-devices.c). */
void verify_graphics(const Spec *s, DiagList *diags);
void verify_video_tpm(const Spec *s, DiagList *diags);
void verify_channels(const Spec *s, DiagList *diags);
void verify_serials(const Spec *s, DiagList *diags);
void verify_controllers(const Spec *s, DiagList *diags);
void verify_redirection(const Spec *s, DiagList *diags);
void verify_passthrough(const Spec *s, DiagList *diags);
void verify_filesystems(const Spec *s, DiagList *diags);
