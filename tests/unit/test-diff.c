/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* diff and patch against XML as libvirt returns it (tests/unit/data, recorded from a real
 * libvirtd 9.0 with addresses, aliases, controllers and everything else libvirt adds). */
#include "unit-test.h"

#include <libxml/tree.h>
#include <stdio.h>

#include "diff.h"
#include "render.h"
#include "spec.h"
#include "xml-util.h"

static char *slurp(const char *name) {
    _cleanup_free_ char *path = xasprintf("%s/%s", DATA_DIR, name);
    char *buf = NULL, *msg = NULL;
    size_t len;
    if (spec_read_file(path, &buf, &len, &msg) < 0)
        fail_msg("%s: %s", path, msg);
    return buf;
}

static Spec *load(const char *name, const char *edit_from, const char *edit_to) {
    _cleanup_free_ char *text = slurp(name);
    char *t = text;
    _cleanup_free_ char *edited = NULL;
    if (edit_from) {
        char *p = strstr(text, edit_from);
        assert_non_null(p);
        edited = xasprintf("%.*s%s%s", (int) (p - text), text, edit_to, p + strlen(edit_from));
        t = edited;
    }
    return unit_load_one(name, t);
}

static xmlDoc *render(const Spec *s) {
    RenderOpts o = { .host_kvm = false, .show_secrets = true };
    xmlDoc *d = NULL;
    assert_int_equal(render_spec(s, &o, &d), 0);
    return d;
}

/* Observed XML with optional text substitutions applied. */
static xmlDoc *observed(const char *name, const char *from, const char *to) {
    _cleanup_free_ char *text = slurp(name);
    _cleanup_free_ char *edited = NULL;
    if (from) {
        char *p = strstr(text, from);
        assert_non_null(p);
        edited = xasprintf("%.*s%s%s", (int) (p - text), text, to, p + strlen(from));
    }
    xmlDoc *d = xml_parse(edited ? edited : text);
    assert_non_null(d);
    return d;
}

static const Change *find_change(const Diff *d, const char *path) {
    for (size_t i = 0; i < d->n; i++)
        if (streq(d->items[i].path, path))
            return &d->items[i];
    return NULL;
}

static void dump(const Diff *d) {
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "  change %d %s: %s -> %s\n", d->items[i].op, d->items[i].path,
                strna(d->items[i].old_value), strna(d->items[i].new_value));
}

/* d has n effective changes; patched with them, have is in sync with want. Clears d. */
static void patch_to_sync(SpecKind kind, Diff *d, size_t n, xmlDoc *want, xmlDoc *have,
                          const char *managed) {
    if (diff_count_effective(d) != n)
        dump(d);
    assert_int_equal(diff_count_effective(d), n);
    diff_patch(kind, d, want, have);
    diff_clear(d);
    diff_compute(kind, want, have, managed, d);
    if (diff_count_effective(d) != 0)
        dump(d);
    assert_int_equal(diff_count_effective(d), 0);
    diff_clear(d);
}

static void diff_of(const char *spec, const char *sfrom, const char *sto, const char *xml,
                    const char *xfrom, const char *xto, Diff *ret) {
    _cleanup_(spec_freep) Spec *s = load(spec, sfrom, sto);
    _cleanup_(xmlFreeDocp) xmlDoc *want = render(s);
    _cleanup_(xmlFreeDocp) xmlDoc *have = observed(xml, xfrom, xto);
    _cleanup_free_ char *managed = observe_managed(have);
    diff_compute(s->kind, want, have, managed, ret);
}

static void test_in_sync_with_libvirts_additions(void **state) {
    Diff d;
    diff_of("web1.yaml", NULL, NULL, "web1.inactive.xml", NULL, NULL, &d);
    if (diff_count_effective(&d) != 0)
        dump(&d);
    assert_int_equal(diff_count_effective(&d), 0);
    diff_clear(&d);
}

static void test_reordered_devices_are_no_change(void **state) {
    _cleanup_free_ char *text = slurp("web1.inactive.xml");
    xmlDoc *doc = xml_parse(text);
    xmlNode *devs = xml_child(xmlDocGetRootElement(doc), "devices");
    /* move every disk to the end, after the interface, graphics and controllers */
    xmlNode *disks[8];
    size_t n = 0;
    for (xmlNode *c = devs->children; c; c = c->next)
        if (xml_is(c, "disk") && n < 8)
            disks[n++] = c;
    assert_true(n >= 3);
    for (size_t i = n; i > 0; i--) {
        xmlUnlinkNode(disks[i - 1]);
        xmlAddChild(devs, disks[i - 1]);
    }
    _cleanup_(spec_freep) Spec *s = load("web1.yaml", NULL, NULL);
    _cleanup_(xmlFreeDocp) xmlDoc *want = render(s);
    _cleanup_free_ char *managed = observe_managed(doc);
    Diff d;
    diff_compute(KIND_DOMAIN, want, doc, managed, &d);
    if (diff_count_effective(&d) != 0)
        dump(&d);
    assert_int_equal(diff_count_effective(&d), 0);
    diff_clear(&d);
    xmlFreeDoc(doc);
}

static void test_units_and_number_forms_are_no_change(void **state) {
    Diff d;
    /* 1 GiB written as KiB by libvirt, as GiB here; vcpu count with a leading zero */
    diff_of("web1.yaml", NULL, NULL, "web1.inactive.xml",
            "<currentMemory unit='KiB'>1048576</currentMemory>",
            "<currentMemory unit='GiB'>1</currentMemory>", &d);
    assert_int_equal(diff_count_effective(&d), 0);
    diff_clear(&d);
    diff_of("web1.yaml", NULL, NULL, "web1.inactive.xml", "cores='4'", "cores='04'", &d);
    assert_int_equal(diff_count_effective(&d), 0);
    diff_clear(&d);
    /* MAC written with dashes and upper case in the spec, lower case by libvirt */
    diff_of("web1.yaml", "52:54:00:12:34:56", "52-54-00-12-34-56", "web1.inactive.xml",
            "52:54:00:12:34:56", "52:54:00:12:34:56", &d);
    if (diff_count_effective(&d) != 0)
        dump(&d);
    assert_int_equal(diff_count_effective(&d), 0);
    diff_clear(&d);
}

