// SPDX-License-Identifier: GPL-2.0
/*
 * make bench, part 1: what each path of shakeoff_xdp costs per packet
 * (BPF_PROG_TEST_RUN) against baselines loaded in the same run, two ways:
 *  - hot: one call repeating the path 65,536 times from the tables stated
 *    (median of 21 calls; a bare program: 1,000,000 times, median of 5),
 *    program text and small maps warm, every table access at a random
 *    place: the figure the targets are set in;
 *  - cold: one call per packet, each with a fresh frame (a new client port,
 *    a new cookie), median of 20,000: every packet starts after a system
 *    call has swept the caches, as a lone packet does; the harness's own
 *    cost is the xdp_drop row.
 * And what the daemon's table sweeps cost on full tables. Prints markdown
 * for bench/RESULTS.md and "data NAME VALUE" lines for the plots.
 *
 * bench_cost PATH: that path alone, its hot measurement over and over for
 * PROFILE_S seconds, for a profiler to watch (make profile P=PATH).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "shakeoff.h"
#include "shakeoff.skel.h"
#include "cost.skel.h"
#include "flowtable.h"
#include "../tests/unit/frame.h"
#include "../user/daemon.h"
#include "../user/keys.h"

#define BARE_REPEAT 1000000 /* a bare program: the same frame, idempotent */
#define BARE_RUNS   5
/*
 * A path: long enough to amortise the table clear before each call (its
 * 8 MiB of dirty lines are written back by the first packets: at 4,096
 * repetitions a forged ACK reads 256 ns, at 65,536 117), and four times the
 * half-open table, so a stateful SYN run spends most of its packets evicting.
 */
#define PATH_REPEAT 65536
#define PATH_RUNS   21
#define COLD_CALLS  20000
#define SWEEP_RUNS  5
#define PROFILE_S   20
/* The tables' hash seed, and the flow marks' words: 8 bits per flow, as
 * the daemon sizes them for the default flow table. */
#define HASH_SEED      12345
#define FLOWMARK_WORDS (SO_FLOWS_DEFAULT * SO_FLOWMARK_BITS_PER_FLOW / 32)

enum { VARY_NONE, VARY_SPORT, VARY_ACK, VARY_COOKIE };
enum { TO_SHAKEOFF, TO_DROP, TO_REFERENCE };

static struct shakeoff *so;
static struct cost *co;
static struct bpf_object *ref;
static double drop_hot, drop_cold;
static const char *only; /* bench_cost PATH */

/*
 * The verdict the path being timed must end in, and its name: a path that
 * silently took another turn (a dropped SYN, say) would be timed as itself.
 * -1 while preparing tables.
 */
static int want = -1;
static const char *want_path = "";

static double run_once(int fd, const void *data, int len, int repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = data, .data_size_in = len, .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &o) ||
	    (o.retval != XDP_DROP && o.retval != XDP_TX && o.retval != XDP_PASS)) {
		fprintf(stderr, "cost: test run failed (%s, verdict %u)\n", strerror(errno),
			o.retval);
		exit(1);
	}
	if (want >= 0 && o.retval != (__u32)want) {
		fprintf(stderr, "cost: %s ended in verdict %u, not %d: not the path it names\n",
			want_path, o.retval, want);
		exit(1);
	}
	return o.duration;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(v[0]), cmp_double);
	return v[n / 2];
}

/*
 * The tables each run of a path starts from: as the last run left them (a
 * path that needs its own entry), empty (a quiet server's, with room for
 * every new connection), or full of the path's own packets' entries (every
 * insert evicts).
 */
enum tables { TABLES_KEPT, TABLES_EMPTY, TABLES_FULL };
static enum tables tables_at_start;
static void tables_prepare(void);

static double hot_ns(int fd, const void *data, int len, int repeat, int runs)
{
	double v[PATH_RUNS];
	int i;

	for (i = 0; i < runs; i++) {
		tables_prepare();
		v[i] = run_once(fd, data, len, repeat);
	}
	return median(v, runs);
}

static double cold_ns(int fd, const void *data, int len)
{
	static double v[COLD_CALLS];
	int i;

	for (i = 0; i < COLD_CALLS; i++) {
		if (i % PATH_REPEAT == 0)
			tables_prepare();
		v[i] = run_once(fd, data, len, 1);
	}
	return median(v, COLD_CALLS);
}

