// SPDX-License-Identifier: GPL-2.0
/* SYN -> SYN-ACK: addresses, ports, sequence numbers, options, checksums. */
#include <linux/types.h>
#include <string.h>

#include "fixture.h"
#include "cookie.h"

#define TSVAL 0x11223344U

/* What a Linux client sends: MSS, SACK-permitted, timestamps, NOP, WS. */
static uint8_t linux_opts[20] = {2,    4,    0x05, 0xb4, 4, 2, 8, 10, 0x11, 0x22,
				 0x33, 0x44, 0,	   0,	 0, 0, 1, 3,  3,    7};
/* What Windows sends: MSS, NOP, WS 8, NOP, NOP, SACK-permitted; no timestamps. */
static const uint8_t windows_opts[12] = {2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2};

static struct frame_spec syn_spec(bool v6, const uint8_t *opts, int opt_len)
{
	struct frame_spec s = {
	    .v6 = v6,
	    .sport = 40000,
	    .dport = PORT_HTTP,
	    .seq = 0xa0b0c0d0,
	    .flags = 0x02,
	    .opts = opts,
	    .opt_len = opt_len,
	};
	return s;
}

/* The cookie the SYN-ACK must carry, computed independently of the run. */
static uint32_t expect_cookie(const struct frame_spec *s, uint32_t mss_idx, uint32_t sack,
			      uint32_t wscale)
{
	uint64_t slot = slot_now(SO_SLOT_SHIFT_DEFAULT);
	__u64 k[2];

	key_of(slot, k);
	return cookie_for(s, slot, k, so_copts(mss_idx, sack, wscale));
}

/* Everything every SYN-ACK must get right. Returns false if it is no SYN-ACK. */
static bool check_synack(const struct frame_spec *s, int syn_len, const struct run *r,
			 struct parsed *p)
{
	if (!ASSERT_EQ(r->ret, XDP_TX, "verdict"))
		return false;
	if (!ASSERT_TRUE(frame_parse(r->out, r->out_len, p), "SYN-ACK parses"))
		return false;
	ASSERT_TRUE(r->out_len <= syn_len, "SYN-ACK no longer than the SYN");
	ASSERT_TRUE(!memcmp(p->eth, client_mac, 6), "dst MAC = client");
	ASSERT_TRUE(!memcmp(p->eth + 6, server_mac, 6), "src MAC = server");
	ASSERT_EQ(p->vlans, s->vlans, "VLAN tags kept");
	if (s->v6) {
		uint8_t caddr[16];

		memcpy(caddr, client_ip6, 16);
		if (s->addr_last)
			caddr[15] = s->addr_last;
		ASSERT_TRUE(!memcmp(p->l3 + 8, server_ip6, 16), "src IPv6 = server");
		ASSERT_TRUE(!memcmp(p->l3 + 24, caddr, 16), "dst IPv6 = client");
		ASSERT_EQ(p->l4_off, p->l3_off + 40, "no extension headers");
		ASSERT_EQ(p->ip_len, p->len - p->l4_off, "payload length");
	} else {
		ASSERT_TRUE(!memcmp(p->l3 + 12, server_ip4, 4), "src IPv4 = server");
		ASSERT_TRUE(!memcmp(p->l3 + 16, client_ip4, 4), "dst IPv4 = client");
		ASSERT_EQ(p->l3[0], 0x45, "IPv4 version/IHL 5");
		ASSERT_EQ(p->ip_len, p->len - p->l3_off, "IPv4 total length");
		ASSERT_EQ(p->frag_off, 0x4000, "DF, no fragment");
	}
	ASSERT_EQ(p->ttl, 64, "fresh TTL");
	ASSERT_TRUE(p->ip_csum_ok, "IPv4 header checksum");
	ASSERT_TRUE(p->tcp_csum_ok, "TCP checksum");
	ASSERT_EQ(p->sport, s->dport, "source port");
	ASSERT_EQ(p->dport, s->sport, "destination port");
	ASSERT_EQ(p->ack, s->seq + 1, "ack = client ISN + 1");
	ASSERT_EQ(p->flags & ~0x40, 0x12, "SYN|ACK");
	ASSERT_EQ(p->window, 64240, "window");
	ASSERT_EQ(p->payload_len, 0, "no data");
	ASSERT_TRUE(!p->unknown_opt, "only options we know");
	return true;
}

