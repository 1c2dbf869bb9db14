/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libxml/tree.h>

#include "change.h"
#include "spec-table.h"
#include "yaml-tree.h"

/* The key↔XML mapping of the rows that name a hook (spec-table.h: XmlHook): one entry per hook,
 * both directions side by side. render.c, observe.c and diff.c walk the key tables and call these
 * for a row with a hook; the functions themselves live in hooks-*.c, named after what they map
 * (hooks-domain.c, hooks-device.c, hooks-net.c, hooks-value.c), the escape hatch's in xml-hatch.c.
 * Adding a hooked key: its row names the hook; a new hook adds one entry here (tests/unit/
 * test-hooks.c checks that every hook has one). */

typedef struct RenderOpts {
    bool host_kvm;          /* resolves domain_type auto */
    bool show_secrets;      /* false: graphics passwords are masked */
    const char *passwd;     /* password read from passwd_file, if any */
    bool compare_only;      /* the document is compared, never written (plan, status): the
                             * spec's hash is left out of its metadata (nothing reads it there) */
    xmlDoc *observed;       /* the domain's definition, if it has one: a disk keeps the volume
                             * name an earlier version gave it (render_disk_volume) */
    const struct Seed *seed;/* cloud_init: the seed, recorded in the metadata (cloud-init.h) */
    bool forwards_by_monitor;   /* libvirt < 9.2: type user is slirp, without <portForward>
                                 * (virtspec adds the forwards through the monitor: hostfwd.h) */
} RenderOpts;

/* What a hook renders from: the whole spec (a hook may read other keys), the options, the root. */
typedef struct HookCtx {
    const Spec *spec;
    const RenderOpts *o;
    xmlNode *root;
} HookCtx;

enum {
    HOOK_READS_PLAIN  = 1u << 0,   /* no observe: read back as a row without a hook */
    HOOK_READS_PATH   = 1u << 1,   /* observe reads the row's own path alone: absent with its element */
    HOOK_RENDERS_LIST = 1u << 2,   /* a VT_LIST the hook renders as a whole (not item by item) */
    HOOK_NOT_XML      = 1u << 3,   /* not in the XML at all (libvirt API: autostart, state) */
    HOOK_SIZE         = 1u << 4,   /* the canonical value is a size in bytes (shown as one) */
    HOOK_RENDERS_PATH = 1u << 5,   /* renders its value at the row's own path: a default there
                                    * that libvirt lacks is taken out again with xml.remove (export) */
    HOOK_LIVE_OWN     = 1u << 6,   /* the running domain's value follows the guest (the balloon):
                                    * not compared against the persistent one */
    HOOK_NVRAM_RESET  = 1u << 7,   /* a change needs a fresh NVRAM (firmware.h) */
};

/* What the executor gives a hook that applies a change to a running domain (HookOps.live). */
typedef struct HookLive {
    struct _virDomain *dom; /* virDomainPtr */
    const Spec *spec;
    const Change *change;
    xmlDoc *want, *live;    /* the rendered spec, the running domain's definition */
} HookLive;

/* What export (cmd-export.c) gives a hook that exports its row as a whole (HookOps.export). */
typedef struct HookExport {
    const xmlNode *root;    /* the object's definition */
    void *x;                /* export's state, for the callbacks */
    /* an element the keys cannot express: kept whole through xml.add below at */
    void (*fallback)(void *x, const char *at, const xmlNode *e);
    /* the spec value of row k for an observed canonical value, or NULL when it cannot say it */
    YNode *(*text)(const KeyDef *k, const char *canon);
} HookExport;

typedef struct HookOps {
    /* spec → XML: the row's value (base: the map or list item holding it) below node */
    void (*render)(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node);
    /* XML → canonical value below ctx (the root or a list item), or NULL; NULL with READS_PLAIN */
    char *(*observe)(const KeyDef *k, const xmlNode *ctx);
    /* whether two canonical values are the same (NULL: equal texts, or both absent) */
    bool (*equal)(const KeyDef *k, const char *want, const char *have);
    /* patch: brings have in line with want for a change of row k (NULL: by unit) */
    void (*patch)(const KeyDef *k, xmlNode *want, xmlNode *have);
    const char *unit;       /* the element a change replaces, instead of the one the row's xml names */
    const char *also;       /* a second unit replaced with it (memory and currentMemory move together) */
    /* diff of a table whose rows have this hook, as a whole, instead of row by row */
    void (*diff)(Diff *out, const KeyTable *t, const xmlNode *want, const xmlNode *have);
    /* the managed-key text of an item key row the spec leaves unset (NULL: the value) */
    char *(*item_key)(const KeyDef *k, const void *item);
    const char *diff_name;  /* the change's path names this instead of the key ("source") */
    unsigned flags;
    /* export, the inverse of render (cmd-export.c): the canonical value the spec says for what
     * is below ctx, or NULL when the key says nothing there (NULL: observe's value) */
    char *(*export_value)(const KeyDef *k, const xmlNode *ctx);
    /* export of the row as a whole under o, instead of value by value or item by item */
    void (*export)(const HookExport *x, const KeyDef *k, YNode *o);
    /* applies a change of the row to the running domain (executor.c:apply_live): 0 done, 1 not
     * live (*ret_why says why; it waits for a reload) (NULL: no live path of its own) */
    int (*live)(const HookLive *l, char **ret_why);
} HookOps;

extern const HookOps hook_ops[_HOOK_MAX];

static inline const HookOps *hook_of(const KeyDef *k) {
    return &hook_ops[k->hook];
}

/* Shared by several hooks and by their callers. */
/* Canonical hexadecimal id for a HOOK_HEX row (0x08, 0x1234), or NULL if s is not 0x…. */
char *render_hex(const KeyDef *k, const char *s);
/* "DDDD:BB:SS.F" or "BB:SS.F". Returns 0, or negative errno. */
int parse_pci_address(const char *s, unsigned *dom, unsigned *bus, unsigned *slot, unsigned *fn);
/* The item key of a guestfwd channel (it has no target_name): "guestfwd:ADDRESS:PORT". */
char *channel_guestfwd_key(const char *address, const char *port);
bool is_guest_agent_channel(const xmlNode *ch);

#define QEMU_XMLNS "http://libvirt.org/schemas/domain/qemu/1.0"
/* Host CPU and node ids in cpusets are below this. */
#define CPUSET_LIMIT 16384u
#define GUEST_AGENT_CHANNEL "org.qemu.guest_agent.0"
