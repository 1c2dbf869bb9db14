/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <strings.h>

#include "spec-internal.h"
#include "verify.h"

/* Validation of a Domain, section by section. */

/* Standard base64: groups of four characters, '=' padding only at the end. */
static bool valid_base64(const char *s) {
    size_t n = strlen(s), pad = 0;
    if (n == 0 || n % 4)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '=') {
            pad++;
            continue;
        }
        if (pad || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '+' || c == '/'))
            return false;
    }
    return pad <= 2;
}

/* "0x" and 1..digits hexadecimal digits. */
static bool valid_hex(const char *s, size_t digits) {
    size_t n = 0;
    if (strncmp(s, "0x", 2) != 0)
        return false;
    for (const char *p = s + 2; *p; p++, n++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')))
            return false;
    return n >= 1 && n <= digits;
}

static bool valid_pci_address(const char *s) {
    /* DDDD:BB:SS.F or BB:SS.F, hexadecimal, slot <= 0x1f, function <= 7 */
    size_t l = strlen(s);
    const char *p = l == 12 ? s + 5 : s;
    if ((l != 12 && l != 7) || (l == 12 && s[4] != ':') || p[2] != ':' || p[5] != '.')
        return false;
    for (size_t i = 0; i < l; i++)
        if (s[i] != ':' && s[i] != '.' && !isxdigit((unsigned char) s[i]))
            return false;
    return strtoul(p + 3, NULL, 16) <= 0x1f && strtoul(p + 6, NULL, 16) <= 7;
}

/* memorybacking.pages: sizes a power of two, node sets of existing guest NUMA nodes (node 0 alone
 * without numa), no node in two entries' node sets, at most one entry without a node set (the
 * size of every node no node set names). */
static void verify_hugepages(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    const HugePageSpec *pg = d->memorybacking.pages.items;
    unsigned nodes = d->numa.n > 0 ? (unsigned) d->numa.n : 1;
    if (d->memorybacking.pages.n > 0 && !d->memorybacking.hugepages.i)
        ERR(&d->memorybacking.pages, "memorybacking.pages needs hugepages: true");
    for (size_t i = 0; i < d->memorybacking.pages.n; i++) {
        if (pg[i].size.i & (pg[i].size.i - 1))
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
/* qemu's keymap names: "en-us", "de", "fr-ch", "bepo" (letters, one optional dash part). */
static bool valid_keymap(const char *s) {
    size_t a = strspn(s, "abcdefghijklmnopqrstuvwxyz");
    if (a < 2 || a > 4)
        return false;
    if (!s[a])
        return true;
    size_t b = strspn(s + a + 1, "abcdefghijklmnopqrstuvwxyz");
    return s[a] == '-' && b >= 2 && b <= 4 && !s[a + 1 + b];
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

void verify_domain(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;

    if (d->max_memory.set && d->max_memory.i < d->memory.i) {
        _cleanup_free_ char *mx = format_size(d->max_memory.i), *mem = format_size(d->memory.i);
        ERR(&d->max_memory, "max_memory (%s) is below memory (%s)", mx, mem);
    }
    if (d->memory.i % 1024 != 0)
        ERR(&d->memory, "memory must be a whole number of KiB");
    if (d->max_cpus.set && d->max_cpus.i < d->cpus.i)
        ERR(&d->max_cpus, "max_cpus (%" PRId64 ") is below cpus (%" PRId64 ")", d->max_cpus.i,
            d->cpus.i);
    if (d->cputopology.present.set) {
        int64_t want = d->max_cpus.set ? d->max_cpus.i : d->cpus.i;
        int64_t got = d->cputopology.sockets.i * d->cputopology.cores.i * d->cputopology.threads.i;
        if (got != want)
            ERR(&d->cputopology.present,
                "cputopology gives %" PRId64 " CPUs (sockets %" PRId64 " × cores %" PRId64
                " × threads %" PRId64 ") but %s is %" PRId64,
                got, d->cputopology.sockets.i, d->cputopology.cores.i, d->cputopology.threads.i,
                d->max_cpus.set ? "max_cpus" : "cpus", want);
    }
    if (d->cpu.present.set) {
        const char *mode = d->cpu.mode.s;
        if (streq_ptr(mode, "custom") && !d->cpu.model.set)
            ERR(&d->cpu.mode, "cpu mode custom needs cpu.model");
        if (d->cpu.model.set && mode && !streq(mode, "custom"))
            ERR(&d->cpu.model, "cpu.model only applies to mode custom (mode is %s)", mode);
        if (d->cpu.model.set && !mode)
            ERR(&d->cpu.model, "cpu.model needs mode: custom");
        if (d->cpu.fallback.set && !d->cpu.model.set)
            ERR(&d->cpu.fallback, "cpu.fallback needs cpu.model");
    }

    /* firmware, direct kernel boot, SMBIOS */
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
    if (d->sysinfo.present.set) {
        const struct { const Value *present; const char *key; } blocks[] = {
            { &d->sysinfo.bios.present, "bios" }, { &d->sysinfo.system.present, "system" },
            { &d->sysinfo.base_board.present, "base_board" }, { &d->sysinfo.chassis.present, "chassis" },
        };
        bool any = d->sysinfo.oem_strings.n > 0;
        for (size_t i = 0; i < ELEMENTSOF(blocks); i++) {
            if (!blocks[i].present->set)
                continue;
            any = true;
            /* the block's entries follow its present flag in the struct */
            bool entries = false;
            for (const Value *e = blocks[i].present + 1;
                 (const char *) e < (const char *) (i + 1 < ELEMENTSOF(blocks) ? blocks[i + 1].present
                                                                               : (const Value *) &d->sysinfo.oem_strings);
                 e++)
                entries = entries || e->set;
            if (!entries)
                ERR(blocks[i].present, "sysinfo.%s has no entries", blocks[i].key);
        }
        if (!any)
            ERR(&d->sysinfo.present, "sysinfo needs at least one of bios, system, base_board, "
                "chassis, oem_strings");
        const Value *date = &d->sysinfo.bios.date, *rel = &d->sysinfo.bios.release;
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
        const Value *su = &d->sysinfo.system.uuid;
        if (su->set && d->uuid.set && !streq(su->s, d->uuid.s))
            ERR(su, "sysinfo.system.uuid differs from the domain's uuid (libvirt refuses that)");
    }

    /* hypervisor features */
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
        if (spin && h->state.i && !h->retries.set)
            ERR(&h->name, "hyperv spinlocks on needs retries (at least 4095)");
        if (h->value.set && !vendor)
            ERR(&h->value, "hyperv value only applies to vendor_id");
        if (vendor && h->state.i && !h->value.set)
            ERR(&h->name, "hyperv vendor_id on needs value (up to 12 characters)");
        if (h->value.set && strchr(h->value.s, ','))
            ERR(&h->value, "hyperv vendor_id value cannot contain ','");
    }

    /* CPU features, NUMA, tuning */
    const CpuFeatureSpec *cf = d->cpu.features.items;
    for (size_t i = 0; i < d->cpu.features.n; i++) {
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
    if (d->cpu.features.n > 0 && !d->cpu.mode.set)
        ERR(&cf[0].name, "cpu.features need cpu.mode (libvirt needs a model to add features to)");
    int64_t vcpus = d->max_cpus.set ? d->max_cpus.i : d->cpus.i;
    const NumaCellSpec *cells = d->numa.items;
    if (d->numa.n > 0) {
        unsigned char *seen = xmalloc0((size_t) vcpus / 8 + 1);
        int64_t mem = 0;
        bool bad = false;
        for (size_t i = 0; i < d->numa.n; i++) {
            _cleanup_free_ char *c = cpuset_canonical(cells[i].cpus.s, (unsigned) vcpus);
            mem += cells[i].memory.i;
            if (cells[i].memory.i % 1024)
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
        if (mem != want->i) {
            _cleanup_free_ char *a = format_size(mem), *b = format_size(want->i);
            ERR(&d->numa, "numa nodes %sadd up to %s of memory but %s is %s",
                devs ? "and the memory devices of xml.add " : "", a,
                d->max_memory.set ? "max_memory" : "memory", b);
        }
    }
    const Value *sets[] = { &d->cpuset, &d->numatune.nodeset };
    for (size_t i = 0; i < ELEMENTSOF(sets); i++) {
        _cleanup_free_ char *c = sets[i]->set ? cpuset_canonical(sets[i]->s, 16384) : NULL;
        if (sets[i]->set && !c)
            ERR(sets[i], "'%s' must be a set of host %s like 0-3,8 or ^2", sets[i]->s,
                i == 0 ? "CPUs" : "NUMA nodes");
    }
    verify_hugepages(s, diags);
    const VcpuPinSpec *pins = d->cputune.vcpupin.items;
    for (size_t i = 0; i < d->cputune.vcpupin.n; i++) {
        _cleanup_free_ char *c = cpuset_canonical(pins[i].cpuset.s, 16384);
        if (!c)
            ERR(&pins[i].cpuset, "'%s' must be a set of host CPUs like 0-3,8 or ^2", pins[i].cpuset.s);
        if (pins[i].vcpu.i >= vcpus)
            ERR(&pins[i].vcpu, "cputune.vcpupin vcpu %" PRId64 " does not exist (vCPUs are 0..%"
                PRId64 ")", pins[i].vcpu.i, vcpus - 1);
        for (size_t j = 0; j < i; j++)
            if (pins[i].vcpu.i == pins[j].vcpu.i) {
                ERR(&pins[i].vcpu, "vcpu %" PRId64 " is pinned twice", pins[i].vcpu.i);
                break;
            }
    }
    const Value *lims[] = { &d->memtune.hard_limit, &d->memtune.soft_limit, &d->memtune.swap_hard_limit };
    for (size_t i = 0; i < ELEMENTSOF(lims); i++)
        if (lims[i]->set && lims[i]->i % 1024)
            ERR(lims[i], "memtune limits must be a whole number of KiB");
    if (d->memtune.hard_limit.set && d->memtune.swap_hard_limit.set &&
        d->memtune.swap_hard_limit.i < d->memtune.hard_limit.i)
        ERR(&d->memtune.swap_hard_limit, "memtune.swap_hard_limit is below hard_limit");
    if (d->memtune.hard_limit.set && d->memtune.soft_limit.set &&
        d->memtune.soft_limit.i > d->memtune.hard_limit.i)
        ERR(&d->memtune.soft_limit, "memtune.soft_limit is above hard_limit");

    /* clock */
    if (d->clock.present.set) {
        const char *off = d->clock.offset.s;
        const struct { const Value *v; const char *key, *offset; } only[] = {
            { &d->clock.basis, "basis", "variable" }, { &d->clock.adjustment, "adjustment", "variable" },
            { &d->clock.timezone, "timezone", "timezone" }, { &d->clock.start, "start", "absolute" },
        };
        for (size_t i = 0; i < ELEMENTSOF(only); i++)
            if (only[i].v->set && !streq(off, only[i].offset))
                ERR(only[i].v, "clock.%s only applies to offset %s (offset is %s)", only[i].key,
                    only[i].offset, off);
        if (d->clock.timezone.set && !valid_timezone(d->clock.timezone.s))
            ERR(&d->clock.timezone, "clock.timezone must be a zone name like Europe/Berlin or "
                "Etc/GMT+1 (no leading '/', no '.' or '..' parts), got '%s'", d->clock.timezone.s);
        if (streq(off, "timezone") && !d->clock.timezone.set)
            ERR(&d->clock.offset, "clock offset timezone needs clock.timezone");
        if (streq(off, "absolute") && !d->clock.start.set)
            ERR(&d->clock.offset, "clock offset absolute needs clock.start");
        const TimerSpec *tm = d->clock.timers.items;
        for (size_t i = 0; i < d->clock.timers.n; i++) {
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

    verify_cloud_init(s, diags);
    verify_cdrom_volumes(s, diags);

    /* graphics */
    const char *gt = d->graphics.type.s;
    if (streq(gt, "none")) {
        const Value *extra[] = { &d->graphics.port, &d->graphics.autoport, &d->graphics.passwd,
                                 &d->graphics.passwd_file };
        for (size_t i = 0; i < ELEMENTSOF(extra); i++)
            if (extra[i]->set && !extra[i]->defaulted)
                ERR(extra[i], "graphics type none takes no other graphics keys");
    }
    if (d->graphics.port.set && d->graphics.autoport.set && d->graphics.autoport.i)
        ERR(&d->graphics.autoport, "graphics.port conflicts with autoport: true");
    if (d->graphics.autoport.set && !d->graphics.autoport.i && !d->graphics.port.set)
        ERR(&d->graphics.autoport, "graphics.autoport: false needs graphics.port");
    if (d->graphics.passwd.set && d->graphics.passwd_file.set)
        ERR(&d->graphics.passwd_file, "give graphics.passwd or graphics.passwd_file, not both");
    if ((d->graphics.passwd.set || d->graphics.passwd_file.set) && streq(gt, "sdl"))
        ERR(explicit_of(&d->graphics.passwd, &d->graphics.passwd_file),
            "graphics type sdl has no password");
    if (d->graphics.passwd.set && streq(gt, "vnc") && strlen(d->graphics.passwd.s) > 8)
        ERR(&d->graphics.passwd, "a vnc password is at most 8 characters (qemu ignores the rest)");
    if (d->graphics.keymap.set && !valid_keymap(d->graphics.keymap.s))
        ERR(&d->graphics.keymap, "graphics.keymap must be a keymap name like en-us, de or "
            "fr-ch, got '%s'", d->graphics.keymap.s);
    if (d->graphics.port.set && streq(gt, "sdl"))
        ERR(&d->graphics.port, "graphics type sdl has no port");
    if (streq(gt, "sdl")) {
        /* libvirt's <graphics type='sdl'> has none of these attributes */
        const struct { const Value *v; const char *key; } no_sdl[] = {
            { &d->graphics.autoport, "autoport" }, { &d->graphics.listen, "listen" },
            { &d->graphics.keymap, "keymap" },
        };
        for (size_t i = 0; i < ELEMENTSOF(no_sdl); i++)
            if (no_sdl[i].v->set && !no_sdl[i].v->defaulted)
                ERR(no_sdl[i].v, "graphics type sdl has no %s", no_sdl[i].key);
    }

    /* video */
    if (d->video.vram.set) {
        static const char *const with_vram[] = { "qxl", "vga", "cirrus", "vmvga", "bochs" };
        bool ok = false;
        for (size_t i = 0; i < ELEMENTSOF(with_vram); i++)
            ok = ok || streq(d->video.type.s, with_vram[i]);
        if (!ok)
            ERR(&d->video.vram, "video.vram applies to qxl, vga, cirrus, vmvga and bochs, not %s",
                d->video.type.s);
    }

    /* tpm */
    if (d->tpm.present.set) {
        bool pass = streq(d->tpm.type.s, "passthrough");
        if (pass && !d->tpm.path.set)
            ERR(&d->tpm.type, "tpm type passthrough needs tpm.path (the host TPM device)");
        if (!pass && d->tpm.path.set)
            ERR(&d->tpm.path, "tpm.path only applies to type passthrough");
        if (pass && d->tpm.version.set)
            ERR(&d->tpm.version, "tpm.version only applies to type emulator");
    }

    /* disks and cdroms: unique names, devices, boot orders */
    const DiskSpec *disks = d->disks.items;
    const CdromSpec *cds = d->cdroms.items;
    for (size_t i = 0; i < d->disks.n; i++) {
        const DiskSpec *a = &disks[i];
        bool dup_name = false, dup_dev = false;
        for (size_t j = 0; j < i; j++) {
            if (!dup_name && streq(a->name.s, disks[j].name.s)) {
                ERR(&a->name, "disk name '%s' is used twice (also at %u:%u)", a->name.s,
                    disks[j].name.line, disks[j].name.col);
                dup_name = true;
            }
            if (!dup_dev && a->dev.set && disks[j].dev.set && streq(a->dev.s, disks[j].dev.s)) {
                ERR(&a->dev, "guest device '%s' is used twice", a->dev.s);
                dup_dev = true;
            }
        }
        if (a->path.set && !a->pool.defaulted)
            ERR(&a->path, "a disk takes pool or path, not both");
        if (a->path.set && (a->image.set || a->existing.i))
            ERR(&a->path, "a disk with a host path cannot have image or existing");
        if (a->image.set && a->existing.i)
            ERR(&a->image, "a disk takes image or existing, not both");
        if (a->volume.set && (a->image.set || a->path.set || a->size.line))
            ERR(&a->volume, "disks[%zu].volume attaches an existing volume as it is: not with %s", i,
                a->image.set ? "image" : a->path.set ? "path" : "size");
        if (a->image.set && streq(a->format.s, "raw"))
            ERR(&a->format, "a disk on a base image is a qcow2 overlay; format raw is not possible");
        if (a->dev.set) {
            static const struct { const char *bus, *prefix; } pre[] = {
                { "virtio", "vd" }, { "scsi", "sd" }, { "sata", "sd" }, { "usb", "sd" }, { "ide", "hd" },
            };
            /* libvirt accepts any of its prefixes on any bus (a vdc on sata: exported domains
             * have them), and the guest names the disk by its bus anyway: a warning */
            for (size_t p = 0; p < ELEMENTSOF(pre); p++)
                if (streq(a->bus.s, pre[p].bus) && strncmp(a->dev.s, pre[p].prefix, 2) != 0)
                    diag_add(diags, DIAG_WARNING, s->file, a->dev.line, a->dev.col,
                             "device '%s' does not fit bus %s (the guest sees a %s… disk)",
                             a->dev.s, a->bus.s, pre[p].prefix);
        }
        /* libvirt's qemu driver: "Only ide and scsi disk support wwn" (sata included) */
        if (a->wwn.set && !streq(a->bus.s, "scsi") && !streq(a->bus.s, "ide"))
            ERR(&a->wwn, "disks[%zu].wwn needs bus scsi or ide (libvirt gives only those a wwn), "
                "not %s", i, a->bus.s);
        if (a->shareable.i && a->cache.set && !streq(a->cache.s, "none"))
            ERR(&a->cache, "a shareable disk needs cache: none");
        /* libvirt refuses concurrent access to anything but raw ("requires use of supported
         * storage format") */
        if (a->shareable.i && !streq(a->format.s, "raw"))
            ERR(&a->shareable, "disks[%zu]: a shareable disk needs format: raw, not %s", i,
                a->format.s);
        for (size_t j = 0; j < d->cdroms.n; j++)
            if (a->dev.set && cds[j].dev.set && streq(a->dev.s, cds[j].dev.s)) {
                ERR(&cds[j].dev, "guest device '%s' is used by a disk and a cdrom", a->dev.s);
                break;
            }
    }
    for (size_t i = 0; i < d->cdroms.n; i++)
        for (size_t j = 0; j < i; j++)
            if (cds[i].dev.set && cds[j].dev.set && streq(cds[i].dev.s, cds[j].dev.s)) {
                ERR(&cds[i].dev, "guest device '%s' is used twice", cds[i].dev.s);
                break;
            }

    /* automatic device names end at vdzz, sdzz, hdzz (26 + 26 × 26 per prefix; resolve leaves
     * the rest without a name): beyond that, devices need an explicit dev */
    static const char *const dev_prefixes[] = { "vd", "sd", "hd" };
    bool q35_machine = d->machine_type.set && strstr(d->machine_type.s, "q35");
    for (size_t p = 0; p < ELEMENTSOF(dev_prefixes); p++) {
        size_t used = streq(dev_prefixes[p], "hd") && !q35_machine ? 2 : 0;   /* hda, hdb */
        const Value *first_auto = NULL;   /* a disk's name, else the cdroms list */
        bool cd_auto = false;
        for (size_t i = 0; i < d->disks.n + d->cdroms.n; i++) {
            const Value *dev = i < d->disks.n ? &disks[i].dev : &cds[i - d->disks.n].dev;
            const char *bus = i < d->disks.n ? disks[i].bus.s
                              : cds[i - d->disks.n].bus.set ? cds[i - d->disks.n].bus.s
                              : q35_machine ? "sata" : "ide";
            const char *pre = dev->set ? dev->s : streq(bus, "virtio") ? "vd"
                                                 : streq(bus, "ide") ? "hd" : "sd";
            if (strncmp(pre, dev_prefixes[p], 2) != 0)
                continue;
            used++;
            if (!dev->set && i < d->disks.n && !first_auto)
                first_auto = &disks[i].name;
            cd_auto = cd_auto || (!dev->set && i >= d->disks.n);
        }
        if ((first_auto || cd_auto) && used > 26 + 26 * 26) {
            if (first_auto)
                ERR(first_auto, "more than %d %s… devices: automatic names end at %szz; give "
                    "the others an explicit dev", 26 + 26 * 26, dev_prefixes[p], dev_prefixes[p]);
            else
                ERR(&d->cdroms, "more than %d %s… devices: automatic names end at %szz; give "
                    "the others an explicit dev", 26 + 26 * 26, dev_prefixes[p], dev_prefixes[p]);
        }
    }

    /* interfaces */
    const IfaceSpec *ifs = d->interfaces.items;
    for (size_t i = 0; i < d->interfaces.n; i++) {
        const IfaceSpec *f = &ifs[i];
        const char *t = f->type.s;
        const struct { const Value *v; const char *key, *type; } only[] = {
            { &f->network, "network", "network" }, { &f->portgroup, "portgroup", "network" },
            { &f->bridge, "bridge", "bridge" }, { &f->dev, "dev", "direct" },
            { &f->mode, "mode", "direct" }, { &f->trust_guest_rx_filters, "trust_guest_rx_filters", "direct" },
        };
        for (size_t k = 0; k < ELEMENTSOF(only); k++)
            if (only[k].v->set && !streq(t, only[k].type))
                ERR(only[k].v, "interfaces[%zu].%s only applies to type %s (type is %s)", i,
                    only[k].key, only[k].type, t);
        verify_iface_ip(s, ifs, i, diags);
        if (streq(t, "network") && !f->network.set && !f->ip.set) {
            /* type network is the default: then point at the entry, not the document */
            Pos p = f->type.defaulted ? item_pos(f, sizeof(*f), &d->interfaces)
                                      : (Pos) { f->type.line, f->type.col };
            ERR(&p, "interfaces[%zu] of type network needs 'network'", i);
        }
        if (streq(t, "bridge") && !f->bridge.set)
            ERR(&f->type, "interfaces[%zu] of type bridge needs 'bridge'", i);
        if (streq(t, "direct") && !f->dev.set)
            ERR(&f->type, "interfaces[%zu] of type direct needs 'dev'", i);
        verify_tunnel(s, f, i, diags);
        if (f->target.set) {
            static const char *const bad[] = { "vnet", "vif", "macvtap", "macvlan" };
            for (size_t k = 0; k < ELEMENTSOF(bad); k++)
                if (!strncmp(f->target.s, bad[k], strlen(bad[k])))
                    ERR(&f->target, "interfaces[%zu].target must not start with '%s' (libvirt "
                        "reserves it)", i, bad[k]);
        }
        if (f->queues.set && !streq(f->model.s, "virtio"))
            ERR(&f->queues, "interfaces[%zu].queues needs model virtio", i);
        if (f->driver_iommu.set && !streq(f->model.s, "virtio"))
            ERR(&f->driver_iommu, "interfaces[%zu].driver_iommu needs model virtio", i);
        if (f->pci_bus.set != f->pci_slot.set)
            ERR(f->pci_bus.set ? &f->pci_bus : &f->pci_slot,
                "interfaces[%zu] needs pci_bus and pci_slot together", i);
        if (f->ovs.i && !streq(t, "bridge"))
            ERR(&f->ovs, "interfaces[%zu].ovs needs type bridge (an Open vSwitch bridge)", i);
        if (f->ovs_interfaceid.set && !f->ovs.i)
            ERR(&f->ovs_interfaceid, "interfaces[%zu].ovs_interfaceid needs ovs: true", i);
        for (size_t j = 0; j < i; j++)
            if (f->pci_bus.set && f->pci_slot.set && ifs[j].pci_bus.set && ifs[j].pci_slot.set &&
                f->pci_bus.i == ifs[j].pci_bus.i && f->pci_slot.i == ifs[j].pci_slot.i) {
                ERR(&f->pci_slot, "interfaces[%zu] uses PCI bus %" PRId64 " slot %" PRId64 " again",
                    i, f->pci_bus.i, f->pci_slot.i);
                break;
            }
        for (size_t j = 0; j < i; j++)
            if (f->mac.set && ifs[j].mac.set && streq(f->mac.s, ifs[j].mac.s)) {
                ERR(&f->mac, "MAC address %s is used twice", f->mac.s);
                break;
            }
    }

    /* inputs, channels */
    const InputSpec *in = d->inputs.items;
    for (size_t i = 0; i < d->inputs.n; i++)
        for (size_t j = 0; j < i; j++)
            if (streq(in[i].type.s, in[j].type.s) && streq(in[i].bus.s, in[j].bus.s)) {
                ERR(&in[i].type, "input %s on bus %s is listed twice", in[i].type.s, in[i].bus.s);
                break;
            }
    const ChannelSpec *ch = d->channels.items;
    for (size_t i = 0; i < d->channels.n; i++) {
        if (streq(ch[i].target_type.s, "guestfwd")) {
            if (ch[i].target_name.set)
                ERR(&ch[i].target_name, "channels[%zu]: a guestfwd channel has no target_name", i);
            if (!ch[i].target_address.set || !ch[i].target_port.set)
                ERR(&ch[i].target_type, "channels[%zu]: guestfwd needs target_address and "
                    "target_port", i);
            else if (ch[i].target_address.i != 4)
                ERR(&ch[i].target_address, "channels[%zu].target_address must be IPv4 (qemu's "
                    "guestfwd), got %s", i, ch[i].target_address.s);
            for (size_t j = 0; j < i && ch[i].target_address.set && ch[i].target_port.set; j++)
                if (streq_ptr(ch[i].target_address.s, ch[j].target_address.s) &&
                    ch[i].target_port.i == ch[j].target_port.i) {
                    ERR(&ch[i].target_port, "guestfwd %s:%" PRId64 " is listed twice",
                        ch[i].target_address.s, ch[i].target_port.i);
                    break;
                }
            continue;
        }
        if (!ch[i].target_name.set)
            ERR(ch[i].target_type.line ? &ch[i].target_type : &ch[i].type,
                "channels[%zu] needs target_name (target_type virtio)", i);
        if (ch[i].target_address.set || ch[i].target_port.set)
            ERR(ch[i].target_address.set ? &ch[i].target_address : &ch[i].target_port,
                "channels[%zu]: target_address and target_port are for target_type guestfwd", i);
        if (!ch[i].target_name.set)
            continue;
        for (size_t j = 0; j < i; j++)
            if (streq_ptr(ch[i].target_name.s, ch[j].target_name.s)) {
                ERR(&ch[i].target_name, "channel '%s' is listed twice", ch[i].target_name.s);
                break;
            }
        if (d->guest_agent.i && streq(ch[i].target_name.s, "org.qemu.guest_agent.0"))
            ERR(&ch[i].target_name, "guest_agent: true already adds channel "
                "org.qemu.guest_agent.0");
    }

    /* serial ports and consoles */
    const CharDevSpec *sers = d->serials.items;
    for (int pass = 0; pass < 2; pass++) {
        const CharDevSpec *l = pass ? d->consoles.items : sers;
        size_t n = pass ? d->consoles.n : d->serials.n;
        const char *what = pass ? "consoles" : "serials";
        /* ports only matter for a valid count (chardev_ports is cubic in the list length) */
        _cleanup_free_ int64_t *port = pass || n > 4 ? NULL : chardev_ports(d, false);
        if (!pass && n > 4)
            ERR(&d->serials, "a domain has at most 4 serial ports");
        for (size_t i = 0; i < n; i++) {
            const CharDevSpec *c = &l[i];
            bool file = streq(c->type.s, "file");
            if (file && !c->path.set)
                ERR(&c->type, "%s[%zu] of type file needs path", what, i);
            if (!file && c->path.set)
                ERR(&c->path, "%s[%zu].path only applies to type file", what, i);
            if (!file && c->append.set)
                ERR(&c->append, "%s[%zu].append only applies to type file", what, i);
            for (size_t j = 0; j < i && port; j++)
                if (port[i] == port[j]) {
                    ERR(c->port.set ? &c->port : &c->type, "%s[%zu] uses port %" PRId64 " again",
                        what, i, port[i]);
                    break;
                }
        }
    }

    /* memory balloon, USB, smartcard, redirection, passthrough */
    if (d->memballoon.present.set && !d->memballoon.enabled.i) {
        if (d->memballoon.model.set && !d->memballoon.model.defaulted)
            ERR(&d->memballoon.model, "memballoon.model has no meaning with enabled: false");
        if (d->memballoon.stats_period.set)
            ERR(&d->memballoon.stats_period, "memballoon.stats_period has no meaning with enabled: false");
    }
    const char *usbm = d->usb_controller.present.set ? d->usb_controller.model.s : NULL;
    if (d->usb_controller.ports.set && !streq(usbm, "qemu-xhci") && !streq(usbm, "nec-xhci"))
        ERR(&d->usb_controller.ports, "usb_controller.ports needs model qemu-xhci or nec-xhci");
    if (streq_ptr(usbm, "none")) {
        const Value *usb_user = NULL;
        for (size_t i = 0; i < d->usb.n && !usb_user; i++)
            usb_user = ((const UsbHostSpec *) d->usb.items)[i].vendor.set
                           ? &((const UsbHostSpec *) d->usb.items)[i].vendor
                           : &((const UsbHostSpec *) d->usb.items)[i].bus;
        if (!usb_user && d->smartcard.present.set)
            usb_user = &d->smartcard.mode;   /* a CCID device on the USB bus */
        if (!usb_user && d->redirdevs.n)
            usb_user = &((const RedirDevSpec *) d->redirdevs.items)[0].type;
        for (size_t i = 0; i < d->inputs.n && !usb_user; i++)
            if (streq(((const InputSpec *) d->inputs.items)[i].bus.s, "usb"))
                usb_user = &((const InputSpec *) d->inputs.items)[i].bus;
        for (size_t i = 0; i < d->disks.n && !usb_user; i++)
            if (streq(((const DiskSpec *) d->disks.items)[i].bus.s, "usb"))
                usb_user = &((const DiskSpec *) d->disks.items)[i].bus;
        if (usb_user)
            ERR(&d->usb_controller.model, "usb_controller model none, but a USB device is "
                "configured (line %u)", usb_user->line);
    }
    if (d->smartcard.present.set) {
        bool pass = streq(d->smartcard.mode.s, "passthrough");
        bool tcp = pass && streq_ptr(d->smartcard.type.s, "tcp");
        if (!pass && d->smartcard.type.set && !d->smartcard.type.defaulted)
            ERR(&d->smartcard.type, "smartcard.type only applies to mode passthrough");
        if (tcp && (!d->smartcard.host.set || !d->smartcard.service.set))
            ERR(&d->smartcard.type, "smartcard type tcp needs host and service");
        const Value *tcp_only[] = { &d->smartcard.host, &d->smartcard.service, &d->smartcard.source_mode };
        for (size_t i = 0; i < ELEMENTSOF(tcp_only); i++)
            if (!tcp && tcp_only[i]->set)
                ERR(tcp_only[i], "smartcard host, service and source_mode only apply to type tcp");
    }
    const RedirDevSpec *rd = d->redirdevs.items;
    for (size_t i = 0; i < d->redirdevs.n; i++) {
        bool tcp = streq(rd[i].type.s, "tcp");
        if (tcp && (!rd[i].host.set || !rd[i].service.set))
            ERR(&rd[i].type, "redirdevs[%zu] of type tcp needs host and service", i);
        if (!tcp && (rd[i].host.set || rd[i].service.set))
            ERR(rd[i].host.set ? &rd[i].host : &rd[i].service,
                "redirdevs[%zu]: host and service only apply to type tcp", i);
    }
    const RedirFilterSpec *rf = d->redirfilters.items;
    if (d->redirfilters.n > 0 && d->redirdevs.n == 0)
        ERR(&d->redirfilters, "redirfilters need redirdevs");
    for (size_t i = 0; i < d->redirfilters.n; i++) {
        const struct { const Value *v; size_t digits; } hex[] = {
            { &rf[i].class_, 2 }, { &rf[i].vendor, 4 }, { &rf[i].product, 4 },
        };
        for (size_t j = 0; j < ELEMENTSOF(hex); j++)
            if (hex[j].v->set && !valid_hex(hex[j].v->s, hex[j].digits))
                ERR(hex[j].v, "'%s' must be hexadecimal like 0x%.*s", hex[j].v->s,
                    (int) hex[j].digits, "08ef");
        if (rf[i].version.set) {
            unsigned a, b;
            int n = 0;
            if (sscanf(rf[i].version.s, "%2x.%2x%n", &a, &b, &n) != 2 || rf[i].version.s[n])
                ERR(&rf[i].version, "redirfilter version must be like 2.00, got '%s'", rf[i].version.s);
        }
    }
    const PciHostSpec *pci = d->pci.items;
    for (size_t i = 0; i < d->pci.n; i++) {
        if (!valid_pci_address(pci[i].address.s))
            ERR(&pci[i].address, "pci address must be like 0000:03:00.0 or 03:00.0, got '%s'",
                pci[i].address.s);
        for (size_t j = 0; j < i; j++)
            if (!strcasecmp(pci[i].address.s, pci[j].address.s)) {
                ERR(&pci[i].address, "pci device %s is listed twice", pci[i].address.s);
                break;
            }
    }
    const UsbHostSpec *usb = d->usb.items;
    for (size_t i = 0; i < d->usb.n; i++) {
        const UsbHostSpec *u = &usb[i];
        const Value *ids[] = { &u->vendor, &u->product };
        for (size_t j = 0; j < ELEMENTSOF(ids); j++)
            if (ids[j]->set && !valid_hex(ids[j]->s, 4))
                ERR(ids[j], "'%s' must be hexadecimal like 0x1d6b", ids[j]->s);
        if (u->vendor.set != u->product.set)
            ERR(u->vendor.set ? &u->vendor : &u->product, "usb[%zu] needs vendor and product together", i);
        if (u->bus.set != u->device.set)
            ERR(u->bus.set ? &u->bus : &u->device, "usb[%zu] needs bus and device together", i);
        if (!u->vendor.set && !u->product.set && !u->bus.set && !u->device.set)
            ERR(&d->usb, "usb[%zu] needs vendor and product, or bus and device", i);
    }
    if (d->launch_security.policy.set && !valid_hex(d->launch_security.policy.s, 8))
        ERR(&d->launch_security.policy, "launch_security.policy must be hexadecimal like 0x0003");
    const struct { const Value *v; const char *key; } b64[] = {
        { &d->launch_security.dh_cert, "dh_cert" }, { &d->launch_security.session, "session" },
    };
    for (size_t i = 0; i < ELEMENTSOF(b64); i++)
        if (b64[i].v->set && !valid_base64(b64[i].v->s))
            ERR(b64[i].v, "launch_security.%s must be base64 (A-Z a-z 0-9 + /, = padding), as "
                "sevctl or sev-tool write it", b64[i].key);
    const EnvSpec *env = d->qemu_env.items;
    for (size_t i = 0; i < d->qemu_env.n; i++) {
        const char *n = env[i].name.s;
        bool ok = (*n >= 'A' && *n <= 'Z') || (*n >= 'a' && *n <= 'z') || *n == '_';
        for (const char *p = n; *p && ok; p++)
            ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_' ||
                 (*p >= '0' && *p <= '9');
        if (!ok)
            ERR(&env[i].name, "qemu_env name '%s' must be letters, digits and '_', not starting "
                "with a digit", n);
        for (size_t j = 0; j < i; j++)
            if (streq(n, env[j].name.s)) {
                ERR(&env[i].name, "qemu_env '%s' is set twice", n);
                break;
            }
    }
    const FloppySpec *fl = d->floppies.items;
    if (d->floppies.n > 2)
        ERR(&fl[2].dev, "a domain has at most 2 floppy drives (fda, fdb)");
    for (size_t i = 0; i < d->floppies.n; i++) {
        if (fl[i].dev.set && !streq(fl[i].dev.s, "fda") && !streq(fl[i].dev.s, "fdb"))
            ERR(&fl[i].dev, "a floppy drive is fda or fdb, not %s", fl[i].dev.s);
        for (size_t j = 0; j < i; j++)
            if (fl[i].dev.set && fl[j].dev.set && streq(fl[i].dev.s, fl[j].dev.s)) {
                ERR(&fl[i].dev, "guest device '%s' is used twice", fl[i].dev.s);
                break;
            }
    }

    /* shared directories; virtiofs needs guest memory the host can share */
    const FilesystemSpec *fs = d->filesystems.items;
    const Value *virtiofs = NULL;
    for (size_t i = 0; i < d->filesystems.n; i++) {
        const FilesystemSpec *f = &fs[i];
        bool vfs = streq(f->driver.s, "virtiofs");
        const char *t = f->target.s;
        bool ok = *t != 0;
        for (const char *p = t; *p && ok; p++)
            ok = (unsigned char) *p > ' ' && *p != ',';
        if (!ok)
            ERR(&f->target, "filesystems[%zu].target '%s' must be a tag without spaces or ','", i, t);
        for (size_t j = 0; j < i; j++)
            if (streq(t, fs[j].target.s)) {
                ERR(&f->target, "filesystem target '%s' is used twice", t);
                break;
            }
        if (vfs) {
            virtiofs = virtiofs ? virtiofs : f->driver.line ? &f->driver : &f->target;
            if (!streq(f->accessmode.s, "passthrough"))
                ERR(&f->accessmode, "filesystems[%zu]: virtiofs only supports accessmode passthrough", i);
            if (f->readonly.i)
                ERR(&f->readonly, "filesystems[%zu]: virtiofs cannot export read-only (libvirt 9); "
                    "use driver 9p or mount it read-only in the guest", i);
        }
    }
    if (virtiofs) {
        if (d->memorybacking.access.set && streq(d->memorybacking.access.s, "private"))
            ERR(&d->memorybacking.access, "memorybacking.access private contradicts the virtiofs "
                "filesystem (line %u), which needs shared memory", virtiofs->line);
        if (d->memorybacking.source.set && streq(d->memorybacking.source.s, "anonymous"))
            ERR(&d->memorybacking.source, "memorybacking.source anonymous contradicts the virtiofs "
                "filesystem (line %u), which needs memfd or file", virtiofs->line);
    }

    /* boot order: the domain-level list and per-device orders exclude each other */
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
