// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's work on the flow table, once a second, through its mmap: a
 * TIME_WAIT entry goes when the kernel's TIME_WAIT socket does (or after
 * 2*MSL, if longer), a silent one after --flow-idle (the data plane marks a
 * flow touched, reading no clock; each sweep moves a touched flow's `seen`
 * to now and clears the mark); and
 * the flow marks (the filter a SYN reads before it may look so_flows up)
 * are rebuilt from what is left, so the bits of forgotten flows fade.
 * so_flowmark holds two generations (each word's low and high 32 bits): the
 * data plane sets a new flow's bit in both, just before it writes the flow,
 * and reads the current one; we clear the other, wait until no program that
 * may have set a bit before the clear is still running (so each such flow is
 * written), mark every flow in it, and make it current.
 *
 * The data plane writes so_flows without locks; we free an entry only with a
 * compare-and-swap of its first word (sequence count, state, FIN bits), so
 * an entry the data plane touched since we read it is left alone.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "daemon.h"
#include "flowtable.h"
#include "log.h"
#include "sockdiag.h"
#include "shakeoff.skel.h"

#define NS 1000000000ULL

static __u32 ticks(__u64 ns)
{
	return ns >> SO_FLOW_TICK_SHIFT;
}

/* How long a TIME_WAIT entry lasts. */
static __u64 time_wait_ns(const struct daemon *d)
{
	__u64 two_msl = 2ULL * d->msl * NS, kernel = SO_KERNEL_TIME_WAIT_S * NS;

	return two_msl > kernel ? two_msl : kernel;
}

/* Way idx may hold a flow: said before it is written, as the data plane
 * writes a way whose bit is clear without reading it. */
static void room_mark(struct daemon *d, __u32 idx)
{
	__atomic_fetch_or(&d->flowroom[so_flowroom_word(idx)], so_flowroom_bit(idx),
			  __ATOMIC_RELAXED);
}

/*
 * Every way in use gets its so_flowroom bit: the flows a previous run left
 * may come with a room map that never saw them (a new one, if that run had
 * none), and a clear bit over a flow would let a new one overwrite it.
 */
static void room_mark_all(struct daemon *d)
{
	__u32 i, n = d->cfg.flow_sets * SO_FLOW_WAYS;

	for (i = 0; i < n; i++)
		if (__atomic_load_n(&d->flows[i].state, __ATOMIC_RELAXED))
			room_mark(d, i);
}

/*
 * An array of maps whose update returns only after every BPF program that
 * was running has finished (the kernel waits an RCU grace period, so that
 * the caller knows no program still uses the old inner map): the barrier
 * the flow marks' rebuild needs, as the data plane marks a flow before it
 * writes it.
 */
static int programs_wait_init(struct daemon *d)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);

	d->wait_inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "so_wait_inner", 4, 4, 1, NULL);
	if (d->wait_inner < 0)
		return -errno;
	opts.inner_map_fd = d->wait_inner;
	d->wait_outer = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "so_wait", 4, 4, 1, &opts);
	return d->wait_outer < 0 ? -errno : 0;
}

/* Wait until every BPF program running now has finished. */
static int programs_wait(struct daemon *d)
{
	__u32 zero = 0;

	return bpf_map_update_elem(d->wait_outer, &zero, &d->wait_inner, BPF_ANY) ? -errno : 0;
}

int flows_init(struct daemon *d)
{
	void *p;

	d->flows_len = (size_t)d->cfg.flow_sets * SO_FLOW_WAYS * sizeof(struct so_flow);
	p = mmap(NULL, d->flows_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		 bpf_map__fd(d->skel->maps.so_flows), 0);
	if (p == MAP_FAILED)
		return -errno;
	d->flows = p;
	d->flowmark_len = (size_t)d->cfg.flowmark_words * sizeof(__u64);
	p = mmap(NULL, d->flowmark_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		 bpf_map__fd(d->skel->maps.so_flowmark), 0);
	if (p == MAP_FAILED)
		return -errno;
	d->flowmark = p;
	d->flowroom_len = (size_t)so_flowroom_words(d->cfg.flow_sets) * sizeof(__u64);
	p = mmap(NULL, d->flowroom_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		 bpf_map__fd(d->skel->maps.so_flowroom), 0);
	if (p == MAP_FAILED)
		return -errno;
	d->flowroom = p;
	room_mark_all(d);
	return programs_wait_init(d);
}

void flows_fini(struct daemon *d)
{
	if (d->flows)
		munmap(d->flows, d->flows_len);
	if (d->flowmark)
		munmap(d->flowmark, d->flowmark_len);
	if (d->flowroom)
		munmap(d->flowroom, d->flowroom_len);
	if (d->wait_outer >= 0)
		close(d->wait_outer);
	if (d->wait_inner >= 0)
		close(d->wait_inner);
	d->flows = NULL;
	d->flowmark = NULL;
	d->flowroom = NULL;
	d->wait_outer = d->wait_inner = -1;
}

