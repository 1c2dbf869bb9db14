/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "cli-table.h"
#include "macro.h"

static const char *const drift_choices[] = { "correct", "report", NULL };
static const char *const kvm_choices[] = { "yes", "no", NULL };
static const char *const man_choices[] = { "virtspec.8", "virtspec.yaml.5", "virtspec.conf.5", NULL };

const CliCommand cli_commands[] = {
    { .name = "validate", .opts = O_INSECURE, .args = ARGS_PATHS,
      .synopsis = "[PATH…]",
      .summary = "check specs; print every problem as FILE:LINE:COL",
      .help = "Usage: virtspec validate [PATH…]\n\n"
      "Parses and checks every spec. Prints each problem as FILE:LINE:COL: error: MESSAGE.\n"
      "Exit status 0 when every spec is valid, 1 otherwise.\n" },
    { .name = "render", .opts = O_INSECURE | O_SECRETS | O_KVM | O_LIBVIRT | O_SEED | O_EXPLAIN, .args = ARGS_PATHS,
      .synopsis = "[PATH…]",
      .summary = "print the libvirt XML each spec produces",
      .help = "Usage: virtspec render [--show-secrets] [--host-kvm=yes|no] [--libvirt-version=X.Y]\n"
      "                       [--seed] [--explain] [PATH…]\n\n"
      "Prints, per object, the libvirt XML its spec produces (byte-for-byte deterministic).\n"
      "Graphics passwords are masked unless --show-secrets is given.\n"
      "--libvirt-version=X.Y renders for that libvirt (render connects to none; plan and\n"
      "apply use the connected one's): before 9.2 the port forwards of a type user\n"
      "interface are no <portForward> (virtspec adds them through the QEMU monitor).\n"
      "Default: 9.2 and later.\n"
      "--seed prints each cloud_init seed's files instead (meta-data, user-data,\n"
      "network-config) as apply would upload them, except that password hashes are\n"
      "masked unless --show-secrets is given (with rerun: on-change the instance-id,\n"
      "a hash of the content, then differs from apply's too) and that network auto\n"
      "takes each network's facts from its spec (apply: from libvirt).\n"
      "--explain prints instead each key a spec sets, with where its value came from: the\n"
      "spec's line, or the template and its line (docs/templates.md).\n" },
    { .name = "placement", .opts = O_INSECURE | O_HOST, .args = ARGS_PATHS,
      .synopsis = "[--host NAME] [PATH…]",
      .summary = "per spec, the `kind: Host` placement chooses and why not the others",
      .help = "Usage: virtspec placement [--host NAME] [PATH…]\n\n"
      "For each spec with a placement (docs/fleet.md): the host chosen, and for each other host\n"
      "why not (not the named host, label mismatch, maintenance, capacity, lower rank, more of\n"
      "the spread group). Networks and pools without placement are on every host.\n"
      "--host NAME: only the specs that host takes. Exit status 1 when a spec cannot be placed.\n" },
    { .name = "fleet", .opts = O_INSECURE | O_CONNECT | O_JSON | O_HOST, .args = ARGS_PATHS,
      .synopsis = "status [PATH…]",
      .summary = "every `kind: Host`: its share, whether its libvirt answers, its objects\nby state (read-only, each Host's uri)",
      .help = "Usage: virtspec fleet status [-c URI] [--host NAME] [--json] [PATH…]\n\n"
      "For each `kind: Host` of the tree (docs/fleet.md): its share (the specs placed there),\n"
      "whether its libvirt answers, and its objects as plan --host NAME -c URI counts them there:\n"
      "in sync, changes pending (live, reload, create), orphaned, foreign conflict, failed. The\n"
      "hosts are read 16 at a time, read-only, each through its Host's uri; one that does not answer\n"
      "within 30 s (VIRTSPEC_FLEET_TIMEOUT) is reported unreachable with the error. A Host without\n"
      "uri is read through -c (or the default connection) when --host (host =) names it, else\n"
      "reported as no uri. --json prints one JSON document instead.\n"
      "Exit status 0 when every host is in sync, 2 when a host is stale, failed, unreachable or\n"
      "has no uri, 1 when the tree has errors.\n" },
    { .name = "plan", .opts = O_INSECURE | O_CONNECT | O_PRUNE | O_JSON | O_TARGET | O_HOST | O_ALL_HOSTS, .args = ARGS_PATHS,
      .synopsis = "[PATH…]",
      .summary = "show what apply would change (exit 0 in sync, 2 changes, 1 error)\n(plan, apply, status: -t [KIND/]NAME selects objects of the tree)",
      .help = "Usage: virtspec plan [-c URI] [-t [KIND/]NAME]… [--prune] [--json] [PATH…]\n\n"
      "Compares specs with libvirt and prints what apply would do, field by field:\n"
      "  + create   ~ field: old → new (class)   - remove   ▶ start   ■ stop   = in sync\n"
      "An owned domain no spec names is an orphan (- orphan NAME); with --prune, what\n"
      "apply --prune would do to it.\n"
      "It also says, as FILE:LINE:COL: error:, what libvirt would refuse only later: a host\n"
      "path that does not exist, a network subnet another network has, a bridge name a host\n"
      "interface has, an xml escape hatch libvirt's schema refuses. Such an object is left alone.\n"
      "--json prints one JSON document instead (schema_version 1, docs/json.md).\n"
      "The whole tree is always read; -t [KIND/]NAME (repeatable) plans only those objects. A\n"
      "PATH file inside the spec tree selects its objects (the tree is read whole); a file\n"
      "elsewhere is read alone, with a warning when a network is derived for its ip:.\n"
      "--all-hosts: every `kind: Host` through its uri, each by plan --host NAME -c URI (a child\n"
      "process each, 16 at a time, 30 s each), under a heading == NAME (URI) (docs/fleet.md).\n"
      "Exit status 0 when in sync, 2 when there are changes, 1 on error (--all-hosts: the worst\n"
      "host's; a Host without uri counts as an error).\n" },
    { .name = "apply", .opts = O_INSECURE | O_CONNECT | O_PRUNE | O_JSON | O_TARGET | O_HOST | O_ALL_HOSTS, .args = ARGS_PATHS,
      .synopsis = "[PATH…]",
      .summary = "converge libvirt with the specs once",
      .help = "Usage: virtspec apply [-c URI] [-t [KIND/]NAME]… [--prune] [--json] [PATH…]\n\n"
      "Runs the plan once. Objects are independent: one failing does not stop the others.\n"
      "  --prune   shut down and undefine owned domains no spec names (the daemon's rules:\n"
      "            volumes, NVRAM and TPM state kept unless the domain said\n"
      "            delete_volumes_on_removal). Only against the whole configured spec tree\n"
      "            (no PATH but that tree), read without a rejected file or walk error;\n"
      "            otherwise nothing is pruned and the exit status is 1\n"
      "  --json    one JSON document instead of text (docs/json.md)\n"
      "A domain another virtspec is restarting (reload) is waited for, then reconciled; one\n"
      "still restarting after its shutdown_timeout + 60 s fails.\n"
      "--all-hosts: every `kind: Host` through its uri, each by apply --host NAME -c URI (a child\n"
      "process each, 16 at a time); one host failing does not stop the others (docs/fleet.md).\n"
      "Exit status 1 if any object failed (--all-hosts: on any host, or a Host without uri).\n" },
    { .name = "destroy", .opts = O_INSECURE | O_CONNECT | O_JSON | O_TARGET | O_YES, .args = ARGS_PATHS,
      .synopsis = "[PATH…]",
      .summary = "remove what the tree (or -t) declares and virtspec owns: shown\nfirst (exit 2), done with --yes; volumes kept",
      .help = "Usage: virtspec destroy [-c URI] [-t [KIND/]NAME]… [--yes] [--json] [PATH…]\n\n"
      "Removes the objects the tree declares (no PATH: the configured spec tree; -t: only those)\n"
      "that virtspec owns: domains first (ACPI shutdown, forced after their shutdown_timeout;\n"
      "undefined; volumes, NVRAM and TPM state kept unless the domain's last applied spec said\n"
      "delete_volumes_on_removal), then networks (stopped and undefined), then pools (stopped and\n"
      "undefined; the directory and every volume in it kept, virtspec's ownership record removed).\n"
      "A network or pool a domain that stays defined still uses is refused, with its names; an\n"
      "object of a declared name virtspec does not own is left alone and reported.\n"
      "Without --yes, prints what it would do (- destroy KIND NAME) and changes nothing.\n"
      "  --yes     do it, printing each object's result; refused while the tree has errors\n"
      "  --json    one JSON document instead of text (docs/json.md)\n"
      "Exit status without --yes: 0 nothing to destroy, 2 something to destroy; 1 when an object\n"
      "is refused or not virtspec's, or the tree has errors (with --yes: 1 when any failed).\n" },
    { .name = "reload", .opts = O_INSECURE | O_CONNECT | O_SPECS, .args = ARGS_NAMES,
      .synopsis = "NAME…",
      .summary = "graceful shutdown, then start, so pending config takes effect",
      .help = "Usage: virtspec reload [-c URI] [--specs DIR] NAME…\n\n"
      "Gracefully shuts the named domains down (ACPI, forced off after shutdown_timeout), then\n"
      "starts them, so that pending configuration takes effect. The timeout is the spec's\n"
      "shutdown_timeout, read from --specs DIR (default " VIRTSPEC_SPEC_DIR "); 60 s for a domain\n"
      "without a spec there.\n" },
    { .name = "snapshot", .opts = O_CONNECT | O_YES | O_SPECS, .args = ARGS_SNAPSHOT,
      .synopsis = "create|list|revert|delete DOMAIN [NAME]",
      .summary = "a domain's snapshots: create and list them; revert and delete shown\nfirst (exit 2), done with --yes",
      .help = "Usage: virtspec snapshot create DOMAIN [NAME]\n"
      "       virtspec snapshot list DOMAIN\n"
      "       virtspec snapshot revert|delete [-c URI] [--specs DIR] [--yes] DOMAIN NAME\n\n"
      "create takes a snapshot of the domain (NAME default virtspec-YYYYmmdd-HHMMSS, UTC), marked\n"
      "as virtspec's in its description: internal (libvirt's virDomainSnapshotCreateXML; every\n"
      "writable disk qcow2, no pflash NVRAM), with the memory state when the domain runs; with\n"
      "pflash NVRAM (UEFI) external: a qcow2 overlay volume per disk in its pool plus a copy of\n"
      "the NVRAM file, the domain paused for it (crash-consistent, no memory state).\n"
      "list prints NAME, TIME (UTC), METHOD, STATE (the domain's when taken) and BY (virtspec or\n"
      "foreign), oldest first. revert and delete print what they would change (disks, definition,\n"
      "run state) and change nothing without --yes; an external snapshot is reverted on the\n"
      "shut-off domain (running: stopped as reload stops it, ACPI then forced off after the\n"
      "spec's shutdown_timeout from --specs DIR, 60 s without a spec, and started again after\n"
      "it), the volumes written since it kept. Only\n"
      "snapshots virtspec made are ever deleted by a spec's snapshots.keep; delete deletes the\n"
      "snapshot named, whoever made it (virtspec's external ones: the metadata, the NVRAM copy\n"
      "and the overlays nothing uses; the others kept and named).\n"
      "Every failure is printed with libvirt's error (docs/snapshots.md).\n"
      "Exit status 0 done, 2 revert or delete shown (not done: no --yes), 1 an error.\n" },
    { .name = "status", .opts = O_INSECURE | O_CONNECT | O_JSON | O_STATUS_FILE | O_TARGET, .args = ARGS_NAMES_PATHS,
      .synopsis = "[NAME|PATH…]",
      .summary = "per object: in-sync, drifted, reload-pending, failed, missing,\nforeign-conflict (--json; the running daemon's view when one runs)",
      .help = "Usage: virtspec status [--json] [-c URI] [--status-file PATH] [-t [KIND/]NAME]…\n"
      "                       [NAME…] [PATH…]\n\n"
      "NAME (or -t [KIND/]NAME): only that object, from the whole tree or the daemon's view.\n"
      "A table, per object: KIND NAME STATE ADDRESSES CHANGED (the age of the daemon's last\n"
      "change), the state in-sync, drifted, reload-pending, failed, missing or foreign-conflict,\n"
      "with the fields concerned under the row. Without PATH, while a daemon runs, its view\n"
      "(also orphaned objects, errors, reload-pending fields) from its status file\n"
      "($RUNTIME_DIRECTORY/status.json, default /run/virtspec/status.json); else the specs\n"
      "(PATH, default " VIRTSPEC_SPEC_DIR ") compared with libvirt once. --json: the same\n"
      "document either way (the daemon's status file, or computed; docs/json.md).\n"
      "Exit status 0 when every object is in sync, 2 when some have work left (drifted, missing,\n"
      "reload-pending, orphaned), 1 when one failed, has a foreign conflict or a spec file was\n"
      "rejected.\n" },
    { .name = "daemon", .opts = O_INSECURE | O_CONNECT | O_SPECS | O_DRIFT | O_PRUNE | O_STATUS_FILE | O_HOST | O_ALL_HOSTS, .args = ARGS_DIR,
      .synopsis = "[--specs DIR]",
      .summary = "keep libvirt converged with DIR, reacting to spec edits and to\nchanges made behind virtspec's back",
      .help = "Usage: virtspec daemon [--specs DIR] [-c URI] [--config FILE] [--drift correct|report]\n"
      "                       [--prune] [--status-file PATH] [--host NAME | --all-hosts]\n\n"
      "Watches DIR (default " VIRTSPEC_SPEC_DIR ") and keeps libvirt converged with it: a spec edit\n"
      "or a change made behind virtspec's back (virsh destroy, virsh edit) is reconciled within a\n"
      "second. Settings come from the configuration file (--config FILE, default\n"
      VIRTSPEC_CONFIG_FILE "; KEY = VALUE: specs, connect, resync_interval, concurrency,\n"
      "debounce_ms, max_backoff, drift, prune, prune_grace, status_file, host, all_hosts);\n"
      "flags win.\n"
      "  --host NAME      only the share of `kind: Host` NAME, as apply --host (docs/fleet.md)\n"
      "  --all-hosts      every `kind: Host` with a uri: a daemon --host NAME -c URI child each,\n"
      "                   status-NAME.json beside the status file, restarted when it dies\n"
      "  --drift report   only report drift (status, log); spec edits are still applied\n"
      "  --prune          shut down and undefine owned domains whose spec is gone (volumes kept,\n"
      "                   unless the domain said delete_volumes_on_removal: true) once the\n"
      "                   spec stayed gone prune_grace seconds (default 10)\n"
      "Status: $RUNTIME_DIRECTORY/status.json (default /run/virtspec/status.json).\n"
      "SIGHUP rereads the configuration file and every spec; SIGTERM finishes in-flight\n"
      "libvirt calls and exits.\n" },
    { .name = "sync", .opts = O_INSECURE | O_SPECS, .args = ARGS_NONE,
      .synopsis = "[--specs LINK]",
      .summary = "fetch the spec tree from git, check it, put it in force (a symlink swap)",
      .help = "Usage: virtspec sync [--specs LINK] [--config FILE]\n\n"
      "Fetches sync_ref of sync_remote (virtspec.conf) into a bare cache under sync_checkouts,\n"
      "checks its signature when sync_keyring is set (git verify-commit), checks the commit out\n"
      "into a new directory, validates it as `virtspec validate` does, and only then points the\n"
      "spec tree (specs, a symlink; default " VIRTSPEC_SPEC_DIR ") at it, atomically; the daemon\n"
      "follows. git runs as a program (no shell); sync_timeout bounds the fetch. docs/fleet.md.\n"
      "Exit status: 0 updated or unchanged; 3 the fetch failed (or timed out); 4 the commit is\n"
      "not signed by an allowed key; 5 held: the new revision has errors, the one in force\n"
      "stays; 1 other errors.\n" },
    { .name = "export", .opts = O_CONNECT | O_TEMPLATES, .args = ARGS_NAMES,
      .synopsis = "[--templates NAME] [KIND/]NAME…",
      .summary = "print a spec for existing domains, networks and pools",
      .help = "Usage: virtspec export [-c URI] [--templates NAME] [KIND/]NAME…\n\n"
      "Prints a spec for each named domain, network and pool (all kinds of that name; domain/NAME,\n"
      "network/NAME or pool/NAME picks one), read from its inactive definition: every key that\n"
      "can say a value says it; for domains the xml key keeps the rest (devices and settings no\n"
      "key covers). An object virtspec does not own gets adopt: true. The spec is checked before\n"
      "it is printed: rendering it and comparing it with the object must find no change;\n"
      "differences are reported on stderr and the exit status is 1.\n"
      "Graphics passwords are not exported.\n"
      "  --templates NAME  the values all the domains exported share (keys, and keys of maps;\n"
      "                    never name, uuid, title, mac, disks) go into a Template NAME, printed\n"
      "                    first; each domain's spec says from: [NAME] and only what differs\n" },
    { .name = "reference", .opts = O_VAGRANT | O_MAN, .args = ARGS_NONE,
      .synopsis = "[--vagrant|--man PAGE]",
      .summary = "print the spec reference (Markdown) or a manual page, generated from\nthe tables",
      .help = "Usage: virtspec reference [--vagrant | --man PAGE]\n\n"
      "Prints the spec reference (every key: type, default, change class, libvirt XML\n"
      "location, vagrant-libvirt name) as Markdown, generated from the key tables. It is the\n"
      "generated part of docs/spec-reference.md.\n"
      "  --vagrant   every vagrant-libvirt option instead: its key, XML and change class, or why\n"
      "              it has none (the generated part of docs/vagrant-libvirt.md)\n"
      "  --man PAGE  the manual page virtspec.8, virtspec.yaml.5 or virtspec.conf.5 in roff\n"
      "              (what meson builds and installs)\n" },
    { .name = "version", .opts = O_CONNECT, .args = ARGS_NONE,
      .synopsis = "",
      .summary = "print the versions of virtspec, the libvirt library and the libvirt\ndaemon -c URI (or the configured connection) runs",
      .help = "Usage: virtspec version [-c URI]\n\n"
      "Prints virtspec's version and the libvirt library's it runs with, then connects (read-only)\n"
      "and prints the version of the libvirt daemon and of the hypervisor behind the connection.\n"
      "--version prints the first two lines only, without connecting.\n"
      "Exit status 1 when the connection fails (the local versions are printed all the same).\n" },
};
const size_t cli_n_commands = ELEMENTSOF(cli_commands);

