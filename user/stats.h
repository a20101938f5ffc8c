/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One reading of a shakeoff instance: the data plane's counters (summed
 * over CPUs), the daemon's, the gauges and the RTT histogram. `stats`
 * prints it as a table or JSON, metrics.c in Prometheus' text format.
 */
#ifndef SO_STATS_H
#define SO_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "maps.h"
#include "shakeoff.h"

/* Every counter: the data plane's, then the daemon's, then the drop reasons. */
struct stat_info {
	const char *name, *desc;
	size_t off; /* in struct so_counters, or struct so_daemon */
	bool daemon;
	bool drop; /* a drop reason, part of dropped_malformed */
};
extern const struct stat_info stat_info[];
extern const size_t stat_count;

struct stats {
	struct so_counters c;
	struct so_daemon d;
	struct so_rtt rtt;
	__u8 backlog;	     /* enum so_backlog; 0xff if unknown */
	__u32 half_open_max; /* the tables' capacities */
	__u32 flows_max;
	bool daemon_alive;
};

/* The maps of the shakeoff on ifname, for command cmd: 0, or the exit
 * status after saying why (not root, no such interface, not attached). */
int stats_open(const char *cmd, const char *ifname, struct so_maps *m);
/* Read everything m offers. 0 or -errno (the counters are the one must). */
int stats_read(const struct so_maps *m, struct stats *s);
__u64 stat_value(const struct stats *s, const struct stat_info *i);
/* The sum of the drop reasons. */
__u64 dropped_malformed(const struct stats *s);

#endif /* SO_STATS_H */
