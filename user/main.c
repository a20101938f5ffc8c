// SPDX-License-Identifier: GPL-2.0
/* shakeoff: the command table. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "log.h"

/* Their summaries and options are in docs/cli.py (cli.h is made of it). */
static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} cmds[] = {
    {"run", cmd_run}, {"backend", cmd_backend}, {"status", cmd_status}, {"stats", cmd_stats},
    {"top", cmd_top}, {"events", cmd_events},	{"detach", cmd_detach},
};

int main(int argc, char **argv)
{
	size_t i;
	int a = 1;

	while (a < argc && argv[a][0] == '-') {
		if (!strcmp(argv[a], "-v") || !strcmp(argv[a], "--verbose")) {
			so_verbose = 1;
		} else if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			fputs(so_usage_main, stdout);
			return 0;
		} else if (!strcmp(argv[a], "--version")) {
			printf("shakeoff %s\n", SO_VERSION);
			return 0;
		} else {
			so_err("unknown option %s (see shakeoff --help)", argv[a]);
			return EXIT_USAGE;
		}
		a++;
	}
	if (a == argc) {
		fputs(so_usage_main, stderr);
		return EXIT_USAGE;
	}
	so_log_libs();
	for (i = a + 1; i < (size_t)argc; i++)
		if (!strcmp(argv[i], "--json"))
			so_json_errors = 1;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[a], cmds[i].name))
			return cmds[i].fn(argc - a, argv + a);
	if (!strcmp(argv[a], "help")) {
		fputs(so_usage_main, stdout);
		return 0;
	}
	so_err("unknown command '%s' (see shakeoff --help)", argv[a]);
	return EXIT_USAGE;
}
