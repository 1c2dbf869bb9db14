/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"
#include "hooks.h"
#include "roff.h"
#include "spec-table.h"
#include "spec-template.h"
#include "spec-value.h"

/* `virtspec reference`: the spec reference in Markdown, printed from the key tables alone, so the
 * documentation (docs/spec-reference.md, checked by tests/check-reference.sh) cannot drift from
 * what the loader accepts. Output depends on nothing but the tables. */

static void put_cell(FILE *f, const char *s) {
    fputc(' ', f);
    for (const char *p = s; *p; p++) {
        if (*p == '|')
            fputs("\\|", f);
        else if (*p == '\n')
            fputc(' ', f);
        else
            fputc(*p, f);
    }
    fputs(" |", f);
}

static char *choices_md(const char *const *c) {
    char *r = xstrdup("");
    for (size_t i = 0; c && c[i]; i++) {
        char *n = xasprintf("%s%s`%s`", r, i ? ", " : "", c[i]);
        free(r);
        r = n;
    }
    return r;
}

static const char *unit_name(int64_t unit) {
    switch (unit) {
    case 1024LL * 1024 * 1024: return "GiB";
    case 1024LL * 1024: return "MiB";
    case 1024: return "KiB";
    default: return "bytes";
    }
}

static char *type_text(const KeyDef *k) {
    _cleanup_free_ char *base = NULL, *c = NULL;

    switch (k->type) {
    case VT_STRING:
        base = k->max > 0 ? xasprintf("%s, at most %" PRId64 " characters",
                                      k->flags & KEY_MULTILINE ? "text (multi-line)" : "string",
                                      k->max)
                          : xstrdup(k->flags & KEY_MULTILINE ? "text (multi-line)" : "string");
        break;
    case VT_NAME:
        base = xstrdup("name (`[A-Za-z0-9_.+-]`, 1..64, no leading `.` or `-`)");
        break;
    case VT_INT:
        base = xasprintf("integer %" PRId64 "..%" PRId64, k->min, k->max);
        break;
    case VT_BOOL:
        base = xstrdup("boolean");
        break;
    case VT_SIZE: {
        _cleanup_free_ char *lo = format_size(k->min);
        _cleanup_free_ char *hi = k->max > 0 ? format_size(k->max) : NULL;
        base = xasprintf("size %s..%s; a plain number counts %s", lo, hi ? hi : "unbounded",
                         unit_name(k->unit ? k->unit : 1));
        break;
    }
    case VT_ENUM:
        c = choices_md(k->choices);
        base = xasprintf("one of %s", c);
        break;
    case VT_ENUM_LIST:
        if (!k->choices) {
            base = k->flags & KEY_LABELS
                       ? xasprintf("map of labels (`label: value`, values at most %" PRId64
                                   " characters)", k->max)
                       : xasprintf("list of strings, each at most %" PRId64 " characters", k->max);
            break;
        }
        c = choices_md(k->choices);
        base = xasprintf("list of %s", c);
        break;
    case VT_MAC:
        base = xstrdup("MAC address (unicast)");
        break;
    case VT_IP:
        base = xstrdup("IPv4 or IPv6 address");
        break;
    case VT_IP_PREFIX:
        base = xstrdup("address/prefix");
        break;
    case VT_PATH:
        base = xstrdup("absolute path");
        break;
    case VT_UUID:
        base = xstrdup("UUID");
        break;
    case VT_DEVNAME:
        base = xstrdup("guest device name (`vd…`, `sd…`, `hd…`, `fd…`)");
        break;
    case VT_WWN:
        base = xstrdup("World Wide Name (16 hex digits, optional `0x`)");
        break;
    case VT_MAP:
        base = xstrdup("map");
        break;
    case VT_LIST:
        base = xstrdup("list of maps");
        break;
    default:
        base = xstrdup("reserved");
        break;
    }
    return xasprintf("%s%s%s", base, k->flags & KEY_REQUIRED ? "; required" : "",
                     k->flags & KEY_SECRET ? "; secret" : "");
}

static char *default_text(const KeyDef *k) {
    if (k->def_doc)
        return xstrdup(k->def_doc);
    if (k->type == VT_MAP)
        return xstrdup(k->flags & KEY_ALWAYS ? "always present" : "absent");
    if (k->type == VT_LIST || k->type == VT_ENUM_LIST)
        return xstrdup("empty");
    if (k->def)
        return xasprintf("`%s`", k->def);
    return xstrdup("—");
}

