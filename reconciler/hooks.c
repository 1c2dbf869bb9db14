/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "hooks-internal.h"
#include "hooks.h"
#include "xml-hatch.h"

/* One entry per hook: its writer and reader side by side, its comparison, patch and flags. A
 * hook without .observe says HOOK_READS_PLAIN (read back as a row without a hook);
 * hook_render_plain writes the row's value at its path. tests/unit/test-hooks.c checks that
 * every hook has an entry. */
const HookOps hook_ops[_HOOK_MAX] = {
    [HOOK_NONE] = { .flags = 0 },

    /* the domain as a whole (hooks-domain.c) */
    [HOOK_DOMAIN_TYPE] = { .render = hook_domain_type_render, .observe = hook_domain_type_observe,
                           .patch = hook_domain_type_patch },
    [HOOK_MEMORY] = { .render = hook_memory_render, .observe = hook_memory_observe,
                      .also = "memory", .live = hook_memory_live, .flags = HOOK_SIZE | HOOK_LIVE_OWN },
    [HOOK_MAX_MEMORY] = { .render = hook_render_nothing /* with memory */,
                          .observe = hook_max_memory_observe, .also = "currentMemory",
                          .flags = HOOK_SIZE },
    [HOOK_VCPU] = { .render = hook_vcpu_render, .observe = hook_vcpu_observe, .live = hook_vcpu_live },
    [HOOK_MAX_VCPU] = { .render = hook_render_nothing /* with cpus */, .observe = hook_max_vcpu_observe },
    [HOOK_MACHINE] = { .render = hook_render_plain, .equal = hook_machine_equal,
                       .flags = HOOK_READS_PLAIN },
    [HOOK_BOOT] = { .render = hook_boot_render, .observe = hook_boot_observe },
    [HOOK_NESTED] = { .render = hook_nested_render, .observe = hook_nested_observe, .unit = "cpu" },
    [HOOK_FEATURES] = { .render = hook_features_render, .observe = hook_features_observe,
                        .equal = hook_features_equal, .patch = hook_features_patch,
                        .export_value = hook_features_export_value },
    [HOOK_HYPERV] = { .render = hook_hyperv_render, .observe = hook_hyperv_observe,
                      .export = hook_hyperv_export, .flags = HOOK_RENDERS_LIST },
    [HOOK_LOADER] = { .render = hook_loader_render, .observe = hook_loader_observe,
                      .export_value = hook_loader_export_value },
    [HOOK_GUEST_AGENT] = { .render = hook_guest_agent_render, .observe = hook_guest_agent_observe,
                           .patch = hook_guest_agent_patch },
    [HOOK_RNG_BACKEND] = { .render = hook_rng_backend_render, .observe = hook_rng_backend_observe },
    [HOOK_MEMBALLOON] = { .render = hook_memballoon_render, .observe = hook_memballoon_observe },
    [HOOK_QEMU_ARGS] = { .render = hook_qemu_args_render, .observe = hook_qemu_args_observe },
    [HOOK_QEMU_ENV] = { .render = hook_qemu_env_render, .flags = HOOK_READS_PLAIN | HOOK_RENDERS_LIST },
    [HOOK_FIRMWARE] = { .render = hook_render_plain, .patch = hook_firmware_patch,
                        .flags = HOOK_READS_PLAIN },
    [HOOK_FIRMWARE_FEATURE] = { .render = hook_firmware_feature_render, .patch = hook_firmware_feature_patch,
                                .flags = HOOK_READS_PLAIN | HOOK_NVRAM_RESET },
    [HOOK_API] = { .render = hook_render_nothing, .observe = hook_observe_nothing,
                   .flags = HOOK_NOT_XML },

    /* devices (hooks-device.c) */
    [HOOK_GRAPHICS_NONE] = { .render = hook_graphics_none_render, .observe = hook_graphics_none_observe,
                             .flags = HOOK_RENDERS_PATH },
    [HOOK_PASSWD] = { .render = hook_passwd_render, .live = hook_passwd_live, .flags = HOOK_READS_PLAIN },
    [HOOK_TPM_BACKEND] = { .render = hook_render_plain, .flags = HOOK_READS_PLAIN },
    [HOOK_DISK_SOURCE] = { .render = hook_render_nothing /* render's disk prelude */,
                           .observe = hook_disk_source_observe, .diff_name = "source",
                           .export_value = hook_observe_nothing /* the disk's own spec form */ },
    [HOOK_IFACE] = { .render = hook_render_plain, .flags = HOOK_READS_PLAIN },
    [HOOK_CHANNEL_NAME] = { .render = hook_render_plain, .observe = hook_channel_name_observe,
                            .item_key = hook_channel_name_item_key,
                            .export_value = hook_channel_name_export_value },
    [HOOK_PCI_HOST] = { .render = hook_pci_host_render, .observe = hook_pci_host_observe },
    /* the guest address libvirt chose is not exported: the patch keeps it anyway */
    [HOOK_PCI_ADDR] = { .render = hook_pci_addr_render, .observe = hook_pci_addr_observe,
                        .export_value = hook_observe_nothing },
    [HOOK_USER_BACKEND] = { .render = hook_user_backend_render, .observe = hook_user_backend_observe },
    [HOOK_OVS] = { .render = hook_ovs_render, .observe = hook_ovs_observe,
                   .export_value = hook_ovs_export_value },
    [HOOK_FS_DRIVER] = { .render = hook_fs_driver_render, .observe = hook_fs_driver_observe },
    [HOOK_CHARDEV_PATH] = { .render = hook_render_plain, .observe = hook_chardev_path_observe },

    /* value forms (hooks-value.c) */
    [HOOK_CPUSET] = { .render = hook_cpuset_render, .observe = hook_cpuset_observe,
                      .flags = HOOK_READS_PATH },
    [HOOK_SIZE_KIB] = { .render = hook_size_kib_render, .observe = hook_size_kib_observe,
                        .flags = HOOK_READS_PATH | HOOK_SIZE },
    [HOOK_HEX] = { .render = hook_hex_render, .observe = hook_hex_observe, .flags = HOOK_READS_PATH },

    /* networks and pools (hooks-net.c) */
    [HOOK_NET_FORWARD] = { .render = hook_net_forward_render, .observe = hook_net_forward_observe },
    [HOOK_NET_IP] = { .render = hook_net_ip_render, .observe = hook_net_ip_observe,
                      .patch = hook_net_ip_patch },
    [HOOK_NET_DHCP] = { .render = hook_net_dhcp_render, .flags = HOOK_READS_PLAIN },
    [HOOK_NET_DHCP_HOSTS] = { .render = hook_render_plain, .flags = HOOK_READS_PLAIN },
    [HOOK_NET_BRIDGE] = { .render = hook_net_bridge_render, .flags = HOOK_READS_PLAIN },
    [HOOK_NET_DOMAIN_LOCAL] = { .render = hook_net_domain_local_render,
                                .observe = hook_net_domain_local_observe },

    /* the escape hatch: applied after everything else is rendered (render_xml_edits), compared
     * and patched as one (xml-hatch.c) */
    [HOOK_XML_EDIT] = { .render = hook_render_nothing, .diff = diff_xml_edits,
                        .patch = patch_xml_edits, .unit = "xml",
                        .export = hook_export_nothing /* export's leftovers fill it */,
                        .flags = HOOK_READS_PLAIN | HOOK_RENDERS_LIST },
};