static void config(enum so_backlog backlog)
{
	struct so_config c = {
	    .mss4 = 1460,
	    .mss6 = 1440,
	    .window = 64240,
	    .wscale = 7,
	    .ttl = 64,
	    .features = SO_F_WSCALE | SO_F_SACK | SO_F_TS | SO_F_ECN,
	    .backlog = backlog,
	    .halfopen_sets = SO_HALFOPEN_DEFAULT / SO_HALFOPEN_WAYS,
	    .hash_seed = HASH_SEED,
	    .halfopen_life_ns = 63ULL * 1000000000ULL,
	    .flowmark_words = FLOWMARK_WORDS,
	    .flow_sets = SO_FLOWS_DEFAULT / SO_FLOW_WAYS,
	    .time_wait = 1,
	    .slot_shift = SO_SLOT_SHIFT_DEFAULT,
	};
	struct timespec tai, mono;
	__u32 zero = 0;

	clock_gettime(CLOCK_TAI, &tai);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	c.tai_off_ns = (tai.tv_sec - mono.tv_sec) * 1000000000ULL + tai.tv_nsec - mono.tv_nsec;
	c.ports[443 / 8] |= 1 << (443 % 8);
	bpf_map__update_elem(so->maps.so_config, &zero, sizeof(zero), &c, sizeof(c), 0);
}

/* Empty tables, as a daemon's sweeps would keep them: a row never inherits
 * the last one's flows or flow marks. */
static void tables_clear(void)
{
	struct bpf_map *maps[] = {so->maps.so_flows, so->maps.so_flowmark, so->maps.so_flowroom,
				  so->maps.so_halfopen};
	size_t i;

	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		size_t len = bpf_map__max_entries(maps[i]) * bpf_map__value_size(maps[i]);
		void *p =
		    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(maps[i]), 0);

		if (p == MAP_FAILED) {
			fprintf(stderr, "cost: cannot map %s\n", bpf_map__name(maps[i]));
			exit(1);
		}
		memset(p, 0, len);
		munmap(p, len);
	}
}

static void tables_prepare(void)
{
	__u32 to = co->bss->target;

	if (tables_at_start == TABLES_KEPT)
		return;
	tables_clear();
	if (tables_at_start == TABLES_FULL) {
		/* Three times the largest table's size of the path's packets. */
		int w = want;

		want = -1;
		co->bss->target = TO_SHAKEOFF;
		run_once(bpf_program__fd(co->progs.wrapper), co->bss->tmpl, co->bss->tmpl_len,
			 3 * SO_FLOWS_DEFAULT);
		co->bss->target = to;
		want = w;
	}
}

struct result {
	double hot, cold;
};

static void row(const char *name, struct result r, const char *what)
{
	if (only)
		return;
	printf("| %s | %.1f | %.2f | %.0f | %s |\n", name, r.hot, r.hot / drop_hot, r.cold, what);
	fprintf(stderr, "data %s %.1f\ndata cold_%s %.0f\n", name, r.hot, name, r.cold);
}

/* Both figures of a bare, idempotent program. */
static struct result bare(int fd, const uint8_t *frame, int len)
{
	if (only)
		return (struct result){0, 0};
	return (struct result){hot_ns(fd, frame, len, BARE_REPEAT, BARE_RUNS),
			       cold_ns(fd, frame, len)};
}

/* ms of clock clk since *t0 (read from the same clock). */
static double ms_since(clockid_t clk, struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(clk, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * bench_cost PATH: the hot measurement of the path, repeated; each line is
 * ns per packet with the wrapper's own cost in (the wrapped rows subtract it).
 */
static void __attribute__((noreturn)) profile(int fd, const void *data, int len)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		tables_prepare();
		printf("%s %.0f ns/packet with the wrapper\n", want_path,
		       run_once(fd, data, len, PATH_REPEAT));
		fflush(stdout);
	} while (ms_since(CLOCK_MONOTONIC, &t0) < PROFILE_S * 1000.0);
	exit(0);
}

/*
 * A path through the wrapper: itself into the target, minus itself into
 * XDP_DROP, plus a bare XDP_DROP: what the path costs on its own.
 */
