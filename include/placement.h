/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "spec.h"

/* Placement (docs/fleet.md): which `kind: Host` of the tree takes each spec. A pure function of
 * the specs, the Host documents and where objects are observed running: every host computes the
 * same answer without talking to the others, whatever order the inputs come in.
 *
 * - Hosts are considered in name order, specs in (kind, name) order.
 * - A host is a candidate when it is the one `placement.host` names (if it names one), has every
 *   label of `placement.match`, is not in maintenance, and has room: the `memory` and `cpus` of
 *   the domains placed on it before (in that order) plus this one's stay within its capacity.
 * - Sticky: a spec observed on a candidate host stays there (these are placed first).
 * - Else among the candidates: with `spread`, those with the fewest members of the group so far;
 *   then the highest rendezvous score placement_score(); equal scores: the smaller host name.
 * - A Network or Pool without `placement` is on every host; a Domain without it matches every
 *   host. No Host documents and no `placement`: nothing is placed, every spec is everywhere. */

typedef enum PlaceWhy {
    PLACE_CHOSEN,       /* the host it is placed on */
    PLACE_RANK,         /* a candidate with a lower rendezvous score */
    PLACE_SPREAD,       /* a candidate with more members of the spread group */
    PLACE_STICKY,       /* a candidate, but the spec runs on the chosen host */
    PLACE_NOT_NAMED,    /* placement.host names another host */
    PLACE_LABELS,       /* lacks a label of placement.match (or has another value) */
    PLACE_MAINTENANCE,  /* maintenance: true */
    PLACE_LOST,         /* lost: true (declared gone) */
    PLACE_MEMORY,       /* capacity.memory would be exceeded */
    PLACE_VCPUS,        /* capacity.vcpus would be exceeded */
    _PLACE_WHY_MAX,
} PlaceWhy;

const char *place_why_to_string(PlaceWhy w);

/* Where an object was observed (running, for domains; defined, for the others). */
typedef struct PlaceObserved {
    SpecKind kind;
    const char *name;
    const char *host;
} PlaceObserved;

typedef struct Placement {
    const Spec *spec;
    bool everywhere;        /* on every host (a Network or Pool without placement) */
    ssize_t host;           /* index into PlacementSet.hosts; -1: everywhere or unplaceable */
    bool sticky;            /* kept where it was observed */
    PlaceWhy *why;          /* per host of PlacementSet.hosts (NULL when everywhere) */
    int64_t *free_memory;   /* per host: what was left when it was placed (-1: unbounded) */
    int64_t *free_vcpus;
} Placement;

typedef struct PlacementSet {
    const HostSpec **hosts; /* sorted by name */
    size_t n_hosts;
    Placement *items;       /* one per spec, sorted by kind and name */
    size_t n;
} PlacementSet;

/* Places every spec of set->specs over set->hosts. A spec no host can take is an error at its
 * `placement:` (or its document) into diags, with each host's reason; it stays in ret with host
 * -1. Returns the number of such specs. */
size_t placement_compute(const SpecSet *set, const PlaceObserved *obs, size_t n_obs,
                         PlacementSet *ret, DiagList *diags);
void placement_set_clear(PlacementSet *p);
const Placement *placement_find(const PlacementSet *p, SpecKind kind, const char *name);
/* Whether host takes the spec of p: everywhere, or placed there. */
bool placement_on_host(const PlacementSet *ps, const Placement *p, const char *host);
/* The rendezvous score of (spec, host): FNV-1a 64 over "KIND\0NAME\0HOST\0", then the SplitMix64
 * finalizer (so that names differing in one letter spread evenly). */
uint64_t placement_score(SpecKind kind, const char *name, const char *host);
/* Whether host could take the spec, capacity aside: the named host, the labels, not in maintenance,
 * not lost. What a destination asks of the host a domain runs on before moving it (sticky). */
bool placement_host_accepts(const Spec *s, const HostSpec *host);
/* The placement keys of any kind. */
const PlacementSpec *spec_placement(const Spec *s);
/* The first label of match a host lacks ("role=web"), or NULL. */
const char *placement_label_missing(const HostSpec *h, const List *match);

/* Whether the tree has Host documents or a spec with placement (else placement changes nothing). */
bool placement_in_use(const SpecSet *set);
/* The share of host (NULL: of no host in particular, only the checks): specs placed on another
 * host leave set->specs and are held (spec_set_hold: not gone, so never orphans); an unplaceable
 * spec is an error in set->diags (counted in *ret_errors) and its file's specs leave the set like
 * those of any rejected file. obs (host's own owned objects; other hosts' are not known) are
 * sticky input; a spec observed on host but placed elsewhere is a warning at its line, counted in
 * *ret_moved. -ENOENT: no Host document names host. */
int placement_take_share(SpecSet *set, const char *host, const PlaceObserved *obs, size_t n_obs,
                         size_t *ret_errors, size_t *ret_moved);
