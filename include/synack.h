/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SYN-ACK builder, header-only. A SYN-ACK is a function of the half-open
 * entry that records its SYN (struct so_halfopen) and of the config: the
 * XDP program writes it into the SYN's own frame, the daemon writes its
 * retransmissions with it, so there is exactly one SYN-ACK in shakeoff.
 *
 * Every write is checked against `end` (the verifier requires it in BPF, and
 * userspace gets buffer safety for free). Needs struct iphdr, ipv6hdr and
 * tcphdr (from vmlinux.h, or the linux/ uapi headers) and
 * <bpf/bpf_endian.h>; userspace must build with -fno-strict-aliasing (the
 * headers are written as 32-bit words).
 */
#ifndef SHAKEOFF_SYNACK_H
#define SHAKEOFF_SYNACK_H

#include "shakeoff.h"
#include "cookie.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define SO_IPPROTO_TCP 6
#define SO_IP_DF       0x4000
#define SO_IP_MF       0x2000
#define SO_IP_OFFMASK  0x1fff

/* TCP flags: the low byte of the 16-bit word at offset 12 (plus AE in bit 8). */
#define SO_TCP_FIN 0x01
#define SO_TCP_SYN 0x02
#define SO_TCP_RST 0x04
#define SO_TCP_PSH 0x08
#define SO_TCP_ACK 0x10
#define SO_TCP_URG 0x20
#define SO_TCP_ECE 0x40
#define SO_TCP_CWR 0x80

#define SO_TCP_OPT_MAX 40 /* option bytes a TCP header can hold */

#define SO_SYNACK_OPT_WORDS 5 /* MSS 4 + SACK-perm/TS 12 + WS 4 bytes */

/* Everything the TCP header of one SYN-ACK is made of. */
struct so_synack {
	__u16 sport;			 /* ours (the SYN's destination port), network order */
	__u16 dport;			 /* network order */
	__u32 seq;			 /* our ISN, the cookie; host order */
	__u32 ack;			 /* client ISN + 1; host order */
	__u16 window;			 /* host order */
	__u8 ece;			 /* agree to ECN */
	__u8 nopts;			 /* option words used */
	__u32 opts[SO_SYNACK_OPT_WORDS]; /* wire bytes */
};

#ifndef barrier_var
#define barrier_var(var) asm volatile("" : "+r"(var))
#endif

static __always_inline __u32 so_opt_put(struct so_synack *sa, __u32 n, __u32 word)
{
	/* Hide n's range from clang: it would OR a small index into the stack
	 * address, and the verifier refuses arithmetic other than + on pointers. */
	barrier_var(n);
	if (n < SO_SYNACK_OPT_WORDS)
		sa->opts[n] = word;
	return n + 1;
}

/*
 * The SYN-ACK for entry e. Its options are what the SYN offered and the
 * server allows (decided when the entry was made), packed as Linux packs
 * them, so they never take more room than the SYN's did (each of ours
 * stands for a client option of at least its length before padding).
 */
static __always_inline void so_synack_of(struct so_synack *sa, const struct so_halfopen *e,
					 __u16 window, __u8 wscale)
{
	int sack = SO_COPTS_SACK(e->copts);
	__u32 n = 0;

	sa->sport = e->dport;
	sa->dport = e->sport;
	sa->seq = e->isn;
	sa->ack = e->cisn + 1;
	sa->window = window;
	sa->ece = !!(e->flags & SO_HO_ECN);
	if (e->mss)
		n = so_opt_put(sa, n, bpf_htonl(0x02040000U | e->mss));
	if (e->flags & SO_HO_TS) {
		/* SACK-permitted rides in the two bytes the NOPs would fill. */
		n = so_opt_put(sa, n, bpf_htonl(sack ? 0x0402080aU : 0x0101080aU));
		n = so_opt_put(sa, n, bpf_htonl(e->tsval));
		n = so_opt_put(sa, n, bpf_htonl(e->tsecr));
	} else if (sack) {
		n = so_opt_put(sa, n, bpf_htonl(0x01010402U));
	}
	if (SO_COPTS_WSCALE(e->copts) != SO_WSCALE_NONE)
		n = so_opt_put(sa, n, bpf_htonl(0x01030300U | wscale));
	sa->nopts = n;
}

