/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <stdint.h>

#include "spec-table.h"

#define KiB 1024LL
#define MiB (1024LL * 1024)
#define GiB (1024LL * MiB)
#define TiB (1024LL * GiB)

#define ROW(_struct, _field, ...) { .offset = offsetof(_struct, _field), __VA_ARGS__ }
#define TABLE(_name, _rows, ...) { .name = _name, .keys = _rows, .n_keys = ELEMENTSOF(_rows), __VA_ARGS__ }

static const char *const change_class_names[_CHANGE_MAX] = {
    [CHANGE_NONE] = "none",
    [CHANGE_IDENTITY] = "identity",
    [CHANGE_LIVE] = "live",
    [CHANGE_CONFIG] = "config",
    [CHANGE_FIRST_BOOT] = "first-boot",
};

const char *change_class_to_string(ChangeClass c) {
    return c >= 0 && c < _CHANGE_MAX ? change_class_names[c] : NULL;
}

/* ---- enums ---- */
static const char *const e_domain_type[] = { "auto", "kvm", "qemu", NULL };
static const char *const e_arch[] = { "x86_64", "i686", "aarch64", "armv7l", "ppc64", "ppc64le",
                                      "s390x", "riscv64", NULL };
static const char *const e_cpu_mode[] = { "host-model", "host-passthrough", "custom", "maximum", NULL };
static const char *const e_fallback[] = { "allow", "forbid", NULL };
static const char *const e_boot[] = { "hd", "cdrom", "network", "fd", NULL };
static const char *const e_gfx[] = { "vnc", "spice", "sdl", "none", NULL };
static const char *const e_video[] = { "virtio", "vga", "cirrus", "qxl", "bochs", "ramfb",
                                       "vmvga", "none", NULL };
static const char *const e_sound[] = { "ich6", "ich9", "ac97", "es1370", "sb16", "usb", "ich7", NULL };
static const char *const e_tpm_model[] = { "tpm-tis", "tpm-crb", "tpm-spapr", NULL };
static const char *const e_tpm_type[] = { "passthrough", "emulator", NULL };
static const char *const e_tpm_version[] = { "1.2", "2.0", NULL };
static const char *const e_disk_bus[] = { "virtio", "scsi", "sata", "ide", "usb", NULL };
static const char *const e_cdrom_bus[] = { "sata", "ide", "scsi", "usb", NULL };
static const char *const e_format[] = { "qcow2", "raw", NULL };
static const char *const e_cache[] = { "default", "none", "writethrough", "writeback",
                                       "directsync", "unsafe", NULL };
static const char *const e_io[] = { "threads", "native", "io_uring", NULL };
static const char *const e_discard[] = { "ignore", "unmap", NULL };
static const char *const e_dzeroes[] = { "off", "on", "unmap", NULL };
static const char *const e_iface_type[] = { "network", "bridge", "direct", "udp", "mcast", "server",
                                            "client", "user", NULL };
static const char *const e_user_backend[] = { "auto", "passt", "slirp", NULL };
static const char *const e_forward_proto[] = { "tcp", "udp", NULL };
static const char *const e_macvtap_mode[] = { "bridge", "vepa", "private", "passthrough", NULL };
static const char *const e_nic_model[] = { "virtio", "e1000", "e1000e", "rtl8139", "ne2k_pci",
                                           "pcnet", "vmxnet3", NULL };
static const char *const e_input_type[] = { "mouse", "tablet", "keyboard", NULL };
static const char *const e_input_bus[] = { "usb", "ps2", "virtio", NULL };
static const char *const e_channel_type[] = { "unix", "spicevmc", "pty", NULL };
static const char *const e_channel_target[] = { "virtio", "guestfwd", NULL };
static const char *const e_rng_model[] = { "virtio", NULL };
static const char *const e_rng_backend[] = { "/dev/urandom", "/dev/random", "/dev/hwrng", NULL };
static const char *const e_watchdog_model[] = { "i6300esb", "ib700", "diag288", "itco", NULL };
static const char *const e_watchdog_action[] = { "reset", "shutdown", "poweroff", "pause", "none",
                                                 "dump", "inject-nmi", NULL };
static const char *const e_features[] = { "acpi", "apic", "pae", "hap", "viridian", "privnet",
                                          "pvspinlock", "pmu", "vmcoreinfo", "smm", "gic", NULL };
static const char *const e_hyperv[] = { "relaxed", "vapic", "spinlocks", "vpindex", "runtime",
                                        "synic", "stimer", "reset", "vendor_id", "frequencies",
                                        "reenlightenment", "tlbflush", "ipi", "evmcs", "avic", NULL };
static const char *const e_clock_offset[] = { "utc", "localtime", "timezone", "variable",
                                              "absolute", NULL };
static const char *const e_clock_basis[] = { "utc", "localtime", NULL };
static const char *const e_timer[] = { "platform", "pit", "rtc", "hpet", "tsc", "kvmclock",
                                       "hypervclock", "armvtimer", NULL };
static const char *const e_timer_track[] = { "boot", "guest", "wall", "realtime", NULL };
static const char *const e_tickpolicy[] = { "delay", "catchup", "merge", "discard", NULL };
static const char *const e_timer_mode[] = { "auto", "native", "emulate", "paravirt", "smpsafe", NULL };
static const char *const e_cpu_policy[] = { "force", "require", "optional", "disable", "forbid", NULL };
static const char *const e_mem_access[] = { "shared", "private", NULL };
static const char *const e_numatune_mode[] = { "strict", "preferred", "interleave", "restrictive", NULL };
static const char *const e_mem_source[] = { "file", "anonymous", "memfd", NULL };
static const char *const e_mem_alloc[] = { "immediate", "ondemand", NULL };
static const char *const e_chardev[] = { "pty", "file", NULL };
static const char *const e_console_target[] = { "virtio", NULL };
static const char *const e_balloon[] = { "virtio", "virtio-transitional", "virtio-non-transitional",
                                         NULL };
static const char *const e_usb_model[] = { "qemu-xhci", "nec-xhci", "ich9-ehci1", "piix3-uhci",
                                           "piix4-uhci", "none", NULL };
static const char *const e_smartcard_mode[] = { "passthrough", "host", NULL };
static const char *const e_redir_type[] = { "spicevmc", "tcp", NULL };
static const char *const e_source_mode[] = { "connect", "bind", NULL };
static const char *const e_startup[] = { "mandatory", "requisite", "optional", NULL };
static const char *const e_sev[] = { "sev", NULL };
static const char *const e_fs_driver[] = { "virtiofs", "9p", NULL };
static const char *const e_fs_access[] = { "passthrough", "mapped", "squash", NULL };
static const char *const e_suspend[] = { "pause", "managedsave", NULL };
static const char *const e_state[] = { "running", "shutoff", "paused", NULL };
static const char *const e_reload[] = { "manual", "auto", NULL };
static const char *const e_forward[] = { "nat", "route", "open", "none", "veryisolated", "bridge", NULL };
static const char *const e_pool_type[] = { "dir", "logical", "netfs", NULL };
static const char *const e_ci_network[] = { "auto", "dhcp", "none", NULL };
static const char *const e_ci_rerun[] = { "never", "on-change", NULL };
static const char *const e_netfs_format[] = { "auto", "nfs", "cifs", "glusterfs", NULL };

/* ---- Domain: nested maps ---- */
static const KeyDef cputopology_rows[] = {
    ROW(CpuTopologySpec, sockets, .key = "sockets", .type = VT_INT, .min = 1, .max = 4096,
        .change = CHANGE_CONFIG, .xml = "cpu/topology/@sockets", .flags = KEY_REQUIRED,
        .vagrant = "cputopology :sockets", .doc = "CPU sockets"),
    ROW(CpuTopologySpec, cores, .key = "cores", .type = VT_INT, .min = 1, .max = 4096,
        .change = CHANGE_CONFIG, .xml = "cpu/topology/@cores", .flags = KEY_REQUIRED,
        .vagrant = "cputopology :cores", .doc = "cores per socket"),
    ROW(CpuTopologySpec, threads, .key = "threads", .type = VT_INT, .min = 1, .max = 64,
        .change = CHANGE_CONFIG, .xml = "cpu/topology/@threads", .flags = KEY_REQUIRED,
        .vagrant = "cputopology :threads", .doc = "threads per core"),
};
static const KeyTable cputopology_table = TABLE("cputopology", cputopology_rows,
    .item_size = sizeof(CpuTopologySpec),
    .doc = "guest CPU topology; sockets × cores × threads must equal max_cpus (or cpus)");

static const KeyDef cpu_feature_rows[] = {
    ROW(CpuFeatureSpec, name, .key = "name", .type = VT_STRING, .max = 64, .change = CHANGE_CONFIG,
        .xml = "@name", .flags = KEY_REQUIRED | KEY_ITEM_KEY, .vagrant = "cpu_feature :name",
        .doc = "CPU feature flag as libvirt names it (vmx and svm belong to nested)"),
    ROW(CpuFeatureSpec, policy, .key = "policy", .type = VT_ENUM, .choices = e_cpu_policy,
        .def = "require", .change = CHANGE_CONFIG, .xml = "@policy",
        .vagrant = "cpu_feature :policy", .doc = "whether the guest must, may or must not see it"),
};
static const KeyTable cpu_feature_table = TABLE("cpu.features", cpu_feature_rows,
    .item_size = sizeof(CpuFeatureSpec), .xml_elem = "cpu/feature",
    .doc = "CPU feature flags, matched by name");

static const KeyDef cpu_rows[] = {
    ROW(CpuSpec, mode, .key = "mode", .type = VT_ENUM, .choices = e_cpu_mode,
        .change = CHANGE_CONFIG, .xml = "cpu/@mode", .vagrant = "cpu_mode",
        .doc = "CPU model mode; libvirt's default (emulator's choice) when unset"),
    ROW(CpuSpec, model, .key = "model", .type = VT_STRING, .max = 64,
        .change = CHANGE_CONFIG, .xml = "cpu/model", .vagrant = "cpu_model",
        .doc = "CPU model name (mode custom requires it)"),
    ROW(CpuSpec, fallback, .key = "fallback", .type = VT_ENUM, .choices = e_fallback,
        .change = CHANGE_CONFIG, .xml = "cpu/model/@fallback", .vagrant = "cpu_fallback",
        .doc = "whether libvirt may fall back to a close CPU model (needs model)"),
    ROW(CpuSpec, features, .key = "features", .type = VT_LIST, .sub = &cpu_feature_table,
        .change = CHANGE_CONFIG, .vagrant = "cpu_feature", .doc = "CPU feature flags"),
};
static const KeyTable cpu_table = TABLE("cpu", cpu_rows,
    .item_size = sizeof(CpuSpec), .doc = "guest CPU model");

static const KeyDef graphics_rows[] = {
    ROW(DomainSpec, graphics.type, .key = "type", .type = VT_ENUM, .choices = e_gfx, .def = "vnc",
        .change = CHANGE_CONFIG, .xml = "devices/graphics/@type", .hook = HOOK_GRAPHICS_NONE,
        .vagrant = "graphics_type", .doc = "display protocol; none removes graphics"),
    ROW(DomainSpec, graphics.autoport, .key = "autoport", .type = VT_BOOL,
        .change = CHANGE_CONFIG, .xml = "devices/graphics/@autoport",
        .vagrant = "graphics_autoport",
        .doc = "let libvirt pick the port; default true unless port is given"),
    ROW(DomainSpec, graphics.port, .key = "port", .type = VT_INT, .min = 5900, .max = 65535,
        .change = CHANGE_CONFIG, .xml = "devices/graphics/@port", .vagrant = "graphics_port",
        .doc = "fixed display port (conflicts with autoport: true)"),
    ROW(DomainSpec, graphics.listen, .key = "listen", .type = VT_IP, .def = "127.0.0.1",
        .change = CHANGE_CONFIG, .xml = "devices/graphics/@listen", .vagrant = "graphics_ip",
        .doc = "address the display server listens on"),
    ROW(DomainSpec, graphics.keymap, .key = "keymap", .type = VT_STRING, .max = 16, .def = "en-us",
        .change = CHANGE_CONFIG, .xml = "devices/graphics/@keymap", .vagrant = "keymap",
        .doc = "keyboard layout of the display"),
    ROW(DomainSpec, graphics.passwd, .key = "passwd", .type = VT_STRING, .max = 64,
        .change = CHANGE_LIVE, .xml = "devices/graphics/@passwd", .hook = HOOK_PASSWD,
        .flags = KEY_SECRET, .vagrant = "graphics_passwd",
        .doc = "display password (vnc: at most 8 characters); never printed"),
    ROW(DomainSpec, graphics.passwd_file, .key = "passwd_file", .type = VT_PATH,
        .change = CHANGE_LIVE, .flags = KEY_SECRET | KEY_NO_XML,
        .doc = "read the display password from this root-only file at apply time"),
};
static const KeyTable graphics_table = TABLE("graphics", graphics_rows, .doc = "display");

static const KeyDef video_rows[] = {
    ROW(DomainSpec, video.type, .key = "type", .type = VT_ENUM, .choices = e_video, .def = "virtio",
        .change = CHANGE_CONFIG, .xml = "devices/video/model/@type", .vagrant = "video_type",
        .doc = "video adapter model (vagrant-libvirt's default cirrus is obsolete)"),
    ROW(DomainSpec, video.vram, .key = "vram", .type = VT_INT, .min = 1024, .max = 1048576,
        .change = CHANGE_CONFIG, .xml = "devices/video/model/@vram", .vagrant = "video_vram",
        .doc = "video memory in KiB (qxl, vga, cirrus, vmvga, bochs only)"),
};
static const KeyTable video_table = TABLE("video", video_rows, .doc = "video adapter");

static const KeyDef sound_rows[] = {
    ROW(SoundSpec, model, .key = "model", .type = VT_ENUM, .choices = e_sound,
        .change = CHANGE_CONFIG, .xml = "devices/sound/@model", .flags = KEY_REQUIRED,
        .vagrant = "sound_type", .doc = "sound card model"),
};
static const KeyTable sound_table = TABLE("sound", sound_rows,
    .item_size = sizeof(SoundSpec), .doc = "sound card (none by default)");

static const char *const e_firmware[] = { "efi", "bios", NULL };
static const KeyDef firmware_rows[] = {
    ROW(FirmwareSpec, type, .key = "type", .type = VT_ENUM, .choices = e_firmware,
        .flags = KEY_REQUIRED, .change = CHANGE_CONFIG, .xml = "os/@firmware", .hook = HOOK_FIRMWARE,
        .doc = "efi or bios, chosen by libvirt from the host's firmware descriptors"),
    ROW(FirmwareSpec, secure_boot, .key = "secure_boot", .type = VT_BOOL, .change = CHANGE_CONFIG,
        .xml = "os/firmware/feature[@name='secure-boot']/@enabled", .hook = HOOK_FIRMWARE_FEATURE,
        .doc = "efi only: a firmware that enforces Secure Boot (true) or one without it (false); "
               "unset: libvirt's first match. Needs machine_type q35. A change needs a fresh NVRAM "
               "(reset_nvram)"),
    ROW(FirmwareSpec, enrolled_keys, .key = "enrolled_keys", .type = VT_BOOL,
        .change = CHANGE_CONFIG, .xml = "os/firmware/feature[@name='enrolled-keys']/@enabled",
        .hook = HOOK_FIRMWARE_FEATURE,
        .doc = "efi only: NVRAM template with the distribution's Secure Boot keys enrolled (true) or "
               "none (false); true needs secure_boot true. A change needs a fresh NVRAM (reset_nvram)"),
    ROW(FirmwareSpec, reset_nvram, .key = "reset_nvram", .type = VT_BOOL,
        .change = CHANGE_NONE, .flags = KEY_NO_XML,
        .doc = "allow virtspec to replace the NVRAM file with a fresh copy of the template when "
               "secure_boot or enrolled_keys change (the guest's UEFI variables are lost); never "
               "done otherwise"),
};
static const KeyTable firmware_table = TABLE("firmware", firmware_rows,
    .item_size = sizeof(FirmwareSpec),
                                             .doc = "firmware by intent (libvirt's automatic selection)");

