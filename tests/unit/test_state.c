// SPDX-License-Identifier: GPL-2.0
/* The stateful paths: half-open entries, the flow table, events. */
#include <linux/types.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "cookie.h"
#include "flowtable.h"

static uint8_t linux_opts[20] = {2, 4,	 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
				 0, 100, 0,    0,    0, 0, 1, 3,  3, 7};

/* The half-open life the stateful tests configure: the daemon's default. */
#define LIFE_NS (63ULL * 1000000000ULL)

/* Stateful, with the test table's 16 sets (or fewer, to crowd them). */
static void cfg_stateful(int sets)
{
	struct so_config c;

	cfg_default(&c);
	c.backlog = SO_BACKLOG_STATE;
	c.halfopen_sets = sets;
	c.halfopen_life_ns = LIFE_NS;
	c.events = 1;
	cfg_write(&c);
}

static struct frame_spec syn_spec(bool v6, uint16_t sport)
{
	struct frame_spec s = {
	    .v6 = v6,
	    .sport = sport,
	    .dport = 443,
	    .seq = 0x10203040,
	    .flags = 0x02,
	    .opts = linux_opts,
	    .opt_len = sizeof(linux_opts),
	};
	return s;
}

static int send_frame(const struct frame_spec *s, struct run *r, struct parsed *p)
{
	uint8_t in[FRAME_MAX];
	int len = frame_build(s, in);

	run_xdp(in, len, r);
	if (p && r->ret == XDP_TX && !frame_parse(r->out, r->out_len, p))
		return -1;
	return r->ret;
}

static struct frame_spec ack_of(const struct frame_spec *syn, const struct parsed *sa)
{
	static uint8_t ts[12] = {1, 1, 8, 10, 0, 0, 0, 200};
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
		if (halfopen_get(i, &e) == 0 && (e.flags & SO_HO_LIVE)) {
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
	if (!ASSERT_EQ(send_frame(&s, &r, &sa), XDP_TX, "answered"))
		return;
	if (!ASSERT_EQ(live_entries(&e, NULL), 1, "one half-open entry"))
		return;
	ASSERT_TRUE(!memcmp(e.saddr, t.saddr, SO_TUPLE_ADDR_WORDS * 4), "its tuple");
	ASSERT_EQ(e.flags & SO_HO_V6, 0, "IPv4");
	ASSERT_EQ(e.isn, sa.seq, "our ISN, as sent");
	ASSERT_EQ(e.cisn, s.seq, "the client's ISN");
	ASSERT_EQ(e.seq % 2, 0, "seqlock even: not being written");
	ASSERT_EQ(e.mss, 1460, "the MSS we advertised");
	ASSERT_EQ(e.tsval, sa.tsval, "our TSval");
	ASSERT_EQ(e.tsecr, 100, "the client's TSval, echoed");
	ASSERT_EQ(e.flags & (SO_HO_TS | SO_HO_ECN), SO_HO_TS, "timestamps, no ECN");
	ASSERT_TRUE(e.born != 0, "birth time");
}

static void test_syn_retransmission_gets_identical_synack(void)
{
	struct frame_spec s = syn_spec(true, 50001);
	struct parsed a, b;
	struct run r1, r2;
	__u64 rep = stat_get(syn_repeat);

	cfg_stateful(16);
	send_frame(&s, &r1, &a);
	/* Next cookie slot's key changes nothing: the entry answers. */
	keys_clear();
	if (!ASSERT_EQ(send_frame(&s, &r2, &b), XDP_TX, "the retransmitted SYN is answered"))
		return;
	ASSERT_TRUE(r1.out_len == r2.out_len && !memcmp(r1.out, r2.out, r1.out_len),
		    "byte for byte the same SYN-ACK, TSval included");
	ASSERT_EQ(stat_get(syn_repeat), rep + 1, "syn_repeat counted");
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
	ASSERT_EQ(e.cisn, s.seq, "now for the new ISN");
	ASSERT_EQ(e.isn, sa.seq, "with the new SYN-ACK");
}

static void test_ack_completes_via_state(void)
{
	struct frame_spec s = syn_spec(false, 50003), ack;
	struct so_tuple t = tuple_of(&s);
	struct so_event ev[4];
	struct so_flow f;
	struct parsed sa;
	struct run r;
	__u64 via = stat_get(ack_via_state), valid = stat_get(ack_valid);

	cfg_stateful(16);
	send_frame(&s, &r, &sa);
	events_take(NULL, 0);
	/* Without keys the cookie cannot validate: only the entry can. */
	keys_clear();
	ack = ack_of(&s, &sa);
	if (!ASSERT_EQ(send_frame(&ack, &r, NULL), XDP_PASS, "valid ACK passes"))
		return;
	ASSERT_EQ(stat_get(ack_via_state), via + 1, "ack_via_state counted");
	ASSERT_EQ(stat_get(ack_valid), valid + 1, "ack_valid counted");
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
		ASSERT_EQ(ev[0].features, SO_F_WSCALE | SO_F_SACK | SO_F_TS, "its options");
		/* Timed to the microsecond, or to a jiffy (4 ms here). */
		ASSERT_TRUE(ev[0].rtt_us <= (ev[0].timed ? 1000 : 8000), "an RTT");
		ASSERT_EQ(ev[0].rtt_us, ev[0].age_us, "no retransmission: the RTT is its age");
	}
}

