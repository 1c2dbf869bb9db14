/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "engine-context.h"
#include "engine-result.h"

/* A domain's run state (engine-domain-state.c): read it, start, suspend, resume, stop gracefully,
 * restart, autostart. */

int domain_state(virDomainPtr dom);
bool state_running(int st);
/* The domain's definition (flags: VIR_DOMAIN_XML_INACTIVE or 0 for the live one), secrets in. */
xmlDoc *domain_xml(virDomainPtr dom, unsigned flags);
void sleep_ms(unsigned ms);
/* ACPI shutdown, wait up to timeout_s, then force off. A stop of the daemon ends the wait at once
 * (-ECANCELED): the guest is left as it is, never forced off because virtspec stops. */
int domain_stop(Engine *e, virDomainPtr dom, unsigned timeout_s, char **ret_error);
/* `apply` beside another virtspec's restart of the domain (reload-mark.c): waits for it to end. */
char *wait_reload_done(virDomainPtr dom, const char *name, unsigned limit_s, xmlDoc **have,
                       char *busy);
/* Graceful shutdown (ACPI, then destroy after timeout_s), then start. -ECANCELED: the wait was
 * interrupted (engine_cancelled), nothing forced, not started again. */
/* d (may be NULL): its snapshots.before_reload takes a snapshot first (*ret_note says which,
 * and what keep deleted); a failing one stops the restart (-EIO, nothing stopped). */
int engine_reload_domain(Engine *e, const char *name, const DomainSpec *d, unsigned timeout_s,
                         char **ret_note, char **ret_error);
/* plan: "+ snapshot before restart (method …)" when d->snapshots.before_reload (have: the
 * domain's definition), or why none can be taken. */
void snapshot_plan(const DomainSpec *d, xmlDoc *have, ObjectResult *r);
int start_domain(virDomainPtr dom, unsigned flags, ObjectResult *r);
int set_run_state(virDomainPtr dom, bool run, ObjectResult *r);
/* The run state the spec asks for (st: the state now), one action each. */
int converge_state(Engine *e, virDomainPtr dom, int st, const DomainSpec *d, ObjectResult *r);
/* cur: the autostart flag if already known (the run's index), else -1 */
int converge_autostart(Engine *e, virDomainPtr dom, int cur, const DomainSpec *d, ObjectResult *r);
