/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "diag.h"

/* The spec model: what a YAML document says, after parsing, defaults and verification.
 * Every scalar is a Value that remembers where it came from, so cross-field checks and
 * later stages can point at the line. The key tables in specs/spec-table.c describe every
 * field: YAML key, type, default, change class, libvirt XML location, docs. */

/* 16 bytes: a DomainSpec has about 170 of them, every loaded spec keeps one (docs/performance.md,
 * memory). 29 bits of column are plenty: a spec file is at most YAML_MAX_FILE_SIZE (1 MiB). The
 * number of an integer, size or boolean is read from its canonical text (value_int). */
typedef struct Value {
    char *s;            /* canonical text (all types); owned unless shared */
    unsigned line;
    unsigned col : 29;
    bool set : 1;       /* given in the spec, or filled from the table's default */
    bool defaulted : 1; /* set from the default, not from the spec */
    bool shared : 1;    /* s is static or interned for the process (value_set_shared): not freed,
                         * not written; value_clear and value_copy honour it */
} Value;

/* An integer's, a size's (bytes) or a boolean's (0/1) number; 0 when unset. Their canonical text
 * (specs/spec-value.c) is the decimal number, or true / false. */
static inline int64_t value_int(const Value *v) {
    if (!v->s)
        return 0;
    if (v->s[0] == 't' || v->s[0] == 'f')
        return v->s[0] == 't';
    return strtoll(v->s, NULL, 10);
}

/* An IP address value's family: 4 or 6 (its canonical text has a ':' exactly when IPv6); 0
 * when unset. */
static inline int value_ip_family(const Value *v) {
    return !v->s ? 0 : strchr(v->s, ':') ? 6 : 4;
}

typedef struct List {
    void *items;
    size_t n;
    unsigned line, col;
} List;

typedef enum SpecKind {
    KIND_DOMAIN,
    KIND_NETWORK,
    KIND_POOL,
    _KIND_MAX,
    _KIND_INVALID = -EINVAL,
} SpecKind;

const char *spec_kind_to_string(SpecKind k);
SpecKind spec_kind_from_string(const char *s);

typedef struct DiskSpec {
    Value name, pool, path, size, format, bus, cache, dev, image, existing;
    Value image_path;           /* image: a local file (also the plain string form)… */
    Value image_url, image_sha256;   /* …or {url, sha256}: fetched, verified, cached by sha256 */
    Value io, discard, detect_zeroes, serial, shareable, boot, wwn, copy_on_read, volume;
} DiskSpec;

typedef struct CdromSpec {
    Value path, dev, bus;
    Value pool, volume;         /* a pool volume instead of a path (the cloud_init seed is one) */
} CdromSpec;

typedef struct CloudUserSpec {
    Value name, ssh_authorized_keys_file, sudo, password_hash_file, shell;
    List ssh_authorized_keys;   /* of Value */
} CloudUserSpec;

typedef struct IfaceSpec {
    Value type, network, bridge, dev, mode, model, mac, mtu, queues, target, portgroup;
    Value trust_guest_rx_filters, boot, driver_iommu, pci_bus, pci_slot, ovs, ovs_interfaceid;
    Value tunnel_ip, tunnel_port, tunnel_local_ip, tunnel_local_port;   /* udp, mcast, server, client */
    Value ip, netmask;          /* a DHCP reservation on the network (spec_set_derive) */
    Value guest_ipv6;           /* of the network derived for ip */
    Value backend;              /* type user: auto, passt, slirp */
    List forward;               /* type user: of PortForwardSpec */
} IfaceSpec;

typedef struct PortForwardSpec {    /* <portForward> of a user-mode interface (passt) */
    Value host, guest, proto, address;
} PortForwardSpec;

typedef struct InputSpec {
    Value type, bus;
} InputSpec;

typedef struct ChannelSpec {
    Value type, target_type, target_name, target_address, target_port, source_mode, source_path;
} ChannelSpec;

typedef struct HypervSpec {
    Value name, state, retries, value;
} HypervSpec;

typedef struct TimerSpec {
    Value name, track, tickpolicy, frequency, mode, present;
} TimerSpec;

