// SPDX-License-Identifier: GPL-2.0
/*
 * make bench, part 1: what each path of shakeoff_xdp costs per packet
 * (BPF_PROG_TEST_RUN, median of 5 runs of 1M), against baselines loaded in
 * the same run; and what the daemon's table sweeps cost on full tables.
 * Prints markdown for bench/RESULTS.md and "data NAME NS" lines for plots.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "shakeoff.skel.h"
#include "cost.skel.h"
#include "../tests/unit/frame.h"
#include "../user/daemon.h"
#include "../user/keys.h"

#define REPEAT 1000000
#define RUNS 5

enum { VARY_NONE, VARY_SPORT, VARY_ACK, VARY_COOKIE };

static struct shakeoff *so;
static struct cost *co;
static double drop_ns;

static double run_once(int fd, const void *data, int len, int repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = data, .data_size_in = len, .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &o) || (o.retval != XDP_DROP && o.retval != XDP_TX &&
					       o.retval != XDP_PASS)) {
		fprintf(stderr, "cost: test run failed (%s, verdict %u)\n", strerror(errno), o.retval);
		exit(1);
	}
	return o.duration;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median_ns(int fd, const void *data, int len)
{
	double v[RUNS];
	int i;

	for (i = 0; i < RUNS; i++)
		v[i] = run_once(fd, data, len, REPEAT);
	qsort(v, RUNS, sizeof(v[0]), cmp_double);
	return v[RUNS / 2];
}

static void config(int stateful)
{
	struct so_config c = {
		.mss4 = 1460, .mss6 = 1440, .window = 64240, .wscale = 7, .ttl = 64,
		.features = SO_F_WSCALE | SO_F_SACK | SO_F_TS | SO_F_ECN,
		.stateful = stateful, .halfopen_buckets = 65536 / SO_HALFOPEN_WAYS,
		.hash_seed = 12345, .halfopen_life_ns = 63ULL * 1000000000ULL,
	};
	__u32 zero = 0;

	c.ports[443 / 8] |= 1 << (443 % 8);
	bpf_map__update_elem(so->maps.so_config, &zero, sizeof(zero), &c, sizeof(c), 0);
}

static void row(const char *name, double ns, const char *what)
{
	printf("| %s | %.1f | %.2f | %s |\n", name, ns, ns / drop_ns, what);
	fprintf(stderr, "data %s %.1f\n", name, ns);
}

/* Time a path through the wrapper: itself into shakeoff, minus itself into XDP_DROP. */
static double wrapped(const uint8_t *frame, int len, int vary, __u32 rearm)
{
	int fd = bpf_program__fd(co->progs.wrapper);
	double with, without;

	memset(co->bss->tmpl, 0, sizeof(co->bss->tmpl));
	memcpy(co->bss->tmpl, frame, len);
	co->bss->tmpl_len = len;
	co->bss->l4_off = 14 + 20;
	co->bss->vary = vary;
	co->data->rearm_slot = rearm;
	co->bss->target = 0;
	with = median_ns(fd, frame, len);
	co->bss->target = 1;
	without = median_ns(fd, frame, len);
	return with - without + drop_ns;
}

static const uint8_t linux_opts[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
					0, 1, 0, 0, 0, 0, 1, 3, 3, 7 };
static const uint8_t ts_opts[12] = { 1, 1, 8, 10, 0, 0, 0, 2, 0, 0, 0, 1 };

static int build(uint8_t *f, uint8_t proto, uint16_t dport, uint8_t flags, const uint8_t *opts,
		 int opt_len, int payload)
{
	struct frame_spec s = { .proto = proto, .sport = 40000, .dport = dport, .seq = 1000,
				.ack = 5000, .flags = flags, .opts = opts, .opt_len = opt_len,
				.payload_len = payload };

	return frame_build(&s, f);
}

