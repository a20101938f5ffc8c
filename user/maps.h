/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A shakeoff instance's maps, for every process that reads them (stats,
 * status, detach, the daemon adopting a previous run's). They are found
 * from the interface itself: the shakeoff_xdp program attached to it, and
 * that program's map IDs (the daemon binds the two maps the programs do not
 * use to it). So they open however the network namespace was entered, with
 * or without the pins in view; the pins (pin.h) are the fallback, and are
 * for bpftool.
 */
#ifndef SO_MAPS_H
#define SO_MAPS_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>

#include "shakeoff.h"

#define SO_MAPS(X)                 \
	X(CONFIG, "so_config")     \
	X(KEYS, "so_keys")         \
	X(STATS, "so_stats")       \
	X(RTT, "so_rtt")           \
	X(HALFOPEN, "so_halfopen") \
	X(FLOWS, "so_flows")       \
	X(FLOWMARK, "so_flowmark") \
	X(FLOWROOM, "so_flowroom") \
	X(BUDGET, "so_budget")     \
	X(EVENTS, "so_events")     \
	X(DAEMON, "so_daemon")     \
	X(STATUS, "so_status")

#define SO_MAP_ENUM(e, name) SO_MAP_##e,
enum so_map { SO_MAPS(SO_MAP_ENUM) SO_MAP_MAX };
#undef SO_MAP_ENUM
extern const char *const so_map_names[SO_MAP_MAX];
/* The enum so_map of a map name, or -1 if it is not one of ours. */
int so_map_index(const char *name);

struct so_maps {
	int fd[SO_MAP_MAX]; /* -1: not found */
	__u32 prog_id;	    /* shakeoff_xdp's, 0 when found through the pins */
};

/*
 * Open the maps of the shakeoff on ifname (in this network namespace).
 * Returns 0, or -ENOENT when shakeoff is not there.
 */
int so_maps_open(const char *ifname, struct so_maps *m);
void so_maps_close(struct so_maps *m);

/* The data plane's counters, summed over the CPUs. 0 or -errno. */
int counters_read(int fd, struct so_counters *sum);
/* What the daemon last published, read under the map's lock. 0 or -errno. */
int daemon_read(int fd, struct so_daemon *out);
/* The RTT histogram, summed over the CPUs. 0 or -errno. */
int rtt_read(int fd, struct so_rtt *sum);
/* Its sample count, and percentile p (0-100) in microseconds (0: no samples). */
__u64 rtt_samples(const struct so_rtt *r);
double rtt_percentile_us(const struct so_rtt *r, int p);
/* A bucket's upper bound in microseconds (the last bucket has none: 0). */
double rtt_bucket_top_us(int b);

/* Whether the daemon a status record names still runs. */
bool daemon_alive(__u32 pid);

/* Names for enum so_backlog. */
const char *backlog_name(__u8 backlog);

/* so_halfopen, mapped read-only: the data plane is its only writer. */
struct halfopen_view {
	const struct so_halfopen *e;
	__u32 n;
	size_t len;
};
int halfopen_map(int fd, struct halfopen_view *v);
void halfopen_unmap(struct halfopen_view *v);

__u64 now_mono_ns(void);
/* CLOCK_MONOTONIC_COARSE: the clock the data plane stamps half-open entries with. */
__u64 now_coarse_ns(void);

#endif /* SO_MAPS_H */