typedef struct CpuFeatureSpec {
    Value name, policy;
} CpuFeatureSpec;

typedef struct NumaCellSpec {
    Value cpus, memory, mem_access;
} NumaCellSpec;

typedef struct VcpuPinSpec {
    Value vcpu, cpuset;
} VcpuPinSpec;

typedef struct HugePageSpec {
    Value size, nodeset;
} HugePageSpec;

typedef struct CharDevSpec {        /* serials and consoles */
    Value type, path, append, port, target_type;
} CharDevSpec;

typedef struct RedirDevSpec {
    Value type, host, service;
} RedirDevSpec;

typedef struct RedirFilterSpec {
    Value class_, vendor, product, version, allow;
} RedirFilterSpec;

typedef struct PciHostSpec {
    Value address, managed;
} PciHostSpec;

typedef struct UsbHostSpec {
    Value vendor, product, bus, device, startup_policy;
} UsbHostSpec;

typedef struct FloppySpec {
    Value path, dev;
} FloppySpec;

typedef struct FilesystemSpec {
    Value source, target, driver, accessmode, readonly;
} FilesystemSpec;

typedef struct EnvSpec {
    Value name, value;
} EnvSpec;

typedef struct XmlAddSpec {         /* escape hatch: a fragment appended below a parent */
    Value at, fragment;
} XmlAddSpec;

typedef struct XmlSetSpec {         /* escape hatch: an attribute or element text */
    Value path, value;
} XmlSetSpec;

/* The `xml` key of every kind: raw edits of the rendered document for what no key covers. */
typedef struct XmlHatchSpec {
    Value present;
    List add;                   /* of XmlAddSpec */
    List set;                   /* of XmlSetSpec */
    List remove;                /* of Value */
} XmlHatchSpec;

/* Where a spec runs among the Host documents of the tree (docs/fleet.md, specs/placement.c):
 * a named host, or the hosts whose labels match, ranked by rendezvous hashing. */
typedef struct PlacementSpec {
    Value present, host, spread;
    List match;                 /* of Value "label=value" (sorted by label) */
} PlacementSpec;

/* A boxed section (KEY_BOXED, include/spec-table.h): rarely written, so a DomainSpec holds only a
 * pointer to it, allocated when a document (or a template) writes the map (docs/performance.md,
 * memory). Its rows count their offsets from the section. */
typedef struct SysinfoSpec {
    Value present;
    struct { Value present, vendor, version, date, release; } bios;
    struct { Value present, manufacturer, product, version, serial, uuid, sku, family; } system;
    struct { Value present, manufacturer, product, version, serial, asset, location; } base_board;
    struct { Value present, manufacturer, version, serial, asset, sku; } chassis;
    List oem_strings;           /* of Value */
} SysinfoSpec;

typedef struct LaunchSecuritySpec {
    Value present, type, cbitpos, reduced_phys_bits, policy, dh_cert, session;
} LaunchSecuritySpec;

typedef struct MemtuneSpec {
    Value present, hard_limit, soft_limit, swap_hard_limit;
} MemtuneSpec;

typedef struct CputuneSpec {
    Value present, shares;
    List vcpupin;
} CputuneSpec;

typedef struct NumatuneSpec {
    Value present, nodeset, mode;
} NumatuneSpec;

typedef struct SmartcardSpec {
    Value present, mode, type, source_mode, host, service;
} SmartcardSpec;

typedef struct FirmwareSpec {
    Value present, type, secure_boot, enrolled_keys, reset_nvram;
} FirmwareSpec;

typedef struct ClockSpec {
    Value present, offset, basis, adjustment, timezone, start;
    List timers;
} ClockSpec;

typedef struct MemoryBackingSpec {
    Value present, hugepages, nosharepages, locked, source, access, allocation;
    List pages;             /* of HugePageSpec */
    
} MemoryBackingSpec;

typedef struct CpuTopologySpec {
    Value present, sockets, cores, threads;
} CpuTopologySpec;

typedef struct CpuSpec {
    Value present, mode, model, fallback;
    List features;              /* of CpuFeatureSpec */
} CpuSpec;