static void syn_gets_synack(bool v6)
{
	struct frame_spec s = syn_spec(v6, linux_opts, sizeof(linux_opts));
	uint8_t in[FRAME_MAX];
	struct parsed p;
	struct run r;
	int len = frame_build(&s, in);
	__u64 sent = stat_get(synack_sent);

	run_xdp(in, len, &r);
	if (!check_synack(&s, len, &r, &p))
		return;
	ASSERT_EQ(r.out_len, len, "same length as a Linux SYN");
	ASSERT_EQ(p.doff, 40, "doff");
	ASSERT_EQ(p.mss, v6 ? 1440 : 1460, "MSS clamped to ours");
	ASSERT_EQ(p.wscale, 7, "our window scale");
	ASSERT_TRUE(p.sack_perm, "SACK-permitted");
	ASSERT_TRUE(p.ts, "timestamps");
	ASSERT_EQ(p.tsecr, TSVAL, "TSecr = client TSval");
	ASSERT_EQ(p.tsval & 1, 0, "no ECN asked, none in the TSval");
	ASSERT_EQ(p.seq, expect_cookie(&s, v6 ? 2 : 3, 1, 7), "seq = cookie");
	/* Linux's packing: MSS, SACK-perm+TS in 12 bytes, NOP+WS. */
	ASSERT_TRUE(!memcmp(p.l4 + 24, "\x04\x02\x08\x0a", 4), "SACK-perm packed with TS");
	ASSERT_TRUE(!memcmp(p.l4 + 36, "\x01\x03\x03\x07", 4), "NOP, WS");
	ASSERT_EQ(stat_get(synack_sent), sent + 1, "synack_sent counted");
}

static void test_syn4_gets_synack(void)
{
	syn_gets_synack(false);
}

static void test_syn6_gets_synack(void)
{
	syn_gets_synack(true);
}

static void test_syn_windows_options(void)
{
	struct frame_spec s = syn_spec(false, windows_opts, sizeof(windows_opts));
	uint8_t in[FRAME_MAX];
	struct parsed p;
	struct run r;
	int len = frame_build(&s, in);

	run_xdp(in, len, &r);
	if (!check_synack(&s, len, &r, &p))
		return;
	ASSERT_EQ(p.doff, 32, "MSS + NOP NOP SACK + NOP WS");
	ASSERT_EQ(p.mss, 1460, "MSS");
	ASSERT_EQ(p.wscale, 7, "WS");
	ASSERT_TRUE(p.sack_perm, "SACK-permitted without timestamps");
	ASSERT_TRUE(!p.ts, "no timestamps: the client sent none");
	/* Without timestamps, window scale and SACK still survive: in the cookie. */
	ASSERT_EQ(p.seq, expect_cookie(&s, 3, 1, 8), "cookie carries client wscale 8 and SACK");
}

static void test_syn_each_option_alone(void)
{
	static const struct {
		const char *name;
		uint8_t opts[12];
		int len, doff, mss, wscale;
		bool sack, ts;
	} c[] = {
	    {"none", {}, 0, 20, -1, -1, false, false},
	    {"mss", {2, 4, 0x05, 0xb4}, 4, 24, 1460, -1, false, false},
	    {"ws", {1, 3, 3, 2}, 4, 24, -1, 7, false, false},
	    {"sack", {1, 1, 4, 2}, 4, 24, -1, -1, true, false},
	    {"ts", {1, 1, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0}, 12, 32, -1, -1, false, true},
	    {"sack+ws unpadded", {4, 2, 3, 3, 1}, 5, 28, -1, 7, true, false},
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct frame_spec s = syn_spec(i & 1, c[i].opts, c[i].len);
		uint8_t in[FRAME_MAX];
		struct parsed p;
		struct run r;
		int len = frame_build(&s, in);

		fprintf(stderr, "  case %s\n", c[i].name);
		run_xdp(in, len, &r);
		if (!check_synack(&s, len, &r, &p))
			continue;
		ASSERT_EQ(p.doff, c[i].doff, "doff");
		ASSERT_EQ(p.mss, c[i].mss == 1460 && s.v6 ? 1440 : c[i].mss, "MSS only if offered");
		ASSERT_EQ(p.wscale, c[i].wscale, "WS only if offered");
		ASSERT_EQ(p.sack_perm, c[i].sack, "SACK-perm only if offered");
		ASSERT_EQ(p.ts, c[i].ts, "TS only if offered");
	}
}