static void test_ack_via_cookie_event(void)
{
	struct frame_spec s = syn_spec(true, 50004), ack;
	struct so_event ev[4];
	struct parsed sa;
	struct run r;

	struct so_config c;

	/* Stateless: the cookie validates, the TSecr gives the RTT. */
	cfg_default(&c);
	c.events = 1; /* a reader is connected */
	cfg_write(&c);
	send_frame(&s, &r, &sa);
	ack = ack_of(&s, &sa);
	ASSERT_EQ(send_frame(&ack, &r, NULL), XDP_PASS, "valid ACK passes");
	if (ASSERT_EQ(events_take(ev, 4), 1, "one event")) {
		ASSERT_EQ(ev[0].via, SO_VIA_COOKIE, "via cookie");
		/* TSvals tick every 1.05 ms on the coarse clock (a jiffy, 4 ms here). */
		ASSERT_TRUE(ev[0].rtt_us <= 6000, "RTT from the TSecr, to a few ms");
		ASSERT_EQ(ev[0].mss, 1440, "MSS");
	}
}

/*
 * One handshake in 16 (by its cookie hash) is timed on the precise clock:
 * those, and only those, fill the RTT histogram.
 */
static void test_rtt_histogram_holds_timed_handshakes(void)
{
	static struct so_event ev[8];
	struct frame_spec s, ack;
	struct parsed sa;
	struct run r;
	__u64 before = rtt_count(), timed = 0;
	int i, n;

	cfg_stateful(16);
	for (i = 0; i < 256; i++) {
		s = syn_spec(i & 1, 52000 + i);
		if (send_frame(&s, &r, &sa) != XDP_TX)
			continue;
		ack = ack_of(&s, &sa);
		send_frame(&ack, &r, NULL);
		n = events_take(ev, 8);
		if (!ASSERT_EQ(n, 1, "an event per handshake"))
			return;
		timed += ev[0].timed;
		/* Test runs a microsecond apart: microseconds, not the jiffies of the rest. */
		if (ev[0].timed &&
		    !ASSERT_TRUE(ev[0].rtt_us < 1000, "a timed RTT, in microseconds"))
			return;
	}
	/* 16 expected; fewer than 1 or more than 64 of 256 is one chance in 10^7. */
	ASSERT_TRUE(timed >= 1 && timed <= 64, "about one in 16 timed");
	ASSERT_EQ(rtt_count() - before, timed, "the histogram counts the timed ones");
}

