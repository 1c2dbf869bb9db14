/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <unistd.h>

#include "config.h"
#include "cli.h"
#include "log.h"

/* sysexits.h's EX_CONFIG: a bad configuration file, named in the log */
#define EXIT_CONFIG 78

static const char *const main_help =
    "Usage: virtspec [OPTIONS] COMMAND [ARGS…]\n"
    "\n"
    "Keeps libvirt domains, networks and storage pools converged with YAML specs.\n"
    "\n"
    "Commands:\n"
    "  validate [PATH…]    check specs; print every problem as FILE:LINE:COL\n"
    "  render [PATH…]      print the libvirt XML each spec produces\n"
    "  plan [PATH…]        show what apply would change (exit 0 in sync, 2 changes, 1 error)\n"
    "                      (plan, apply, status: -t [KIND/]NAME selects objects of the tree)\n"
    "  apply [PATH…]       converge libvirt with the specs once\n"
    "  reload NAME…        graceful shutdown, then start, so pending config takes effect\n"
    "  status [NAME|PATH…] per object: in-sync, drifted, reload-pending, failed, missing,\n"
    "                      foreign-conflict (--json; the running daemon's view when one runs)\n"
    "  daemon [--specs DIR] keep libvirt converged with DIR, reacting to spec edits and to\n"
    "                      changes made behind virtspec's back\n"
    "  export [KIND/]NAME… print a spec for existing domains, networks and pools\n"
    "\n"
    "Options (each command accepts only its own: see virtspec COMMAND --help):\n"
    "  -c, --connect URI   libvirt URI (default: connect in the configuration file, else\n"
    "                      $LIBVIRT_DEFAULT_URI, else qemu:///system)\n"
    "      --config FILE   configuration file (every command; default " VIRTSPEC_CONFIG_FILE ")\n"
    "      --json          plan, apply, status: one JSON document (schema: docs/json.md)\n"
    "  -t, --target [KIND/]NAME  plan, apply, status: only this object (repeatable)\n"
    "      --prune         plan, apply, daemon: owned domains no spec names are undefined\n"
    "      --specs DIR     spec directory (reload: for shutdown_timeout)\n"
    "      --insecure-spec-perms  accept spec files not owned by root or writable by group or\n"
    "                      others (development and tests only)\n"
    "      --show-secrets  render: print graphics passwords instead of masking them\n"
    "      --host-kvm=yes|no  render: resolve domain_type auto as if the host had /dev/kvm or not\n"
    "      --seed          render: print the cloud_init seeds' files instead of XML\n"
    "  -h, --help          this help (also: virtspec COMMAND --help, virtspec help COMMAND)\n"
    "      --version       print the version\n"
    "\n"
    "PATH defaults to specs in the configuration file, else " VIRTSPEC_SPEC_DIR ". Directories are read recursively for *.yaml and\n"
    "*.yml, skipping names that start with a dot.\n";

