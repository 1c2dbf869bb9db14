/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "spec-internal.h"
#include "verify.h"

/* Validation of a Domain: verify_domain runs the sections in a fixed order (the diagnostics keep
 * it); the devices are checked in verify-disks.c, verify-net.c and verify-devices.c. */

/* memorybacking.pages: sizes a power of two, node sets of existing guest NUMA nodes (node 0 alone
 * without numa), no node in two entries' node sets, at most one entry without a node set (the
 * size of every node no node set names). */
static void verify_hugepages(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    const MemoryBackingSpec *mb = spec_box(d, memorybacking);
    const HugePageSpec *pg = mb->pages.items;
    unsigned nodes = d->numa.n > 0 ? (unsigned) d->numa.n : 1;
    if (mb->pages.n > 0 && !value_int(&mb->hugepages))
        ERR(&mb->pages, "memorybacking.pages needs hugepages: true");
    for (size_t i = 0; i < mb->pages.n; i++) {
        if (value_int(&pg[i].size) & (value_int(&pg[i].size) - 1))
            ERR(&pg[i].size, "memorybacking.pages[%zu].size must be a power of two, like 2MiB or "
                "1GiB", i);
        _cleanup_free_ char *c = pg[i].nodeset.set ? cpuset_canonical(pg[i].nodeset.s, 16384) : NULL;
        _cleanup_free_ char *in = pg[i].nodeset.set ? cpuset_canonical(pg[i].nodeset.s, nodes) : NULL;
        if (pg[i].nodeset.set && !c) {
            ERR(&pg[i].nodeset, "'%s' must be a set of guest NUMA nodes like 0 or 1-3",
                pg[i].nodeset.s);
            continue;
        }
        if (pg[i].nodeset.set && !in) {
            if (d->numa.n > 0)
                ERR(&pg[i].nodeset, "memorybacking.pages[%zu].nodeset %s names a guest NUMA node "
                    "that does not exist (nodes are 0..%u)", i, c, nodes - 1);
            else
                ERR(&pg[i].nodeset, "memorybacking.pages[%zu].nodeset %s names a guest NUMA node "
                    "that does not exist (without numa the guest has only node 0)", i, c);
            continue;
        }
        for (size_t j = 0; j < i; j++) {
            _cleanup_free_ char *o = pg[j].nodeset.set ? cpuset_canonical(pg[j].nodeset.s, nodes) : NULL;
            bool overlap = !pg[i].nodeset.set && !pg[j].nodeset.set;
            for (unsigned n = 0; n < nodes && in && o && !overlap; n++)
                overlap = cpuset_has(in, n) && cpuset_has(o, n);
            if (overlap) {
                ERR(pg[i].nodeset.set ? &pg[i].nodeset : &pg[i].size,
                    "memorybacking.pages[%zu] and [%zu] both give the size of the same guest NUMA "
                    "nodes", j, i);
                break;
            }
        }
    }
}

/* A tz database name: parts of letters, digits, '_', '+', '-' separated by '/' (never a path
 * out of the zone directory: no leading '/', no '.' or '..' part). */