static __always_inline __u16 so_csum_fold(__u64 sum)
{
	sum = (sum & 0xffffffffULL) + (sum >> 32);
	sum = (sum & 0xffffffffULL) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/*
 * Sums are of 32-bit words as they lie in memory (network byte order read
 * natively); folded and stored back the same way, the result is right on
 * hosts of either byte order.
 */
static __always_inline __u64 so_pseudo4(__u32 saddr, __u32 daddr, __u16 tcp_len)
{
	return (__u64)saddr + daddr + bpf_htonl(SO_IPPROTO_TCP << 16 | tcp_len);
}

static __always_inline __u64 so_pseudo6(const __u32 *saddr, const __u32 *daddr, __u16 tcp_len)
{
	__u64 sum = bpf_htonl(tcp_len) + bpf_htonl(SO_IPPROTO_TCP);
	int i;

	SO_UNROLL
	for (i = 0; i < 4; i++)
		sum += (__u64)saddr[i] + daddr[i];
	return sum;
}

static __always_inline __u16 so_synack_tcp_len(const struct so_synack *sa)
{
	return sizeof(struct tcphdr) + 4 * sa->nopts;
}

/*
 * The headers are written a 32-bit word at a time, and summed from the
 * words in registers: a word read back from narrower fresh stores cannot be
 * forwarded from them, and waits until they reach the cache.
 */

/* The 32-bit word whose two halves, in memory order, are hi and lo
 * (network order), as so_*_write store and sum it. */
static __always_inline __u32 so_word16(__u16 hi, __u16 lo)
{
	return bpf_htonl((__u32)bpf_ntohs(hi) << 16 | bpf_ntohs(lo));
}

/* Write the IPv4 header of a SYN-ACK at l3. Returns its length or -1. */
static __always_inline int so_ip4_write(void *l3, void *end, __u32 saddr, __u32 daddr, __u8 ttl,
					__u16 tcp_len)
{
	struct iphdr *ip = l3;
	__u32 *w = l3;
	__u32 w0, w1, w2;

	if ((void *)(ip + 1) > end)
		return -1;
	/* Version 4, IHL 5 (never IP options), no TOS; ID 0 with DF set (the
	 * ID is not used, RFC 6864); TTL, TCP, the checksum 0 until summed. */
	w0 = bpf_htonl(0x45000000U | (sizeof(*ip) + tcp_len));
	w1 = bpf_htonl(SO_IP_DF);
	w2 = bpf_htonl((__u32)ttl << 24 | SO_IPPROTO_TCP << 16);
	w[0] = w0;
	w[1] = w1;
	w[2] = w2;
	w[3] = saddr;
	w[4] = daddr;
	ip->check = so_csum_fold((__u64)w0 + w1 + w2 + saddr + daddr);
	return sizeof(*ip);
}

/* Write the IPv6 header of a SYN-ACK at l3. Returns its length or -1. */
static __always_inline int so_ip6_write(void *l3, void *end, const __u32 *saddr, const __u32 *daddr,
					__u8 hop_limit, __u16 tcp_len)
{
	struct ipv6hdr *ip6 = l3;
	__u32 *w = l3;
	int i;

	if ((void *)(ip6 + 1) > end)
		return -1;
	w[0] = bpf_htonl(0x60000000U); /* version 6, no traffic class, no flow label */
	w[1] = bpf_htonl((__u32)tcp_len << 16 | SO_IPPROTO_TCP << 8 | hop_limit);
	SO_UNROLL
	for (i = 0; i < 4; i++) {
		w[2 + i] = saddr[i];
		w[6 + i] = daddr[i];
	}
	return sizeof(*ip6);
}

/*
 * Write the TCP header and options of a SYN-ACK at l4, with its checksum
 * over `pseudo` (so_pseudo4/6). Returns the TCP length or -1.
 */
static __always_inline int so_tcp_write(void *l4, void *end, const struct so_synack *sa,
					__u64 pseudo)
{
	struct tcphdr *th = l4;
	__u32 *w = l4;
	__u32 doff = so_synack_tcp_len(sa) / 4;
	__u32 w0, w1, w2, w3;
	__u64 sum;
	int i;

	if ((void *)(th + 1) > end)
		return -1;
	w0 = so_word16(sa->sport, sa->dport);
	w1 = bpf_htonl(sa->seq);
	w2 = bpf_htonl(sa->ack);
	w3 = bpf_htonl(doff << 28 | (SO_TCP_SYN | SO_TCP_ACK | (sa->ece ? SO_TCP_ECE : 0)) << 16 |
		       sa->window);
	w[0] = w0;
	w[1] = w1;
	w[2] = w2;
	w[3] = w3;
	w[4] = 0; /* the checksum until summed; no urgent pointer */
	sum = pseudo + w0 + w1 + w2 + w3;
	for (i = 0; i < SO_SYNACK_OPT_WORDS && i < sa->nopts; i++) {
		if ((void *)(w + 5 + i + 1) > end)
			return -1;
		w[5 + i] = sa->opts[i];
		sum += sa->opts[i];
	}
	th->check = so_csum_fold(sum);
	return doff * 4;
}

/*
 * Write the IP and TCP headers of sa, the SYN-ACK for entry e, at l3.
 * Returns their length or -1.
 */
static __always_inline int so_synack_write(void *l3, void *end, const struct so_halfopen *e,
					   const struct so_synack *sa, __u8 ttl)
{
	__u16 tcp_len = so_synack_tcp_len(sa);

	if (e->flags & SO_HO_V6) {
		if (so_ip6_write(l3, end, e->daddr, e->saddr, ttl, tcp_len) < 0 ||
		    so_tcp_write((__u8 *)l3 + sizeof(struct ipv6hdr), end, sa,
				 so_pseudo6(e->daddr, e->saddr, tcp_len)) < 0)
			return -1;
		return sizeof(struct ipv6hdr) + tcp_len;
	}
	if (so_ip4_write(l3, end, e->daddr[0], e->saddr[0], ttl, tcp_len) < 0 ||
	    so_tcp_write((__u8 *)l3 + sizeof(struct iphdr), end, sa,
			 so_pseudo4(e->daddr[0], e->saddr[0], tcp_len)) < 0)
		return -1;
	return sizeof(struct iphdr) + tcp_len;
}

#endif /* SHAKEOFF_SYNACK_H */