static char *change_text(const KeyDef *k) {
    if (k->type == VT_MAP)
        return xstrdup("—");
    const char *c = change_class_to_string(k->change);
    if (k->flags & KEY_ITEM_KEY)
        return xasprintf("%s (item key)", c);
    if (k->flags & KEY_WHEN_SET)
        return xasprintf("%s (when set)", c);
    return xstrdup(c);
}

static char *xml_text(const KeyDef *k, const char *elem) {
    if (k->type == VT_LIST)
        return k->sub->xml_match ? xasprintf("`%s` (%s)", k->sub->xml_elem, k->sub->xml_match)
                                 : xasprintf("`%s`", k->sub->xml_elem);
    if (k->type == VT_MAP)
        return xstrdup("—");
    if (k->xml)
        return elem ? xasprintf("`%s/%s`", elem, k->xml) : xasprintf("`%s`", k->xml);
    if (hook_of(k)->flags & HOOK_NOT_XML)
        return xstrdup("libvirt API");
    return xstrdup("— (spec only)");
}

static char *doc_text(const KeyDef *k) {
    if ((k->type == VT_MAP || k->type == VT_LIST) && k->sub->doc && strcasecmp(k->sub->doc, k->doc))
        return xasprintf("%s — %s", k->doc, k->sub->doc);
    return xstrdup(k->doc ? k->doc : "");
}

/* How a key of a Template combines with the spec's (docs/templates.md), after its type. */
static char *type_with_template_rule(const KeyDef *k) {
    _cleanup_free_ char *type = type_text(k);
    const char *mkey = key_table_merge_key(k);
    if (k->flags & KEY_NO_TEMPLATE)
        return xasprintf("%s; not in templates", type);
    if (k->type == VT_MAP)
        return xasprintf("%s; templates: merged key by key", type);
    if (mkey)
        return xasprintf("%s; templates: items merged by `%s`", type, mkey);
    if (k->type == VT_LIST || k->type == VT_ENUM_LIST)
        return xasprintf("%s; templates: replaced whole", type);
    return TAKE_PTR(type);
}

static void print_rows(FILE *f, const KeyTable *t, const char *prefix, const char *elem) {
    for (size_t i = 0; i < t->n_keys; i++) {
        const KeyDef *k = &t->keys[i];
        _cleanup_free_ char *path = prefix ? xasprintf("%s.%s", prefix, k->key) : xstrdup(k->key);
        _cleanup_free_ char *key = xasprintf("`%s`", path), *type = type_with_template_rule(k),
                            *def = default_text(k), *change = change_text(k),
                            *xml = xml_text(k, elem), *doc = doc_text(k);

        fputc('|', f);
        put_cell(f, key);
        put_cell(f, type);
        put_cell(f, def);
        put_cell(f, change);
        put_cell(f, xml);
        put_cell(f, k->vagrant ? k->vagrant : "—");
        put_cell(f, doc);
        fputc('\n', f);

        if (k->type == VT_MAP)
            print_rows(f, k->sub, path, elem);
        else if (k->type == VT_LIST) {
            _cleanup_free_ char *ipath = xasprintf("%s[]", path);
            print_rows(f, k->sub, ipath, k->sub->xml_elem);
        }
    }
}

static void reference_print(FILE *f) {
    static const char *const roots[_KIND_MAX] = { "domain", "network", "pool" };

    for (int kind = 0; kind < _KIND_MAX; kind++) {
        const KeyTable *t = spec_kind_table(kind);
        fprintf(f, "%s### %s\n\n", kind ? "\n" : "", t->name);
        fprintf(f, "`kind: %s` — %s. XML locations are relative to the `<%s>` element.\n\n",
                t->name, t->doc, roots[kind]);
        fputs("| Key | Type | Default | Change | libvirt XML | vagrant-libvirt | Description |\n",
              f);
        fputs("|---|---|---|---|---|---|---|\n", f);
        print_rows(f, t, NULL, NULL);
    }
    fprintf(f, "\n### %s\n\n`kind: %s` — %s (docs/fleet.md).\n\n", host_table.name,
            host_table.name, host_table.doc);
    fputs("| Key | Type | Default | Change | libvirt XML | vagrant-libvirt | Description |\n", f);
    fputs("|---|---|---|---|---|---|---|\n", f);
    print_rows(f, &host_table, NULL, NULL);
}

