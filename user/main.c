// SPDX-License-Identifier: GPL-2.0
/* shakeoff: the command table. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
