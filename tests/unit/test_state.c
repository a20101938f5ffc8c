// SPDX-License-Identifier: GPL-2.0
/* The stateful paths: half-open entries, the flow table, events. */
#include <linux/types.h>
#include <string.h>

#include "fixture.h"
#include "cookie.h"

#define XDP_DROP_ 1
#define XDP_PASS_ 2
#define XDP_TX_ 3

static uint8_t linux_opts[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 100,
				  0, 0, 0, 0, 1, 3, 3, 7 };

/* Stateful, with the test table's 16 sets (or fewer, to crowd them). */
static void cfg_stateful(int sets)
{
	struct so_config c;

	cfg_default(&c);
	c.stateful = 1;
	c.halfopen_buckets = sets;
	c.hash_seed = 0x5eed;
	c.halfopen_life_ns = 63ULL * 1000000000ULL;
	cfg_write(&c);
}

static struct frame_spec syn_spec(bool v6, uint16_t sport)
{
	struct frame_spec s = {
		.v6 = v6, .sport = sport, .dport = 443, .seq = 0x10203040,
		.flags = 0x02, .opts = linux_opts, .opt_len = sizeof(linux_opts),
	};
	return s;
}

static int send_frame(const struct frame_spec *s, struct run *r, struct parsed *p)
{
	uint8_t in[FRAME_MAX];
	int len = frame_build(s, in);

	run_xdp(in, len, r);
	if (p && r->ret == XDP_TX_ && !frame_parse(r->out, r->out_len, p))
		return -1;
	return r->ret;
}

static struct frame_spec ack_of(const struct frame_spec *syn, const struct parsed *sa)
{
	static uint8_t ts[12] = { 1, 1, 8, 10, 0, 0, 0, 200 };
	struct frame_spec a = *syn;

	a.flags = 0x10;
	a.seq = syn->seq + 1;
	a.ack = sa->seq + 1;
	ts[8] = sa->tsval >> 24;
	ts[9] = sa->tsval >> 16;
	ts[10] = sa->tsval >> 8;
	ts[11] = sa->tsval;
	a.opts = ts;
	a.opt_len = 12;
	return a;
}

/* The live entries of the table, and the index of the last one seen. */
static int live_entries(struct so_halfopen *last, __u32 *last_idx)
{
	struct so_halfopen e;
	__u32 i;
	int n = 0;

	for (i = 0; i < HALFOPEN_TEST_SLOTS; i++) {
		if (halfopen_get(i, &e) == 0 && e.state == SO_SYN_RECV) {
			n++;
			if (last)
				*last = e;
			if (last_idx)
				*last_idx = i;
		}
	}
	return n;
}

static void test_syn_creates_half_open_entry(void)
{
	struct frame_spec s = syn_spec(false, 50000);
	struct so_tuple t = tuple_of(&s);
	struct so_halfopen e;
	struct parsed sa;
	struct run r;

	cfg_stateful(16);
	if (!ASSERT_EQ(send_frame(&s, &r, &sa), XDP_TX_, "answered"))
		return;
	if (!ASSERT_EQ(live_entries(&e, NULL), 1, "one half-open entry"))
		return;
	ASSERT_TRUE(!memcmp(&e.t, &t, sizeof(t)), "its tuple");
	ASSERT_EQ(e.sa.seq, sa.seq, "our ISN, as sent");
	ASSERT_EQ(e.sa.ack, s.seq + 1, "the client's ISN + 1");
	ASSERT_EQ(e.seq % 2, 0, "seqlock even: not being written");
	ASSERT_TRUE(!memcmp(e.mac_client, client_mac, 6) && !memcmp(e.mac_server, server_mac, 6),
		    "MACs for the retransmission");
	ASSERT_EQ(e.nvlan, 0, "no VLAN");
	ASSERT_TRUE(e.first_ns > 0, "first SYN-ACK time");
}