/* The same rows as a manual page's sections (virtspec.yaml(5), reconciler/man.c). */
static void man_rows(FILE *f, const KeyTable *t, const char *prefix, const char *elem) {
    for (size_t i = 0; i < t->n_keys; i++) {
        const KeyDef *k = &t->keys[i];
        _cleanup_free_ char *path = prefix ? xasprintf("%s.%s", prefix, k->key) : xstrdup(k->key);
        _cleanup_free_ char *type = type_text(k), *def = default_text(k), *change = change_text(k),
                            *xml = xml_text(k, elem), *doc = doc_text(k);
        _cleanup_free_ char *facts = xasprintf("Type: %s. Default: %s. Change: %s. libvirt XML: %s.%s%s",
                                               type, def, change, xml,
                                               k->vagrant ? " vagrant-libvirt: " : "",
                                               k->vagrant ? k->vagrant : "");
        roff_request(f, "TP", NULL);
        fputs(".B ", f);
        roff_text(f, path);
        fputc('\n', f);
        if (*doc) {
            roff_text(f, doc);
            fputs("\n.br\n", f);
        }
        roff_text(f, facts);
        fputc('\n', f);
        if (k->type == VT_MAP)
            man_rows(f, k->sub, path, elem);
        else if (k->type == VT_LIST) {
            _cleanup_free_ char *ipath = xasprintf("%s[]", path);
            man_rows(f, k->sub, ipath, k->sub->xml_elem);
        }
    }
}

void reference_print_man(FILE *f) {
    static const char *const roots[_KIND_MAX] = { "domain", "network", "pool" };

    for (int kind = 0; kind < _KIND_MAX; kind++) {
        const KeyTable *t = spec_kind_table(kind);
        _cleanup_free_ char *title = xasprintf("KIND: %s", t->name);
        _cleanup_free_ char *intro = xasprintf("`kind: %s` — %s. XML locations are relative to "
                                               "the `<%s>` element.", t->name, t->doc, roots[kind]);
        roff_request(f, "SH", title);
        roff_text(f, intro);
        fputc('\n', f);
        man_rows(f, t, NULL, NULL);
    }
    _cleanup_free_ char *intro = xasprintf("`kind: %s` — %s (docs/fleet.md).", host_table.name,
                                           host_table.doc);
    roff_request(f, "SH", "KIND: Host");
    roff_text(f, intro);
    fputc('\n', f);
    man_rows(f, &host_table, NULL, NULL);
}


/* ---- `virtspec reference --vagrant`: vagrant-libvirt's options and what they become ---- */

/* One vagrant-libvirt option (provider config, `config.vm.network` keys, Vagrant itself). `keys`
 * names the virtspec keys it maps to ("Domain" unless prefixed "Network:" or "Pool:", list items as
 * "disks[].size"); their type, XML and change class are read from the key tables, so a renamed or
 * removed key fails `reference --vagrant` (tests/golden/check-vagrant.sh). `note` says what differs,
 * or, for an option without a key, why and what to use instead. */
typedef struct VagrantOption {
    const char *option;
    const char *keys;
    const char *note;
} VagrantOption;

typedef struct VagrantSection {
    const char *title;
    const VagrantOption *options;
    size_t n;
} VagrantSection;

#define DAEMON "a per-machine workstation setting; the daemon "

static const VagrantOption v_connection[] = {
    { "uri", NULL, "`virtspec -c/--connect URI`, `LIBVIRT_DEFAULT_URI`, or `connect` in virtspec.conf: one connection per daemon, not per spec" },
    { "driver", "domain_type", "`kvm` → `domain_type: kvm`; `auto` (the default) picks kvm when /dev/kvm exists, else qemu" },
    { "host, port, username, password, connect_via_ssh, id_ssh_key_file, socket", NULL, "part of the libvirt URI (`qemu+ssh://user@host/system?keyfile=…`); the daemon normally runs next to libvirtd" },
    { "proxy_command", NULL, "reaches the guest over ssh for Vagrant's communicator; virtspec never logs into guests (use cloud-init or configuration management)" },
    { "system_uri", NULL, "session-mode lease lookup; virtspec reports addresses from the connection it manages" },
    { "qemu_use_session", NULL, "use `-c qemu:///session`" },
    { "storage_pool_name", "disks[].pool Pool:name", "a disk's `pool` (default `default`); the pool itself is a `kind: Pool` spec" },
    { "storage_pool_path", "Pool:path", "the `kind: Pool` spec's `path`" },
    { "snapshot_pool_name", "disks[].pool", "overlays live in the disk's own `pool`" },
    { "forward_ssh_port", NULL, "Vagrant's `ssh -L` port forwarding; use a libvirt network with routing or a host firewall rule instead" },
    { "host_device_exclude_prefixes", NULL, "a filter for Vagrant's host-device check; virtspec does not probe host devices (libvirt reports a missing `dev` at start)" },
};

