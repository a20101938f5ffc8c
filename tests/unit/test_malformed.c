// SPDX-License-Identifier: GPL-2.0
/* Malformed input: never answered, never crashes, dropped by a named rule. */
#include <linux/types.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static const uint8_t linux_opts[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2,
				       3, 4, 0,	   0,	 0, 0, 1, 3,  3, 7};

static struct frame_spec syn_spec(bool v6)
{
	struct frame_spec s = {
	    .v6 = v6,
	    .sport = 42000,
	    .dport = 80,
	    .seq = 7,
	    .flags = 0x02,
	    .opts = linux_opts,
	    .opt_len = sizeof(linux_opts),
	};
	return s;
}

/*
 * Frame in gets verdict and moves counter (at its STAT() offset) by one; with
 * NO_STAT it is not ours, and no counter moves at all.
 */
static void expect_frame(const uint8_t *in, int len, int verdict, size_t counter, const char *what)
{
	struct so_counters before = counters_now(), after;
	struct run r;

	fprintf(stderr, "  case %s\n", what);
	run_xdp(in, len, &r);
	ASSERT_EQ(r.ret, verdict, what);
	after = counters_now();
	if (counter == NO_STAT)
		ASSERT_TRUE(!memcmp(&before, &after, sizeof(before)), "no counter moved");
	else
		ASSERT_EQ(stat_at(counter), *(__u64 *)((char *)&before + counter) + 1, "counted");
	if (verdict == XDP_PASS)
		ASSERT_TRUE(r.out_len == len && !memcmp(r.out, in, len), "passed untouched");
}

static void expect(const struct frame_spec *s, int verdict, size_t counter, const char *what)
{
	uint8_t in[FRAME_MAX];
	int len = frame_build(s, in);

	expect_frame(in, len, verdict, counter, what);
}

/*
 * A SYN cut short at every byte: never answered. Cut before the ports we
 * cannot tell it is ours and the kernel judges it; cut after, the IP length
 * runs past the frame and it is dropped.
 */
static void truncated(bool v6, int vlans)
{
	struct frame_spec s = syn_spec(v6);
	uint8_t in[FRAME_MAX];
	struct run r;
	int len, cut, l4_off;

	s.vlans = vlans;
	len = frame_build(&s, in);
	l4_off = 14 + 4 * vlans + (v6 ? 40 : 20);
	for (cut = 0; cut < len; cut++) {
		int want = cut < l4_off + 4 ? XDP_PASS : XDP_DROP;

		if (cut < 14) /* test-run refuses frames shorter than Ethernet */
			continue;
		run_xdp(in, cut, &r);
		if (!ASSERT_EQ(r.ret, want, "verdict for a SYN cut at this length")) {
			fprintf(stderr, "    cut at %d of %d\n", cut, len);
			return;
		}
	}
}

static void test_truncated_at_every_byte(void)
{
	truncated(false, 0);
	truncated(true, 0);
	truncated(false, 2);
	truncated(true, 1);
}

static void test_bad_doff_dropped(void)
{
	struct frame_spec s = syn_spec(false);

	s.doff_override = 4;
	expect(&s, XDP_DROP, STAT(drop_hdrlen), "doff 4 < 5");
	s.doff_override = 0;
	s.v6 = true;
	s.opts = NULL;
	s.opt_len = 0;
	s.doff_override = 15; /* 60 bytes claimed, 20 there */
	expect(&s, XDP_DROP, STAT(drop_hdrlen), "doff past the end");
	s.payload_len = 40; /* 60 bytes there, but an ACK this time */
	s.flags = 0x10;
	s.tot_len_delta = -1;
	expect(&s, XDP_DROP, STAT(drop_hdrlen), "doff past the IP payload");
}

static void test_bad_ip_lengths_dropped(void)
{
	struct frame_spec s = syn_spec(false);

	s.tot_len_delta = 1;
	expect(&s, XDP_DROP, STAT(drop_hdrlen), "IPv4 total length past the frame");
	s.tot_len_delta = -(20 + 20 + 1);
	expect(&s, XDP_DROP, STAT(drop_hdrlen), "IPv4 total length inside the IP header");
	s = syn_spec(true);
	s.tot_len_delta = 1;
	expect(&s, XDP_DROP, STAT(drop_hdrlen), "IPv6 payload length past the frame");
	s.tot_len_delta = -25;
	expect(&s, XDP_DROP, STAT(drop_hdrlen), "IPv6 payload shorter than TCP header");
}

