#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A graceful shutdown (state: shutoff here; reload, prune and reload: auto use the same call) asks
# for the ACPI power button only where the domain has one (features/acpi). A domain without ACPI
# gets libvirt's default, which asks the guest agent when the domain has one: the power button
# alone would leave such a guest running until its shutdown_timeout, then force it off.
# libvirt's test driver from a file (its domains run); the calls are read from libvirt's client
# debug log (every public API entry point logs its name and arguments).
# Usage: check-shutdown-mode.sh VIRTSPEC
. "$(dirname "$0")/check-lib.sh"
chmod 0755 "$d"; mkdir -m 0755 "$d/s"
export VIRTSPEC_STATE_DIR=$d/state
{
    printf '<node>\n'
    for n in acpi1:'<acpi/><apic/>' noacpi1:'<apic/>'; do
        printf "<domain type='test'><name>%s</name><memory unit='MiB'>64</memory><os><type>hvm</type></os>" "${n%%:*}"
        printf "<features>%s</features><metadata>" "${n#*:}"
        printf "<vs:virtspec xmlns:vs='https://virtspec.dev/xmlns/1'><vs:managed>x</vs:managed></vs:virtspec>"
        printf '</metadata></domain>\n'
    done
    printf '</node>\n'
} > "$d/node.xml"
printf 'kind: Domain\nname: acpi1\nmemory: 64MiB\ngraphics: {type: none}\nfeatures: [acpi, apic]\nstate: shutoff\nshutdown_timeout: 2\n' > "$d/s/acpi1.yaml"
printf 'kind: Domain\nname: noacpi1\nmemory: 64MiB\ngraphics: {type: none}\nfeatures: [apic]\nstate: shutoff\nshutdown_timeout: 2\n' > "$d/s/noacpi1.yaml"
LIBVIRT_LOG_FILTERS=1:libvirt LIBVIRT_LOG_OUTPUTS="1:file:$d/libvirt.log" \
    t "apply: both running domains are shut down" 0 "2 objects" apply -c "test://$d/node.xml" "$d/s"
ok "…the one with ACPI through the power button (virDomainShutdownFlags, flags=0x1)" \
    grep -q "virDomainShutdownFlags:.*name=acpi1.*flags=0x1" "$d/libvirt.log"
ok "…the one without ACPI not through the power button" \
    bash -c "! grep -q 'virDomainShutdownFlags:.*name=noacpi1' '$d/libvirt.log'"
ok "…but with libvirt's default (virDomainShutdown: the guest agent when it has one)" \
    grep -q "virDomainShutdown:.*name=noacpi1" "$d/libvirt.log"
finish
