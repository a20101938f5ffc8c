// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's flow table work (user/flows.c) against the loaded data
 * plane: so_flowroom marked for an adopted table, the flow marks' rebuild,
 * and what happens when its wait for running programs fails. A lost mark
 * would not break a connection (its next segment finds the kernel's socket
 * and brings the flow back), so only a test that looks sees it: here a data
 * segment of a flow with no mark has no socket to fall back on, and is
 * dropped.
 */
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

/* How many of the flows' data segments pass as known flows. */
static int known(const struct frame_spec *acks)
{
	uint8_t in[FRAME_MAX];
	struct run r;
	int i, n = 0;

	for (i = 0; i < FLOWS; i++) {
		struct frame_spec d = acks[i];

		d.flags = 0x18;
		d.ack += 1000; /* not the cookie's: only the flow table lets it by */
		d.opts = NULL; /* (the handshakes' ACKs share one options buffer) */
		d.opt_len = 0;
		d.payload_len = 100;
		run_xdp(in, frame_build(&d, in), &r);
		n += r.ret == XDP_PASS;
	}
	return n;
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
	struct daemon d = {.skel = skel, .msl = 30, .wait_outer = -1, .wait_inner = -1};
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
	struct daemon d = {.skel = skel, .msl = 30, .wait_outer = -1, .wait_inner = -1};
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

static const struct test_case cases[] = {
    TEST(test_flow_marks_rebuilt),
    TEST(test_room_marked_at_start),
};
const struct test_table daemon_tests = {cases, sizeof(cases) / sizeof(cases[0])};