static void test_memory_change_is_live(void **state) {
    Diff d;
    diff_of("web1.yaml", "memory: 1GiB", "memory: 1536MiB", "web1.inactive.xml", NULL, NULL, &d);
    const Change *c = find_change(&d, "memory");
    assert_non_null(c);
    assert_int_equal(c->op, OP_SET);
    assert_int_equal(c->cls, CHANGE_LIVE);
    assert_string_equal(c->old_value, "1 GiB");
    assert_string_equal(c->new_value, "1536 MiB");
    assert_int_equal(diff_count_effective(&d), 1);
    diff_clear(&d);
}

static void test_config_changes_and_secrets(void **state) {
    Diff d;
    diff_of("web1.yaml", "passwd: s3cret", "passwd: n3w", "web1.inactive.xml", NULL, NULL, &d);
    const Change *c = find_change(&d, "graphics.passwd");
    assert_non_null(c);
    assert_true(c->secret);
    assert_string_equal(c->old_value, "(secret)");   /* never the password itself */
    assert_string_equal(c->new_value, "(secret)");
    diff_clear(&d);
    diff_of("web1.yaml", "video: {type: virtio}", "video: {type: vga}", "web1.inactive.xml", NULL,
            NULL, &d);
    c = find_change(&d, "video.type");
    assert_non_null(c);
    assert_int_equal(c->cls, CHANGE_CONFIG);
    assert_string_equal(c->old_value, "virtio");
    assert_string_equal(c->new_value, "vga");
    diff_clear(&d);
}

static void test_machine_alias_matches_expansion(void **state) {
    Diff d;
    /* libvirt expands "pc" to "pc-i440fx-7.2": no change */
    diff_of("web1.yaml", "name: web1\n", "name: web1\nmachine_type: pc\n", "web1.inactive.xml",
            NULL, NULL, &d);
    assert_null(find_change(&d, "machine_type"));
    diff_clear(&d);
    diff_of("web1.yaml", "name: web1\n", "name: web1\nmachine_type: q35\n", "web1.inactive.xml",
            NULL, NULL, &d);
    const Change *c = find_change(&d, "machine_type");
    assert_non_null(c);
    assert_string_equal(c->old_value, "pc-i440fx-7.2");
    diff_clear(&d);
}

static void test_patch_keeps_addresses_and_uuid(void **state) {
    _cleanup_(spec_freep) Spec *s = load("web1.yaml", "model: virtio, mac", "model: e1000, mac");
    _cleanup_(xmlFreeDocp) xmlDoc *want = render(s);
    _cleanup_(xmlFreeDocp) xmlDoc *have = observed("web1.inactive.xml", NULL, NULL);
    _cleanup_free_ char *managed = observe_managed(have);
    _cleanup_free_ char *uuid = xml_get(xmlDocGetRootElement(have), "uuid");
    _cleanup_free_ char *addr = xml_get(xmlDocGetRootElement(have), "devices/interface/address/@slot");
    Diff d;
    diff_compute(KIND_DOMAIN, want, have, managed, &d);
    assert_non_null(find_change(&d, "interfaces[52:54:00:12:34:56].model"));
    diff_patch(KIND_DOMAIN, &d, want, have);
    diff_clear(&d);
    xmlNode *root = xmlDocGetRootElement(have);
    _cleanup_free_ char *uuid2 = xml_get(root, "uuid");
    _cleanup_free_ char *addr2 = xml_get(root, "devices/interface/address/@slot");
    _cleanup_free_ char *model = xml_get(root, "devices/interface/model/@type");
    assert_string_equal(uuid, uuid2);
    assert_non_null(addr);
    assert_string_equal(addr, addr2);       /* the guest's PCI slot is kept */
    assert_string_equal(model, "e1000");
    /* after the patch, nothing is left to change */
    diff_compute(KIND_DOMAIN, want, have, managed, &d);
    if (diff_count_effective(&d) != 0)
        dump(&d);
    assert_int_equal(diff_count_effective(&d), 0);
    diff_clear(&d);
}

static void test_bus_change_drops_the_address(void **state) {
    /* cdrom hdc: ide → sata keeps its name, so it is the same device with a new bus; its IDE
     * drive address cannot stay */
    _cleanup_(spec_freep) Spec *s = load("web1.yaml", "  - {}", "  - {bus: sata, dev: hdc}");
    _cleanup_(xmlFreeDocp) xmlDoc *want = render(s);
    _cleanup_(xmlFreeDocp) xmlDoc *have = observed("web1.inactive.xml", NULL, NULL);
    _cleanup_free_ char *managed = observe_managed(have);
    Diff d;
    diff_compute(KIND_DOMAIN, want, have, managed, &d);
    const Change *c = find_change(&d, "cdroms[hdc].bus");
    assert_non_null(c);
    assert_int_equal(c->cls, CHANGE_CONFIG);
    diff_patch(KIND_DOMAIN, &d, want, have);
    diff_clear(&d);
    xmlNode *devs = xml_child(xmlDocGetRootElement(have), "devices");
    bool found = false;
    for (xmlNode *e = xml_child(devs, "disk"); e; e = xml_next_named(e)) {
        _cleanup_free_ char *dev = xml_get(e, "target/@dev");
        _cleanup_free_ char *bus = xml_get(e, "target/@bus");
        if (!streq(dev, "hdc"))
            continue;
        found = true;
        assert_string_equal(bus, "sata");
        assert_null(xml_child(e, "address"));
    }
    assert_true(found);
}

static void test_new_device_name_is_remove_and_add(void **state) {
    _cleanup_(spec_freep) Spec *s = load("web1.yaml", "bus: scsi, cache", "bus: virtio, dev: vdb, cache");
    _cleanup_(xmlFreeDocp) xmlDoc *want = render(s);
    /* the observed data disk is sda on scsi; the spec now says vdb on virtio: a different
     * device key, so it is a remove + add, and the new one has no stale drive address */
    _cleanup_(xmlFreeDocp) xmlDoc *have = observed("web1.inactive.xml", NULL, NULL);
    _cleanup_free_ char *managed = observe_managed(have);
    Diff d;
    diff_compute(KIND_DOMAIN, want, have, managed, &d);
    const Change *add = find_change(&d, "disks[vdb]"), *rm = find_change(&d, "disks[sda]");
    assert_non_null(add);
    assert_non_null(rm);
    assert_int_equal(add->op, OP_ADD);
    assert_int_equal(rm->op, OP_REMOVE);   /* virtspec added it, so virtspec may detach it */
    diff_patch(KIND_DOMAIN, &d, want, have);
    diff_clear(&d);
    xmlNode *devs = xml_child(xmlDocGetRootElement(have), "devices");
    for (xmlNode *c = xml_child(devs, "disk"); c; c = xml_next_named(c)) {
        _cleanup_free_ char *dev = xml_get(c, "target/@dev");
        if (streq(dev, "vdb"))
            assert_null(xml_child(c, "address"));
        assert_false(streq(dev, "sda"));
    }
}

