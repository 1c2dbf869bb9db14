/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "hooks.h"
#include "xml-items.h"
#include "xml-util.h"

/* Which elements are a list's items: the layer below item keys (observe.c) and the diff. */

/* Elements of a list below root: "devices/disk" with match "device=disk"; a last step of "*"
 * selects every element child. */
/* The element name of a list's items: the last step of xml_elem. */
const char *xml_item_name(const KeyTable *sub) {
    const char *slash = strrchr(sub->xml_elem, '/');
    return slash ? slash + 1 : sub->xml_elem;
}

/* diff_item_selected with the items' name (xml_item_name) worked out by the caller, once per list */
bool xml_item_selected(const KeyTable *sub, const char *name, const xmlNode *e) {
    if (!e || e->type != XML_ELEMENT_NODE)
        return false;
    /* the first letter first: every child of a list's parent is asked, for every list */
    if (!streq(name, "*") && (e->name[0] != (xmlChar) name[0] || !streq((const char *) e->name, name)))
        return false;
    if (sub->xml_match) {
        const char *eq = strchr(sub->xml_match, '=');
        if (!xml_prop_is(e, sub->xml_match, (size_t) (eq - sub->xml_match), eq + 1, strlen(eq + 1)))
            return false;
    }
    if (streq(sub->name, "channels") && is_guest_agent_channel(e))
        return false;   /* managed by the guest_agent key */
    if (streq(sub->name, "consoles")) {
        _cleanup_free_ char *t = xml_get(e, "target/@type");
        if (!streq_ptr(t, "virtio"))
            return false;   /* libvirt's mirror of serial port 0 */
    }
    if (streq(sub->name, "cpu.features")) {
        _cleanup_xmlchar_ xmlChar *n = xmlGetProp(e, (const xmlChar *) "name");
        if (n && (streq((char *) n, "vmx") || streq((char *) n, "svm")))
            return false;   /* managed by the nested key */
    }
    return true;
}

bool diff_item_selected(const KeyTable *sub, const xmlNode *e) {
    return xml_item_selected(sub, xml_item_name(sub), e);
}

xmlNode *diff_list_parent(const xmlNode *root, const KeyTable *sub) {
    const char *slash = strrchr(sub->xml_elem, '/');
    return slash ? xml_find_n(root, sub->xml_elem, (size_t) (slash - sub->xml_elem)) : (xmlNode *) root;
}
