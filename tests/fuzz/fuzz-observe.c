/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: bytes → xml_parse → the result is the "observed" object (as libvirt would return
 * it). It is read the way the executor reads a libvirt object (observe_owned, observe_managed,
 * observe_spec_hash), diffed against a rendered spec of the same kind (diff_compute, with the
 * observed object's own managed-key list), patched (diff_patch, which edits the observed
 * document in place) and serialised again. The desired documents are rendered once from the
 * specs below: the examples' web1 with more device and tuning keys, the examples' network, and
 * a pool. The kind follows the observed root element (network, pool, else domain).
 * Corpus: tests/fuzz/observe/.
 *
 * One property is checked (abort() when broken): the patched document, serialised and parsed
 * back, diffs against the desired one with no change: a second apply does nothing. Documents
 * with a DTD are exempt: libvirt never writes one, and xml_to_string() leaves it out, so entity
 * references no longer parse. */
#include <libxml/parser.h>
#include <stdio.h>

#include "diff.h"
#include "fuzz.h"
#include "render.h"
#include "spec.h"
#include "xml-util.h"

static const char desired_yaml[] =
    "kind: Domain\n"
    "name: web1\n"
    "title: fuzz target\n"
    "memory: 1GiB\n"
    "max_memory: 2GiB\n"
    "cpus: 2\n"
    "max_cpus: 4\n"
    "cputopology: {sockets: 1, cores: 4, threads: 1}\n"
    "cpu: {mode: host-model, features: [{name: pcid}, {name: x2apic, policy: optional}]}\n"
    "nested: true\n"
    "numa:\n"
    "  - {cpus: 0-1, memory: 1GiB}\n"
    "  - {cpus: \"2,3\", memory: 1024}\n"
    "cputune: {shares: 2048, vcpupin: [{vcpu: 0, cpuset: \"2\"}, {vcpu: 1, cpuset: 3-4}]}\n"
    "memtune: {hard_limit: 5GiB}\n"
    "memorybacking: {hugepages: true}\n"
    "features: [acpi, apic, pmu]\n"
    "kvm_hidden: true\n"
    "hyperv: [{name: relaxed}, {name: spinlocks, retries: 8191}, {name: vendor_id, value: KVMKVM}]\n"
    "clock: {offset: utc, timers: [{name: rtc, tickpolicy: catchup}, {name: hpet, present: false}]}\n"
    "sysinfo: {system: {manufacturer: virtspec, serial: \"0001\"}, oem_strings: [a, b]}\n"
    "boot: [hd, network]\n"
    "graphics: {type: vnc, listen: 127.0.0.1, autoport: true, passwd: s3cret, keymap: en-us}\n"
    "video: {type: virtio}\n"
    "tpm: {model: tpm-crb, type: emulator, version: \"2.0\"}\n"
    "disks:\n"
    "  - {name: root, size: 8GiB, bus: virtio, pool: vs-pool}\n"
    "  - {name: data, size: 2GiB, bus: scsi, cache: none, pool: vs-pool}\n"
    "cdroms:\n"
    "  - {}\n"
    "interfaces:\n"
    "  - {network: vs-net, model: virtio, mac: \"52:54:00:12:34:56\"}\n"
    "  - {type: bridge, bridge: br0, model: e1000e, mtu: 9000}\n"
    "inputs: [{type: tablet, bus: usb}]\n"
    "channels: [{type: unix, target_name: org.example.port0}]\n"
    "serials: [{type: pty}]\n"
    "consoles: [{type: pty, target_type: virtio}]\n"
    "memballoon: {model: virtio, stats_period: 10}\n"
    "rng: {model: virtio}\n"
    "watchdog: {model: i6300esb}\n"
    "qemu_args: [-no-user-config]\n"
    "guest_agent: true\n"
    "autostart: true\n"
    "---\n"
    "kind: Network\n"
    "name: vs-net\n"
    "forward: nat\n"
    "ip: 10.20.30.1/24\n"
    "dhcp:\n"
    "  start: 10.20.30.10\n"
    "  end: 10.20.30.200\n"
    "  hosts: [{mac: \"52:54:00:12:34:56\", ip: 10.20.30.5, name: web1}]\n"
    "ipv6: fd00:20:30::1/64\n"
    "mtu: 1500\n"
    "domain: example.test\n"
    "---\n"
    "kind: Pool\n"
    "name: vs-pool\n"
    "path: /var/lib/virtspec/vs-pool\n"
    "mode: \"0711\"\n";

static xmlDoc *desired[_KIND_MAX];

static void quiet(void *ctx, const char *msg, ...) {
}

static void setup(void) {
    SpecSet set = {};
    RenderOpts o = { .host_kvm = false, .show_secrets = false };

    xmlSetGenericErrorFunc(NULL, quiet);
    spec_load_buffer(&set, "fuzz-observe.yaml", desired_yaml, sizeof(desired_yaml) - 1);
    if (set.diags.n_errors > 0 || set.n != _KIND_MAX) {
        diag_list_print(&set.diags, stderr);
        abort();   /* the embedded specs must be valid */
    }
    for (size_t i = 0; i < set.n; i++)
        if (render_spec(set.specs[i], &o, &desired[set.specs[i]->kind]) < 0)
            abort();
    spec_set_clear(&set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > FUZZ_MAX_INPUT)
        return 0;
    if (!desired[KIND_DOMAIN])
        setup();

    /* xml_parse takes a string: what libvirt hands over (virDomainGetXMLDesc) */
    char *text = xmalloc0(size + 1);
    memcpy(text, data, size);
    xmlDoc *obs = xml_parse(text);
    free(text);
    if (!obs)
        return 0;
    xmlNode *root = xmlDocGetRootElement(obs);
    SpecKind kind = KIND_DOMAIN;
    if (xml_is(root, "network"))
        kind = KIND_NETWORK;
    else if (xml_is(root, "pool"))
        kind = KIND_POOL;

    (void) observe_owned(obs);
    free(observe_spec_hash(obs));
    char *managed = observe_managed(obs);

    Diff d;
    diff_compute(kind, desired[kind], obs, managed, &d);
    (void) diff_has_class(&d, CHANGE_CONFIG);
    (void) diff_count_effective(&d);
    if (root)
        diff_patch(kind, &d, desired[kind], obs);
    diff_clear(&d);

    /* what the executor does next: serialise the patched document for virDomainDefineXML; what
     * libvirt then returns must be in sync (with the desired managed list, copied over) */
    if (root) {
        char *patched = xml_to_string(obs);
        xmlDoc *again = obs->intSubset ? NULL : xml_parse(patched);
        if (!again && !obs->intSubset) {
            fprintf(stderr, "the patched document does not parse:\n%s", patched);
            abort();
        }
        if (again) {
            char *want_managed = observe_managed(desired[kind]);
            diff_compute(kind, desired[kind], again, want_managed, &d);
            if (diff_count_effective(&d) > 0) {
                fprintf(stderr, "the patched document is not in sync:\n");
                for (size_t i = 0; i < d.n; i++)
                    fprintf(stderr, "  op %d %s: %s -> %s\n", d.items[i].op, d.items[i].path,
                            strna(d.items[i].old_value), strna(d.items[i].new_value));
                fprintf(stderr, "%s", patched);
                abort();
            }
            diff_clear(&d);
            free(want_managed);
            xmlFreeDoc(again);
        }
        free(patched);
    }
    free(managed);
    xmlFreeDoc(obs);
    return 0;
}
