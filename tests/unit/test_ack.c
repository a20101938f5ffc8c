// SPDX-License-Identifier: GPL-2.0
/* ACKs: cookie round trips, forged and stale ACKs, established traffic. */
#include <linux/types.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture.h"
#include "cookie.h"

static uint8_t linux_opts[20] = {2, 4,	 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
				 0, 100, 0,    0,    0, 0, 1, 3,  3, 9};
static const uint8_t windows_opts[12] = {2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2};

static struct frame_spec syn_spec(bool v6, const uint8_t *opts, int opt_len)
{
	struct frame_spec s = {
	    .v6 = v6,
	    .sport = 41000,
	    .dport = 443,
	    .seq = 0x01020304,
	    .flags = 0x02,
	    .opts = opts,
	    .opt_len = opt_len,
	};
	return s;
}

/* The client's third segment for SYN s answered with (seq, tsval). */
static struct frame_spec ack_spec(const struct frame_spec *syn, uint32_t synack_seq,
				  uint8_t *ts_opts, uint32_t tsecr)
{
	struct frame_spec a = *syn;

	a.flags = 0x10;
	a.seq = syn->seq + 1;
	a.ack = synack_seq + 1;
	a.opts = NULL;
	a.opt_len = 0;
	if (ts_opts) {
		/* NOP NOP TS(tsval 200, tsecr) as Linux sends it */
		static const uint8_t t[12] = {1, 1, 8, 10, 0, 0, 0, 200};

		memcpy(ts_opts, t, 12);
		ts_opts[8] = tsecr >> 24;
		ts_opts[9] = tsecr >> 16;
		ts_opts[10] = tsecr >> 8;
		ts_opts[11] = tsecr;
		a.opts = ts_opts;
		a.opt_len = 12;
	}
	return a;
}

/* SYN in, SYN-ACK out: returns false if no SYN-ACK came back. */
static bool handshake(const struct frame_spec *syn, struct parsed *sa)
{
	uint8_t in[FRAME_MAX];
	static struct run r;
	int len = frame_build(syn, in);

	run_xdp(in, len, &r);
	return ASSERT_EQ(r.ret, XDP_TX, "SYN answered") &&
	       ASSERT_TRUE(frame_parse(r.out, r.out_len, sa), "SYN-ACK parses");
}

static int run_ack(const struct frame_spec *ack, struct run *r)
{
	uint8_t in[FRAME_MAX];
	int len = frame_build(ack, in);

	run_xdp(in, len, r);
	return r->ret;
}

static void roundtrip(bool v6, const uint8_t *opts, int opt_len, uint8_t ecn_flags,
		      uint16_t want_mss, uint8_t want_wscale, uint8_t want_features)
{
	struct frame_spec syn = syn_spec(v6, opts, opt_len), ack;
	uint8_t ts[12];
	struct parsed sa;
	struct run r;
	__u64 valid = stat_get(ack_valid);

	syn.flags |= ecn_flags;
	if (!handshake(&syn, &sa))
		return;
	ack = ack_spec(&syn, sa.seq, sa.ts ? ts : NULL, sa.tsval);
	run_ack(&ack, &r);
	if (!ASSERT_EQ(r.ret, XDP_PASS, "valid ACK passes"))
		return;
	ASSERT_EQ(stat_get(ack_valid), valid + 1, "ack_valid counted");
	if (!ASSERT_EQ(r.meta_len, sizeof(struct so_meta), "metadata for the handoff"))
		return;
	ASSERT_EQ(r.meta.magic, SO_META_MAGIC, "magic");
	ASSERT_EQ(r.meta.mss, want_mss, "MSS from the cookie");
	ASSERT_EQ(r.meta.snd_wscale, want_wscale, "client window scale from the cookie");
	ASSERT_EQ(r.meta.rcv_wscale, 7, "our window scale");
	ASSERT_EQ(r.meta.features, want_features, "negotiated features");
	if (sa.ts) {
		ASSERT_EQ(r.meta.tsval, 200, "the ACK's TSval");
		ASSERT_EQ(r.meta.tsecr, sa.tsval, "the ACK's TSecr");
	}
	{
		uint8_t want[FRAME_MAX];
		int len = frame_build(&ack, want);

		ASSERT_TRUE(r.out_len == len && !memcmp(r.out, want, len),
			    "the ACK itself untouched");
	}
}