static void test_unmanaged_device_is_left_alone(void **state) {
    Diff d;
    const char *extra = "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                        "<source file='/srv/extra.img'/><target dev='vdz' bus='virtio'/></disk>"
                        "<controller type='usb'";
    diff_of("web1.yaml", NULL, NULL, "web1.inactive.xml", "<controller type='usb'", extra, &d);
    const Change *c = find_change(&d, "disks[vdz]");
    assert_non_null(c);
    assert_int_equal(c->op, OP_UNMANAGED);
    assert_int_equal(diff_count_effective(&d), 0);
    diff_clear(&d);
}

static void test_removed_key_goes_back_to_default(void **state) {
    Diff d;
    /* the spec had a TPM (recorded in the metadata's managed list); it is gone from the spec */
    diff_of("web1.yaml", "tpm: {model: tpm-crb, type: emulator, version: \"2.0\"}\n", "",
            "web1.inactive.xml", NULL, NULL, &d);
    const Change *c = find_change(&d, "tpm.model");
    assert_non_null(c);
    assert_string_equal(c->old_value, "tpm-crb");
    assert_null(c->new_value);
    diff_clear(&d);
}

static void test_network_dhcp_host_add(void **state) {
    Diff d;
    diff_of("vs-net.yaml", "dhcp: {start: 10.20.30.10, end: 10.20.30.200}",
            "dhcp: {start: 10.20.30.10, end: 10.20.30.200, hosts: [{mac: '52:54:00:aa:bb:cc', ip: 10.20.30.5}]}",
            "vs-net.inactive.xml", NULL, NULL, &d);
    const Change *c = find_change(&d, "dhcp.hosts[52:54:00:aa:bb:cc]");
    assert_non_null(c);
    assert_int_equal(c->op, OP_ADD);
    assert_int_equal(c->cls, CHANGE_LIVE);
    assert_int_equal(diff_count_effective(&d), 1);   /* the bridge name libvirt chose is not a change */
    diff_clear(&d);
}

/* DNS host records as libvirt 9.0 writes them back: one added (live), one whose names changed
 * (live, keyed by address), one virtspec managed before removed; the patch reaches in-sync. */
static void test_network_dns_hosts(void **state) {
    static const char observed_dns[] =
        "  <dns>\n    <host ip='10.20.30.5'>\n      <hostname>a</hostname>\n    </host>\n"
        "    <host ip='10.20.30.9'>\n      <hostname>old</hostname>\n    </host>\n  </dns>\n"
        "  <ip address";
    _cleanup_(spec_freep) Spec *s = load("vs-net.yaml", "autostart: true",
        "dns: {hosts: [{ip: 10.20.30.5, names: [a, b.example]}, {ip: 10.20.30.6, names: [c]}]}");
    _cleanup_(xmlFreeDocp) xmlDoc *want = render(s);
    _cleanup_(xmlFreeDocp) xmlDoc *have = observed("vs-net.inactive.xml", "  <ip address", observed_dns);
    xmlNode *m = xml_find(xmlDocGetRootElement(have), "metadata/virtspec/managed");
    assert_non_null(m);
    xmlNodeSetContent(m, (const xmlChar *) "name forward ip dhcp dhcp.start dhcp.end dns "
                                           "dns.hosts:10.20.30.5 dns.hosts:10.20.30.9");
    _cleanup_free_ char *managed = observe_managed(have);
    Diff d;
    diff_compute(KIND_NETWORK, want, have, managed, &d);
    const Change *c = find_change(&d, "dns.hosts[10.20.30.5].names");
    assert_non_null(c);
    assert_int_equal(c->op, OP_SET);
    assert_int_equal(c->cls, CHANGE_LIVE);
    assert_string_equal(c->old_value, "\"a\"");
    assert_string_equal(c->new_value, "\"a\", \"b.example\"");
    c = find_change(&d, "dns.hosts[10.20.30.6]");
    assert_non_null(c);
    assert_int_equal(c->op, OP_ADD);
    assert_int_equal(c->cls, CHANGE_LIVE);
    c = find_change(&d, "dns.hosts[10.20.30.9]");
    assert_non_null(c);
    assert_int_equal(c->op, OP_REMOVE);
    patch_to_sync(KIND_NETWORK, &d, 3, want, have, managed);
}

/* Renders the edited web1 spec, patches the recorded libvirt XML with the diff, and checks that a
 * second diff finds nothing: a second apply is a no-op. Returns the patched document. */
static xmlDoc *patch_until_in_sync(const char *from, const char *to, size_t *ret_n_changes) {
    _cleanup_(spec_freep) Spec *s = load("web1.yaml", from, to);
    _cleanup_(xmlFreeDocp) xmlDoc *want = render(s);
    xmlDoc *have = observed("web1.inactive.xml", NULL, NULL);
    _cleanup_free_ char *managed = observe_managed(have);
    Diff d;
    diff_compute(KIND_DOMAIN, want, have, managed, &d);
    *ret_n_changes = diff_count_effective(&d);
    diff_patch(KIND_DOMAIN, &d, want, have);
    diff_clear(&d);
    diff_compute(KIND_DOMAIN, want, have, managed, &d);
    if (diff_count_effective(&d) != 0)
        dump(&d);
    assert_int_equal(diff_count_effective(&d), 0);
    diff_clear(&d);
    return have;
}

