// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of shakeoff_xdp with BPF_PROG_TEST_RUN: crafted frames in,
 * verdicts and output frames checked byte by byte. Runs in a network
 * namespace of its own so socket lookups see only the sockets it makes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fixture.h"
#include "cookie.h"
#include "flowtable.h"
#include "shakeoff.skel.h"

int test_failed;
struct shakeoff *skel;

void cfg_default(struct so_config *c)
{
	int p;

	memset(c, 0, sizeof(*c));
	c->mss4 = 1460;
	c->mss6 = 1440;
	c->window = 64240;
	c->wscale = 7;
	c->ttl = 64;
	c->features = SO_F_WSCALE | SO_F_SACK | SO_F_TS | SO_F_ECN;
	c->backlog = SO_BACKLOG_STATELESS;
	c->hash_seed = 0x5eed;
	c->flowmark_words = FLOWMARK_TEST_WORDS;
	c->flow_sets = FLOW_TEST_SLOTS / SO_FLOW_WAYS;
	c->time_wait = 1;
	c->tai_off_ns = tai_offset();
	c->slot_shift = SO_SLOT_SHIFT_DEFAULT;
	c->ports[80 / 8] |= 1 << (80 % 8);
	c->ports[443 / 8] |= 1 << (443 % 8);
	for (p = 8000; p <= 8010; p++)
		c->ports[p / 8] |= 1 << (p % 8);
}

void cfg_write(const struct so_config *c)
{
	__u32 zero = 0;

	if (bpf_map__update_elem(skel->maps.so_config, &zero, sizeof(zero), c, sizeof(*c), 0)) {
		perror("config update");
		exit(1);
	}
}

__u64 tai_offset(void)
{
	struct timespec tai, mono;

	clock_gettime(CLOCK_TAI, &tai);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return (tai.tv_sec - mono.tv_sec) * 1000000000ULL + tai.tv_nsec - mono.tv_nsec;
}

/* Test keys: any fixed function of the slot will do. */
void key_of(uint64_t slot, __u64 k[2])
{
	k[0] = 0x0123456789abcdefULL ^ (slot * 0x9e3779b97f4a7c15ULL);
	k[1] = 0xfedcba9876543210ULL + slot;
}

void key_set(uint64_t slot, const __u64 k[2])
{
	struct so_key key = {.slot = slot, .k = {k[0], k[1]}};
	__u32 idx = slot % SO_NKEYS;

	if (bpf_map__update_elem(skel->maps.so_keys, &idx, sizeof(idx), &key, sizeof(key), 0)) {
		perror("key update");
		exit(1);
	}
}

void keys_install(uint64_t now)
{
	uint64_t s;
	__u64 k[2];

	for (s = now - 1; s <= now + 2; s++) {
		key_of(s, k);
		key_set(s, k);
	}
}

void keys_clear(void)
{
	struct so_key key = {.slot = ~0ULL};
	__u32 i;

	for (i = 0; i < SO_NKEYS; i++)
		bpf_map__update_elem(skel->maps.so_keys, &i, sizeof(i), &key, sizeof(key), 0);
}

struct so_tuple tuple_of(const struct frame_spec *s)
{
	struct so_tuple t = {.v6 = s->v6};
	int alen = s->v6 ? 16 : 4;

	memcpy(t.saddr, s->v6 ? client_ip6 : client_ip4, alen);
	memcpy(t.daddr, s->v6 ? server_ip6 : server_ip4, alen);
	if (s->addr_last)
		((uint8_t *)t.saddr)[alen - 1] = s->addr_last;
	t.sport = __builtin_bswap16(s->sport);
	t.dport = __builtin_bswap16(s->dport);
	return t;
}

uint32_t cookie_for(const struct frame_spec *s, uint64_t slot, const __u64 k[2], uint32_t copts)
{
	struct so_tuple t = tuple_of(s);

	return so_cookie_make(so_cookie_hash(k, &t, s->seq), slot, copts);
}

