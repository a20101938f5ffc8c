// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's flow table work (user/flows.c) against the loaded data
 * plane: so_flowroom marked for an adopted table, the flow marks' rebuild,
 * what happens when its wait for running programs fails, and idle time
 * kept from the data plane's touched marks. A lost mark
 * would not break a connection (its next segment finds the kernel's socket
 * and brings the flow back), so only a test that looks sees it: here a data
 * segment of a flow with no mark has no socket to fall back on, and is
 * dropped.
 */
#include <arpa/inet.h>
#include <linux/types.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "fixture.h"
#include "flowtable.h"
#include "shakeoff.skel.h"
#include "../../user/daemon.h"

static uint8_t syn_opts[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 100, 0, 0, 0, 0, 1, 3, 3, 7};

#define FLOWS 6

/* A handshake on client port sport, through the data plane: its flow. */
static struct frame_spec handshake(uint16_t sport)
{
	static uint8_t ts[12] = {1, 1, 8, 10, 0, 0, 0, 200};
	struct frame_spec s = {.sport = sport,
			       .dport = 443,
			       .seq = 0x5000,
			       .flags = 0x02,
			       .opts = syn_opts,
			       .opt_len = sizeof(syn_opts)};
	uint8_t in[FRAME_MAX];
	struct parsed sa;
	struct run r;

	run_xdp(in, frame_build(&s, in), &r);
	if (!ASSERT_EQ(r.ret, XDP_TX, "SYN answered") ||
	    !ASSERT_TRUE(frame_parse(r.out, r.out_len, &sa), "its SYN-ACK parses"))
		return s;
	s.flags = 0x10;
	s.seq++;
	s.ack = sa.seq + 1;
	ts[8] = sa.tsval >> 24;
	ts[9] = sa.tsval >> 16;
	ts[10] = sa.tsval >> 8;
	ts[11] = sa.tsval;
	s.opts = ts;
	s.opt_len = sizeof(ts);
	run_xdp(in, frame_build(&s, in), &r);
	ASSERT_EQ(r.ret, XDP_PASS, "its ACK handed off");
	return s;
}

/* A data segment of the flow whose handshake ended with ack: passed? */
static int data_passes(const struct frame_spec *ack)
{
	struct frame_spec d = *ack;
	uint8_t in[FRAME_MAX];
	struct run r;

	d.flags = 0x18;
	d.ack += 1000; /* not the cookie's: only the flow table lets it by */
	d.opts = NULL; /* (the handshakes' ACKs share one options buffer) */
	d.opt_len = 0;
	d.payload_len = 100;
	run_xdp(in, frame_build(&d, in), &r);
	return r.ret == XDP_PASS;
}

/* How many of the flows' data segments pass as known flows. */
static int known(const struct frame_spec *acks)
{
	int i, n = 0;

	for (i = 0; i < FLOWS; i++)
		n += data_passes(&acks[i]);
	return n;
}

/* The so_flows index of the flow from client port sport, or -1. */
static int flow_of(uint16_t sport, struct so_flow *f)
{
	__u32 i;

	for (i = 0; i < FLOW_TEST_SLOTS; i++)
		if (!flow_at(i, f) && f->state && f->sport == htons(sport))
			return i;
	return -1;
}

static __u8 gen_now(void)
{
	struct so_config c;
	__u32 zero = 0;

	bpf_map__lookup_elem(skel->maps.so_config, &zero, sizeof(zero), &c, sizeof(c), 0);
	return c.flowmark_gen;
}

static void marks_clear(void)
{
	__u64 zero = 0;
	__u32 i;

	for (i = 0; i < FLOWMARK_TEST_WORDS; i++)
		bpf_map__update_elem(skel->maps.so_flowmark, &i, sizeof(i), &zero, sizeof(zero), 0);
}

static void test_flow_marks_rebuilt(void)
{
	struct daemon d = {.skel = skel,
			   .msl = 30,
			   .flow_idle = SO_FLOW_IDLE_S,
			   .wait_outer = -1,
			   .wait_inner = -1};
	struct frame_spec acks[FLOWS];
	__u32 zero = 0;
	__u8 gen;
	int i;

	for (i = 0; i < FLOWS; i++)
		acks[i] = handshake(51000 + i);
	ASSERT_EQ(known(acks), FLOWS, "every flow known after its handshake");
	bpf_map__lookup_elem(skel->maps.so_config, &zero, sizeof(zero), &d.cfg, sizeof(d.cfg), 0);
	if (!ASSERT_EQ(flows_init(&d), 0, "the daemon maps the flow table"))
		return;
	/* No marks at all: the rebuild alone must give every flow its own. */
	marks_clear();
	ASSERT_EQ(known(acks), 0, "without marks, no flow is found (the test can fail)");
	gen = gen_now();
	flows_tick(&d);
	ASSERT_EQ(gen_now(), !gen, "the rebuilt generation is the current one");
	ASSERT_EQ(d.pub.flows, FLOWS, "the tick counted every flow");
	ASSERT_EQ(known(acks), FLOWS, "every flow found through its rebuilt mark");

	/* The wait for running programs fails: the generation in use stays. */
	close(d.wait_outer);
	d.wait_outer = -1;
	gen = gen_now();
	flows_tick(&d);
	ASSERT_EQ(gen_now(), gen, "a failed wait switches no generation");
	ASSERT_EQ(known(acks), FLOWS, "and every flow is still found");
	flows_fini(&d);
}