typedef struct SoundSpec {
    Value present, model;
} SoundSpec;

typedef struct TpmSpec {
    Value present, model, type, path, version;
} TpmSpec;

typedef struct RngSpec {
    Value present, model, backend;
} RngSpec;

typedef struct WatchdogSpec {
    Value present, model, action;
} WatchdogSpec;

typedef struct MemballoonSpec {
    Value present, model, enabled, stats_period;
} MemballoonSpec;

typedef struct UsbControllerSpec {
    Value present, model, ports;
} UsbControllerSpec;

typedef struct SnapshotsSpec {
    Value present, before_reload, keep;
} SnapshotsSpec;

typedef struct DomainSpec {
    Value name, uuid, title, description;
    Value domain_type, machine_type, machine_arch, emulator;
    Value memory, max_memory, cpus, max_cpus;
    CpuTopologySpec *cputopology; /* boxed: NULL until written (spec_box) */
    CpuSpec *cpu;               /* boxed: NULL until written (spec_box) */
    Value nested;
    List features;              /* of Value (enum) */
    Value kvm_hidden;
    List hyperv;                /* of HypervSpec */
    ClockSpec *clock;           /* boxed: NULL until written (spec_box) */
    List numa;                  /* of NumaCellSpec */
    CputuneSpec *cputune;       /* boxed: NULL until written (spec_box) */
    Value cpuset;
    NumatuneSpec *numatune;     /* boxed: NULL until written (spec_box) */
    MemoryBackingSpec *memorybacking; /* boxed: NULL until written (spec_box) */
    MemtuneSpec *memtune;       /* boxed: NULL until written (spec_box) */
    Value loader, nvram, nvram_template, kernel, initrd, cmdline, dtb;
    FirmwareSpec *firmware;     /* boxed: NULL until written (spec_box) */
    SysinfoSpec *sysinfo;       /* boxed: NULL until written (spec_box) */
    List boot;                  /* of Value (enum) */
    struct { Value present, type, port, autoport, listen, passwd, passwd_file, keymap; } graphics;
    struct { Value present, type, vram; } video;
    SoundSpec *sound;           /* boxed: NULL until written (spec_box) */
    TpmSpec *tpm;               /* boxed: NULL until written (spec_box) */
    List disks;                 /* of DiskSpec */
    List cdroms;                /* of CdromSpec */
    List interfaces;            /* of IfaceSpec */
    List inputs;                /* of InputSpec */
    List channels;              /* of ChannelSpec */
    Value guest_agent;
    RngSpec *rng;               /* boxed: NULL until written (spec_box) */
    WatchdogSpec *watchdog;     /* boxed: NULL until written (spec_box) */
    List serials, consoles;     /* of CharDevSpec */
    MemballoonSpec *memballoon; /* boxed: NULL until written (spec_box) */
    UsbControllerSpec *usb_controller; /* boxed: NULL until written (spec_box) */
    SmartcardSpec *smartcard;   /* boxed: NULL until written (spec_box) */
    List redirdevs;             /* of RedirDevSpec */
    List redirfilters;          /* of RedirFilterSpec */
    List pci;                   /* of PciHostSpec */
    List usb;                   /* of UsbHostSpec */
    LaunchSecuritySpec *launch_security; /* boxed: NULL until written (spec_box) */
    List qemu_args;             /* of Value */
    List qemu_env;              /* of EnvSpec */
    List floppies;              /* of FloppySpec */
    List filesystems;           /* of FilesystemSpec */
    struct {
        Value present, hostname, network, user_data_file, rerun, pool;
        List users;             /* of CloudUserSpec */
    } cloud_init;
    XmlHatchSpec xml;
    Value autostart, state, reload, shutdown_timeout, adopt, suspend_mode;
    Value delete_volumes_on_removal;
    SnapshotsSpec *snapshots;   /* boxed: NULL until written (spec_box) */
    PlacementSpec placement;
} DomainSpec;

/* An all-zero block: what a boxed section that was never written reads as (an unset embedded
 * section, exactly). Every boxed section fits in it (tests/unit/test-spec-table.c). */