static const VagrantOption v_domain[] = {
    { "default_prefix", "name", "no prefixes: `name` is the libvirt name, unique per host" },
    { "random_hostname", NULL, "a declarative name must be stable; write the name you want" },
    { "title, description", "title description", "not emitted when unset (vagrant-libvirt always writes them); changed live" },
    { "uuid", "uuid", NULL },
    { "memory", "memory max_memory", "also `max_memory` for live growth; a plain number still counts MiB" },
    { "cpus", "cpus max_cpus", "also `max_cpus` for hot-plug" },
    { "cpuset", "cpuset", NULL },
    { "nodeset", "numatune.nodeset numatune.mode", NULL },
    { "cpuaffinitiy", "cputune.vcpupin", "a list of `{vcpu, cpuset}` instead of a hash" },
    { "shares", "cputune.shares", NULL },
    { "cpu_mode", "cpu.mode", "no default: libvirt's (vagrant-libvirt defaults to host-model)" },
    { "cpu_model", "cpu.model", NULL },
    { "cpu_fallback", "cpu.fallback", NULL },
    { "cpu_feature", "cpu.features", "vmx and svm belong to `nested`" },
    { "nested", "nested", NULL },
    { "cputopology", "cputopology", "checked against max_cpus (vagrant-libvirt does not)" },
    { "numa_nodes", "numa", "cpus may be any set (`0,2`), checked to cover every vCPU once; memory adds up to max_memory" },
    { "machine_type", "machine_type", "`q35` matches libvirt's expansion `pc-q35-7.2`" },
    { "machine_arch", "machine_arch", NULL },
    { "emulator_path", "emulator", NULL },
    { "loader", "loader firmware.type", "or, without paths, `firmware: {type: efi, secure_boot, enrolled_keys}`: libvirt picks the loader from the host's firmware descriptors (plan names it)" },
    { "nvram", "nvram", "with `firmware:` libvirt makes the NVRAM file; it is kept on redefine and destroy, and replaced only with `firmware.reset_nvram: true`" },
    { "nvram_template (PR #1797)", "nvram_template", "each domain gets its own VARS file copied from the template" },
    { "kernel, initrd, cmd_line, dtb", "kernel initrd cmdline dtb", "emitted only when set" },
    { "boot", "boot", "per-device `boot` orders on disks and interfaces are the alternative" },
    { "features", "features", "named features only (`[acpi, apic]` by default on x86_64); others such as `gic version='2'` or `vmport` through `xml`" },
    { "kvm_hidden", "kvm_hidden", NULL },
    { "hyperv_feature", "hyperv", "`vendor_id` takes its string in `value`" },
    { "clock_offset, clock_basis, clock_adjustment, clock_timezone, clock_absolute", "clock.offset clock.basis clock.adjustment clock.timezone clock.start", NULL },
    { "clock_timer", "clock.timers", "matched by name, so reordering is no change" },
    { "memorybacking", "memorybacking memorybacking.pages", "virtiofs filesystems add memfd + shared by themselves; huge page sizes per guest NUMA node (`<hugepages><page size nodeset/>`, which vagrant-libvirt does not support) are `memorybacking.pages`" },
    { "memtune", "memtune", "sizes with units; a plain number counts MiB" },
    { "launchsecurity", "launch_security", "the extra `<driver iommu='on'/>` vagrant-libvirt adds to devices is not added: set `interfaces[].driver_iommu` or use `xml`; libvirt's `dhCert` and `session`, which vagrant-libvirt has no option for, are `launch_security.dh_cert` and `launch_security.session`" },
    { "sysinfo", "sysinfo", NULL },
    { "qemuargs, qemuenv", "qemu_args qemu_env", NULL },
    { "autostart", "autostart", "set once, not at every start" },
    { "suspend_mode", "suspend_mode", "recorded; `state: paused` uses it" },
    { "graceful halt timeout (Vagrant's halt)", "shutdown_timeout", NULL },
};