static bool valid_timezone(const char *s) {
    for (const char *part = s;;) {
        size_t n = strspn(part, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-");
        if (n == 0 || (part[n] != '/' && part[n]))
            return false;
        if (!part[n])
            return true;
        part += n + 1;
    }
}

/* Memory and vCPU counts, topology, CPU mode. */
static void verify_memory_cpus(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    if (d->max_memory.set && value_int(&d->max_memory) < value_int(&d->memory)) {
        _cleanup_free_ char *mx = format_size(value_int(&d->max_memory)), *mem = format_size(value_int(&d->memory));
        ERR(&d->max_memory, "max_memory (%s) is below memory (%s)", mx, mem);
    }
    if (value_int(&d->memory) % 1024 != 0)
        ERR(&d->memory, "memory must be a whole number of KiB");
    if (d->max_cpus.set && value_int(&d->max_cpus) < value_int(&d->cpus))
        ERR(&d->max_cpus, "max_cpus (%" PRId64 ") is below cpus (%" PRId64 ")", value_int(&d->max_cpus),
            value_int(&d->cpus));
    const CpuTopologySpec *topo = spec_box(d, cputopology);
    if (topo->present.set) {
        int64_t want = d->max_cpus.set ? value_int(&d->max_cpus) : value_int(&d->cpus);
        int64_t got = value_int(&topo->sockets) * value_int(&topo->cores) * value_int(&topo->threads);
        if (got != want)
            ERR(&topo->present,
                "cputopology gives %" PRId64 " CPUs (sockets %" PRId64 " × cores %" PRId64
                " × threads %" PRId64 ") but %s is %" PRId64,
                got, value_int(&topo->sockets), value_int(&topo->cores), value_int(&topo->threads),
                d->max_cpus.set ? "max_cpus" : "cpus", want);
    }
    const CpuSpec *cpu = spec_box(d, cpu);
    if (cpu->present.set) {
        const char *mode = cpu->mode.s;
        if (streq_ptr(mode, "custom") && !cpu->model.set)
            ERR(&cpu->mode, "cpu mode custom needs cpu.model");
        if (cpu->model.set && mode && !streq(mode, "custom"))
            ERR(&cpu->model, "cpu.model only applies to mode custom (mode is %s)", mode);
        if (cpu->model.set && !mode)
            ERR(&cpu->model, "cpu.model needs mode: custom");
        if (cpu->fallback.set && !cpu->model.set)
            ERR(&cpu->fallback, "cpu.fallback needs cpu.model");
    }
}

/* firmware: {type, secure_boot, enrolled_keys, reset_nvram}: what libvirt's selection can match
 * (Secure Boot descriptors are q35-only and need SMM, UEFI needs ACPI on x86) */
static void verify_firmware_intent(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    const FirmwareSpec *fw = spec_box(d, firmware);
    if (!fw->present.set)
        return;
    bool efi = streq(fw->type.s, "efi");
    const struct { const Value *v; const char *key; } only_efi[] = {
        { &fw->secure_boot, "secure_boot" }, { &fw->enrolled_keys, "enrolled_keys" },
        { &fw->reset_nvram, "reset_nvram" },
    };
    for (size_t i = 0; i < ELEMENTSOF(only_efi); i++)
        if (!efi && only_efi[i].v->set && !only_efi[i].v->defaulted)
            ERR(only_efi[i].v, "firmware.%s needs firmware.type efi (got %s)", only_efi[i].key,
                fw->type.s);
    if (!efi)
        return;
    if (fw->enrolled_keys.set && value_int(&fw->enrolled_keys) &&
        !(fw->secure_boot.set && value_int(&fw->secure_boot)))
        ERR(&fw->enrolled_keys, "firmware.enrolled_keys: true needs secure_boot: true (keys "
            "are enrolled for Secure Boot)");
    if (fw->secure_boot.set && value_int(&fw->secure_boot) &&
        !(d->machine_type.set && strstr(d->machine_type.s, "q35")))
        ERR(&fw->secure_boot, "firmware.secure_boot: true needs machine_type q35 (Secure Boot "
            "firmware needs SMM, which only q35 has)");
    const char *arch = d->machine_arch.set ? d->machine_arch.s : "x86_64";
    bool acpi = false;
    for (size_t i = 0; i < d->features.n; i++)
        acpi |= streq(((const Value *) d->features.items)[i].s, "acpi");
    if ((streq(arch, "x86_64") || streq(arch, "i686")) && d->features.line && !acpi)
        ERR(&d->features, "firmware.type efi needs 'acpi' in features (libvirt: UEFI requires "
            "ACPI on x86)");
}

/* Firmware, direct kernel boot, SMBIOS */
static void verify_firmware(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    if (d->nvram.set && !d->loader.set)
        ERR(&d->nvram, "nvram needs loader (the UEFI firmware it belongs to)");
    if (d->nvram_template.set && !d->loader.set)
        ERR(&d->nvram_template, "nvram_template needs loader (the UEFI firmware it belongs to)");
    const struct { const Value *v; const char *key; } need_kernel[] = {
        { &d->initrd, "initrd" }, { &d->cmdline, "cmdline" }, { &d->dtb, "dtb" },
    };
    for (size_t i = 0; i < ELEMENTSOF(need_kernel); i++)
        if (need_kernel[i].v->set && !d->kernel.set)
            ERR(need_kernel[i].v, "%s needs kernel", need_kernel[i].key);
    verify_firmware_intent(s, diags);
    const SysinfoSpec *si = spec_box(d, sysinfo);
    if (si->present.set) {
        const struct { const Value *present; const char *key; } blocks[] = {
            { &si->bios.present, "bios" }, { &si->system.present, "system" },
            { &si->base_board.present, "base_board" }, { &si->chassis.present, "chassis" },
        };
        bool any = si->oem_strings.n > 0;
        for (size_t i = 0; i < ELEMENTSOF(blocks); i++) {
            if (!blocks[i].present->set)
                continue;
            any = true;
            /* the block's entries follow its present flag in the struct */
            bool entries = false;
            for (const Value *e = blocks[i].present + 1;
                 (const char *) e < (const char *) (i + 1 < ELEMENTSOF(blocks) ? blocks[i + 1].present
                                                                               : (const Value *) &si->oem_strings);
                 e++)
                entries = entries || e->set;
            if (!entries)
                ERR(blocks[i].present, "sysinfo.%s has no entries", blocks[i].key);
        }
        if (!any)
            ERR(&si->present, "sysinfo needs at least one of bios, system, base_board, "
                "chassis, oem_strings");
        const Value *date = &si->bios.date, *rel = &si->bios.release;
        if (date->set) {
            unsigned mm, dd, yy;
            int n = 0;
            if (sscanf(date->s, "%2u/%2u/%4u%n", &mm, &dd, &yy, &n) != 3 || date->s[n] ||
                mm < 1 || mm > 12 || dd < 1 || dd > 31 || (yy >= 100 && yy < 1900))
                ERR(date, "sysinfo.bios.date must be mm/dd/yyyy (or mm/dd/yy), got '%s'", date->s);
        }
        if (rel->set) {
            unsigned a, b;
            int n = 0;
            if (sscanf(rel->s, "%3u.%3u%n", &a, &b, &n) != 2 || rel->s[n] || a > 255 || b > 255)
                ERR(rel, "sysinfo.bios.release must be major.minor like 1.2, got '%s'", rel->s);
        }
        const Value *su = &si->system.uuid;
        if (su->set && d->uuid.set && !streq(su->s, d->uuid.s))
            ERR(su, "sysinfo.system.uuid differs from the domain's uuid (libvirt refuses that)");
    }
}

/* Hypervisor features */
static void verify_features(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    const char *arch = d->machine_arch.set ? d->machine_arch.s : "x86_64";
    bool x86 = streq(arch, "x86_64") || streq(arch, "i686");
    bool arm = streq(arch, "aarch64") || streq(arch, "armv7l");
    const Value *fe = d->features.items;
    for (size_t i = 0; i < d->features.n; i++) {
        static const char *const x86_only[] = { "apic", "pae", "hap", "viridian", "pvspinlock", "smm" };
        for (size_t j = 0; j < i; j++)
            if (streq(fe[i].s, fe[j].s)) {
                ERR(&fe[i], "feature '%s' is listed twice", fe[i].s);
                break;   /* once per entry, however often it repeats */
            }
        for (size_t j = 0; j < ELEMENTSOF(x86_only); j++)
            if (!x86 && streq(fe[i].s, x86_only[j]))
                ERR(&fe[i], "feature '%s' is for x86 guests (machine_arch is %s)", fe[i].s, arch);
        if (!arm && streq(fe[i].s, "gic"))
            ERR(&fe[i], "feature 'gic' is for ARM guests (machine_arch is %s)", arch);
    }
    const HypervSpec *hv = d->hyperv.items;
    if (d->hyperv.n > 0 && !x86)
        ERR(&hv[0].name, "hyperv enlightenments are for x86 guests (machine_arch is %s)", arch);
    for (size_t i = 0; i < d->hyperv.n; i++) {
        const HypervSpec *h = &hv[i];
        bool spin = streq(h->name.s, "spinlocks"), vendor = streq(h->name.s, "vendor_id");
        for (size_t j = 0; j < i; j++)
            if (streq(h->name.s, hv[j].name.s)) {
                ERR(&h->name, "hyperv '%s' is listed twice", h->name.s);
                break;
            }
        if (h->retries.set && !spin)
            ERR(&h->retries, "hyperv retries only applies to spinlocks");
        if (spin && value_int(&h->state) && !h->retries.set)
            ERR(&h->name, "hyperv spinlocks on needs retries (at least 4095)");
        if (h->value.set && !vendor)
            ERR(&h->value, "hyperv value only applies to vendor_id");
        if (vendor && value_int(&h->state) && !h->value.set)
            ERR(&h->name, "hyperv vendor_id on needs value (up to 12 characters)");
        if (h->value.set && strchr(h->value.s, ','))
            ERR(&h->value, "hyperv vendor_id value cannot contain ','");
    }
}

/* CPU features, NUMA, tuning */
static void verify_cpu_features(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    const CpuSpec *cpu = spec_box(d, cpu);
    const CpuFeatureSpec *cf = cpu->features.items;
    for (size_t i = 0; i < cpu->features.n; i++) {
        const char *n = cf[i].name.s;
        bool ok = *n != 0;
        for (const char *p = n; *p && ok; p++)
            ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("_.-", *p);
        if (!ok)
            ERR(&cf[i].name, "cpu feature name '%s' must be lower-case letters, digits, '_', '.' "
                "and '-'", n);
        if (streq(n, "vmx") || streq(n, "svm"))
            ERR(&cf[i].name, "cpu feature '%s' belongs to nested: true", n);
        for (size_t j = 0; j < i; j++)
            if (streq(n, cf[j].name.s)) {
                ERR(&cf[i].name, "cpu feature '%s' is listed twice", n);
                break;
            }
    }
    if (cpu->features.n > 0 && !cpu->mode.set)
        ERR(&cf[0].name, "cpu.features need cpu.mode (libvirt needs a model to add features to)");
}

/* Guest NUMA nodes: every vCPU in one node, the memory adds up. */
static void verify_numa(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    int64_t vcpus = d->max_cpus.set ? value_int(&d->max_cpus) : value_int(&d->cpus);
    const NumaCellSpec *cells = d->numa.items;
    if (d->numa.n > 0) {
        unsigned char *seen = xmalloc0((size_t) vcpus / 8 + 1);
        int64_t mem = 0;
        bool bad = false;
        for (size_t i = 0; i < d->numa.n; i++) {
            _cleanup_free_ char *c = cpuset_canonical(cells[i].cpus.s, (unsigned) vcpus);
            mem += value_int(&cells[i].memory);
            if (value_int(&cells[i].memory) % 1024)
                ERR(&cells[i].memory, "numa memory must be a whole number of KiB");
            if (!c) {
                ERR(&cells[i].cpus, "numa cpus '%s' must be vCPU numbers below %" PRId64
                    " like 0-1 or 0,2", cells[i].cpus.s, vcpus);
                bad = true;
                continue;
            }
            /* membership from the bitmap, not cpuset_has(): that rescans the text per id */
            _cleanup_free_ unsigned char *bits = xmalloc0((size_t) vcpus / 8 + 1);
            bool twice = false;
            cpuset_bits(cells[i].cpus.s, (unsigned) vcpus, bits);
            for (unsigned id = 0; id < (unsigned) vcpus; id++) {
                if (!(bits[id / 8] & (1u << (id % 8))))
                    continue;
                if (!twice && (seen[id / 8] & (1u << (id % 8)))) {
                    ERR(&cells[i].cpus, "numa vCPU %u is in two nodes", id);
                    twice = true;   /* once per node */
                }
                seen[id / 8] |= (unsigned char) (1u << (id % 8));
            }
        }
        for (unsigned id = 0; id < (unsigned) vcpus && !bad; id++)
            if (!(seen[id / 8] & (1u << (id % 8)))) {
                ERR(&d->numa, "numa nodes must cover every vCPU 0..%" PRId64 "; %u is in none",
                    vcpus - 1, id);
                break;
            }
        free(seen);
        const Value *want = d->max_memory.set ? &d->max_memory : &d->memory;
        int64_t devs = hatch_memory_devices(&d->xml);   /* libvirt's <memory> counts them too */
        mem += devs;
        if (mem != value_int(want)) {
            _cleanup_free_ char *a = format_size(mem), *b = format_size(value_int(want));
            ERR(&d->numa, "numa nodes %sadd up to %s of memory but %s is %s",
                devs ? "and the memory devices of xml.add " : "", a,
                d->max_memory.set ? "max_memory" : "memory", b);
        }
    }
}

/* Host CPU and node sets, huge pages, vCPU pinning, memory limits. */
static void verify_tuning(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    int64_t vcpus = d->max_cpus.set ? value_int(&d->max_cpus) : value_int(&d->cpus);
    const Value *sets[] = { &d->cpuset, &spec_box(d, numatune)->nodeset };
    for (size_t i = 0; i < ELEMENTSOF(sets); i++) {
        _cleanup_free_ char *c = sets[i]->set ? cpuset_canonical(sets[i]->s, 16384) : NULL;
        if (sets[i]->set && !c)
            ERR(sets[i], "'%s' must be a set of host %s like 0-3,8 or ^2", sets[i]->s,
                i == 0 ? "CPUs" : "NUMA nodes");
    }
    verify_hugepages(s, diags);
    const VcpuPinSpec *pins = spec_box(d, cputune)->vcpupin.items;
    for (size_t i = 0; i < spec_box(d, cputune)->vcpupin.n; i++) {
        _cleanup_free_ char *c = cpuset_canonical(pins[i].cpuset.s, 16384);
        if (!c)
            ERR(&pins[i].cpuset, "'%s' must be a set of host CPUs like 0-3,8 or ^2", pins[i].cpuset.s);
        if (value_int(&pins[i].vcpu) >= vcpus)
            ERR(&pins[i].vcpu, "cputune.vcpupin vcpu %" PRId64 " does not exist (vCPUs are 0..%"
                PRId64 ")", value_int(&pins[i].vcpu), vcpus - 1);
        for (size_t j = 0; j < i; j++)
            if (value_int(&pins[i].vcpu) == value_int(&pins[j].vcpu)) {
                ERR(&pins[i].vcpu, "vcpu %" PRId64 " is pinned twice", value_int(&pins[i].vcpu));
                break;
            }
    }
    const MemtuneSpec *mt = spec_box(d, memtune);
    const Value *lims[] = { &mt->hard_limit, &mt->soft_limit, &mt->swap_hard_limit };
    for (size_t i = 0; i < ELEMENTSOF(lims); i++)
        if (lims[i]->set && value_int(lims[i]) % 1024)
            ERR(lims[i], "memtune limits must be a whole number of KiB");
    if (mt->hard_limit.set && mt->swap_hard_limit.set &&
        value_int(&mt->swap_hard_limit) < value_int(&mt->hard_limit))
        ERR(&mt->swap_hard_limit, "memtune.swap_hard_limit is below hard_limit");
    if (mt->hard_limit.set && mt->soft_limit.set &&
        value_int(&mt->soft_limit) > value_int(&mt->hard_limit))
        ERR(&mt->soft_limit, "memtune.soft_limit is above hard_limit");
}

/* Clock */
static void verify_clock(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    const ClockSpec *ck = spec_box(d, clock);
    if (ck->present.set) {
        const char *off = ck->offset.s;
        const struct { const Value *v; const char *key, *offset; } only[] = {
            { &ck->basis, "basis", "variable" }, { &ck->adjustment, "adjustment", "variable" },
            { &ck->timezone, "timezone", "timezone" }, { &ck->start, "start", "absolute" },
        };
        for (size_t i = 0; i < ELEMENTSOF(only); i++)
            if (only[i].v->set && !streq(off, only[i].offset))
                ERR(only[i].v, "clock.%s only applies to offset %s (offset is %s)", only[i].key,
                    only[i].offset, off);
        if (ck->timezone.set && !valid_timezone(ck->timezone.s))
            ERR(&ck->timezone, "clock.timezone must be a zone name like Europe/Berlin or "
                "Etc/GMT+1 (no leading '/', no '.' or '..' parts), got '%s'", ck->timezone.s);
        if (streq(off, "timezone") && !ck->timezone.set)
            ERR(&ck->offset, "clock offset timezone needs clock.timezone");
        if (streq(off, "absolute") && !ck->start.set)
            ERR(&ck->offset, "clock offset absolute needs clock.start");
        const TimerSpec *tm = ck->timers.items;
        for (size_t i = 0; i < ck->timers.n; i++) {
            const TimerSpec *t = &tm[i];
            bool tsc = streq(t->name.s, "tsc");
            for (size_t j = 0; j < i; j++)
                if (streq(t->name.s, tm[j].name.s)) {
                    ERR(&t->name, "clock timer '%s' is listed twice", t->name.s);
                    break;
                }
            if (t->track.set && !streq(t->name.s, "rtc") && !streq(t->name.s, "platform"))
                ERR(&t->track, "clock timer track only applies to rtc and platform");
            if (t->frequency.set && !tsc)
                ERR(&t->frequency, "clock timer frequency only applies to tsc");
            if (t->mode.set && !tsc)
                ERR(&t->mode, "clock timer mode only applies to tsc");
            if (t->tickpolicy.set && (tsc || streq(t->name.s, "kvmclock") ||
                                      streq(t->name.s, "hypervclock") || streq(t->name.s, "armvtimer")))
                ERR(&t->tickpolicy, "clock timer %s has no tickpolicy", t->name.s);
        }
    }
}

/* Boot order: the domain-level list and per-device orders exclude each other */
static void verify_boot_order(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    const DiskSpec *disks = d->disks.items;
    const IfaceSpec *ifs = d->interfaces.items;
    const Value *dev_boot = NULL;
    for (size_t i = 0; i < d->disks.n && !dev_boot; i++)
        if (disks[i].boot.set)
            dev_boot = &disks[i].boot;
    for (size_t i = 0; i < d->interfaces.n && !dev_boot; i++)
        if (ifs[i].boot.set)
            dev_boot = &ifs[i].boot;
    if (dev_boot && d->boot.n > 0)
        ERR(dev_boot, "per-device boot orders cannot be combined with the domain's boot list");
    const Value *bl = d->boot.items;
    for (size_t i = 0; i < d->boot.n; i++)
        for (size_t j = 0; j < i; j++)
            if (streq(bl[i].s, bl[j].s)) {
                ERR(&bl[i], "boot device '%s' is listed twice", bl[i].s);
                break;
            }
}

/* snapshots: keep only with before_reload; before_reload only where virtspec can take the
 * snapshot (every disk qcow2: internal, or external plus an NVRAM copy with pflash;
 * docs/snapshots.md). */
static void verify_snapshots(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    const SnapshotsSpec *snap = spec_box(d, snapshots);
    if (snap->keep.set && !value_int(&snap->before_reload))
        ERR(&snap->keep, "snapshots.keep needs before_reload: true (it prunes the snapshots "
            "taken before restarts)");
    if (!value_int(&snap->before_reload))
        return;
    bool pflash = d->loader.set || d->nvram.set ||
                  (spec_box(d, firmware)->type.set && streq(spec_box(d, firmware)->type.s, "efi"));
    const DiskSpec *disks = d->disks.items;
    for (size_t i = 0; i < d->disks.n; i++)
        if (!streq(disks[i].format.s, "qcow2"))
            ERR(&disks[i].format, "snapshots.before_reload: disk %s is %s: %s snapshots need every "
                "disk in qcow2", strna(disks[i].name.s), disks[i].format.s,
                pflash ? "external (UEFI)" : "internal");
}

void verify_domain(const Spec *s, DiagList *diags) {
    verify_memory_cpus(s, diags);
    verify_firmware(s, diags);
    verify_features(s, diags);
    verify_cpu_features(s, diags);
    verify_numa(s, diags);
    verify_tuning(s, diags);
    verify_clock(s, diags);
    verify_cloud_init(s, diags);
    verify_cdrom_volumes(s, diags);
    verify_graphics(s, diags);
    verify_video_tpm(s, diags);
    verify_disks(s, diags);
    verify_dev_names(s, diags);
    verify_interfaces(s, diags);
    verify_channels(s, diags);
    verify_serials(s, diags);
    verify_controllers(s, diags);
    verify_redirection(s, diags);
    verify_passthrough(s, diags);
    verify_filesystems(s, diags);
    verify_boot_order(s, diags);
    verify_snapshots(s, diags);
}