static void test_syn_retransmission_gets_identical_synack(void)
{
	struct frame_spec s = syn_spec(true, 50001);
	struct parsed a, b;
	struct run r1, r2;
	__u64 rep = stat_get(SO_STAT_SYN_REPEAT);

	cfg_stateful(16);
	send_frame(&s, &r1, &a);
	/* Next cookie slot's key changes nothing: the entry answers. */
	keys_clear();
	if (!ASSERT_EQ(send_frame(&s, &r2, &b), XDP_TX_, "the retransmitted SYN is answered"))
		return;
	ASSERT_TRUE(r1.out_len == r2.out_len && !memcmp(r1.out, r2.out, r1.out_len),
		    "byte for byte the same SYN-ACK, TSval included");
	ASSERT_EQ(stat_get(SO_STAT_SYN_REPEAT), rep + 1, "syn_repeat counted");
	ASSERT_EQ(live_entries(NULL, NULL), 1, "still one entry");
}

static void test_new_isn_replaces_entry(void)
{
	struct frame_spec s = syn_spec(false, 50002);
	struct so_halfopen e;
	struct parsed sa;
	struct run r;

	cfg_stateful(16);
	send_frame(&s, &r, &sa);
	s.seq += 1000; /* a new attempt from the same port */
	send_frame(&s, &r, &sa);
	ASSERT_EQ(live_entries(&e, NULL), 1, "still one entry");
	ASSERT_EQ(e.sa.ack, s.seq + 1, "now for the new ISN");
	ASSERT_EQ(e.sa.seq, sa.seq, "with the new SYN-ACK");
}

static void test_ack_completes_via_state(void)
{
	struct frame_spec s = syn_spec(false, 50003), ack;
	struct so_tuple t = tuple_of(&s);
	struct so_event ev[4];
	struct so_flow f;
	struct parsed sa;
	struct run r;
	__u64 via = stat_get(SO_STAT_ACK_VIA_STATE), valid = stat_get(SO_STAT_ACK_VALID);
	__u32 idx = 0;

	cfg_stateful(16);
	send_frame(&s, &r, &sa);
	live_entries(NULL, &idx);
	events_take(NULL, 0);
	/* Without keys the cookie cannot validate: only the entry can. */
	keys_clear();
	ack = ack_of(&s, &sa);
	if (!ASSERT_EQ(send_frame(&ack, &r, NULL), XDP_PASS_, "valid ACK passes"))
		return;
	ASSERT_EQ(stat_get(SO_STAT_ACK_VIA_STATE), via + 1, "ack_via_state counted");
	ASSERT_EQ(stat_get(SO_STAT_ACK_VALID), valid + 1, "ack_valid counted");
	ASSERT_EQ(r.meta.magic, SO_META_MAGIC, "metadata for the handoff");
	ASSERT_EQ(r.meta.snd_wscale, 7, "options from the entry");
	ASSERT_EQ(r.meta.mss, 1460, "MSS from the entry");
	ASSERT_EQ(live_entries(NULL, NULL), 0, "entry freed");
	if (ASSERT_EQ(flow_get(&t, &f), 0, "the flow is tracked"))
		ASSERT_EQ(f.state, SO_ESTABLISHED, "ESTABLISHED");
	if (ASSERT_EQ(events_take(ev, 4), 1, "one event")) {
		ASSERT_EQ(ev[0].type, SO_EV_HANDSHAKE, "a handshake");
		ASSERT_EQ(ev[0].via, SO_VIA_STATE, "via state");
		ASSERT_TRUE(!memcmp(&ev[0].t, &t, sizeof(t)), "its tuple");
		ASSERT_EQ(ev[0].slot, idx, "its slot");
		ASSERT_EQ(ev[0].features, SO_F_WSCALE | SO_F_SACK | SO_F_TS, "its options");
		ASSERT_TRUE(ev[0].rtt_us < 1000000, "an RTT");
	}
}

