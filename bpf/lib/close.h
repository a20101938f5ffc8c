/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Close tracking. XDP sees only what the client sends; the server's side of
 * a close is read from the kernel's own socket state changes
 * (tp_btf/inet_sock_set_state), which cost nothing per segment: the
 * server's FIN (FIN_WAIT1 when it closes first, LAST_ACK when it answers a
 * close) moves the flow on as the client's FIN does. At the socket's end
 * (CLOSE) the flow follows the kernel: after an active close the kernel
 * keeps a TIME_WAIT socket, and the flow stays in TIME_WAIT for 2*MSL (a
 * SYN reusing the tuple is the kernel's); after a passive close, a RST or
 * an abort (even one that ends an active close: the kernel sets sk_err
 * before it closes the socket, and keeps no TIME_WAIT) the kernel keeps
 * nothing, and neither do we: the entry goes, so the table holds live
 * connections and TIME_WAIT sockets, not history.
 */
#ifndef SO_BPF_CLOSE_H
#define SO_BPF_CLOSE_H

#include "common.h"
#include "parse.h"
#include "state.h"

/*
 * The flow tuple of a server socket: the client (remote) side first. The
 * local port comes from inet_sport: at CLOSE the socket is already unhashed
 * and its skc_num cleared when the tracepoint fires.
 */
static __always_inline int close_tuple(const struct sock *sk, __u16 sport, struct so_tuple *t)
{
	const struct sock_common *skc = &sk->__sk_common;
	__u16 family = skc->skc_family;

	__builtin_memset(t, 0, sizeof(*t));
	t->sport = skc->skc_dport;
	t->dport = sport;
	if (family == SO_AF_INET6) {
		const __u32 *d = skc->skc_v6_daddr.in6_u.u6_addr32;

		/* A dual-stack socket's IPv4 client: the packets were IPv4. */
		if (!(d[0] | d[1]) && d[2] == bpf_htonl(0xffff))
			family = SO_AF_INET;
	}
	if (family == SO_AF_INET) {
		t->saddr[0] = skc->skc_daddr;
		t->daddr[0] = skc->skc_rcv_saddr;
		return 0;
	}
	if (family != SO_AF_INET6)
		return -1;
	__builtin_memcpy(t->saddr, skc->skc_v6_daddr.in6_u.u6_addr32, 16);
	__builtin_memcpy(t->daddr, skc->skc_v6_rcv_saddr.in6_u.u6_addr32, 16);
	t->v6 = 1;
	return 0;
}

static __always_inline int socket_closing(const struct sock *sk, int oldstate, int newstate)
{
	const struct so_config *cfg;
	struct tcp_sock *tp;
	struct so_tuple t;
	struct so_flow *f;
	__u32 zero = 0;
	__u16 port;

	if (newstate != BPF_TCP_FIN_WAIT1 && newstate != BPF_TCP_LAST_ACK &&
	    newstate != BPF_TCP_CLOSE)
		return 0;
	tp = bpf_skc_to_tcp_sock((void *)sk);
	cfg = bpf_map_lookup_elem(&so_config, &zero);
	if (!tp || !cfg)
		return 0;
	/* The hook sees every namespace's sockets: only ours, on our ports. */
	port = tp->inet_conn.icsk_inet.inet_sport;
	if (sk->__sk_common.skc_net.net->net_cookie != cfg->netns_cookie ||
	    !port_protected(cfg, port) || close_tuple(sk, port, &t) < 0)
		return 0;
	f = flow_find(cfg, &t, so_tuple_hash(cfg->hash_seed, &t));
	if (!f)
		return 0;
	/* The clock only where a state begins: tracing programs may not read
	 * the coarse one, and the precise one is a paravirtual clock read. */
	if (newstate != BPF_TCP_CLOSE) {
		flow_note(f, SO_TCP_FIN, SO_FIN_SERVER, 1);
	} else if (cfg->time_wait && !sk->sk_err &&
		   (oldstate == BPF_TCP_FIN_WAIT1 || oldstate == BPF_TCP_FIN_WAIT2 ||
		    oldstate == BPF_TCP_CLOSING)) {
		if (f->state != SO_TIME_WAIT) {
			f->state = SO_TIME_WAIT;
			f->since = flow_now(bpf_ktime_get_ns());
		}
	} else {
		flow_forget(f);
	}
	return 0;
}

#endif /* SO_BPF_CLOSE_H */
