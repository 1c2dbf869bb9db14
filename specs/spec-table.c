/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>

#include "spec-table.h"

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
static const char *const e_iface_type[] = { "network", "bridge", "direct", NULL };
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
static const char *const e_state[] = { "running", "shutoff", "paused", NULL };
static const char *const e_reload[] = { "manual", "auto", NULL };
static const char *const e_forward[] = { "nat", "route", "open", "none", "veryisolated", "bridge", NULL };
static const char *const e_pool_type[] = { "dir", NULL };

/* ---- Domain: nested maps ---- */
static const KeyDef cputopology_rows[] = {
    ROW(DomainSpec, cputopology.sockets, .key = "sockets", .type = VT_INT, .min = 1, .max = 4096,
        .change = CHANGE_CONFIG, .xml = "cpu/topology/@sockets", .flags = KEY_REQUIRED,
        .vagrant = "cputopology :sockets", .doc = "CPU sockets"),
    ROW(DomainSpec, cputopology.cores, .key = "cores", .type = VT_INT, .min = 1, .max = 4096,
        .change = CHANGE_CONFIG, .xml = "cpu/topology/@cores", .flags = KEY_REQUIRED,
        .vagrant = "cputopology :cores", .doc = "cores per socket"),
    ROW(DomainSpec, cputopology.threads, .key = "threads", .type = VT_INT, .min = 1, .max = 64,
        .change = CHANGE_CONFIG, .xml = "cpu/topology/@threads", .flags = KEY_REQUIRED,
        .vagrant = "cputopology :threads", .doc = "threads per core"),
};
static const KeyTable cputopology_table = TABLE("cputopology", cputopology_rows,
    .doc = "guest CPU topology; sockets × cores × threads must equal max_cpus (or cpus)");

static const KeyDef cpu_rows[] = {
    ROW(DomainSpec, cpu.mode, .key = "mode", .type = VT_ENUM, .choices = e_cpu_mode,
        .change = CHANGE_CONFIG, .xml = "cpu/@mode", .vagrant = "cpu_mode",
        .doc = "CPU model mode; libvirt's default (emulator's choice) when unset"),
    ROW(DomainSpec, cpu.model, .key = "model", .type = VT_STRING, .max = 64,
        .change = CHANGE_CONFIG, .xml = "cpu/model", .vagrant = "cpu_model",
        .doc = "CPU model name (mode custom requires it)"),
    ROW(DomainSpec, cpu.fallback, .key = "fallback", .type = VT_ENUM, .choices = e_fallback,
        .change = CHANGE_CONFIG, .xml = "cpu/model/@fallback", .vagrant = "cpu_fallback",
        .doc = "whether libvirt may fall back to a close CPU model (needs model)"),
};
static const KeyTable cpu_table = TABLE("cpu", cpu_rows, .doc = "guest CPU model");

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
        .doc = "video memory in KiB (qxl, vga, cirrus, vmvga only)"),
};
static const KeyTable video_table = TABLE("video", video_rows, .doc = "video adapter");

static const KeyDef sound_rows[] = {
    ROW(DomainSpec, sound.model, .key = "model", .type = VT_ENUM, .choices = e_sound,
        .change = CHANGE_CONFIG, .xml = "devices/sound/@model", .flags = KEY_REQUIRED,
        .vagrant = "sound_type", .doc = "sound card model"),
};
static const KeyTable sound_table = TABLE("sound", sound_rows, .doc = "sound card (none by default)");

static const KeyDef tpm_rows[] = {
    ROW(DomainSpec, tpm.model, .key = "model", .type = VT_ENUM, .choices = e_tpm_model,
        .def = "tpm-tis", .change = CHANGE_CONFIG, .xml = "devices/tpm/@model",
        .vagrant = "tpm_model", .doc = "TPM interface model"),
    ROW(DomainSpec, tpm.type, .key = "type", .type = VT_ENUM, .choices = e_tpm_type,
        .def = "emulator", .change = CHANGE_CONFIG, .xml = "devices/tpm/backend/@type",
        .hook = HOOK_TPM_BACKEND, .vagrant = "tpm_type",
        .doc = "emulator (swtpm) or passthrough of a host TPM"),
    ROW(DomainSpec, tpm.path, .key = "path", .type = VT_PATH, .change = CHANGE_CONFIG,
        .xml = "devices/tpm/backend/device/@path", .vagrant = "tpm_path",
        .doc = "host TPM device (passthrough only)"),
    ROW(DomainSpec, tpm.version, .key = "version", .type = VT_ENUM, .choices = e_tpm_version,
        .change = CHANGE_CONFIG, .xml = "devices/tpm/backend/@version", .flags = KEY_WHEN_SET,
        .vagrant = "tpm_version", .doc = "TPM version (emulator only; libvirt picks when unset)"),
};
static const KeyTable tpm_table = TABLE("tpm", tpm_rows, .doc = "TPM (none unless given)");