static void test_ack_via_cookie_event(void)
{
	struct frame_spec s = syn_spec(true, 50004), ack;
	struct so_event ev[4];
	struct parsed sa;
	struct run r;

	/* Stateless: the cookie validates, the TSecr gives the RTT. */
	send_frame(&s, &r, &sa);
	ack = ack_of(&s, &sa);
	ASSERT_EQ(send_frame(&ack, &r, NULL), XDP_PASS_, "valid ACK passes");
	if (ASSERT_EQ(events_take(ev, 4), 1, "one event")) {
		ASSERT_EQ(ev[0].via, SO_VIA_COOKIE, "via cookie");
		ASSERT_TRUE(ev[0].rtt_us <= 2000, "RTT from the TSecr, to the ms");
		ASSERT_EQ(ev[0].mss, 1440, "MSS");
	}
}

static void test_rst_frees_half_open_only_in_window(void)
{
	struct frame_spec s = syn_spec(false, 50005), rst;
	struct parsed sa;
	struct run r;

	cfg_stateful(16);
	send_frame(&s, &r, &sa);
	rst = s;
	rst.flags = 0x04;
	rst.opts = NULL;
	rst.opt_len = 0;
	rst.seq = s.seq + 5000; /* blind: not the sequence we expect */
	ASSERT_EQ(send_frame(&rst, &r, NULL), XDP_PASS_, "RST goes on to the kernel");
	ASSERT_EQ(live_entries(NULL, NULL), 1, "a blind RST removes nothing");
	rst.seq = s.seq + 1;
	send_frame(&rst, &r, NULL);
	ASSERT_EQ(live_entries(NULL, NULL), 0, "an in-window RST removes the entry");
}

static void test_fallback_and_stateless_keep_no_state(void)
{
	struct frame_spec s = syn_spec(false, 50006);
	struct so_config c;
	struct parsed sa;
	struct run r;
	__u64 fb = stat_get(SO_STAT_COOKIE_FALLBACK);

	cfg_default(&c);
	c.stateful = 1;
	c.fallback = 1;
	c.halfopen_buckets = 16;
	c.halfopen_life_ns = 63ULL * 1000000000ULL;
	cfg_write(&c);
	ASSERT_EQ(send_frame(&s, &r, &sa), XDP_TX_, "answered with a cookie");
	ASSERT_EQ(live_entries(NULL, NULL), 0, "above the backlog: no entry");
	ASSERT_EQ(stat_get(SO_STAT_COOKIE_FALLBACK), fb + 1, "cookie_fallback counted");
	c.fallback = 0;
	c.stateful = 0;
	cfg_write(&c);
	s.sport++;
	ASSERT_EQ(send_frame(&s, &r, &sa), XDP_TX_, "answered");
	ASSERT_EQ(live_entries(NULL, NULL), 0, "--stateless: no entry");
	ASSERT_EQ(stat_get(SO_STAT_COOKIE_FALLBACK), fb + 1, "and no fallback either");
}

static void test_full_set_takes_oldest(void)
{
	struct frame_spec first = syn_spec(false, 51000), s = first, ack;
	struct so_halfopen e;
	struct parsed sa0, sa;
	struct run r;
	__u64 via = stat_get(SO_STAT_ACK_VIA_STATE);
	int i, first_kept = 0;
	__u32 idx;

	cfg_stateful(1); /* one set: every SYN lands in the same 4 ways */
	send_frame(&first, &r, &sa0);
	for (i = 1; i <= SO_HALFOPEN_WAYS; i++) {
		s.sport = 51000 + i;
		send_frame(&s, &r, &sa);
	}
	ASSERT_EQ(live_entries(NULL, NULL), SO_HALFOPEN_WAYS, "the set is full");
	for (idx = 0; idx < SO_HALFOPEN_WAYS; idx++)
		if (halfopen_get(idx, &e) == 0 && e.t.sport == __builtin_bswap16(51000))
			first_kept = 1;
	ASSERT_TRUE(!first_kept, "the oldest entry made room");
	/* Its handshake still completes: its ISN was a cookie. */
	ack = ack_of(&first, &sa0);
	ASSERT_EQ(send_frame(&ack, &r, NULL), XDP_PASS_, "the evicted one completes");
	ASSERT_EQ(stat_get(SO_STAT_ACK_VIA_STATE), via, "by its cookie");
}

