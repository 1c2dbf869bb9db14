/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>

#include "action.h"
#include "macro.h"
#include "term.h"

static const char *const op_names[_ACTION_OP_MAX] = {
    [ACTION_CREATE] = "create",
    [ACTION_ADOPT] = "adopt",
    [ACTION_SET] = "set",
    [ACTION_START] = "start",
    [ACTION_START_PAUSED] = "start-paused",
    [ACTION_RESUME] = "resume",
    [ACTION_SUSPEND] = "suspend",
    [ACTION_STOP] = "stop",
    [ACTION_RELOAD] = "reload",
    [ACTION_RESTART] = "restart",
    [ACTION_LIVE_WAITS] = "live-waits",
    [ACTION_REPLUG] = "replug",
    [ACTION_VOLUME_CREATE] = "volume-create",
    [ACTION_VOLUME_UPLOAD] = "volume-upload",
    [ACTION_VOLUME_DELETE] = "volume-delete",
    [ACTION_VOLUME_WAITS] = "volume-waits",
    [ACTION_VOLUME_KEPT] = "volume-kept",
    [ACTION_VOLUME_KEPT_IN_USE] = "volume-kept-in-use",
    [ACTION_ORPHAN] = "orphan",
    [ACTION_PRUNE] = "prune",
    [ACTION_NOTE] = "note",
    [ACTION_WARN] = "warn",
    [ACTION_REPORT_ONLY] = "report-only",
    [ACTION_DESTROY] = "destroy",
    [ACTION_SNAPSHOT] = "snapshot",
    [ACTION_MOVE] = "move",
    [ACTION_MOVE_WAITS] = "move-waits",
};

const char *action_op_to_string(ActionOp op) {
    return op >= 0 && op < _ACTION_OP_MAX ? op_names[op] : NULL;
}

static char *format_set(const Action *a) {
    const char *how = a->reason ? a->reason : change_class_to_string(a->cls);
    if (!a->to)
        return xasprintf("~ %s (%s)", a->key, how);
    if (!a->from)
        return xasprintf("~ %s: %s (%s)", a->key, a->to, how);
    return xasprintf("~ %s: %s %s %s (%s)", a->key, a->from, term_glyph(GLYPH_ARROW), a->to, how);
}

char *action_format(const Action *a) {
    const char *why = a->reason ? a->reason : "", *key = strna(a->key);
    switch (a->op) {
    case ACTION_CREATE:
        return a->reason ? xasprintf("+ create (%s)", why) : xstrdup("+ create");
    case ACTION_ADOPT:
        return xasprintf("~ adopt: %s", why);
    case ACTION_SET:
        return format_set(a);
    case ACTION_START:
        return xasprintf("%s start", term_glyph(GLYPH_START));
    case ACTION_START_PAUSED:
        return xasprintf("%s start paused", term_glyph(GLYPH_START));
    case ACTION_RESUME:
        return xasprintf("%s resume", term_glyph(GLYPH_START));
    case ACTION_SUSPEND:
        return xasprintf("%s suspend", term_glyph(GLYPH_SUSPEND));
    case ACTION_STOP:
        return xasprintf("%s stop (%s)", term_glyph(GLYPH_STOP), why);
    case ACTION_RELOAD:
        return xasprintf("%s reload (reload: auto)", term_glyph(GLYPH_RELOAD));
    case ACTION_RESTART:
        return xasprintf("%s restart (reload: auto)%s%s", term_glyph(GLYPH_RELOAD),
                         a->reason ? "; " : "", why);
    case ACTION_LIVE_WAITS:
        if (a->kind == KIND_NETWORK)
            return xasprintf("%s %s could not change live (%s): waits for a network restart",
                             term_glyph(GLYPH_ELLIPSIS), key, why);
        return xasprintf("%s %s waits for a reload: %s", term_glyph(GLYPH_ELLIPSIS), key, why);
    case ACTION_REPLUG:
        return xasprintf("%s %s", term_glyph(GLYPH_REPLUG), why);
    case ACTION_VOLUME_CREATE:
        return xasprintf("+ %s", why);
    case ACTION_VOLUME_UPLOAD:
        return xasprintf("%s upload %s", term_glyph(GLYPH_UPLOAD), why);
    case ACTION_VOLUME_DELETE:
        return xasprintf("- volume %s (delete_volumes_on_removal): %s", key, why);
    case ACTION_VOLUME_WAITS:
        return xasprintf("%s volume %s (delete_volumes_on_removal) waits: %s",
                         term_glyph(GLYPH_ELLIPSIS), key, why);
    case ACTION_VOLUME_KEPT:
        return xasprintf("! volume %s kept: %s", key, why);
    case ACTION_VOLUME_KEPT_IN_USE:
        return xasprintf("! volume %s (delete_volumes_on_removal) kept: %s", key, why);
    case ACTION_ORPHAN:
        return xasprintf("- orphan %s (%s)", key, why);
    case ACTION_PRUNE:
        return xasprintf("- prune %s (%s)", key, why);
    case ACTION_NOTE:
        return xasprintf("= %s", why);
    case ACTION_WARN:
        return xasprintf("! %s", why);
    case ACTION_REPORT_ONLY:
        return xstrdup("(drift mode report: not corrected)");
    case ACTION_DESTROY:
        return xasprintf("- destroy %s %s%s%s%s", spec_kind_to_string(a->kind), strna(a->object),
                         a->reason ? " (" : "", why, a->reason ? ")" : "");
    case ACTION_SNAPSHOT:
        return xasprintf("+ snapshot %s", why);
    case ACTION_MOVE:
        return xasprintf("%s move %s %s %s %s (%s)", term_glyph(GLYPH_ARROW), strna(a->object),
                         strna(a->from), term_glyph(GLYPH_ARROW), strna(a->to), why);
    case ACTION_MOVE_WAITS:
        return xasprintf("%s create waits: %s", term_glyph(GLYPH_ELLIPSIS), why);
    case _ACTION_OP_MAX:
        break;
    }
    abort();
}

bool action_deletes_volume(const Action *a) {
    return a->op == ACTION_VOLUME_DELETE || a->op == ACTION_VOLUME_WAITS ||
           a->op == ACTION_VOLUME_KEPT_IN_USE;
}

void action_clear(Action *a) {
    free(a->object);
    free(a->key);
    free(a->from);
    free(a->to);
    free(a->reason);
    *a = (Action) {};
}

void actions_free(Action *a, size_t n) {
    for (size_t i = 0; i < n; i++)
        action_clear(&a[i]);
    free(a);
}
