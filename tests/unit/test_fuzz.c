// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzing the data plane through BPF_PROG_TEST_RUN, judged by a checker that
 * reads every frame itself (any number of VLAN tags, IPv4 options and
 * fragments, IPv6 extension chains) and knows nothing of shakeoff's parser:
 *  - the verdict is XDP_DROP, XDP_PASS or XDP_TX, never anything else;
 *  - XDP_PASS hands the frame on untouched;
 *  - XDP_TX answers only a SYN (no ACK, RST or FIN) to a protected port, in
 *    a whole, unfragmented datagram with right checksums, and what goes out
 *    is a well-formed SYN-ACK to its sender (addresses, ports, MACs and
 *    VLAN tags swapped back, ACK = ISN + 1, checksums right), never longer;
 *  - XDP_PASS of an ACK (no SYN, no RST) to a protected port happens only
 *    with a valid cookie, a live half-open entry or a known flow (the tables
 *    as they were before the frame; there are no kernel sockets here);
 *  - a frame beyond what shakeoff parses (a third VLAN tag, TCP behind AH)
 *    is not its to judge: SYNs and ACKs alike go to the kernel untouched,
 *    so the kernel, not shakeoff, answers and validates that path.
 * SO_FUZZ_FRAMES frames (default 1 M; `make fuzz`: 100 M), SO_FUZZ_SEED.
 *
 * And the forgery odds: SO_FORGE_ACKS random ACKs (default 1 M; `make fuzz`:
 * 100 M), half on one fixed tuple and half on random ones, against the
 * 2^-24 per try that the cookie's 24 hash bits promise.
 */
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/libbpf.h>

#include "fixture.h"
#include "cookie.h"
#include "synack.h"
#include "shakeoff.skel.h"

static uint64_t rng;

/* xorshift64*: reproducible from the printed seed. */
static uint32_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (rng * 0x2545f4914f6cdd1dULL) >> 32;
}

