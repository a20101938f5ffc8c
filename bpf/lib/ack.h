/* SPDX-License-Identifier: GPL-2.0 */
/* ACKs and RSTs to a protected port: known flows, or a handshake to validate. */
#ifndef SO_BPF_ACK_H
#define SO_BPF_ACK_H

#include "common.h"
#include "parse.h"
#include "tcpopt.h"
#include "state.h"
#include "rtt.h"
#include "forward.h"

/* No RTT sample from a handshake that may have seen a retransmission (Karn):
 * the first comes 1 s after the SYN-ACK, like the kernel's. */
#define SO_RTO_INIT_NS 1000000000ULL

/* A validated handshake, for the TC handoff and the event. */
struct handshake {
	__u32 copts;  /* the cookie's option bits */
	__u32 age_us; /* via state: first SYN-ACK to this ACK */
	__u32 rtt_us; /* 0: unknown */
	__u8 via;     /* SO_VIA_* */
	__u8 timed;   /* rtt_us is to the microsecond */
};

/* What the cookie and the ACK say about a connection: the handoff's attributes. */
static __always_inline void meta_of(const struct so_config *cfg, const struct so_seg *s,
				    const struct so_tcpopts *o, __u32 copts, struct so_meta *out)
{
	__u8 features = 0;

	if (SO_COPTS_WSCALE(copts) != SO_WSCALE_NONE)
		features |= SO_F_WSCALE;
	if (SO_COPTS_SACK(copts))
		features |= SO_F_SACK;
	if (o->ts_ok && (cfg->features & SO_F_TS)) {
		features |= SO_F_TS;
		if ((o->tsecr & 1) && (cfg->features & SO_F_ECN))
			features |= SO_F_ECN;
	}
	out->magic = SO_META_MAGIC;
	out->tsval = o->tsval;
	out->tsecr = o->tsecr;
	out->mss = so_mss_of_idx(SO_COPTS_MSS_IDX(copts), s->t.v6);
	out->snd_wscale = SO_COPTS_WSCALE(copts);
	out->rcv_wscale = cfg->wscale;
	out->features = features;
	out->pad = 0;
	out->l4_off = s->l4_off - s->l3_off;
}

/* Put what the cookie and the ACK say in front of the frame for shakeoff_tc. */
static __always_inline int write_meta(struct so_ctx *c, const struct so_tcpopts *o, __u32 copts,
				      struct so_meta *out)
{
	struct xdp_md *xdp = c->xdp;
	struct so_meta *m;

	meta_of(c->cfg, &c->seg, o, copts, out);
	if (bpf_xdp_adjust_meta(xdp, -(int)sizeof(*m)))
		return -1;
	barrier_var(xdp);
	m = (void *)(long)xdp->data_meta;
	if ((void *)(m + 1) > (void *)(long)xdp->data)
		return -1;
	*m = *out;
	return 0;
}

/*
 * A handshake event, only while someone reads `shakeoff events` (the
 * daemon says so in the config): nobody pays for events nobody reads. The
 * daemon drains the ring every 100 ms; it is woken early only when the ring
 * fills past SO_EVENTS_WAKE_BYTES, never per event (each wakeup is an
 * inter-processor interrupt and a context switch).
 */
