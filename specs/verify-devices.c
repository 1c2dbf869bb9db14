/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <strings.h>

#include "spec-internal.h"
#include "verify.h"

/* Validation of a domain's devices besides disks and interfaces, and of what passes through. */
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

/* Graphics */
void verify_graphics(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    const char *gt = d->graphics.type.s;
    if (streq(gt, "none")) {
        const Value *extra[] = { &d->graphics.port, &d->graphics.autoport, &d->graphics.passwd,
                                 &d->graphics.passwd_file };
        for (size_t i = 0; i < ELEMENTSOF(extra); i++)
            if (extra[i]->set && !extra[i]->defaulted)
                ERR(extra[i], "graphics type none takes no other graphics keys");
    }
    if (d->graphics.port.set && d->graphics.autoport.set && value_int(&d->graphics.autoport))
        ERR(&d->graphics.autoport, "graphics.port conflicts with autoport: true");
    if (d->graphics.autoport.set && !value_int(&d->graphics.autoport) && !d->graphics.port.set)
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
}

/* Video */
void verify_video_tpm(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
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
    const TpmSpec *tpm = spec_box(d, tpm);
    if (tpm->present.set) {
        bool pass = streq(tpm->type.s, "passthrough");
        if (pass && !tpm->path.set)
            ERR(&tpm->type, "tpm type passthrough needs tpm.path (the host TPM device)");
        if (!pass && tpm->path.set)
            ERR(&tpm->path, "tpm.path only applies to type passthrough");
        if (pass && tpm->version.set)
            ERR(&tpm->version, "tpm.version only applies to type emulator");
    }
}

/* Inputs, channels */
void verify_channels(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
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
            else if (value_ip_family(&ch[i].target_address) != 4)
                ERR(&ch[i].target_address, "channels[%zu].target_address must be IPv4 (qemu's "
                    "guestfwd), got %s", i, ch[i].target_address.s);
            for (size_t j = 0; j < i && ch[i].target_address.set && ch[i].target_port.set; j++)
                if (streq_ptr(ch[i].target_address.s, ch[j].target_address.s) &&
                    value_int(&ch[i].target_port) == value_int(&ch[j].target_port)) {
                    ERR(&ch[i].target_port, "guestfwd %s:%" PRId64 " is listed twice",
                        ch[i].target_address.s, value_int(&ch[i].target_port));
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
        if (value_int(&d->guest_agent) && streq(ch[i].target_name.s, "org.qemu.guest_agent.0"))
            ERR(&ch[i].target_name, "guest_agent: true already adds channel "
                "org.qemu.guest_agent.0");
    }
}

/* Serial ports and consoles */
void verify_serials(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
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
}

/* Memory balloon, USB, smartcard, redirection, passthrough */
void verify_controllers(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
    const MemballoonSpec *mb = spec_box(d, memballoon);
    const UsbControllerSpec *usbc = spec_box(d, usb_controller);
    if (mb->present.set && !value_int(&mb->enabled)) {
        if (mb->model.set && !mb->model.defaulted)
            ERR(&mb->model, "memballoon.model has no meaning with enabled: false");
        if (mb->stats_period.set)
            ERR(&mb->stats_period, "memballoon.stats_period has no meaning with enabled: false");
    }
    const char *usbm = usbc->present.set ? usbc->model.s : NULL;
    if (usbc->ports.set && !streq(usbm, "qemu-xhci") && !streq(usbm, "nec-xhci"))
        ERR(&usbc->ports, "usb_controller.ports needs model qemu-xhci or nec-xhci");
    if (streq_ptr(usbm, "none")) {
        const Value *usb_user = NULL;
        for (size_t i = 0; i < d->usb.n && !usb_user; i++)
            usb_user = ((const UsbHostSpec *) d->usb.items)[i].vendor.set
                           ? &((const UsbHostSpec *) d->usb.items)[i].vendor
                           : &((const UsbHostSpec *) d->usb.items)[i].bus;
        if (!usb_user && spec_box(d, smartcard)->present.set)
            usb_user = &d->smartcard->mode;   /* a CCID device on the USB bus */
        if (!usb_user && d->redirdevs.n)
            usb_user = &((const RedirDevSpec *) d->redirdevs.items)[0].type;
        for (size_t i = 0; i < d->inputs.n && !usb_user; i++)
            if (streq(((const InputSpec *) d->inputs.items)[i].bus.s, "usb"))
                usb_user = &((const InputSpec *) d->inputs.items)[i].bus;
        for (size_t i = 0; i < d->disks.n && !usb_user; i++)
            if (streq(((const DiskSpec *) d->disks.items)[i].bus.s, "usb"))
                usb_user = &((const DiskSpec *) d->disks.items)[i].bus;
        if (usb_user)
            ERR(&usbc->model, "usb_controller model none, but a USB device is "
                "configured (line %u)", spec_origin_line(usb_user->line));
    }
    const SmartcardSpec *sc = spec_box(d, smartcard);
    if (sc->present.set) {
        bool pass = streq(sc->mode.s, "passthrough");
        bool tcp = pass && streq_ptr(sc->type.s, "tcp");
        if (!pass && sc->type.set && !sc->type.defaulted)
            ERR(&sc->type, "smartcard.type only applies to mode passthrough");
        if (tcp && (!sc->host.set || !sc->service.set))
            ERR(&sc->type, "smartcard type tcp needs host and service");
        const Value *tcp_only[] = { &sc->host, &sc->service, &sc->source_mode };
        for (size_t i = 0; i < ELEMENTSOF(tcp_only); i++)
            if (!tcp && tcp_only[i]->set)
                ERR(tcp_only[i], "smartcard host, service and source_mode only apply to type tcp");
    }
}

/* USB redirection and its filters. */
void verify_redirection(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
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
}

/* Host devices passed through, launch security, the QEMU environment, floppies. */
void verify_passthrough(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
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
    const LaunchSecuritySpec *ls = spec_box(d, launch_security);
    if (ls->policy.set && !valid_hex(ls->policy.s, 8))
        ERR(&ls->policy, "launch_security.policy must be hexadecimal like 0x0003");
    const struct { const Value *v; const char *key; } b64[] = {
        { &ls->dh_cert, "dh_cert" }, { &ls->session, "session" },
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
}

/* Shared directories; virtiofs needs guest memory the host can share */
void verify_filesystems(const Spec *s, DiagList *diags) {
    const DomainSpec *d = &s->domain;
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
            if (value_int(&f->readonly))
                ERR(&f->readonly, "filesystems[%zu]: virtiofs cannot export read-only (libvirt 9); "
                    "use driver 9p or mount it read-only in the guest", i);
        }
    }
    if (virtiofs) {
        if (spec_box(d, memorybacking)->access.set && streq(spec_box(d, memorybacking)->access.s, "private"))
            ERR(&spec_box(d, memorybacking)->access, "memorybacking.access private contradicts the virtiofs "
                "filesystem (line %u), which needs shared memory", spec_origin_line(virtiofs->line));
        if (spec_box(d, memorybacking)->source.set && streq(spec_box(d, memorybacking)->source.s, "anonymous"))
            ERR(&spec_box(d, memorybacking)->source, "memorybacking.source anonymous contradicts the virtiofs "
                "filesystem (line %u), which needs memfd or file", virtiofs->line);
    }
}