/* The web1 spec with its first line replaced by spec is in sync with have. */
static void assert_in_sync(xmlDoc *have, const char *spec) {
    _cleanup_(spec_freep) Spec *s = load("web1.yaml", "name: web1\n", spec);
    _cleanup_(xmlFreeDocp) xmlDoc *want = render(s);
    Diff d;
    diff_compute(KIND_DOMAIN, want, have, NULL, &d);
    if (diff_count_effective(&d) != 0)
        dump(&d);
    assert_int_equal(diff_count_effective(&d), 0);
    diff_clear(&d);
}

/* The escape hatch on a network: each edit is a restart-pending config change, the patch brings
 * them in, and an edit that leaves the spec is undone (the record rides in the metadata). */
static void test_network_xml_edits(void **state) {
    static const char hatch[] =
        "xml:\n  add:\n    - {at: dns, fragment: \"<forwarder addr='192.0.2.53'/>\"}\n"
        "    - {at: ., fragment: \"<route address='192.168.222.0' prefix='24' gateway='10.20.30.2'/>\"}\n"
        "  set:\n    - {path: dns/@forwardPlainNames, value: 'no'}\nautostart: true";
    _cleanup_(spec_freep) Spec *s = load("vs-net.yaml", "autostart: true", hatch);
    _cleanup_(xmlFreeDocp) xmlDoc *want = render(s);
    _cleanup_(xmlFreeDocp) xmlDoc *have = observed("vs-net.inactive.xml", NULL, NULL);
    _cleanup_free_ char *managed = observe_managed(have);
    Diff d;
    diff_compute(KIND_NETWORK, want, have, managed, &d);
    static const char *const paths[] = {
        "xml.add[dns/forwarder]", "xml.add[./route]", "xml.set[dns/@forwardPlainNames]",
    };
    for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
        const Change *c = find_change(&d, paths[i]);
        assert_non_null(c);
        assert_int_equal(c->op, OP_SET);
        assert_int_equal(c->cls, CHANGE_CONFIG);
    }
    patch_to_sync(KIND_NETWORK, &d, 3, want, have, managed);

    /* applied: the object now records the edits; the route leaves the spec */
    xmlNode *hr = xmlDocGetRootElement(have), *wr = xmlDocGetRootElement(want);
    xmlNode *old = xml_child(hr, "metadata");
    xmlReplaceNode(old, xmlDocCopyNode(xml_child(wr, "metadata"), have, 1));
    xmlFreeNode(old);
    _cleanup_(spec_freep) Spec *s2 = load("vs-net.yaml", "autostart: true",
        "xml:\n  add:\n    - {at: dns, fragment: \"<forwarder addr='192.0.2.53'/>\"}\n"
        "  set:\n    - {path: dns/@forwardPlainNames, value: 'no'}\nautostart: true");
    _cleanup_(xmlFreeDocp) xmlDoc *want2 = render(s2);
    diff_compute(KIND_NETWORK, want2, have, managed, &d);
    const Change *c = find_change(&d, "xml.add[./route]");
    assert_non_null(c);
    assert_int_equal(c->op, OP_REMOVE);
    assert_int_equal(diff_count_effective(&d), 1);
    diff_patch(KIND_NETWORK, &d, want2, have);
    diff_clear(&d);
    assert_null(xml_child(hr, "route"));
    assert_non_null(xml_find(hr, "dns/forwarder"));
    diff_compute(KIND_NETWORK, want2, have, managed, &d);
    assert_int_equal(diff_count_effective(&d), 0);
    diff_clear(&d);
}

/* An xml.add fragment with a secret and child elements: the metadata records it masked and
 * whole (it was once cut at the first line of its pretty-printed form: unparseable, never compared
 * again), so a change in a child is seen and the old fragment goes. */
static void test_masked_fragment_with_children(void **state) {
    static const char add[] =
        "name: web1\nxml:\n  add:\n    - {at: devices, fragment: \"<graphics type='spice' autoport='yes' "
        "passwd='Sp1ceW0rd'><listen type='address' address='%s'/></graphics>\"}\n";
    _cleanup_free_ char *first = xasprintf(add, "127.0.0.1");
    size_t n;
    _cleanup_(xmlFreeDocp) xmlDoc *have = patch_until_in_sync("name: web1\n", first, &n);
    assert_int_equal(n, 1);   /* the fragment */
    _cleanup_(spec_freep) Spec *s = load("web1.yaml", "name: web1\n", first);
    _cleanup_(xmlFreeDocp) xmlDoc *want = render(s);
    _cleanup_free_ char *md = xml_node_to_string(want, xml_child(xmlDocGetRootElement(want), "metadata"));
    assert_non_null(strstr(md, "&lt;listen type=\"address\" address=\"127.0.0.1\"/&gt;&lt;/graphics&gt;"));
    assert_null(strstr(md, "Sp1ceW0rd"));

    /* applied: the domain records the fragment; its listen address changes */
    xmlNode *hr = xmlDocGetRootElement(have);
    xmlNode *old = xml_child(hr, "metadata");
    xmlReplaceNode(old, xmlDocCopyNode(xml_child(xmlDocGetRootElement(want), "metadata"), have, 1));
    xmlFreeNode(old);
    assert_in_sync(have, first);
    _cleanup_free_ char *second = xasprintf(add, "0.0.0.0");
    _cleanup_(spec_freep) Spec *s2 = load("web1.yaml", "name: web1\n", second);
    _cleanup_(xmlFreeDocp) xmlDoc *want2 = render(s2);
    Diff d;
    diff_compute(KIND_DOMAIN, want2, have, NULL, &d);
    const Change *c = find_change(&d, "xml.add[devices/graphics]");
    assert_non_null(c);
    assert_int_equal(c->op, OP_SET);
    assert_null(strstr(c->new_value, "Sp1ceW0rd"));
    patch_to_sync(KIND_DOMAIN, &d, 2, want2, have, NULL);   /* the new one in, the old one out */
    size_t n_spice = 0;
    for (xmlNode *e = xml_child(hr, "devices")->children; e; e = e->next) {
        _cleanup_free_ char *type = xml_is(e, "graphics") ? xml_get(e, "@type") : NULL;
        n_spice += streq_ptr(type, "spice");
    }
    assert_int_equal(n_spice, 1);
}

/* An xml.add fragment libvirt stores in its own form (<tb-cache unit='MiB'>2048 becomes
 * unit='KiB'>2097152): once applied and recorded, it is in sync, and the patch never adds a second
 * copy (each apply added one, until libvirt refused the document: the e2e suite's vCPU step). A
 * changed fragment replaces the stored one. */