static struct result wrapped(const char *name, int verdict, const uint8_t *frame, int len, int vary,
			     __u32 rearm, int to, enum tables tables)
{
	int fd = bpf_program__fd(co->progs.wrapper);
	struct result with, without;

	memset(co->bss->tmpl, 0, sizeof(co->bss->tmpl));
	memcpy(co->bss->tmpl, frame, len);
	co->bss->tmpl_len = len;
	co->bss->l4_off = 14 + 20;
	co->bss->vary = vary;
	co->data->rearm_slot = rearm;
	tables_at_start = tables;
	co->bss->target = to;
	want_path = name;
	want = verdict;
	if (only && !strcmp(only, name))
		profile(fd, frame, len);
	if (only)
		return (struct result){0, 0};
	with = (struct result){hot_ns(fd, frame, len, PATH_REPEAT, PATH_RUNS),
			       cold_ns(fd, frame, len)};
	co->bss->target = TO_DROP;
	want = XDP_DROP;
	without = (struct result){hot_ns(fd, frame, len, PATH_REPEAT, PATH_RUNS),
				  cold_ns(fd, frame, len)};
	want = -1;
	tables_at_start = TABLES_KEPT;
	return (struct result){with.hot - without.hot + drop_hot,
			       with.cold - without.cold + drop_cold};
}

static const uint8_t linux_opts[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
				       0, 1, 0,	   0,	 0, 0, 1, 3,  3, 7};
static const uint8_t ts_opts[12] = {1, 1, 8, 10, 0, 0, 0, 2, 0, 0, 0, 1};

static int build(uint8_t *f, uint8_t proto, uint16_t dport, uint8_t flags, const uint8_t *opts,
		 int opt_len, int payload)
{
	struct frame_spec s = {.proto = proto,
			       .sport = 40000,
			       .dport = dport,
			       .seq = 1000,
			       .ack = 5000,
			       .flags = flags,
			       .opts = opts,
			       .opt_len = opt_len,
			       .payload_len = payload};

	return frame_build(&s, f);
}

/* The so_halfopen index of the entry for tuple t, after its SYN went through. */
static __u32 find_slot(const struct so_tuple *t)
{
	struct so_halfopen e;
	__u32 i;

	for (i = 0; i < SO_HALFOPEN_DEFAULT; i++)
		if (!bpf_map__lookup_elem(so->maps.so_halfopen, &i, sizeof(i), &e, sizeof(e), 0) &&
		    (e.flags & SO_HO_LIVE) && !memcmp(e.saddr, t->saddr, SO_TUPLE_ADDR_WORDS * 4))
			return i;
	return ~0U;
}

/*
 * The daemon's per-tick work on full tables, timed with its own code, in
 * the CPU time it takes (the flow tick also sleeps, until the BPF programs
 * running when it cleared a generation are done).
 */
static void sweeps(const uint8_t *syn, int syn_len)
{
	struct daemon d = {.ifname = "bench",
			   .skel = so,
			   .synack_retries = 5,
			   .msl = 30,
			   .flow_idle = SO_FLOW_IDLE_S,
			   .raw4 = -1,
			   .raw6 = -1,
			   .listen_fd = -1,
			   .wait_outer = -1,
			   .wait_inner = -1};
	double v[SWEEP_RUNS];
	struct timespec t0;
	__u32 zero = 0, i;
	int k;

	for (k = 0; k < SO_MAX_SUBSCRIBERS; k++)
		d.subs[k] = -1;
	config(SO_BACKLOG_STATE);
	bpf_map__lookup_elem(so->maps.so_config, &zero, sizeof(zero), &d.cfg, sizeof(d.cfg), 0);
	/* Fill the half-open table with three times its size of new SYNs. */
	memcpy(co->bss->tmpl, syn, syn_len);
	co->bss->tmpl_len = syn_len;
	co->bss->vary = VARY_SPORT;
	co->data->rearm_slot = ~0U;
	co->bss->target = TO_SHAKEOFF;
	run_once(bpf_program__fd(co->progs.wrapper), syn, syn_len, 3 * SO_HALFOPEN_DEFAULT);
	if (halfopen_init(&d) || flows_init(&d)) {
		fprintf(stderr, "cost: cannot map the tables\n");
		exit(1);
	}
	d.scan_ns = now_mono_ns();
	for (k = 0; k < SWEEP_RUNS; k++) {
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
		halfopen_tick(&d);
		v[k] = ms_since(CLOCK_THREAD_CPUTIME_ID, &t0);
	}
	printf("| half-open scan, %u of %u entries live (every %d ms) | %.2f ms | %.1f%% |\n",
	       d.pub.half_open, d.ho.n, TICK_MS, median(v, SWEEP_RUNS),
	       median(v, SWEEP_RUNS) * (1000.0 / TICK_MS) / 10);
	/* A full flow table, all fresh: the sweep reads everything, deletes nothing. */
	for (i = 0; i < SO_FLOWS_DEFAULT; i++) {
		struct so_tuple t = {.saddr = {i}, .daddr = {7}, .sport = 1, .dport = 2};

		so_flow_place(&d.flows[i], &t, SO_ESTABLISHED, now_mono_ns() >> SO_FLOW_TICK_SHIFT,
			      d.flows[i].seq + 2);
	}
	for (k = 0; k < SWEEP_RUNS; k++) {
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
		flows_tick(&d);
		v[k] = ms_since(CLOCK_THREAD_CPUTIME_ID, &t0);
	}
	printf(
	    "| flow sweep and flow-mark rebuild, %llu of %u entries (every 1000 ms) | %.2f ms | %.1f%% |\n",
	    (unsigned long long)d.pub.flows, SO_FLOWS_DEFAULT, median(v, SWEEP_RUNS),
	    median(v, SWEEP_RUNS) / 10);
	flows_fini(&d);
	halfopen_fini(&d);
}

