/* SPDX-License-Identifier: GPL-2.0 */
/* The shakeoff run daemon's state, shared by its parts (cmd_run.c and below). */
#ifndef SO_DAEMON_H
#define SO_DAEMON_H

#include <linux/types.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <xdp/libxdp.h>

#include "budget.h"
#include "shakeoff.h"
#include "maps.h"
#include "metrics.h"

#define SO_MAX_SUBSCRIBERS 16
#define TICK_MS		   100 /* half-open timers and event draining; the rest every 10th tick */

struct daemon {
	/* from the command line */
	const char *ifname;
	int ifindex;
	enum xdp_attach_mode mode;
	enum so_tc_mode tc_mode;
	unsigned int mss_max;
	const char *key_file;
	bool stateless;
	bool replace;			     /* --replace: another XDP program may be detached */
	bool backend;			     /* shakeoff backend: TC only, the front\'s cookies */
	bool front;			     /* run --front: for the servers behind us */
	const char *protect[SO_PROTECT_MAX]; /* --protect values */
	int nprotect;
	const char *forward_xdp; /* --forward-xdp: interface names */
	bool slot_shift_set;	 /* --slot-shift was given */
	int wscale_fixed;	 /* the key file's wscale; -1: from the host's sysctls */
	int features_fixed;	 /* the key file\'s features; -1: from the host\'s sysctls */
	struct sockaddr_storage metrics_addr; /* --metrics-listen */
	socklen_t metrics_addr_len;	      /* 0: not asked for */
	const char *metrics_file;
	const char *config; /* --config: reloaded on SIGHUP */
	int argc;	    /* the command line, for that reload */
	char **argv;
	__u32 max_half_open, max_flows;
	int synack_retries, msl;
	int flow_idle;	      /* --flow-idle, seconds (0 until parsed: the mode's default) */
	long synack_rate;     /* SYN-ACKs per second per prefix; 0: no budget */
	int prefix4, prefix6; /* the budget's prefix lengths */
	char ports_str[SO_PORTS_STR_MAX];
	__u8 ports[SO_PORT_BITMAP_BYTES];

	__u64 master[2];
	struct so_config cfg; /* as the data plane sees it; written by config_write() */
	struct so_status status;
	struct so_daemon pub; /* what the daemon publishes (so_daemon[0]) */
	struct so_maps prev;  /* a dead previous run's maps, until adopted */
	struct so_maps self;  /* ours, as readers see them (the object owns the fds) */
	struct shakeoff *skel;
	struct xdp_program *xdp;
	bool xdp_attached, tc_attached;

	/* half-open entries: retransmission, expiry, the backlog */
	struct halfopen_view ho;
	struct so_budget *budget; /* so_budget, mmapped read-write (include/budget.h) */
	__u64 scan_ns;		  /* the last scan: entries are judged on (scan_ns, now] */
	int raw4, raw6;		  /* retransmissions go out through the kernel's routing */
	__u64 fallback_syns;	  /* cookie_fallback at the last tick */

	/* flows: the table (mmap), and the flow-mark filter the daemon rebuilds */
	struct so_flow *flows;
	size_t flows_len;
	__u64 *flowmark;
	size_t flowmark_len;
	__u64 *flowroom; /* so_flowroom: the ways that may be in use */
	size_t flowroom_len;
	/* an array of maps: updating it waits out running programs (flows.c) */
	int wait_outer, wait_inner;
	__u32 seeded[2]; /* kernel connections found at start: open, TIME_WAIT */

	/* metrics */
	struct metrics_srv metrics;
	bool metrics_file_failed;

	/* events */
	struct ring_buffer *rb;
	int listen_fd;
	int subs[SO_MAX_SUBSCRIBERS];
	__u32 sub_lost[SO_MAX_SUBSCRIBERS];
};

/* config.c */
/* Write d->cfg to the data plane. 0 or -errno. */
int config_write(struct daemon *d);

/* halfopen.c */
int halfopen_init(struct daemon *d);
void halfopen_fini(struct daemon *d);
/* Every tick: retransmissions due, expiries, the backlog's mode, the gauge. */
void halfopen_tick(struct daemon *d);

/* flows.c */
int flows_init(struct daemon *d);
void flows_fini(struct daemon *d);
/* Once a second: TIME_WAIT and idle expiry, the flow marks rebuilt, the gauge. */
void flows_tick(struct daemon *d);
/* Track the connections the kernel already has on our ports. */
int flows_seed(struct daemon *d);

/* evsrv.c */
int events_init(struct daemon *d);
void events_fini(struct daemon *d);
void events_accept(struct daemon *d);
int events_fd(struct daemon *d);
/* Drain the ring buffer; with check, also notice readers that went away. */
void events_consume(struct daemon *d, bool check);
/* Send one event to every reader of `shakeoff events`; never blocks. */
void events_publish(struct daemon *d, const struct so_event *ev);
/* The abstract unix socket address of ifname's event stream; its length. */
socklen_t events_addr(const char *ifname, struct sockaddr_un *sun);

#endif /* SO_DAEMON_H */
