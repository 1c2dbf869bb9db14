/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <unistd.h>

#include "config.h"
#include "cli.h"
#include "cli-table.h"
#include "image-fetch.h"
#include "log.h"

/* sysexits.h's EX_CONFIG: a bad configuration file, named in the log */
#define EXIT_CONFIG 78

/* 0 when every option given is one of cmd's; else prints the error and returns -EINVAL. */
static int check_cmd_opts(const char *cmd, unsigned given) {
    const CliCommand *c = cli_command_find(cmd);
    if (!c)
        return 0;   /* an unknown command is reported by the dispatch */
    unsigned bad = given & ~c->opts;
    if (!bad)
        return 0;
    fprintf(stderr, "virtspec: %s: option %s does not apply to this command (see 'virtspec %s "
            "--help')\n", cmd, cli_option_of(1u << __builtin_ctz(bad))->name, cmd);
    return -EINVAL;
}

/* --all-hosts drives every Host (docs/fleet.md): one named by --host is another mode. */
static int check_all_hosts(unsigned given) {
    if ((given & O_ALL_HOSTS) && (given & O_HOST)) {
        fprintf(stderr, "virtspec: --all-hosts and --host exclude each other: --all-hosts drives "
                "every `kind: Host` through its uri\n");
        return -EINVAL;
    }
    if ((given & O_ALL_HOSTS) && (given & O_TARGET)) {
        fprintf(stderr, "virtspec: -t with --all-hosts is not supported yet: a target placed on "
                "one host is not in the others' shares; use plan|apply --host NAME -c URI -t …\n");
        return -EINVAL;
    }
    return 0;
}

/* getopt's own messages name argv[0] (a full path, as often as not): ours say virtspec. */
static int usage_error(int c, char **argv) {
    const char *opt = argv[optind - 1];
    if (c == ':')
        fprintf(stderr, "virtspec: option %s needs an argument\n", opt);
    else if (optopt && !(opt[0] == '-' && opt[1] == '-'))
        fprintf(stderr, "virtspec: unknown option -%c\n", optopt);
    else
        fprintf(stderr, "virtspec: unknown option %s\n", opt);
    fputs("Try 'virtspec --help'.\n", stderr);
    return 1;
}

