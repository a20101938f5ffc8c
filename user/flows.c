// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's work on the flow table, once a second: TIME_WAIT entries go
 * after 2*MSL, silent ones after SO_FLOW_IDLE_S; and the flow marks (the
 * filter a SYN reads before it may look so_flows up) are rebuilt from what
 * is left, so the bits of forgotten flows fade. so_flowmark is two halves:
 * the data plane sets a new flow's bit in both and reads the current one;
 * we clear the other, mark every flow in it, and make it current.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "daemon.h"
#include "log.h"
#include "sockdiag.h"
#include "tuplehash.h"
#include "shakeoff.skel.h"

#define NS 1000000000ULL
#define BATCH 4096

int flows_init(struct daemon *d)
{
	int fd = bpf_map__fd(d->skel->maps.so_flowmark);
	void *p;

	d->flowmark_len = 2 * (size_t)d->cfg.flowmark_words * sizeof(__u64);
	p = mmap(NULL, d->flowmark_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	d->flowmark = p;
	return 0;
}

void flows_fini(struct daemon *d)
{
	if (d->flowmark)
		munmap(d->flowmark, d->flowmark_len);
	d->flowmark = NULL;
}

/* Set t's bit in half gen (the data plane sets bits too: atomically). */
static void mark(struct daemon *d, const struct so_tuple *t, __u32 gen)
{
	__u32 bit = so_flowmark_bit(d->cfg.hash_seed, t, d->cfg.flowmark_words);

	__atomic_fetch_or(&d->flowmark[gen * d->cfg.flowmark_words + bit / 64], 1ULL << (bit % 64),
			  __ATOMIC_RELAXED);
}

/* Why flow f is done with at now: 0 it is not, 1 TIME_WAIT over, 2 idle. */
static int flow_done(const struct daemon *d, const struct so_flow *f, __u64 now)
{
	/* Signed: a seeded entry may start in the future (flows_seed). */
	if (f->state == SO_TIME_WAIT)
		return (__s64)(now - f->since_ns) >= (__s64)(2ULL * d->msl * NS) ? 1 : 0;
	return now - f->seen_ns >= SO_FLOW_IDLE_S * NS ? 2 : 0;
}

void flows_tick(struct daemon *d)
{
	int fd = bpf_map__fd(d->skel->maps.so_flows);
	__u64 now = now_mono_ns(), tw = 0, idle = 0, kept = 0;
	static struct so_tuple keys[BATCH], dead[BATCH];
	static struct so_flow vals[BATCH];
	__u32 in = 0, out, n, i, ndead = 0, next = !d->cfg.flowmark_gen;
	bool first = true;
	int err, why;

	/*
	 * Clear the half being rebuilt first: a flow the data plane adds from
	 * here on sets its own bit in it, and one it added before is in the
	 * walk below.
	 */
	memset(d->flowmark + next * d->cfg.flowmark_words, 0, d->cfg.flowmark_words * sizeof(__u64));
	__sync_synchronize();
	do {
		n = BATCH;
		err = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, vals, &n, NULL);
		if (err && errno != ENOENT)
			break;
		first = false;
		in = out;
		for (i = 0; i < n; i++) {
			why = flow_done(d, &vals[i], now);
			if (why && ndead < BATCH) {
				dead[ndead++] = keys[i];
				tw += why == 1;
				idle += why == 2;
				continue;
			}
			mark(d, &keys[i], next); /* kept (or left for the next tick) */
			kept++;
		}
	} while (!err);
	for (i = 0; i < ndead; i++)
		bpf_map_delete_elem(fd, &dead[i]);
	if (err && errno != ENOENT) {
		so_log("%s: reading the flow table: %s", d->ifname, strerror(errno));
		return; /* the rebuilt half may miss flows: keep the current one */
	}
	d->cfg.flowmark_gen = next;
	config_write(d);
	d->pub.flows = kept;
	d->pub.time_wait_expired += tw;
	d->pub.flow_idle_expired += idle;
}

static void seed_one(const struct so_tuple *t, __u8 state, __u32 ms_left, void *ctx)
{
	struct daemon *d = ctx;
	__u64 now = now_mono_ns();
	struct so_flow f = { .state = state, .since_ns = now, .seen_ns = now };

	/*
	 * A TIME_WAIT socket of the kernel's lasts as long as it has left,
	 * even past 2*MSL: until it is gone, a SYN for its tuple is the
	 * kernel's (the handoff cannot place a socket over it).
	 */
	if (state == SO_TIME_WAIT)
		f.since_ns = now + ms_left * 1000000ULL - 2ULL * d->msl * NS;
	if (bpf_map__update_elem(d->skel->maps.so_flows, t, sizeof(*t), &f, sizeof(f), BPF_NOEXIST))
		return;
	mark(d, t, 0);
	mark(d, t, 1);
	d->seeded[state == SO_TIME_WAIT]++;
}

int flows_seed(struct daemon *d)
{
	return connections_get(d->ports, seed_one, d);
}