static const KeyDef tpm_rows[] = {
    ROW(TpmSpec, model, .key = "model", .type = VT_ENUM, .choices = e_tpm_model,
        .def = "tpm-tis", .change = CHANGE_CONFIG, .xml = "devices/tpm/@model",
        .vagrant = "tpm_model", .doc = "TPM interface model"),
    ROW(TpmSpec, type, .key = "type", .type = VT_ENUM, .choices = e_tpm_type,
        .def = "emulator", .change = CHANGE_CONFIG, .xml = "devices/tpm/backend/@type",
        .hook = HOOK_TPM_BACKEND, .vagrant = "tpm_type",
        .doc = "emulator (swtpm) or passthrough of a host TPM"),
    ROW(TpmSpec, path, .key = "path", .type = VT_PATH, .change = CHANGE_CONFIG,
        .xml = "devices/tpm/backend/device/@path", .vagrant = "tpm_path",
        .doc = "host TPM device (passthrough only)"),
    ROW(TpmSpec, version, .key = "version", .type = VT_ENUM, .choices = e_tpm_version,
        .change = CHANGE_CONFIG, .xml = "devices/tpm/backend/@version", .flags = KEY_WHEN_SET,
        .vagrant = "tpm_version", .doc = "TPM version (emulator only; libvirt picks when unset)"),
};
static const KeyTable tpm_table = TABLE("tpm", tpm_rows,
    .item_size = sizeof(TpmSpec), .doc = "TPM (none unless given)");

static const KeyDef rng_rows[] = {
    ROW(RngSpec, model, .key = "model", .type = VT_ENUM, .choices = e_rng_model,
        .def = "virtio", .change = CHANGE_CONFIG, .xml = "devices/rng/@model",
        .vagrant = "random", .doc = "RNG device model"),
    ROW(RngSpec, backend, .key = "backend", .type = VT_ENUM, .choices = e_rng_backend,
        .def = "/dev/urandom", .change = CHANGE_CONFIG, .xml = "devices/rng/backend",
        .hook = HOOK_RNG_BACKEND, .doc = "host entropy source"),
};
static const KeyTable rng_table = TABLE("rng", rng_rows,
    .item_size = sizeof(RngSpec), .doc = "virtio RNG (none unless given)");

static const KeyDef watchdog_rows[] = {
    ROW(WatchdogSpec, model, .key = "model", .type = VT_ENUM, .choices = e_watchdog_model,
        .change = CHANGE_CONFIG, .xml = "devices/watchdog/@model", .flags = KEY_REQUIRED,
        .vagrant = "watchdog :model", .doc = "watchdog device model"),
    ROW(WatchdogSpec, action, .key = "action", .type = VT_ENUM, .choices = e_watchdog_action,
        .def = "reset", .change = CHANGE_CONFIG, .xml = "devices/watchdog/@action",
        .vagrant = "watchdog :action", .doc = "what happens when it fires"),
};
static const KeyTable watchdog_table = TABLE("watchdog", watchdog_rows,
    .item_size = sizeof(WatchdogSpec), .doc = "watchdog (none unless given)");

static const KeyDef numa_rows[] = {
    ROW(NumaCellSpec, cpus, .key = "cpus", .type = VT_STRING, .max = 256, .change = CHANGE_CONFIG,
        .xml = "@cpus", .hook = HOOK_CPUSET, .flags = KEY_REQUIRED, .vagrant = "numa_nodes :cpus",
        .doc = "the node's vCPUs, like 0-1 or 0,2"),
    ROW(NumaCellSpec, memory, .key = "memory", .type = VT_SIZE, .unit = MiB, .min = MiB,
        .max = 16 * TiB, .change = CHANGE_CONFIG, .xml = "@memory", .hook = HOOK_SIZE_KIB,
        .flags = KEY_REQUIRED, .vagrant = "numa_nodes :memory",
        .doc = "the node's memory (a plain number counts MiB)"),
    ROW(NumaCellSpec, mem_access, .key = "mem_access", .type = VT_ENUM, .choices = e_mem_access,
        .change = CHANGE_CONFIG, .xml = "@memAccess", .vagrant = "numa_nodes :memAccess",
        .doc = "whether the node's memory is shared with the host (vhost-user)"),
};
static const KeyTable numa_table = TABLE("numa", numa_rows, .item_size = sizeof(NumaCellSpec),
    .xml_elem = "cpu/numa/cell", .doc = "guest NUMA nodes, in id order");

static const KeyDef vcpupin_rows[] = {
    ROW(VcpuPinSpec, vcpu, .key = "vcpu", .type = VT_INT, .min = 0, .max = 4095,
        .change = CHANGE_CONFIG, .xml = "@vcpu", .flags = KEY_REQUIRED | KEY_ITEM_KEY,
        .vagrant = "cpuaffinitiy key", .doc = "guest vCPU number"),
    ROW(VcpuPinSpec, cpuset, .key = "cpuset", .type = VT_STRING, .max = 256,
        .change = CHANGE_CONFIG, .xml = "@cpuset", .hook = HOOK_CPUSET, .flags = KEY_REQUIRED,
        .vagrant = "cpuaffinitiy value", .doc = "host CPUs it may run on, like 2-3"),
};
static const KeyTable vcpupin_table = TABLE("vcpupin", vcpupin_rows,
    .item_size = sizeof(VcpuPinSpec), .xml_elem = "cputune/vcpupin",
    .doc = "vCPU pinning, matched by vcpu");

static const KeyDef cputune_rows[] = {
    ROW(CputuneSpec, shares, .key = "shares", .type = VT_INT, .min = 2, .max = 262144,
        .change = CHANGE_CONFIG, .xml = "cputune/shares", .patch = "cputune/shares",
        .vagrant = "shares", .doc = "relative CPU weight against other domains"),
    ROW(CputuneSpec, vcpupin, .key = "vcpupin", .type = VT_LIST, .sub = &vcpupin_table,
        .change = CHANGE_CONFIG, .vagrant = "cpuaffinitiy", .doc = "vCPU pinning"),
};
static const KeyTable cputune_table = TABLE("cputune", cputune_rows,
    .item_size = sizeof(CputuneSpec), .doc = "CPU scheduling");

static const KeyDef numatune_rows[] = {
    ROW(NumatuneSpec, nodeset, .key = "nodeset", .type = VT_STRING, .max = 256,
        .change = CHANGE_CONFIG, .xml = "numatune/memory/@nodeset", .hook = HOOK_CPUSET,
        .flags = KEY_REQUIRED, .patch = "numatune/memory", .vagrant = "nodeset",
        .doc = "host NUMA nodes the memory comes from, like 0 or 0-1"),
    ROW(NumatuneSpec, mode, .key = "mode", .type = VT_ENUM, .choices = e_numatune_mode,
        .def = "strict", .change = CHANGE_CONFIG, .xml = "numatune/memory/@mode",
        .patch = "numatune/memory", .doc = "how strictly"),
};
static const KeyTable numatune_table = TABLE("numatune", numatune_rows,
    .item_size = sizeof(NumatuneSpec), .doc = "host NUMA placement");

static const KeyDef hugepage_rows[] = {
    ROW(HugePageSpec, size, .key = "size", .type = VT_SIZE, .unit = KiB, .min = 4 * KiB,
        .max = 16 * GiB, .change = CHANGE_CONFIG, .xml = "@size", .hook = HOOK_SIZE_KIB,
        .flags = KEY_REQUIRED | KEY_ITEM_KEY,
        .doc = "huge page size, like 2MiB or 1GiB (a plain number counts KiB); the host must "
               "have a hugetlbfs of that size"),
    ROW(HugePageSpec, nodeset, .key = "nodeset", .type = VT_STRING, .max = 256,
        .change = CHANGE_CONFIG, .xml = "@nodeset", .hook = HOOK_CPUSET,
        .flags = KEY_ITEM_KEY, .def_doc = "every guest NUMA node",
        .doc = "guest NUMA nodes whose memory uses this size, like 0 or 1-3"),
};
static const KeyTable hugepage_table = TABLE("pages", hugepage_rows,
    .item_size = sizeof(HugePageSpec), .xml_elem = "memoryBacking/hugepages/page",
    .doc = "huge page sizes, matched by size and nodeset");

static const KeyDef memorybacking_rows[] = {
    ROW(MemoryBackingSpec, hugepages, .key = "hugepages", .type = VT_BOOL,
        .change = CHANGE_CONFIG, .xml = "memoryBacking/hugepages",
        .vagrant = "memorybacking :hugepages", .doc = "back guest memory with huge pages"),
    ROW(MemoryBackingSpec, pages, .key = "pages", .type = VT_LIST, .sub = &hugepage_table,
        .change = CHANGE_CONFIG,
        .doc = "huge page sizes per guest NUMA node (needs hugepages: true); the host's default "
               "size when unset"),
    ROW(MemoryBackingSpec, nosharepages, .key = "nosharepages", .type = VT_BOOL,
        .change = CHANGE_CONFIG, .xml = "memoryBacking/nosharepages",
        .vagrant = "memorybacking :nosharepages", .doc = "keep KSM from merging guest pages"),
    ROW(MemoryBackingSpec, locked, .key = "locked", .type = VT_BOOL,
        .change = CHANGE_CONFIG, .xml = "memoryBacking/locked",
        .vagrant = "memorybacking :locked", .doc = "lock guest memory in host RAM (see memtune.hard_limit)"),
    ROW(MemoryBackingSpec, source, .key = "source", .type = VT_ENUM, .choices = e_mem_source,
        .change = CHANGE_CONFIG, .xml = "memoryBacking/source/@type",
        .vagrant = "memorybacking :source", .doc = "memory backend (virtiofs filesystems set memfd)"),
    ROW(MemoryBackingSpec, access, .key = "access", .type = VT_ENUM, .choices = e_mem_access,
        .change = CHANGE_CONFIG, .xml = "memoryBacking/access/@mode",
        .vagrant = "memorybacking :access", .doc = "shared or private mapping (virtiofs sets shared)"),
    ROW(MemoryBackingSpec, allocation, .key = "allocation", .type = VT_ENUM,
        .choices = e_mem_alloc, .change = CHANGE_CONFIG, .xml = "memoryBacking/allocation/@mode",
        .vagrant = "memorybacking :allocation", .doc = "allocate up front or on demand"),
};
static const KeyTable memorybacking_table = TABLE("memorybacking", memorybacking_rows,
    .item_size = sizeof(MemoryBackingSpec),
    .doc = "how guest memory is backed on the host");

static const KeyDef memtune_rows[] = {
    ROW(MemtuneSpec, hard_limit, .key = "hard_limit", .type = VT_SIZE, .unit = MiB,
        .min = MiB, .change = CHANGE_CONFIG, .xml = "memtune/hard_limit", .hook = HOOK_SIZE_KIB,
        .vagrant = "memtune type: hard_limit", .doc = "most host memory the domain may use"),
    ROW(MemtuneSpec, soft_limit, .key = "soft_limit", .type = VT_SIZE, .unit = MiB,
        .min = MiB, .change = CHANGE_CONFIG, .xml = "memtune/soft_limit", .hook = HOOK_SIZE_KIB,
        .vagrant = "memtune type: soft_limit", .doc = "host memory it keeps under contention"),
    ROW(MemtuneSpec, swap_hard_limit, .key = "swap_hard_limit", .type = VT_SIZE,
        .unit = MiB, .min = MiB, .change = CHANGE_CONFIG, .xml = "memtune/swap_hard_limit",
        .hook = HOOK_SIZE_KIB, .vagrant = "memtune type: swap_hard_limit",
        .doc = "memory plus swap ceiling (at least hard_limit)"),
};
static const KeyTable memtune_table = TABLE("memtune", memtune_rows,
    .item_size = sizeof(MemtuneSpec),
    .doc = "host memory limits (a plain number counts MiB)");

static const KeyDef hyperv_rows[] = {
    ROW(HypervSpec, name, .key = "name", .type = VT_ENUM, .choices = e_hyperv,
        .change = CHANGE_CONFIG, .xml = "name()", .flags = KEY_REQUIRED,
        .vagrant = "hyperv_feature :name", .doc = "Hyper-V enlightenment"),
    ROW(HypervSpec, state, .key = "state", .type = VT_BOOL, .def = "true", .change = CHANGE_CONFIG,
        .xml = "@state", .flags = KEY_ONOFF, .vagrant = "hyperv_feature :state",
        .doc = "on or off"),
    ROW(HypervSpec, retries, .key = "retries", .type = VT_INT, .min = 4095, .max = 4294967295LL,
        .change = CHANGE_CONFIG, .xml = "@retries", .vagrant = "hyperv_feature :retries",
        .doc = "spinlock retries (spinlocks only; required when it is on)"),
    ROW(HypervSpec, value, .key = "value", .type = VT_STRING, .max = 12, .change = CHANGE_CONFIG,
        .xml = "@value", .doc = "vendor id string (vendor_id only; required when it is on)"),
};
static const KeyTable hyperv_table = TABLE("hyperv", hyperv_rows, .item_size = sizeof(HypervSpec),
    .xml_elem = "features/hyperv/*", .doc = "Hyper-V enlightenments for Windows guests");

static const KeyDef timer_rows[] = {
    ROW(TimerSpec, name, .key = "name", .type = VT_ENUM, .choices = e_timer,
        .change = CHANGE_CONFIG, .xml = "@name", .flags = KEY_REQUIRED | KEY_ITEM_KEY,
        .vagrant = "clock_timer :name", .doc = "timer"),
    ROW(TimerSpec, track, .key = "track", .type = VT_ENUM, .choices = e_timer_track,
        .change = CHANGE_CONFIG, .xml = "@track", .vagrant = "clock_timer :track",
        .doc = "what the timer follows (rtc and platform only)"),
    ROW(TimerSpec, tickpolicy, .key = "tickpolicy", .type = VT_ENUM, .choices = e_tickpolicy,
        .change = CHANGE_CONFIG, .xml = "@tickpolicy", .vagrant = "clock_timer :tickpolicy",
        .doc = "what to do with missed ticks"),
    ROW(TimerSpec, frequency, .key = "frequency", .type = VT_INT, .min = 1, .max = 100000000000LL,
        .change = CHANGE_CONFIG, .xml = "@frequency", .vagrant = "clock_timer :frequency",
        .doc = "frequency in Hz (tsc only)"),
    ROW(TimerSpec, mode, .key = "mode", .type = VT_ENUM, .choices = e_timer_mode,
        .change = CHANGE_CONFIG, .xml = "@mode", .vagrant = "clock_timer :mode",
        .doc = "how the guest reads it (tsc only)"),
    ROW(TimerSpec, present, .key = "present", .type = VT_BOOL, .change = CHANGE_CONFIG,
        .xml = "@present", .vagrant = "clock_timer :present",
        .doc = "whether the guest sees the timer at all"),
};
static const KeyTable timer_table = TABLE("timers", timer_rows, .item_size = sizeof(TimerSpec),
    .xml_elem = "clock/timer", .doc = "clock timers, matched by name");

static const KeyDef clock_rows[] = {
    ROW(ClockSpec, offset, .key = "offset", .type = VT_ENUM, .choices = e_clock_offset,
        .def = "utc", .change = CHANGE_CONFIG, .xml = "clock/@offset", .patch = "clock/@*",
        .vagrant = "clock_offset", .doc = "what the guest's RTC starts from"),
    ROW(ClockSpec, basis, .key = "basis", .type = VT_ENUM, .choices = e_clock_basis,
        .change = CHANGE_CONFIG, .xml = "clock/@basis", .patch = "clock/@*",
        .vagrant = "clock_basis", .doc = "base of an adjustment (offset variable only)"),
    ROW(ClockSpec, adjustment, .key = "adjustment", .type = VT_INT, .min = -2147483648LL,
        .max = 2147483647LL, .change = CHANGE_CONFIG, .xml = "clock/@adjustment",
        .patch = "clock/@*", .vagrant = "clock_adjustment",
        .doc = "seconds added to the basis (offset variable only)"),
    ROW(ClockSpec, timezone, .key = "timezone", .type = VT_STRING, .max = 64,
        .change = CHANGE_CONFIG, .xml = "clock/@timezone", .patch = "clock/@*",
        .vagrant = "clock_timezone", .doc = "time zone such as Europe/Paris (offset timezone only)"),
    ROW(ClockSpec, start, .key = "start", .type = VT_INT, .min = 0, .max = 253402300799LL,
        .change = CHANGE_CONFIG, .xml = "clock/@start", .patch = "clock/@*",
        .vagrant = "clock_absolute", .doc = "epoch seconds the RTC starts at (offset absolute only)"),
    ROW(ClockSpec, timers, .key = "timers", .type = VT_LIST, .sub = &timer_table,
        .change = CHANGE_CONFIG, .vagrant = "clock_timer", .doc = "timers"),
};
static const KeyTable clock_table = TABLE("clock", clock_rows,
    .item_size = sizeof(ClockSpec), .doc = "guest clock");