static const struct { const char *cmd, *help; } cmd_help[] = {
    { "validate", "Usage: virtspec validate [PATH…]\n\n"
      "Parses and checks every spec. Prints each problem as FILE:LINE:COL: error: MESSAGE.\n"
      "Exit status 0 when every spec is valid, 1 otherwise.\n" },
    { "render", "Usage: virtspec render [--show-secrets] [--host-kvm=yes|no] [--seed] [PATH…]\n\n"
      "Prints, per object, the libvirt XML its spec produces (byte-for-byte deterministic).\n"
      "Graphics passwords are masked unless --show-secrets is given.\n"
      "--seed prints each cloud_init seed's files instead (meta-data, user-data,\n"
      "network-config: what apply uploads; password hashes masked unless --show-secrets;\n"
      "network auto takes each network's facts from its spec).\n" },
    { "plan", "Usage: virtspec plan [-c URI] [-t [KIND/]NAME]… [--prune] [--json] [PATH…]\n\n"
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
      "Exit status 0 when in sync, 2 when there are changes, 1 on error.\n" },
    { "apply", "Usage: virtspec apply [-c URI] [-t [KIND/]NAME]… [--prune] [--json] [PATH…]\n\n"
      "Runs the plan once. Objects are independent: one failing does not stop the others.\n"
      "  --prune   shut down and undefine owned domains no spec names (the daemon's rules:\n"
      "            volumes, NVRAM and TPM state kept unless the domain said\n"
      "            delete_volumes_on_removal). Only against the whole configured spec tree\n"
      "            (no PATH but that tree), read without a rejected file or walk error;\n"
      "            otherwise nothing is pruned and the exit status is 1\n"
      "  --json    one JSON document instead of text (docs/json.md)\n"
      "Exit status 1 if any object failed.\n" },
    { "reload", "Usage: virtspec reload [-c URI] [--specs DIR] NAME…\n\n"
      "Gracefully shuts the named domains down (ACPI, forced off after shutdown_timeout), then\n"
      "starts them, so that pending configuration takes effect. The timeout is the spec's\n"
      "shutdown_timeout, read from --specs DIR (default " VIRTSPEC_SPEC_DIR "); 60 s for a domain\n"
      "without a spec there.\n" },
    { "daemon", "Usage: virtspec daemon [--specs DIR] [-c URI] [--config FILE] [--drift correct|report]\n"
      "                       [--prune] [--status-file PATH]\n\n"
      "Watches DIR (default " VIRTSPEC_SPEC_DIR ") and keeps libvirt converged with it: a spec edit\n"
      "or a change made behind virtspec's back (virsh destroy, virsh edit) is reconciled within a\n"
      "second. Settings come from the configuration file (--config FILE, default\n"
      VIRTSPEC_CONFIG_FILE "; KEY = VALUE: specs, connect, resync_interval, concurrency,\n"
      "debounce_ms, max_backoff, drift, prune, status_file); flags win.\n"
      "  --drift report   only report drift (status, log); spec edits are still applied\n"
      "  --prune          shut down and undefine owned domains whose spec is gone (volumes kept,\n"
      "                   unless the domain said delete_volumes_on_removal: true)\n"
      "Status: $RUNTIME_DIRECTORY/status.json (default /run/virtspec/status.json).\n"
      "SIGHUP rereads the configuration file and every spec; SIGTERM finishes in-flight\n"
      "libvirt calls and exits.\n" },
    { "status", "Usage: virtspec status [--json] [-c URI] [--status-file PATH] [-t [KIND/]NAME]…\n"
      "                       [NAME…] [PATH…]\n\n"
      "NAME (or -t [KIND/]NAME): only that object, from the whole tree or the daemon's view.\n"
      "Shows, per object: in-sync, drifted, reload-pending, failed, missing or\n"
      "foreign-conflict, with the fields concerned. Without PATH, while a daemon runs, its view\n"
      "(also orphaned objects, errors, reload-pending fields) from its status file\n"
      "($RUNTIME_DIRECTORY/status.json, default /run/virtspec/status.json); else the specs\n"
      "(PATH, default " VIRTSPEC_SPEC_DIR ") compared with libvirt once. --json: the same\n"
      "document either way (the daemon's status file, or computed; docs/json.md).\n"
      "Exit status 0 when every object is in sync, 2 when some have work left (drifted, missing,\n"
      "reload-pending, orphaned), 1 when one failed, has a foreign conflict or a spec file was\n"
      "rejected.\n" },
    { "export", "Usage: virtspec export [-c URI] [KIND/]NAME…\n\n"
      "Prints a spec for each named domain, network and pool (all kinds of that name; domain/NAME,\n"
      "network/NAME or pool/NAME picks one), read from its inactive definition: every key that\n"
      "can say a value says it; for domains the xml key keeps the rest (devices and settings no\n"
      "key covers). An object virtspec does not own gets adopt: true. The spec is checked before\n"
      "it is printed: rendering it and comparing it with the object must find no change;\n"
      "differences are reported on stderr and the exit status is 1.\n"
      "Graphics passwords are not exported.\n" },
    { "reference", "Usage: virtspec reference [--vagrant]\n\n"
      "Prints the spec reference (every key: type, default, change class, libvirt XML\n"
      "location, vagrant-libvirt name) as Markdown, generated from the key tables. It is the\n"
      "generated part of docs/spec-reference.md.\n"
      "  --vagrant   every vagrant-libvirt option instead: its key, XML and change class, or why\n"
      "              it has none (the generated part of docs/vagrant-libvirt.md)\n" },
};

/* Each command accepts only its own options: one it would ignore is a usage error (exit 1,
 * like an unknown option), so that `validate --prune` or `plan --json` never pretends to work. */
enum {
    O_CONNECT = 1 << 0, O_JSON = 1 << 1, O_SECRETS = 1 << 2, O_KVM = 1 << 3, O_INSECURE = 1 << 4,
    O_SPECS = 1 << 5, O_DRIFT = 1 << 6, O_PRUNE = 1 << 7, O_STATUS_FILE = 1 << 8,
    O_VAGRANT = 1 << 9, O_TARGET = 1 << 10, O_SEED = 1 << 11,
};

