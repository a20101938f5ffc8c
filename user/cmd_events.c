// SPDX-License-Identifier: GPL-2.0
/* shakeoff events IFACE: the daemon's event stream, a line per event. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "cli.h"
#include "cmd.h"
#include "daemon.h"
#include "json.h"
#include "log.h"
#include "maps.h"
#include "pin.h"
#include "shakeoff.h"

#define CMD "events"

static const char *type_name(__u8 type)
{
	switch (type) {
	case SO_EV_HANDSHAKE:
		return "handshake";
	case SO_EV_EXPIRED:
		return "expired";
	case SO_EV_BACKLOG:
		return "backlog";
	case SO_EV_LOST:
		return "lost";
	default:
		return "unknown";
	}
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC in seconds, read again at every burst of events. */
static double wall_offset;

static void wall_sync(void)
{
	struct timespec rt, mono;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	wall_offset = rt.tv_sec - mono.tv_sec + (rt.tv_nsec - mono.tv_nsec) / 1e9;
}

/* CLOCK_MONOTONIC of the data plane to wall-clock seconds. */
static double wall_time(__u64 mono_ns)
{
	return mono_ns / 1e9 + wall_offset;
}

static void addr(const struct so_tuple *t, const __u32 *a, char *buf, size_t len)
{
	inet_ntop(t->v6 ? AF_INET6 : AF_INET, a, buf, len);
}

static void print_json(const struct so_event *ev)
{
	char c[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN];
	struct json j;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_str(&j, "type", type_name(ev->type));
	json_double(&j, "time", wall_time(ev->time_ns));
	if (ev->type == SO_EV_EXPIRED && !ev->t.sport) {
		json_u64(&j, "count", ev->count); /* a tick's expiries beyond the first few */
	} else if (ev->type == SO_EV_HANDSHAKE || ev->type == SO_EV_EXPIRED) {
		addr(&ev->t, ev->t.saddr, c, sizeof(c));
		addr(&ev->t, ev->t.daddr, s, sizeof(s));
		json_str(&j, "client", c);
		json_u64(&j, "client_port", ntohs(ev->t.sport));
		json_str(&j, "server", s);
		json_u64(&j, "server_port", ntohs(ev->t.dport));
	}
	if (ev->type == SO_EV_HANDSHAKE) {
		json_str(&j, "via", ev->via == SO_VIA_STATE ? "state" : "cookie");
		json_u64(&j, "rtt_us", ev->rtt_us);
		json_bool(&j, "rtt_precise", ev->timed);
		if (ev->via == SO_VIA_STATE)
			json_u64(&j, "age_us", ev->age_us);
		json_u64(&j, "retrans", ev->retrans);
		json_u64(&j, "mss", ev->mss);
		if (ev->features & SO_F_WSCALE)
			json_u64(&j, "wscale", ev->snd_wscale);
		json_bool(&j, "sack", ev->features & SO_F_SACK);
		json_bool(&j, "ts", ev->features & SO_F_TS);
		json_bool(&j, "ecn", ev->features & SO_F_ECN);
	} else if (ev->type == SO_EV_BACKLOG) {
		json_str(&j, "mode", backlog_name(ev->mode));
		json_u64(&j, "half_open", ev->count);
	} else if (ev->type == SO_EV_LOST) {
		json_u64(&j, "count", ev->count);
	}
	json_obj_end(&j);
}

static void print_text(const struct so_event *ev)
{
	char c[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN], stamp[32];
	double t = wall_time(ev->time_ns);
	time_t secs = t;

	strftime(stamp, sizeof(stamp), "%H:%M:%S", localtime(&secs));
	printf("%s.%03d %-9s ", stamp, (int)((t - secs) * 1000), type_name(ev->type));
	addr(&ev->t, ev->t.saddr, c, sizeof(c));
	addr(&ev->t, ev->t.daddr, s, sizeof(s));
	switch (ev->type) {
	case SO_EV_HANDSHAKE:
		printf("%s port %u > %s port %u via %s, ", c, ntohs(ev->t.sport), s,
		       ntohs(ev->t.dport), ev->via == SO_VIA_STATE ? "state" : "cookie");
		if (ev->retrans)
			printf("after %u SYN-ACK retransmission(s), %.3f s", ev->retrans,
			       ev->age_us / 1e6);
		else
			printf("rtt %.3f ms", ev->rtt_us / 1000.0);
		printf(", mss %u", ev->mss);
		if (ev->features & SO_F_WSCALE)
			printf(" wscale %u", ev->snd_wscale);
		printf("%s%s%s\n", ev->features & SO_F_SACK ? " sack" : "",
		       ev->features & SO_F_TS ? " ts" : "", ev->features & SO_F_ECN ? " ecn" : "");
		break;
	case SO_EV_EXPIRED:
		if (!ev->t.sport)
			printf("%u more half-open entries without an ACK after every retry\n",
			       ev->count);
		else
			printf("%s port %u > %s port %u: no ACK after every SYN-ACK retry\n", c,
			       ntohs(ev->t.sport), s, ntohs(ev->t.dport));
		break;
	case SO_EV_BACKLOG:
		printf("%u half-open entries: %s\n", ev->count,
		       ev->mode == SO_BACKLOG_COOKIES ? "SYN cookies only" : "keeping state again");
		break;
	default:
		printf("%u events lost (this reader was too slow)\n", ev->count);
	}
}

int cmd_events(int argc, char **argv)
{
	struct sockaddr_un sun;
	const char *ifname = NULL;
	struct so_event ev;
	bool json = false;
	socklen_t alen;
	int opt, fd;
	ssize_t n;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, SO_SHORTOPTS, so_opts_events, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(so_usage_events, stdout);
			return 0;
		default:
			return usage_error(CMD, argc, argv, opt);
		}
	}
	if (iface_positional(CMD, argc, argv, &ifname, true))
		return EXIT_USAGE;
	wall_sync();
	alen = events_addr(ifname, &sun);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, alen)) {
		if (!iface_arg(CMD, ifname))
			return EXIT_USAGE;
		so_err(CMD ": %s: no shakeoff daemon runs here", ifname);
		return EXIT_RUNTIME;
	}
	/*
	 * Print a burst at once, flushed when the socket runs dry: a reader of
	 * 100k events/s keeps up, and each event still appears at once.
	 */
	for (;;) {
		n = recv(fd, &ev, sizeof(ev), MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN) {
			fflush(stdout);
			n = recv(fd, &ev, sizeof(ev), 0);
			wall_sync();
		}
		if (n != sizeof(ev))
			break;
		if (json)
			print_json(&ev);
		else
			print_text(&ev);
	}
	fflush(stdout);
	close(fd);
	return 0;
}