#define SYSINFO_ROW(_block, _elem, _field, _doc) \
    ROW(SysinfoSpec, _block._field, .key = #_field, .type = VT_STRING, .max = 255, \
        .change = CHANGE_CONFIG, .xml = "sysinfo/" _elem "/entry[@name='" #_field "']", \
        .vagrant = "sysinfo " _elem " " #_field, .doc = _doc)
static const KeyDef sysinfo_bios_rows[] = {
    SYSINFO_ROW(bios, "bios", vendor, "BIOS vendor"),
    SYSINFO_ROW(bios, "bios", version, "BIOS version"),
    SYSINFO_ROW(bios, "bios", date, "BIOS date, mm/dd/yyyy"),
    SYSINFO_ROW(bios, "bios", release, "BIOS release, major.minor"),
};
static const KeyTable sysinfo_bios_table = TABLE("sysinfo.bios", sysinfo_bios_rows,
    .doc = "SMBIOS type 0");
static const KeyDef sysinfo_system_rows[] = {
    SYSINFO_ROW(system, "system", manufacturer, "system manufacturer"),
    SYSINFO_ROW(system, "system", product, "product name"),
    SYSINFO_ROW(system, "system", version, "product version"),
    SYSINFO_ROW(system, "system", serial, "serial number"),
    ROW(SysinfoSpec, system.uuid, .key = "uuid", .type = VT_UUID, .change = CHANGE_CONFIG,
        .xml = "sysinfo/system/entry[@name='uuid']", .flags = KEY_NO_TEMPLATE, .vagrant = "sysinfo system uuid",
        .doc = "system UUID (equal to the domain's uuid when both are given)"),
    SYSINFO_ROW(system, "system", sku, "SKU number"),
    SYSINFO_ROW(system, "system", family, "product family"),
};
static const KeyTable sysinfo_system_table = TABLE("sysinfo.system", sysinfo_system_rows,
    .doc = "SMBIOS type 1");
static const KeyDef sysinfo_board_rows[] = {
    SYSINFO_ROW(base_board, "baseBoard", manufacturer, "board manufacturer"),
    SYSINFO_ROW(base_board, "baseBoard", product, "board product"),
    SYSINFO_ROW(base_board, "baseBoard", version, "board version"),
    SYSINFO_ROW(base_board, "baseBoard", serial, "board serial number"),
    SYSINFO_ROW(base_board, "baseBoard", asset, "asset tag"),
    SYSINFO_ROW(base_board, "baseBoard", location, "location in the chassis"),
};
static const KeyTable sysinfo_board_table = TABLE("sysinfo.base_board", sysinfo_board_rows,
    .doc = "SMBIOS type 2");
static const KeyDef sysinfo_chassis_rows[] = {
    SYSINFO_ROW(chassis, "chassis", manufacturer, "chassis manufacturer"),
    SYSINFO_ROW(chassis, "chassis", version, "chassis version"),
    SYSINFO_ROW(chassis, "chassis", serial, "chassis serial number"),
    SYSINFO_ROW(chassis, "chassis", asset, "asset tag"),
    SYSINFO_ROW(chassis, "chassis", sku, "SKU number"),
};
static const KeyTable sysinfo_chassis_table = TABLE("sysinfo.chassis", sysinfo_chassis_rows,
    .doc = "SMBIOS type 3");
static const KeyDef sysinfo_rows[] = {
    ROW(SysinfoSpec, bios, .key = "bios", .type = VT_MAP, .sub = &sysinfo_bios_table,
        .vagrant = "sysinfo bios", .doc = "BIOS information"),
    ROW(SysinfoSpec, system, .key = "system", .type = VT_MAP, .sub = &sysinfo_system_table,
        .vagrant = "sysinfo system", .doc = "system information"),
    ROW(SysinfoSpec, base_board, .key = "base_board", .type = VT_MAP,
        .sub = &sysinfo_board_table, .vagrant = "sysinfo base board", .doc = "base board"),
    ROW(SysinfoSpec, chassis, .key = "chassis", .type = VT_MAP, .sub = &sysinfo_chassis_table,
        .vagrant = "sysinfo chassis", .doc = "chassis"),
    ROW(SysinfoSpec, oem_strings, .key = "oem_strings", .type = VT_ENUM_LIST, .max = 255,
        .change = CHANGE_CONFIG, .xml = "sysinfo/oemStrings/entry", .vagrant = "sysinfo oem strings",
        .doc = "OEM strings (SMBIOS type 11), in order"),
};
static const KeyTable sysinfo_table = TABLE("sysinfo", sysinfo_rows, .item_size = sizeof(SysinfoSpec),
    .doc = "SMBIOS data the guest reads (os/smbios mode sysinfo)");

/* ---- Domain: device lists ---- */
static const KeyDef disk_image_rows[] = {
    ROW(DiskSpec, image_path, .key = "path", .type = VT_PATH, .change = CHANGE_IDENTITY,
        .flags = KEY_NO_XML, .vagrant = "box image",
        .doc = "a local image file (`image: PATH` is short for it): base volume base-HASH-FILENAME, "
               "HASH of its path, size and mtime (a changed image is a new base)"),
    ROW(DiskSpec, image_url, .key = "url", .type = VT_STRING, .max = 4096, .change = CHANGE_IDENTITY,
        .flags = KEY_NO_XML, .vagrant = "box_url",
        .doc = "http, https or file URL of the image, fetched by the host that runs the domain "
               "(resumable, cached under the state directory by sha256; .xz, .gz, .zst "
               "decompressed while streaming); needs sha256"),
    ROW(DiskSpec, image_sha256, .key = "sha256", .type = VT_STRING, .max = 64,
        .change = CHANGE_IDENTITY, .flags = KEY_NO_XML, .vagrant = "box_download_checksum",
        .doc = "SHA-256 of the downloaded bytes (of the compressed file for .xz/.gz/.zst), 64 hex "
               "digits: the image's identity (base volume base-sha256-HEX)"),
};
static const KeyTable disk_image_table = TABLE("image", disk_image_rows,
    .doc = "a local path, or {url, sha256}");

static const KeyDef disk_rows[] = {
    ROW(DiskSpec, name, .key = "name", .type = VT_NAME, .flags = KEY_REQUIRED | KEY_NO_XML,
        .change = CHANGE_IDENTITY,
        .doc = "disk name; the volume is DOMAIN-NAME.FORMAT in the pool ('-' and '+' of NAME "
               "written +2d and +2b)"),
    ROW(DiskSpec, dev, .key = "dev", .type = VT_DEVNAME, .change = CHANGE_IDENTITY,
        .xml = "target/@dev", .flags = KEY_ITEM_KEY, .vagrant = "storage :device / disk_device",
        .doc = "guest device name; default: the one the domain has for this source, else the next "
               "free name for the bus (vda, sda, hda …)"),
    ROW(DiskSpec, pool, .key = "pool", .type = VT_NAME, .def = "default", .change = CHANGE_CONFIG,
        .xml = "source/@pool", .hook = HOOK_DISK_SOURCE, .vagrant = "storage :pool / storage_pool_name",
        .doc = "storage pool that holds the volume"),
    ROW(DiskSpec, path, .key = "path", .type = VT_PATH, .change = CHANGE_CONFIG,
        .xml = "source/@file", .flags = KEY_NO_XML,
        .doc = "use this host file instead of a pool volume (not created by virtspec)"),
    ROW(DiskSpec, size, .key = "size", .type = VT_SIZE, .unit = GiB, .min = MiB, .max = 64 * TiB,
        .def = "10GiB", .change = CHANGE_LIVE, .flags = KEY_NO_XML, .vagrant = "storage :size",
        .doc = "volume capacity (a plain number counts GiB); growing resizes, shrinking is refused"),
    ROW(DiskSpec, format, .key = "format", .type = VT_ENUM, .choices = e_format, .def = "qcow2",
        .change = CHANGE_CONFIG, .xml = "driver/@type", .vagrant = "storage :type",
        .doc = "volume format"),
    ROW(DiskSpec, bus, .key = "bus", .type = VT_ENUM, .choices = e_disk_bus, .def = "virtio",
        .change = CHANGE_CONFIG, .xml = "target/@bus", .flags = KEY_READDRESS,
        .vagrant = "storage :bus / disk_bus",
        .doc = "guest bus (a change drops the guest address so libvirt assigns a new one)"),
    ROW(DiskSpec, cache, .key = "cache", .type = VT_ENUM, .choices = e_cache,
        .change = CHANGE_CONFIG, .xml = "driver/@cache", .vagrant = "storage :cache / volume_cache",
        .doc = "host cache mode"),
    ROW(DiskSpec, io, .key = "io", .type = VT_ENUM, .choices = e_io, .change = CHANGE_CONFIG,
        .xml = "driver/@io", .vagrant = "storage :io", .doc = "I/O mode"),
    ROW(DiskSpec, discard, .key = "discard", .type = VT_ENUM, .choices = e_discard,
        .change = CHANGE_CONFIG, .xml = "driver/@discard", .vagrant = "storage :discard",
        .doc = "pass guest discards to the image"),
    ROW(DiskSpec, detect_zeroes, .key = "detect_zeroes", .type = VT_ENUM, .choices = e_dzeroes,
        .change = CHANGE_CONFIG, .xml = "driver/@detect_zeroes",
        .vagrant = "storage :detect_zeroes", .doc = "turn zero writes into holes"),
    ROW(DiskSpec, serial, .key = "serial", .type = VT_STRING, .max = 20, .change = CHANGE_CONFIG,
        .xml = "serial", .vagrant = "storage :serial", .doc = "disk serial shown to the guest"),
    ROW(DiskSpec, shareable, .key = "shareable", .type = VT_BOOL, .change = CHANGE_CONFIG,
        .xml = "shareable", .vagrant = "storage :shareable",
        .doc = "several domains may attach it (needs cache: none)"),
    ROW(DiskSpec, boot, .key = "boot", .type = VT_INT, .min = 1, .max = 64,
        .change = CHANGE_CONFIG, .xml = "boot/@order",
        .doc = "per-device boot order (excludes the domain-level boot list)"),
    ROW(DiskSpec, wwn, .key = "wwn", .type = VT_WWN, .change = CHANGE_CONFIG,
        .xml = "wwn", .vagrant = "storage :wwn",
        .doc = "World Wide Name, 16 hex digits, 0x prefix allowed; rendered lower-case without "
               "the prefix (bus scsi or ide: libvirt refuses it on the others)"),
    ROW(DiskSpec, copy_on_read, .key = "copy_on_read", .type = VT_BOOL, .change = CHANGE_CONFIG,
        .xml = "driver/@copy_on_read", .flags = KEY_ONOFF,
        .vagrant = "storage :copy_on_read / disk_driver :copy_on_read",
        .doc = "copy backing image blocks into the overlay when read"),
    ROW(DiskSpec, image, .key = "image", .type = VT_MAP, .sub = &disk_image_table,
        .change = CHANGE_IDENTITY, .flags = KEY_NO_XML | KEY_SHORTHAND,
        .doc = "base image imported once into the pool; the disk is a qcow2 overlay on it, at least "
               "as large as the image. A plain string is a local path; {url, sha256} is fetched"),
    ROW(DiskSpec, existing, .key = "existing", .type = VT_BOOL, .def = "false",
        .change = CHANGE_NONE, .flags = KEY_NO_XML, .vagrant = "storage :allow_existing",
        .doc = "attach a volume that already exists instead of creating it"),
    ROW(DiskSpec, volume, .key = "volume", .type = VT_NAME, .change = CHANGE_CONFIG,
        .flags = KEY_NO_XML, .vagrant = "storage :file (an existing volume by name)",
        .doc = "attach this existing volume of `pool` by its own name instead of DOMAIN-NAME.FORMAT: "
               "never created, grown or deleted (not even by delete_volumes_on_removal); not with "
               "image, size or path"),
};
static const KeyTable disk_table = TABLE("disks", disk_rows, .item_size = sizeof(DiskSpec), .merge_key = "name",
    .xml_elem = "devices/disk", .xml_match = "device=disk", .doc = "virtual disks");

static const KeyDef cdrom_rows[] = {
    ROW(CdromSpec, path, .key = "path", .type = VT_PATH, .change = CHANGE_LIVE,
        .xml = "source/@file", .vagrant = "storage :file, device: :cdrom, path:",
        .doc = "ISO image; empty drive when unset; changing it swaps the media live"),
    ROW(CdromSpec, dev, .key = "dev", .type = VT_DEVNAME, .change = CHANGE_IDENTITY,
        .xml = "target/@dev", .flags = KEY_ITEM_KEY, .vagrant = "dev",
        .doc = "guest device name; default: the one the domain has for this ISO, else the next free "
               "(sda… on sata, hdc… on ide)"),
    ROW(CdromSpec, bus, .key = "bus", .type = VT_ENUM, .choices = e_cdrom_bus,
        .change = CHANGE_CONFIG, .xml = "target/@bus", .flags = KEY_READDRESS, .vagrant = "bus",
        .doc = "guest bus; default sata on q35 machines, ide otherwise"),
    ROW(CdromSpec, volume, .key = "volume", .type = VT_NAME, .change = CHANGE_CONFIG,
        .xml = "source/@volume",
        .doc = "attach this volume of `pool` (an ISO virtspec does not manage) instead of a path; "
               "the cloud_init seed is such a cdrom"),
    ROW(CdromSpec, pool, .key = "pool", .type = VT_NAME, .change = CHANGE_CONFIG,
        .xml = "source/@pool", .def_doc = "default (with volume)",
        .doc = "storage pool of `volume`"),
};
static const KeyTable cdrom_table = TABLE("cdroms", cdrom_rows, .item_size = sizeof(CdromSpec),
    .xml_elem = "devices/disk", .xml_match = "device=cdrom", .doc = "CD-ROM drives");

static const KeyDef forward_rows[] = {
    ROW(PortForwardSpec, host, .key = "host", .type = VT_INT, .min = 1, .max = 65535,
        .change = CHANGE_CONFIG, .xml = "range/@start", .flags = KEY_REQUIRED,
        .vagrant = "forwarded_port host:", .doc = "host port (unprivileged: 1024 and up)"),
    ROW(PortForwardSpec, guest, .key = "guest", .type = VT_INT, .min = 1, .max = 65535,
        .change = CHANGE_CONFIG, .xml = "range/@to", .vagrant = "forwarded_port guest:",
        .def_doc = "the host port", .doc = "guest port"),
    ROW(PortForwardSpec, proto, .key = "proto", .type = VT_ENUM, .choices = e_forward_proto,
        .def = "tcp", .change = CHANGE_CONFIG, .xml = "@proto", .vagrant = "forwarded_port protocol:",
        .doc = "protocol"),
    ROW(PortForwardSpec, address, .key = "address", .type = VT_IP, .change = CHANGE_CONFIG,
        .xml = "@address", .vagrant = "forwarded_port host_ip:", .def_doc = "every host address",
        .doc = "host address to listen on (127.0.0.1: this host only); IPv4 only on libvirt before 9.2 "
               "(slirp), IPv6 too with passt"),
};
static const KeyTable forward_table = TABLE("forward", forward_rows,
    .item_size = sizeof(PortForwardSpec), .xml_elem = "portForward",
    .doc = "host ports forwarded to the guest");

static const KeyDef iface_rows[] = {
    ROW(IfaceSpec, mac, .key = "mac", .type = VT_MAC, .change = CHANGE_IDENTITY,
        .xml = "mac/@address", .flags = KEY_ITEM_KEY | KEY_NO_TEMPLATE, .vagrant = "libvirt__mac / mac",
        .doc = "MAC address; default derived from domain name and position, stable across re-creation"),
    ROW(IfaceSpec, type, .key = "type", .type = VT_ENUM, .choices = e_iface_type, .def = "network",
        .change = CHANGE_CONFIG, .xml = "@type", .hook = HOOK_IFACE,
        .vagrant = "type (private/public network)", .doc = "what the NIC connects to"),
    ROW(IfaceSpec, network, .key = "network", .type = VT_NAME, .change = CHANGE_CONFIG,
        .xml = "source/@network", .vagrant = "libvirt__network_name",
        .doc = "libvirt network (type network)"),
    ROW(IfaceSpec, bridge, .key = "bridge", .type = VT_STRING, .max = 15, .change = CHANGE_CONFIG,
        .xml = "source/@bridge", .vagrant = "dev (type bridge)", .doc = "host bridge (type bridge)"),
    ROW(IfaceSpec, dev, .key = "dev", .type = VT_STRING, .max = 15, .change = CHANGE_CONFIG,
        .xml = "source/@dev", .vagrant = "dev (public network)", .doc = "host device (type direct)"),
    ROW(IfaceSpec, mode, .key = "mode", .type = VT_ENUM, .choices = e_macvtap_mode,
        .change = CHANGE_CONFIG, .xml = "source/@mode", .vagrant = "mode",
        .doc = "macvtap mode (type direct; default bridge)"),
    ROW(IfaceSpec, model, .key = "model", .type = VT_ENUM, .choices = e_nic_model, .def = "virtio",
        .change = CHANGE_CONFIG, .xml = "model/@type", .vagrant = "libvirt__model_type / nic_model_type",
        .doc = "NIC model"),
    ROW(IfaceSpec, mtu, .key = "mtu", .type = VT_INT, .min = 68, .max = 65535,
        .change = CHANGE_CONFIG, .xml = "mtu/@size", .vagrant = "libvirt__mtu", .doc = "NIC MTU"),
    ROW(IfaceSpec, queues, .key = "queues", .type = VT_INT, .min = 1, .max = 256,
        .change = CHANGE_CONFIG, .xml = "driver/@queues", .vagrant = "libvirt__driver_queues",
        .doc = "virtio multiqueue count"),
    ROW(IfaceSpec, target, .key = "target", .type = VT_STRING, .max = 15, .change = CHANGE_CONFIG,
        .xml = "target/@dev", .flags = KEY_WHEN_SET, .vagrant = "libvirt__iface_name",
        .doc = "host tap device name (must not start with vnet, vif, macvtap, macvlan)"),
    ROW(IfaceSpec, portgroup, .key = "portgroup", .type = VT_NAME, .change = CHANGE_CONFIG,
        .xml = "source/@portgroup", .vagrant = "portgroup", .doc = "network port group"),
    ROW(IfaceSpec, trust_guest_rx_filters, .key = "trust_guest_rx_filters", .type = VT_BOOL,
        .change = CHANGE_CONFIG, .xml = "@trustGuestRxFilters", .vagrant = "trust_guest_rx_filters",
        .doc = "let the guest change its receive filters (type direct)"),
    ROW(IfaceSpec, boot, .key = "boot", .type = VT_INT, .min = 1, .max = 64,
        .change = CHANGE_CONFIG, .xml = "boot/@order", .doc = "per-device boot order"),
    ROW(IfaceSpec, driver_iommu, .key = "driver_iommu", .type = VT_BOOL, .change = CHANGE_CONFIG,
        .xml = "driver/@iommu", .flags = KEY_ONOFF,
        .vagrant = "libvirt__driver_iommu / management_network_driver_iommu",
        .doc = "DMA through the guest's virtual IOMMU (model virtio)"),
    ROW(IfaceSpec, pci_bus, .key = "pci_bus", .type = VT_INT, .min = 0, .max = 255,
        .change = CHANGE_CONFIG, .xml = "address/@bus", .hook = HOOK_PCI_ADDR, .flags = KEY_WHEN_SET,
        .vagrant = "libvirt__bus / management_network_pci_bus",
        .doc = "guest PCI bus (with pci_slot); libvirt's choice when unset"),
    ROW(IfaceSpec, pci_slot, .key = "pci_slot", .type = VT_INT, .min = 0, .max = 31,
        .change = CHANGE_CONFIG, .xml = "address/@slot", .hook = HOOK_PCI_ADDR, .flags = KEY_WHEN_SET,
        .vagrant = "libvirt__slot / management_network_pci_slot",
        .doc = "guest PCI slot (with pci_bus)"),
    ROW(IfaceSpec, ovs, .key = "ovs", .type = VT_BOOL, .change = CHANGE_CONFIG,
        .xml = "virtualport/@type", .hook = HOOK_OVS, .vagrant = "ovs",
        .doc = "the bridge is an Open vSwitch bridge (type bridge)"),
    ROW(IfaceSpec, ovs_interfaceid, .key = "ovs_interfaceid", .type = VT_UUID,
        .change = CHANGE_CONFIG, .xml = "virtualport/parameters/@interfaceid", .flags = KEY_WHEN_SET,
        .vagrant = "ovs_interfaceid", .doc = "Open vSwitch interface id (needs ovs); libvirt generates one when unset"),
    ROW(IfaceSpec, tunnel_ip, .key = "tunnel_ip", .type = VT_IP, .change = CHANGE_CONFIG,
        .xml = "source/@address", .vagrant = "libvirt__tunnel_ip",
        .def_doc = "127.0.0.1; 239.255.1.1 for mcast",
        .doc = "tunnel peer (client, udp), listen address (server) or multicast group (mcast)"),
    ROW(IfaceSpec, tunnel_port, .key = "tunnel_port", .type = VT_INT, .min = 1, .max = 65535,
        .change = CHANGE_CONFIG, .xml = "source/@port", .vagrant = "libvirt__tunnel_port",
        .doc = "tunnel port (required for types udp, mcast, server, client)"),
    ROW(IfaceSpec, tunnel_local_ip, .key = "tunnel_local_ip", .type = VT_IP, .change = CHANGE_CONFIG,
        .xml = "source/local/@address", .vagrant = "libvirt__tunnel_local_ip",
        .def_doc = "127.0.0.1 (type udp)", .doc = "local address a udp tunnel sends from"),
    ROW(IfaceSpec, tunnel_local_port, .key = "tunnel_local_port", .type = VT_INT, .min = 1,
        .max = 65535, .change = CHANGE_CONFIG, .xml = "source/local/@port",
        .vagrant = "libvirt__tunnel_local_port",
        .doc = "local port a udp tunnel receives on (required for type udp)"),
    ROW(IfaceSpec, ip, .key = "ip", .type = VT_IP, .change = CHANGE_LIVE, .flags = KEY_NO_XML | KEY_NO_TEMPLATE,
        .vagrant = "ip (private_network)",
        .doc = "IPv4 address the guest gets over DHCP: a reservation MAC → ip (the network's "
               "`ip/dhcp/host`, changed live) in the named network, else in the declared one whose "
               "subnet holds it, else in an owned NAT network vs-A.B.C.D-P derived for the subnet "
               "(gateway: its first address); a declared network needs `dhcp`"),
    ROW(IfaceSpec, netmask, .key = "netmask", .type = VT_STRING, .max = 15, .change = CHANGE_LIVE,
        .flags = KEY_NO_XML, .vagrant = "netmask", .def_doc = "255.255.255.0 (/24)",
        .doc = "subnet of ip (dotted mask or prefix length); sizes an owned network"),
    ROW(IfaceSpec, guest_ipv6, .key = "guest_ipv6", .type = VT_BOOL, .change = CHANGE_CONFIG,
        .flags = KEY_NO_XML, .vagrant = "libvirt__guest_ipv6 (private_network with ip)",
        .doc = "with `ip` on an owned network derived for the subnet: that network's guest_ipv6 "
               "(guest-to-guest IPv6); a declared network says it itself"),
    ROW(IfaceSpec, forward, .key = "forward", .type = VT_LIST, .sub = &forward_table,
        .change = CHANGE_CONFIG, .flags = KEY_WHOLE | KEY_PASST, .vagrant = "forwarded_port",
        .doc = "host ports forwarded to the guest (type user): libvirt 9.2 and later, passt's "
               "`portForward` (compared as a whole); older, added and removed live by virtspec "
               "through the QEMU monitor (slirp's hostfwd; docs/networks.md)"),
    ROW(IfaceSpec, backend, .key = "backend", .type = VT_ENUM, .choices = e_user_backend,
        .def = "auto", .change = CHANGE_CONFIG, .xml = "backend/@type", .hook = HOOK_USER_BACKEND,
        .doc = "user-mode networking (type user) by passt (libvirt 9.2 and later; needs the passt "
               "binary, Debian: package passt) or by QEMU's slirp; auto: passt with `forward` "
               "where libvirt has it, else slirp"),
};
static const KeyTable iface_table = TABLE("interfaces", iface_rows, .item_size = sizeof(IfaceSpec),
    .merge_key = "network",
    .xml_elem = "devices/interface", .doc = "network interfaces");

static const KeyDef input_rows[] = {
    ROW(InputSpec, type, .key = "type", .type = VT_ENUM, .choices = e_input_type,
        .change = CHANGE_CONFIG, .xml = "@type", .flags = KEY_REQUIRED | KEY_ITEM_KEY,
        .vagrant = "input :type", .doc = "input device type"),
    ROW(InputSpec, bus, .key = "bus", .type = VT_ENUM, .choices = e_input_bus, .def = "usb",
        .change = CHANGE_CONFIG, .xml = "@bus", .flags = KEY_ITEM_KEY,
        .vagrant = "input :bus", .doc = "input bus (the implicit PS/2 mouse and keyboard are not managed)"),
};
static const KeyTable input_table = TABLE("inputs", input_rows, .item_size = sizeof(InputSpec),
    .xml_elem = "devices/input", .doc = "extra input devices");

static const KeyDef channel_rows[] = {
    ROW(ChannelSpec, type, .key = "type", .type = VT_ENUM, .choices = e_channel_type,
        .def = "unix", .change = CHANGE_CONFIG, .xml = "@type", .vagrant = "channel :type",
        .doc = "host side of the channel"),
    ROW(ChannelSpec, target_type, .key = "target_type", .type = VT_ENUM, .choices = e_channel_target,
        .def = "virtio", .change = CHANGE_CONFIG, .xml = "target/@type",
        .vagrant = "channel :target_type", .doc = "guest side of the channel"),
    ROW(ChannelSpec, target_name, .key = "target_name", .type = VT_STRING, .max = 128,
        .change = CHANGE_CONFIG, .xml = "target/@name", .hook = HOOK_CHANNEL_NAME,
        .flags = KEY_ITEM_KEY, .vagrant = "channel :target_name",
        .doc = "virtio port name (required for target_type virtio; a guestfwd channel has none)"),
    ROW(ChannelSpec, target_address, .key = "target_address", .type = VT_IP, .change = CHANGE_CONFIG,
        .xml = "target/@address", .flags = KEY_WHEN_SET, .vagrant = "channel :target_address",
        .doc = "guestfwd: the IPv4 address the guest connects to (required for guestfwd)"),
    ROW(ChannelSpec, target_port, .key = "target_port", .type = VT_INT, .min = 1, .max = 65535,
        .change = CHANGE_CONFIG, .xml = "target/@port", .flags = KEY_WHEN_SET,
        .vagrant = "channel :target_port",
        .doc = "guestfwd: the TCP port the guest connects to (required for guestfwd)"),
    ROW(ChannelSpec, source_mode, .key = "source_mode", .type = VT_ENUM,
        .choices = (const char *const[]) { "bind", "connect", NULL }, .change = CHANGE_CONFIG,
        .xml = "source/@mode", .flags = KEY_WHEN_SET, .vagrant = "channel :source_mode",
        .doc = "unix socket mode"),
    ROW(ChannelSpec, source_path, .key = "source_path", .type = VT_PATH, .change = CHANGE_CONFIG,
        .xml = "source/@path", .flags = KEY_WHEN_SET, .vagrant = "channel :source_path",
        .doc = "unix socket path (libvirt picks one when unset)"),
};
static const KeyTable channel_table = TABLE("channels", channel_rows, .item_size = sizeof(ChannelSpec),
    .xml_elem = "devices/channel",
    .doc = "channels: virtio ports (target_name), or guestfwd (guest TCP to ADDRESS:PORT forwarded "
           "to the host side)");

#define CHARDEV_ROWS(_vagrant)                                                                    \
    ROW(CharDevSpec, type, .key = "type", .type = VT_ENUM, .choices = e_chardev, .def = "pty",     \
        .change = CHANGE_CONFIG, .xml = "@type", .vagrant = _vagrant " :type",                     \
        .doc = "host side: a pseudo terminal, or a log file"),                                     \
    ROW(CharDevSpec, path, .key = "path", .type = VT_PATH, .change = CHANGE_CONFIG,                \
        .xml = "source/@path", .hook = HOOK_CHARDEV_PATH, .flags = KEY_WHEN_SET,                   \
        .vagrant = _vagrant " :source :path",                                                      \
        .doc = "the file (type file only; required there)"),                                       \
    ROW(CharDevSpec, append, .key = "append", .type = VT_BOOL, .change = CHANGE_CONFIG,            \
        .xml = "source/@append", .flags = KEY_ONOFF, .vagrant = _vagrant " :source :append",       \
        .doc = "append to the file instead of truncating it at start (type file only)")
static const KeyDef serial_rows[] = {
    CHARDEV_ROWS("serial"),
    ROW(CharDevSpec, port, .key = "port", .type = VT_INT, .min = 0, .max = 3,
        .change = CHANGE_CONFIG, .xml = "target/@port", .flags = KEY_ITEM_KEY,
        .doc = "guest port (ttyS0 is 0); default: the position in the list"),
};
static const KeyTable serial_table = TABLE("serials", serial_rows, .item_size = sizeof(CharDevSpec),
    .xml_elem = "devices/serial", .doc = "serial ports, matched by port; libvirt mirrors port 0 as "
    "the first console");

static const KeyDef console_rows[] = {
    CHARDEV_ROWS("console"),
    ROW(CharDevSpec, target_type, .key = "target_type", .type = VT_ENUM, .choices = e_console_target,
        .def = "virtio", .change = CHANGE_CONFIG, .xml = "target/@type",
        .doc = "virtio (hvc0, hvc1 … in list order); the serial console is libvirt's own mirror "
               "of serial port 0"),
};
static const KeyTable console_table = TABLE("consoles", console_rows,
    .item_size = sizeof(CharDevSpec), .xml_elem = "devices/console",
    .doc = "extra (virtio) consoles; libvirt's mirror of serial port 0 is left alone");

static const KeyDef memballoon_rows[] = {
    ROW(MemballoonSpec, model, .key = "model", .type = VT_ENUM, .choices = e_balloon,
        .def = "virtio", .change = CHANGE_CONFIG, .xml = "devices/memballoon/@model",
        .hook = HOOK_MEMBALLOON, .vagrant = "memballoon_model", .doc = "balloon device model"),
    ROW(MemballoonSpec, enabled, .key = "enabled", .type = VT_BOOL, .def = "true",
        .change = CHANGE_CONFIG, .xml = "devices/memballoon/@model", .hook = HOOK_MEMBALLOON,
        .vagrant = "memballoon_enabled",
        .doc = "false: no balloon (model none); memory then cannot shrink live"),
    ROW(MemballoonSpec, stats_period, .key = "stats_period", .type = VT_INT, .min = 0,
        .max = 86400, .change = CHANGE_CONFIG, .xml = "devices/memballoon/stats/@period",
        .doc = "seconds between guest memory statistics updates (0: off)"),
};
static const KeyTable memballoon_table = TABLE("memballoon", memballoon_rows,
    .item_size = sizeof(MemballoonSpec),
    .doc = "memory balloon (libvirt adds a virtio one unless told otherwise)");

static const KeyDef usb_controller_rows[] = {
    ROW(UsbControllerSpec, model, .key = "model", .type = VT_ENUM, .choices = e_usb_model,
        .def = "qemu-xhci", .change = CHANGE_CONFIG,
        .xml = "devices/controller[@type='usb']/@model", .patch = "devices/controller[@type='usb']",
        .vagrant = "usb_controller :model", .doc = "USB controller model; none: no USB at all"),
    ROW(UsbControllerSpec, ports, .key = "ports", .type = VT_INT, .min = 1, .max = 15,
        .change = CHANGE_CONFIG, .xml = "devices/controller[@type='usb']/@ports",
        .patch = "devices/controller[@type='usb']", .vagrant = "usb_controller :ports",
        .doc = "number of ports (qemu-xhci and nec-xhci only)"),
};
static const KeyTable usb_controller_table = TABLE("usb_controller", usb_controller_rows,
    .item_size = sizeof(UsbControllerSpec),
    .doc = "the USB controller (libvirt's default for the machine type when not given)");

static const KeyDef smartcard_rows[] = {
    ROW(SmartcardSpec, mode, .key = "mode", .type = VT_ENUM, .choices = e_smartcard_mode,
        .def = "passthrough", .change = CHANGE_CONFIG, .xml = "devices/smartcard/@mode",
        .vagrant = "smartcard_dev :mode", .doc = "passthrough of a reader, or the host's NSS certificates"),
    ROW(SmartcardSpec, type, .key = "type", .type = VT_ENUM, .choices = e_redir_type,
        .def = "spicevmc", .change = CHANGE_CONFIG, .xml = "devices/smartcard/@type",
        .vagrant = "smartcard_dev :type", .doc = "channel of a passthrough reader"),
    ROW(SmartcardSpec, source_mode, .key = "source_mode", .type = VT_ENUM,
        .choices = e_source_mode, .change = CHANGE_CONFIG, .xml = "devices/smartcard/source/@mode",
        .flags = KEY_WHEN_SET, .vagrant = "smartcard_dev :source_mode",
        .doc = "tcp: connect to or listen on host:service (libvirt's default connect)"),
    ROW(SmartcardSpec, host, .key = "host", .type = VT_STRING, .max = 255,
        .change = CHANGE_CONFIG, .xml = "devices/smartcard/source/@host",
        .vagrant = "smartcard_dev :source_host", .doc = "tcp: host name or address"),
    ROW(SmartcardSpec, service, .key = "service", .type = VT_INT, .min = 1, .max = 65535,
        .change = CHANGE_CONFIG, .xml = "devices/smartcard/source/@service",
        .vagrant = "smartcard_dev :source_service", .doc = "tcp: port"),
};
static const KeyTable smartcard_table = TABLE("smartcard", smartcard_rows,
    .item_size = sizeof(SmartcardSpec), .doc = "smartcard reader");

static const KeyDef redirdev_rows[] = {
    ROW(RedirDevSpec, type, .key = "type", .type = VT_ENUM, .choices = e_redir_type,
        .change = CHANGE_CONFIG, .xml = "@type", .flags = KEY_REQUIRED, .vagrant = "redirdev :type",
        .doc = "spicevmc (the SPICE client's devices) or tcp (usbredir server)"),
    ROW(RedirDevSpec, host, .key = "host", .type = VT_STRING, .max = 255, .change = CHANGE_CONFIG,
        .xml = "source/@host", .vagrant = "redirdev :host (dropped by vagrant-libvirt)",
        .doc = "tcp: usbredir server host"),
    ROW(RedirDevSpec, service, .key = "service", .type = VT_INT, .min = 1, .max = 65535,
        .change = CHANGE_CONFIG, .xml = "source/@service",
        .vagrant = "redirdev :port (dropped by vagrant-libvirt)", .doc = "tcp: usbredir server port"),
};
static const KeyTable redirdev_table = TABLE("redirdevs", redirdev_rows,
    .item_size = sizeof(RedirDevSpec), .xml_elem = "devices/redirdev", .doc = "USB redirection channels");

static const KeyDef redirfilter_rows[] = {
    ROW(RedirFilterSpec, class_, .key = "class", .type = VT_STRING, .max = 4, .change = CHANGE_CONFIG,
        .xml = "@class", .hook = HOOK_HEX, .vagrant = "redirfilter :class",
        .doc = "USB class like 0x08; any when unset"),
    ROW(RedirFilterSpec, vendor, .key = "vendor", .type = VT_STRING, .max = 6, .change = CHANGE_CONFIG,
        .xml = "@vendor", .hook = HOOK_HEX, .vagrant = "redirfilter :vendor",
        .doc = "vendor id like 0x1234; any when unset"),
    ROW(RedirFilterSpec, product, .key = "product", .type = VT_STRING, .max = 6,
        .change = CHANGE_CONFIG, .xml = "@product", .hook = HOOK_HEX,
        .vagrant = "redirfilter :product", .doc = "product id like 0xbeef; any when unset"),
    ROW(RedirFilterSpec, version, .key = "version", .type = VT_STRING, .max = 5,
        .change = CHANGE_CONFIG, .xml = "@version", .vagrant = "redirfilter :version",
        .doc = "device version like 2.00; any when unset"),
    ROW(RedirFilterSpec, allow, .key = "allow", .type = VT_BOOL, .change = CHANGE_CONFIG,
        .xml = "@allow", .flags = KEY_REQUIRED, .vagrant = "redirfilter :allow",
        .doc = "allow or refuse matching devices"),
};
static const KeyTable redirfilter_table = TABLE("redirfilters", redirfilter_rows,
    .item_size = sizeof(RedirFilterSpec), .xml_elem = "devices/redirfilter/usbdev",
    .doc = "USB redirection rules, first match wins");

static const KeyDef pci_host_rows[] = {
    ROW(PciHostSpec, address, .key = "address", .type = VT_STRING, .max = 12,
        .change = CHANGE_CONFIG, .xml = "source/address", .hook = HOOK_PCI_HOST,
        .flags = KEY_REQUIRED | KEY_ITEM_KEY, .vagrant = "pci :domain, :bus, :slot, :function",
        .doc = "host PCI address DDDD:BB:SS.F (domain optional), as lspci -D shows it"),
    ROW(PciHostSpec, managed, .key = "managed", .type = VT_BOOL, .def = "true",
        .change = CHANGE_CONFIG, .xml = "@managed",
        .doc = "libvirt detaches the device from its host driver at start"),
};
static const KeyTable pci_host_table = TABLE("pci", pci_host_rows, .item_size = sizeof(PciHostSpec),
    .xml_elem = "devices/hostdev", .xml_match = "type=pci", .doc = "host PCI devices, matched by address");

static const KeyDef usb_host_rows[] = {
    ROW(UsbHostSpec, vendor, .key = "vendor", .type = VT_STRING, .max = 6, .change = CHANGE_CONFIG,
        .xml = "source/vendor/@id", .hook = HOOK_HEX, .flags = KEY_ITEM_KEY, .vagrant = "usb :vendor",
        .doc = "vendor id like 0x1234 (with product)"),
    ROW(UsbHostSpec, product, .key = "product", .type = VT_STRING, .max = 6,
        .change = CHANGE_CONFIG, .xml = "source/product/@id", .hook = HOOK_HEX,
        .flags = KEY_ITEM_KEY, .vagrant = "usb :product", .doc = "product id like 0xbeef (with vendor)"),
    ROW(UsbHostSpec, bus, .key = "bus", .type = VT_INT, .min = 0, .max = 255,
        .change = CHANGE_CONFIG, .xml = "source/address/@bus", .flags = KEY_ITEM_KEY,
        .vagrant = "usb :bus", .doc = "host USB bus (with device)"),
    ROW(UsbHostSpec, device, .key = "device", .type = VT_INT, .min = 1, .max = 127,
        .change = CHANGE_CONFIG, .xml = "source/address/@device", .flags = KEY_ITEM_KEY,
        .vagrant = "usb :device", .doc = "device number on that bus (with bus)"),
    ROW(UsbHostSpec, startup_policy, .key = "startup_policy", .type = VT_ENUM, .choices = e_startup,
        .change = CHANGE_CONFIG, .xml = "source/@startupPolicy", .vagrant = "usb :startupPolicy",
        .doc = "what to do when the device is missing at start"),
};
static const KeyTable usb_host_table = TABLE("usb", usb_host_rows, .item_size = sizeof(UsbHostSpec),
    .xml_elem = "devices/hostdev", .xml_match = "type=usb",
    .doc = "host USB devices, matched by vendor, product, bus and device");

static const KeyDef launch_security_rows[] = {
    ROW(LaunchSecuritySpec, type, .key = "type", .type = VT_ENUM, .choices = e_sev,
        .def = "sev", .change = CHANGE_CONFIG, .xml = "launchSecurity/@type",
        .vagrant = "launchsecurity :type", .doc = "AMD SEV memory encryption"),
    ROW(LaunchSecuritySpec, cbitpos, .key = "cbitpos", .type = VT_INT, .min = 0, .max = 63,
        .def = "47", .change = CHANGE_CONFIG, .xml = "launchSecurity/cbitpos",
        .vagrant = "launchsecurity :cbitpos", .doc = "C-bit position in page table entries"),
    ROW(LaunchSecuritySpec, reduced_phys_bits, .key = "reduced_phys_bits", .type = VT_INT,
        .min = 0, .max = 63, .def = "1", .change = CHANGE_CONFIG,
        .xml = "launchSecurity/reducedPhysBits", .vagrant = "launchsecurity :reducedPhysBits",
        .doc = "physical address bits lost to encryption"),
    ROW(LaunchSecuritySpec, policy, .key = "policy", .type = VT_STRING, .max = 10,
        .def = "0x0003", .change = CHANGE_CONFIG, .xml = "launchSecurity/policy", .hook = HOOK_HEX,
        .vagrant = "launchsecurity :policy", .doc = "SEV guest policy bits, like 0x0003"),
    ROW(LaunchSecuritySpec, dh_cert, .key = "dh_cert", .type = VT_STRING, .max = 8192,
        .change = CHANGE_CONFIG, .xml = "launchSecurity/dhCert",
        .doc = "the guest owner's Diffie-Hellman key (base64), for a launch secret"),
    ROW(LaunchSecuritySpec, session, .key = "session", .type = VT_STRING, .max = 8192,
        .change = CHANGE_CONFIG, .xml = "launchSecurity/session",
        .doc = "the guest owner's session parameters (base64)"),
};
static const KeyTable launch_security_table = TABLE("launch_security", launch_security_rows,
    .item_size = sizeof(LaunchSecuritySpec),
    .doc = "confidential computing");

static const KeyDef qemu_env_rows[] = {
    ROW(EnvSpec, name, .key = "name", .type = VT_STRING, .max = 128, .change = CHANGE_CONFIG,
        .xml = "@name", .flags = KEY_REQUIRED, .vagrant = "qemuenv key", .doc = "variable name"),
    ROW(EnvSpec, value, .key = "value", .type = VT_STRING, .max = 4096, .change = CHANGE_CONFIG,
        .xml = "@value", .vagrant = "qemuenv value", .doc = "its value (empty when unset)"),
};
static const KeyTable qemu_env_table = TABLE("qemu_env", qemu_env_rows, .item_size = sizeof(EnvSpec),
    .xml_elem = "commandline/env", .doc = "environment of the QEMU process");

static const KeyDef floppy_rows[] = {
    ROW(FloppySpec, path, .key = "path", .type = VT_PATH, .change = CHANGE_CONFIG,
        .xml = "source/@file", .vagrant = "storage device: :floppy, path:",
        .doc = "floppy image; an empty drive when unset"),
    ROW(FloppySpec, dev, .key = "dev", .type = VT_DEVNAME, .change = CHANGE_IDENTITY,
        .xml = "target/@dev", .flags = KEY_ITEM_KEY, .vagrant = "storage device: :floppy, dev:",
        .doc = "fda or fdb; default: the next free one"),
};
static const KeyTable floppy_table = TABLE("floppies", floppy_rows, .item_size = sizeof(FloppySpec),
    .xml_elem = "devices/disk", .xml_match = "device=floppy", .doc = "floppy drives (at most 2)");

static const KeyDef filesystem_rows[] = {
    ROW(FilesystemSpec, source, .key = "source", .type = VT_PATH, .change = CHANGE_CONFIG,
        .xml = "source/@dir", .flags = KEY_REQUIRED, .vagrant = "synced_folder hostpath",
        .doc = "host directory"),
    ROW(FilesystemSpec, target, .key = "target", .type = VT_STRING, .max = 36,
        .change = CHANGE_IDENTITY, .xml = "target/@dir", .flags = KEY_REQUIRED | KEY_ITEM_KEY,
        .vagrant = "synced_folder :mount_tag",
        .doc = "mount tag the guest mounts (mount -t virtiofs TAG /mnt)"),
    ROW(FilesystemSpec, driver, .key = "driver", .type = VT_ENUM, .choices = e_fs_driver,
        .def = "virtiofs", .change = CHANGE_CONFIG, .xml = "driver/@type", .hook = HOOK_FS_DRIVER,
        .vagrant = "synced_folder type: virtiofs / 9p",
        .doc = "virtiofs (needs shared memory: virtspec sets memorybacking memfd + shared) or 9p"),
    ROW(FilesystemSpec, accessmode, .key = "accessmode", .type = VT_ENUM, .choices = e_fs_access,
        .def = "passthrough", .change = CHANGE_CONFIG, .xml = "@accessmode",
        .vagrant = "synced_folder :accessmode", .doc = "file ownership mapping (9p; virtiofs is passthrough)"),
    ROW(FilesystemSpec, readonly, .key = "readonly", .type = VT_BOOL, .change = CHANGE_CONFIG,
        .xml = "readonly", .vagrant = "synced_folder :readonly", .doc = "read-only export (9p)"),
};
static const KeyTable filesystem_table = TABLE("filesystems", filesystem_rows,
    .item_size = sizeof(FilesystemSpec), .xml_elem = "devices/filesystem",
    .doc = "host directories shared with the guest, matched by target");

static const KeyDef xml_add_rows[] = {
    ROW(XmlAddSpec, at, .key = "at", .type = VT_STRING, .max = 256, .change = CHANGE_CONFIG,
        .flags = KEY_REQUIRED | KEY_NO_XML,
        .doc = "the parent element, as a path below the root element: devices, dns, target, "
               "devices/controller[@type='usb'], or . for the root (<domain>, <network>, <pool>) "
               "itself"),
    ROW(XmlAddSpec, fragment, .key = "fragment", .type = VT_STRING, .max = 65536,
        .change = CHANGE_CONFIG, .flags = KEY_REQUIRED | KEY_NO_XML | KEY_MULTILINE,
        .doc = "one XML element, written as libvirt writes it back; it matches when libvirt's "
               "element has all of its attributes, text and children"),
};
static const KeyTable xml_add_table = TABLE("xml.add", xml_add_rows, .item_size = sizeof(XmlAddSpec),
    .xml_elem = "(at)/(fragment)", .doc = "elements appended to the rendered document");

static const KeyDef xml_set_rows[] = {
    ROW(XmlSetSpec, path, .key = "path", .type = VT_STRING, .max = 256, .change = CHANGE_CONFIG,
        .flags = KEY_REQUIRED | KEY_NO_XML,
        .doc = "an attribute (devices/graphics/@sharePolicy, dns/@enable) or element text "
               "(on_crash); a step may pick by attribute ([@type='usb']), by a child's value "
               "([mac/@address='52:54:00:12:34:56'], [model='x']) and last by position "
               "(interface[3], 1-based as in XPath; one that is not there is not created)"),
    ROW(XmlSetSpec, value, .key = "value", .type = VT_STRING, .max = 4096, .change = CHANGE_CONFIG,
        .flags = KEY_REQUIRED | KEY_NO_XML, .doc = "the value"),
};
static const KeyTable xml_set_table = TABLE("xml.set", xml_set_rows, .item_size = sizeof(XmlSetSpec),
    .xml_elem = "(path)", .doc = "values set in the rendered document");

/* The escape hatch of one kind: the same three rows at that kind's `xml` member (diff and
 * render find add, set and remove by position). Every change is persistent config: a domain's
 * takes effect at its next boot, a network's at its restart, a pool's at its restart. */
#define XML_HATCH_TABLE(_table, _struct)                                                        \
    static const KeyDef _table##_rows[] = {                                                     \
        ROW(_struct, xml.add, .key = "add", .type = VT_LIST, .sub = &xml_add_table,             \
            .change = CHANGE_CONFIG, .hook = HOOK_XML_EDIT, .flags = KEY_WHOLE,                 \
            .doc = "append these elements (second)"),                                           \
        ROW(_struct, xml.set, .key = "set", .type = VT_LIST, .sub = &xml_set_table,             \
            .change = CHANGE_CONFIG, .hook = HOOK_XML_EDIT, .flags = KEY_WHOLE,                 \
            .doc = "set these attributes or element texts (last)"),                             \
        ROW(_struct, xml.remove, .key = "remove", .type = VT_ENUM_LIST, .max = 256,             \
            .change = CHANGE_CONFIG, .hook = HOOK_XML_EDIT,                                     \
            .doc = "remove what these paths name: every matching element, or an attribute "     \
                   "(first)"),                                                                  \
    };                                                                                          \
    static const KeyTable _table = TABLE("xml", _table##_rows,                                  \
        .doc = "escape hatch: raw edits of the rendered libvirt XML for what no key covers; "   \
               "validated against libvirt's schema, compared edit by edit")