static void test_expired_entry_not_used(void)
{
	struct frame_spec s = syn_spec(false, 50007), ack;
	struct so_config c;
	struct parsed sa;
	struct run r;
	__u64 via = stat_get(SO_STAT_ACK_VIA_STATE);

	cfg_stateful(16);
	send_frame(&s, &r, &sa);
	cfg_default(&c);
	c.stateful = 1;
	c.halfopen_buckets = 16;
	c.hash_seed = 0x5eed;
	c.halfopen_life_ns = 1; /* everything is past its lifetime */
	cfg_write(&c);
	keys_clear();
	ack = ack_of(&s, &sa);
	ASSERT_EQ(send_frame(&ack, &r, NULL), XDP_PASS_, "no keys: left to the kernel");
	ASSERT_EQ(stat_get(SO_STAT_ACK_VIA_STATE), via, "an expired entry validates nothing");
}

static void test_known_flow_fast_path_and_close(void)
{
	struct frame_spec s = syn_spec(false, 50008), ack, seg;
	struct so_tuple t = tuple_of(&s);
	struct so_flow f;
	struct parsed sa;
	struct run r;

	cfg_stateful(16);
	send_frame(&s, &r, &sa);
	ack = ack_of(&s, &sa);
	send_frame(&ack, &r, NULL);
	/* Data with any ack number passes: the flow is known. */
	seg = ack;
	seg.ack += 12345;
	seg.payload_len = 100;
	ASSERT_EQ(send_frame(&seg, &r, NULL), XDP_PASS_, "data on a known flow");
	seg.flags = 0x11; /* FIN|ACK from the client */
	seg.payload_len = 0;
	send_frame(&seg, &r, NULL);
	if (ASSERT_EQ(flow_get(&t, &f), 0, "tracked"))
		ASSERT_EQ(f.state, SO_CLOSING, "client FIN: CLOSING");
	seg.flags = 0x14; /* RST|ACK */
	send_frame(&seg, &r, NULL);
	if (ASSERT_EQ(flow_get(&t, &f), 0, "tracked"))
		ASSERT_EQ(f.state, SO_TIME_WAIT, "RST: TIME_WAIT");
}

/* A SYN for a tuple we track but the kernel has no socket for: free again. */
static void test_syn_for_forgotten_flow_answered(void)
{
	struct frame_spec s = syn_spec(true, 50009), ack;
	struct so_tuple t = tuple_of(&s);
	struct so_flow f;
	struct parsed sa;
	struct run r;
	__u64 known = stat_get(SO_STAT_SYN_KNOWN);

	send_frame(&s, &r, &sa);
	ack = ack_of(&s, &sa);
	send_frame(&ack, &r, NULL);
	ASSERT_EQ(flow_get(&t, &f), 0, "tracked after its handshake");
	/* This namespace has no such socket: the handoff never happened here. */
	s.seq += 77;
	ASSERT_EQ(send_frame(&s, &r, NULL), XDP_TX_, "the new SYN is answered");
	ASSERT_TRUE(flow_get(&t, &f) != 0, "and the stale entry forgotten");
	ASSERT_EQ(stat_get(SO_STAT_SYN_KNOWN), known, "not counted as known");
}

static const struct test_case cases[] = {
	TEST(test_syn_creates_half_open_entry),
	TEST(test_syn_retransmission_gets_identical_synack),
	TEST(test_new_isn_replaces_entry),
	TEST(test_ack_completes_via_state),
	TEST(test_ack_via_cookie_event),
	TEST(test_rst_frees_half_open_only_in_window),
	TEST(test_fallback_and_stateless_keep_no_state),
	TEST(test_full_set_takes_oldest),
	TEST(test_expired_entry_not_used),
	TEST(test_known_flow_fast_path_and_close),
	TEST(test_syn_for_forgotten_flow_answered),
};
const struct test_table state_tests = { cases, sizeof(cases) / sizeof(cases[0]) };