/* Nobody reads events: the data plane writes none (and wakes nobody). */
static void test_no_events_without_reader(void)
{
	struct frame_spec s = syn_spec(false, 50010), ack;
	struct so_event ev[4];
	struct parsed sa;
	struct run r;
	__u64 valid = stat_get(ack_valid);

	send_frame(&s, &r, &sa);
	ack = ack_of(&s, &sa);
	ASSERT_EQ(send_frame(&ack, &r, NULL), XDP_PASS, "valid ACK passes");
	ASSERT_EQ(stat_get(ack_valid), valid + 1, "the handshake counted");
	ASSERT_EQ(events_take(ev, 4), 0, "no event");
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
	ASSERT_EQ(send_frame(&rst, &r, NULL), XDP_PASS, "RST goes on to the kernel");
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
	__u64 fb = stat_get(cookie_fallback);

	cfg_default(&c);
	c.backlog = SO_BACKLOG_COOKIES;
	c.halfopen_sets = 16;
	c.halfopen_life_ns = LIFE_NS;
	cfg_write(&c);
	ASSERT_EQ(send_frame(&s, &r, &sa), XDP_TX, "answered with a cookie");
	ASSERT_EQ(live_entries(NULL, NULL), 0, "above the backlog: no entry");
	ASSERT_EQ(stat_get(cookie_fallback), fb + 1, "cookie_fallback counted");
	c.backlog = SO_BACKLOG_STATELESS;
	cfg_write(&c);
	s.sport++;
	ASSERT_EQ(send_frame(&s, &r, &sa), XDP_TX, "answered");
	ASSERT_EQ(live_entries(NULL, NULL), 0, "--stateless: no entry");
	ASSERT_EQ(stat_get(cookie_fallback), fb + 1, "and no fallback either");
}

static void test_full_set_takes_oldest(void)
{
	struct frame_spec first = syn_spec(false, 51000), s = first, ack;
	struct so_halfopen e;
	struct parsed sa0, sa;
	struct run r;
	__u64 via = stat_get(ack_via_state), evicted = stat_get(halfopen_evicted);
	int i, first_kept = 0;
	__u32 idx;

	cfg_stateful(1); /* one set: every SYN lands in the same 4 ways */
	send_frame(&first, &r, &sa0);
	/* Oldest is to a jiffy: an entry sampled for RTT holds the precise
	 * clock, the others the coarse one, up to a tick behind it. */
	usleep(20000);
	for (i = 1; i <= SO_HALFOPEN_WAYS; i++) {
		s.sport = 51000 + i;
		send_frame(&s, &r, &sa);
	}
	ASSERT_EQ(live_entries(NULL, NULL), SO_HALFOPEN_WAYS, "the set is full");
	for (idx = 0; idx < SO_HALFOPEN_WAYS; idx++)
		if (halfopen_get(idx, &e) == 0 && e.sport == __builtin_bswap16(51000))
			first_kept = 1;
	ASSERT_TRUE(!first_kept, "the oldest entry made room");
	ASSERT_EQ(stat_get(halfopen_evicted), evicted + 1, "halfopen_evicted counted");
	/* Its handshake still completes: its ISN was a cookie. */
	ack = ack_of(&first, &sa0);
	ASSERT_EQ(send_frame(&ack, &r, NULL), XDP_PASS, "the evicted one completes");
	ASSERT_EQ(stat_get(ack_via_state), via, "by its cookie");
}

/* A way of the one set, as a test puts it there. */
enum way_state { WAY_FREE, WAY_LIVE, WAY_EXPIRING, WAY_GONE };
struct way_spec {
	enum way_state state;
	int age_s; /* seconds since its first SYN-ACK */
};

static void way_put(__u32 way, const struct way_spec *w)
{
	struct so_halfopen e = {.sport = __builtin_bswap16(1000 + way), .dport = 0xbb01};
	__u64 age_ns = (__u64)w->age_s * 1000000000ULL;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (w->state == WAY_EXPIRING)
		age_ns = LIFE_NS + SO_HALFOPEN_GRACE_NS / 2;
	else if (w->state == WAY_GONE)
		age_ns = LIFE_NS + 2 * SO_HALFOPEN_GRACE_NS;
	e.born = ((__u64)now.tv_sec * 1000000000ULL + now.tv_nsec - age_ns) >> SO_BORN_SHIFT;
	e.flags = w->state == WAY_FREE ? 0 : SO_HO_LIVE;
	halfopen_put(way, &e);
}

/*
 * Where a new entry goes in a set whose ways hold what each case says: the
 * first free way (never used, or past its life by the grace), else the
 * oldest live entry (counted as evicted), never an entry that expired
 * within the grace (the daemon has yet to count it); none: a cookie only.
 */