static unsigned long env_count(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

/* What the checker reads in a frame. */
struct seen {
	int vlans;
	int l3_off;
	bool v6;
	bool ip_ok;	 /* an IP header, readable, version and IHL sane */
	bool whole;	 /* not a fragment (IPv4 MF/offset, any IPv6 fragment header) */
	bool later_frag; /* a non-first fragment: no TCP header in it */
	bool lengths_ok; /* IP length within the frame, TCP header within the IP length */
	bool csum_ok;	 /* IPv4 header and TCP checksums right (TCP: or partial) */
	bool tcp_seen;	 /* ports and flags are within the frame */
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
};

static void see(const uint8_t *f, int len, struct seen *s)
{
	int off = 12, l3, l4 = 0, ip_len = 0, hlen, tcp_len, i;
	uint16_t type;
	uint8_t nh;

	memset(s, 0, sizeof(*s));
	s->whole = true;
	type = get16(f + off);
	while ((type == 0x8100 || type == 0x88a8) && off + 6 <= len) {
		off += 4;
		s->vlans++;
		type = get16(f + off);
	}
	l3 = s->l3_off = off + 2;
	if (type == 0x0800) {
		if (l3 + 20 > len || f[l3] >> 4 != 4 || (f[l3] & 0xf) < 5 || f[l3 + 9] != 6)
			return;
		hlen = (f[l3] & 0xf) * 4;
		ip_len = get16(f + l3 + 2);
		s->whole = !(get16(f + l3 + 6) & 0x3fff);
		s->later_frag = !!(get16(f + l3 + 6) & 0x1fff);
		memcpy(s->saddr, f + l3 + 12, 4);
		memcpy(s->daddr, f + l3 + 16, 4);
		l4 = l3 + hlen;
		s->lengths_ok = ip_len >= hlen && l3 + ip_len <= len && l3 + hlen <= len;
		s->csum_ok = s->lengths_ok && !csum_fold_rfc1071(f + l3, hlen, 0);
	} else if (type == 0x86dd) {
		if (l3 + 40 > len || f[l3] >> 4 != 6)
			return;
		s->v6 = true;
		ip_len = 40 + get16(f + l3 + 4);
		memcpy(s->saddr, f + l3 + 8, 16);
		memcpy(s->daddr, f + l3 + 24, 16);
		nh = f[l3 + 6];
		l4 = l3 + 40;
		/* The headers the kernel walks to TCP by itself; behind any other
		 * (AH, ESP: IPsec) the kernel's xfrm judges, and so do we not. A
		 * hop-by-hop header is valid only first (RFC 8200 4.1). */
		for (i = 0; i < 16 && l4 + 8 <= len; i++) {
			if ((nh == 0 && i == 0) || nh == 43 || nh == 60) {
				hlen = (f[l4 + 1] + 1) * 8;
			} else if (nh == 44) {
				s->whole = false;
				s->later_frag |= !!(get16(f + l4 + 2) & 0xfff8);
				hlen = 8;
			} else {
				break;
			}
			nh = f[l4];
			l4 += hlen;
		}
		if (nh != 6)
			return;
		s->lengths_ok = l3 + ip_len <= len;
		s->csum_ok = s->lengths_ok;
	} else {
		return;
	}
	s->ip_ok = true;
	if (s->later_frag || l4 + 14 > len)
		return;
	s->tcp_seen = true;
	s->sport = get16(f + l4);
	s->dport = get16(f + l4 + 2);
	s->seq = get32(f + l4 + 4);
	s->ack = get32(f + l4 + 8);
	s->flags = f[l4 + 13];
	tcp_len = l3 + ip_len - l4;
	if (!s->lengths_ok || l4 + 20 > len || (f[l4 + 12] >> 4) < 5 ||
	    (f[l4 + 12] >> 4) * 4 > tcp_len) {
		s->lengths_ok = false;
		s->csum_ok = false;
		return;
	}
	if (s->csum_ok) {
		uint32_t pseudo = pseudo_sum(s->v6, s->saddr, s->daddr, tcp_len);
		uint16_t partial = ~csum_fold_rfc1071(NULL, 0, pseudo);

		s->csum_ok =
		    !csum_fold_rfc1071(f + l4, tcp_len, pseudo) || get16(f + l4 + 16) == partial;
	}
}

static bool is_protected(uint16_t port)
{
	return port == 80 || port == 443 || (port >= 8000 && port <= 8010);
}

static struct so_tuple tuple_seen(const struct seen *s)
{
	struct so_tuple t = {.v6 = s->v6};

	memcpy(t.saddr, s->saddr, s->v6 ? 16 : 4);
	memcpy(t.daddr, s->daddr, s->v6 ? 16 : 4);
	t.sport = htons(s->sport);
	t.dport = htons(s->dport);
	return t;
}

/*
 * The cookie slot on either side of a run. The data plane reads the coarse
 * monotonic clock (plus the config's TAI offset), which lags by up to a
 * tick: before a run, that clock; after it, CLOCK_TAI itself (slot_now).
 */
static uint64_t slot_before(void)
{
	static __u64 tai_off;
	struct timespec ts;

	if (!tai_off)
		tai_off = tai_offset();
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec + tai_off) >>
	       SO_SLOT_SHIFT_DEFAULT;
}

/*
 * The cookie rule, restated: ack - 1 carries the top 24 bits of
 * SipHash(key of its slot, tuple, seq - 1), the slot being the current one
 * or the one before, whichever has the cookie's parity. The slot is read on
 * both sides of the run, so a slot boundary in between cannot fool us.
 */
static bool cookie_ok(const struct seen *s, uint64_t now_before, uint64_t now_after)
{
	struct so_tuple t = tuple_seen(s);
	uint32_t cookie = s->ack - 1;
	uint64_t nows[2] = {now_before, now_after};
	__u64 k[2];
	int i;

	for (i = 0; i < 2; i++) {
		uint64_t slot = (cookie & 1) == (nows[i] & 1) ? nows[i] : nows[i] - 1;

		key_of(slot, k);
		if (cookie >> 8 == so_cookie_hash(k, &t, s->seq - 1) >> 40)
			return true;
	}
	return false;
}

/* The tables as they were before a frame, read through mmap. */
static const struct so_flow *flows;
static const struct so_halfopen *halfopen;
static struct so_flow flows_before[FLOW_TEST_SLOTS];
static struct so_halfopen halfopen_before[HALFOPEN_TEST_SLOTS];