extern const max_align_t spec_zero_section[64];
/* A boxed section of a spec, for reading: spec_box(d, sysinfo)->bios.vendor. */
#define spec_box(d, field) \
    ((d)->field ? (const __typeof__(*(d)->field) *) (d)->field \
                : (const __typeof__(*(d)->field) *) (const void *) spec_zero_section)

/* The NoCloud seed volume of a domain with cloud_init: "cidata-DOMAIN.iso". No disk volume
 * (DOMAIN-DISK.qcow2 / .raw) and no base image (base-HASH-FILE) has that form. */
char *spec_seed_volume_name(const char *domain);
/* Whether line is an OpenSSH public key line (TYPE BASE64 [comment]); with options, also one of
 * authorized_keys after an options prefix (no-pty,command="…" TYPE BASE64 …). */
bool spec_ssh_key_line_ok(const char *line, bool options);

typedef struct DhcpHostSpec {
    Value mac, ip, name;
} DhcpHostSpec;

typedef struct DnsHostSpec {
    Value ip;
    List names;                 /* of Value */
} DnsHostSpec;

typedef struct NetworkSpec {
    Value name, uuid, forward, forward_dev, bridge, ip, mtu, domain, domain_local_only, ipv6, guest_ipv6;
    struct { Value present, start, end; List hosts; Value bootp_file, bootp_server; } dhcp;
    Value tftp_root;
    struct { Value present; List hosts; } dns;  /* hosts: of DnsHostSpec */
    XmlHatchSpec xml;
    Value autostart, reload, adopt;
    PlacementSpec placement;
} NetworkSpec;

typedef struct PoolSpec {
    Value name, type, path, mode, owner, group, autostart, adopt;
    List source_devices;        /* of Value (logical) */
    Value vg_name, build;       /* logical */
    Value source_host, source_dir, format;   /* netfs */
    XmlHatchSpec xml;
    PlacementSpec placement;
} PoolSpec;

/* A `kind: Host` document (docs/fleet.md): a hypervisor of the fleet. Not an object of libvirt's:
 * only placement reads it. */
typedef struct HostSpec {
    Value name, uri, maintenance, lost;
    List labels;                /* of Value "label=value" (sorted by label) */
    struct { Value present, memory, vcpus; } capacity;
    char *file;
    unsigned line, col;
} HostSpec;
#define HOST_KIND "Host"

/* Nested maps begin with a `present` Value: set when the map was written (or, for maps whose row
 * has KEY_ALWAYS, always), so a device like a TPM exists exactly when its map is given. */

/* One parsed document. */
typedef struct Spec {
    unsigned n_ref;             /* shared between the daemon's store and work in flight */
    SpecKind kind;
    char *file;
    unsigned line, col;         /* where the document starts */
    char *name;                 /* convenience copy of the name value */
    char **template_files;      /* the files of the templates it was built with (status: a
                                 * refused edit there holds it at this version) */
    size_t n_template_files;
    union {
        DomainSpec domain;
        NetworkSpec network;
        PoolSpec pool;
    };
} Spec;

/* All documents loaded from a set of paths, plus what was wrong with them. */
typedef struct SpecSet {
    Spec **specs;
    size_t n;
    char **files;               /* every spec file looked at */
    size_t n_files;
    char **bad_files;           /* files with at least one error: none of their specs are in specs */
    size_t n_bad_files;
    /* Objects whose document parsed but that a check across documents rejected (the same name in
     * two files, a contradiction between a Network and a Domain, an ip: reservation): not in
     * specs, and not gone either — the daemon keeps their last good version in force instead of
     * treating them as removed (orphaned, pruned). */
    struct SpecHeld { SpecKind kind; char *name; } *held;
    size_t n_held;
    HostSpec **hosts;           /* the `kind: Host` documents, in load order */
    size_t n_hosts;
    bool incomplete;            /* a path could not be read, or a walk not all of its tree (the
                                 * diagnostics say where): what was not read is not gone */
    DiagList diags;
} SpecSet;

