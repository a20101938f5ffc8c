/* SPDX-License-Identifier: GPL-2.0 */
/* Reading the connection tables: the daemon, stats and status all need to. */
#ifndef SO_TABLES_H
#define SO_TABLES_H

#include <linux/types.h>
#include <stddef.h>

#include "shakeoff.h"

/* so_halfopen, mapped read-only: the data plane is its only writer. */
struct halfopen_view {
	const struct so_halfopen *e;
	__u32 n;
	size_t len;
};

int halfopen_map(int fd, struct halfopen_view *v);
void halfopen_unmap(struct halfopen_view *v);
/* Entries in SYN_RECV that are younger than life_ns: the backlog in use. */
__u32 halfopen_live(const struct halfopen_view *v, __u64 life_ns, __u64 now_ns);
/* Counter idx of the per-CPU so_stats map, summed over the CPUs. 0 or -errno. */
int stat_sum(int fd, __u32 idx, __u64 *sum);
/* Entries of a hash map (so_flows), by iterating its keys. */
long map_count(int fd, __u32 key_size);
__u64 now_mono_ns(void);

/* What the pinned tables of ifname hold now, for stats and status. */
struct tables_now {
	__u32 half_open;     /* live SYN_RECV entries */
	long flows;          /* so_flows entries */
	const char *backlog; /* "state", "cookies" (above high-water), "stateless" */
	struct so_rtt rtt;   /* as the daemon last published it */
};
void tables_now(const char *ifname, struct tables_now *t);

#endif /* SO_TABLES_H */