static void test_cookie_roundtrip_v4(void)
{
	roundtrip(false, linux_opts, sizeof(linux_opts), 0, 1460, 9,
		  SO_F_WSCALE | SO_F_SACK | SO_F_TS);
}

static void test_cookie_roundtrip_v6(void)
{
	roundtrip(true, linux_opts, sizeof(linux_opts), 0, 1440, 9,
		  SO_F_WSCALE | SO_F_SACK | SO_F_TS);
}

static void test_cookie_roundtrip_no_timestamps(void)
{
	/* What the kernel and SYNPROXY lose without timestamps, the cookie keeps. */
	roundtrip(false, windows_opts, sizeof(windows_opts), 0, 1460, 8, SO_F_WSCALE | SO_F_SACK);
}

static void test_cookie_roundtrip_ecn(void)
{
	roundtrip(false, linux_opts, sizeof(linux_opts), 0xc0, 1460, 9,
		  SO_F_WSCALE | SO_F_SACK | SO_F_TS | SO_F_ECN);
}

static void test_cookie_roundtrip_no_options(void)
{
	roundtrip(true, NULL, 0, 0, 1220, SO_WSCALE_NONE, 0);
}

/* Each variant of a valid ACK that must be dropped, with ack_invalid counted. */
static void expect_dropped(const struct frame_spec *ack, const char *what)
{
	struct run r;
	__u64 invalid = stat_get(ack_invalid);

	fprintf(stderr, "  case %s\n", what);
	run_ack(ack, &r);
	ASSERT_EQ(r.ret, XDP_DROP, what);
	ASSERT_EQ(stat_get(ack_invalid), invalid + 1, "ack_invalid counted");
}

static void test_forged_acks_dropped(void)
{
	struct frame_spec syn = syn_spec(false, windows_opts, sizeof(windows_opts)), ack, bad;
	struct parsed sa;
	struct run r;

	if (!handshake(&syn, &sa))
		return;
	ack = ack_spec(&syn, sa.seq, NULL, 0);

	bad = ack;
	bad.ack++;
	expect_dropped(&bad, "ack = cookie + 2");
	bad = ack;
	bad.ack--;
	expect_dropped(&bad, "ack = cookie");
	bad = ack;
	bad.seq++;
	expect_dropped(&bad, "seq = client ISN + 2");
	bad = ack;
	bad.sport++;
	expect_dropped(&bad, "another client port");
	bad = ack;
	bad.addr_last = 8;
	expect_dropped(&bad, "another client address");
	bad = ack;
	bad.dport = 8000;
	expect_dropped(&bad, "another protected server port");

	ASSERT_EQ(run_ack(&ack, &r), XDP_PASS, "the real ACK still passes");
}

static void test_cookie_valid_one_rotation_not_two(void)
{
	struct frame_spec syn = syn_spec(false, windows_opts, sizeof(windows_opts)), ack;
	uint64_t now = slot_now(SO_SLOT_SHIFT_DEFAULT);
	__u32 data = so_copts(3, 1, 8);
	struct run r;
	__u64 k[2];

	/* A cookie from the previous slot is still good... */
	key_of(now - 1, k);
	ack = ack_spec(&syn, cookie_for(&syn, now - 1, k, data), NULL, 0);
	ASSERT_EQ(run_ack(&ack, &r), XDP_PASS, "cookie from slot now-1 passes");
	ASSERT_EQ(r.meta.snd_wscale, 8, "and decodes");
	state_clear(); /* forget the connection it made */

	/* ...one from two slots ago has the current slot's parity and fails. */
	key_of(now - 2, k);
	ack = ack_spec(&syn, cookie_for(&syn, now - 2, k, data), NULL, 0);
	expect_dropped(&ack, "cookie from slot now-2 (expired)");

	/* The parity bit only picks the key: flipped, the other slot's key fails it. */
	key_of(now, k);
	ack = ack_spec(&syn, cookie_for(&syn, now, k, data) ^ 1, NULL, 0);
	expect_dropped(&ack, "current cookie, parity flipped");
}

/* An operator who replaces the keys (a new key file) voids the old cookies. */
static void test_cookie_key_replaced(void)
{
	struct frame_spec syn = syn_spec(true, linux_opts, sizeof(linux_opts)), ack;
	uint64_t now = slot_now(SO_SLOT_SHIFT_DEFAULT);
	uint8_t ts[12];
	struct parsed sa;
	struct run r;
	__u64 k[2] = {1, 2};

	if (!handshake(&syn, &sa))
		return;
	ack = ack_spec(&syn, sa.seq, ts, sa.tsval);

	/* New keys for the slots to come leave it alone... */
	key_set(now + 1, k);
	key_set(now + 2, k);
	ASSERT_EQ(run_ack(&ack, &r), XDP_PASS, "valid while its own key stands");
	state_clear();

	/* ...replacing the key that made it does not. */
	key_set(now, k);
	expect_dropped(&ack, "its key replaced");
}