static const VagrantOption v_disks[] = {
    { "box volume(s)", "disks[].image.path", "a disk with `image` is a qcow2 overlay on a base image imported once into the pool" },
    { "disk_device, disk_bus", "disks[].dev disks[].bus", "per disk" },
    { "disk_controller_model", NULL, "libvirt adds the SCSI controller a scsi disk needs; another model through `xml` (`add` a `<controller type='scsi' model='…'/>`)" },
    { "disk_address_type", NULL, "libvirt assigns guest addresses and virtspec keeps them; a fixed one through `xml`" },
    { "disk_driver, volume_cache", "disks[].cache disks[].io disks[].discard disks[].detect_zeroes disks[].copy_on_read disks[].format", "per disk" },
    { "machine_virtual_size", "disks[].size", "the overlay's capacity; growing it resizes the volume (the guest's filesystem is not grown)" },
    { "storage :file (size, type, bus, device, cache, io, copy_on_read, discard, detect_zeroes, serial, wwn, shareable, allow_existing, pool)", "disks disks[].size disks[].format disks[].bus disks[].dev disks[].serial disks[].wwn disks[].shareable disks[].existing disks[].pool disks[].path disks[].volume", "volumes are named DOMAIN-NAME.FORMAT; `volume: NAME` attaches an existing volume of the pool by its own name (never created or deleted); `path` attaches a host file; removing a disk entry keeps the volume unless `delete_volumes_on_removal: true`" },
    { "storage :file, device: :cdrom", "cdroms", "the bus defaults to sata on q35 (ide there breaks, #1444)" },
    { "storage :file, device: :floppy", "floppies", NULL },
};

static const VagrantOption v_display[] = {
    { "graphics_type", "graphics.type", "`none` removes graphics only; video stays unless `video.type: none`" },
    { "graphics_port, graphics_autoport", "graphics.port graphics.autoport", "autoport is derived from port, and checked, instead of being overwritten" },
    { "graphics_websocket", NULL, "through `xml` (`set` `devices/graphics/@websocket`)" },
    { "graphics_ip", "graphics.listen", NULL },
    { "graphics_passwd", "graphics.passwd graphics.passwd_file", "never printed; `passwd_file` keeps it out of the spec; changed live" },
    { "graphics_gl, video_accel3d", NULL, "through `xml` (`add` `<gl enable='yes'/>` at `devices/graphics`, `set` `devices/video/model/@…`)" },
    { "keymap", "graphics.keymap", NULL },
    { "video_type, video_vram", "video.type video.vram", "the default is virtio (vagrant-libvirt: cirrus)" },
    { "sound_type", "sound.model", NULL },
    { "input", "inputs", "the implicit PS/2 mouse and keyboard are libvirt's and not managed" },
    { "spice channel (automatic)", "channels", "add `{type: spicevmc, target_name: com.redhat.spice.0}` to channels" },
};

static const VagrantOption v_devices[] = {
    { "tpm_model, tpm_type, tpm_path, tpm_version", "tpm", "the default type is emulator (swtpm), not passthrough" },
    { "channel", "channels", "`disabled:` is expressed by leaving a channel out" },
    { "channel :target_type => 'guestfwd', :target_address, :target_port", "channels[].target_type channels[].target_address channels[].target_port", "`{target_type: guestfwd, target_address: 10.0.2.100, target_port: 4600}`: no target_name" },
    { "qemu_use_agent", "guest_agent", NULL },
    { "random", "rng", NULL },
    { "watchdog", "watchdog", NULL },
    { "smartcard_dev", "smartcard", NULL },
    { "pci", "pci", "one `address: 0000:03:00.0` instead of four hex fields" },
    { "usb", "usb", NULL },
    { "usb_controller", "usb_controller", "not added automatically for usb or redirdev entries: libvirt's default controller serves them" },
    { "redirdev", "redirdevs", "tcp `host` and `service` are kept (vagrant-libvirt drops them)" },
    { "redirfilter", "redirfilters", NULL },
    { "serial", "serials consoles", "no serial port unless listed (vagrant-libvirt: one pty); the host file is not created or truncated by virtspec" },
    { "memballoon_enabled, memballoon_model", "memballoon.enabled memballoon.model memballoon.stats_period", NULL },
    { "memballoon_pci_bus, memballoon_pci_slot", NULL, "libvirt assigns the address and virtspec keeps it; a fixed one through `xml`" },
    { "nic_adapter_count", NULL, "NICs are a list; there are no slots to count" },
};

static const VagrantOption v_mgmt[] = {
    { "mgmt_attach", NULL, "virtspec creates no management network: list the NICs the domain has, typically `{network: NAME}` on a `kind: Network` spec" },
    { "management_network_name, _address, _mode, _guest_ipv6, _autostart, _domain, _mtu", "Network:name Network:ip Network:forward Network:guest_ipv6 Network:autostart Network:domain Network:mtu", "write the network as a `kind: Network` spec" },
    { "management_network_keep", NULL, "networks are never destroyed by virtspec; a removed spec leaves its network in place" },
    { "management_network_mac, _model_type, _iface_name, _driver_iommu, _pci_bus, _pci_slot", "interfaces[].mac interfaces[].model interfaces[].target interfaces[].driver_iommu interfaces[].pci_bus interfaces[].pci_slot", "keys of the interface on that network" },
    { "management_network_device (session mode)", "interfaces[].type interfaces[].bridge", "an interface `{type: bridge, bridge: virbr0}`" },
};