static __always_inline void event_handshake(struct so_ctx *c, const struct so_meta *m,
					    const struct handshake *hs)
{
	struct so_event *ev = bpf_ringbuf_reserve(&so_events, sizeof(*ev), 0);
	__u64 wake;

	if (!ev) {
		c->cnt->events_lost++; /* the daemon is behind: lose, never wait */
		return;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->type = SO_EV_HANDSHAKE;
	ev->time_ns = bpf_ktime_get_ns();
	ev->t = c->seg.t;
	ev->age_us = hs->age_us;
	ev->rtt_us = hs->rtt_us;
	ev->via = hs->via;
	ev->timed = hs->timed;
	ev->mss = m->mss;
	ev->snd_wscale = m->snd_wscale;
	ev->features = m->features;
	wake = bpf_ringbuf_query(&so_events, BPF_RB_AVAIL_DATA) >= SO_EVENTS_WAKE_BYTES;
	bpf_ringbuf_submit(ev, wake ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

/*
 * The age and RTT of a handshake completed via entry e: a timed entry's to
 * the microsecond, into the histogram; the others' to a jiffy.
 */
static __always_inline void handshake_times(struct handshake *hs, const struct so_halfopen *e,
					    __u64 coarse)
{
	int timed = e->flags & SO_HO_TIMED;
	__u64 age_ns = halfopen_age_ns(e, timed ? bpf_ktime_get_ns() : coarse);
	__u32 zero = 0;
	struct so_rtt *r;

	hs->age_us = age_ns / 1000;
	if (age_ns >= SO_RTO_INIT_NS)
		return;
	hs->rtt_us = hs->age_us;
	if (!timed)
		return;
	hs->timed = 1;
	r = bpf_map_lookup_elem(&so_rtt, &zero);
	if (r) {
		r->bucket[so_rtt_bucket(age_ns >> SO_BORN_SHIFT)]++;
		r->sum_ns += age_ns;
	}
}

/* The cookie in the ACK: its option bits, -1 if not ours, -2 without keys; *h the hash. */
static __always_inline int cookie_valid(struct so_ctx *c, __u64 coarse, __u64 *h)
{
	const struct so_seg *s = &c->seg;
	__u32 cookie = s->ack_seq - 1;
	__u64 slot = so_cookie_slot(cookie, slot_of(c->cfg, coarse));
	const struct so_key *key = key_of_slot(slot);

	if (!key)
		return -2; /* no keys (daemon gone): the kernel answers SYNs itself */
	*h = so_cookie_hash(key->k, &s->t, s->seq - 1);
	return so_cookie_check(cookie, *h);
}

static __always_inline int handle_ack(struct so_ctx *c)
{
	const struct so_config *cfg = c->cfg;
	struct so_seg *s = &c->seg;
	struct handshake hs = {.via = SO_VIA_COOKIE};
	struct halfopen_find f = {};
	struct so_halfopen *e;
	struct so_tcpopts o;
	struct so_meta m;
	struct so_flow *fl;
	__u64 h = 0, coarse;
	int copts, state;

	/* The fast path: a flow we know. */
	fl = seg_flow(cfg, s);
	if (fl) {
		flow_note(fl, s->flags, SO_FIN_CLIENT, 0);
		c->cnt->established++;
		return cfg->front ? front_forward(c) : XDP_PASS;
	}
	coarse = coarse_ns();
	if (cfg->backlog != SO_BACKLOG_STATELESS)
		halfopen_find(cfg, &s->t, halfopen_set(cfg, s->hash), coarse, &f);
	e = f.mine;
	if (e && e->isn == s->ack_seq - 1 && e->cisn == s->seq - 1) {
		hs.via = SO_VIA_STATE;
		hs.copts = e->copts;
		handshake_times(&hs, e, coarse);
		halfopen_free(e);
		c->cnt->ack_via_state++;
	} else {
		copts = cookie_valid(c, coarse, &h);
		if (copts == -2)
			return XDP_PASS;
		if (copts < 0) {
			/* Connections older than shakeoff, or than our flow entry (a
			 * front has no sockets: what it does not know, it drops). */
			state = cfg->front ? -1 : kernel_socket(c->xdp, &s->t);
			if (state >= 0) {
				flow_add(c,
					 state == BPF_TCP_TIME_WAIT ? SO_TIME_WAIT : SO_ESTABLISHED,
					 flow_now(coarse));
				c->cnt->established++;
				return XDP_PASS;
			}
			c->cnt->ack_invalid++;
			return XDP_DROP;
		}
		hs.copts = copts;
	}
	c->cnt->ack_valid++;
	parse_tcp_opts(c->xdp, 0, s->l4_off, s->doff, &o);
	if (hs.via == SO_VIA_COOKIE && o.ts_ok) {
		/* Our TSval was the coarse clock plus H's low word: the TSecr tells the RTT,
		 * to a jiffy. Ticks of 2^20 ns to us: times 1048.576, without a division. */
		__u32 ticks = (__u32)(coarse >> SO_TS_SHIFT) + (__u32)h - (o.tsecr & ~1U);

		hs.rtt_us = (__u64)ticks * 134218 >> 7;
	}
	flow_add(c, SO_ESTABLISHED, flow_now(coarse));
	/* On a front the ACK goes on to the backend, which checks the cookie itself. */
	if (cfg->front)
		meta_of(cfg, s, &o, hs.copts, &m);
	else if (write_meta(c, &o, hs.copts, &m) < 0)
		c->cnt->handoff_fail++; /* the driver cannot carry metadata */
	if (cfg->events)
		event_handshake(c, &m, &hs);
	return cfg->front ? front_forward(c) : XDP_PASS;
}

/*
 * A RST ends a flow we know (TIME_WAIT), or a half-open entry if its
 * sequence number is the one we expect (RFC 5961: nothing else resets a
 * SYN_RECV). Either way the kernel sees it, as it would without us.
 */
static __always_inline int handle_rst(struct so_ctx *c)
{
	const struct so_config *cfg = c->cfg;
	struct so_seg *s = &c->seg;
	struct so_flow *fl = seg_flow(cfg, s);
	struct halfopen_find f;

	if (fl) {
		flow_note(fl, s->flags, SO_FIN_CLIENT, 0);
		return XDP_PASS;
	}
	if (cfg->backlog == SO_BACKLOG_STATELESS)
		return XDP_PASS;
	halfopen_find(cfg, &s->t, halfopen_set(cfg, s->hash), coarse_ns(), &f);
	if (f.mine && f.mine->cisn + 1 == s->seq)
		halfopen_free(f.mine);
	return XDP_PASS;
}

#endif /* SO_BPF_ACK_H */