static void test_syn_mss_clamp(void)
{
	uint8_t big[4] = {2, 4, 0x23, 0x28}, small[4] = {2, 4, 0x04, 0xb0}; /* 9000, 1200 */
	struct frame_spec s = syn_spec(false, big, 4);
	uint8_t in[FRAME_MAX];
	struct parsed p;
	struct run r;
	int len = frame_build(&s, in);

	run_xdp(in, len, &r);
	if (check_synack(&s, len, &r, &p)) {
		ASSERT_EQ(p.mss, 1460, "9000 clamped to our 1460");
		ASSERT_EQ(p.seq, expect_cookie(&s, 3, 0, SO_WSCALE_NONE), "cookie: 1460 entry");
	}
	s.opts = small;
	len = frame_build(&s, in);
	run_xdp(in, len, &r);
	if (check_synack(&s, len, &r, &p)) {
		ASSERT_EQ(p.mss, 1200, "the client's smaller MSS");
		ASSERT_EQ(p.seq, expect_cookie(&s, 0, 0, SO_WSCALE_NONE), "cookie: 536 entry");
	}
}

static void test_syn_wscale_clamped_to_14(void)
{
	uint8_t o[8] = {2, 4, 0x05, 0xb4, 1, 3, 3, 20};
	struct frame_spec s = syn_spec(false, o, 8);
	uint8_t in[FRAME_MAX];
	struct parsed p;
	struct run r;
	int len = frame_build(&s, in);

	run_xdp(in, len, &r);
	if (check_synack(&s, len, &r, &p))
		ASSERT_EQ(p.seq, expect_cookie(&s, 3, 0, 14), "RFC 7323: shift above 14 means 14");
}

static void test_syn_server_features_off(void)
{
	struct frame_spec s = syn_spec(false, linux_opts, sizeof(linux_opts));
	struct so_config cfg;
	uint8_t in[FRAME_MAX];
	struct parsed p;
	struct run r;
	int len = frame_build(&s, in);

	cfg_default(&cfg);
	cfg.features = 0; /* tcp_window_scaling = tcp_sack = tcp_timestamps = 0 */
	cfg_write(&cfg);
	run_xdp(in, len, &r);
	if (!check_synack(&s, len, &r, &p))
		return;
	ASSERT_EQ(p.doff, 24, "only MSS");
	ASSERT_EQ(p.wscale, -1, "no WS: the server does not scale");
	ASSERT_TRUE(!p.sack_perm && !p.ts, "no SACK, no TS");
	ASSERT_EQ(p.seq, expect_cookie(&s, 3, 0, SO_WSCALE_NONE), "cookie says none");
}

static void test_syn_vlan_tags_kept(void)
{
	int vlans;

	for (vlans = 1; vlans <= 2; vlans++) {
		struct frame_spec s = syn_spec(vlans == 2, linux_opts, sizeof(linux_opts));
		uint8_t in[FRAME_MAX];
		struct parsed p;
		struct run r;
		int len;

		s.vlans = vlans;
		len = frame_build(&s, in);
		run_xdp(in, len, &r);
		if (!check_synack(&s, len, &r, &p))
			continue;
		ASSERT_EQ(p.vlan_tci[vlans - 1], 100, "inner tag");
		if (vlans == 2)
			ASSERT_EQ(p.vlan_tci[0], 200, "outer 802.1ad tag");
	}
}