static bool same_tuple(const struct so_tuple *t, const __u32 *saddr, const __u32 *daddr,
		       __u16 sport, __u16 dport)
{
	return !memcmp(t->saddr, saddr, 16) && !memcmp(t->daddr, daddr, 16) && t->sport == sport &&
	       t->dport == dport;
}

static bool known_before(const struct seen *s)
{
	struct so_tuple t = tuple_seen(s);
	int i;

	for (i = 0; i < FLOW_TEST_SLOTS; i++) {
		const struct so_flow *f = &flows_before[i];

		if (f->state && f->v6 == t.v6 &&
		    same_tuple(&t, f->saddr, f->daddr, f->sport, f->dport))
			return true;
	}
	for (i = 0; i < HALFOPEN_TEST_SLOTS; i++) {
		const struct so_halfopen *e = &halfopen_before[i];

		if ((e->flags & SO_HO_LIVE) && !!(e->flags & SO_HO_V6) == t.v6 &&
		    same_tuple(&t, e->saddr, e->daddr, e->sport, e->dport) &&
		    e->isn == s->ack - 1 && e->cisn == s->seq - 1)
			return true;
	}
	return false;
}

static void *map_mmap(struct bpf_map *m)
{
	void *p = mmap(NULL, bpf_map__value_size(m) * bpf_map__max_entries(m), PROT_READ,
		       MAP_SHARED, bpf_map__fd(m), 0);

	return p == MAP_FAILED ? NULL : p;
}

/* The SYN-ACK in out answers the SYN in in: swapped, numbered, summed right. */
static const char *synack_wrong(const uint8_t *in, int in_len, const struct seen *si,
				const uint8_t *out, int out_len)
{
	struct seen so;
	struct parsed p;
	int alen = si->v6 ? 16 : 4;

	if (out_len > in_len)
		return "longer than the SYN";
	see(out, out_len, &so);
	if (!frame_parse(out, out_len, &p) || !so.tcp_seen || !so.lengths_ok || !so.whole)
		return "does not parse";
	if (!p.ip_csum_ok || !p.tcp_csum_ok)
		return "wrong checksum";
	if ((p.flags & ~SO_TCP_ECE) != (SO_TCP_SYN | SO_TCP_ACK))
		return "not a SYN-ACK";
	if (memcmp(out, in + 6, 6) || memcmp(out + 6, in, 6))
		return "MACs not swapped";
	if (so.vlans != si->vlans || memcmp(out + 12, in + 12, 4 * si->vlans))
		return "VLAN tags not kept";
	if (so.v6 != si->v6 || memcmp(so.saddr, si->daddr, alen) ||
	    memcmp(so.daddr, si->saddr, alen))
		return "addresses not swapped";
	if (so.sport != si->dport || so.dport != si->sport)
		return "ports not swapped";
	if (so.ack != si->seq + 1)
		return "does not acknowledge the ISN";
	if (p.payload_len)
		return "carries data";
	return NULL;
}

/*
 * A frame to fuzz: a SYN, ACK or anything else, IPv4 or IPv6, 0-3 VLAN
 * tags, IP options or an extension chain, option soup, lying lengths and
 * fragment fields, ACKs with random, valid, near-valid or replayed
 * cookies; then bit flips and truncation.
 */
struct gen {
	uint8_t replay[FRAME_MAX];
	int replay_len;
};

static const uint8_t linux_opts[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2,
				       3, 4, 0,	   0,	 0, 0, 1, 3,  3, 7};

static int option_soup(uint8_t *o)
{
	int n = 0;

	while (n < 36 && rnd() % 6) {
		switch (rnd() % 9) {
		case 0:
			o[n++] = 0;
			break;
		case 1:
			o[n++] = 1;
			break;
		case 2:
			o[n++] = 2;
			o[n++] = 4;
			o[n++] = rnd();
			o[n++] = rnd();
			break;
		case 3:
			o[n++] = 3;
			o[n++] = 3;
			o[n++] = rnd() % 20;
			break;
		case 4:
			o[n++] = 4;
			o[n++] = 2;
			break;
		case 5:
			o[n++] = 8;
			o[n++] = 10;
			memset(o + n, rnd(), 8);
			n += 8;
			break;
		case 6:
			o[n++] = rnd() % 9;
			o[n++] = rnd() % 3 ? rnd() % 2 : 255;
			break;
		case 7:
			o[n++] = rnd();
			o[n++] = 2 + rnd() % 6;
			break;
		default:
			o[n++] = rnd();
			break;
		}
	}
	return n > 40 ? 40 : n;
}

