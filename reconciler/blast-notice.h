/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <uv.h>

#include "engine-context.h"
#include "spec.h"

/* The daemon's announcement of the restarts a template edit causes (docs/templates.md): specs are
 * planned (never applied) on libuv's threadpool, and each template's restarts logged ("template
 * web: 2 domains will restart (reload: auto): db1, db2") before the passes that make them start.
 * Takes the specs' refs (n of them, specs owned); done(userdata) runs on the loop thread after the
 * lines are logged. */
void blast_notice_start(uv_loop_t *loop, const Engine *e, Spec **specs, size_t n,
                        void (*done)(void *userdata), void *userdata);