static void test_syn_ipv4_options_answered(void)
{
	struct frame_spec s = syn_spec(false, linux_opts, sizeof(linux_opts));
	uint8_t in[FRAME_MAX];
	struct parsed p;
	struct run r;
	int len;

	s.ip_opt_len = 8;
	len = frame_build(&s, in);
	run_xdp(in, len, &r);
	if (check_synack(&s, len, &r, &p)) {
		ASSERT_EQ(r.out_len, len - 8, "IP options dropped from the answer");
		ASSERT_EQ(p.mss, 1460, "options still read past the IP options");
	}
}

static void test_syn6_behind_ext_headers_answered(void)
{
	/* hop-by-hop (PadN) -> destination options (PadN) -> TCP */
	static const uint8_t ext[16] = {60, 0, 1, 4, 0, 0, 0, 0, 6, 0, 1, 4, 0, 0, 0, 0};
	struct frame_spec s = syn_spec(true, linux_opts, sizeof(linux_opts));
	uint8_t in[FRAME_MAX];
	struct parsed p;
	struct run r;
	int len;

	s.ext = ext;
	s.ext_len = sizeof(ext);
	s.ext_first = 0;
	len = frame_build(&s, in);
	run_xdp(in, len, &r);
	if (check_synack(&s, len, &r, &p)) {
		ASSERT_EQ(r.out_len, len - 16, "extension headers dropped from the answer");
		ASSERT_EQ(p.seq, expect_cookie(&s, 2, 1, 7), "cookie over the real tuple");
	}
}

static void test_syn_with_data_or_tfo_answered_without(void)
{
	/* MSS, TFO cookie (kind 34, 8-byte cookie), NOP NOP */
	static const uint8_t tfo[16] = {2, 4, 0x05, 0xb4, 34, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1};
	struct frame_spec s = syn_spec(false, tfo, sizeof(tfo));
	uint8_t in[FRAME_MAX];
	struct parsed p;
	struct run r;
	int len;

	s.payload_len = 100;
	len = frame_build(&s, in);
	run_xdp(in, len, &r);
	if (check_synack(&s, len, &r, &p)) {
		ASSERT_EQ(p.ack, s.seq + 1, "the data is not acknowledged");
		ASSERT_EQ(p.doff, 24, "no TFO option back");
	}
}

static void test_syn_ecn(void)
{
	struct frame_spec s = syn_spec(false, linux_opts, sizeof(linux_opts));
	uint8_t in[FRAME_MAX];
	struct parsed p;
	struct run r;
	int len;

	s.flags = 0x02 | 0x40 | 0x80; /* SYN, ECE, CWR: ECN requested */
	len = frame_build(&s, in);
	run_xdp(in, len, &r);
	if (check_synack(&s, len, &r, &p)) {
		ASSERT_EQ(p.flags, 0x52, "SYN|ACK|ECE");
		ASSERT_EQ(p.tsval & 1, 1, "ECN noted in the TSval");
	}
	/* Without timestamps there is nowhere to keep ECN: declined, like Linux. */
	s.opts = windows_opts;
	s.opt_len = sizeof(windows_opts);
	len = frame_build(&s, in);
	run_xdp(in, len, &r);
	if (check_synack(&s, len, &r, &p))
		ASSERT_EQ(p.flags, 0x12, "no ECE without timestamps");
}

static void test_syn_tsval_keyed_per_connection(void)
{
	struct frame_spec s = syn_spec(false, linux_opts, sizeof(linux_opts));
	uint8_t in[FRAME_MAX];
	struct parsed a, b;
	struct run r;
	int len = frame_build(&s, in);

	run_xdp(in, len, &r);
	if (!check_synack(&s, len, &r, &a))
		return;
	s.sport++;
	len = frame_build(&s, in);
	run_xdp(in, len, &r);
	if (!check_synack(&s, len, &r, &b))
		return;
	/* Both were sent within a millisecond or two: only a per-connection
	 * offset can set them this far apart (one chance in ~2^20 to fail). */
	ASSERT_TRUE(a.tsval - b.tsval > 4096 && b.tsval - a.tsval > 4096, "TSval offsets differ");
}

