// SPDX-License-Identifier: GPL-2.0
/*
 * Front mode (so_config.front): SYNs to destinations in so_protect are
 * answered, others passed whatever the ports bitmap says; a validated ACK
 * is passed on without metadata (the kernel forwards it, the backend checks
 * the cookie again) and recorded; an ACK nothing knows is dropped without
 * asking for a local socket.
 */
#include <linux/types.h>
#include <arpa/inet.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "fixture.h"
#include "shakeoff.skel.h"

/* Protect addr/len (IPv4 when len4 >= 0: 96 + len4 bits) for the ports given. */
static void protect(const uint8_t *addr, bool v6, int len, const int *ports, int nports)
{
	struct so_protect_key k = {};
	static struct so_protect p;
	int i;

	memset(&p, 0, sizeof(p));
	for (i = 0; i < nports; i++)
		p.ports[ports[i] / 8] |= 1 << (ports[i] % 8);
	if (v6) {
		memcpy(k.addr, addr, 16);
		k.prefixlen = len;
	} else {
		k.addr[2] = htonl(0xffff);
		memcpy(&k.addr[3], addr, 4);
		k.prefixlen = 96 + len;
	}
	ASSERT_EQ(bpf_map__update_elem(skel->maps.so_protect, &k, sizeof(k), &p, sizeof(p), 0), 0,
		  "so_protect updated");
}

static void front_on(void)
{
	struct so_config c;

	cfg_default(&c);
	c.front = 1;
	cfg_write(&c);
}

static int run_spec(const struct frame_spec *s, struct run *r)
{
	uint8_t in[FRAME_MAX];

	return run_xdp(in, frame_build(s, in), r);
}

static struct frame_spec syn_to(bool v6, uint16_t dport)
{
	struct frame_spec s = {.v6 = v6, .sport = 42000, .dport = dport, .seq = 777, .flags = 0x02};

	return s;
}

static void test_front_answers_protected_only(void)
{
	const int https[] = {443}, alt[] = {8000};
	static struct run r;
	struct frame_spec s;

	front_on();
	protect(server_ip4, false, 24, https, 1);
	protect(server_ip6, true, 64, https, 1);
	s = syn_to(false, 443);
	run_spec(&s, &r);
	ASSERT_EQ(r.ret, XDP_TX, "IPv4 SYN to a protected prefix and port: answered");
	s = syn_to(true, 443);
	run_spec(&s, &r);
	ASSERT_EQ(r.ret, XDP_TX, "IPv6 SYN to a protected prefix and port: answered");
	s = syn_to(false, 80);
	run_spec(&s, &r);
	ASSERT_EQ(r.ret, XDP_PASS, "port 80 (in the ports bitmap, not in --protect): passed");
	/* The longest prefix decides: the server's /32 has only 8000. */
	protect(server_ip4, false, 32, alt, 1);
	s = syn_to(false, 443);
	run_spec(&s, &r);
	ASSERT_EQ(r.ret, XDP_PASS, "443 under a longer prefix without it: passed");
	s = syn_to(false, 8000);
	run_spec(&s, &r);
	ASSERT_EQ(r.ret, XDP_TX, "8000 under the longer prefix: answered");
}

static void test_front_forwards_validated_ack(void)
{
	const int https[] = {443};
	static struct run r;
	struct frame_spec s, a;
	struct parsed sa;
	struct so_tuple t;
	struct so_flow f;
	__u64 est;

	front_on();
	protect(server_ip4, false, 24, https, 1);
	s = syn_to(false, 443);
	run_spec(&s, &r);
	if (!ASSERT_EQ(r.ret, XDP_TX, "SYN answered") ||
	    !ASSERT_TRUE(frame_parse(r.out, r.out_len, &sa), "SYN-ACK parses"))
		return;
	a = s;
	a.flags = 0x10;
	a.seq = s.seq + 1;
	a.ack = sa.seq + 1;
	run_spec(&a, &r);
	ASSERT_EQ(r.ret, XDP_PASS, "the valid ACK goes on to be forwarded");
	ASSERT_EQ(r.meta_len, 0, "with no metadata: the backend checks the cookie itself");
	t = tuple_of(&a);
	ASSERT_EQ(flow_get(&t, &f), 0, "the connection is recorded");
	est = stat_get(established);
	a.payload_len = 100;
	run_spec(&a, &r);
	ASSERT_EQ(r.ret, XDP_PASS, "its next segment is forwarded");
	ASSERT_EQ(stat_get(established), est + 1, "as a known flow");
	a.payload_len = 0;
	a.sport++;
	run_spec(&a, &r);
	ASSERT_EQ(r.ret, XDP_DROP, "an ACK nothing knows is dropped (no local socket to ask)");
}

static const struct test_case cases[] = {
    TEST(test_front_answers_protected_only),
    TEST(test_front_forwards_validated_ack),
};
const struct test_table front_tests = {cases, sizeof(cases) / sizeof(cases[0])};