static void test_room_choice(void)
{
	static const struct {
		const char *name;
		struct way_spec ways[SO_HALFOPEN_WAYS];
		int want; /* the way taken, -1: none */
	} cases[] = {
	    {"the oldest live one",
	     {{WAY_LIVE, 5}, {WAY_LIVE, 30}, {WAY_EXPIRING, 0}, {WAY_LIVE, 20}},
	     1},
	    {"the oldest, last", {{WAY_LIVE, 5}, {WAY_LIVE, 6}, {WAY_LIVE, 7}, {WAY_LIVE, 40}}, 3},
	    {"equal ages: the first",
	     {{WAY_LIVE, 9}, {WAY_LIVE, 9}, {WAY_LIVE, 9}, {WAY_LIVE, 9}},
	     0},
	    {"past the grace: free",
	     {{WAY_LIVE, 5}, {WAY_EXPIRING, 0}, {WAY_GONE, 0}, {WAY_LIVE, 40}},
	     2},
	    {"the first free one",
	     {{WAY_LIVE, 50}, {WAY_LIVE, 6}, {WAY_FREE, 0}, {WAY_FREE, 0}},
	     2},
	    {"free above the oldest",
	     {{WAY_LIVE, 60}, {WAY_LIVE, 6}, {WAY_LIVE, 1}, {WAY_FREE, 0}},
	     3},
	    {"all expiring: none",
	     {{WAY_EXPIRING, 0}, {WAY_EXPIRING, 0}, {WAY_EXPIRING, 0}, {WAY_EXPIRING, 0}},
	     -1},
	};
	struct frame_spec s = syn_spec(false, 52000);
	struct so_halfopen e;
	struct parsed sa;
	struct run r;
	size_t c;
	__u32 w;

	cfg_stateful(1);
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		__u64 evicted = stat_get(halfopen_evicted), fb = stat_get(cookie_fallback);
		int got = -1, evicts;

		fprintf(stderr, "  case %s\n", cases[c].name);
		for (w = 0; w < SO_HALFOPEN_WAYS; w++)
			way_put(w, &cases[c].ways[w]);
		s.seq += 1000; /* a new ISN each time: never a retransmission */
		ASSERT_EQ(send_frame(&s, &r, &sa), XDP_TX, "answered");
		for (w = 0; w < SO_HALFOPEN_WAYS; w++)
			if (!halfopen_get(w, &e) && (e.flags & SO_HO_LIVE) &&
			    e.sport == __builtin_bswap16(52000))
				got = w;
		ASSERT_EQ(got, cases[c].want, "the way taken");
		evicts = got >= 0 && cases[c].ways[got].state == WAY_LIVE;
		ASSERT_EQ(stat_get(halfopen_evicted), evicted + evicts, "halfopen_evicted");
		ASSERT_EQ(stat_get(cookie_fallback), fb + (got < 0), "cookie_fallback");
	}
}

/*
 * Where a handshake's flow goes in a flow set whose ways hold what each case
 * says (seen: ticks before now, -1 for a free way) and whose so_flowroom
 * bits say what each case says (room: bit w, way w may be in use):
 *  - bits that show a free way: the first of them, unread, never a live
 *    flow while the bits are right;
 *  - all bits set: the walk, the first free way, else the least recently
 *    seen flow, counted as evicted; the bits of the other free ways it saw
 *    are cleared, the taken way's kept.
 */
