// SPDX-License-Identifier: GPL-2.0
/*
 * shakeoff top IFACE: one screen (80x24) refreshed in place: rates per
 * second, totals, the gauges, the backlog's mode, RTT percentiles.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "cli.h"
#include "cmd.h"
#include "log.h"
#include "maps.h"
#include "stats.h"

#define CMD "top"

/* The rows, in the order an operator reads a flood: what came, what we did. */
static const struct {
	const char *label, *stat; /* a counter of stat_info; NULL: dropped_malformed */
} rows[] = {
    {"SYNs to protected ports", "syn_recv"},
    {"SYN-ACKs sent by XDP", "synack_sent"},
    {"  answered without state", "cookie_fallback"},
    {"  not answered (--synack-rate)", "synack_ratelimited"},
    {"SYN-ACKs retransmitted", "synack_retrans"},
    {"handshakes handed to the server", "handoff_ok"},
    {"  handoffs failed", "handoff_fail"},
    {"ACKs that validated nothing", "ack_invalid"},
    {"half-open entries expired", "expired_half_open"},
    {"segments of known flows", "established"},
    {"SYNs left to the kernel", "syn_passed"},
    {"malformed frames dropped", NULL},
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static volatile sig_atomic_t quit;

static void on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static __u64 row_value(const struct stats *s, size_t r)
{
	size_t i;

	if (!rows[r].stat)
		return dropped_malformed(s);
	for (i = 0; i < stat_count; i++)
		if (!strcmp(stat_info[i].name, rows[r].stat))
			return stat_value(s, &stat_info[i]);
	return 0;
}

static double pct(__u64 part, __u32 whole)
{
	return whole ? 100.0 * part / whole : 0;
}

/* The whole screen: 20 lines of at most 79 columns. */
static void draw(const char *ifname, const struct stats *s, const struct stats *prev, double secs)
{
	char now[16];
	time_t t = time(NULL);
	size_t r;

	strftime(now, sizeof(now), "%H:%M:%S", localtime(&t));
	printf("\033[H\033[2J");
	printf("shakeoff top %-16.16s daemon %-7s %32s\n", ifname,
	       s->daemon_alive ? "running" : "GONE", now);
	printf("backlog %-9s half-open %u/%u (%.1f%%)  flows %llu/%u\n\n", backlog_name(s->backlog),
	       s->d.half_open, s->half_open_max, pct(s->d.half_open, s->half_open_max),
	       (unsigned long long)s->d.flows, s->flows_max);
	printf("%-36s %18s %18s\n", "", "per second", "total");
	for (r = 0; r < NROWS; r++) {
		__u64 v = row_value(s, r);

		if (prev)
			printf("%-36s %18.0f %18llu\n", rows[r].label,
			       (double)(v - row_value(prev, r)) / secs, (unsigned long long)v);
		else
			printf("%-36s %18s %18llu\n", rows[r].label, "-", (unsigned long long)v);
	}
	printf("\n");
	if (rtt_samples(&s->rtt))
		printf("handshake RTT  p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  (%llu timed)\n",
		       rtt_percentile_us(&s->rtt, 50) / 1000, rtt_percentile_us(&s->rtt, 90) / 1000,
		       rtt_percentile_us(&s->rtt, 99) / 1000,
		       (unsigned long long)rtt_samples(&s->rtt));
	else
		printf("handshake RTT  no timed handshakes yet\n");
	printf("\nq quits\n");
	fflush(stdout);
}

/* Wait up to ms for 'q' on a terminal (or just wait). True to quit. */
static bool wait_key(int ms, bool tty)
{
	struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
	char c;

	if (!tty) {
		poll(NULL, 0, ms);
		return quit;
	}
	if (poll(&p, 1, ms) > 0 && read(STDIN_FILENO, &c, 1) == 1 && (c == 'q' || c == 'Q'))
		return true;
	return quit;
}

int cmd_top(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct stats s, prev;
	struct termios old, raw;
	struct so_maps m;
	const char *ifname = NULL;
	bool tty, have_prev = false;
	long interval = 1;
	int opt, err;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, SO_SHORTOPTS, so_opts_top, NULL)) != -1) {
		switch (opt) {
		case 'i':
			interval = num_arg(CMD, "--interval", optarg, 1, 3600);
			if (interval < 0)
				return EXIT_USAGE;
			break;
		case 'h':
			fputs(so_usage_top, stdout);
			return 0;
		default:
			return usage_error(CMD, argc, argv, opt);
		}
	}
	if (iface_positional(CMD, argc, argv, &ifname, true))
		return EXIT_USAGE;
	err = stats_open(CMD, ifname, &m);
	if (err)
		return err;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	tty = isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &old);
	if (tty) {
		/* Keys without Enter, and not echoed over the screen. */
		raw = old;
		raw.c_lflag &= ~(ICANON | ECHO);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	for (;;) {
		err = stats_read(&m, &s);
		if (err)
			break;
		draw(ifname, &s, have_prev ? &prev : NULL, interval);
		prev = s;
		have_prev = true;
		if (wait_key(interval * 1000, tty))
			break;
	}
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
	so_maps_close(&m);
	if (err) {
		so_err(CMD ": %s: read counters: %s", ifname, strerror(-err));
		return EXIT_RUNTIME;
	}
	return 0;
}