const CliOption cli_options[] = {
    { O_CONNECT, "--connect", 'c', "URI", NULL,
      "libvirt URI (default: connect in the configuration file, else\n$LIBVIRT_DEFAULT_URI, else qemu:///system)" },
    { O_EVERY, "--config", 0, "FILE", NULL,
      "configuration file (every command; default " VIRTSPEC_CONFIG_FILE ")" },
    { O_JSON, "--json", 0, NULL, NULL, "plan, apply, status, destroy: one JSON document (schema:\ndocs/json.md)" },
    { O_TARGET, "--target", 't', "[KIND/]NAME", NULL, "plan, apply, status, destroy: only this object\n(repeatable)" },
    { O_PRUNE, "--prune", 0, NULL, NULL, "plan, apply, daemon: owned domains no spec names are undefined" },
    { O_HOST, "--host", 0, "NAME", NULL,
      "plan, apply, placement, daemon: only the share of `kind: Host` NAME\n(docs/fleet.md; config: host =)" },
    { O_ALL_HOSTS, "--all-hosts", 0, NULL, NULL,
      "plan, apply, daemon: every `kind: Host` through its uri, each as\n--host NAME -c URI (agentless mode, docs/fleet.md; config: all_hosts =)" },
    { O_SPECS, "--specs", 0, "DIR", NULL, "spec directory (reload, snapshot revert: for shutdown_timeout)" },
    { O_DRIFT, "--drift", 0, "correct|report", drift_choices,
      "daemon: correct drift (correct, the default) or only report it (report)" },
    { O_STATUS_FILE, "--status-file", 0, "PATH", NULL, "daemon, status: the daemon's status file" },
    { O_INSECURE, "--insecure-spec-perms", 0, NULL, NULL,
      "accept spec files not owned by root or writable by group or\nothers (development and tests only)" },
    { O_SECRETS, "--show-secrets", 0, NULL, NULL, "render: print graphics passwords instead of masking them" },
    { O_KVM, "--host-kvm", 0, "yes|no", kvm_choices,
      "render: resolve domain_type auto as if the host had /dev/kvm or not" },
    { O_LIBVIRT, "--libvirt-version", 0, "X.Y", NULL,
      "render: for this libvirt (default 9.2 and later; before 9.2 no\n<portForward>: virtspec adds forwards through the QEMU monitor)" },
    { O_SEED, "--seed", 0, NULL, NULL, "render: print the cloud_init seeds' files instead of XML" },
    { O_EXPLAIN, "--explain", 0, NULL, NULL, "render: each key and where its value came from (spec or template)" },
    { O_TEMPLATES, "--templates", 0, "NAME", NULL,
      "export: the domains' shared values into a Template NAME" },
    { O_YES, "--yes", 0, NULL, NULL, "destroy, snapshot revert|delete: do it (without it: only show\nwhat it would do)" },
    { O_VAGRANT, "--vagrant", 0, NULL, NULL, "reference: the vagrant-libvirt option table" },
    { O_MAN, "--man", 0, "PAGE", man_choices,
      "reference: the manual page PAGE (virtspec.8, virtspec.yaml.5,\nvirtspec.conf.5) in roff" },
    { O_EVERY, "--help", 'h', NULL, NULL,
      "this help (also: virtspec COMMAND --help, virtspec help COMMAND)" },
    { 0, "--version", 0, NULL, NULL, "print the versions of virtspec and the libvirt library" },
};
const size_t cli_n_options = ELEMENTSOF(cli_options);

