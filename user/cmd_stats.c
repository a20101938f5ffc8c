// SPDX-License-Identifier: GPL-2.0
/* shakeoff stats IFACE: the per-CPU counters, summed, from the pinned map. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cmd.h"
#include "json.h"
#include "log.h"
#include "pin.h"
#include "shakeoff.h"
#include "tables.h"

#define CMD "stats"

#define SO_STAT_NAME(e, name, desc) { #name, desc },
static const struct {
	const char *name, *desc;
} stat_info[SO_STAT_MAX] = { SO_STATS(SO_STAT_NAME) };
#undef SO_STAT_NAME

struct counters {
	__u64 v[SO_STAT_MAX];
	__u64 dropped_malformed; /* the drop reasons together */
	struct tables_now now; /* what the tables hold */
};

static int counters_read(int fd, struct counters *c)
{
	__u32 i;
	int err;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < SO_STAT_MAX; i++) {
		err = stat_sum(fd, i, &c->v[i]);
		if (err)
			return err;
		if (i >= SO_STAT_DROP_FIRST)
			c->dropped_malformed += c->v[i];
	}
	return 0;
}

static int stats_read(const char *ifname, int fd, struct counters *c)
{
	int err = counters_read(fd, c);

	if (!err)
		tables_now(ifname, &c->now);
	return err;
}

static void print_json(const char *ifname, const struct counters *c)
{
	struct json j;
	int i;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_str(&j, "iface", ifname);
	json_u64(&j, "time", time(NULL));
	for (i = 0; i < SO_STAT_MAX; i++)
		json_u64(&j, stat_info[i].name, c->v[i]);
	json_u64(&j, "dropped_malformed", c->dropped_malformed);
	json_u64(&j, "half_open", c->now.half_open);
	json_u64(&j, "flows", c->now.flows);
	json_str(&j, "backlog", c->now.backlog);
	json_u64(&j, "rtt_samples", c->now.rtt.samples);
	json_u64(&j, "rtt_p50_us", c->now.rtt.p50_us);
	json_u64(&j, "rtt_p90_us", c->now.rtt.p90_us);
	json_u64(&j, "rtt_p99_us", c->now.rtt.p99_us);
	json_obj_end(&j);
	fflush(stdout);
}

static void print_row(const char *name, __u64 v, const __u64 *prev, int secs, const char *desc)
{
	printf("  %-18s %14llu", name, (unsigned long long)v);
	if (prev)
		printf(" %12.0f/s", (double)(v - *prev) / secs);
	printf("  %s\n", desc);
}

static void print_table(const char *ifname, const struct counters *c,
			const struct counters *prev, int secs)
{
	int i;

	printf("%s\n", ifname);
	for (i = 0; i < SO_STAT_MAX; i++)
		print_row(stat_info[i].name, c->v[i], prev ? &prev->v[i] : NULL, secs,
			  stat_info[i].desc);
	print_row("dropped_malformed", c->dropped_malformed,
		  prev ? &prev->dropped_malformed : NULL, secs, "malformed frames dropped (all reasons)");
	printf("  %-18s %14u  half-open entries now (backlog: %s)\n", "half_open",
	       c->now.half_open, c->now.backlog);
	printf("  %-18s %14ld  connections tracked now\n", "flows", c->now.flows);
	if (c->now.rtt.samples)
		printf("  %-18s %14llu  handshake RTT p50 %.3f ms, p90 %.3f ms, p99 %.3f ms\n",
		       "rtt_samples", (unsigned long long)c->now.rtt.samples,
		       c->now.rtt.p50_us / 1000.0, c->now.rtt.p90_us / 1000.0,
		       c->now.rtt.p99_us / 1000.0);
	fflush(stdout);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: shakeoff stats IFACE [--json] [--watch SECONDS]\n\n"
		   "Counters of the shakeoff on IFACE (any process can read them).\n"
		   "  --json           one JSON object (per interval with --watch)\n"
		   "  --watch SECONDS  print again every SECONDS, with rates, until interrupted\n");
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "watch", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct counters c, prev;
	const char *ifname = NULL;
	bool json = false, have_prev = false;
	int opt, fd, err;
	long watch = 0;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":jw:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'w':
			watch = num_arg(CMD, "--watch", optarg, 1, 3600);
			if (watch < 0)
				return EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return usage_error(CMD, argc, argv, opt);
		}
	}
	if (iface_positional(CMD, argc, argv, &ifname, true))
		return EXIT_USAGE;
	if (need_root(CMD))
		return EXIT_RUNTIME;
	bpffs_ensure();
	fd = pin_map_open(ifname, "so_stats");
	if (fd < 0) {
		if (!iface_arg(CMD, ifname))
			return EXIT_USAGE;
		so_err(CMD ": %s: shakeoff is not attached (nothing in " SO_PIN_ROOT "/%s)", ifname,
		       ifname);
		return EXIT_RUNTIME;
	}
	err = stats_read(ifname, fd, &c);
	for (;;) {
		if (err) {
			so_err(CMD ": %s: read counters: %s", ifname, strerror(-err));
			close(fd);
			return EXIT_RUNTIME;
		}
		if (json)
			print_json(ifname, &c);
		else
			print_table(ifname, &c, have_prev ? &prev : NULL, watch);
		if (!watch)
			break;
		prev = c;
		have_prev = true;
		sleep(watch);
		err = stats_read(ifname, fd, &c);
	}
	close(fd);
	return 0;
}