XML_HATCH_TABLE(xml_table, DomainSpec);
XML_HATCH_TABLE(network_xml_table, NetworkSpec);
XML_HATCH_TABLE(pool_xml_table, PoolSpec);

/* `placement` of every kind (docs/fleet.md): read by specs/placement.c only, never in libvirt. */
#define PLACEMENT_TABLE(_table, _struct)                                                        \
    static const KeyDef _table##_rows[] = {                                                     \
        ROW(_struct, placement.host, .key = "host", .type = VT_NAME, .change = CHANGE_NONE,     \
            .flags = KEY_NO_XML,                                                                \
            .doc = "the `kind: Host` it runs on (instead of match)"),                           \
        ROW(_struct, placement.match, .key = "match", .type = VT_ENUM_LIST, .max = 253,         \
            .change = CHANGE_NONE, .flags = KEY_NO_XML | KEY_LABELS,                            \
            .doc = "labels a host must all have (role: web); none: every host"),                \
        ROW(_struct, placement.spread, .key = "spread", .type = VT_NAME, .change = CHANGE_NONE, \
            .flags = KEY_NO_XML,                                                                \
            .doc = "a group name: prefer the host with the fewest members of the group"),       \
    };                                                                                          \
    static const KeyTable _table = TABLE("placement", _table##_rows,                            \
        .doc = "which `kind: Host` of the fleet takes it: sticky, then rendezvous hashing")