const CliExit cli_exits[] = {
    { 0, "success; plan and status: everything is in sync" },
    { 1, "an error: a spec was rejected, an object failed, libvirt could not be reached, or a "
         "usage error (an unknown option, or one the command does not take)" },
    { 2, "plan, status and destroy without --yes: there are changes to apply or work left (drifted, missing, "
         "reload-pending, orphaned objects)" },
    { 3, "sync: the git fetch failed or timed out (the revision in force stays)" },
    { 4, "sync: the fetched commit is not signed by a key of sync_keyring (refused)" },
    { 5, "sync: the fetched revision has errors: held at the revision in force" },
    { 78, "daemon: the configuration file is bad (EX_CONFIG; the unit does not restart the daemon "
          "for it)" },
};
const size_t cli_n_exits = ELEMENTSOF(cli_exits);

const CliCommand *cli_command_find(const char *name) {
    for (size_t i = 0; i < cli_n_commands; i++)
        if (streq(cli_commands[i].name, name))
            return &cli_commands[i];
    return NULL;
}

const CliOption *cli_option_of(unsigned bit) {
    for (size_t i = 0; i < cli_n_options; i++)
        if (cli_options[i].bit == bit)
            return &cli_options[i];
    return NULL;
}

/* Display width of UTF-8 text: code points, not bytes ("…" is one). */
static size_t width(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char) *s & 0xc0) != 0x80;
    return n;
}