static size_t count_tcg(xmlNode *root) {
    size_t n = 0;
    for (xmlNode *e = xml_child(root, "features")->children; e; e = e->next)
        n += xml_is(e, "tcg");
    return n;
}

static void test_fragment_libvirt_normalised(void **state) {
    static const char add[] =
        "name: web1\nxml:\n  add:\n    - {at: features, fragment: \"<tcg><tb-cache unit='MiB'>%s</tb-cache></tcg>\"}\n";
    _cleanup_free_ char *first = xasprintf(add, "2048");
    size_t n;
    _cleanup_(xmlFreeDocp) xmlDoc *have = patch_until_in_sync("name: web1\n", first, &n);
    assert_int_equal(n, 1);
    _cleanup_(spec_freep) Spec *s = load("web1.yaml", "name: web1\n", first);
    _cleanup_(xmlFreeDocp) xmlDoc *want = render(s);
    /* defined: the record in the metadata, the fragment as libvirt stores it */
    xmlNode *hr = xmlDocGetRootElement(have);
    xmlNode *old = xml_child(hr, "metadata");
    xmlReplaceNode(old, xmlDocCopyNode(xml_child(xmlDocGetRootElement(want), "metadata"), have, 1));
    xmlFreeNode(old);
    xmlNode *tb = xml_find(hr, "features/tcg/tb-cache");
    assert_non_null(tb);
    xmlSetProp(tb, (const xmlChar *) "unit", (const xmlChar *) "KiB");
    xmlNodeSetContent(tb, (const xmlChar *) "2097152");
    assert_in_sync(have, first);
    Diff d;
    diff_compute(KIND_DOMAIN, want, have, NULL, &d);
    diff_patch(KIND_DOMAIN, &d, want, have);
    diff_clear(&d);
    assert_int_equal(count_tcg(hr), 1);
    /* a new value: the new fragment in, the stored one out */
    _cleanup_free_ char *second = xasprintf(add, "1024");
    _cleanup_(spec_freep) Spec *s2 = load("web1.yaml", "name: web1\n", second);
    _cleanup_(xmlFreeDocp) xmlDoc *want2 = render(s2);
    diff_compute(KIND_DOMAIN, want2, have, NULL, &d);
    patch_to_sync(KIND_DOMAIN, &d, 2, want2, have, NULL);
    assert_int_equal(count_tcg(hr), 1);
    _cleanup_free_ char *v = xml_get(hr, "features/tcg/tb-cache");
    assert_string_equal(v, "1024");
}

/* The escape hatch on a pool: no metadata in libvirt, so the record is only on the rendered side,
 * and render_strip_private leaves libvirt a plain pool document. */
static void test_pool_xml_edits(void **state) {
    static const char spec[] =
        "kind: Pool\nname: p\npath: /srv/p\nxml:\n  set:\n"
        "    - {path: target/permissions/label, value: 'system_u:object_r:virt_image_t:s0'}\n";
    static const char have_xml[] =
        "<pool type='dir'><name>p</name><uuid>1b2f64a0-5c0d-4b6c-9a53-0f1f1c9e2a11</uuid>"
        "<capacity unit='bytes'>0</capacity><allocation unit='bytes'>0</allocation>"
        "<available unit='bytes'>0</available><source/><target><path>/srv/p</path><permissions>"
        "<mode>0755</mode><owner>0</owner><group>0</group></permissions></target></pool>";
    SpecSet set = {};
    spec_load_buffer(&set, "p.yaml", spec, strlen(spec));
    assert_int_equal(set.n, 1);
    _cleanup_(xmlFreeDocp) xmlDoc *want = render(set.specs[0]);
    _cleanup_(xmlFreeDocp) xmlDoc *have = xml_parse(have_xml);
    _cleanup_free_ char *managed = render_managed_keys(set.specs[0]);
    Diff d;
    diff_compute(KIND_POOL, want, have, managed, &d);
    const Change *c = find_change(&d, "xml.set[target/permissions/label]");
    assert_non_null(c);
    assert_int_equal(c->cls, CHANGE_CONFIG);
    assert_int_equal(diff_count_effective(&d), 1);
    diff_patch(KIND_POOL, &d, want, have);
    diff_clear(&d);
    _cleanup_free_ char *label = xml_get(xmlDocGetRootElement(have), "target/permissions/label");
    assert_string_equal(label, "system_u:object_r:virt_image_t:s0");
    assert_null(xml_child(xmlDocGetRootElement(have), "metadata"));
    diff_compute(KIND_POOL, want, have, managed, &d);
    assert_int_equal(diff_count_effective(&d), 0);
    diff_clear(&d);
    assert_non_null(xml_child(xmlDocGetRootElement(want), "metadata"));
    render_strip_private(KIND_POOL, want);
    assert_null(xml_child(xmlDocGetRootElement(want), "metadata"));
    spec_set_clear(&set);
}

static void test_clock_timers_keyed_by_name(void **state) {
    size_t n;
    const char *clock = "name: web1\nclock:\n  offset: localtime\n  timers:\n"
                        "    - {name: rtc, tickpolicy: catchup}\n    - {name: pit, tickpolicy: delay}\n"
                        "    - {name: hpet, present: false}\n";
    _cleanup_(xmlFreeDocp) xmlDoc *have = patch_until_in_sync("name: web1\n", clock, &n);
    assert_int_equal(n, 4);   /* offset and three timers */
    /* libvirt may list the timers in another order: still in sync */
    xmlNode *cl = xml_child(xmlDocGetRootElement(have), "clock");
    xmlNode *first = xml_child(cl, "timer");
    xmlUnlinkNode(first);
    xmlAddChild(cl, first);
    assert_in_sync(have, clock);
    Diff d;
    /* one timer changes: only that one is reported */
    _cleanup_(spec_freep) Spec *s2 = load("web1.yaml", "name: web1\n",
        "name: web1\nclock:\n  offset: localtime\n  timers:\n    - {name: pit, tickpolicy: catchup}\n"
        "    - {name: rtc, tickpolicy: catchup}\n    - {name: hpet, present: false}\n");
    _cleanup_(xmlFreeDocp) xmlDoc *want2 = render(s2);
    diff_compute(KIND_DOMAIN, want2, have, NULL, &d);
    assert_int_equal(diff_count_effective(&d), 1);
    assert_non_null(find_change(&d, "clock.timers[pit].tickpolicy"));
    diff_clear(&d);
}

