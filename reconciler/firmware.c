/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <json-c/json.h>
#include <libxml/parser.h>
#include <stdlib.h>
#include <unistd.h>

#include "diff.h"
#include "firmware.h"
#include "hooks.h"
#include "metadata.h"
#include "virt-conn.h"
#include "xml-util.h"

#define NVRAM_RESET_XMLNS "https://virtspec.dev/xmlns/nvram-reset/1"
#define NVRAM_RESET_PREFIX "vsnvram"

int firmware_nvram_changes(bool reset_allowed, Diff *diff, ObjectResult *r) {
    int ret = 0;
    for (size_t i = 0; i < diff->n; i++) {
        Change *c = &diff->items[i];
        if (c->op != OP_SET || !c->row || !(hook_of(c->row)->flags & HOOK_NVRAM_RESET))
            continue;
        free(c->note);
        if (reset_allowed) {
            c->note = xstrdup("config, NVRAM reset: a fresh NVRAM from the new firmware's template at "
                              "the next start by virtspec (firmware.reset_nvram: true)");
            ret = ret < 0 ? ret : 1;
        } else {
            c->note = xstrdup("blocked: needs a fresh NVRAM (the guest's UEFI variables are lost); "
                              "set firmware.reset_nvram: true to allow it");
            if (ret >= 0)
                action_add(r, ACTION_WARN, c->path, "not applied: %s changes the firmware, whose NVRAM "
                           "must then be reset; set firmware.reset_nvram: true to allow that", c->path);
            ret = -EPERM;
        }
    }
    return ret;
}

static int set_metadata(virDomainPtr dom, const char *xml) {
    return virt_domain_set_metadata(dom, xml, NVRAM_RESET_PREFIX, NVRAM_RESET_XMLNS);
}

void nvram_reset_mark_put(xmlDoc *doc) {
    if (nvram_reset_marked(doc))
        return;
    xmlNode *md = xml_ensure(xmlDocGetRootElement(doc), "metadata", false);
    xmlNode *m = xmlNewChild(md, NULL, BAD_CAST "nvram-reset", NULL);
    xmlSetNs(m, xmlNewNs(m, BAD_CAST NVRAM_RESET_XMLNS, BAD_CAST NVRAM_RESET_PREFIX));
}

void nvram_reset_mark_clear(virDomainPtr dom) {
    set_metadata(dom, NULL);
}

bool nvram_reset_marked(xmlDoc *have) {
    return have && observe_metadata_element(have, NVRAM_RESET_XMLNS, "nvram-reset");
}


/* ---- which firmware file libvirt will pick: its rules for the descriptors (docs/interop/
 * firmware.json in QEMU; libvirt's qemu_firmware.c): files of /etc/qemu/firmware override those
 * of /usr/share/qemu/firmware of the same name, tried in the order of their names; the first
 * that has interface uefi (or bios), a target of the architecture whose machine pattern matches,
 * the flash device and the features asked for (enabled: has it, disabled: has it not) wins. ---- */

static const char *const fw_dirs[] = { "/etc/qemu/firmware", "/usr/share/qemu/firmware" };

static bool json_has_string(json_object *arr, const char *want) {
    size_t n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
    for (size_t i = 0; i < n; i++)
        if (streq_ptr(json_object_get_string(json_object_array_get_idx(arr, i)), want))
            return true;
    return false;
}

static json_object *jget(json_object *o, const char *key) {
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static bool descriptor_targets(json_object *fw, const char *arch, const char *machine) {
    json_object *targets = jget(fw, "targets");
    size_t n = json_object_is_type(targets, json_type_array) ? json_object_array_length(targets) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *t = json_object_array_get_idx(targets, i);
        if (!streq_ptr(json_object_get_string(jget(t, "architecture")), arch))
            continue;
        json_object *m = jget(t, "machines");
        size_t k = json_object_is_type(m, json_type_array) ? json_object_array_length(m) : 0;
        for (size_t j = 0; j < k; j++) {
            json_object *pat = json_object_array_get_idx(m, j);
            /* a malformed descriptor's null, number or map is no pattern (null would be NULL) */
            if (json_object_is_type(pat, json_type_string) &&
                fnmatch(json_object_get_string(pat), machine, 0) == 0)
                return true;
        }
    }
    return false;
}

/* -1: asked off, 1: asked on, 0: not asked */
static bool feature_fits(json_object *features, const char *name, int asked) {
    return asked == 0 || json_has_string(features, name) == (asked > 0);
}

static int name_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The descriptor file names, sorted, without duplicates (an /etc one hides its namesake). */
static size_t descriptor_names(const char *const *dirs, size_t n_dirs, char ***ret) {
    char **names = NULL;
    size_t n = 0;
    for (size_t i = 0; i < n_dirs; i++) {
        DIR *dir = opendir(dirs[i]);
        for (struct dirent *de; dir && (de = readdir(dir));) {
            size_t len = strlen(de->d_name);
            if (len < 6 || !streq(de->d_name + len - 5, ".json"))
                continue;
            bool dup = false;
            for (size_t j = 0; j < n && !dup; j++)
                dup = streq(names[j], de->d_name);
            if (!dup)
                *(char **) array_push(&names, &n, sizeof(char *)) = xstrdup(de->d_name);
        }
        if (dir)
            closedir(dir);
    }
    if (n > 1)
        qsort(names, n, sizeof(char *), name_cmp);
    *ret = names;
    return n;
}

