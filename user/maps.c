// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "maps.h"
#include "pin.h"
#include "rtt.h"

#define SO_MAP_NAME(e, name) name,
const char *const so_map_names[SO_MAP_MAX] = {SO_MAPS(SO_MAP_NAME)};
#undef SO_MAP_NAME

int so_map_index(const char *name)
{
	int i;

	for (i = 0; i < SO_MAP_MAX; i++)
		if (!strcmp(name, so_map_names[i]))
			return i;
	return -1;
}

/* Through the program: its map IDs, each map opened and known by its name. */
static int open_from_prog(int prog_fd, struct so_maps *m)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), ids[32], i;
	int found = 0;

	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	m->prog_id = info.id;
	for (i = 0; i < info.nr_map_ids && i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct bpf_map_info mi = {};
		__u32 mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]), k;

		if (fd < 0)
			continue;
		k = bpf_obj_get_info_by_fd(fd, &mi, &mlen) ? -1 : so_map_index(mi.name);
		if (k < 0 || m->fd[k] >= 0) {
			close(fd);
			continue;
		}
		m->fd[k] = fd;
		found++;
	}
	return found ? 0 : -ENOENT;
}

int so_maps_open(const char *ifname, struct so_maps *m)
{
	int ifindex = if_nametoindex(ifname), prog_fd, i, err = -ENOENT;

	m->prog_id = 0;
	for (i = 0; i < SO_MAP_MAX; i++)
		m->fd[i] = -1;
	prog_fd = ifindex ? xdp_prog_ours(ifindex) : -ENOENT;
	if (prog_fd >= 0) {
		err = open_from_prog(prog_fd, m);
		close(prog_fd);
	}
	if (err) {
		/* Detached under a live daemon, or no XDP program to ask: the pins. */
		for (i = 0; i < SO_MAP_MAX; i++) {
			int fd = pin_map_open(ifname, so_map_names[i]);

			if (fd >= 0) {
				m->fd[i] = fd;
				err = 0;
			}
		}
	}
	if (!err && m->fd[SO_MAP_STATS] < 0)
		err = -ENOENT; /* not ours after all */
	if (err)
		so_maps_close(m);
	return err;
}

void so_maps_close(struct so_maps *m)
{
	int i;

	for (i = 0; i < SO_MAP_MAX; i++) {
		if (m->fd[i] >= 0)
			close(m->fd[i]);
		m->fd[i] = -1;
	}
}

/* Entry 0 of a per-CPU map, every CPU's value. The kernel fills all of v,
 * but valgrind believes one value_size of it and would call the rest
 * uninitialised: it is cleared first. */
static int percpu_lookup(int fd, void *v, size_t size)
{
	__u32 zero = 0;

	memset(v, 0, size);
	return bpf_map_lookup_elem(fd, &zero, v);
}

int counters_read(int fd, struct so_counters *sum)
{
	int ncpu = libbpf_num_possible_cpus(), cpu;
	struct so_counters v[ncpu > 0 ? ncpu : 1];
	__u64 *s = (__u64 *)sum;
	size_t i;

	memset(sum, 0, sizeof(*sum));
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	if (percpu_lookup(fd, v, sizeof(v)))
		return -errno;
	for (cpu = 0; cpu < ncpu; cpu++)
		for (i = 0; i < sizeof(*sum) / sizeof(__u64); i++)
			s[i] += ((__u64 *)&v[cpu])[i];
	return 0;
}

int daemon_read(int fd, struct so_daemon *out)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem_flags(fd, &zero, out, BPF_F_LOCK) ? -errno : 0;
}

int rtt_read(int fd, struct so_rtt *sum)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, b;
	struct so_rtt v[ncpu > 0 ? ncpu : 1];

	memset(sum, 0, sizeof(*sum));
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	if (percpu_lookup(fd, v, sizeof(v)))
		return -errno;
	for (cpu = 0; cpu < ncpu; cpu++) {
		for (b = 0; b < SO_RTT_BUCKETS; b++)
			sum->bucket[b] += v[cpu].bucket[b];
		sum->sum_ns += v[cpu].sum_ns;
	}
	return 0;
}

__u64 rtt_samples(const struct so_rtt *r)
{
	__u64 n = 0;
	int b;

	for (b = 0; b < SO_RTT_BUCKETS; b++)
		n += r->bucket[b];
	return n;
}

double rtt_bucket_top_us(int b)
{
	if (b >= SO_RTT_BUCKETS - 1)
		return 0;
	return so_rtt_bucket_top(b) * (double)(1 << SO_BORN_SHIFT) / 1000;
}

/* The top of the bucket that holds the p-th percentile: an upper bound. */
double rtt_percentile_us(const struct so_rtt *r, int p)
{
	__u64 n = rtt_samples(r), seen = 0;
	int b;

	for (b = 0; b < SO_RTT_BUCKETS && n; b++) {
		seen += r->bucket[b];
		if (seen * 100 >= n * p)
			return b == SO_RTT_BUCKETS - 1 ? rtt_bucket_top_us(b - 1)
						       : rtt_bucket_top_us(b);
	}
	return 0;
}

bool daemon_alive(__u32 pid)
{
	return pid && (kill(pid, 0) == 0 || errno == EPERM);
}

const char *backlog_name(__u8 backlog)
{
	switch (backlog) {
	case SO_BACKLOG_STATE:
		return "state";
	case SO_BACKLOG_COOKIES:
		return "cookies";
	case SO_BACKLOG_STATELESS:
		return "stateless";
	default:
		return "unknown";
	}
}

__u64 now_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

__u64 now_coarse_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int halfopen_map(int fd, struct halfopen_view *v)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.value_size != sizeof(struct so_halfopen))
		return -EINVAL;
	v->n = info.max_entries;
	v->len = ((size_t)v->n * sizeof(struct so_halfopen) + page - 1) / page * page;
	p = mmap(NULL, v->len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	v->e = p;
	return 0;
}

void halfopen_unmap(struct halfopen_view *v)
{
	if (v->e)
		munmap((void *)v->e, v->len);
	v->e = NULL;
}