static const struct { const char *cmd; unsigned opts; } cmd_opts[] = {
    { "validate",  O_INSECURE },
    { "render",    O_INSECURE | O_SECRETS | O_KVM | O_SEED },
    { "plan",      O_INSECURE | O_CONNECT | O_PRUNE | O_JSON | O_TARGET },
    { "apply",     O_INSECURE | O_CONNECT | O_PRUNE | O_JSON | O_TARGET },
    { "status",    O_INSECURE | O_CONNECT | O_JSON | O_STATUS_FILE | O_TARGET },
    { "reload",    O_INSECURE | O_CONNECT | O_SPECS },
    { "daemon",    O_INSECURE | O_CONNECT | O_SPECS | O_DRIFT | O_PRUNE | O_STATUS_FILE },
    { "export",    O_CONNECT },
    { "reference", O_VAGRANT },
};

static const char *const opt_names[] = {
    "--connect", "--json", "--show-secrets", "--host-kvm", "--insecure-spec-perms", "--specs",
    "--drift", "--prune", "--status-file", "--vagrant", "--target", "--seed",
};

/* 0 when every option given is one of cmd's; else prints the error and returns -EINVAL. */
static int check_cmd_opts(const char *cmd, unsigned given) {
    for (size_t i = 0; i < ELEMENTSOF(cmd_opts); i++) {
        if (!streq(cmd, cmd_opts[i].cmd))
            continue;
        unsigned bad = given & ~cmd_opts[i].opts;
        if (!bad)
            return 0;
        fprintf(stderr, "virtspec %s: option %s does not apply to this command (see 'virtspec %s "
                "--help')\n", cmd, opt_names[__builtin_ctz(bad)], cmd);
        return -EINVAL;
    }
    return 0;   /* an unknown command is reported by the dispatch */
}

