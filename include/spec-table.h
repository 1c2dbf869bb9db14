/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "spec.h"

/* One table per spec kind. A row says everything about one key: how to parse it, its default,
 * how a change to it is applied (change class), where it lives in libvirt's XML, and its docs.
 * Parsing, defaults, rendering, observing, diffing, docs and the golden "all keys" checks are
 * all driven from these rows. */

typedef enum ValueType {
    VT_STRING,      /* free text (single line unless the row says otherwise) */
    VT_NAME,        /* libvirt object name: [A-Za-z0-9_.+-], 1..64, no leading dot or dash */
    VT_INT,         /* integer in [min, max] */
    VT_BOOL,        /* true/false (also yes/no, on/off) */
    VT_SIZE,        /* size with unit: 512MiB, 1GiB, 10G, 1024K; a plain integer is in `unit` */
    VT_ENUM,        /* one of choices */
    VT_MAC,         /* 52:54:00:12:34:56 (also 525400123456 and dashes); canonical lower-case */
    VT_IP,          /* IPv4 or IPv6 address */
    VT_IP_PREFIX,   /* address/prefix */
    VT_PATH,        /* absolute path */
    VT_UUID,        /* RFC 4122 text form */
    VT_DEVNAME,     /* guest device name, e.g. vda, sdb, hdc */
    VT_WWN,         /* World Wide Name: 16 hex digits, libvirt's optional 0x prefix accepted;
                     * canonical lower-case without the prefix */
    VT_MAP,         /* nested map: sub table, at offset */
    VT_LIST,        /* list of maps: sub table, items of sub->item_size at offset (a List) */
    VT_ENUM_LIST,   /* list of enum scalars: a List of Value; without choices, of single-line
                     * strings of at most max characters */
    VT_HOSTS,       /* reserved */
} ValueType;

typedef enum ChangeClass {
    CHANGE_NONE,        /* spec-only policy (reload, adopt): never in libvirt */
    CHANGE_IDENTITY,    /* identifies the object: cannot change in place */
    CHANGE_LIVE,        /* applied to the running object and its persistent config */
    CHANGE_CONFIG,      /* persistent config only: takes effect at next boot (reload-pending) */
    CHANGE_FIRST_BOOT,  /* the cloud-init seed: re-uploaded, read by the guest at its next first
                         * boot (a new instance-id); never a restart */
    _CHANGE_MAX,
} ChangeClass;

const char *change_class_to_string(ChangeClass c);

/* Rendering/observing needs that a plain path cannot express. Implemented in the reconciler
 * (reconciler/hooks.h: one entry per hook); the table only names them. */
