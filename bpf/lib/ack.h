/* SPDX-License-Identifier: GPL-2.0 */
/* ACKs and RSTs to a protected port: known flows, or a handshake to validate. */
#ifndef SO_BPF_ACK_H
#define SO_BPF_ACK_H

#include "common.h"
#include "parse.h"
#include "tcpopt.h"
#include "state.h"

/* A validated handshake, for the TC handoff and the event. */
struct handshake {
	__u32 data;    /* the cookie's option bits */
	__u32 rtt_us;
	__u32 slot, slot_seq;
	__u8 via;
};

/* Put what the cookie and the ACK say in front of the frame for shakeoff_tc. */
static __always_inline int write_meta(struct xdp_md *ctx, const struct so_config *cfg,
				      const struct so_pkt *p, const struct so_tcpopts *o,
				      __u32 data, struct so_meta *out)
{
	struct so_meta *m;
	__u8 features = 0;

	if (SO_DATA_WSCALE(data) != SO_WSCALE_NONE)
		features |= SO_F_WSCALE;
	if (SO_DATA_SACK(data))
		features |= SO_F_SACK;
	if (o->ts_ok && (cfg->features & SO_F_TS)) {
		features |= SO_F_TS;
		if ((o->tsecr & 1) && (cfg->features & SO_F_ECN))
			features |= SO_F_ECN;
	}
	out->magic = SO_META_MAGIC;
	out->tsval = o->tsval;
	out->tsecr = o->tsecr;
	out->mss = so_mss_of_idx(SO_DATA_MSS_IDX(data), p->t.v6);
	out->snd_wscale = SO_DATA_WSCALE(data);
	out->rcv_wscale = cfg->wscale;
	out->features = features;
	out->pad = 0;
	out->l4_off = p->l4_off - p->l3_off;
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m)))
		return -1;
	barrier_var(ctx);
	m = (void *)(long)ctx->data_meta;
	if ((void *)(m + 1) > (void *)(long)ctx->data)
		return -1;
	*m = *out;
	return 0;
}

static __always_inline void event_handshake(const struct so_pkt *p, const struct so_meta *m,
					    const struct handshake *hs)
{
	struct so_event *ev = bpf_ringbuf_reserve(&so_events, sizeof(*ev), 0);

	if (!ev) {
		stat_inc(SO_STAT_EVENTS_LOST); /* the daemon is behind: lose, never wait */
		return;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->type = SO_EV_HANDSHAKE;
	ev->time_ns = bpf_ktime_get_ns();
	ev->t = p->t;
	ev->rtt_us = hs->rtt_us;
	ev->slot = hs->slot;
	ev->slot_seq = hs->slot_seq;
	ev->via = hs->via;
	ev->mss = m->mss;
	ev->snd_wscale = m->snd_wscale;
	ev->features = m->features;
	bpf_ringbuf_submit(ev, 0);
}

/* The cookie in the ACK: the option bits, or -1; *h gets the hash. */
static __always_inline int cookie_valid(const struct so_pkt *p, __u64 *h)
{
	__u32 cookie = p->ack_seq - 1;
	__u64 slot = so_cookie_slot(cookie, slot_now());
	const struct so_key *key = key_of_slot(slot);

	if (!key)
		return -2; /* no keys (daemon gone): the kernel answers SYNs itself */
	*h = so_cookie_hash(key->k, &p->t, p->seq - 1, slot);
	return so_cookie_check(cookie, *h);
}

static __always_inline int handle_ack(struct xdp_md *ctx, const struct so_config *cfg,
				      struct so_pkt *p)
{
	struct handshake hs = { .via = SO_VIA_COOKIE };
	struct so_halfopen *e = NULL;
	struct so_tcpopts o;
	struct so_meta m;
	struct so_flow *f;
	__u64 h = 0, now;
	int data, state;

	/* The fast path: a flow we know. */
	f = bpf_map_lookup_elem(&so_flows, &p->t);
	if (f) {
		flow_note(f, p->flags, SO_FIN_CLIENT);
		stat_inc(SO_STAT_ESTABLISHED);
		return XDP_PASS;
	}
	now = bpf_ktime_get_ns();
	if (cfg->stateful)
		e = halfopen_match(cfg, &p->t, p->ack_seq - 1, p->seq - 1, now, &hs.slot);
	if (e) {
		hs.via = SO_VIA_STATE;
		hs.data = e->data;
		hs.rtt_us = (now - e->first_ns) / 1000;
		hs.slot_seq = e->seq;
		halfopen_free(e);
		stat_inc(SO_STAT_ACK_VIA_STATE);
	} else {
		/* Connections older than shakeoff, or than our flow entry. */
		state = kernel_socket(ctx, p);
		if (state >= 0) {
			flow_add(&p->t, state == BPF_TCP_TIME_WAIT ? SO_TIME_WAIT : SO_ESTABLISHED);
			stat_inc(SO_STAT_ESTABLISHED);
			return XDP_PASS;
		}
		data = cookie_valid(p, &h);
		if (data == -2)
			return XDP_PASS;
		if (data < 0) {
			stat_inc(SO_STAT_ACK_INVALID);
			return XDP_DROP;
		}
		hs.data = data;
	}
	stat_inc(SO_STAT_ACK_VALID);
	parse_tcp_opts(ctx, p->l4_off, p->doff, &o);
	if (hs.via == SO_VIA_COOKIE && o.ts_ok)
		/* Our TSval was the ms clock plus H's low word: the TSecr tells the RTT. */
		hs.rtt_us = ((__u32)(now / 1000000) + (__u32)h - (o.tsecr & ~1U)) * 1000;
	flow_add(&p->t, SO_ESTABLISHED);
	if (write_meta(ctx, cfg, p, &o, hs.data, &m) < 0)
		stat_inc(SO_STAT_HANDOFF_FAIL); /* the driver cannot carry metadata */
	event_handshake(p, &m, &hs);
	return XDP_PASS;
}

/*
 * A RST ends a flow we know (TIME_WAIT), or a half-open entry if its
 * sequence number is the one we expect (RFC 5961: nothing else resets a
 * SYN_RECV). Either way the kernel sees it, as it would without us.
 */
static __always_inline int handle_rst(const struct so_config *cfg, struct so_pkt *p)
{
	struct so_flow *f = bpf_map_lookup_elem(&so_flows, &p->t);
	struct so_halfopen *e;
	__u32 idx;
	int i;

	if (f) {
		flow_note(f, p->flags, SO_FIN_CLIENT);
		return XDP_PASS;
	}
	if (!cfg->stateful)
		return XDP_PASS;
	idx = halfopen_set(cfg, &p->t);
#pragma unroll
	for (i = 0; i < SO_HALFOPEN_WAYS; i++, idx++) {
		e = bpf_map_lookup_elem(&so_halfopen, &idx);
		if (e && e->state == SO_SYN_RECV && e->sa.ack == p->seq && tuple_eq(&e->t, &p->t)) {
			halfopen_free(e);
			break;
		}
	}
	return XDP_PASS;
}

#endif /* SO_BPF_ACK_H */