int main(int argc, char **argv) {
    enum { OPT_VERSION = 0x100, OPT_JSON, OPT_SECRETS, OPT_KVM, OPT_INSECURE, OPT_SPECS, OPT_CONFIG, OPT_DRIFT, OPT_PRUNE, OPT_STATUS_FILE, OPT_VAGRANT, OPT_SEED };
    static const struct option longopts[] = {
        { "connect", required_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, OPT_VERSION },
        { "json", no_argument, NULL, OPT_JSON },
        { "show-secrets", no_argument, NULL, OPT_SECRETS },
        { "host-kvm", required_argument, NULL, OPT_KVM },
        { "insecure-spec-perms", no_argument, NULL, OPT_INSECURE },
        { "specs", required_argument, NULL, OPT_SPECS },
        { "config", required_argument, NULL, OPT_CONFIG },
        { "drift", required_argument, NULL, OPT_DRIFT },
        { "prune", no_argument, NULL, OPT_PRUNE },
        { "status-file", required_argument, NULL, OPT_STATUS_FILE },
        { "vagrant", no_argument, NULL, OPT_VAGRANT },
        { "seed", no_argument, NULL, OPT_SEED },
        { "target", required_argument, NULL, 't' },
        {},
    };
    CliOpts o = { .host_kvm = -1 };
    bool help = false;
    unsigned given = 0;
    int c;

    xmlInitParser();   /* once, before reconciles run on several threads */

    /* Options may come before or after the command. */
    while ((c = getopt_long(argc, argv, "+c:ht:", longopts, NULL)) >= 0 || optind < argc) {
        if (c < 0) {
            /* a non-option: the command or a path */
            *(char **) array_push(&o.paths, &o.n_paths, sizeof(char *)) = argv[optind++];
            continue;
        }
        switch (c) {
        case 'c': o.connect = optarg; given |= O_CONNECT; break;
        case 'h': help = true; break;
        case 't':
            *(char **) array_push(&o.targets, &o.n_targets, sizeof(char *)) = optarg;
            given |= O_TARGET;
            break;
        case OPT_VERSION: printf("virtspec %s\n", VIRTSPEC_VERSION); return 0;
        case OPT_JSON: o.json = true; given |= O_JSON; break;
        case OPT_SECRETS: o.show_secrets = true; given |= O_SECRETS; break;
        case OPT_INSECURE: o.relaxed_perms = spec_trust_relaxed = true; given |= O_INSECURE; break;
        case OPT_SPECS: o.specs_dir = optarg; given |= O_SPECS; break;
        case OPT_CONFIG: o.config = optarg; break;
        case OPT_DRIFT: o.drift = optarg; given |= O_DRIFT; break;
        case OPT_PRUNE: o.prune = true; given |= O_PRUNE; break;
        case OPT_STATUS_FILE: o.status_file = optarg; given |= O_STATUS_FILE; break;
        case OPT_VAGRANT: o.vagrant = true; given |= O_VAGRANT; break;
        case OPT_SEED: o.seed = true; given |= O_SEED; break;
        case OPT_KVM:
            given |= O_KVM;
            if (streq(optarg, "yes"))
                o.host_kvm = 1;
            else if (streq(optarg, "no"))
                o.host_kvm = 0;
            else {
                fprintf(stderr, "virtspec: --host-kvm takes yes or no\n");
                return 1;
            }
            break;
        default:
            fprintf(stderr, "Try 'virtspec --help'.\n");
            return 1;
        }
    }
    if (o.n_paths == 0) {
        fputs(main_help, help ? stdout : stderr);
        return help ? 0 : 1;
    }
    const char *cmd = o.paths[0];
    o.paths++;
    o.n_paths--;
    if (streq(cmd, "help")) {   /* virtspec help [COMMAND] */
        help = true;
        cmd = o.n_paths > 0 ? o.paths[0] : "";
    }
    if (help) {
        for (size_t i = 0; i < ELEMENTSOF(cmd_help); i++)
            if (streq(cmd, cmd_help[i].cmd)) {
                fputs(cmd_help[i].help, stdout);
                return 0;
            }
        fputs(main_help, stdout);
        return 0;
    }
    if (check_cmd_opts(cmd, given) < 0) {
        free(o.paths - 1);
        return 1;
    }
    log_setup();
    /* One configuration for every command and the daemon; the flags win over the file. */
    _cleanup_(daemon_config_clear) DaemonConfig cfg = {};
    ConfigOverrides ovr = {
        .file = o.config, .specs_dir = o.specs_dir, .uri = o.connect, .status_path = o.status_file,
        .drift = o.drift, .prune = o.prune,
    };
    if (streq(cmd, "daemon") && !ovr.specs_dir && o.n_paths > 0)
        ovr.specs_dir = o.paths[0];   /* virtspec daemon DIR */
    if (daemon_config_resolve(&cfg, &ovr) < 0) {
        free(o.paths - 1);
        /* the daemon: EX_CONFIG, which the unit does not restart (RestartPreventExitStatus=78):
         * the same file fails every start */
        return streq(cmd, "daemon") ? EXIT_CONFIG : 1;
    }
    o.cfg = &cfg;
    if (streq(cmd, "status")) {
        /* virtspec status web1: an argument that is no file or directory names an object */
        size_t k = 0;
        for (size_t i = 0; i < o.n_paths; i++)
            if (access(o.paths[i], F_OK) < 0)
                *(char **) array_push(&o.targets, &o.n_targets, sizeof(char *)) = o.paths[i];
            else
                o.paths[k++] = o.paths[i];
        o.n_paths = k;
    }
    o.connect = cfg.uri;
    o.specs_dir = cfg.specs_dir;
    o.status_file = cfg.status_path;
    int r;
    /* Commands that change nothing report untrusted spec files; apply and daemon refuse them. */
    spec_trust_warn_only = streq(cmd, "validate") || streq(cmd, "render") || streq(cmd, "plan") ||
                           streq(cmd, "status") || streq(cmd, "reference") || streq(cmd, "export");
    if (streq(cmd, "validate"))
        r = cmd_validate(&o);
    else if (streq(cmd, "render"))
        r = cmd_render(&o);
    else if (streq(cmd, "plan"))
        r = cmd_plan(&o);
    else if (streq(cmd, "apply"))
        r = cmd_apply(&o);
    else if (streq(cmd, "status"))
        r = cmd_status(&o);
    else if (streq(cmd, "reference"))
        r = cmd_reference(&o);
    else if (streq(cmd, "export"))
        r = cmd_export(&o);
    else if (streq(cmd, "daemon"))
        r = cmd_daemon(&o);
    else if (streq(cmd, "reload")) {
        r = cmd_reload(&o, o.paths, o.n_paths);
    } else {
        fprintf(stderr, "virtspec: unknown command '%s'. Try 'virtspec --help'.\n", cmd);
        r = 1;
    }
    free(o.paths - 1);
    free(o.targets);
    return r;
}
