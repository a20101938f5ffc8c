// SPDX-License-Identifier: GPL-2.0
/*
 * shakeoff detach IFACE: stop a running daemon, or clean up after one that
 * died: its XDP program, its TC filter (and qdisc), its pinned maps.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>

#include "attach.h"
#include "cmd.h"
#include "log.h"
#include "pin.h"

#define CMD "detach"

static bool alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

int cmd_detach(int argc, char **argv)
{
	struct so_status st = {};
	const char *ifname;
	bool pinned, xdp, removed = false;
	int ifindex, i;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: shakeoff detach IFACE\n\n"
		       "Stop the shakeoff daemon on IFACE, or remove what one that died left\n"
		       "behind: the XDP program, the TC filter, the pinned maps.\n");
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-') {
		so_err(CMD ": expected exactly one interface (see shakeoff detach --help)");
		return EXIT_USAGE;
	}
	ifname = argv[1];
	if (need_root(CMD))
		return EXIT_RUNTIME;
	bpffs_ensure();
	pinned = status_read(ifname, &st) == 0;
	ifindex = if_nametoindex(ifname);
	if (!pinned && !ifindex) {
		so_err(CMD ": %s: no such interface", ifname);
		return EXIT_USAGE;
	}
	if (pinned && alive(st.pid)) {
		/* A live daemon cleans up after itself: ask it to. */
		kill(st.pid, SIGTERM);
		for (i = 0; i < 50 && alive(st.pid); i++)
			usleep(100000);
		if (!alive(st.pid)) {
			printf("%s: stopped shakeoff (pid %u)\n", ifname, st.pid);
			return 0;
		}
		so_err(CMD ": %s: pid %u ignores SIGTERM: cleaning up under it", ifname, st.pid);
	}
	xdp = ifindex && xdp_is_ours(ifindex);
	if (xdp && xdp_detach_ours(ifindex) == 0)
		removed = true;
	if (ifindex && tc_detach(ifindex, pinned && st.qdisc_created) == 0)
		removed = true;
	if (pinned) {
		pin_remove(ifname);
		removed = true;
	}
	if (!removed) {
		so_err(CMD ": %s: shakeoff is not attached", ifname);
		return EXIT_RUNTIME;
	}
	printf("%s: detached\n", ifname);
	return 0;
}