static const KeyDef rng_rows[] = {
    ROW(DomainSpec, rng.model, .key = "model", .type = VT_ENUM, .choices = e_rng_model,
        .def = "virtio", .change = CHANGE_CONFIG, .xml = "devices/rng/@model",
        .vagrant = "random", .doc = "RNG device model"),
    ROW(DomainSpec, rng.backend, .key = "backend", .type = VT_ENUM, .choices = e_rng_backend,
        .def = "/dev/urandom", .change = CHANGE_CONFIG, .xml = "devices/rng/backend",
        .hook = HOOK_RNG_BACKEND, .doc = "host entropy source"),
};
static const KeyTable rng_table = TABLE("rng", rng_rows, .doc = "virtio RNG (none unless given)");

static const KeyDef watchdog_rows[] = {
    ROW(DomainSpec, watchdog.model, .key = "model", .type = VT_ENUM, .choices = e_watchdog_model,
        .change = CHANGE_CONFIG, .xml = "devices/watchdog/@model", .flags = KEY_REQUIRED,
        .vagrant = "watchdog :model", .doc = "watchdog device model"),
    ROW(DomainSpec, watchdog.action, .key = "action", .type = VT_ENUM, .choices = e_watchdog_action,
        .def = "reset", .change = CHANGE_CONFIG, .xml = "devices/watchdog/@action",
        .vagrant = "watchdog :action", .doc = "what happens when it fires"),
};
static const KeyTable watchdog_table = TABLE("watchdog", watchdog_rows, .doc = "watchdog (none unless given)");

/* ---- Domain: device lists ---- */
static const KeyDef disk_rows[] = {
    ROW(DiskSpec, name, .key = "name", .type = VT_NAME, .flags = KEY_REQUIRED | KEY_NO_XML,
        .change = CHANGE_IDENTITY,
        .doc = "disk name; the volume is DOMAIN-NAME.FORMAT in the pool"),
    ROW(DiskSpec, dev, .key = "dev", .type = VT_DEVNAME, .change = CHANGE_IDENTITY,
        .xml = "target/@dev", .flags = KEY_ITEM_KEY, .vagrant = "storage :device / disk_device",
        .doc = "guest device name; default: next free name for the bus (vda, sda, hda …)"),
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
    ROW(DiskSpec, image, .key = "image", .type = VT_PATH, .change = CHANGE_IDENTITY,
        .flags = KEY_NO_XML, .vagrant = "box image",
        .doc = "base image imported once into the pool; the disk is a qcow2 overlay on it"),
    ROW(DiskSpec, existing, .key = "existing", .type = VT_BOOL, .def = "false",
        .change = CHANGE_NONE, .flags = KEY_NO_XML, .vagrant = "storage :allow_existing",
        .doc = "attach a volume that already exists instead of creating it"),
};
static const KeyTable disk_table = TABLE("disks", disk_rows, .item_size = sizeof(DiskSpec),
    .xml_elem = "devices/disk", .xml_match = "device=disk", .doc = "virtual disks");

static const KeyDef cdrom_rows[] = {
    ROW(CdromSpec, path, .key = "path", .type = VT_PATH, .change = CHANGE_LIVE,
        .xml = "source/@file", .vagrant = "storage :file, device: :cdrom, path:",
        .doc = "ISO image; empty drive when unset; changing it swaps the media live"),
    ROW(CdromSpec, dev, .key = "dev", .type = VT_DEVNAME, .change = CHANGE_IDENTITY,
        .xml = "target/@dev", .flags = KEY_ITEM_KEY, .vagrant = "dev",
        .doc = "guest device name; default: next free (sda… on sata, hdc… on ide)"),
    ROW(CdromSpec, bus, .key = "bus", .type = VT_ENUM, .choices = e_cdrom_bus,
        .change = CHANGE_CONFIG, .xml = "target/@bus", .flags = KEY_READDRESS, .vagrant = "bus",
        .doc = "guest bus; default sata on q35 machines, ide otherwise"),
};
static const KeyTable cdrom_table = TABLE("cdroms", cdrom_rows, .item_size = sizeof(CdromSpec),
    .xml_elem = "devices/disk", .xml_match = "device=cdrom", .doc = "CD-ROM drives");

