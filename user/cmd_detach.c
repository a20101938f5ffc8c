// SPDX-License-Identifier: GPL-2.0
/*
 * shakeoff detach IFACE: stop a running daemon, or clean up after one that
 * died: its XDP program, its TC link or filter (and qdisc), its close hook,
 * its pinned maps.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>

#include "attach.h"
#include "cli.h"
#include "cmd.h"
#include "log.h"
#include "maps.h"
#include "pin.h"

#define CMD "detach"

int cmd_detach(int argc, char **argv)
{
	struct so_status st = {};
	struct so_maps m;
	const char *ifname = NULL;
	char pin[256];
	bool known, removed = false;
	__u32 zero = 0;
	int ifindex, i, opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, SO_SHORTOPTS, so_opts_detach, NULL)) != -1) {
		if (opt != 'h')
			return usage_error(CMD, argc, argv, opt);
		fputs(so_usage_detach, stdout);
		return 0;
	}
	if (iface_positional(CMD, argc, argv, &ifname, true))
		return EXIT_USAGE;
	if (need_root(CMD))
		return EXIT_RUNTIME;
	/* The pins are where the links live: see the host's bpffs. */
	bpffs_ensure();
	ifindex = if_nametoindex(ifname);
	known = so_maps_open(ifname, &m) == 0;
	if (known) {
		if (m.fd[SO_MAP_STATUS] >= 0)
			bpf_map_lookup_elem(m.fd[SO_MAP_STATUS], &zero, &st);
		so_maps_close(&m);
	}
	if (!known && !ifindex) {
		so_err(CMD ": %s: no such interface", ifname);
		return EXIT_USAGE;
	}
	if (daemon_alive(st.pid)) {
		/* A live daemon cleans up after itself: ask it to. */
		kill(st.pid, SIGTERM);
		for (i = 0; i < 50 && daemon_alive(st.pid); i++)
			usleep(100000);
		if (!daemon_alive(st.pid)) {
			printf("%s: stopped shakeoff (pid %u)\n", ifname, st.pid);
			return 0;
		}
		so_err(CMD ": %s: pid %u ignores SIGTERM: cleaning up under it", ifname, st.pid);
	}
	if (ifindex && xdp_detach_ours(ifindex) == 0)
		removed = true;
	pin_path(pin, sizeof(pin), ifname, SO_PIN_TC_LINK);
	if (tc_detach(ifindex, pin, st.qdisc_created) == 0)
		removed = true;
	if (known) {
		pin_remove(ifname); /* the close hook's link goes with its pin */
		removed = true;
	}
	if (!removed) {
		so_err(CMD ": %s: shakeoff is not attached", ifname);
		return EXIT_RUNTIME;
	}
	printf("%s: detached\n", ifname);
	return 0;
}
