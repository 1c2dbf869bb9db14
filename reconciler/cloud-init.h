/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libxml/tree.h>

#include "spec.h"

/* cloud_init: the NoCloud seed of a domain. Rendering (cloud-init.c) is pure: the spec plus the
 * facts the executor reads at apply time (key files, password hashes, the user-data file, each
 * interface's network) → the three files, byte for byte the same for the same input. The ISO
 * (seed-iso.c, libisofs) and the volume (cloud-init-seed.c) come after. */

typedef struct SeedIface {
    char *mac;              /* canonical, lower-case */
    char *address;          /* "10.0.0.5/24" for a static one; NULL: DHCP */
    char *gateway;          /* NULL: none (an isolated network) */
    char *dns;              /* NULL: none */
} SeedIface;

typedef struct SeedUser {
    char **keys;            /* the spec's keys, then the file's, in order */
    size_t n_keys;
    char *password_hash;    /* from password_hash_file; NULL: none (the password is locked) */
} SeedUser;

typedef struct SeedInput {
    SeedIface *ifaces;      /* one per interface, in spec order (network: auto or dhcp) */
    size_t n_ifaces;
    SeedUser *users;        /* one per cloud_init.users entry */
    size_t n_users;
    char *user_data;        /* the user_data_file's content; NULL: none */
    size_t user_data_len;
} SeedInput;

void seed_input_clear(SeedInput *in);

/* What a libvirt network (its XML) gives interface f, which has `ip` in it: the address with the
 * network's IPv4 prefix, the network's own address as gateway (when it forwards: nat, route,
 * open; none for an isolated one) and as DNS server (unless its DNS is off). The same facts
 * its DHCP reservation hands out. Returns 0, or -EINVAL with *ret_error set. */
int seed_iface_from_network(xmlDoc *net, const IfaceSpec *f, SeedIface *ret, char **ret_error);

/* The definition of network name (free it), NULL with *ret_error set when it cannot be read, or
 * NULL alone when it does not exist yet (a plan: the spec's subnet stands in). */
typedef xmlDoc *(*SeedNetworkLookup)(const char *name, void *userdata, char **ret_error);
struct ObjectResult;
/* The facts the seed of d needs, read at apply time (cloud-init-seed.c): key files, password
 * hashes (replaced by MASKED_SECRET with mask_secrets), the user-data file, each interface's
 * network. Returns 0, or -EIO after fail() on r. */
int seed_gather(const DomainSpec *d, SeedNetworkLookup lookup, void *userdata, bool mask_secrets,
                SeedInput *in, struct ObjectResult *r);
/* SeedNetworkLookup over a libvirt connection: userdata is the Engine. */
xmlDoc *seed_libvirt_network(const char *name, void *userdata, char **ret_error);

typedef struct Seed {
    char *meta_data, *user_data, *network_config;   /* network_config NULL: network none */
    char *instance_id;
    char *digest;           /* of the three files: the seed's identity */
    /* what plan shows of each key (never a secret) and compares with the domain's record */
    char *shown[5];         /* hostname, users, network, user_data_file, rerun */
} Seed;

#define SEED_N_KEYS 5
extern const char *const seed_keys[SEED_N_KEYS];   /* "hostname", "users", … */

void seed_clear(Seed *s);

/* Renders the seed of d from in. Returns 0, or -EINVAL with *ret_error set (a user-data file
 * that cannot be combined). */
int cloud_init_render(const DomainSpec *d, const SeedInput *in, Seed *ret, char **ret_error);

/* The seed's record in a domain document's virtspec metadata: written by render (RenderOpts.seed),
 * read back to tell what changed. */
void cloud_init_record(xmlNode *vs, xmlNs *ns, const Seed *s);
/* The recorded value of key (seed_keys) and the digest; NULL when the document has no record. */
char *cloud_init_recorded(xmlDoc *doc, const char *key);
bool cloud_init_has_record(xmlDoc *doc);