static const VagrantOption v_network[] = {
    { "config.vm.network :private_network, :public_network", "interfaces", "one list entry per NIC; adding and removing one is live" },
    { "ip, netmask (static guest address)", "interfaces[].ip interfaces[].netmask Network:dhcp.hosts", "`interfaces: [{ip: 10.20.30.5}]`: a DHCP reservation MAC → ip in the network whose subnet holds it, else in an owned NAT network `vs-10.20.30.0-24` virtspec derives for the subnet (netmask default /24, gateway .1); the guest gets the address over DHCP, so nothing logs into it. An explicit `Network:dhcp.hosts` entry works too" },
    { "type: 'dhcp'", "Network:dhcp", NULL },
    { "libvirt__network_name", "Network:name interfaces[].network", NULL },
    { "libvirt__netmask, libvirt__host_ip, libvirt__network_address", "Network:ip", "one `ip: 10.0.0.1/24`" },
    { "libvirt__domain_name", "Network:domain Network:domain_local_only", "localOnly='yes' as vagrant-libvirt writes it, unless `domain_local_only: false`" },
    { "libvirt__dhcp_enabled", "Network:dhcp", "dhcp is on when the map is written" },
    { "libvirt__dhcp_start, libvirt__dhcp_stop", "Network:dhcp.start Network:dhcp.end", "changed live" },
    { "libvirt__dhcp_bootp_file, libvirt__dhcp_bootp_server", "Network:dhcp.bootp_file Network:dhcp.bootp_server", NULL },
    { "libvirt__tftp_root", "Network:tftp_root", NULL },
    { "libvirt__forward_mode, libvirt__forward_device", "Network:forward Network:forward_dev", NULL },
    { "libvirt__guest_ipv6", "Network:guest_ipv6 interfaces[].guest_ipv6", "on a NIC with `ip`: the network derived for it" },
    { "libvirt__ipv6_address, libvirt__ipv6_prefix", "Network:ipv6", NULL },
    { "libvirt__mtu", "Network:mtu interfaces[].mtu", NULL },
    { "libvirt__bridge_stp, libvirt__bridge_delay", "Network:bridge", "stp on, delay 0 for a bridge virtspec names" },
    { "libvirt__autostart", "Network:autostart", "defaults to true" },
    { "libvirt__always_destroy", NULL, "virtspec never destroys networks it did not create, nor the ones it did when a spec goes away" },
    { "libvirt__adapter", NULL, "NICs are a list; their order is the list's" },
    { "libvirt__mac, mac", "interfaces[].mac", "derived from the domain name and position when unset, stable across re-creation" },
    { "libvirt__model_type, nic_model_type", "interfaces[].model", NULL },
    { "libvirt__driver_queues", "interfaces[].queues", NULL },
    { "libvirt__driver_name", NULL, "through `xml` (`set` on the interface's `driver/@name`)" },
    { "libvirt__driver_iommu", "interfaces[].driver_iommu", "written only when set (vagrant-libvirt always writes on or off)" },
    { "libvirt__iface_name", "interfaces[].target", NULL },
    { "libvirt__bus, libvirt__slot", "interfaces[].pci_bus interfaces[].pci_slot", "both or neither" },
    { "libvirt__tunnel_type (udp, mcast, server, client)", "interfaces[].type", "`type: udp|mcast|server|client`: a point-to-point NIC without a libvirt network; `tunnel_port` is required (and `tunnel_local_port` for udp)" },
    { "libvirt__tunnel_ip, libvirt__tunnel_port", "interfaces[].tunnel_ip interfaces[].tunnel_port", "`tunnel_ip` defaults to 127.0.0.1 (239.255.1.1 for mcast) as in vagrant-libvirt; mcast needs a multicast group" },
    { "libvirt__tunnel_local_ip, libvirt__tunnel_local_port", "interfaces[].tunnel_local_ip interfaces[].tunnel_local_port", "type udp only; the local address defaults to 127.0.0.1" },
    { "public dev, mode, type", "interfaces[].type interfaces[].dev interfaces[].bridge interfaces[].mode", "type direct (macvtap) or bridge; the device is not probed on the host" },
    { "public network_name, portgroup", "interfaces[].network interfaces[].portgroup", NULL },
    { "public ovs, ovs_interfaceid", "interfaces[].ovs interfaces[].ovs_interfaceid", NULL },
    { "public trust_guest_rx_filters", "interfaces[].trust_guest_rx_filters", NULL },
    { "auto_config", "cloud_init.network", "virtspec configures the guest's network only through its cloud-init seed (`cloud_init.network: auto`, the default)" },
    { "private_network ip (guest side)", "cloud_init.network", "`cloud_init.network: auto` writes each interface's `ip` as static guest configuration (network-config v2, matched by MAC) with the prefix, gateway and DNS of its libvirt network: the same facts as the DHCP reservation" },
};