/* Drops a reference; frees on the last. spec_free is the same as spec_unref. */
Spec *spec_unref(Spec *s);
Spec *spec_ref(Spec *s);
#define spec_free spec_unref
DEFINE_TRIVIAL_CLEANUP_FUNC(Spec *, spec_free);
void spec_set_clear(SpecSet *set);
/* What differs between two sets (specs by kind, name, place and canonical content, in order;
 * diagnostics, files, files with errors, held specs, hosts), or NULL when nothing does. */
const char *spec_set_difference(const SpecSet *a, const SpecSet *b);
/* Takes s out of the set's specs (by the caller) but records its kind and name in set->held. */
void spec_set_hold(SpecSet *set, const Spec *s);
bool spec_set_is_held(const SpecSet *set, SpecKind kind, const char *name);
/* A file with an error contributes no spec, also when the error comes from a check across
 * documents (a duplicate name, an ip: reservation): its specs leave the set and are held, and the
 * file joins bad_files. Files already in bad_files keep theirs (the daemon's last good version). */
void spec_set_drop_bad_files(SpecSet *set);
/* Holds (spec_set_hold) and frees specs[k] for each k < n_drop with drop[k], keeps the others in
 * order, then spec_set_drop_bad_files: what a check across documents rejected leaves the set. */
void spec_set_drop_held(SpecSet *set, const bool *drop, size_t n_drop);

/* Parse one file's bytes into specs (appended to set). Files with any error contribute no spec. */
int spec_load_buffer(SpecSet *set, const char *file, const char *buf, size_t len);
/* Load files and directories (recursively, .yaml and .yml files, skipping dot-names). Returns 0, or
 * negative errno when a path cannot be read (also recorded as a diagnostic). After loading all
 * files, cross-file checks (duplicate names) run. */
int spec_load_paths(SpecSet *set, char *const *paths, size_t n_paths);
/* Cross-document checks over the whole set (duplicate names across files). */
void spec_set_verify(SpecSet *set);

/* Reads a spec file (size-limited, regular files only). On failure returns negative errno and
 * *ret_msg explains. */
int spec_read_file(const char *path, char **ret_buf, size_t *ret_len, char **ret_msg);
/* Walking a spec tree (specs/spec-walk.c says what is followed). Every directory and spec file
 * below path (or path itself), in sorted order. Returns 0, 1 when part of the tree was not read
 * (each such place is an error in diags), or negative errno when path itself cannot be read. */
#define SPEC_WALK_MAX_DEPTH 64u         /* directories below the root */
#define SPEC_WALK_MAX_DIRS 10000u
#define SPEC_WALK_MAX_ENTRIES 1000000u  /* directory entries read */
#define SPEC_WALK_MAX_FILES 100000u     /* spec files */
typedef struct SpecWalkOps {
    void (*file)(const char *file, void *userdata);
    void (*dir)(const char *dir, void *userdata);
} SpecWalkOps;
int spec_walk_tree(const char *path, const SpecWalkOps *ops, void *userdata, DiagList *diags);
/* spec_walk_tree for files only. */
int spec_walk(const char *path, void (*cb)(const char *file, void *userdata), void *userdata,
              DiagList *diags);
bool spec_file_name(const char *name);
/* Running as root, a spec file and every directory above it up to '/' — along the path as given
 * (its symbolic links included) and along the path they resolve to — must be owned by root and
 * not writable by group or others (a directory may be when it is sticky, like /tmp), like sshd's
 * StrictModes (specs/spec-trust.c). memo (may be NULL): the directories one load of many files
 * found good, so that 10,000 files in one directory do not each check the chain above it again
 * (a load takes it on its stack and clears it at its end: a later load looks again). */
typedef struct SpecTrustMemo {
    char *dir[2];               /* the parent directory whose chain is good: as given, resolved */
    char *given_dir, *real_dir; /* the last file's directory, as given and resolved */
} SpecTrustMemo;
int spec_check_trust(const char *path, const char *root, SpecTrustMemo *memo, char **ret_msg);
void spec_trust_memo_clear(SpecTrustMemo *memo);
/* One path's stat, for a reader with effective uid me: owned by root or me, and not writable by
 * group or others (a sticky directory may be: its entries can be renamed only by their owners;
 * a symbolic link's own mode means nothing). */