int main(int argc, char **argv) {
    enum { OPT_VERSION = 0x100, OPT_JSON, OPT_SECRETS, OPT_KVM, OPT_INSECURE, OPT_SPECS, OPT_CONFIG, OPT_DRIFT, OPT_PRUNE, OPT_STATUS_FILE, OPT_VAGRANT, OPT_MAN, OPT_SEED, OPT_YES, OPT_EXPLAIN, OPT_TEMPLATES, OPT_HOST, OPT_LIBVIRT, OPT_ALL_HOSTS };
    static const struct option longopts[] = {
        { "connect", required_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, OPT_VERSION },
        { "json", no_argument, NULL, OPT_JSON },
        { "show-secrets", no_argument, NULL, OPT_SECRETS },
        { "host-kvm", required_argument, NULL, OPT_KVM },
        { "libvirt-version", required_argument, NULL, OPT_LIBVIRT },
        { "insecure-spec-perms", no_argument, NULL, OPT_INSECURE },
        { "specs", required_argument, NULL, OPT_SPECS },
        { "config", required_argument, NULL, OPT_CONFIG },
        { "drift", required_argument, NULL, OPT_DRIFT },
        { "prune", no_argument, NULL, OPT_PRUNE },
        { "status-file", required_argument, NULL, OPT_STATUS_FILE },
        { "vagrant", no_argument, NULL, OPT_VAGRANT },
        { "man", required_argument, NULL, OPT_MAN },
        { "seed", no_argument, NULL, OPT_SEED },
        { "explain", no_argument, NULL, OPT_EXPLAIN },
        { "yes", no_argument, NULL, OPT_YES },
        { "templates", required_argument, NULL, OPT_TEMPLATES },
        { "host", required_argument, NULL, OPT_HOST },
        { "all-hosts", no_argument, NULL, OPT_ALL_HOSTS },
        { "target", required_argument, NULL, 't' },
        {},
    };
    CliOpts o = { .host_kvm = -1 };
    bool help = false;
    unsigned given = 0;
    int c;

    xmlInitParser();   /* once, before reconciles run on several threads */
    image_fetch_init();   /* libcurl's global init, likewise (workers fetch concurrently) */

    /* the shell's words are not ours to parse as options */
    if (argc >= 2 && streq(argv[1], "__complete"))
        return cmd_complete(argc - 2, argv + 2);

    /* Options may come before or after the command. */
    opterr = 0;
    while (optind < argc) {
        /* "--": every word after it is a path. Not left to getopt: in this loop, which resumes
         * it after each non-option, glibc's getopt answers "--" by moving optind back to the
         * first non-option it saw, the command, for ever. */
        if (streq(argv[optind], "--")) {
            for (optind++; optind < argc; optind++)
                *(char **) array_push(&o.paths, &o.n_paths, sizeof(char *)) = argv[optind];
            break;
        }
        c = getopt_long(argc, argv, "+:c:ht:", longopts, NULL);
        if (c < 0) {
            if (optind >= argc)
                break;
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
        case OPT_VERSION:
            cli_print_versions();
            free(o.paths);
            free(o.targets);
            return 0;
        case OPT_JSON: o.json = true; given |= O_JSON; break;
        case OPT_SECRETS: o.show_secrets = true; given |= O_SECRETS; break;
        case OPT_INSECURE: o.relaxed_perms = spec_trust_relaxed = true; given |= O_INSECURE; break;
        case OPT_SPECS: o.specs_dir = optarg; given |= O_SPECS; break;
        case OPT_CONFIG: o.config = optarg; break;
        case OPT_DRIFT: o.drift = optarg; given |= O_DRIFT; break;
        case OPT_PRUNE: o.prune = true; given |= O_PRUNE; break;
        case OPT_STATUS_FILE: o.status_file = optarg; given |= O_STATUS_FILE; break;
        case OPT_VAGRANT: o.vagrant = true; given |= O_VAGRANT; break;
        case OPT_MAN: o.man = optarg; given |= O_MAN; break;
        case OPT_SEED: o.seed = true; given |= O_SEED; break;
        case OPT_EXPLAIN: o.explain = true; given |= O_EXPLAIN; break;
        case OPT_YES: o.yes = true; given |= O_YES; break;
        case OPT_TEMPLATES: o.templates = optarg; given |= O_TEMPLATES; break;
        case OPT_HOST: o.host = optarg; given |= O_HOST; break;
        case OPT_ALL_HOSTS: o.all_hosts = true; given |= O_ALL_HOSTS; break;
        case OPT_LIBVIRT: o.libvirt_version = optarg; given |= O_LIBVIRT; break;
        case OPT_KVM:
            given |= O_KVM;
            if (streq(optarg, "yes"))
                o.host_kvm = 1;
            else if (streq(optarg, "no"))
                o.host_kvm = 0;
            else {
                fprintf(stderr, "virtspec: --host-kvm takes yes or no\n");
                free(o.paths);
                free(o.targets);
                return 1;
            }
            break;
        default:
            free(o.paths);
            free(o.targets);
            return usage_error(c, argv);
        }
    }
    if (o.n_paths == 0) {
        free(o.targets);
        if (!help)
            fputs("virtspec: no command given\n\n", stderr);
        cli_print_main_help(help ? stdout : stderr);
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
        const CliCommand *hc = cli_command_find(cmd);
        if (hc)
            fputs(hc->help, stdout);
        else
            cli_print_main_help(stdout);
        free(o.paths - 1);
        free(o.targets);
        return 0;
    }
    if (check_cmd_opts(cmd, given) < 0 || check_all_hosts(given) < 0) {
        free(o.paths - 1);
        free(o.targets);
        return 1;
    }
    log_setup();
    /* One configuration for every command and the daemon; the flags win over the file. */
    _cleanup_(daemon_config_clear) DaemonConfig cfg = {};
    ConfigOverrides ovr = {
        .file = o.config, .specs_dir = o.specs_dir, .uri = o.connect, .status_path = o.status_file,
        .drift = o.drift, .prune = o.prune, .host = o.host,
        .all_hosts = o.all_hosts && streq(cmd, "daemon"),
    };
    if (streq(cmd, "daemon") && !ovr.specs_dir && o.n_paths > 0)
        ovr.specs_dir = o.paths[0];   /* virtspec daemon DIR */
    if (daemon_config_resolve(&cfg, &ovr) < 0) {
        free(o.paths - 1);
        free(o.targets);
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
    o.host = cfg.host;
    int r;
    /* Commands that change nothing report untrusted spec files; apply and daemon refuse them. */
    spec_trust_warn_only = streq(cmd, "validate") || streq(cmd, "render") || streq(cmd, "plan") || streq(cmd, "placement") || streq(cmd, "fleet") ||
                           streq(cmd, "status") || streq(cmd, "reference") || streq(cmd, "export") ||
                           streq(cmd, "version") || (streq(cmd, "destroy") && !o.yes);
    if (streq(cmd, "validate"))
        r = cmd_validate(&o);
    else if (streq(cmd, "render"))
        r = cmd_render(&o);
    else if ((streq(cmd, "plan") || streq(cmd, "apply")) && o.all_hosts)
        r = cmd_all_hosts(&o, cmd);
    else if (streq(cmd, "plan"))
        r = cmd_plan(&o);
    else if (streq(cmd, "placement"))
        r = cmd_placement(&o);
    else if (streq(cmd, "fleet"))
        r = cmd_fleet(&o);
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
    else if (streq(cmd, "sync"))
        r = cmd_sync(&o);
    else if (streq(cmd, "destroy"))
        r = cmd_destroy(&o);
    else if (streq(cmd, "snapshot"))
        r = cmd_snapshot(&o);
    else if (streq(cmd, "version")) {
        r = cmd_version(&o);
    }
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
