/* SPDX-License-Identifier: GPL-2.0 */
/* The loaded shakeoff_xdp program and what the unit tests do with it. */
#ifndef SO_TEST_FIXTURE_H
#define SO_TEST_FIXTURE_H

#include <linux/types.h>
#include <stddef.h>
#include <stdint.h>

#include "shakeoff.h"
#include "frame.h"
#include "harness.h"
#include "../../user/keys.h" /* slot_now() */

/* Ports the default test config protects: 80, 443 and 8000-8010. */
#define PORT_HTTP 80
#define PORT_OPEN 22 /* not protected */

struct run {
	int ret;		/* XDP verdict */
	uint8_t out[FRAME_MAX]; /* the frame after the program (without metadata) */
	int out_len;
	int meta_len;
	struct so_meta meta;
};

void cfg_default(struct so_config *c);
void cfg_write(const struct so_config *c);
/* CLOCK_TAI - CLOCK_MONOTONIC, as the daemon puts it in the config. */
__u64 tai_offset(void);
void key_of(uint64_t slot, __u64 k[2]);
/* Install keys as the daemon does: slots now-1 .. now+2. */
void keys_install(uint64_t now);
void key_set(uint64_t slot, const __u64 k[2]);
void keys_clear(void);
#define HALFOPEN_TEST_SLOTS 64 /* 16 sets */
#define FLOWMARK_TEST_WORDS 32 /* 1024 bits a generation */
#define FLOW_TEST_SLOTS	    64 /* 16 sets */
void state_clear(void);
/* The tuple (client -> server) of a frame. */
struct so_tuple tuple_of(const struct frame_spec *s);
int halfopen_get(__u32 idx, struct so_halfopen *e);
int halfopen_put(__u32 idx, const struct so_halfopen *e);
int flow_get(const struct so_tuple *t, struct so_flow *f);
int flow_at(__u32 idx, struct so_flow *f);
int flow_put(__u32 idx, const struct so_flow *f);
__u64 flowroom_get(__u32 word);
int flowroom_put(__u32 word, __u64 v);
/* Events in the ring buffer since the last call (up to max). */
int events_take(struct so_event *out, int max);
/* The cookie shakeoff makes for spec's SYN in slot `slot` with key k. */
uint32_t cookie_for(const struct frame_spec *s, uint64_t slot, const __u64 k[2], uint32_t copts);
int run_xdp(const uint8_t *in, int len, struct run *r);
/* The data plane's counters now, summed over the CPUs. */
struct so_counters counters_now(void);
#define stat_get(name) (counters_now().name)
/* A counter by its offset, for tables of cases; NO_STAT: none. */
#define STAT(name) offsetof(struct so_counters, name)
#define NO_STAT	   ((size_t)-1)
__u64 stat_at(size_t off);
/* Samples in the RTT histogram, over the CPUs. */
__u64 rtt_count(void);

extern const struct test_table syn_tests, ack_tests, state_tests, malformed_tests, front_tests,
    fuzz_tests, daemon_tests;
/* The loaded program and its maps. */
extern struct shakeoff *skel;

#endif /* SO_TEST_FIXTURE_H */