PLACEMENT_TABLE(placement_table, DomainSpec);
PLACEMENT_TABLE(network_placement_table, NetworkSpec);
PLACEMENT_TABLE(pool_placement_table, PoolSpec);

/* ---- cloud_init: the NoCloud seed (reconciler/cloud-init.c renders it) ---- */
static const KeyDef cloud_user_rows[] = {
    ROW(CloudUserSpec, name, .key = "name", .type = VT_STRING, .max = 32,
        .change = CHANGE_FIRST_BOOT, .flags = KEY_REQUIRED | KEY_NO_XML,
        .doc = "login name (a lower-case letter or _, then letters, digits, _ and -)"),
    ROW(CloudUserSpec, ssh_authorized_keys, .key = "ssh_authorized_keys", .type = VT_ENUM_LIST,
        .max = 16384, .change = CHANGE_FIRST_BOOT, .flags = KEY_NO_XML,
        .vagrant = "config.ssh.insert_key (the key vagrant inserts)",
        .doc = "OpenSSH public keys (`ssh-ed25519 AAAA… comment`) it may log in with"),
    ROW(CloudUserSpec, ssh_authorized_keys_file, .key = "ssh_authorized_keys_file", .type = VT_PATH,
        .change = CHANGE_FIRST_BOOT, .flags = KEY_NO_XML, .vagrant = "config.ssh.private_key_path (its .pub)",
        .doc = "read more public keys from this file at apply time (authorized_keys format: one "
               "per line, options allowed, # comments; at most 64 KiB); a line that is no public "
               "key, or a private key in the file, fails the domain"),
    ROW(CloudUserSpec, sudo, .key = "sudo", .type = VT_BOOL, .def = "false",
        .change = CHANGE_FIRST_BOOT, .flags = KEY_NO_XML,
        .doc = "passwordless sudo (`ALL=(ALL) NOPASSWD:ALL`)"),
    ROW(CloudUserSpec, shell, .key = "shell", .type = VT_PATH, .def = "/bin/bash",
        .change = CHANGE_FIRST_BOOT, .flags = KEY_NO_XML, .doc = "login shell"),
    ROW(CloudUserSpec, password_hash_file, .key = "password_hash_file", .type = VT_PATH,
        .change = CHANGE_FIRST_BOOT, .flags = KEY_SECRET | KEY_NO_XML,
        .doc = "a crypt(3) password hash (`mkpasswd -m yescrypt`), read at apply time from this "
               "root-only regular file of at most 4 KiB; never printed. Without it the account "
               "has no password (key login only)"),
};
static const KeyTable cloud_user_table = TABLE("cloud_init.users", cloud_user_rows,
    .item_size = sizeof(CloudUserSpec), .xml_elem = "(seed user-data)",
    .doc = "accounts created at first boot, in order");

