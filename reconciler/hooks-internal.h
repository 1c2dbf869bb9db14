/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libxml/tree.h>

#include "spec-table.h"
#include "yaml-tree.h"

typedef struct HookCtx HookCtx;   /* hooks.h */
typedef struct HookExport HookExport;
typedef struct HookLive HookLive;

/* The per-hook functions hooks.c puts in hook_ops: hooks-domain.c, hooks-device.c, hooks-net.c,
 * hooks-value.c. Nothing else calls them: they are reached through hook_ops. This header only
 * names HookCtx (it does not include hooks.h), so that the table in hooks.c and the header it
 * fills are not an include cycle (tests/check-include-cycles.sh). */

#define HOOK_RENDER(name) void name(const HookCtx *c, const KeyDef *k, const void *base, xmlNode *node)
#define HOOK_OBSERVE(name) char *name(const KeyDef *k, const xmlNode *ctx)
#define HOOK_EQUAL(name) bool name(const KeyDef *k, const char *want, const char *have)
#define HOOK_PATCH(name) void name(const KeyDef *k, xmlNode *want, xmlNode *have)
#define HOOK_EXPORT(name) void name(const HookExport *x, const KeyDef *k, YNode *o)

/* hooks-value.c */
HOOK_RENDER(hook_render_plain);
HOOK_RENDER(hook_render_nothing);
HOOK_OBSERVE(hook_observe_nothing);
HOOK_EXPORT(hook_export_nothing);
HOOK_RENDER(hook_cpuset_render);
HOOK_OBSERVE(hook_cpuset_observe);
HOOK_RENDER(hook_size_kib_render);
HOOK_OBSERVE(hook_size_kib_observe);
HOOK_RENDER(hook_hex_render);
HOOK_OBSERVE(hook_hex_observe);

/* hooks-domain.c */
HOOK_RENDER(hook_domain_type_render);
HOOK_OBSERVE(hook_domain_type_observe);
HOOK_PATCH(hook_domain_type_patch);
HOOK_RENDER(hook_memory_render);
HOOK_OBSERVE(hook_memory_observe);
HOOK_OBSERVE(hook_max_memory_observe);
HOOK_RENDER(hook_vcpu_render);
HOOK_OBSERVE(hook_vcpu_observe);
HOOK_OBSERVE(hook_max_vcpu_observe);
HOOK_EQUAL(hook_machine_equal);
HOOK_RENDER(hook_boot_render);
HOOK_OBSERVE(hook_boot_observe);
HOOK_RENDER(hook_nested_render);
HOOK_OBSERVE(hook_nested_observe);
HOOK_RENDER(hook_guest_agent_render);
HOOK_OBSERVE(hook_guest_agent_observe);
HOOK_PATCH(hook_guest_agent_patch);
HOOK_RENDER(hook_rng_backend_render);
HOOK_OBSERVE(hook_rng_backend_observe);
HOOK_RENDER(hook_features_render);
HOOK_OBSERVE(hook_features_observe);
HOOK_EQUAL(hook_features_equal);
HOOK_OBSERVE(hook_features_export_value);
HOOK_PATCH(hook_features_patch);
HOOK_RENDER(hook_hyperv_render);
HOOK_OBSERVE(hook_hyperv_observe);
HOOK_EXPORT(hook_hyperv_export);
HOOK_RENDER(hook_loader_render);
HOOK_OBSERVE(hook_loader_observe);
HOOK_OBSERVE(hook_loader_export_value);
HOOK_RENDER(hook_memballoon_render);
HOOK_OBSERVE(hook_memballoon_observe);
HOOK_RENDER(hook_qemu_args_render);
HOOK_OBSERVE(hook_qemu_args_observe);
HOOK_RENDER(hook_qemu_env_render);
HOOK_PATCH(hook_firmware_patch);
HOOK_PATCH(hook_firmware_feature_patch);
HOOK_RENDER(hook_firmware_feature_render);

/* hooks-device.c */
HOOK_RENDER(hook_graphics_none_render);
HOOK_OBSERVE(hook_graphics_none_observe);
HOOK_RENDER(hook_passwd_render);
HOOK_OBSERVE(hook_disk_source_observe);
HOOK_OBSERVE(hook_channel_name_observe);
HOOK_OBSERVE(hook_channel_name_export_value);
char *hook_channel_name_item_key(const KeyDef *k, const void *item);
HOOK_RENDER(hook_pci_host_render);
HOOK_OBSERVE(hook_pci_host_observe);
HOOK_RENDER(hook_pci_addr_render);
HOOK_OBSERVE(hook_pci_addr_observe);
HOOK_RENDER(hook_ovs_render);
HOOK_OBSERVE(hook_ovs_observe);
HOOK_OBSERVE(hook_ovs_export_value);
HOOK_RENDER(hook_user_backend_render);
HOOK_OBSERVE(hook_user_backend_observe);
HOOK_RENDER(hook_fs_driver_render);
HOOK_OBSERVE(hook_fs_driver_observe);
HOOK_OBSERVE(hook_chardev_path_observe);

/* hooks-net.c */
HOOK_RENDER(hook_net_forward_render);
HOOK_OBSERVE(hook_net_forward_observe);
HOOK_RENDER(hook_net_ip_render);
HOOK_OBSERVE(hook_net_ip_observe);
HOOK_PATCH(hook_net_ip_patch);
HOOK_RENDER(hook_net_dhcp_render);
HOOK_RENDER(hook_net_domain_local_render);
HOOK_OBSERVE(hook_net_domain_local_observe);
HOOK_RENDER(hook_net_bridge_render);

/* hooks-live.c */
int hook_memory_live(const HookLive *l, char **ret_why);
int hook_vcpu_live(const HookLive *l, char **ret_why);
int hook_passwd_live(const HookLive *l, char **ret_why);