static json_object *descriptor_read(const char *const *dirs, size_t n_dirs, const char *name) {
    for (size_t i = 0; i < n_dirs; i++) {
        _cleanup_free_ char *path = xasprintf("%s/%s", dirs[i], name);
        if (access(path, F_OK) == 0)
            return json_object_from_file(path);
    }
    return NULL;
}

char *firmware_pick(const char *type, const char *arch, const char *machine, int secure_boot,
                    int enrolled_keys, char **ret_template) {
    return firmware_pick_in(fw_dirs, ELEMENTSOF(fw_dirs), type, arch, machine, secure_boot,
                            enrolled_keys, ret_template);
}

char *firmware_pick_in(const char *const *dirs, size_t n_dirs, const char *type, const char *arch,
                       const char *machine, int secure_boot, int enrolled_keys, char **ret_template) {
    char **names = NULL;
    size_t n = descriptor_names(dirs, n_dirs, &names);
    char *found = NULL;
    const char *iface = streq(type, "efi") ? "uefi" : "bios";
    for (size_t i = 0; i < n; i++) {
        json_object *fw = found ? NULL : descriptor_read(dirs, n_dirs, names[i]);
        json_object *map = jget(fw, "mapping");
        if (fw && json_has_string(jget(fw, "interface-types"), iface) &&
            descriptor_targets(fw, arch, machine) &&
            (streq(iface, "bios") || streq_ptr(json_object_get_string(jget(map, "device")), "flash")) &&
            feature_fits(jget(fw, "features"), "secure-boot", secure_boot) &&
            feature_fits(jget(fw, "features"), "enrolled-keys", enrolled_keys)) {
            const char *exe = json_object_get_string(jget(jget(map, "executable"), "filename"));
            const char *tpl = json_object_get_string(jget(jget(map, "nvram-template"), "filename"));
            found = xasprintf("%s (%s)", exe ? exe : json_object_get_string(jget(map, "filename")), names[i]);
            if (ret_template)
                *ret_template = tpl ? xstrdup(tpl) : NULL;
        }
        if (fw)
            json_object_put(fw);
        free(names[i]);
    }
    free(names);
    return found;
}

/* The canonical machine name (q35 → pc-q35-7.2) from the domain capabilities, or NULL. */
static char *domcaps_machine(virConnectPtr conn, const char *arch, const char *machine,
                             const char *virttype) {
    _cleanup_free_ char *caps = virConnectGetDomainCapabilities(conn, NULL, arch, machine, virttype, 0);
    if (!caps)
        return NULL;
    _cleanup_(xmlFreeDocp) xmlDoc *doc = xmlReadMemory(caps, (int) strlen(caps), "domcaps.xml", NULL,
                                                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    return doc ? xml_get(xmlDocGetRootElement(doc), "machine") : NULL;
}

int firmware_plan(virConnectPtr conn, bool local, const DomainSpec *d, const char *virttype,
                  ObjectResult *r) {
    if (!spec_box(d, firmware)->present.set || !streq(spec_box(d, firmware)->type.s, "efi"))
        return 0;
    if (!local) {
        action_add(r, ACTION_NOTE, "firmware", "firmware: chosen by libvirt at the start (not a local "
                   "connection: this host's firmware descriptors say nothing of libvirt's host)");
        return 0;
    }
    const char *arch = d->machine_arch.set ? d->machine_arch.s : "x86_64";
    _cleanup_free_ char *machine = domcaps_machine(conn, arch, d->machine_type.set ? d->machine_type.s : NULL,
                                                   virttype);
    if (!machine) {
        action_add(r, ACTION_NOTE, "firmware", "firmware: chosen by libvirt at the start (no domain capabilities: %s)",
                   virt_error_message());
        return 0;
    }
    int sb = spec_box(d, firmware)->secure_boot.set ? (value_int(&spec_box(d, firmware)->secure_boot) ? 1 : -1) : 0;
    int ek = spec_box(d, firmware)->enrolled_keys.set ? (value_int(&spec_box(d, firmware)->enrolled_keys) ? 1 : -1) : 0;
    _cleanup_free_ char *tpl = NULL;
    _cleanup_free_ char *pick = firmware_pick("efi", arch, machine, sb, ek, &tpl);
    if (!pick)
        return fail_at(r, &spec_box(d, firmware)->type, "firmware: no firmware descriptor on this host fits "
                       "type efi%s%s on %s %s (libvirt would refuse to start the domain)",
                       sb ? (sb > 0 ? ", secure_boot" : ", no secure_boot") : "",
                       ek ? (ek > 0 ? ", enrolled_keys" : ", no enrolled_keys") : "", arch, machine);
    action_add(r, ACTION_NOTE, "firmware", "firmware: libvirt will pick %s%s%s", pick, tpl ? ", NVRAM template " : "",
               tpl ? tpl : "");
    return 0;
}