/* The so_halfopen index of the entry for tuple t, after its SYN went through. */
static __u32 find_slot(const struct so_tuple *t)
{
	struct so_halfopen e;
	__u32 i;

	for (i = 0; i < 65536; i++)
		if (!bpf_map__lookup_elem(so->maps.so_halfopen, &i, sizeof(i), &e, sizeof(e), 0) &&
		    e.state == SO_SYN_RECV && !memcmp(&e.t, t, sizeof(*t)))
			return i;
	return ~0U;
}

static double ms_since(struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The daemon's per-tick work on full tables, timed with its own code. */
static void sweeps(const uint8_t *syn, int syn_len)
{
	struct daemon d = { .ifname = "bench", .skel = so, .synack_retries = 5, .msl = 30 };
	double v[RUNS];
	struct timespec t0;
	__u32 zero = 0, i;
	int k;

	for (k = 0; k < SO_MAX_SUBSCRIBERS; k++)
		d.subs[k] = -1;
	config(1);
	bpf_map__lookup_elem(so->maps.so_config, &zero, sizeof(zero), &d.cfg, sizeof(d.cfg), 0);
	/* Fill the half-open table with three times its size of new SYNs. */
	memcpy(co->bss->tmpl, syn, syn_len);
	co->bss->tmpl_len = syn_len;
	co->bss->vary = VARY_SPORT;
	co->data->rearm_slot = ~0U;
	co->bss->target = 0;
	run_once(bpf_program__fd(co->progs.wrapper), syn, syn_len, 3 * 65536);
	if (retrans_init(&d)) {
		fprintf(stderr, "cost: cannot map the half-open table\n");
		exit(1);
	}
	for (k = 0; k < RUNS; k++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		halfopen_tick(&d);
		v[k] = ms_since(&t0);
	}
	qsort(v, RUNS, sizeof(v[0]), cmp_double);
	printf("| half-open scan, %u of %u entries live (every %d ms) | %.2f ms | %.1f%% |\n",
	       halfopen_live(&d.ho, d.cfg.halfopen_life_ns, now_mono_ns()), d.ho.n, TICK_MS,
	       v[RUNS / 2], v[RUNS / 2] * (1000.0 / TICK_MS) / 10);
	/* A full flow table, all fresh: the sweep reads everything, deletes nothing. */
	for (i = 0; i < 131072; i++) {
		struct so_tuple t = { .saddr = { i }, .daddr = { 7 }, .sport = 1, .dport = 2 };
		struct so_flow f = { .state = SO_ESTABLISHED, .since_ns = now_mono_ns(),
				     .seen_ns = now_mono_ns() };

		bpf_map__update_elem(so->maps.so_flows, &t, sizeof(t), &f, sizeof(f), 0);
	}
	for (k = 0; k < RUNS; k++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		flows_tick(&d);
		v[k] = ms_since(&t0);
	}
	qsort(v, RUNS, sizeof(v[0]), cmp_double);
	printf("| flow sweep, %ld of 131072 entries (every 1000 ms) | %.2f ms | %.1f%% |\n",
	       map_count(bpf_map__fd(so->maps.so_flows), sizeof(struct so_tuple)), v[RUNS / 2],
	       v[RUNS / 2] / 10);
	retrans_fini(&d);
}

int main(void)
{
	uint8_t udp[FRAME_MAX], unprot[FRAME_MAX], syn[FRAME_MAX], ack[FRAME_MAX];
	uint8_t data[FRAME_MAX], out[FRAME_MAX];
	int udp_len, unprot_len, syn_len, ack_len, data_len, fd;
	double stateless, stateful;
	struct bpf_map *m;
	__u64 master[2] = { 1, 2 };
	__u32 zero = 0, one = 1, slot;
	struct so_tuple t = {};

	so = shakeoff__open_and_load();
	co = cost__open();
	if (!so || !co) {
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
	bpf_map__update_elem(co->maps.targets, &zero, sizeof(zero), &fd, sizeof(fd), 0);
	fd = bpf_program__fd(co->progs.xdp_drop);
	bpf_map__update_elem(co->maps.targets, &one, sizeof(one), &fd, sizeof(fd), 0);
	keys_sync(bpf_map__fd(so->maps.so_keys), master, true);
	config(0);

	udp_len = build(udp, 17, 53, 0, NULL, 0, 64);
	unprot_len = build(unprot, 0, 22, 0x10, NULL, 0, 100);
	syn_len = build(syn, 0, 443, 0x02, linux_opts, sizeof(linux_opts), 0);
	ack_len = build(ack, 0, 443, 0x10, ts_opts, sizeof(ts_opts), 0);
	data_len = build(data, 0, 443, 0x18, ts_opts, sizeof(ts_opts), 100);

	drop_ns = median_ns(bpf_program__fd(co->progs.xdp_drop), syn, syn_len);
	printf("| path | ns/packet | x XDP_DROP | what |\n|---|---|---|---|\n");
	row("xdp_drop", drop_ns, "baseline: an empty XDP_DROP program (mostly test-run overhead)");
	row("parse_only", median_ns(bpf_program__fd(co->progs.parse_only), syn, syn_len),
	    "baseline: Ethernet, IP, TCP parsed and the port looked up");
	row("macswap_tx", median_ns(bpf_program__fd(co->progs.macswap_tx), syn, syn_len),
	    "baseline: swap MACs, XDP_TX");
	row("non_tcp", wrapped(udp, udp_len, VARY_NONE, ~0U), "UDP: passed");
	row("tcp_unprotected", wrapped(unprot, unprot_len, VARY_NONE, ~0U),
	    "TCP to a port shakeoff does not protect: passed");
	stateless = wrapped(syn, syn_len, VARY_SPORT, ~0U);
	row("syn_stateless", stateless, "SYN, new tuple: SYN-ACK with a cookie (--stateless)");
	config(1);
	stateful = wrapped(syn, syn_len, VARY_SPORT, ~0U);
	row("syn_stateful", stateful, "SYN, new tuple: SYN-ACK and a half-open entry");
	row("syn_repeat", wrapped(syn, syn_len, VARY_NONE, ~0U),
	    "retransmitted SYN: the same SYN-ACK from its entry");
	row("ack_cookie", wrapped(ack, ack_len, VARY_COOKIE, ~0U),
	    "valid ACK, no entry: cookie checked, flow added, metadata, event");
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
	row("ack_state", wrapped(ack, ack_len, VARY_NONE, slot),
	    "valid ACK matching its entry: no hash, flow added, metadata, event");
	row("ack_forged", wrapped(ack, ack_len, VARY_ACK, ~0U),
	    "forged ACK: no flow, no entry, no socket, bad cookie: dropped");
	{
		struct so_flow f = { .state = SO_ESTABLISHED, .seen_ns = now_mono_ns() };

		bpf_map__update_elem(so->maps.so_flows, &t, sizeof(t), &f, sizeof(f), 0);
	}
	row("established", wrapped(data, data_len, VARY_NONE, ~0U),
	    "data on a flow in the table: passed");
	printf("\nStateful SYN / stateless SYN: **%.2f**.\n", stateful / stateless);
	fprintf(stderr, "data ratio_stateful %.2f\n", stateful / stateless);

	printf("\n| cookie | ns/SYN | |\n|---|---|---|\n");
	printf("| ours: SipHash-2-4 (tuple, ISN, slot) | %.1f | |\n",
	       median_ns(bpf_program__fd(co->progs.cookie_siphash), syn, syn_len) - drop_ns);
	printf("| kernel: bpf_tcp_raw_gen_syncookie_ipv4 | %.1f | |\n",
	       median_ns(bpf_program__fd(co->progs.cookie_kernel), syn, syn_len) - drop_ns);

	printf("\n| daemon work | time | share of one core |\n|---|---|---|\n");
	sweeps(syn, syn_len);
	cost__destroy(co);
	shakeoff__destroy(so);
	return 0;
}