static int ext_chain(uint8_t *e, uint8_t *first)
{
	int n = 1 + rnd() % 10, i;
	uint8_t types[10];

	for (i = 0; i < n; i++) {
		static const uint8_t kinds[] = {0, 60, 43, 44, 60, 51};

		types[i] = kinds[rnd() % sizeof(kinds)];
	}
	*first = types[0];
	for (i = 0; i < n; i++) {
		uint8_t *h = e + 8 * i;

		memset(h, 0, 8);
		h[0] = i + 1 < n ? types[i + 1] : 6;
		if (types[i] == 44) {
			h[2] = rnd() % 4 ? 0 : rnd();
			h[3] = rnd() % 2 ? 1 : rnd() & 0xf9;
		} else if (types[i] == 51) {
			h[1] = 0; /* (0 + 2) * 4 = 8 bytes */
		} else if (types[i] == 43) {
			h[2] = rnd() % 5;
		}
	}
	return 8 * n;
}

static int gen_frame(struct gen *g, uint8_t *buf, uint64_t slot)
{
	static const uint16_t ports[] = {80, 443, 8000, 8005, 8010, 22, 7999, 8011};
	uint8_t opts[48], ext[80];
	struct frame_spec s = {0};
	int len, kind = rnd() % 8, i, n;
	__u64 k[2];

	if (g->replay_len && rnd() % 16 == 0) { /* a replayed valid ACK, or its SYN */
		memcpy(buf, g->replay, g->replay_len);
		return g->replay_len;
	}
	s.v6 = rnd() & 1;
	s.vlans = rnd() % 3;
	s.sport = 1024 + rnd() % 16;
	s.addr_last = rnd() % 4;
	s.dport = rnd() % 8 ? ports[rnd() % sizeof(ports) / sizeof(ports[0])] : rnd();
	s.seq = rnd();
	s.ack = rnd();
	s.window = rnd();
	if (kind < 3)
		s.flags =
		    SO_TCP_SYN |
		    (rnd() % 4 ? 0 : rnd() & (SO_TCP_PSH | SO_TCP_URG | SO_TCP_ECE | SO_TCP_CWR));
	else if (kind < 6)
		s.flags = SO_TCP_ACK | (rnd() % 4 ? 0 : rnd() & (SO_TCP_PSH | SO_TCP_FIN));
	else
		s.flags = rnd(); /* every combination */
	switch (rnd() % 4) {
	case 0:
		break;
	case 1:
		s.opts = linux_opts;
		s.opt_len = sizeof(linux_opts);
		break;
	case 2:
		s.opts = opts;
		s.opt_len = option_soup(opts);
		break;
	default:
		s.opt_len = rnd() % 41;
		for (i = 0; i < s.opt_len; i++)
			opts[i] = rnd();
		s.opts = opts;
	}
	if (rnd() % 4 == 0)
		s.payload_len = rnd() % 64;
	if (!s.v6 && rnd() % 8 == 0)
		s.ip_opt_len = 4 * (1 + rnd() % 10);
	if (s.v6 && rnd() % 6 == 0) {
		s.ext = ext;
		s.ext_len = ext_chain(ext, &s.ext_first);
	}
	if (rnd() % 12 == 0)
		s.doff_override = rnd() % 16;
	if (rnd() % 12 == 0)
		s.tot_len_delta = (int)(rnd() % 41) - 20;
	if (!s.v6 && rnd() % 12 == 0)
		s.frag_off = rnd() % 2 ? 0x2000 : rnd() & 0x3fff;
	s.partial_csum = rnd() % 8 == 0;
	/* ACKs: random (above), valid, or near-valid cookies. */
	if (kind >= 3 && kind < 6 && rnd() % 2) {
		uint32_t cisn = rnd(), cookie;

		s.seq = cisn;
		key_of(slot - rnd() % 2, k);
		cookie = cookie_for(&s, slot, k, rnd() & SO_COPTS_MASK);
		s.seq = cisn + 1;
		s.ack = cookie + 1;
		switch (rnd() % 6) {
		case 0:
			s.ack ^= 1U << (8 + rnd() % 24);
			break; /* a hash bit */
		case 1:
			s.seq += rnd() % 2 ? 1 : -1;
			break; /* another client ISN */
		case 2:
			s.ack ^= 1;
			break; /* the other slot's parity */
		case 3:
			s.sport ^= 1;
			break; /* another tuple */
		default:
			break; /* valid */
		}
	}
	len = frame_build(&s, buf);
	if (rnd() % 10 == 0) { /* a third tag, outermost */
		memmove(buf + 16, buf + 12, len - 12);
		buf[12] = 0x88;
		buf[13] = 0xa8;
		buf[14] = 0;
		buf[15] = 7;
		len += 4;
	}
	if (rnd() % 4 == 0)
		for (n = 1 + rnd() % 4, i = 0; i < n; i++)
			buf[rnd() % len] ^= 1 << (rnd() % 8);
	if (rnd() % 8 == 0)
		len = 14 + rnd() % (len - 13);
	return len;
}