static void test_ipv4_fragments(void)
{
	struct frame_spec s = syn_spec(false);

	s.frag_off = 0x2000; /* MF, offset 0 */
	expect(&s, XDP_DROP, STAT(drop_fragment), "first fragment to a protected port");
	s.frag_off = 0x6000; /* DF|MF: still a fragment; DF is irrelevant */
	expect(&s, XDP_DROP, STAT(drop_fragment), "first fragment with DF");
	s.frag_off = 0x4000; /* DF alone: a whole datagram */
	expect(&s, XDP_TX, STAT(synack_sent), "DF alone is answered");
	s.frag_off = 185; /* a later fragment: no TCP header inside */
	expect(&s, XDP_PASS, NO_STAT, "later fragment");
	s.frag_off = 0x2000;
	s.dport = 22;
	expect(&s, XDP_PASS, NO_STAT, "first fragment to another port");
}

static void test_ipv6_fragments(void)
{
	uint8_t frag[8] = {6, 0, 0, 1, 0, 0, 0, 9}; /* offset 0, M=1 */
	struct frame_spec s = syn_spec(true);

	s.ext = frag;
	s.ext_len = 8;
	s.ext_first = 44;
	expect(&s, XDP_DROP, STAT(drop_fragment), "first fragment to a protected port");
	frag[3] = 0; /* atomic fragment (offset 0, M=0): still a fragment header */
	expect(&s, XDP_DROP, STAT(drop_fragment), "atomic fragment");
	frag[2] = 0x05;
	frag[3] = 0xc8; /* offset 185 */
	expect(&s, XDP_PASS, NO_STAT, "later fragment");
}

static void test_ipv6_ext_chain_too_long(void)
{
	uint8_t ext[8 * 9];
	struct frame_spec s = syn_spec(true);
	int i;

	/* SO walks 8 extension headers: 7 destination options + TCP is answered... */
	for (i = 0; i < 9; i++) {
		memset(ext + 8 * i, 0, 8);
		ext[8 * i] = 60;
		ext[8 * i + 2] = 1; /* PadN, 4 bytes */
		ext[8 * i + 3] = 4;
	}
	s.ext = ext;
	s.ext_first = 60;
	s.ext_len = 8 * 7;
	ext[8 * 6] = 6;
	expect(&s, XDP_TX, STAT(synack_sent), "7 extension headers");
	/* ...a ninth header that still leads on is dropped, never passed. */
	ext[8 * 6] = 60;
	ext[8 * 8] = 6;
	s.ext_len = 8 * 9;
	expect(&s, XDP_DROP, STAT(drop_exthdrs), "9 extension headers");
	/* Hop-by-hop anywhere but first is the kernel's to refuse. */
	ext[0] = 0;
	ext[8] = 6;
	s.ext_len = 16;
	expect(&s, XDP_PASS, NO_STAT, "hop-by-hop out of place");
}

static void test_syn_flag_combinations(void)
{
	struct frame_spec s = syn_spec(false);

	s.flags = 0x06;
	expect(&s, XDP_DROP, STAT(drop_flags), "SYN+RST");
	s.flags = 0x03;
	expect(&s, XDP_DROP, STAT(drop_flags), "SYN+FIN");
	s.flags = 0x12;
	expect(&s, XDP_PASS, STAT(passed), "SYN+ACK (a reply to one of ours)");
	s.flags = 0x01;
	expect(&s, XDP_PASS, STAT(passed), "FIN alone");
	s.flags = 0x00;
	expect(&s, XDP_PASS, STAT(passed), "no flags");
	s.flags = 0x02 | 0x08 | 0x20;
	expect(&s, XDP_TX, STAT(synack_sent), "SYN+PSH+URG is still a SYN");
}

/*
 * A SYN is answered only when its checksums are right: one damaged on the
 * way (above all in its source address) would draw a SYN-ACK to an innocent
 * host. Each case is checked against the independent parser first, so a
 * damaged frame here really is one.
 */
static void syn_checksums(bool v6, int payload_len)
{
	struct frame_spec s = syn_spec(v6);
	int len, saddr_off = 14 + (v6 ? 8 : 12);
	uint8_t in[FRAME_MAX];
	struct parsed p;
	char what[96];

	s.payload_len = payload_len;
	s.addr_last = payload_len; /* a new tuple each time: never a retransmission */
	len = frame_build(&s, in);
	ASSERT_TRUE(frame_parse(in, len, &p) && p.tcp_csum_ok && p.ip_csum_ok, "built right");
	snprintf(what, sizeof(what), "IPv%d SYN, %d bytes of data, checksums right", v6 ? 6 : 4,
		 payload_len);
	expect_frame(in, len, XDP_TX, STAT(synack_sent), what);

	in[saddr_off + 3] ^= 0x01;
	ASSERT_TRUE(frame_parse(in, len, &p) && !p.tcp_csum_ok, "source damaged");
	snprintf(what, sizeof(what), "IPv%d SYN, %d bytes of data, source address damaged",
		 v6 ? 6 : 4, payload_len);
	expect_frame(in, len, XDP_DROP, STAT(drop_csum), what);
	in[saddr_off + 3] ^= 0x01;

	in[len - 1] ^= 0x80;
	ASSERT_TRUE(frame_parse(in, len, &p) && !p.tcp_csum_ok, "last byte damaged");
	snprintf(what, sizeof(what), "IPv%d SYN, %d bytes of data, its last byte damaged",
		 v6 ? 6 : 4, payload_len);
	expect_frame(in, len, XDP_DROP, STAT(drop_csum), what);
	in[len - 1] ^= 0x80;

	/* What a veth peer with TX checksum offload hands over. */
	s.addr_last += 100;
	s.partial_csum = true;
	len = frame_build(&s, in);
	ASSERT_TRUE(frame_parse(in, len, &p) && p.tcp_csum_partial && !p.tcp_csum_ok,
		    "a partial checksum");
	snprintf(what, sizeof(what), "IPv%d SYN, %d bytes of data, partial checksum (TX offload)",
		 v6 ? 6 : 4, payload_len);
	expect_frame(in, len, XDP_TX, STAT(synack_sent), what);
	/* ...which still covers the addresses. */
	in[saddr_off + 3] ^= 0x01;
	snprintf(what, sizeof(what), "IPv%d SYN, partial checksum, source address damaged",
		 v6 ? 6 : 4);
	expect_frame(in, len, XDP_DROP, STAT(drop_csum), what);
}

