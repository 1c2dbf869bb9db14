/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <unistd.h>

#include "engine-domain-state.h"
#include "prune.h"
#include "virt-conn.h"
#include "xml-util.h"

void prune_result_clear(PruneResult *r) {
    for (size_t i = 0; i < r->n_warnings; i++)
        free(r->warnings[i]);
    free(r->warnings);
    free(r->error);
    object_result_clear(&r->result);
    volume_refs_clear(&r->volumes);
    *r = (PruneResult) {};
}

const char *prune_volumes_said(bool deletes) {
    return deletes ? "its recorded volumes deleted (delete_volumes_on_removal)" : "volumes kept";
}

static int name_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *) a, *(char *const *) b);
}

int engine_list_owned_domains(Engine *e, bool (*skip)(const char *name, void *userdata),
                              void *userdata, char ***ret, size_t *ret_n) {
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(e->conn, &doms, 0);
    if (n < 0)
        return -EIO;
    for (int i = 0; i < n; i++) {
        if (skip && skip(virDomainGetName(doms[i]), userdata)) {
            virDomainFree(doms[i]);
            continue;
        }
        char *md = virDomainGetMetadata(doms[i], VIR_DOMAIN_METADATA_ELEMENT, VIRTSPEC_XMLNS,
                                        VIR_DOMAIN_AFFECT_CONFIG);
        if (md)
            *(char **) array_push(ret, ret_n, sizeof(char *)) = xstrdup(virDomainGetName(doms[i]));
        free(md);
        virDomainFree(doms[i]);
    }
    free(doms);
    if (*ret_n > 1)
        qsort(*ret, *ret_n, sizeof(char *), name_cmp);
    return 0;
}

/* delete_volumes_on_removal recorded in the undefined domain's metadata: its volumes go with
 * it, with the checks of a removed disk entry; nothing else (pools, base images, NVRAM, TPM). */
static void prune_volumes(Engine *e, const char *name, VolumeRefs *refs, PruneResult *p) {
    ObjectResult *r = &p->result;
    size_t first = r->n_actions;
    if (engine_delete_volumes(e, name, NULL, true, refs, r) < 0 && r->error)
        p->error = xstrdup(r->error);
    for (size_t i = first; i < r->n_actions; i++) {
        if (r->actions[i].op == ACTION_VOLUME_DELETE)
            p->n_deleted++;   /* logged with its size as it was deleted */
        else
            *(char **) array_push(&p->warnings, &p->n_warnings, sizeof(char *)) = action_format(&r->actions[i]);
    }
}

int engine_prune_domain(Engine *e, const char *name, unsigned shutdown_timeout, PruneResult *p) {
    _cleanup_(virDomainFreep) virDomainPtr dom = virDomainLookupByName(e->conn, name);
    if (!dom) {
        p->gone = virt_error_errno() == -ENOENT;
        return 0;
    }
    char *x = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    if (!x) {   /* whose it is cannot be known: not gone, not owned, libvirt's reason kept */
        p->error = xasprintf("reading its definition failed: %s", virt_error_message());
        return -EIO;
    }
    _cleanup_(xmlFreeDocp) xmlDoc *doc = xml_parse(x);
    free(x);
    if (!doc || !observe_owned(doc)) {
        p->gone = doc != NULL;   /* never touch what is not ours; it is no orphan of ours either */
        return 0;
    }
    p->owned = true;
    _cleanup_(volume_refs_clear) VolumeRefs refs = {};
    observe_volume_refs(doc, &refs);
    p->deletes = refs.delete_on_removal;
    /* what domain_stop stops; a shut-off domain is undefined as it is. A crashed one whose QEMU
     * still runs (on_crash preserve or coredump-restart) is forced off first: undefining it alone
     * would leave it running, transient, with virtspec's metadata. A paused guest cannot react to
     * ACPI: domain_stop forces it off at once. */
    int st = domain_state(dom);
    bool crashed_live = st == VIR_DOMAIN_CRASHED && virDomainIsActive(dom) == 1;
    p->running = state_running(st) || st == VIR_DOMAIN_SHUTDOWN;
    p->result = (ObjectResult) { .kind = KIND_DOMAIN, .name = xstrdup(name), .id = -1 };
    if (crashed_live)
        action_add(&p->result, ACTION_STOP, NULL, "crashed, its QEMU still running: forced off");
    else if (st == VIR_DOMAIN_PAUSED)
        action_add(&p->result, ACTION_STOP, NULL, "paused: forced off");
    else if (p->running)
        action_add(&p->result, ACTION_STOP, NULL, "ACPI shutdown, forced after %u s", shutdown_timeout);
    action_add(&p->result, ACTION_PRUNE, name, "spec removed: undefine, %s; NVRAM and TPM state kept",
               prune_volumes_said(p->deletes));
    if (!e->apply)
        return 0;
    if (crashed_live) {
        virt_count_mutation();
        if (virDomainDestroy(dom) < 0 && virDomainIsActive(dom) == 1) {
            p->error = xasprintf("forcing the crashed domain off failed: %s", virt_error_message());
            return -EIO;
        }
    } else if (p->running) {
        /* never forced off because virtspec stops (-ECANCELED): the prune is retried next time */
        char *err = NULL;
        int k = domain_stop(e, dom, shutdown_timeout, &err);
        if (k < 0) {
            p->error = err;
            return k;
        }
    }
    virt_count_mutation();
    /* volumes, NVRAM and TPM state are kept: pruning removes the definition only */
    int r = virDomainUndefineFlags(dom, VIR_DOMAIN_UNDEFINE_KEEP_NVRAM | VIR_DOMAIN_UNDEFINE_KEEP_TPM |
                                            VIR_DOMAIN_UNDEFINE_MANAGED_SAVE);
    /* a driver without the keep flags (libvirt's test driver) may undefine a domain that has
     * neither an NVRAM nor a TPM without them: there is nothing they would keep */
    xmlNode *root = xmlDocGetRootElement(doc);
    if (r < 0 && virGetLastErrorCode() == VIR_ERR_INVALID_ARG &&
        !xml_child(xml_child(root, "os"), "nvram") && !xml_child(xml_child(root, "devices"), "tpm"))
        r = virDomainUndefineFlags(dom, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE);
    if (r < 0) {
        p->error = xasprintf("undefine failed: %s", virt_error_message());
        return -EIO;
    }
    p->gone = true;
    if (refs.delete_on_removal && p->defer_volumes) {
        p->volumes = refs;
        refs = (VolumeRefs) {};
    }
    else if (refs.delete_on_removal)
        prune_volumes(e, name, &refs, p);
    return p->error ? -EIO : 0;
}