struct tally {
	unsigned long frames, tx, pass, drop, acks_passed, violations;
};

static void violation(struct tally *t, const char *why, const uint8_t *f, int len, int ret)
{
	int i;

	if (t->violations++ >= 5)
		return;
	fprintf(stderr, "    frame %lu, verdict %d: %s\n    ", t->frames, ret, why);
	for (i = 0; i < len && i < 128; i++)
		fprintf(stderr, "%02x", f[i]);
	fprintf(stderr, "%s\n", len > 128 ? "..." : "");
}

static void check_frame(struct tally *t, struct gen *g, const uint8_t *in, int len)
{
	bool ack_to_port, ours;
	uint64_t before, after;
	struct seen s;
	struct run r;

	see(in, len, &s);
	ours = s.ip_ok && s.vlans <= SO_VLAN_MAX;
	ack_to_port = s.tcp_seen && is_protected(s.dport) && (s.flags & SO_TCP_ACK) &&
		      !(s.flags & (SO_TCP_SYN | SO_TCP_RST));
	if (ack_to_port) {
		memcpy(flows_before, flows, sizeof(flows_before));
		memcpy(halfopen_before, halfopen, sizeof(halfopen_before));
	}
	before = slot_before();
	if (run_xdp(in, len, &r))
		return violation(t, "test run failed", in, len, -1);
	after = slot_now(SO_SLOT_SHIFT_DEFAULT);
	t->frames++;
	switch (r.ret) {
	case XDP_DROP:
		t->drop++;
		return;
	case XDP_PASS:
		t->pass++;
		if (r.out_len != len || memcmp(r.out, in, len))
			return violation(t, "passed, but changed", in, len, r.ret);
		if (!ack_to_port || !ours)
			return;
		t->acks_passed++;
		if (!cookie_ok(&s, before, after) && !known_before(&s))
			return violation(t, "an ACK passed without a cookie, an entry or a flow",
					 in, len, r.ret);
		if (!known_before(&s) && s.lengths_ok) {
			memcpy(g->replay, in, len); /* a valid handshake: replay it later */
			g->replay_len = len;
		}
		return;
	case XDP_TX: {
		const char *why;

		t->tx++;
		if (!ours || !s.tcp_seen || !s.whole || !s.lengths_ok || !s.csum_ok ||
		    (s.flags & (SO_TCP_SYN | SO_TCP_ACK | SO_TCP_RST | SO_TCP_FIN)) != SO_TCP_SYN ||
		    !is_protected(s.dport))
			return violation(t, "answered what is not a sound SYN to a protected port",
					 in, len, r.ret);
		why = synack_wrong(in, len, &s, r.out, r.out_len);
		if (why)
			return violation(t, why, in, len, r.ret);
		return;
	}
	default:
		return violation(t, "unknown verdict", in, len, r.ret);
	}
}