static void test_hugepage_sizes(void **state) {
    size_t n;
    const char *pages = "name: web1\nmemorybacking:\n  hugepages: true\n  pages:\n"
                        "    - {size: 2MiB}\n    - {size: 1GiB, nodeset: \"0\"}\n";
    _cleanup_(xmlFreeDocp) xmlDoc *have = patch_until_in_sync("name: web1\n", pages, &n);
    assert_true(n > 0);
    xmlNode *hp = xml_find(xmlDocGetRootElement(have), "memoryBacking/hugepages");
    assert_non_null(hp);
    assert_int_equal(xmlChildElementCount(hp), 2);
    /* libvirt may say a size in another unit: still in sync */
    for (xmlNode *p = hp->children; p; p = p->next)
        if (p->type == XML_ELEMENT_NODE && xmlHasProp(p, (const xmlChar *) "nodeset")) {
            xmlSetProp(p, (const xmlChar *) "size", (const xmlChar *) "1");
            xmlSetProp(p, (const xmlChar *) "unit", (const xmlChar *) "G");
        }
    assert_in_sync(have, pages);
    Diff d;
    /* node 0's size changes: a config change */
    _cleanup_(spec_freep) Spec *s2 = load("web1.yaml", "name: web1\n",
        "name: web1\nmemorybacking:\n  hugepages: true\n  pages:\n"
        "    - {size: 2MiB}\n    - {size: 2MiB, nodeset: \"0\"}\n");
    _cleanup_(xmlFreeDocp) xmlDoc *want2 = render(s2);
    _cleanup_(spec_freep) Spec *s = load("web1.yaml", "name: web1\n", pages);
    _cleanup_free_ char *managed = render_managed_keys(s);
    diff_compute(KIND_DOMAIN, want2, have, managed, &d);
    assert_true(diff_count_effective(&d) > 0);
    assert_true(diff_has_class(&d, CHANGE_CONFIG));
    assert_false(diff_has_class(&d, CHANGE_LIVE));
    diff_clear(&d);
}

static void test_new_keys_apply_once(void **state) {
    static const char *const specs[] = {
        "name: web1\nfeatures: [acpi, apic, pae]\nkvm_hidden: true\nhyperv: [{name: relaxed}, "
        "{name: spinlocks, retries: 8191}]\n",
        "name: web1\nnuma: [{cpus: 0-1, memory: 1GiB},"
        " {cpus: 2-3, memory: 1GiB}]\ncputune: {shares: 512, vcpupin: [{vcpu: 0, cpuset: \"1\"}]}\n"
        "memtune: {hard_limit: 3GiB}\nmemorybacking: {nosharepages: true}\n",
        "name: web1\nloader: /usr/share/OVMF/OVMF_CODE.fd\nnvram_template: /usr/share/OVMF/OVMF_VARS.fd\n"
        "sysinfo: {system: {manufacturer: Example}, oem_strings: [a, b]}\n",
        "name: web1\nserials: [{}]\nredirdevs: [{type: spicevmc}]\nredirfilters: [{allow: true}]\n"
        "qemu_args: [-no-hpet]\nqemu_env: [{name: A, value: b}]\nfilesystems: [{source: /srv, target: srv}]\n",
        "name: web1\nxml:\n  add: [{at: devices, fragment: \"<panic model='isa'/>\"}]\n"
        "  set: [{path: on_crash, value: restart}]\n  remove: [features/apic]\n",
        "name: web1\nlaunch_security: {dh_cert: \"QUJDRA==\", session: \"RUZHSA==\"}\n",
    };
    for (size_t i = 0; i < ELEMENTSOF(specs); i++) {
        size_t n;
        xmlDoc *have = patch_until_in_sync("name: web1\n", specs[i], &n);
        assert_true(n > 0);
        xmlFreeDoc(have);
    }
    size_t n;
    xmlDoc *have = patch_until_in_sync("cpu: {mode: host-model}",
                                       "cpu: {mode: host-model, features: [{name: pcid}]}", &n);
    assert_int_equal(n, 1);
    xmlFreeDoc(have);
}

static void test_features_default_is_no_change(void **state) {
    Diff d;
    /* the x86 default [acpi, apic] is what web1 has; written out it is the same */
    diff_of("web1.yaml", "name: web1\n", "name: web1\nfeatures: [apic, acpi]\n", "web1.inactive.xml",
            NULL, NULL, &d);
    assert_int_equal(diff_count_effective(&d), 0);
    diff_clear(&d);
    diff_of("web1.yaml", "name: web1\n", "name: web1\nfeatures: []\n", "web1.inactive.xml", NULL,
            NULL, &d);
    const Change *c = find_change(&d, "features");
    assert_non_null(c);
    assert_string_equal(c->old_value, "acpi,apic");
    diff_clear(&d);
}

/* Effective changes between an inline spec and its own rendering with one text substitution, as
 * libvirt might return it. */
static size_t drift_of(const char *spec, const char *from, const char *to) {
    _cleanup_(spec_freep) Spec *s = unit_load_one("inline.yaml", spec);
    _cleanup_(xmlFreeDocp) xmlDoc *want = render(s);
    _cleanup_free_ char *text = xml_to_string(want);
    char *p = strstr(text, from);
    assert_non_null(p);
    _cleanup_free_ char *edited = xasprintf("%.*s%s%s", (int) (p - text), text, to, p + strlen(from));
    _cleanup_(xmlFreeDocp) xmlDoc *have = xml_parse(edited);
    assert_non_null(have);
    _cleanup_free_ char *managed = observe_managed(have);
    Diff d;
    diff_compute(s->kind, want, have, managed, &d);
    size_t n = diff_count_effective(&d);
    if (n)
        dump(&d);
    diff_clear(&d);
    return n;
}