typedef enum XmlHook {
    HOOK_NONE,
    HOOK_DOMAIN_TYPE,   /* root @type: kvm / qemu, "auto" resolved against the host */
    HOOK_MEMORY,        /* <memory>/<currentMemory> from memory + max_memory */
    HOOK_MAX_MEMORY,
    HOOK_VCPU,          /* <vcpu current=…>max</vcpu> from cpus + max_cpus */
    HOOK_MAX_VCPU,
    HOOK_MACHINE,       /* os/type/@machine: "q35" matches libvirt's expanded "pc-q35-7.2" */
    HOOK_BOOT,          /* os/boot dev list */
    HOOK_NESTED,        /* cpu features vmx+svm, policy optional */
    HOOK_GRAPHICS_NONE, /* graphics type none: no <graphics> element */
    HOOK_PASSWD,        /* secret: never printed */
    HOOK_TPM_BACKEND,   /* tpm backend type/version/path */
    HOOK_DISK_SOURCE,   /* pool+name volume or path; driver type from format */
    HOOK_IFACE,         /* interface type + source */
    HOOK_GUEST_AGENT,   /* qemu guest agent channel */
    HOOK_RNG_BACKEND,
    HOOK_API,           /* not in XML at all: autostart, state (libvirt API) */
    HOOK_NET_FORWARD,
    HOOK_NET_IP,
    HOOK_NET_DHCP,
    HOOK_NET_DHCP_HOSTS,
    HOOK_NET_BRIDGE,
    HOOK_CHANNEL_NAME,  /* target/@name; a guestfwd channel is keyed guestfwd:ADDRESS:PORT */
    HOOK_NET_DOMAIN_LOCAL, /* domain/@localOnly, only beside a domain name */
    HOOK_FEATURES,      /* features/<NAME/> for each simple hypervisor feature */
    HOOK_HYPERV,        /* features/hyperv/<NAME state retries value/> */
    HOOK_CPUSET,        /* a CPU or node set: compared as canonical ranges ("0-3,8") */
    HOOK_SIZE_KIB,      /* element text in KiB with unit='KiB' (memtune limits) */
    HOOK_LOADER,        /* os/loader: path, type rom or pflash (pflash with an NVRAM) */
    HOOK_MEMBALLOON,    /* enabled false is model none */
    HOOK_HEX,           /* hexadecimal ids: 0x08, 0x1234 (compared as numbers) */
    HOOK_PCI_HOST,      /* hostdev source address from "DDDD:BB:SS.F" */
    HOOK_PCI_ADDR,      /* guest PCI address bus/slot (interfaces) */
    HOOK_OVS,           /* virtualport type openvswitch */
    HOOK_FS_DRIVER,     /* filesystem driver: virtiofs, or 9p (no driver element) */
    HOOK_QEMU_ARGS,     /* qemu:commandline/qemu:arg */
    HOOK_QEMU_ENV,      /* qemu:commandline/qemu:env */
    HOOK_XML_EDIT,      /* the escape hatch: raw XML edits after rendering */
    HOOK_CHARDEV_PATH,  /* source/@path of a file chardev (a pty's is libvirt's, at run time) */
    HOOK_FIRMWARE,      /* os/@firmware: libvirt selects the firmware files (and expands them) */
    HOOK_FIRMWARE_FEATURE, /* os/firmware/feature: a change of it needs a fresh NVRAM */
    HOOK_USER_BACKEND,  /* backend/@type of a user-mode interface: passt, or none (slirp) */
    _HOOK_MAX,
} XmlHook;

#define KEY_REQUIRED   (1u << 0)
#define KEY_SECRET     (1u << 1)   /* never printed: plans, logs, status, render */
#define KEY_ITEM_KEY   (1u << 2)   /* identifies a list item (matching observed devices) */
#define KEY_MULTILINE  (1u << 3)
#define KEY_NO_XML     (1u << 4)   /* consumed by another row's hook */
#define KEY_WHEN_SET   (1u << 5)   /* compared only when the spec sets it (libvirt fills it) */
#define KEY_ALWAYS     (1u << 6)   /* VT_MAP: present (with its defaults) even when not written */
#define KEY_READDRESS  (1u << 7)   /* a change invalidates guest addresses: libvirt reassigns them */
#define KEY_ONOFF      (1u << 8)   /* VT_BOOL written as on/off (not yes/no) */
#define KEY_WHOLE      (1u << 9)   /* VT_LIST compared as one value, in order (no item keys) */
#define KEY_SHORTHAND  (1u << 10)  /* VT_MAP: a scalar stands for its sub table's first key */
#define KEY_NO_TEMPLATE (1u << 11) /* each spec sets its own: not allowed in a Template */
#define KEY_LABELS     (1u << 12)  /* VT_ENUM_LIST written as a map of labels (role: web): each
                                    * entry "label=value", sorted by label (docs/fleet.md) */
#define KEY_PASST      (1u << 13)  /* rendered only for a libvirt with passt (9.2 and later):
                                    * older, virtspec keeps it through the QEMU monitor
                                    * (RenderOpts.forwards_by_monitor, reconciler/hostfwd.h) */