static const KeyDef iface_rows[] = {
    ROW(IfaceSpec, mac, .key = "mac", .type = VT_MAC, .change = CHANGE_IDENTITY,
        .xml = "mac/@address", .flags = KEY_ITEM_KEY, .vagrant = "libvirt__mac / mac",
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
};
static const KeyTable iface_table = TABLE("interfaces", iface_rows, .item_size = sizeof(IfaceSpec),
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
        .change = CHANGE_CONFIG, .xml = "target/@name", .flags = KEY_REQUIRED | KEY_ITEM_KEY,
        .vagrant = "channel :target_name", .doc = "virtio port name"),
    ROW(ChannelSpec, source_mode, .key = "source_mode", .type = VT_ENUM,
        .choices = (const char *const[]) { "bind", "connect", NULL }, .change = CHANGE_CONFIG,
        .xml = "source/@mode", .flags = KEY_WHEN_SET, .vagrant = "channel :source_mode",
        .doc = "unix socket mode"),
    ROW(ChannelSpec, source_path, .key = "source_path", .type = VT_PATH, .change = CHANGE_CONFIG,
        .xml = "source/@path", .flags = KEY_WHEN_SET, .vagrant = "channel :source_path",
        .doc = "unix socket path (libvirt picks one when unset)"),
};
static const KeyTable channel_table = TABLE("channels", channel_rows, .item_size = sizeof(ChannelSpec),
    .xml_elem = "devices/channel", .doc = "virtio channels");

/* ---- Domain ---- */
static const KeyDef domain_rows[] = {
    ROW(DomainSpec, name, .key = "name", .type = VT_NAME, .flags = KEY_REQUIRED,
        .change = CHANGE_IDENTITY, .xml = "name", .vagrant = "default_prefix + machine name",
        .doc = "libvirt domain name"),
    ROW(DomainSpec, uuid, .key = "uuid", .type = VT_UUID, .change = CHANGE_IDENTITY, .xml = "uuid",
        .flags = KEY_WHEN_SET, .vagrant = "uuid", .doc = "domain UUID; libvirt generates one when unset"),
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
    ROW(DomainSpec, cputopology, .key = "cputopology", .type = VT_MAP, .sub = &cputopology_table,
        .vagrant = "cputopology", .doc = "CPU topology"),
    ROW(DomainSpec, cpu, .key = "cpu", .type = VT_MAP, .sub = &cpu_table, .doc = "CPU model"),
    ROW(DomainSpec, nested, .key = "nested", .type = VT_BOOL, .def = "false",
        .change = CHANGE_CONFIG, .xml = "cpu/feature", .hook = HOOK_NESTED, .vagrant = "nested",
        .doc = "expose vmx/svm so the guest can run its own VMs"),
    ROW(DomainSpec, boot, .key = "boot", .type = VT_ENUM_LIST, .choices = e_boot,
        .change = CHANGE_CONFIG, .xml = "os/boot", .hook = HOOK_BOOT, .vagrant = "boot",
        .doc = "boot device order; libvirt's default (hd) when unset"),
    ROW(DomainSpec, graphics, .key = "graphics", .type = VT_MAP, .sub = &graphics_table,
        .flags = KEY_ALWAYS,
        .doc = "display"),
    ROW(DomainSpec, video, .key = "video", .type = VT_MAP, .sub = &video_table, .flags = KEY_ALWAYS,
        .doc = "video"),
    ROW(DomainSpec, sound, .key = "sound", .type = VT_MAP, .sub = &sound_table, .doc = "sound"),
    ROW(DomainSpec, tpm, .key = "tpm", .type = VT_MAP, .sub = &tpm_table, .doc = "TPM"),
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
    ROW(DomainSpec, rng, .key = "rng", .type = VT_MAP, .sub = &rng_table, .doc = "RNG"),
    ROW(DomainSpec, watchdog, .key = "watchdog", .type = VT_MAP, .sub = &watchdog_table,
        .doc = "watchdog"),
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
        .doc = "first address handed out"),
    ROW(NetworkSpec, dhcp.end, .key = "end", .type = VT_IP, .change = CHANGE_LIVE,
        .xml = "ip/dhcp/range/@end", .vagrant = "libvirt__dhcp_stop", .doc = "last address handed out"),
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