static void test_wwn_prefix_and_case_are_no_change(void **state) {
    static const char spec[] = "kind: Domain\nname: w1\ndisks:\n"
                               "  - {name: d, bus: scsi, wwn: '0x5000C50015EA71AD'}\n";
    /* libvirt keeps the text it was given: 0x and upper case read as the canonical value */
    assert_int_equal(drift_of(spec, "<wwn>5000c50015ea71ad</wwn>", "<wwn>0x5000C50015EA71AD</wwn>"), 0);
    assert_int_equal(drift_of(spec, "<wwn>5000c50015ea71ad</wwn>", "<wwn>5000c50015ea71ac</wwn>"), 1);
}

static void test_network_domain_local_only(void **state) {
    static const char spec[] = "kind: Network\nname: n1\nip: 10.73.0.1/24\ndomain: lab.test\n";
    assert_int_equal(drift_of(spec, "localOnly=\"yes\"", "localOnly='yes'"), 0);
    /* a network defined before (or by someone else) without localOnly: forwarded, a change */
    assert_int_equal(drift_of(spec, "localOnly=\"yes\"", ""), 1);
    static const char fwd[] = "kind: Network\nname: n1\nip: 10.73.0.1/24\ndomain: lab.test\n"
                              "domain_local_only: false\n";
    assert_int_equal(drift_of(fwd, "localOnly=\"no\"", ""), 0);   /* libvirt's default */
    /* no domain: nothing rendered, nothing compared */
    static const char none[] = "kind: Network\nname: n1\nip: 10.73.0.1/24\n";
    assert_int_equal(drift_of(none, "<forward", "<forward"), 0);
}

static void test_guestfwd_channel(void **state) {
    static const char spec[] = "kind: Domain\nname: g1\nchannels:\n"
                               "  - {type: pty, target_type: guestfwd, target_address: 10.0.2.100, "
                               "target_port: 4600}\n"
                               "  - {target_name: org.example.port}\n";
    /* libvirt's own quoting: in sync */
    assert_int_equal(drift_of(spec, "address=\"10.0.2.100\" port=\"4600\"",
                              "address='10.0.2.100' port='4600'"), 0);
    /* another port is another channel: the spec's is added (the other, never managed, is left
     * alone) */
    assert_int_equal(drift_of(spec, "port=\"4600\"", "port=\"4601\""), 1);
    /* the managed keys name it as diff reads it back from XML */
    _cleanup_(spec_freep) Spec *s = unit_load_one("inline.yaml", spec);
    _cleanup_free_ char *managed = render_managed_keys(s);
    assert_non_null(strstr(managed, "channels:guestfwd:10.0.2.100:4600"));
    assert_non_null(strstr(managed, "channels:org.example.port"));
}

/* observe_change_item: the element of a list item change, in the desired or the live document,
 * matched as diff matched it; the engine finds a device to attach or detach with it. A USB host
 * device given by vendor and product is keyed by those two alone (executor.c's own find_device
 * keyed it by all four item key rows and found none); the guest agent's channel is not one of
 * the channels list. */
static void test_change_item_is_diffs_item(void **state) {
    static const char spec[] = "kind: Domain\nname: c1\nguest_agent: true\n"
                               "channels:\n  - {target_name: org.example.port}\n"
                               "usb:\n  - {vendor: '0x1234', product: '0xbeef'}\n";
    _cleanup_(spec_freep) Spec *s = unit_load_one("inline.yaml", spec);
    _cleanup_(xmlFreeDocp) xmlDoc *want = render(s);
    _cleanup_(xmlFreeDocp) xmlDoc *have = xml_parse("<domain type='qemu'><name>c1</name><devices/></domain>");
    Diff d;
    diff_compute(s->kind, want, have, NULL, &d);
    const Change *ch = find_change(&d, "channels[org.example.port]");
    const Change *usb = find_change(&d, "usb[0x1234,0xbeef]");
    if (!ch || !usb)
        dump(&d);
    assert_non_null(ch);
    assert_non_null(usb);
    xmlNode *e = observe_change_item(want, ch);
    assert_non_null(e);
    _cleanup_free_ char *name = xml_get(e, "target/@name");
    assert_string_equal(name, "org.example.port");
    e = observe_change_item(want, usb);
    assert_non_null(e);
    _cleanup_free_ char *vendor = xml_get(e, "source/vendor/@id");
    assert_string_equal(vendor, "0x1234");
    /* not in the live document yet; and a change of no list item has no element */
    assert_null(observe_change_item(have, ch));
    assert_null(observe_change_item(want, &(Change) { .op = OP_SET, .path = (char *) "memory" }));
    diff_clear(&d);
}

/* firmware: {type}: libvirt expands os/@firmware into the loader and NVRAM it selected; a new
 * type drops that selection (libvirt selects again), the type alone is compared. */
static void test_firmware_change_drops_libvirts_selection(void **state) {
    static const char efi[] = "kind: Domain\nname: fw1\nmachine_type: q35\nfirmware: {type: efi}\n";
    static const char bios[] = "kind: Domain\nname: fw1\nmachine_type: q35\nfirmware: {type: bios}\n";
    _cleanup_(spec_freep) Spec *se = unit_load_one("inline.yaml", efi);
    _cleanup_(spec_freep) Spec *sb = unit_load_one("inline.yaml", bios);
    _cleanup_(xmlFreeDocp) xmlDoc *have = render(se);
    _cleanup_(xmlFreeDocp) xmlDoc *want = render(sb);
    xmlNode *root = xmlDocGetRootElement(have);
    xml_set(root, "os/loader", "/usr/share/OVMF/OVMF_CODE_4M.fd");
    xml_set(root, "os/loader/@type", "pflash");
    xml_set(root, "os/nvram", "/var/lib/libvirt/qemu/nvram/fw1_VARS.fd");
    /* what libvirt added for the same type is no change */
    _cleanup_(xmlFreeDocp) xmlDoc *same = render(se);
    _cleanup_free_ char *managed = observe_managed(have);
    Diff d;
    diff_compute(KIND_DOMAIN, same, have, managed, &d);
    if (diff_count_effective(&d) != 0)
        dump(&d);
    assert_int_equal(diff_count_effective(&d), 0);
    diff_clear(&d);
    diff_compute(KIND_DOMAIN, want, have, managed, &d);
    const Change *c = find_change(&d, "firmware.type");
    if (!c || diff_count_effective(&d) != 1)
        dump(&d);
    assert_non_null(c);
    assert_string_equal(c->old_value, "efi");
    assert_string_equal(c->new_value, "bios");
    assert_int_equal(c->cls, CHANGE_CONFIG);
    diff_patch(KIND_DOMAIN, &d, want, have);
    diff_clear(&d);
    _cleanup_free_ char *fw = xml_get(root, "os/@firmware");
    assert_string_equal(fw, "bios");
    assert_null(xml_find(root, "os/loader"));
    assert_null(xml_find(root, "os/nvram"));
    diff_compute(KIND_DOMAIN, want, have, managed, &d);
    assert_int_equal(diff_count_effective(&d), 0);
    diff_clear(&d);
}