/* Set t's bits in the generations of mask (the data plane sets bits too: atomically). */
static void mark(struct daemon *d, const struct so_tuple *t, __u64 mask)
{
	__u32 slot = so_flowmark_slot(so_tuple_hash(d->cfg.hash_seed, t), d->cfg.flowmark_words);

	__atomic_fetch_or(&d->flowmark[slot / 32], so_flowmark_bits(slot, mask), __ATOMIC_RELAXED);
}

/* The first word of an entry: what the data plane changes whenever it touches one. */
union flow_head {
	struct {
		__u32 seq;
		__u8 state, fin, v6, touched;
	};
	__u64 word;
};

/* Why flow f (its first word: head) is done with at now: 0 it is not, 1
 * TIME_WAIT over, 2 idle. */
static int flow_done(const struct daemon *d, const struct so_flow *f, union flow_head head,
		     __u32 now)
{
	/* Signed: a seeded entry may start in the future (seed_one). */
	if (head.state == SO_TIME_WAIT)
		return (__s32)(now - f->since) >= (__s32)ticks(time_wait_ns(d)) ? 1 : 0;
	if (head.touched)
		return 0; /* a segment since the last sweep */
	/* A front sees the client's FIN but never the server's: once the client has
	 * closed, 2*MSL without a segment ends the flow, as TIME_WAIT would. */
	if (d->front && head.state == SO_CLOSING)
		return (__s32)(now - f->seen) >= (__s32)ticks(time_wait_ns(d)) ? 1 : 0;
	return (__s32)(now - f->seen) >= (__s32)ticks(d->flow_idle * NS) ? 2 : 0;
}

void flows_tick(struct daemon *d)
{
	__u32 i, n = d->cfg.flow_sets * SO_FLOW_WAYS, now = ticks(now_mono_ns());
	__u32 next = !d->cfg.flowmark_gen;
	__u64 tw = 0, idle = 0, kept = 0;
	struct so_tuple t;
	int why, err;

	/*
	 * Clear the generation being rebuilt first: a flow the data plane adds
	 * from here on sets its own bit in it. One whose bit it set before is in
	 * the walk below, once the program that set it has finished writing it
	 * (the bit comes first); without that wait, no switch.
	 */
	for (i = 0; i < d->cfg.flowmark_words; i++)
		__atomic_fetch_and(&d->flowmark[i], ~(0xffffffffULL * SO_FLOWMARK_GEN(next)),
				   __ATOMIC_RELAXED);
	err = programs_wait(d);
	if (err)
		so_log("flow marks: waiting for running programs: %s: not rebuilt", strerror(-err));
	for (i = 0; i < n; i++) {
		struct so_flow *f = &d->flows[i];
		union flow_head head, freed;

		head.word = __atomic_load_n((__u64 *)f, __ATOMIC_ACQUIRE);
		if (!head.state || head.seq & 1)
			continue;
		why = flow_done(d, f, head, now);
		freed = head;
		freed.state = 0;
		if (why && __atomic_compare_exchange_n((__u64 *)f, &head.word, freed.word, false,
						       __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			tw += why == 1;
			idle += why == 2;
			continue;
		}
		if (head.touched) {
			/* Seen this second. A segment that marks it again between the
			 * two stores is lost: its flow was just seen now anyway. */
			f->seen = now;
			__atomic_store_n(&f->touched, 0, __ATOMIC_RELEASE);
		}
		memset(&t, 0, sizeof(t));
		memcpy(t.saddr, f->saddr, SO_TUPLE_ADDR_WORDS * 4);
		t.v6 = f->v6;
		if (!err)
			mark(d, &t, SO_FLOWMARK_GEN(next));
		kept++;
	}
	if (!err) {
		d->cfg.flowmark_gen = next;
		config_write(d);
	}
	d->pub.flows = kept;
	d->pub.time_wait_expired += tw;
	d->pub.flow_idle_expired += idle;
}

/*
 * One of the kernel's connections, into a free way of its set (none free:
 * its next segment finds the kernel's socket and the data plane adds it).
 */
static void seed_one(const struct so_tuple *t, __u8 state, __u32 ms_left, void *ctx)
{
	struct daemon *d = ctx;
	__u64 h = so_tuple_hash(d->cfg.hash_seed, t);
	__u32 idx = so_set_of(h, d->cfg.flow_sets, SO_FLOW_WAYS), i;
	__u32 now = ticks(now_mono_ns());

	for (i = 0; i < SO_FLOW_WAYS; i++) {
		struct so_flow *f = &d->flows[idx + i];

		if (f->state)
			continue;
		room_mark(d, idx + i);
		so_flow_place(f, t, state, now, (f->seq | 1) + 1);
		/*
		 * A TIME_WAIT socket of the kernel's: the entry lasts as long as it
		 * has left (or 2*MSL, if longer).
		 */
		if (state == SO_TIME_WAIT)
			f->since = now + ticks(ms_left * 1000000ULL) - ticks(time_wait_ns(d));
		mark(d, t, SO_FLOWMARK_BOTH);
		d->seeded[state == SO_TIME_WAIT]++;
		return;
	}
}

int flows_seed(struct daemon *d)
{
	return connections_get(d->ports, seed_one, d);
}
