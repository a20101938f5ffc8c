/* SPDX-License-Identifier: GPL-2.0 */
/* The shakeoff run daemon's state, shared by its parts (cmd_run.c and below). */
#ifndef SO_DAEMON_H
#define SO_DAEMON_H

#include <linux/types.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <xdp/libxdp.h>

#include "shakeoff.h"
#include "tables.h"

#define SO_MAX_SUBSCRIBERS 16
#define TICK_MS 100 /* half-open timers; the rest runs every 10th tick */
#define SO_RTT_BUCKETS 128 /* four per power of two, from 1 us */

/* What the daemon knows of one so_halfopen slot (the table is read-only). */
struct shadow {
	__u32 seq;     /* the entry's seqlock count when we took it on */
	__u8 retrans;  /* SYN-ACKs we retransmitted for it */
	__u8 done;     /* expired (and counted) */
	__u8 known;    /* seq is meaningful */
	__u64 last_ns; /* its last SYN-ACK, CLOCK_MONOTONIC */
};

struct daemon {
	/* from the command line */
	const char *ifname;
	int ifindex;
	enum xdp_attach_mode mode;
	unsigned int mss_max;
	const char *key_file;
	bool stateless;
	__u32 max_half_open, max_flows;
	int synack_retries, msl;
	char ports_str[SO_PORTS_STR_MAX];
	__u8 ports[SO_PORT_BITMAP_BYTES];

	__u64 master[2];
	struct so_config cfg; /* as the data plane sees it */
	struct so_status status;
	struct shakeoff *skel;
	struct xdp_program *xdp;
	bool xdp_attached, tc_attached;

	/* half-open entries: retransmission, expiry, the backlog */
	struct halfopen_view ho;
	struct shadow *shadow;
	int pkt_fd;
	__u64 counters[SO_STAT_MAX]; /* the daemon's own (SO_STAT_DAEMON) */
	__u64 fallback_syns;         /* cookie_fallback at the last tick */
	__u32 seeded[2];             /* kernel connections found at start: open, TIME_WAIT */

	/* events */
	struct ring_buffer *rb;
	int listen_fd;
	int subs[SO_MAX_SUBSCRIBERS];
	__u32 sub_lost[SO_MAX_SUBSCRIBERS];
	__u64 rtt_hist[SO_RTT_BUCKETS];
};

/* retrans.c */
int retrans_init(struct daemon *d);
void retrans_fini(struct daemon *d);
void halfopen_tick(struct daemon *d);
void flows_tick(struct daemon *d);
/* Track the connections the kernel already has on our ports. */
int flows_seed(struct daemon *d);
void counter_add(struct daemon *d, enum so_stat idx, __u64 n);

/* evsrv.c */
int events_init(struct daemon *d);
void events_fini(struct daemon *d);
void events_accept(struct daemon *d);
int events_fd(struct daemon *d);
void events_consume(struct daemon *d);
/* Send one event to every reader of `shakeoff events`; never blocks. */
void events_publish(struct daemon *d, const struct so_event *ev);
void rtt_publish(struct daemon *d);
/* The abstract unix socket address of ifname's event stream; its length. */
socklen_t events_addr(const char *ifname, struct sockaddr_un *sun);

#endif /* SO_DAEMON_H */