static const VagrantOption v_vagrant[] = {
    { "vagrant ssh, communicator, provisioners", NULL, "a daemon does not log into guests: `cloud_init` gives accounts and keys (then `ssh USER@ADDRESS`); provision further with `cloud_init.user_data_file` or configuration management" },
    { "config.vm.hostname", "cloud_init.hostname", "set at first boot through the seed's meta-data (default: the domain's name)" },
    { "config.ssh.insert_key, config.ssh.private_key_path", "cloud_init.users[].ssh_authorized_keys cloud_init.users[].ssh_authorized_keys_file", "no insecure vagrant key: the account gets the public keys the spec names (or a file of them); `sudo: true` for passwordless sudo" },
    { "synced folders: rsync, nfs", NULL, "copying files into guests is not libvirt configuration; use a shared directory (`filesystems`) or configuration management" },
    { "synced folders: 9p, virtiofs", "filesystems", "virtiofs sets up the shared memory it needs" },
    { "forwarded ports", NULL, "Vagrant runs `ssh -L`; route to the guest through a `kind: Network` spec or a host firewall rule" },
    { "vagrant halt, reload, suspend, resume", "state reload", "`state: shutoff|running|paused`; `virtspec reload NAME` restarts to apply config changes" },
    { "vagrant destroy", NULL, "remove the spec and run with `--prune` (undefines owned domains; their volumes are deleted too only with `delete_volumes_on_removal: true`, as vagrant destroy does)" },
    { "box, box_version, box_url", "disks[].image.url", "give the image's URL and its sha256 (box_download_checksum): fetched once, verified, cached and imported into the pool" },
    { "(libvirt XML no option covers; the domain and network templates' ERB)", "xml Network:xml Pool:xml", "the escape hatch of every kind: append fragments, set attributes, remove what is rendered; compared edit by edit (networks: DNS forwarders, routes, port groups)" },
};

static const VagrantSection vagrant_sections[] = {
    { "Connection and storage pool (provider)", v_connection, ELEMENTSOF(v_connection) },
    { "Domain (provider)", v_domain, ELEMENTSOF(v_domain) },
    { "Disks (provider)", v_disks, ELEMENTSOF(v_disks) },
    { "Graphics, video, sound, input (provider)", v_display, ELEMENTSOF(v_display) },
    { "Devices (provider)", v_devices, ELEMENTSOF(v_devices) },
    { "Management network (provider)", v_mgmt, ELEMENTSOF(v_mgmt) },
    { "Private and public networks (`config.vm.network`)", v_network, ELEMENTSOF(v_network) },
    { "Vagrant itself", v_vagrant, ELEMENTSOF(v_vagrant) },
};

/* Row at "a.b", "list[].key" in t; *ret_elem gets the list element of the innermost list. */
static const KeyDef *find_row(const KeyTable *t, const char *path, const char **ret_elem) {
    _cleanup_free_ char *p = xstrdup(path);
    char *save = NULL;
    const KeyDef *k = NULL;
    *ret_elem = NULL;
    for (char *seg = strtok_r(p, ".", &save); seg; seg = strtok_r(NULL, ".", &save)) {
        size_t l = strlen(seg);
        bool item = l > 2 && streq(seg + l - 2, "[]");
        if (item)
            seg[l - 2] = 0;
        if (!t || !(k = key_table_find(t, seg)))
            return NULL;
        if (item) {
            if (k->type != VT_LIST)
                return NULL;
            *ret_elem = k->sub->xml_elem;
        }
        t = k->sub;
    }
    return k;
}