static void test_flow_room_choice(void)
{
	static const struct {
		const char *name;
		int seen[SO_FLOW_WAYS];
		__u64 room, room_after;
		int want;
	} cases[] = {
	    {"room shown: the first clear bit", {5, -1, -1, 3}, 0x9, 0xb, 1},
	    {"room shown, last way", {5, 9, 2, -1}, 0x7, 0xf, 3},
	    {"stale bits: the walk's first free way", {5, -1, 2, -1}, 0xf, 0x7, 1},
	    {"stale bits, one free way", {5, 9, -1, 1}, 0xf, 0xf, 2},
	    {"full: the least recently seen", {5, 900, 2, 40}, 0xf, 0xf, 1},
	    {"full, the oldest last", {5, 6, 7, 3000}, 0xf, 0xf, 3},
	    {"full, equal: the first", {8, 8, 8, 8}, 0xf, 0xf, 0},
	};
	struct frame_spec s = syn_spec(false, 53000), ack;
	struct so_config cfg;
	struct timespec now;
	struct parsed sa;
	struct so_flow f;
	struct run r;
	size_t c;
	__u32 w, ticks;
	int got;

	cfg_default(&cfg);
	cfg.flow_sets = 1; /* every tuple's flow in the first set: room bits 0-3 of word 0 */
	cfg_write(&cfg);
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		__u64 evicted = stat_get(flow_evicted);

		fprintf(stderr, "  case %s\n", cases[c].name);
		clock_gettime(CLOCK_MONOTONIC, &now);
		ticks = ((__u64)now.tv_sec * 1000000000ULL + now.tv_nsec) >> SO_FLOW_TICK_SHIFT;
		for (w = 0; w < SO_FLOW_WAYS; w++) {
			struct so_tuple other = {.sport = __builtin_bswap16(2000 + w)};

			memset(&f, 0, sizeof(f));
			if (cases[c].seen[w] >= 0) {
				so_flow_place(&f, &other, SO_ESTABLISHED, ticks, 2);
				f.seen = ticks - cases[c].seen[w];
			}
			flow_put(w, &f);
		}
		flowroom_put(0, cases[c].room);
		s.sport++; /* a new tuple each case */
		ASSERT_EQ(send_frame(&s, &r, &sa), XDP_TX, "answered");
		ack = ack_of(&s, &sa);
		ASSERT_EQ(send_frame(&ack, &r, NULL), XDP_PASS, "the cookie ACK passes");
		got = -1;
		for (w = 0; w < SO_FLOW_WAYS; w++)
			if (!flow_at(w, &f) && f.state == SO_ESTABLISHED &&
			    f.sport == __builtin_bswap16(s.sport))
				got = w;
		ASSERT_EQ(got, cases[c].want, "the way taken");
		if (got >= 0 && !flow_at(got, &f))
			ASSERT_EQ(f.seq & 1, 0, "its sequence count even: written");
		ASSERT_EQ(stat_get(flow_evicted), evicted + (cases[c].seen[cases[c].want] >= 0),
			  "flow_evicted");
		ASSERT_EQ(flowroom_get(0), cases[c].room_after, "the room bits after");
	}
}

static void test_expired_entry_not_used(void)
{
	struct frame_spec s = syn_spec(false, 50007), ack;
	struct so_config c;
	struct parsed sa;
	struct run r;
	__u64 via = stat_get(ack_via_state);

	cfg_stateful(16);
	send_frame(&s, &r, &sa);
	cfg_default(&c);
	c.backlog = SO_BACKLOG_STATE;
	c.halfopen_sets = 16;
	c.halfopen_life_ns = 1; /* everything is past its lifetime... */
	cfg_write(&c);
	usleep(10000); /* ...on the coarse clock too (a jiffy is 4 ms) */
	keys_clear();
	ack = ack_of(&s, &sa);
	ASSERT_EQ(send_frame(&ack, &r, NULL), XDP_PASS, "no keys: left to the kernel");
	ASSERT_EQ(stat_get(ack_via_state), via, "an expired entry validates nothing");
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
	ASSERT_EQ(send_frame(&seg, &r, NULL), XDP_PASS, "data on a known flow");
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
	__u64 known = stat_get(syn_known);

	send_frame(&s, &r, &sa);
	ack = ack_of(&s, &sa);
	send_frame(&ack, &r, NULL);
	ASSERT_EQ(flow_get(&t, &f), 0, "tracked after its handshake");
	/* This namespace has no such socket: the handoff never happened here. */
	s.seq += 77;
	ASSERT_EQ(send_frame(&s, &r, NULL), XDP_TX, "the new SYN is answered");
	ASSERT_TRUE(flow_get(&t, &f) != 0, "and the stale entry forgotten");
	ASSERT_EQ(stat_get(syn_known), known, "not counted as known");
}

static const struct test_case cases[] = {
    TEST(test_syn_creates_half_open_entry),
    TEST(test_syn_retransmission_gets_identical_synack),
    TEST(test_new_isn_replaces_entry),
    TEST(test_ack_completes_via_state),
    TEST(test_ack_via_cookie_event),
    TEST(test_no_events_without_reader),
    TEST(test_rtt_histogram_holds_timed_handshakes),
    TEST(test_rst_frees_half_open_only_in_window),
    TEST(test_fallback_and_stateless_keep_no_state),
    TEST(test_full_set_takes_oldest),
    TEST(test_room_choice),
    TEST(test_flow_room_choice),
    TEST(test_expired_entry_not_used),
    TEST(test_known_flow_fast_path_and_close),
    TEST(test_syn_for_forgotten_flow_answered),
};
const struct test_table state_tests = {cases, sizeof(cases) / sizeof(cases[0])};