static const KeyDef network_rows[] = {
    ROW(NetworkSpec, name, .key = "name", .type = VT_NAME, .flags = KEY_REQUIRED,
        .change = CHANGE_IDENTITY, .xml = "name", .vagrant = "libvirt__network_name",
        .doc = "libvirt network name"),
    ROW(NetworkSpec, uuid, .key = "uuid", .type = VT_UUID, .change = CHANGE_IDENTITY,
        .xml = "uuid", .flags = KEY_WHEN_SET, .doc = "network UUID; generated when unset"),
    ROW(NetworkSpec, forward, .key = "forward", .type = VT_ENUM, .choices = e_forward, .def = "nat",
        .change = CHANGE_CONFIG, .xml = "forward/@mode", .hook = HOOK_NET_FORWARD,
        .vagrant = "libvirt__forward_mode", .doc = "how guest traffic leaves the network"),
    ROW(NetworkSpec, forward_dev, .key = "forward_dev", .type = VT_STRING, .max = 15,
        .change = CHANGE_CONFIG, .xml = "forward/@dev", .vagrant = "libvirt__forward_device",
        .doc = "host device traffic is forwarded through"),
    ROW(NetworkSpec, bridge, .key = "bridge", .type = VT_STRING, .max = 15,
        .change = CHANGE_CONFIG, .xml = "bridge/@name", .hook = HOOK_NET_BRIDGE,
        .flags = KEY_WHEN_SET, .doc = "bridge name; libvirt picks a free virbrN when unset"),
    ROW(NetworkSpec, ip, .key = "ip", .type = VT_IP_PREFIX, .change = CHANGE_CONFIG,
        .xml = "ip/@address", .hook = HOOK_NET_IP,
        .vagrant = "libvirt__host_ip + libvirt__netmask", .doc = "host address and prefix (IPv4)"),
    ROW(NetworkSpec, dhcp, .key = "dhcp", .type = VT_MAP, .sub = &dhcp_table, .doc = "DHCP"),
    ROW(NetworkSpec, tftp_root, .key = "tftp_root", .type = VT_PATH, .change = CHANGE_CONFIG,
        .xml = "ip/tftp/@root", .vagrant = "libvirt__tftp_root", .doc = "TFTP root directory"),
    ROW(NetworkSpec, mtu, .key = "mtu", .type = VT_INT, .min = 68, .max = 65535,
        .change = CHANGE_CONFIG, .xml = "mtu/@size", .vagrant = "libvirt__mtu", .doc = "bridge MTU"),
    ROW(NetworkSpec, domain, .key = "domain", .type = VT_STRING, .max = 253,
        .change = CHANGE_CONFIG, .xml = "domain/@name", .vagrant = "libvirt__domain_name",
        .doc = "DNS domain (answered locally)"),
    ROW(NetworkSpec, ipv6, .key = "ipv6", .type = VT_IP_PREFIX, .change = CHANGE_CONFIG,
        .xml = "ip[@family='ipv6']/@address", .hook = HOOK_NET_IP,
        .vagrant = "libvirt__ipv6_address + libvirt__ipv6_prefix", .doc = "host IPv6 address and prefix"),
    ROW(NetworkSpec, guest_ipv6, .key = "guest_ipv6", .type = VT_BOOL, .change = CHANGE_CONFIG,
        .xml = "@ipv6", .flags = KEY_WHEN_SET, .vagrant = "libvirt__guest_ipv6",
        .doc = "allow guest-to-guest IPv6 without an address on the network"),
    ROW(NetworkSpec, autostart, .key = "autostart", .type = VT_BOOL, .def = "true",
        .change = CHANGE_LIVE, .hook = HOOK_API, .vagrant = "libvirt__autostart",
        .doc = "start with libvirtd"),
    ROW(NetworkSpec, reload, .key = "reload", .type = VT_ENUM, .choices = e_reload, .def = "manual",
        .change = CHANGE_NONE, .flags = KEY_NO_XML,
        .doc = "auto: restart the network to apply config changes"),
    ROW(NetworkSpec, adopt, .key = "adopt", .type = VT_BOOL, .def = "false", .change = CHANGE_NONE,
        .flags = KEY_NO_XML, .doc = "take over an existing network of this name"),
};
const KeyTable network_table = TABLE("Network", network_rows, .doc = "a virtual network");

/* ---- Pool ---- */
static const KeyDef pool_rows[] = {
    ROW(PoolSpec, name, .key = "name", .type = VT_NAME, .flags = KEY_REQUIRED,
        .change = CHANGE_IDENTITY, .xml = "name", .vagrant = "storage_pool_name",
        .doc = "libvirt pool name"),
    ROW(PoolSpec, type, .key = "type", .type = VT_ENUM, .choices = e_pool_type, .def = "dir",
        .change = CHANGE_IDENTITY, .xml = "@type", .doc = "pool type"),
    ROW(PoolSpec, path, .key = "path", .type = VT_PATH, .flags = KEY_REQUIRED,
        .change = CHANGE_CONFIG, .xml = "target/path", .vagrant = "storage_pool_path",
        .doc = "directory that holds the volumes"),
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
};
const KeyTable pool_table = TABLE("Pool", pool_rows, .doc = "a storage pool");

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
        if (streq(t->keys[i].key, key))
            return &t->keys[i];
    return NULL;
}

static size_t edit_distance(const char *a, const char *b) {
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