/* "  LEFT" padded to column 22, then text whose further lines start at column 22. */
static void put_row(FILE *f, const char *left, const char *text) {
    size_t w = 2 + width(left);
    fprintf(f, "  %s", left);
    fprintf(f, "%*s", w < 21 ? (int) (22 - w) : (w == 21 ? 1 : 2), "");
    for (const char *p = text; *p; p++) {
        fputc(*p, f);
        if (*p == '\n')
            fprintf(f, "%22s", "");
    }
    fputc('\n', f);
}

void cli_print_main_help(FILE *f) {
    fputs("Usage: virtspec [OPTIONS] COMMAND [ARGS…]\n"
          "\n"
          "Keeps libvirt domains, networks and storage pools converged with YAML specs.\n"
          "\n"
          "Commands:\n", f);
    for (size_t i = 0; i < cli_n_commands; i++) {
        const CliCommand *c = &cli_commands[i];
        _cleanup_free_ char *left = xasprintf("%s%s%s", c->name, *c->synopsis ? " " : "", c->synopsis);
        put_row(f, left, c->summary);
    }
    fputs("\nOptions (each command accepts only its own: see virtspec COMMAND --help):\n", f);
    for (size_t i = 0; i < cli_n_options; i++) {
        const CliOption *o = &cli_options[i];
        _cleanup_free_ char *left = NULL;
        if (o->short_name)
            left = xasprintf("-%c, %s%s%s", o->short_name, o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        else
            left = xasprintf("    %s%s%s", o->name, o->arg ? (o->choices ? "=" : " ") : "",
                             o->arg ? o->arg : "");
        put_row(f, left, o->help);
    }
    fputs("\nPATH defaults to specs in the configuration file, else " VIRTSPEC_SPEC_DIR ". Directories\n"
          "are read recursively for *.yaml and *.yml, skipping names that start with a dot.\n", f);
}
