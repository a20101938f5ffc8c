// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pin.h"
#include "tables.h"

__u64 now_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
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

__u32 halfopen_live(const struct halfopen_view *v, __u64 life_ns, __u64 now_ns)
{
	__u32 i, n = 0;

	for (i = 0; i < v->n; i++) {
		const volatile struct so_halfopen *e = &v->e[i];

		if (e->state == SO_SYN_RECV && now_ns - e->first_ns < life_ns)
			n++;
	}
	return n;
}

int stat_sum(int fd, __u32 idx, __u64 *sum)
{
	int ncpu = libbpf_num_possible_cpus(), cpu;
	__u64 vals[ncpu];

	*sum = 0;
	if (bpf_map_lookup_elem(fd, &idx, vals))
		return -errno;
	for (cpu = 0; cpu < ncpu; cpu++)
		*sum += vals[cpu];
	return 0;
}

long map_count(int fd, __u32 key_size)
{
	char key[64], next[64];
	long n = 0;

	if (key_size > sizeof(key))
		return -EINVAL;
	if (bpf_map_get_next_key(fd, NULL, next))
		return 0;
	do {
		memcpy(key, next, key_size);
		n++;
	} while (!bpf_map_get_next_key(fd, key, next));
	return n;
}

void tables_now(const char *ifname, struct tables_now *t)
{
	struct halfopen_view v = {};
	struct so_config cfg = {};
	__u32 zero = 0;
	int fd;

	memset(t, 0, sizeof(*t));
	t->backlog = "unknown";
	fd = pin_map_open(ifname, "so_config");
	if (fd >= 0) {
		if (!bpf_map_lookup_elem(fd, &zero, &cfg))
			t->backlog = !cfg.stateful ? "stateless" : cfg.fallback ? "cookies" : "state";
		close(fd);
	}
	fd = pin_map_open(ifname, "so_halfopen");
	if (fd >= 0) {
		if (!halfopen_map(fd, &v)) {
			t->half_open = halfopen_live(&v, cfg.halfopen_life_ns, now_mono_ns());
			halfopen_unmap(&v);
		}
		close(fd);
	}
	fd = pin_map_open(ifname, "so_flows");
	if (fd >= 0) {
		t->flows = map_count(fd, sizeof(struct so_tuple));
		close(fd);
	}
	fd = pin_map_open(ifname, "so_rtt");
	if (fd >= 0) {
		bpf_map_lookup_elem(fd, &zero, &t->rtt);
		close(fd);
	}
}