static const KeyDef cloud_init_rows[] = {
    ROW(DomainSpec, cloud_init.hostname, .key = "hostname", .type = VT_STRING, .max = 63,
        .change = CHANGE_FIRST_BOOT, .flags = KEY_NO_XML, .vagrant = "config.vm.hostname",
        .def_doc = "the domain's name",
        .doc = "the guest's host name (meta-data local-hostname): letters, digits and -, "
               "optionally dotted (a FQDN)"),
    ROW(DomainSpec, cloud_init.users, .key = "users", .type = VT_LIST, .sub = &cloud_user_table,
        .change = CHANGE_FIRST_BOOT, .flags = KEY_NO_XML | KEY_WHOLE,
        .doc = "accounts (cloud-config users; the image's default user is kept)"),
    ROW(DomainSpec, cloud_init.network, .key = "network", .type = VT_ENUM, .choices = e_ci_network,
        .def = "auto", .change = CHANGE_FIRST_BOOT, .flags = KEY_NO_XML,
        .vagrant = "private_network ip (guest side)",
        .doc = "auto: each interface with `ip` gets that address statically (prefix, gateway and "
               "DNS of its libvirt network: the DHCP reservation's facts), the others DHCP, "
               "matched by MAC; dhcp: DHCP on every interface; none: no network-config (the "
               "image's own)"),
    ROW(DomainSpec, cloud_init.user_data_file, .key = "user_data_file", .type = VT_PATH,
        .change = CHANGE_FIRST_BOOT, .flags = KEY_NO_XML,
        .doc = "more user-data, read at apply time (at most 256 KiB): a #cloud-config file is "
               "merged into virtspec's (lists appended, maps merged; where both set a value, "
               "virtspec's stays: the spec decides), a script (#!) or other "
               "part type runs after it (MIME multipart); a MIME multipart file is refused"),
    ROW(DomainSpec, cloud_init.rerun, .key = "rerun", .type = VT_ENUM, .choices = e_ci_rerun,
        .def = "never", .change = CHANGE_FIRST_BOOT, .flags = KEY_NO_XML,
        .doc = "never: the instance-id stays the domain's name, so a changed seed only reaches a "
               "guest that has not booted yet (or is reset); on-change: the instance-id is a hash "
               "of the seed, and cloud-init runs again at the guest's next boot"),
    ROW(DomainSpec, cloud_init.pool, .key = "pool", .type = VT_NAME, .change = CHANGE_CONFIG,
        .flags = KEY_NO_XML, .def_doc = "the first pool disk's pool, else default",
        .doc = "pool of the seed volume cidata-DOMAIN.iso (attached read-only as a cdrom)"),
};
static const KeyTable cloud_init_table = TABLE("cloud_init", cloud_init_rows,
    .doc = "first-boot configuration for cloud images: a NoCloud seed ISO (volume id cidata: "
           "meta-data, user-data, network-config) built by virtspec, uploaded into the pool and "
           "attached read-only as a cdrom");

static const KeyDef snapshots_rows[] = {
    ROW(SnapshotsSpec, before_reload, .key = "before_reload", .type = VT_BOOL,
        .def = "false", .change = CHANGE_NONE, .flags = KEY_NO_XML,
        .doc = "take a snapshot right before each restart virtspec makes (reload: auto, virtspec "
               "reload); one that fails stops the restart"),
    ROW(SnapshotsSpec, keep, .key = "keep", .type = VT_INT, .min = 1, .max = 1000,
        .change = CHANGE_NONE, .flags = KEY_NO_XML, .def_doc = "all",
        .doc = "after each such snapshot, delete virtspec's own snapshots of the domain beyond "
               "the newest keep (oldest first); never one virtspec did not make"),
};
static const KeyTable snapshots_table = TABLE("snapshots", snapshots_rows,
    .item_size = sizeof(SnapshotsSpec),
    .doc = "snapshots virtspec takes by itself (docs/snapshots.md)");