typedef enum SpecTrust { SPEC_TRUST_OK, SPEC_TRUST_OWNER, SPEC_TRUST_WRITABLE } SpecTrust;
struct stat;
SpecTrust spec_trust_verdict(const struct stat *st, uid_t me);
extern bool spec_trust_relaxed;   /* --insecure-spec-perms: development and tests only */
extern bool spec_trust_warn_only; /* read-only commands: a warning instead of a refusal */

const Spec *spec_set_find(const SpecSet *set, SpecKind kind, const char *name);
/* The set's specs sorted by kind and name, for a look-up per object over thousands of specs
 * (spec_set_find walks the set: a plan over 10,000 specs spent a third of its time there). It
 * points into the set: build it after the set's last change, clear it before the set. With two
 * specs of one kind and name (a set before spec_set_verify), the one first in the set is found,
 * as spec_set_find finds it. */
typedef struct SpecIndex {
    struct SpecIndexEntry {
        const Spec *spec;
        size_t pos;             /* in the set */
    } *items;
    size_t n;
} SpecIndex;
void spec_index_build(SpecIndex *ix, const SpecSet *set);
const Spec *spec_index_find(const SpecIndex *ix, SpecKind kind, const char *name);
void spec_index_clear(SpecIndex *ix);
const HostSpec *spec_set_find_host(const SpecSet *set, const char *name);
void host_free(HostSpec *h);
/* Two Host documents of one name: an error at the second, whose file is dropped (spec-host.c). */
void spec_set_verify_hosts(SpecSet *set);

/* A CPU or NUMA node set ("0-3,8,10-11", "^2" excluded) in canonical form ("0-3,8,10-11"), or
 * NULL when it does not parse or names an id >= limit. */
char *cpuset_canonical(const char *s, unsigned limit);
/* Whether canonical set a contains id. */
bool cpuset_has(const char *canonical, unsigned id);

/* Derived desired state (specs/spec-derive.c): interfaces with `ip` get a network (one whose
 * subnet holds the address, or an owned vs-A.B.C.D-P for the subnet) and a DHCP reservation
 * MAC → IP in it. Specs it changes are replaced in the set by copies (the parsed ones, which the
 * daemon keeps across passes, are never touched); synthetic networks are appended. Problems are
 * errors in set->diags and drop the domain. Call after loading, before render or plan. */
void spec_set_derive(SpecSet *set);
/* The DHCP range of a network whose `dhcp` gives neither start nor end (`dhcp: {}`), the one a
 * derived network gets too: the addresses after the network's IPv4 `ip` up to the last below
 * the broadcast address (before it when ip is the last), within the subnet's first /16. False
 * without an IPv4 ip or when no address is left. */
bool spec_dhcp_default_range(const Spec *n, char **ret_start, char **ret_end);
/* A deep copy with one reference. */
Spec *spec_copy(const Spec *s);
/* A hash of the spec's canonical model (specs/spec-canonical.c): every key of its kind's table
 * with its canonical value, not where it was written. Equal exactly when the documents say the
 * same thing (up to hash collisions); secrets count, but only the hash is returned. */
char *spec_canonical_hash(const Spec *s);   /* as 16 hex digits */
uint64_t spec_canonical_hash64(const Spec *s);

/* The device name prefix of a disk or cdrom bus: vd (virtio), hd (ide), sd (the others). */
const char *spec_dev_prefix(const char *bus);
/* Gives the disks and cdroms of d that name no `dev` their device again: kept[i] (disk i, then
 * cdrom i - n_disks; NULL: none) when given, else the first name of the item's bus that no
 * other entry has and that is not in busy (NULL-terminated), in spec order. kept and busy may be
 * NULL: the devices the spec alone derives. */
void spec_reassign_devices(DomainSpec *d, char *const *kept, char *const *busy);

/* Deterministic MAC for interface idx of domain name when the spec gives none. */
void spec_derive_mac(const char *domain, size_t idx, char ret[static 18]);