static void test_xml_hatch_nth_is_compared(void **state) {
    static const char spec[] = "kind: Domain\nname: h1\ninterfaces:\n"
                               "  - {network: default, mac: '52:54:00:aa:00:01'}\n"
                               "  - {network: default, mac: '52:54:00:aa:00:02'}\n"
                               "xml:\n  set:\n"
                               "    - {path: \"devices/interface[2]/driver/@name\", value: vhost}\n";
    assert_int_equal(drift_of(spec, "<driver name=\"vhost\"/>", "<driver name='vhost'/>"), 0);
    assert_int_equal(drift_of(spec, "<driver name=\"vhost\"/>", "<driver name='qemu'/>"), 1);
}

static void test_xml_path_position_and_child_filter(void **state) {
    _cleanup_(xmlFreeDocp) xmlDoc *d = xml_parse(
        "<domain><devices>"
        "<interface type='network'><mac address='52:54:00:aa:00:01'/><source network='a/b'/></interface>"
        "<disk/>"
        "<interface type='bridge'><mac address='52:54:00:aa:00:02'/></interface>"
        "<interface type='network'><mac address='52:54:00:aa:00:03'/><model>m</model></interface>"
        "</devices></domain>");
    xmlNode *r = xmlDocGetRootElement(d);
    _cleanup_free_ char *a = xml_get(r, "devices/interface[3]/mac/@address");
    assert_string_equal(a, "52:54:00:aa:00:03");   /* 1-based, other elements between */
    _cleanup_free_ char *b = xml_get(r, "devices/interface[1]/mac/@address");
    assert_string_equal(b, "52:54:00:aa:00:01");
    assert_null(xml_find(r, "devices/interface[4]"));
    /* position among those the other predicates select */
    _cleanup_free_ char *c = xml_get(r, "devices/interface[@type='network'][2]/mac/@address");
    assert_string_equal(c, "52:54:00:aa:00:03");
    /* a child's attribute (with '/' inside the quoted value) and a child's text */
    _cleanup_free_ char *t = xml_get(r, "devices/interface[source/@network='a/b']/@type");
    assert_string_equal(t, "network");
    _cleanup_free_ char *m = xml_get(r, "devices/interface[model='m']/mac/@address");
    assert_string_equal(m, "52:54:00:aa:00:03");
    _cleanup_free_ char *f = xml_get(r, "devices/interface[mac/@address='52:54:00:aa:00:02']/@type");
    assert_string_equal(f, "bridge");
    assert_null(xml_find(r, "devices/interface[mac/@address='52:54:00:aa:00:09']"));
    /* set on the n-th: that one only; on one that is not there: nothing is made up */
    xml_set(r, "devices/interface[2]/driver/@name", "vhost");
    _cleanup_free_ char *s2 = xml_get(r, "devices/interface[mac/@address='52:54:00:aa:00:02']/driver/@name");
    assert_string_equal(s2, "vhost");
    assert_null(xml_find(r, "devices/interface[1]/driver"));
    xml_set(r, "devices/interface[7]/driver/@name", "vhost");
    xml_set(r, "devices/interface[mac/@address='x']/driver/@name", "vhost");
    assert_null(xml_find(r, "devices/interface[4]"));
    /* an xml.remove of the n-th removes that one, not every one after it */
    const char *rm[] = { "devices/interface[2]" };
    assert_int_equal(xml_path_selects_one(rm[0]), true);
    render_apply_xml_edits(r, rm, 1, NULL, NULL, 0, NULL, NULL, 0);
    assert_null(xml_find(r, "devices/interface[3]"));
    _cleanup_free_ char *left = xml_get(r, "devices/interface[2]/mac/@address");
    assert_string_equal(left, "52:54:00:aa:00:03");
}

int main(void) {
    spec_trust_relaxed = true;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_sync_with_libvirts_additions),
        cmocka_unit_test(test_change_item_is_diffs_item),
        cmocka_unit_test(test_firmware_change_drops_libvirts_selection),
        cmocka_unit_test(test_reordered_devices_are_no_change),
        cmocka_unit_test(test_units_and_number_forms_are_no_change),
        cmocka_unit_test(test_memory_change_is_live),
        cmocka_unit_test(test_config_changes_and_secrets),
        cmocka_unit_test(test_machine_alias_matches_expansion),
        cmocka_unit_test(test_patch_keeps_addresses_and_uuid),
        cmocka_unit_test(test_bus_change_drops_the_address),
        cmocka_unit_test(test_new_device_name_is_remove_and_add),
        cmocka_unit_test(test_unmanaged_device_is_left_alone),
        cmocka_unit_test(test_removed_key_goes_back_to_default),
        cmocka_unit_test(test_network_dhcp_host_add),
        cmocka_unit_test(test_network_dns_hosts),
        cmocka_unit_test(test_masked_fragment_with_children),
        cmocka_unit_test(test_fragment_libvirt_normalised),
        cmocka_unit_test(test_network_xml_edits),
        cmocka_unit_test(test_pool_xml_edits),
        cmocka_unit_test(test_clock_timers_keyed_by_name),
        cmocka_unit_test(test_new_keys_apply_once),
        cmocka_unit_test(test_hugepage_sizes),
        cmocka_unit_test(test_features_default_is_no_change),
        cmocka_unit_test(test_wwn_prefix_and_case_are_no_change),
        cmocka_unit_test(test_network_domain_local_only),
        cmocka_unit_test(test_guestfwd_channel),
        cmocka_unit_test(test_xml_path_position_and_child_filter),
        cmocka_unit_test(test_xml_hatch_nth_is_compared),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