static bool key_named(const VagrantOption *v, SpecKind kind, const char *path) {
    if (!v->keys)
        return false;
    _cleanup_free_ char *keys = xstrdup(v->keys);
    char *save = NULL;
    for (char *tok = strtok_r(keys, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        SpecKind k = KIND_DOMAIN;
        if (!strncmp(tok, "Network:", 8))
            k = KIND_NETWORK, tok += 8;
        else if (!strncmp(tok, "Pool:", 5))
            k = KIND_POOL, tok += 5;
        size_t l = strlen(tok);
        /* the key itself, or one of its ancestors (a map or list covers what is inside) */
        if (k == kind && !strncmp(path, tok, l) && (path[l] == 0 || path[l] == '.' || path[l] == '['))
            return true;
    }
    return false;
}

/* Every row with a vagrant-libvirt name is in the vagrant table: a new key cannot be forgotten. */
static size_t vagrant_uncovered(FILE *err, SpecKind kind, const KeyTable *t, const char *prefix) {
    size_t n = 0;
    for (size_t i = 0; i < t->n_keys; i++) {
        const KeyDef *k = &t->keys[i];
        _cleanup_free_ char *path = prefix ? xasprintf("%s.%s", prefix, k->key) : xstrdup(k->key);
        if (k->vagrant) {
            bool found = false;
            for (size_t s = 0; s < ELEMENTSOF(vagrant_sections) && !found; s++)
                for (size_t o = 0; o < vagrant_sections[s].n && !found; o++)
                    found = key_named(&vagrant_sections[s].options[o], kind, path);
            if (!found) {
                fprintf(err, "virtspec: %s key '%s' (vagrant-libvirt: %s) is missing from the "
                        "vagrant table in reconciler/cmd-reference.c\n", spec_kind_to_string(kind),
                        path, k->vagrant);
                n++;
            }
        }
        if (k->type == VT_MAP)
            n += vagrant_uncovered(err, kind, k->sub, path);
        else if (k->type == VT_LIST) {
            _cleanup_free_ char *ip = xasprintf("%s[]", path);
            n += vagrant_uncovered(err, kind, k->sub, ip);
        }
    }
    return n;
}

static int vagrant_print(FILE *f, FILE *err) {
    size_t bad = 0;
    for (int kind = 0; kind < _KIND_MAX; kind++)
        bad += vagrant_uncovered(err, kind, spec_kind_table(kind), NULL);

    for (size_t s = 0; s < ELEMENTSOF(vagrant_sections); s++) {
        const VagrantSection *sec = &vagrant_sections[s];
        fprintf(f, "%s### %s\n\n", s ? "\n" : "", sec->title);
        fputs("| vagrant-libvirt | virtspec | libvirt XML | Change | Notes |\n", f);
        fputs("|---|---|---|---|---|\n", f);
        for (size_t o = 0; o < sec->n; o++) {
            const VagrantOption *v = &sec->options[o];
            char *keys = xstrdup(""), *xml = xstrdup(""), *change = xstrdup("");
            if (v->keys) {
                _cleanup_free_ char *copy = xstrdup(v->keys);
                char *save = NULL;
                for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
                    SpecKind kind = KIND_DOMAIN;
                    const char *label = "";
                    if (!strncmp(tok, "Network:", 8))
                        kind = KIND_NETWORK, tok += 8, label = "Network ";
                    else if (!strncmp(tok, "Pool:", 5))
                        kind = KIND_POOL, tok += 5, label = "Pool ";
                    const char *elem;
                    const KeyDef *k = find_row(spec_kind_table(kind), tok, &elem);
                    if (!k) {
                        fprintf(err, "virtspec: the vagrant table names %s key '%s', which does "
                                "not exist\n", spec_kind_to_string(kind), tok);
                        bad++;
                        continue;
                    }
                    _cleanup_free_ char *x = xml_text(k, elem), *c = change_text(k);
                    const char *sep = *keys ? "<br>" : "";
                    char *n1 = xasprintf("%s%s%s`%s`", keys, sep, label, tok);
                    char *n2 = xasprintf("%s%s%s", xml, sep, x);
                    char *n3 = xasprintf("%s%s%s", change, sep, c);
                    free(keys), free(xml), free(change);
                    keys = n1, xml = n2, change = n3;
                }
            }
            fputc('|', f);
            _cleanup_free_ char *opt = xasprintf("`%s`", v->option);
            put_cell(f, opt);
            put_cell(f, *keys ? keys : "—");
            put_cell(f, *xml ? xml : "—");
            put_cell(f, *change ? change : "—");
            put_cell(f, v->note ? v->note : "");
            fputc('\n', f);
            free(keys), free(xml), free(change);
        }
    }
    return bad ? -EINVAL : 0;
}

int cmd_reference(const CliOpts *o) {
    if (o->n_paths > 0) {
        fprintf(stderr, "virtspec: reference takes no arguments\n");
        return 1;
    }
    if (o->vagrant && o->man) {
        fprintf(stderr, "virtspec: reference takes --vagrant or --man, not both\n");
        return 1;
    }
    if (o->man) {
        if (man_print(stdout, o->man) < 0)
            return 1;
    } else if (o->vagrant) {
        if (vagrant_print(stdout, stderr) < 0)
            return 1;
    } else
        reference_print(stdout);
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