/* ---- Domain ---- */
static const KeyDef domain_rows[] = {
    ROW(DomainSpec, name, .key = "name", .type = VT_NAME, .flags = KEY_REQUIRED,
        .change = CHANGE_IDENTITY, .xml = "name", .vagrant = "default_prefix + machine name",
        .doc = "libvirt domain name"),
    ROW(DomainSpec, uuid, .key = "uuid", .type = VT_UUID, .change = CHANGE_IDENTITY, .xml = "uuid",
        .flags = KEY_WHEN_SET | KEY_NO_TEMPLATE, .vagrant = "uuid", .doc = "domain UUID; libvirt generates one when unset"),
    ROW(DomainSpec, title, .key = "title", .type = VT_STRING, .max = 256, .change = CHANGE_LIVE,
        .xml = "title", .vagrant = "title", .doc = "short description (one line)"),
    ROW(DomainSpec, description, .key = "description", .type = VT_STRING, .flags = KEY_MULTILINE,
        .max = 65536, .change = CHANGE_LIVE, .xml = "description", .vagrant = "description",
        .doc = "free-form description"),
    ROW(DomainSpec, domain_type, .key = "domain_type", .type = VT_ENUM, .choices = e_domain_type,
        .def = "auto", .change = CHANGE_CONFIG, .xml = "@type", .hook = HOOK_DOMAIN_TYPE,
        .vagrant = "driver", .doc = "hypervisor: auto is kvm when the host has /dev/kvm, else qemu (TCG)"),
    ROW(DomainSpec, machine_type, .key = "machine_type", .type = VT_STRING, .max = 64,
        .change = CHANGE_CONFIG, .xml = "os/type/@machine", .hook = HOOK_MACHINE,
        .flags = KEY_WHEN_SET | KEY_READDRESS, .vagrant = "machine_type",
        .doc = "machine type (pc, q35, or a versioned name); libvirt's default when unset"),
    ROW(DomainSpec, machine_arch, .key = "machine_arch", .type = VT_ENUM, .choices = e_arch,
        .change = CHANGE_CONFIG, .xml = "os/type/@arch", .flags = KEY_WHEN_SET | KEY_READDRESS,
        .vagrant = "machine_arch", .doc = "guest architecture; the host's when unset"),
    ROW(DomainSpec, emulator, .key = "emulator", .type = VT_PATH, .change = CHANGE_CONFIG,
        .xml = "devices/emulator", .flags = KEY_WHEN_SET, .vagrant = "emulator_path",
        .doc = "emulator binary; libvirt's choice when unset"),
    ROW(DomainSpec, firmware, .flags = KEY_BOXED, .key = "firmware", .type = VT_MAP, .sub = &firmware_table,
        .doc = "firmware type, files selected by libvirt (instead of loader and nvram paths)"),
    ROW(DomainSpec, loader, .key = "loader", .type = VT_PATH, .change = CHANGE_CONFIG,
        .xml = "os/loader", .hook = HOOK_LOADER, .vagrant = "loader",
        .doc = "firmware image, read-only: pflash when the domain has an NVRAM, else rom"),
    ROW(DomainSpec, nvram, .key = "nvram", .type = VT_PATH, .change = CHANGE_CONFIG,
        .xml = "os/nvram", .flags = KEY_WHEN_SET, .vagrant = "nvram",
        .doc = "this domain's UEFI variable store (needs loader); libvirt's "
               "/var/lib/libvirt/qemu/nvram/NAME_VARS.fd when unset"),
    ROW(DomainSpec, nvram_template, .key = "nvram_template", .type = VT_PATH,
        .change = CHANGE_CONFIG, .xml = "os/nvram/@template", .vagrant = "nvram_template (PR #1797)",
        .doc = "variable store template (e.g. OVMF_VARS.fd) copied to the domain's own NVRAM at "
               "first start, so domains never share one (needs loader)"),
    ROW(DomainSpec, kernel, .key = "kernel", .type = VT_PATH, .change = CHANGE_CONFIG,
        .xml = "os/kernel", .vagrant = "kernel", .doc = "boot this host kernel directly"),
    ROW(DomainSpec, initrd, .key = "initrd", .type = VT_PATH, .change = CHANGE_CONFIG,
        .xml = "os/initrd", .vagrant = "initrd", .doc = "initial ramdisk for kernel"),
    ROW(DomainSpec, cmdline, .key = "cmdline", .type = VT_STRING, .max = 4096,
        .change = CHANGE_CONFIG, .xml = "os/cmdline", .vagrant = "cmd_line",
        .doc = "kernel command line (needs kernel)"),
    ROW(DomainSpec, dtb, .key = "dtb", .type = VT_PATH, .change = CHANGE_CONFIG, .xml = "os/dtb",
        .vagrant = "dtb", .doc = "device tree blob for kernel (ARM)"),
    ROW(DomainSpec, sysinfo, .key = "sysinfo", .type = VT_MAP, .sub = &sysinfo_table, .flags = KEY_BOXED,
        .vagrant = "sysinfo", .doc = "SMBIOS system information"),
    ROW(DomainSpec, memory, .key = "memory", .type = VT_SIZE, .unit = MiB, .min = 16 * MiB,
        .max = 16 * TiB, .def = "512MiB", .change = CHANGE_LIVE, .xml = "currentMemory",
        .hook = HOOK_MEMORY, .vagrant = "memory",
        .doc = "memory (a plain number counts MiB); live by balloon up to max_memory"),
    ROW(DomainSpec, max_memory, .key = "max_memory", .type = VT_SIZE, .unit = MiB, .min = 16 * MiB,
        .max = 16 * TiB, .change = CHANGE_CONFIG, .xml = "memory", .hook = HOOK_MAX_MEMORY,
        .doc = "boot-time memory ceiling for live growth; equals memory when unset"),
    ROW(DomainSpec, cpus, .key = "cpus", .type = VT_INT, .min = 1, .max = 4096, .def = "1",
        .change = CHANGE_LIVE, .xml = "vcpu/@current", .hook = HOOK_VCPU, .vagrant = "cpus",
        .doc = "vCPUs; live by hot-plug up to max_cpus"),
    ROW(DomainSpec, max_cpus, .key = "max_cpus", .type = VT_INT, .min = 1, .max = 4096,
        .change = CHANGE_CONFIG, .xml = "vcpu", .hook = HOOK_MAX_VCPU,
        .doc = "vCPU ceiling for live hot-plug; equals cpus when unset"),
    ROW(DomainSpec, cputopology, .flags = KEY_BOXED, .key = "cputopology", .type = VT_MAP, .sub = &cputopology_table,
        .vagrant = "cputopology", .doc = "CPU topology"),
    ROW(DomainSpec, cpu, .flags = KEY_BOXED, .key = "cpu", .type = VT_MAP, .sub = &cpu_table, .doc = "CPU model"),
    ROW(DomainSpec, nested, .key = "nested", .type = VT_BOOL, .def = "false",
        .change = CHANGE_CONFIG, .xml = "cpu/feature", .hook = HOOK_NESTED, .vagrant = "nested",
        .doc = "expose vmx/svm so the guest can run its own VMs"),
    ROW(DomainSpec, numa, .key = "numa", .type = VT_LIST, .sub = &numa_table,
        .change = CHANGE_CONFIG, .flags = KEY_WHOLE, .patch = "cpu/numa", .vagrant = "numa_nodes",
        .doc = "guest NUMA nodes; their cpus cover 0..max_cpus-1 and their memory adds up to "
               "max_memory (or memory); compared as a whole"),
    ROW(DomainSpec, cputune, .flags = KEY_BOXED, .key = "cputune", .type = VT_MAP, .sub = &cputune_table,
        .doc = "CPU shares and pinning"),
    ROW(DomainSpec, cpuset, .key = "cpuset", .type = VT_STRING, .max = 256,
        .change = CHANGE_CONFIG, .xml = "vcpu/@cpuset", .hook = HOOK_CPUSET,
        .patch = "vcpu/@cpuset", .vagrant = "cpuset",
        .doc = "host CPUs the vCPUs may run on, like 0-3,8"),
    ROW(DomainSpec, numatune, .flags = KEY_BOXED, .key = "numatune", .type = VT_MAP, .sub = &numatune_table,
        .doc = "host NUMA memory placement"),
    ROW(DomainSpec, memorybacking, .flags = KEY_BOXED, .key = "memorybacking", .type = VT_MAP,
        .sub = &memorybacking_table, .vagrant = "memorybacking", .doc = "memory backing"),
    ROW(DomainSpec, memtune, .flags = KEY_BOXED, .key = "memtune", .type = VT_MAP, .sub = &memtune_table,
        .vagrant = "memtune", .doc = "memory limits"),
    ROW(DomainSpec, features, .key = "features", .type = VT_ENUM_LIST, .choices = e_features,
        .change = CHANGE_CONFIG, .xml = "features", .hook = HOOK_FEATURES, .vagrant = "features",
        .def_doc = "`[acpi, apic]` on x86_64, `[acpi, apic, pae]` on i686, else empty",
        .doc = "simple hypervisor features (others, such as vmport, through the xml key)"),
    ROW(DomainSpec, kvm_hidden, .key = "kvm_hidden", .type = VT_BOOL, .change = CHANGE_CONFIG,
        .xml = "features/kvm/hidden/@state", .flags = KEY_ONOFF, .patch = "features/kvm",
        .vagrant = "kvm_hidden", .doc = "hide the KVM signature from the guest (GPU drivers)"),
    ROW(DomainSpec, hyperv, .key = "hyperv", .type = VT_LIST, .sub = &hyperv_table,
        .change = CHANGE_CONFIG, .hook = HOOK_HYPERV, .flags = KEY_WHOLE,
        .patch = "features/hyperv", .vagrant = "hyperv_feature",
        .doc = "Hyper-V enlightenments; compared as a set of name=state"),
    ROW(DomainSpec, clock, .flags = KEY_BOXED, .key = "clock", .type = VT_MAP, .sub = &clock_table,
        .doc = "clock offset and timers (libvirt's default: utc, no timers)"),
    ROW(DomainSpec, boot, .key = "boot", .type = VT_ENUM_LIST, .choices = e_boot,
        .change = CHANGE_CONFIG, .xml = "os/boot", .hook = HOOK_BOOT, .vagrant = "boot",
        .doc = "boot device order; libvirt's default (hd) when unset"),
    ROW(DomainSpec, graphics, .key = "graphics", .type = VT_MAP, .sub = &graphics_table,
        .flags = KEY_ALWAYS,
        .doc = "display"),
    ROW(DomainSpec, cloud_init, .key = "cloud_init", .type = VT_MAP, .sub = &cloud_init_table,
        .doc = "first-boot configuration (cloud-init NoCloud seed)"),
    ROW(DomainSpec, video, .key = "video", .type = VT_MAP, .sub = &video_table, .flags = KEY_ALWAYS,
        .doc = "video"),
    ROW(DomainSpec, sound, .flags = KEY_BOXED, .key = "sound", .type = VT_MAP, .sub = &sound_table, .doc = "sound"),
    ROW(DomainSpec, tpm, .flags = KEY_BOXED, .key = "tpm", .type = VT_MAP, .sub = &tpm_table, .doc = "TPM"),
    ROW(DomainSpec, disks, .key = "disks", .type = VT_LIST, .sub = &disk_table,
        .change = CHANGE_LIVE, .vagrant = "storage", .doc = "disks; adding and removing is live"),
    ROW(DomainSpec, cdroms, .key = "cdroms", .type = VT_LIST, .sub = &cdrom_table,
        .change = CHANGE_CONFIG, .vagrant = "storage device: :cdrom", .doc = "CD-ROM drives"),
    ROW(DomainSpec, interfaces, .key = "interfaces", .type = VT_LIST, .sub = &iface_table,
        .change = CHANGE_LIVE, .vagrant = "private_network / public_network",
        .doc = "NICs; adding and removing is live"),
    ROW(DomainSpec, inputs, .key = "inputs", .type = VT_LIST, .sub = &input_table,
        .change = CHANGE_CONFIG, .vagrant = "input", .doc = "input devices"),
    ROW(DomainSpec, channels, .key = "channels", .type = VT_LIST, .sub = &channel_table,
        .change = CHANGE_CONFIG, .vagrant = "channel", .doc = "channels"),
    ROW(DomainSpec, guest_agent, .key = "guest_agent", .type = VT_BOOL, .def = "false",
        .change = CHANGE_CONFIG, .xml = "devices/channel", .hook = HOOK_GUEST_AGENT,
        .vagrant = "qemu_use_agent", .doc = "add the qemu guest agent channel"),
    ROW(DomainSpec, rng, .flags = KEY_BOXED, .key = "rng", .type = VT_MAP, .sub = &rng_table, .doc = "RNG"),
    ROW(DomainSpec, watchdog, .flags = KEY_BOXED, .key = "watchdog", .type = VT_MAP, .sub = &watchdog_table,
        .doc = "watchdog"),
    ROW(DomainSpec, serials, .key = "serials", .type = VT_LIST, .sub = &serial_table,
        .change = CHANGE_CONFIG, .vagrant = "serial", .doc = "serial ports"),
    ROW(DomainSpec, consoles, .key = "consoles", .type = VT_LIST, .sub = &console_table,
        .change = CHANGE_CONFIG, .flags = KEY_WHOLE, .vagrant = "(first serial, mirrored)",
        .doc = "virtio consoles, compared as a whole (libvirt renumbers them)"),
    ROW(DomainSpec, memballoon, .flags = KEY_BOXED, .key = "memballoon", .type = VT_MAP, .sub = &memballoon_table,
        .doc = "memory balloon"),
    ROW(DomainSpec, usb_controller, .flags = KEY_BOXED, .key = "usb_controller", .type = VT_MAP,
        .sub = &usb_controller_table, .vagrant = "usb_controller", .doc = "USB controller"),
    ROW(DomainSpec, smartcard, .flags = KEY_BOXED, .key = "smartcard", .type = VT_MAP, .sub = &smartcard_table,
        .vagrant = "smartcard_dev", .doc = "smartcard"),
    ROW(DomainSpec, redirdevs, .key = "redirdevs", .type = VT_LIST, .sub = &redirdev_table,
        .change = CHANGE_CONFIG, .flags = KEY_WHOLE, .patch = "devices/redirdev",
        .vagrant = "redirdev", .doc = "USB redirection channels; compared as a whole"),
    ROW(DomainSpec, redirfilters, .key = "redirfilters", .type = VT_LIST, .sub = &redirfilter_table,
        .change = CHANGE_CONFIG, .flags = KEY_WHOLE, .patch = "devices/redirfilter",
        .vagrant = "redirfilter", .doc = "USB redirection filter (needs redirdevs); compared as a whole"),
    ROW(DomainSpec, pci, .key = "pci", .type = VT_LIST, .sub = &pci_host_table,
        .change = CHANGE_CONFIG, .vagrant = "pci", .doc = "host PCI passthrough"),
    ROW(DomainSpec, usb, .key = "usb", .type = VT_LIST, .sub = &usb_host_table,
        .change = CHANGE_CONFIG, .vagrant = "usb", .doc = "host USB passthrough"),
    ROW(DomainSpec, launch_security, .flags = KEY_BOXED, .key = "launch_security", .type = VT_MAP,
        .sub = &launch_security_table, .vagrant = "launchsecurity", .doc = "launch security"),
    ROW(DomainSpec, qemu_args, .key = "qemu_args", .type = VT_ENUM_LIST, .max = 4096,
        .change = CHANGE_CONFIG, .xml = "commandline/arg/@value", .hook = HOOK_QEMU_ARGS,
        .patch = "commandline", .vagrant = "qemuargs",
        .doc = "extra QEMU arguments (qemu:commandline), in order; unsupported by libvirt, taints the domain"),
    ROW(DomainSpec, qemu_env, .key = "qemu_env", .type = VT_LIST, .sub = &qemu_env_table,
        .change = CHANGE_CONFIG, .flags = KEY_WHOLE, .hook = HOOK_QEMU_ENV, .patch = "commandline",
        .vagrant = "qemuenv", .doc = "environment of the QEMU process (qemu:commandline); compared as a whole"),
    ROW(DomainSpec, floppies, .key = "floppies", .type = VT_LIST, .sub = &floppy_table,
        .change = CHANGE_CONFIG, .vagrant = "storage device: :floppy", .doc = "floppy drives"),
    ROW(DomainSpec, filesystems, .key = "filesystems", .type = VT_LIST, .sub = &filesystem_table,
        .change = CHANGE_CONFIG, .vagrant = "synced_folder type: virtiofs / 9p",
        .doc = "shared directories"),
    ROW(DomainSpec, xml, .key = "xml", .type = VT_MAP, .sub = &xml_table,
        .vagrant = "(any option without a key; also qemuargs-style hacks)",
        .doc = "raw XML edits, applied after rendering"),
    ROW(DomainSpec, autostart, .key = "autostart", .type = VT_BOOL, .def = "false",
        .change = CHANGE_LIVE, .hook = HOOK_API, .vagrant = "autostart",
        .doc = "start the domain when libvirtd starts"),
    ROW(DomainSpec, state, .key = "state", .type = VT_ENUM, .choices = e_state, .def = "running",
        .change = CHANGE_LIVE, .hook = HOOK_API,
        .doc = "desired run state (shutoff: graceful shutdown, then forced after shutdown_timeout)"),
    ROW(DomainSpec, reload, .key = "reload", .type = VT_ENUM, .choices = e_reload, .def = "manual",
        .change = CHANGE_NONE, .flags = KEY_NO_XML,
        .doc = "auto: restart a running domain to apply config changes; manual: mark reload-pending"),
    ROW(DomainSpec, shutdown_timeout, .key = "shutdown_timeout", .type = VT_INT, .min = 1,
        .max = 3600, .def = "60", .change = CHANGE_NONE, .flags = KEY_NO_XML,
        .vagrant = "graceful halt timeout",
        .doc = "seconds to wait for an ACPI shutdown before forcing the domain off"),
    ROW(DomainSpec, adopt, .key = "adopt", .type = VT_BOOL, .def = "false", .change = CHANGE_NONE,
        .flags = KEY_NO_XML,
        .doc = "take over an existing domain of this name that virtspec did not create"),
    ROW(DomainSpec, suspend_mode, .key = "suspend_mode", .type = VT_ENUM, .choices = e_suspend,
        .def = "pause", .change = CHANGE_NONE, .flags = KEY_NO_XML, .vagrant = "suspend_mode",
        .doc = "how state: paused is reached: pause (virDomainSuspend) or managedsave (memory to "
               "disk); recorded for the engine"),
    ROW(DomainSpec, delete_volumes_on_removal, .key = "delete_volumes_on_removal", .type = VT_BOOL,
        .def = "false", .change = CHANGE_NONE, .flags = KEY_NO_XML,
        .doc = "true: a volume virtspec created for a disk is deleted once the disk entry is removed "
               "and the disk is detached, and when `--prune` undefines the domain (recorded in "
               "virtspec's metadata); never base images, `existing` volumes, `path` disks, NVRAM or "
               "TPM state"),
    ROW(DomainSpec, snapshots, .flags = KEY_BOXED, .key = "snapshots", .type = VT_MAP, .sub = &snapshots_table,
        .doc = "snapshots before restarts (every writable disk qcow2; internal, or external plus an NVRAM "
        "copy with pflash NVRAM)"),
    ROW(DomainSpec, placement, .key = "placement", .type = VT_MAP, .sub = &placement_table,
        .doc = "which host of the fleet runs it (docs/fleet.md); without: any host"),
};
const KeyTable domain_table = TABLE("Domain", domain_rows, .doc = "a virtual machine");

/* ---- Network ---- */
static const KeyDef dhcp_host_rows[] = {
    ROW(DhcpHostSpec, mac, .key = "mac", .type = VT_MAC, .change = CHANGE_LIVE,
        .xml = "@mac", .flags = KEY_REQUIRED | KEY_ITEM_KEY, .doc = "guest MAC address"),
    ROW(DhcpHostSpec, ip, .key = "ip", .type = VT_IP, .change = CHANGE_LIVE, .xml = "@ip",
        .flags = KEY_REQUIRED, .doc = "reserved address"),
    ROW(DhcpHostSpec, name, .key = "name", .type = VT_STRING, .max = 63, .change = CHANGE_LIVE,
        .xml = "@name", .doc = "host name handed out"),
};
static const KeyTable dhcp_host_table = TABLE("hosts", dhcp_host_rows,
    .item_size = sizeof(DhcpHostSpec), .xml_elem = "ip/dhcp/host", .doc = "static DHCP leases");

static const KeyDef dhcp_rows[] = {
    ROW(NetworkSpec, dhcp.start, .key = "start", .type = VT_IP, .change = CHANGE_LIVE,
        .xml = "ip/dhcp/range/@start", .hook = HOOK_NET_DHCP, .vagrant = "libvirt__dhcp_start",
        .def_doc = "with end and hosts unset too: the address after `ip`",
        .doc = "first address handed out"),
    ROW(NetworkSpec, dhcp.end, .key = "end", .type = VT_IP, .change = CHANGE_LIVE,
        .xml = "ip/dhcp/range/@end", .vagrant = "libvirt__dhcp_stop",
        .def_doc = "with start and hosts unset too: the last below the broadcast address (at most the "
                   "subnet's first /16; the addresses before `ip` when it is the last)",
        .doc = "last address handed out"),
    ROW(NetworkSpec, dhcp.hosts, .key = "hosts", .type = VT_LIST, .sub = &dhcp_host_table,
        .change = CHANGE_LIVE, .hook = HOOK_NET_DHCP_HOSTS, .doc = "static leases (live)"),
    ROW(NetworkSpec, dhcp.bootp_file, .key = "bootp_file", .type = VT_STRING, .max = 255,
        .change = CHANGE_CONFIG, .xml = "ip/dhcp/bootp/@file", .vagrant = "libvirt__dhcp_bootp_file",
        .doc = "PXE boot file"),
    ROW(NetworkSpec, dhcp.bootp_server, .key = "bootp_server", .type = VT_IP,
        .change = CHANGE_CONFIG, .xml = "ip/dhcp/bootp/@server",
        .vagrant = "libvirt__dhcp_bootp_server", .doc = "PXE boot server"),
};
static const KeyTable dhcp_table = TABLE("dhcp", dhcp_rows, .doc = "DHCP service on the IPv4 subnet");

static const KeyDef dns_host_rows[] = {
    ROW(DnsHostSpec, ip, .key = "ip", .type = VT_IP, .change = CHANGE_LIVE, .xml = "@ip",
        .flags = KEY_REQUIRED | KEY_ITEM_KEY,
        .doc = "address the names resolve to (the family of the network's ip or ipv6)"),
    ROW(DnsHostSpec, names, .key = "names", .type = VT_ENUM_LIST, .max = 253, .change = CHANGE_LIVE,
        .xml = "hostname", .flags = KEY_REQUIRED, .doc = "host names (at least one), in order"),
};
static const KeyTable dns_host_table = TABLE("hosts", dns_host_rows,
    .item_size = sizeof(DnsHostSpec), .xml_elem = "dns/host", .doc = "DNS host records");

