// SPDX-License-Identifier: GPL-2.0
/* shakeoff: the command table. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>

#include "cmd.h"
#include "log.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} cmds[] = {
	{ "run", cmd_run, "attach to an interface and shield its ports (foreground)" },
	{ "status", cmd_status, "what is attached where" },
	{ "stats", cmd_stats, "counters of an interface" },
	{ "events", cmd_events, "stream handshakes, expiries and backlog switches" },
	{ "detach", cmd_detach, "remove what a crashed daemon left behind" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: shakeoff [-v] COMMAND [ARGS]   (COMMAND --help for its options)\n\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
}

int usage_error(const char *cmd, int argc, char **argv, int opt)
{
	const char *arg = optind - 1 < argc ? argv[optind - 1] : "";

	if (opt == ':')
		so_err("%s: %s needs an argument", cmd, arg);
	else
		so_err("%s: unknown option %s (see shakeoff %s --help)", cmd, arg, cmd);
	return EXIT_USAGE;
}

int iface_positional(const char *cmd, int argc, char **argv, const char **ifname, bool required)
{
	if (optind < argc)
		*ifname = argv[optind++];
	if (optind < argc) {
		so_err("%s: unexpected argument %s", cmd, argv[optind]);
		return -1;
	}
	if (required && !*ifname) {
		so_err("%s: which interface? (see shakeoff %s --help)", cmd, cmd);
		return -1;
	}
	return 0;
}

int iface_arg(const char *cmd, const char *ifname)
{
	int ifindex = if_nametoindex(ifname);

	if (!ifindex)
		so_err("%s: %s: no such interface", cmd, ifname);
	return ifindex;
}

long num_arg(const char *cmd, const char *flag, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		so_err("%s: %s %s: expected a number from %ld to %ld", cmd, flag, s, min, max);
		return -1;
	}
	return v;
}

int need_root(const char *cmd)
{
	if (geteuid() == 0)
		return 0;
	so_err("%s: must run as root (it loads BPF programs and maps)", cmd);
	return -1;
}

int main(int argc, char **argv)
{
	size_t i;
	int a = 1;

	while (a < argc && argv[a][0] == '-') {
		if (!strcmp(argv[a], "-v") || !strcmp(argv[a], "--verbose")) {
			so_verbose = 1;
		} else if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			usage(stdout);
			return 0;
		} else {
			so_err("unknown option %s (see shakeoff --help)", argv[a]);
			return EXIT_USAGE;
		}
		a++;
	}
	if (a == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	so_log_libs();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[a], cmds[i].name))
			return cmds[i].fn(argc - a, argv + a);
	if (!strcmp(argv[a], "help")) {
		usage(stdout);
		return 0;
	}
	so_err("unknown command '%s' (see shakeoff --help)", argv[a]);
	return EXIT_USAGE;
}
