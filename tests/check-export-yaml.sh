#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# export writes its YAML with libyaml's emitter (issue 15): a title that is the word null (it
# was written unquoted, so the spec read it back as a null and did not validate), words other
# readers take for booleans, a description with ': ', '#', quotes and a newline, all read back
# as the same strings; and a domain without video exports the removal of devices/video, never
# of the model's type alone (that left <video><model/></video>, which libvirt's schema
# refuses). A domain of a custom node file for libvirt's in-process test driver.
# Usage: check-export-yaml.sh VIRTSPEC
source "$(dirname "$0")/check-lib.sh"
dom() {   # dom NAME TITLE DESCRIPTION
    printf "<domain type='test'><name>%s</name><title>%s</title><description>%s</description>" "$1" "$2" "$3"
    printf "<memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os>"
    printf "<devices></devices></domain>\n"
}
{
    printf "<node>\n"
    dom x-null null 'key: value # not a comment&#10;"double" and '"'"'single'"'"
    dom x-yes yes 0x1F
    dom x-tilde '~' 'on'
    printf "</node>\n"
} > "$d/node.xml"
for n in x-null x-yes x-tilde; do
    # (exit 1: the test driver's domain type "test" has no spec form; the spec is still written)
    "$vs" export -c "test://$d/node.xml" "$n" > "$d/$n.yaml" 2> "$d/$n.err"
    ok "$n: the exported spec validates" bash -c "'$vs' validate '$d/$n.yaml' >/dev/null 2>&1"
done
title_of() {   # title_of FILE: the title as the loader reads it back (render writes it)
    "$vs" render "$1" 2>/dev/null | sed -n 's:.*<title>\(.*\)</title>.*:\1:p'
}
ok "title null reads back as the string null" test "$(title_of "$d/x-null.yaml")" = null
ok "…written quoted" grep -qx 'title: "null"' "$d/x-null.yaml"
ok "title yes reads back as yes" test "$(title_of "$d/x-yes.yaml")" = yes
ok "title ~ reads back as ~" test "$(title_of "$d/x-tilde.yaml")" = "~"
ok "the description keeps ': ', '#', both quotes and the newline" \
    grep -qF "<description>key: value # not a comment" <("$vs" render "$d/x-null.yaml")
ok "…its second line too" grep -qF "\"double\" and 'single'</description>" \
    <("$vs" render "$d/x-null.yaml" | sed "s/&quot;/\"/g; s/&apos;/'/g")
ok "a domain without video: devices/video is removed as a whole" \
    grep -qx -- '  - "devices/video"' <(sed 's/^- /  - /' "$d/x-yes.yaml")
ok "…never the model's type alone" bash -c "! grep -q 'video/model/@type' '$d/x-yes.yaml'"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