/*
 * A daemon adopting the flow table of a run whose so_flowroom never saw its
 * flows (an older shakeoff had none: the map is new) marks every way in use
 * before the data plane may write one blind.
 */
static void test_room_marked_at_start(void)
{
	struct daemon d = {.skel = skel,
			   .msl = 30,
			   .flow_idle = SO_FLOW_IDLE_S,
			   .wait_outer = -1,
			   .wait_inner = -1};
	__u32 zero = 0, i, used = 0, marked = 0;
	struct so_flow f;

	for (i = 0; i < FLOWS; i++)
		handshake(52000 + i);
	flowroom_put(0, 0); /* the test table's 16 sets: one word */
	bpf_map__lookup_elem(skel->maps.so_config, &zero, sizeof(zero), &d.cfg, sizeof(d.cfg), 0);
	if (!ASSERT_EQ(flows_init(&d), 0, "the daemon maps the flow table"))
		return;
	for (i = 0; i < FLOW_TEST_SLOTS; i++) {
		if (flow_at(i, &f) || !f.state)
			continue;
		used++;
		marked += !!(flowroom_get(so_flowroom_word(i)) & so_flowroom_bit(i));
	}
	ASSERT_EQ(used, FLOWS, "a flow per handshake");
	ASSERT_EQ(marked, used, "every way in use marked in so_flowroom");
	ASSERT_EQ(__builtin_popcountll(flowroom_get(0)), used, "and no other");
	flows_fini(&d);
}

/*
 * Idle time, kept without a clock on the data path: a segment of a known
 * flow only marks it touched; the daemon's sweep moves a touched flow's
 * `seen` to now and clears the mark, and forgets a flow neither touched nor
 * seen for --flow-idle.
 */
static void test_flow_idle(void)
{
	struct daemon d = {
	    .skel = skel, .msl = 30, .flow_idle = 2, .wait_outer = -1, .wait_inner = -1};
	__u32 zero = 0, now, old;
	struct frame_spec acks[FLOWS];
	struct so_flow f;
	int i, idx;

	for (i = 0; i < FLOWS; i++)
		acks[i] = handshake(53000 + i);
	bpf_map__lookup_elem(skel->maps.so_config, &zero, sizeof(zero), &d.cfg, sizeof(d.cfg), 0);
	if (!ASSERT_EQ(flows_init(&d), 0, "the daemon maps the flow table"))
		return;
	/* Every flow last seen 10 s ago; half of them have a segment now. */
	now = now_mono_ns() >> SO_FLOW_TICK_SHIFT;
	old = now - (10000000000ULL >> SO_FLOW_TICK_SHIFT);
	for (i = 0; i < FLOWS; i++) {
		idx = flow_of(53000 + i, &f);
		if (!ASSERT_TRUE(idx >= 0, "a flow per handshake"))
			return;
		ASSERT_EQ(f.touched, 0, "a new flow starts untouched");
		f.seen = old;
		flow_put(idx, &f);
	}
	for (i = 0; i < FLOWS; i += 2) {
		ASSERT_TRUE(data_passes(&acks[i]), "a data segment of a known flow passes");
		flow_of(53000 + i, &f);
		ASSERT_EQ(f.touched, 1, "and marks its flow touched");
		ASSERT_EQ(f.seen, old, "without a clock: seen is the daemon's to move");
	}
	flows_tick(&d);
	ASSERT_EQ(d.pub.flow_idle_expired, FLOWS / 2, "the untouched flows, idle, are forgotten");
	ASSERT_EQ(d.pub.flows, FLOWS / 2, "the touched ones are kept");
	for (i = 0; i < FLOWS; i += 2) {
		if (!ASSERT_TRUE(flow_of(53000 + i, &f) >= 0, "a touched flow kept"))
			continue;
		ASSERT_EQ(f.touched, 0, "its mark cleared by the sweep");
		ASSERT_TRUE(f.seen - now < 1000, "its seen moved to the sweep's now");
	}
	flows_fini(&d);
}

static const struct test_case cases[] = {
    TEST(test_flow_marks_rebuilt),
    TEST(test_room_marked_at_start),
    TEST(test_flow_idle),
};
const struct test_table daemon_tests = {cases, sizeof(cases) / sizeof(cases[0])};