#define KEY_BOXED      (1u << 14)  /* VT_MAP: the field at offset is a pointer to the section
                                    * (sub->item_size bytes), allocated when the map is written;
                                    * the sub table's offsets count from the section, and NULL
                                    * reads as spec_zero_section (spec_section) */

typedef struct KeyTable KeyTable;

typedef struct KeyDef {
    const char *key;
    ValueType type;
    size_t offset;
    const char *def;                /* default, written as a user would; NULL: none */
    const char *const *choices;     /* VT_ENUM, VT_ENUM_LIST */
    int64_t min, max;               /* VT_INT; VT_SIZE in bytes (0 = unbounded) */
    int64_t unit;                   /* VT_SIZE: what a plain integer counts */
    const KeyTable *sub;            /* VT_MAP, VT_LIST */
    ChangeClass change;
    const char *xml;                /* location: "cpu/topology/@sockets", "title", "@type" */
    XmlHook hook;
    unsigned flags;
    const char *vagrant;            /* vagrant-libvirt's name for it, if any */
    const char *doc;                /* one line for the reference */
    const char *def_doc;            /* a default that depends on other keys, for the reference
                                     * (filled by spec_resolve; def is NULL) */
    const char *patch;              /* what a change replaces in the persistent XML: an element
                                     * path ("features/kvm", "devices/controller[@type='usb']"),
                                     * one attribute ("vcpu/@cpuset") or all attributes of an
                                     * element ("clock/@*"); NULL: derived from xml */
} KeyDef;

struct KeyTable {
    const char *name;               /* "Domain", "disks", "graphics" … */
    const KeyDef *keys;
    size_t n_keys;
    size_t item_size;               /* VT_LIST items */
    const char *xml_elem;           /* VT_LIST: element each item renders to ("devices/disk") */
    const char *xml_match;          /* VT_LIST: "attr=value" selecting observed elements */
    const char *merge_key;          /* VT_LIST: the key items merge by in templates, when not
                                     * the first required item key (docs/templates.md) */
    const char *doc;
};

extern const KeyTable domain_table, network_table, pool_table;
extern const KeyTable host_table;   /* `kind: Host`: not an object kind (no SpecKind) */
const KeyTable *spec_kind_table(SpecKind k);

const KeyDef *key_table_find(const KeyTable *t, const char *key);
/* The `xml` escape hatch of a spec of any kind. */
const XmlHatchSpec *spec_xml_hatch(const Spec *s);
/* The closest key name by edit distance, or NULL if nothing is close. */
const char *key_table_suggest(const KeyTable *t, const char *key);
/* Levenshtein distance: did-you-mean suggestions. */
size_t edit_distance(const char *a, const char *b);

static inline Value *key_value(const KeyDef *k, void *base) {
    return (Value *) ((char *) base + k->offset);
}
static inline List *key_list(const KeyDef *k, void *base) {
    return (List *) ((char *) base + k->offset);
}

/* A nested map's rows: where their offsets count from. The base itself for an embedded map; for a
 * KEY_BOXED one its section, or the zeroed block when it was never written. */
static inline void **key_box(const KeyDef *k, void *base) {
    return (void **) ((char *) base + k->offset);
}
static inline const void *spec_section(const void *base, const KeyDef *k) {
    if (!(k->flags & KEY_BOXED))
        return base;
    const void *box = *key_box(k, (void *) base);
    return box ? box : (const void *) spec_zero_section;
}
/* The section to write a map's rows into: a boxed one is allocated on first use. */
void *spec_section_ensure(void *base, const KeyDef *k);
/* A map's `present` Value: at the row's offset, or first in its boxed section. */
static inline const Value *map_present(const KeyDef *k, const void *base) {
    return (k->flags & KEY_BOXED) ? (const Value *) spec_section(base, k) : key_value(k, (void *) base);
}
/* The base a row of table t (or of a map nested in it) counts its offset from, given the
 * table's own base: inside a boxed section, the section. NULL: the row is not in t. */
const void *spec_row_base(const KeyTable *t, const KeyDef *row, const void *base);