static void test_fuzz_data_plane(void)
{
	unsigned long n = env_count("SO_FUZZ_FRAMES", 1000000), seed = env_count("SO_FUZZ_SEED", 1);
	struct tally t = {0};
	struct so_config cfg;
	uint8_t buf[FRAME_MAX];
	struct gen g = {0};
	uint64_t slot = 0;
	unsigned long i;
	time_t t0 = time(NULL);

	flows = map_mmap(skel->maps.so_flows);
	halfopen = map_mmap(skel->maps.so_halfopen);
	if (!ASSERT_TRUE(flows && halfopen, "mmap the tables"))
		return;
	rng = seed * 0x9e3779b97f4a7c15ULL | 1;
	cfg_default(&cfg);
	for (i = 0; i < n; i++) {
		/* Every 64 Ki frames: keys as the daemon keeps them, and the
		 * backlog flipped between state and cookies only. */
		if (i % 65536 == 0) {
			slot = slot_now(SO_SLOT_SHIFT_DEFAULT);
			keys_install(slot);
			cfg.backlog = (i / 65536) % 2 ? SO_BACKLOG_STATELESS : SO_BACKLOG_STATE;
			cfg_write(&cfg);
		}
		check_frame(&t, &g, buf, gen_frame(&g, buf, slot));
		if (t.violations > 5)
			break;
	}
	printf("# fuzz: %lu frames (seed %lu, %ld s): %lu answered, %lu passed (%lu ACKs to "
	       "protected ports), %lu dropped; %lu invariant violations\n",
	       t.frames, seed, (long)(time(NULL) - t0), t.tx, t.pass, t.acks_passed, t.drop,
	       t.violations);
	ASSERT_EQ(t.violations, 0, "invariant violations");
	ASSERT_EQ(t.frames, n, "frames run");
	ASSERT_TRUE(t.tx > n / 100 && t.acks_passed > n / 100 && t.drop > n / 100,
		    "every verdict was reached often");
	munmap((void *)flows, bpf_map__value_size(skel->maps.so_flows) * FLOW_TEST_SLOTS);
	munmap((void *)halfopen, bpf_map__value_size(skel->maps.so_halfopen) * HALFOPEN_TEST_SLOTS);
}

/*
 * Random ACKs against the cookie: each is accepted with probability 2^-24.
 * Every acceptance must be a true hit of the hash (the checker agrees),
 * every true hit accepted, and the count within what chance allows.
 */
static void test_forgery_odds(void)
{
	unsigned long n = env_count("SO_FORGE_ACKS", 1000000), i, accepted = 0, hits = 0;
	double expected = n / 16777216.0, bound = expected + 5 * sqrt(expected) + 3;
	struct frame_spec s = {.sport = 40000, .dport = 443, .flags = SO_TCP_ACK};
	uint8_t buf[FRAME_MAX];
	time_t t0 = time(NULL);
	uint64_t before, after;
	struct seen seen;
	struct run r;
	int len;

	rng = env_count("SO_FUZZ_SEED", 1) * 0xbf58476d1ce4e5b9ULL | 1;
	for (i = 0; i < n; i++) {
		if (i % 65536 == 0)
			keys_install(slot_now(SO_SLOT_SHIFT_DEFAULT));
		s.v6 = i & 2;
		if (i & 1) { /* a random tuple; else the fixed one */
			s.addr_last = rnd();
			s.sport = rnd();
		} else {
			s.addr_last = 0;
			s.sport = 40000;
		}
		s.seq = rnd();
		s.ack = rnd();
		len = frame_build(&s, buf);
		before = slot_before();
		if (run_xdp(buf, len, &r))
			return;
		after = slot_now(SO_SLOT_SHIFT_DEFAULT);
		see(buf, len, &seen);
		hits += cookie_ok(&seen, before, after);
		if (r.ret == XDP_PASS) {
			accepted++;
			state_clear(); /* its flow would pass the next ACK on the tuple */
		} else if (!ASSERT_EQ(r.ret, XDP_DROP, "a forged ACK is dropped")) {
			return;
		}
	}
	printf("# forgery: %lu of %lu random ACKs accepted (%ld s); 2^-24 per try expects %.2f\n",
	       accepted, n, (long)(time(NULL) - t0), expected);
	ASSERT_EQ(accepted, hits, "accepted exactly the true hash hits");
	ASSERT_TRUE(accepted <= bound, "within chance of 2^-24 per try");
}

static const struct test_case cases[] = {
    TEST(test_fuzz_data_plane),
    TEST(test_forgery_odds),
};
const struct test_table fuzz_tests = {cases, sizeof(cases) / sizeof(cases[0])};