static void test_syn_retransmit_same_cookie(void)
{
	struct frame_spec s = syn_spec(true, windows_opts, sizeof(windows_opts));
	uint8_t in[FRAME_MAX];
	struct parsed a, b;
	struct run r;
	int len = frame_build(&s, in);

	run_xdp(in, len, &r);
	if (!check_synack(&s, len, &r, &a))
		return;
	run_xdp(in, len, &r);
	if (check_synack(&s, len, &r, &b))
		ASSERT_EQ(b.seq, a.seq, "a retransmitted SYN gets the same ISN");
}

static void test_syn_unprotected_port_untouched(void)
{
	static const uint16_t ports[] = {PORT_OPEN, 7999, 8011, 81};
	size_t i;

	for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		struct frame_spec s = syn_spec(i & 1, linux_opts, sizeof(linux_opts));
		uint8_t in[FRAME_MAX];
		struct run r;
		int len;

		s.dport = ports[i];
		len = frame_build(&s, in);
		run_xdp(in, len, &r);
		ASSERT_EQ(r.ret, XDP_PASS, "verdict");
		ASSERT_TRUE(r.out_len == len && !memcmp(r.out, in, len), "frame untouched");
	}
}

static void test_syn_port_range(void)
{
	struct frame_spec s = syn_spec(false, linux_opts, sizeof(linux_opts));
	uint8_t in[FRAME_MAX];
	struct parsed p;
	struct run r;
	int len;

	s.dport = 8005;
	len = frame_build(&s, in);
	run_xdp(in, len, &r);
	check_synack(&s, len, &r, &p);
}

static void test_non_tcp_untouched(void)
{
	static const uint8_t protos[] = {17 /* UDP */, 1 /* ICMP */, 132 /* SCTP */};
	uint8_t in[FRAME_MAX];
	struct run r;
	size_t i;
	int len;

	for (i = 0; i < sizeof(protos); i++) {
		struct frame_spec s = syn_spec(i & 1, NULL, 0);

		s.proto = protos[i];
		len = frame_build(&s, in);
		run_xdp(in, len, &r);
		ASSERT_EQ(r.ret, XDP_PASS, "verdict");
		ASSERT_TRUE(r.out_len == len && !memcmp(r.out, in, len), "frame untouched");
	}
	/* ARP */
	memset(in, 0, 60);
	memcpy(in, "\xff\xff\xff\xff\xff\xff", 6);
	in[12] = 0x08;
	in[13] = 0x06;
	run_xdp(in, 60, &r);
	ASSERT_EQ(r.ret, XDP_PASS, "ARP passes");
}

static void test_syn_without_key_left_to_kernel(void)
{
	struct frame_spec s = syn_spec(false, linux_opts, sizeof(linux_opts));
	uint8_t in[FRAME_MAX];
	struct run r;
	int len = frame_build(&s, in);
	__u64 passed = stat_get(syn_passed);

	keys_clear();
	run_xdp(in, len, &r);
	ASSERT_EQ(r.ret, XDP_PASS, "no key for this slot: the kernel answers");
	ASSERT_TRUE(r.out_len == len && !memcmp(r.out, in, len), "frame untouched");
	ASSERT_EQ(stat_get(syn_passed), passed + 1, "syn_passed counted");
}

static const struct test_case cases[] = {
    TEST(test_syn4_gets_synack),
    TEST(test_syn6_gets_synack),
    TEST(test_syn_windows_options),
    TEST(test_syn_each_option_alone),
    TEST(test_syn_mss_clamp),
    TEST(test_syn_wscale_clamped_to_14),
    TEST(test_syn_server_features_off),
    TEST(test_syn_vlan_tags_kept),
    TEST(test_syn_ipv4_options_answered),
    TEST(test_syn6_behind_ext_headers_answered),
    TEST(test_syn_with_data_or_tfo_answered_without),
    TEST(test_syn_ecn),
    TEST(test_syn_tsval_keyed_per_connection),
    TEST(test_syn_retransmit_same_cookie),
    TEST(test_syn_unprotected_port_untouched),
    TEST(test_syn_port_range),
    TEST(test_non_tcp_untouched),
    TEST(test_syn_without_key_left_to_kernel),
};
const struct test_table syn_tests = {cases, sizeof(cases) / sizeof(cases[0])};