static const KeyDef dns_rows[] = {
    ROW(NetworkSpec, dns.hosts, .key = "hosts", .type = VT_LIST, .sub = &dns_host_table,
        .change = CHANGE_LIVE,
        .doc = "names answered by the network's DNS server (live)"),
};
static const KeyTable dns_table = TABLE("dns", dns_rows, .doc = "the network's DNS server (dnsmasq)");

static const KeyDef network_rows[] = {
    ROW(NetworkSpec, name, .key = "name", .type = VT_NAME, .flags = KEY_REQUIRED,
        .change = CHANGE_IDENTITY, .xml = "name", .vagrant = "libvirt__network_name",
        .doc = "libvirt network name"),
    ROW(NetworkSpec, uuid, .key = "uuid", .type = VT_UUID, .change = CHANGE_IDENTITY,
        .xml = "uuid", .flags = KEY_WHEN_SET | KEY_NO_TEMPLATE, .doc = "network UUID; generated when unset"),
    ROW(NetworkSpec, forward, .key = "forward", .type = VT_ENUM, .choices = e_forward, .def = "nat",
        .change = CHANGE_CONFIG, .xml = "forward/@mode", .hook = HOOK_NET_FORWARD,
        .vagrant = "libvirt__forward_mode", .doc = "how guest traffic leaves the network (nat, route and open need `ip` or `ipv6`)"),
    ROW(NetworkSpec, forward_dev, .key = "forward_dev", .type = VT_STRING, .max = 15,
        .change = CHANGE_CONFIG, .xml = "forward/@dev", .vagrant = "libvirt__forward_device",
        .doc = "host device traffic is forwarded through"),
    ROW(NetworkSpec, bridge, .key = "bridge", .type = VT_STRING, .max = 15,
        .change = CHANGE_CONFIG, .xml = "bridge/@name", .hook = HOOK_NET_BRIDGE,
        .flags = KEY_WHEN_SET, .doc = "bridge name; libvirt picks a free virbrN when unset"),
    ROW(NetworkSpec, ip, .key = "ip", .type = VT_IP_PREFIX, .change = CHANGE_CONFIG,
        .xml = "ip/@address", .hook = HOOK_NET_IP,
        .vagrant = "libvirt__host_ip + libvirt__netmask", .doc = "host address and prefix (IPv4)"),
    ROW(NetworkSpec, dhcp, .key = "dhcp", .type = VT_MAP, .sub = &dhcp_table,
        .doc = "DHCP, on when the map is written: `dhcp: {}` hands out the default range; a map "
               "with only `hosts` serves only those static leases"),
    ROW(NetworkSpec, tftp_root, .key = "tftp_root", .type = VT_PATH, .change = CHANGE_CONFIG,
        .xml = "ip/tftp/@root", .vagrant = "libvirt__tftp_root", .doc = "TFTP root directory"),
    ROW(NetworkSpec, mtu, .key = "mtu", .type = VT_INT, .min = 68, .max = 65535,
        .change = CHANGE_CONFIG, .xml = "mtu/@size", .vagrant = "libvirt__mtu", .doc = "bridge MTU"),
    ROW(NetworkSpec, domain, .key = "domain", .type = VT_STRING, .max = 253,
        .change = CHANGE_CONFIG, .xml = "domain/@name", .vagrant = "libvirt__domain_name",
        .doc = "DNS domain (answered locally unless `domain_local_only: false`)"),
    ROW(NetworkSpec, domain_local_only, .key = "domain_local_only", .type = VT_BOOL,
        .def_doc = "true (with `domain`)", .change = CHANGE_CONFIG, .xml = "domain/@localOnly", .hook = HOOK_NET_DOMAIN_LOCAL,
        .vagrant = "libvirt__domain_name (always localOnly)",
        .doc = "the network's dnsmasq answers names in `domain` itself and never forwards them "
               "(libvirt's localOnly; as vagrant-libvirt sets it); only with `domain`"),
    ROW(NetworkSpec, dns, .key = "dns", .type = VT_MAP, .sub = &dns_table, .doc = "DNS"),
    ROW(NetworkSpec, ipv6, .key = "ipv6", .type = VT_IP_PREFIX, .change = CHANGE_CONFIG,
        .xml = "ip[@family='ipv6']/@address", .hook = HOOK_NET_IP,
        .vagrant = "libvirt__ipv6_address + libvirt__ipv6_prefix", .doc = "host IPv6 address and prefix"),
    ROW(NetworkSpec, guest_ipv6, .key = "guest_ipv6", .type = VT_BOOL, .change = CHANGE_CONFIG,
        .xml = "@ipv6", .flags = KEY_WHEN_SET, .vagrant = "libvirt__guest_ipv6",
        .doc = "allow guest-to-guest IPv6 without an address on the network"),
    ROW(NetworkSpec, xml, .key = "xml", .type = VT_MAP, .sub = &network_xml_table,
        .vagrant = "(any option without a key)",
        .doc = "raw XML edits, applied after rendering (dns forwarders, routes, port groups…)"),
    ROW(NetworkSpec, autostart, .key = "autostart", .type = VT_BOOL, .def = "true",
        .change = CHANGE_LIVE, .hook = HOOK_API, .vagrant = "libvirt__autostart",
        .doc = "start with libvirtd"),
    ROW(NetworkSpec, reload, .key = "reload", .type = VT_ENUM, .choices = e_reload, .def = "manual",
        .change = CHANGE_NONE, .flags = KEY_NO_XML,
        .doc = "auto: restart a restart-pending network at once, then plug its running guests' "
               "taps back into the new bridge; manual: mark it reload-pending"),
    ROW(NetworkSpec, adopt, .key = "adopt", .type = VT_BOOL, .def = "false", .change = CHANGE_NONE,
        .flags = KEY_NO_XML, .doc = "take over an existing network of this name"),
    ROW(NetworkSpec, placement, .key = "placement", .type = VT_MAP, .sub = &network_placement_table,
        .doc = "which hosts of the fleet define it (docs/fleet.md); without: every host"),
};
const KeyTable network_table = TABLE("Network", network_rows, .doc = "a virtual network");

/* ---- Pool ---- */
static const KeyDef pool_rows[] = {
    ROW(PoolSpec, name, .key = "name", .type = VT_NAME, .flags = KEY_REQUIRED,
        .change = CHANGE_IDENTITY, .xml = "name", .vagrant = "storage_pool_name",
        .doc = "libvirt pool name"),
    ROW(PoolSpec, type, .key = "type", .type = VT_ENUM, .choices = e_pool_type, .def = "dir",
        .change = CHANGE_IDENTITY, .xml = "@type",
        .doc = "pool type: dir (a directory), logical (an LVM volume group), netfs (a network "
               "file system mounted at path); a change is refused, never a rebuild"),
    ROW(PoolSpec, path, .key = "path", .type = VT_PATH,
        .change = CHANGE_CONFIG, .xml = "target/path", .vagrant = "storage_pool_path",
        .def_doc = "required for dir and netfs; logical: /dev/VG_NAME, set by libvirt",
        .doc = "directory that holds the volumes (netfs: the mount point)"),
    ROW(PoolSpec, mode, .key = "mode", .type = VT_STRING, .max = 4, .def = "0755",
        .change = CHANGE_CONFIG, .xml = "target/permissions/mode", .doc = "directory mode (octal)"),
    ROW(PoolSpec, owner, .key = "owner", .type = VT_INT, .min = 0, .max = 4294967294LL,
        .def = "0", .change = CHANGE_CONFIG, .xml = "target/permissions/owner",
        .doc = "directory owner uid"),
    ROW(PoolSpec, group, .key = "group", .type = VT_INT, .min = 0, .max = 4294967294LL,
        .def = "0", .change = CHANGE_CONFIG, .xml = "target/permissions/group",
        .doc = "directory group gid"),
    ROW(PoolSpec, autostart, .key = "autostart", .type = VT_BOOL, .def = "true",
        .change = CHANGE_LIVE, .hook = HOOK_API, .doc = "start with libvirtd"),
    ROW(PoolSpec, adopt, .key = "adopt", .type = VT_BOOL, .def = "false", .change = CHANGE_NONE,
        .flags = KEY_NO_XML, .doc = "take over an existing pool of this name"),
    ROW(PoolSpec, source_devices, .key = "source_devices", .type = VT_ENUM_LIST, .max = 255,
        .change = CHANGE_IDENTITY, .xml = "source/device/@path",
        .doc = "block devices of the volume group (type logical; required with build)"),
    ROW(PoolSpec, vg_name, .key = "vg_name", .type = VT_NAME, .change = CHANGE_IDENTITY,
        .xml = "source/name", .def_doc = "the pool's name",
        .doc = "LVM volume group (type logical)"),
    ROW(PoolSpec, build, .key = "build", .type = VT_BOOL, .def = "false", .change = CHANGE_NONE,
        .flags = KEY_NO_XML,
        .doc = "type logical: create the volume group on source_devices when it does not exist; "
               "libvirt refuses a device with any signature (partition table, file system, PV), "
               "and virtspec never overwrites one"),
    ROW(PoolSpec, source_host, .key = "source_host", .type = VT_STRING, .max = 253,
        .change = CHANGE_IDENTITY, .xml = "source/host/@name",
        .doc = "file server host name or address (type netfs; required)"),
    ROW(PoolSpec, source_dir, .key = "source_dir", .type = VT_PATH, .change = CHANGE_IDENTITY,
        .xml = "source/dir/@path", .doc = "exported directory, or /VOLUME for glusterfs (type netfs; required)"),
    ROW(PoolSpec, format, .key = "format", .type = VT_ENUM, .choices = e_netfs_format,
        .change = CHANGE_IDENTITY, .xml = "source/format/@type", .def_doc = "auto (type netfs)",
        .doc = "network file system (type netfs)"),
    ROW(PoolSpec, xml, .key = "xml", .type = VT_MAP, .sub = &pool_xml_table,
        .doc = "raw XML edits, applied after rendering (copy-on-write features, a netfs protocol "
               "version…)"),
    ROW(PoolSpec, placement, .key = "placement", .type = VT_MAP, .sub = &pool_placement_table,
        .doc = "which hosts of the fleet define it (docs/fleet.md); without: every host"),
};
const KeyTable pool_table = TABLE("Pool", pool_rows, .doc = "a storage pool");

/* ---- Host (docs/fleet.md) ---- */
static const KeyDef host_capacity_rows[] = {
    ROW(HostSpec, capacity.memory, .key = "memory", .type = VT_SIZE, .unit = 1024 * 1024,
        .min = 1024 * 1024, .change = CHANGE_NONE, .flags = KEY_NO_XML,
        .doc = "memory the domains placed on it may use in all (their `memory`); unset: unbounded"),
    ROW(HostSpec, capacity.vcpus, .key = "vcpus", .type = VT_INT, .min = 1, .max = 65536,
        .change = CHANGE_NONE, .flags = KEY_NO_XML,
        .doc = "vCPUs the domains placed on it may use in all (their `cpus`); unset: unbounded"),
};
static const KeyTable host_capacity_table = TABLE("capacity", host_capacity_rows,
    .doc = "what placement may put on the host");

static const KeyDef host_rows[] = {
    ROW(HostSpec, name, .key = "name", .type = VT_NAME, .flags = KEY_REQUIRED, .change = CHANGE_NONE,
        .doc = "the host's name: `placement.host`, `--host`, `host =` in the config file"),
    ROW(HostSpec, labels, .key = "labels", .type = VT_ENUM_LIST, .max = 253, .change = CHANGE_NONE,
        .flags = KEY_LABELS, .doc = "labels `placement.match` selects by (role: web, zone: a)"),
    ROW(HostSpec, uri, .key = "uri", .type = VT_STRING, .max = 1024, .change = CHANGE_NONE,
        .doc = "libvirt connection URI of the host (qemu+ssh://kvm1/system): `fleet status` reads it, "
                "and the other hosts look there for a domain they are to run (moving)"),
    ROW(HostSpec, capacity, .key = "capacity", .type = VT_MAP, .sub = &host_capacity_table,
        .doc = "optional limits for placement"),
    ROW(HostSpec, maintenance, .key = "maintenance", .type = VT_BOOL, .def = "false",
        .change = CHANGE_NONE,
        .doc = "true: nothing is placed on it (what it runs is placed elsewhere, and moved there)"),
    ROW(HostSpec, lost, .key = "lost", .type = VT_BOOL, .def = "false", .change = CHANGE_NONE,
        .doc = "true: the admin declares the host gone for good: nothing is placed on it, and no "
               "other host looks there before creating what it ran (never automatic)"),
};
const KeyTable host_table = TABLE("Host", host_rows,
    .doc = "a hypervisor of the fleet; not a libvirt object: only placement reads it");

const KeyTable *spec_kind_table(SpecKind k) {
    switch (k) {
    case KIND_DOMAIN: return &domain_table;
    case KIND_NETWORK: return &network_table;
    case KIND_POOL: return &pool_table;
    default: return NULL;
    }
}

static const char *const kind_names[_KIND_MAX] = {
    [KIND_DOMAIN] = "Domain",
    [KIND_NETWORK] = "Network",
    [KIND_POOL] = "Pool",
};

const char *spec_kind_to_string(SpecKind k) {
    return k >= 0 && k < _KIND_MAX ? kind_names[k] : NULL;
}

SpecKind spec_kind_from_string(const char *s) {
    for (int i = 0; i < _KIND_MAX; i++)
        if (streq(kind_names[i], s))
            return (SpecKind) i;
    return _KIND_INVALID;
}

const KeyDef *key_table_find(const KeyTable *t, const char *key) {
    for (size_t i = 0; i < t->n_keys; i++)
        if (t->keys[i].key[0] == key[0] && streq(t->keys[i].key, key))   /* the first letter first */
            return &t->keys[i];
    return NULL;
}

const max_align_t spec_zero_section[64];

void *spec_section_ensure(void *base, const KeyDef *k) {
    if (!(k->flags & KEY_BOXED))
        return base;
    void **box = key_box(k, base);
    if (!*box)
        *box = xmalloc0(k->sub->item_size);
    return *box;
}

const void *spec_row_base(const KeyTable *t, const KeyDef *row, const void *base) {
    for (size_t i = 0; i < t->n_keys; i++)
        if (row == &t->keys[i])
            return base;
    for (size_t i = 0; i < t->n_keys; i++) {
        const KeyDef *k = &t->keys[i];
        const void *b = k->type == VT_MAP ? spec_row_base(k->sub, row, spec_section(base, k)) : NULL;
        if (b)
            return b;
    }
    return NULL;
}

const XmlHatchSpec *spec_xml_hatch(const Spec *s) {
    /* the row's offset, found once per kind: every render and check asks (0: not known yet) */
    static size_t offsets[_KIND_MAX];
    size_t off = __atomic_load_n(&offsets[s->kind], __ATOMIC_RELAXED);
    if (off == 0) {
        const KeyDef *k = key_table_find(spec_kind_table(s->kind), "xml");
        assert(k && k->type == VT_MAP);
        off = k->offset;
        __atomic_store_n(&offsets[s->kind], off, __ATOMIC_RELAXED);
    }
    return (const XmlHatchSpec *) ((const char *) &s->domain + off);
}

size_t edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return SIZE_MAX;
    size_t d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            size_t m = sub < del ? sub : del;
            m = m < ins ? m : ins;
            /* transposition */
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < m)
                m = d[i - 2][j - 2] + 1;
            d[i][j] = m;
        }
    return d[la][lb];
}

const char *key_table_suggest(const KeyTable *t, const char *key) {
    const char *best = NULL;
    size_t best_d = SIZE_MAX, limit = strlen(key) <= 4 ? 1 : strlen(key) <= 8 ? 2 : 3;
    for (size_t i = 0; i < t->n_keys; i++) {
        size_t d = edit_distance(key, t->keys[i].key);
        if (d < best_d) {
            best_d = d;
            best = t->keys[i].key;
        }
    }
    return best_d <= limit ? best : NULL;
}
