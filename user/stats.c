// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <bpf/bpf.h>

#include "cmd.h"
#include "log.h"
#include "stats.h"

#define SO_STAT_INFO(name, desc)   {#name, desc, offsetof(struct so_counters, name), false, false},
#define SO_DROP_INFO(name, desc)   {#name, desc, offsetof(struct so_counters, name), false, true},
#define SO_DAEMON_INFO(name, desc) {#name, desc, offsetof(struct so_daemon, name), true, false},
const struct stat_info stat_info[] = {SO_STATS(SO_STAT_INFO) SO_DAEMON_STATS(SO_DAEMON_INFO)
					  SO_DROPS(SO_DROP_INFO)};
const size_t stat_count = sizeof(stat_info) / sizeof(stat_info[0]);

__u64 stat_value(const struct stats *s, const struct stat_info *i)
{
	const void *base = i->daemon ? (const void *)&s->d : (const void *)&s->c;

	return *(const __u64 *)((const char *)base + i->off);
}

__u64 dropped_malformed(const struct stats *s)
{
	__u64 n = 0;
	size_t i;

	for (i = 0; i < stat_count; i++)
		if (stat_info[i].drop)
			n += stat_value(s, &stat_info[i]);
	return n;
}

int stats_read(const struct so_maps *m, struct stats *s)
{
	struct so_config cfg;
	struct so_status st;
	__u32 zero = 0;
	int err;

	memset(s, 0, sizeof(*s));
	err = counters_read(m->fd[SO_MAP_STATS], &s->c);
	if (!err && m->fd[SO_MAP_DAEMON] >= 0)
		err = daemon_read(m->fd[SO_MAP_DAEMON], &s->d);
	if (!err && m->fd[SO_MAP_RTT] >= 0)
		err = rtt_read(m->fd[SO_MAP_RTT], &s->rtt);
	s->backlog = 0xff;
	if (!err && m->fd[SO_MAP_CONFIG] >= 0 &&
	    !bpf_map_lookup_elem(m->fd[SO_MAP_CONFIG], &zero, &cfg)) {
		s->backlog = cfg.backlog;
		s->half_open_max = cfg.halfopen_sets * SO_HALFOPEN_WAYS;
		s->flows_max = cfg.flow_sets * SO_FLOW_WAYS;
	}
	if (!err && m->fd[SO_MAP_STATUS] >= 0 &&
	    !bpf_map_lookup_elem(m->fd[SO_MAP_STATUS], &zero, &st))
		s->daemon_alive = daemon_alive(st.pid);
	return err;
}

int stats_open(const char *cmd, const char *ifname, struct so_maps *m)
{
	if (need_root(cmd))
		return EXIT_RUNTIME;
	if (!so_maps_open(ifname, m))
		return 0;
	if (!iface_arg(cmd, ifname))
		return EXIT_USAGE;
	so_err("%s: %s: shakeoff is not attached", cmd, ifname);
	return EXIT_RUNTIME;
}