static void test_ack_without_key_left_to_kernel(void)
{
	struct frame_spec syn = syn_spec(false, NULL, 0), ack = ack_spec(&syn, 12345, NULL, 0);
	struct run r;

	/* The daemon is gone and the kernel answers SYNs with its own cookies. */
	keys_clear();
	ASSERT_EQ(run_ack(&ack, &r), XDP_PASS, "passed to the kernel");
}

static void test_rst_passes(void)
{
	struct frame_spec syn = syn_spec(false, NULL, 0), rst = ack_spec(&syn, 777, NULL, 0);
	struct run r;

	rst.flags = 0x14; /* RST|ACK */
	ASSERT_EQ(run_ack(&rst, &r), XDP_PASS, "RST|ACK left to the kernel");
	rst.flags = 0x04;
	ASSERT_EQ(run_ack(&rst, &r), XDP_PASS, "RST left to the kernel");
}

/* Real sockets in the test's namespace: 198.51.100.7 -> 192.0.2.1:80. */
static void test_established_socket_passes(void)
{
	struct sockaddr_in srv = {.sin_family = AF_INET, .sin_port = htons(PORT_HTTP)};
	struct sockaddr_in cli = {.sin_family = AF_INET}, got;
	socklen_t slen = sizeof(got);
	int ls = -1, cs = -1, as = -1, one = 1;
	struct frame_spec syn = syn_spec(false, NULL, 0), ack;
	struct run r;
	__u64 est = stat_get(established);

	if (system(
		"ip addr replace 192.0.2.1/32 dev lo && ip addr replace 198.51.100.7/32 dev lo")) {
		ASSERT_TRUE(false, "addresses on lo");
		return;
	}
	memcpy(&srv.sin_addr, server_ip4, 4);
	memcpy(&cli.sin_addr, client_ip4, 4);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	cs = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (!ASSERT_EQ(bind(ls, (void *)&srv, sizeof(srv)), 0, "bind listener") ||
	    !ASSERT_EQ(listen(ls, 8), 0, "listen") ||
	    !ASSERT_EQ(bind(cs, (void *)&cli, sizeof(cli)), 0, "bind client") ||
	    !ASSERT_EQ(connect(cs, (void *)&srv, sizeof(srv)), 0, "connect"))
		goto out;
	as = accept(ls, NULL, NULL);
	getsockname(cs, (void *)&got, &slen);

	syn.dport = PORT_HTTP;
	syn.sport = ntohs(got.sin_port);
	ack = ack_spec(&syn, 0x55555555, NULL, 0);
	ack.payload_len = 10;
	ASSERT_EQ(run_ack(&ack, &r), XDP_PASS, "data on a kernel connection passes");
	ASSERT_EQ(stat_get(established), est + 1, "established counted");
	{
		/* Now tracked; a SYN for it is the kernel's, which has the socket. */
		__u64 known = stat_get(syn_known);
		struct frame_spec again = syn;

		again.flags = 0x02;
		ASSERT_EQ(run_ack(&again, &r), XDP_PASS, "SYN for a live kernel connection passed");
		ASSERT_EQ(stat_get(syn_known), known + 1, "syn_known counted");
	}

	/* The same listener, another client port: no socket, no cookie. */
	ack.sport++;
	expect_dropped(&ack, "ACK to a listener without a cookie");
out:
	close(as);
	close(cs);
	close(ls);
}

static const struct test_case cases[] = {
    TEST(test_cookie_roundtrip_v4),
    TEST(test_cookie_roundtrip_v6),
    TEST(test_cookie_roundtrip_no_timestamps),
    TEST(test_cookie_roundtrip_ecn),
    TEST(test_cookie_roundtrip_no_options),
    TEST(test_forged_acks_dropped),
    TEST(test_cookie_valid_one_rotation_not_two),
    TEST(test_cookie_key_replaced),
    TEST(test_ack_without_key_left_to_kernel),
    TEST(test_rst_passes),
    TEST(test_established_socket_passes),
};
const struct test_table ack_tests = {cases, sizeof(cases) / sizeof(cases[0])};