int run_xdp(const uint8_t *in, int len, struct run *r)
{
	uint8_t out[FRAME_MAX + 64];
	struct xdp_md ctx_in = {.data_end = len}, ctx_out = {};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = len, .data_out = out,
		    .data_size_out = sizeof(out), .ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in),
		    .ctx_out = &ctx_out, .ctx_size_out = sizeof(ctx_out), .repeat = 1);
	int err;

	memset(r, 0, sizeof(*r));
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.shakeoff_xdp), &opts);
	if (err) {
		fprintf(stderr, "    test run: %s\n", strerror(errno));
		test_failed = 1;
		return -1;
	}
	r->ret = opts.retval;
	r->meta_len = ctx_out.data; /* offsets are relative to data_meta */
	r->out_len = opts.data_size_out - r->meta_len;
	if (r->meta_len == sizeof(r->meta))
		memcpy(&r->meta, out, sizeof(r->meta));
	memcpy(r->out, out + r->meta_len, r->out_len);
	return 0;
}

struct so_counters counters_now(void)
{
	int ncpu = libbpf_num_possible_cpus(), cpu;
	struct so_counters v[ncpu], sum = {};
	__u64 *s = (__u64 *)&sum;
	__u32 zero = 0;
	size_t i;

	if (bpf_map__lookup_elem(skel->maps.so_stats, &zero, sizeof(zero), v, sizeof(v), 0)) {
		memset(&sum, 0xff, sizeof(sum)); /* no test can want this */
		return sum;
	}
	for (cpu = 0; cpu < ncpu; cpu++)
		for (i = 0; i < sizeof(sum) / sizeof(__u64); i++)
			s[i] += ((__u64 *)&v[cpu])[i];
	return sum;
}

__u64 stat_at(size_t off)
{
	struct so_counters c = counters_now();

	return *(__u64 *)((char *)&c + off);
}

__u64 rtt_count(void)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, b;
	struct so_rtt v[ncpu];
	__u32 zero = 0;
	__u64 n = 0;

	if (bpf_map__lookup_elem(skel->maps.so_rtt, &zero, sizeof(zero), v, sizeof(v), 0))
		return ~0ULL;
	for (cpu = 0; cpu < ncpu; cpu++)
		for (b = 0; b < SO_RTT_BUCKETS; b++)
			n += v[cpu].bucket[b];
	return n;
}

int halfopen_get(__u32 idx, struct so_halfopen *e)
{
	return bpf_map__lookup_elem(skel->maps.so_halfopen, &idx, sizeof(idx), e, sizeof(*e), 0);
}

int halfopen_put(__u32 idx, const struct so_halfopen *e)
{
	return bpf_map__update_elem(skel->maps.so_halfopen, &idx, sizeof(idx), e, sizeof(*e), 0);
}

int flow_at(__u32 idx, struct so_flow *f)
{
	return bpf_map__lookup_elem(skel->maps.so_flows, &idx, sizeof(idx), f, sizeof(*f), 0);
}

int flow_put(__u32 idx, const struct so_flow *f)
{
	return bpf_map__update_elem(skel->maps.so_flows, &idx, sizeof(idx), f, sizeof(*f), 0);
}

__u64 flowroom_get(__u32 word)
{
	__u64 v = 0;

	bpf_map__lookup_elem(skel->maps.so_flowroom, &word, sizeof(word), &v, sizeof(v), 0);
	return v;
}

int flowroom_put(__u32 word, __u64 v)
{
	return bpf_map__update_elem(skel->maps.so_flowroom, &word, sizeof(word), &v, sizeof(v), 0);
}

/* Found by a walk of the whole (small) table: the test does not trust the set hash. */
int flow_get(const struct so_tuple *t, struct so_flow *f)
{
	__u32 i;

	for (i = 0; i < FLOW_TEST_SLOTS; i++)
		if (!bpf_map__lookup_elem(skel->maps.so_flows, &i, sizeof(i), f, sizeof(*f), 0) &&
		    f->state && f->v6 == t->v6 &&
		    !memcmp(f->saddr, t->saddr, SO_TUPLE_ADDR_WORDS * 4))
			return 0;
	return -ENOENT;
}

static struct so_event *ev_out;
static int ev_n, ev_max;

static int on_event(void *ctx, void *data, size_t len)
{
	(void)ctx;
	if (len == sizeof(struct so_event) && ev_n < ev_max)
		memcpy(&ev_out[ev_n++], data, len);
	return 0;
}