/* Set bits in word idx of a map of 64-bit words. */
static void word_or(struct bpf_map *m, __u32 idx, __u64 bits)
{
	__u64 word = 0;

	bpf_map__lookup_elem(m, &idx, sizeof(idx), &word, sizeof(word), 0);
	word |= bits;
	bpf_map__update_elem(m, &idx, sizeof(idx), &word, sizeof(word), 0);
}

static int prog_fd(struct bpf_object *obj, const char *name)
{
	return bpf_program__fd(bpf_object__find_program_by_name(obj, name));
}

int main(int argc, char **argv)
{
	uint8_t udp[FRAME_MAX], unprot[FRAME_MAX], syn[FRAME_MAX], ack[FRAME_MAX];
	uint8_t data[FRAME_MAX], out[FRAME_MAX];
	int udp_len, unprot_len, syn_len, ack_len, data_len, fd;
	struct result stateless, stateful, ack_cookie, reference;
	double csum;
	struct bpf_map *m;
	__u64 master[2] = {1, 2};
	__u32 idx, slot;
	struct so_tuple t = {};

	so = shakeoff__open();
	co = cost__open();
	ref = bpf_object__open_file(".output/reference.bpf.o", NULL);
	if (!so || !co || libbpf_get_error(ref) ||
	    bpf_map__set_max_entries(so->maps.so_flowmark, FLOWMARK_WORDS) || shakeoff__load(so) ||
	    bpf_object__load(ref)) {
		fprintf(stderr, "cost: cannot open the BPF objects\n");
		return 1;
	}
	/* The wrapper and the cookie programs share shakeoff's maps. */
	bpf_object__for_each_map(m, co->obj) {
		struct bpf_map *twin = bpf_object__find_map_by_name(so->obj, bpf_map__name(m));

		if (twin)
			bpf_map__reuse_fd(m, bpf_map__fd(twin));
	}
	if (cost__load(co)) {
		fprintf(stderr, "cost: cannot load bench/cost.bpf.o\n");
		return 1;
	}
	fd = bpf_program__fd(so->progs.shakeoff_xdp);
	idx = TO_SHAKEOFF;
	bpf_map__update_elem(co->maps.targets, &idx, sizeof(idx), &fd, sizeof(fd), 0);
	fd = bpf_program__fd(co->progs.xdp_drop);
	idx = TO_DROP;
	bpf_map__update_elem(co->maps.targets, &idx, sizeof(idx), &fd, sizeof(fd), 0);
	fd = prog_fd(ref, "reference");
	idx = TO_REFERENCE;
	bpf_map__update_elem(co->maps.targets, &idx, sizeof(idx), &fd, sizeof(fd), 0);
	keys_sync(bpf_map__fd(so->maps.so_keys), master, true, SO_SLOT_SHIFT_DEFAULT);
	config(SO_BACKLOG_STATELESS);

	udp_len = build(udp, 17, 53, 0, NULL, 0, 64);
	unprot_len = build(unprot, 0, 22, 0x10, NULL, 0, 100);
	syn_len = build(syn, 0, 443, 0x02, linux_opts, sizeof(linux_opts), 0);
	ack_len = build(ack, 0, 443, 0x10, ts_opts, sizeof(ts_opts), 0);
	data_len = build(data, 0, 443, 0x18, ts_opts, sizeof(ts_opts), 100);

	only = argc > 1 ? argv[1] : NULL;
	fd = bpf_program__fd(co->progs.xdp_drop);
	if (!only) {
		drop_hot = hot_ns(fd, syn, syn_len, BARE_REPEAT, BARE_RUNS);
		drop_cold = cold_ns(fd, syn, syn_len);
		printf("| path | hot ns/packet | hot x XDP_DROP | cold ns/call | what |\n"
		       "|---|---|---|---|---|\n");
	}
	row("xdp_drop", (struct result){drop_hot, drop_cold},
	    "baseline: an empty XDP_DROP program (cold: the harness itself)");
	row("parse_only", bare(bpf_program__fd(co->progs.parse_only), syn, syn_len),
	    "baseline: Ethernet, IP, TCP parsed and the port looked up");
	row("macswap_tx", bare(bpf_program__fd(co->progs.macswap_tx), syn, syn_len),
	    "baseline: swap MACs, XDP_TX");
	reference =
	    wrapped("reference", XDP_TX, syn, syn_len, VARY_SPORT, ~0U, TO_REFERENCE, TABLES_KEPT);
	row("reference", reference,
	    "baseline: the kernel's cookie helper, a SYN-ACK with MSS, XDP_TX (bench/reference.bpf.c)");
	row("non_tcp",
	    wrapped("non_tcp", XDP_PASS, udp, udp_len, VARY_NONE, ~0U, TO_SHAKEOFF, TABLES_KEPT),
	    "UDP: passed");
	row("tcp_unprotected",
	    wrapped("tcp_unprotected", XDP_PASS, unprot, unprot_len, VARY_NONE, ~0U, TO_SHAKEOFF,
		    TABLES_KEPT),
	    "TCP to a port shakeoff does not protect: passed");
	/* --stateless: the cookie paths alone. */
	stateless = wrapped("syn_stateless", XDP_TX, syn, syn_len, VARY_SPORT, ~0U, TO_SHAKEOFF,
			    TABLES_EMPTY);
	row("syn_stateless", stateless, "SYN, new tuple: SYN-ACK with a cookie (--stateless)");
	ack_cookie = wrapped("ack_cookie", XDP_PASS, ack, ack_len, VARY_COOKIE, ~0U, TO_SHAKEOFF,
			     TABLES_EMPTY);
	row("ack_cookie", ack_cookie,
	    "valid ACK, no entry (--stateless): cookie checked, flow added, metadata");
	row("ack_cookie_full",
	    wrapped("ack_cookie_full", XDP_PASS, ack, ack_len, VARY_COOKIE, ~0U, TO_SHAKEOFF,
		    TABLES_FULL),
	    "the same into a full flow table: every insert evicts the least recently seen flow");
	row("ack_forged",
	    wrapped("ack_forged", XDP_DROP, ack, ack_len, VARY_ACK, ~0U, TO_SHAKEOFF, TABLES_EMPTY),
	    "forged ACK (--stateless): no flow, bad cookie, no socket: dropped");
	/* Stateful: entries, and the walk of a set for every SYN and handshake ACK. */
	config(SO_BACKLOG_STATE);
	stateful = wrapped("syn_stateful", XDP_TX, syn, syn_len, VARY_SPORT, ~0U, TO_SHAKEOFF,
			   TABLES_EMPTY);
	row("syn_stateful", stateful, "SYN, new tuple: SYN-ACK and a half-open entry");
	row("syn_stateful_full",
	    wrapped("syn_stateful_full", XDP_TX, syn, syn_len, VARY_SPORT, ~0U, TO_SHAKEOFF,
		    TABLES_FULL),
	    "the same into a full half-open table: every entry evicts its set's oldest");
	row("syn_repeat",
	    wrapped("syn_repeat", XDP_TX, syn, syn_len, VARY_NONE, ~0U, TO_SHAKEOFF, TABLES_EMPTY),
	    "retransmitted SYN: the same SYN-ACK from its entry");
	row("ack_cookie_stateful",
	    wrapped("ack_cookie_stateful", XDP_PASS, ack, ack_len, VARY_COOKIE, ~0U, TO_SHAKEOFF,
		    TABLES_EMPTY),
	    "valid ACK of an evicted entry: its set walked, then as ack_cookie");
	tables_clear();
	/* A live entry for the ACK's tuple, its SYN-ACK's ISN in the ACK. */
	{
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = syn, .data_size_in = syn_len,
			    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
		struct parsed p;

		bpf_prog_test_run_opts(bpf_program__fd(so->progs.shakeoff_xdp), &o);
		frame_parse(out, o.data_size_out, &p);
		ack_len = build(ack, 0, 443, 0x10, ts_opts, sizeof(ts_opts), 0);
		((uint32_t *)(ack + 14 + 20))[1] = __builtin_bswap32(1001); /* client ISN + 1 */
		((uint32_t *)(ack + 14 + 20))[2] = __builtin_bswap32(p.seq + 1);
		memcpy(&t.saddr, client_ip4, 4);
		memcpy(&t.daddr, server_ip4, 4);
		t.sport = __builtin_bswap16(40000);
		t.dport = __builtin_bswap16(443);
		slot = find_slot(&t);
		if (slot == ~0U) {
			fprintf(stderr, "cost: no half-open entry for the ack_state tuple\n");
			exit(1);
		}
	}
	row("ack_state",
	    wrapped("ack_state", XDP_PASS, ack, ack_len, VARY_NONE, slot, TO_SHAKEOFF, TABLES_KEPT),
	    "valid ACK matching its entry (untimed, as 15 in 16): no hash, flow added, metadata");
	{
		/* The established row's flow, where the data plane would put
		 * it, with its way's room bit and its flow mark (both
		 * generations). */
		__u64 h = so_tuple_hash(HASH_SEED, &t);
		__u32 idx = so_set_of(h, SO_FLOWS_DEFAULT / SO_FLOW_WAYS, SO_FLOW_WAYS);
		__u32 slot = so_flowmark_slot(h, FLOWMARK_WORDS);
		struct so_flow f = {};

		word_or(so->maps.so_flowroom, so_flowroom_word(idx), so_flowroom_bit(idx));
		so_flow_place(&f, &t, SO_ESTABLISHED, now_mono_ns() >> SO_FLOW_TICK_SHIFT, 2);
		bpf_map__update_elem(so->maps.so_flows, &idx, sizeof(idx), &f, sizeof(f), 0);
		word_or(so->maps.so_flowmark, slot / 32, so_flowmark_bits(slot, SO_FLOWMARK_BOTH));
	}
	row("established",
	    wrapped("established", XDP_PASS, data, data_len, VARY_NONE, ~0U, TO_SHAKEOFF,
		    TABLES_KEPT),
	    "data on a flow in the table: passed");
	if (only) {
		fprintf(stderr, "bench_cost: no path named %s\n", only);
		return 2;
	}
	printf("\nStateful SYN / stateless SYN: **%.2f** hot, %.2f cold. "
	       "Stateless SYN / reference: %.2f hot, %.2f cold.\n",
	       stateful.hot / stateless.hot, stateful.cold / stateless.cold,
	       stateless.hot / reference.hot, stateless.cold / reference.cold);
	fprintf(stderr, "data ratio_stateful %.2f\n", stateful.hot / stateless.hot);

	printf("\n| cookie | ns/SYN (hot) | |\n|---|---|---|\n");
	printf("| ours: SipHash-2-4 (tuple, ISN), a key per slot | %.1f | |\n",
	       hot_ns(bpf_program__fd(co->progs.cookie_siphash), syn, syn_len, BARE_REPEAT,
		      BARE_RUNS) -
		   drop_hot);
	printf(
	    "| kernel: bpf_tcp_raw_gen_syncookie_ipv4 | %.1f | |\n",
	    hot_ns(bpf_program__fd(co->progs.cookie_kernel), syn, syn_len, BARE_REPEAT, BARE_RUNS) -
		drop_hot);
	want_path = "syn_csum";
	want = XDP_DROP; /* checksums right */
	csum = hot_ns(bpf_program__fd(co->progs.syn_csum), syn, syn_len, BARE_REPEAT, BARE_RUNS) -
	       hot_ns(bpf_program__fd(co->progs.parse_only), syn, syn_len, BARE_REPEAT, BARE_RUNS);
	want = -1;
	printf("\n| check | ns/SYN (hot) |\n|---|---|\n"
	       "| IPv4 header and TCP checksums of a 40-byte SYN (drop_csum) | %.1f |\n",
	       csum);
	fprintf(stderr, "data syn_csum %.1f\n", csum);

	printf("\n| daemon work | CPU time | share of one core |\n|---|---|---|\n");
	sweeps(syn, syn_len);
	cost__destroy(co);
	bpf_object__close(ref);
	shakeoff__destroy(so);
	return 0;
}
