// SPDX-License-Identifier: GPL-2.0
/* shakeoff stats IFACE: the data plane's counters and the daemon's, and the gauges. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "cli.h"
#include "cmd.h"
#include "json.h"
#include "log.h"
#include "maps.h"
#include "metrics.h"
#include "stats.h"
#include "shakeoff.h"

#define CMD "stats"

static void print_json(const char *ifname, const struct stats *s)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_str(&j, "iface", ifname);
	json_u64(&j, "time", time(NULL));
	for (i = 0; i < stat_count; i++)
		json_u64(&j, stat_info[i].name, stat_value(s, &stat_info[i]));
	json_u64(&j, "dropped_malformed", dropped_malformed(s));
	json_u64(&j, "half_open", s->d.half_open);
	json_u64(&j, "flows", s->d.flows);
	json_str(&j, "backlog", backlog_name(s->backlog));
	json_u64(&j, "rtt_samples", rtt_samples(&s->rtt));
	/* Bucket tops, whole microseconds up: upper bounds. */
	json_u64(&j, "rtt_p50_us", ceil(rtt_percentile_us(&s->rtt, 50)));
	json_u64(&j, "rtt_p90_us", ceil(rtt_percentile_us(&s->rtt, 90)));
	json_u64(&j, "rtt_p99_us", ceil(rtt_percentile_us(&s->rtt, 99)));
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

static void print_table(const char *ifname, const struct stats *s, const struct stats *prev,
			int secs)
{
	__u64 pv;
	size_t i;

	printf("%s\n", ifname);
	for (i = 0; i < stat_count; i++) {
		if (prev)
			pv = stat_value(prev, &stat_info[i]);
		print_row(stat_info[i].name, stat_value(s, &stat_info[i]), prev ? &pv : NULL, secs,
			  stat_info[i].desc);
	}
	if (prev)
		pv = dropped_malformed(prev);
	print_row("dropped_malformed", dropped_malformed(s), prev ? &pv : NULL, secs,
		  "malformed frames dropped (all reasons)");
	printf("  %-18s %14u  half-open entries now (backlog: %s)\n", "half_open", s->d.half_open,
	       backlog_name(s->backlog));
	printf("  %-18s %14llu  connections tracked now\n", "flows",
	       (unsigned long long)s->d.flows);
	if (rtt_samples(&s->rtt))
		printf("  %-18s %14llu  handshake RTT p50 %.3f ms, p90 %.3f ms, p99 %.3f ms\n",
		       "rtt_samples", (unsigned long long)rtt_samples(&s->rtt),
		       rtt_percentile_us(&s->rtt, 50) / 1000, rtt_percentile_us(&s->rtt, 90) / 1000,
		       rtt_percentile_us(&s->rtt, 99) / 1000);
	fflush(stdout);
}

int cmd_stats(int argc, char **argv)
{
	struct stats s, prev;
	struct so_maps m;
	const char *ifname = NULL;
	bool json = false, prom = false, have_prev = false;
	int opt, err;
	long watch = 0;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, SO_SHORTOPTS, so_opts_stats, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'P':
			prom = true;
			break;
		case 'w':
			watch = num_arg(CMD, "--watch", optarg, 1, 3600);
			if (watch < 0)
				return EXIT_USAGE;
			break;
		case 'h':
			fputs(so_usage_stats, stdout);
			return 0;
		default:
			return usage_error(CMD, argc, argv, opt);
		}
	}
	if (iface_positional(CMD, argc, argv, &ifname, true))
		return EXIT_USAGE;
	if (json && prom) {
		so_err(CMD ": --json or --prometheus, not both");
		return EXIT_USAGE;
	}
	err = stats_open(CMD, ifname, &m);
	if (err)
		return err;
	err = stats_read(&m, &s);
	for (;;) {
		if (err) {
			so_err(CMD ": %s: read counters: %s", ifname, strerror(-err));
			so_maps_close(&m);
			return EXIT_RUNTIME;
		}
		if (prom)
			metrics_print(stdout, ifname, &s);
		else if (json)
			print_json(ifname, &s);
		else
			print_table(ifname, &s, have_prev ? &prev : NULL, watch);
		if (!watch)
			break;
		prev = s;
		have_prev = true;
		sleep(watch);
		err = stats_read(&m, &s);
	}
	so_maps_close(&m);
	return 0;
}
