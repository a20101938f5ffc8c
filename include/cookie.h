/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SYN cookies, header-only: the BPF program makes and checks them, userspace
 * derives keys and the tests craft old cookies with the very same code.
 *
 * The 32-bit ISN we send (the cookie):
 *
 *   31                         8 7                 1   0
 *  +----------------------------+-------------------+---+
 *  |     H[63:40] (24 bits)     | copts ^ H[39:33]  | p |
 *  +----------------------------+-------------------+---+
 *   copts (7 bits) = wscale(4) << 3 | sack(1) << 2 | mss index(2)
 *   p = slot & 1
 *
 * H = SipHash-2-4(key[slot], client addr, server addr, ports, client ISN).
 * Each time slot has its own key, so the slot needs no place in the input
 * (IPv4: two message words). The parity bit tells the checker which of the
 * two live slots' keys to use, so a check costs one hash. Every copts value
 * decodes to valid options, so a forged ACK is accepted only if it hits the
 * 24 hash bits: 2^-24 per try. The low 32 bits of H key the SYN-ACK's
 * TSval offset (never the raw clock), whose low bit carries ECN when
 * timestamps are on.
 */
#ifndef SHAKEOFF_COOKIE_H
#define SHAKEOFF_COOKIE_H

#include "shakeoff.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Sizes of IPv4 and IPv6 MSS tables (the kernel's, from real traffic). */
#define SO_MSS_IDX_MAX 3

#define SO_COPTS_BITS 7
#define SO_COPTS_MASK ((1U << SO_COPTS_BITS) - 1)

struct so_sip {
	__u64 v0, v1, v2, v3;
	__u32 nbytes;
};

static __always_inline __u64 so_rotl64(__u64 x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static __always_inline void so_sipround(struct so_sip *s)
{
	s->v0 += s->v1;
	s->v1 = so_rotl64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = so_rotl64(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = so_rotl64(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = so_rotl64(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = so_rotl64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = so_rotl64(s->v2, 32);
}

static __always_inline void so_sip_init(struct so_sip *s, const __u64 k[2])
{
	s->v0 = k[0] ^ 0x736f6d6570736575ULL;
	s->v1 = k[1] ^ 0x646f72616e646f6dULL;
	s->v2 = k[0] ^ 0x6c7967656e657261ULL;
	s->v3 = k[1] ^ 0x7465646279746573ULL;
	s->nbytes = 0;
}

/* Absorb one 64-bit word (the message is a whole number of words). */
static __always_inline void so_sip_word(struct so_sip *s, __u64 m)
{
	s->v3 ^= m;
	so_sipround(s);
	so_sipround(s);
	s->v0 ^= m;
	s->nbytes += 8;
}

static __always_inline __u64 so_sip_final(struct so_sip *s)
{
	__u64 b = (__u64)s->nbytes << 56;

	s->v3 ^= b;
	so_sipround(s);
	so_sipround(s);
	s->v0 ^= b;
	s->v2 ^= 0xff;
	so_sipround(s);
	so_sipround(s);
	so_sipround(s);
	so_sipround(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

/* Words are built from values, not memory: hosts of any byte order agree. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define so_ntoh32(x) ((__u64)__builtin_bswap32(x))
#define so_ntoh16(x) ((__u64)__builtin_bswap16(x))
#else
#define so_ntoh32(x) ((__u64)(x))
#define so_ntoh16(x) ((__u64)(x))
#endif

static __always_inline __u64 so_cookie_hash(const __u64 key[2], const struct so_tuple *t,
					    __u32 cisn)
{
	struct so_sip s;

	so_sip_init(&s, key);
	if (t->v6) {
		so_sip_word(&s, so_ntoh32(t->saddr[0]) << 32 | so_ntoh32(t->saddr[1]));
		so_sip_word(&s, so_ntoh32(t->saddr[2]) << 32 | so_ntoh32(t->saddr[3]));
		so_sip_word(&s, so_ntoh32(t->daddr[0]) << 32 | so_ntoh32(t->daddr[1]));
		so_sip_word(&s, so_ntoh32(t->daddr[2]) << 32 | so_ntoh32(t->daddr[3]));
	} else {
		so_sip_word(&s, so_ntoh32(t->saddr[0]) << 32 | so_ntoh32(t->daddr[0]));
	}
	so_sip_word(&s, so_ntoh16(t->sport) << 48 | so_ntoh16(t->dport) << 32 | cisn);
	return so_sip_final(&s);
}

/* Which slot a cookie was made in, seen from slot now: parity decides. */
static __always_inline __u64 so_cookie_slot(__u32 cookie, __u64 now)
{
	return ((cookie ^ now) & 1) ? now - 1 : now;
}

static __always_inline __u32 so_cookie_make(__u64 h, __u64 slot, __u32 copts)
{
	return (__u32)(h >> 40) << 8 | ((copts ^ (__u32)(h >> 33)) & SO_COPTS_MASK) << 1 |
	       (__u32)(slot & 1);
}

/* Returns the cookie's option bits, or -1 if the cookie is not ours. */
static __always_inline int so_cookie_check(__u32 cookie, __u64 h)
{
	if (cookie >> 8 != (__u32)(h >> 40))
		return -1;
	return ((cookie >> 1) ^ (__u32)(h >> 33)) & SO_COPTS_MASK;
}

/* The option bits a cookie carries: what the handoff needs back from the ACK. */
static __always_inline __u32 so_copts(__u32 mss_idx, __u32 sack, __u32 wscale)
{
	return wscale << 3 | sack << 2 | mss_idx;
}
#define SO_COPTS_MSS_IDX(c) ((c)&3)
#define SO_COPTS_SACK(c)    (((c) >> 2) & 1)
#define SO_COPTS_WSCALE(c)  (((c) >> 3) & 0xf)

/*
 * MSS tables: the kernel's (net/ipv4/syncookies.c, net/ipv6/syncookies.c),
 * chosen from real traffic. Switches, not const arrays: clang 14 would put
 * a const array in .rodata.cst8, which libbpf 1.1 cannot load.
 */
static __always_inline __u16 so_mss_of_idx(__u32 idx, int v6)
{
	switch (idx & SO_MSS_IDX_MAX) {
	case 0:
		return v6 ? 1220 : 536;
	case 1:
		return v6 ? 1420 : 1300;
	case 2:
		return 1440;
	default:
		return v6 ? 8940 : 1460;
	}
}

/* The largest table entry not above mss (entry 0 if mss is below them all). */
static __always_inline __u32 so_mss_idx(__u16 mss, int v6)
{
	__u32 i;

	for (i = SO_MSS_IDX_MAX; i > 0; i--)
		if (mss >= so_mss_of_idx(i, v6))
			break;
	return i;
}

#endif /* SHAKEOFF_COOKIE_H */