int events_take(struct so_event *out, int max)
{
	static struct ring_buffer *rb;

	if (!rb)
		rb = ring_buffer__new(bpf_map__fd(skel->maps.so_events), on_event, NULL, NULL);
	ev_out = out;
	ev_n = 0;
	ev_max = max;
	if (rb)
		ring_buffer__consume(rb);
	return ev_n;
}

/* Every test starts without connection state. */
void state_clear(void)
{
	struct so_halfopen empty = {};
	struct so_flow none = {};
	struct so_protect_key pk;
	__u64 zero = 0;
	__u32 i;

	for (i = 0; i < HALFOPEN_TEST_SLOTS; i++)
		bpf_map__update_elem(skel->maps.so_halfopen, &i, sizeof(i), &empty, sizeof(empty),
				     0);
	for (i = 0; i < FLOW_TEST_SLOTS; i++)
		bpf_map__update_elem(skel->maps.so_flows, &i, sizeof(i), &none, sizeof(none), 0);
	for (i = 0; i < FLOWMARK_TEST_WORDS; i++)
		bpf_map__update_elem(skel->maps.so_flowmark, &i, sizeof(i), &zero, sizeof(zero), 0);
	for (i = 0; i < so_flowroom_words(FLOW_TEST_SLOTS / SO_FLOW_WAYS); i++)
		flowroom_put(i, 0);
	while (!bpf_map__get_next_key(skel->maps.so_protect, NULL, &pk, sizeof(pk)))
		bpf_map__delete_elem(skel->maps.so_protect, &pk, sizeof(pk), 0);
}

/* Cookies live in 68.7 s slots: never start a run in a slot's last seconds. */
static void avoid_slot_edge(void)
{
	struct timespec ts;
	uint64_t ns, left;

	clock_gettime(CLOCK_TAI, &ts);
	ns = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	left = (1ULL << SO_SLOT_SHIFT_DEFAULT) - (ns & ((1ULL << SO_SLOT_SHIFT_DEFAULT) - 1));
	if (left < 10000000000ULL) {
		fprintf(stderr, "# waiting %.1f s for the next cookie slot\n", left / 1e9);
		usleep(left / 1000 + 100000);
	}
}

int main(int argc, char **argv)
{
	const struct test_table *tables[] = {&syn_tests,       &ack_tests,   &state_tests,
					     &malformed_tests, &front_tests, &fuzz_tests,
					     &daemon_tests};
	struct so_config cfg;
	int passed = 0, failed = 0;
	size_t t;
	int i;

	if (unshare(CLONE_NEWNET)) {
		perror("unshare(CLONE_NEWNET)");
		return 1;
	}
	if (system("ip link set lo up"))
		return 1;
	skel = shakeoff__open();
	/* A small half-open table: it is wiped before every test. */
	if (!skel || bpf_map__set_max_entries(skel->maps.so_halfopen, HALFOPEN_TEST_SLOTS) ||
	    bpf_map__set_max_entries(skel->maps.so_flowmark, FLOWMARK_TEST_WORDS) ||
	    bpf_map__set_max_entries(skel->maps.so_flows, FLOW_TEST_SLOTS) ||
	    bpf_map__set_max_entries(skel->maps.so_flowroom,
				     so_flowroom_words(FLOW_TEST_SLOTS / SO_FLOW_WAYS)) ||
	    shakeoff__load(skel)) {
		fprintf(stderr, "cannot load shakeoff.bpf.o: %s\n", strerror(errno));
		return 1;
	}
	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		for (i = 0; i < tables[t]->n; i++) {
			const struct test_case *tc = &tables[t]->cases[i];

			if (argc > 1 && !strstr(tc->name, argv[1]))
				continue;
			avoid_slot_edge();
			cfg_default(&cfg);
			cfg_write(&cfg);
			keys_install(slot_now(SO_SLOT_SHIFT_DEFAULT));
			state_clear();
			events_take(NULL, 0);
			test_failed = 0;
			tc->fn();
			printf("%s %s\n", test_failed ? "FAIL" : "PASS", tc->name);
			fflush(stdout);
			if (test_failed)
				failed++;
			else
				passed++;
		}
	}
	shakeoff__destroy(skel);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
