// SPDX-License-Identifier: GPL-2.0
/* The argument checks every subcommand shares (declared in cmd.h). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <unistd.h>
#include <net/if.h>

#include "cmd.h"
#include "log.h"

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