static void test_syn_checksums(void)
{
	static const int payloads[] = {0, 1, 2, 3, 4, 5, 1001, 1440};
	struct frame_spec s = syn_spec(false);
	uint8_t in[FRAME_MAX];
	size_t i;
	int len;

	for (i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
		syn_checksums(false, payloads[i]);
		syn_checksums(true, payloads[i]);
	}
	/* The IPv4 header's own checksum, with and without options. */
	s.addr_last = 200;
	len = frame_build(&s, in);
	in[14 + 10] ^= 0x10;
	expect_frame(in, len, XDP_DROP, STAT(drop_csum), "IPv4 header checksum wrong");
	s.ip_opt_len = 8;
	len = frame_build(&s, in);
	expect_frame(in, len, XDP_TX, STAT(synack_sent), "IPv4 options, checksums right");
	in[14 + 21] ^= 0x04; /* an option byte */
	expect_frame(in, len, XDP_DROP, STAT(drop_csum), "IPv4 options damaged");
}

static void test_ip_header_unreadable_passes(void)
{
	struct frame_spec s = syn_spec(false);
	uint8_t in[FRAME_MAX];
	struct run r;
	int len = frame_build(&s, in);

	in[14] = 0x44; /* IHL 4 */
	run_xdp(in, len, &r);
	ASSERT_EQ(r.ret, XDP_PASS, "IHL < 5: the kernel drops it");
}

static void test_malformed_tcp_options(void)
{
	static const struct {
		const char *name;
		uint8_t o[12];
		int mss;
	} c[] = {
	    {"zero-length option", {2, 4, 0x05, 0xb4, 99, 0, 3, 3, 7, 0, 0, 0}, 1460},
	    {"option past the header", {2, 4, 0x05, 0xb4, 1, 1, 8, 10, 0, 0, 0, 0}, 1460},
	    {"MSS of wrong length", {2, 3, 0x05, 1, 1, 1, 1, 1, 1, 1, 1, 1}, -1},
	    {"EOL first", {0, 2, 4, 0x05, 0xb4, 0, 0, 0, 0, 0, 0, 0}, -1},
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct frame_spec s = syn_spec(i & 1);
		uint8_t in[FRAME_MAX];
		struct parsed p;
		struct run r;
		int len;

		s.opts = c[i].o;
		s.opt_len = 12;
		len = frame_build(&s, in);
		fprintf(stderr, "  case %s\n", c[i].name);
		run_xdp(in, len, &r);
		/* Like the kernel: options up to the bad one count, the rest do not. */
		if (ASSERT_EQ(r.ret, XDP_TX, "answered") &&
		    ASSERT_TRUE(frame_parse(r.out, r.out_len, &p), "parses")) {
			ASSERT_EQ(p.mss, c[i].mss < 0 ? -1 : (s.v6 ? 1440 : c[i].mss), "MSS");
			ASSERT_TRUE(p.tcp_csum_ok, "checksum");
			ASSERT_EQ(p.wscale, -1, "nothing read past the bad option");
		}
	}
}

static const struct test_case cases[] = {
    TEST(test_truncated_at_every_byte),
    TEST(test_bad_doff_dropped),
    TEST(test_bad_ip_lengths_dropped),
    TEST(test_ipv4_fragments),
    TEST(test_ipv6_fragments),
    TEST(test_ipv6_ext_chain_too_long),
    TEST(test_syn_flag_combinations),
    TEST(test_syn_checksums),
    TEST(test_ip_header_unreadable_passes),
    TEST(test_malformed_tcp_options),
};
const struct test_table malformed_tests = {cases, sizeof(cases) / sizeof(cases[0])};
