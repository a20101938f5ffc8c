// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the SYN-ACK builder the data plane and the daemon share
 * (include/synack.h), fed any half-open entry, window, window scale, TTL
 * and room. It writes nothing past the room it is given, and what it
 * writes is, by the tests' own parser, a SYN-ACK from the entry's server
 * to its client: checksums right, options well-formed, and the ACK the
 * client's ISN + 1.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>

#include "shakeoff.h"
#include "cookie.h"
#include "synack.h"
#include "../unit/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct so_halfopen e;
	struct so_synack sa;
	struct parsed p;
	uint8_t *l3, *frame;
	size_t room;
	int len, v6, alen;
	__u16 window;
	__u8 wscale, ttl;

	if (size < sizeof(e) + 6)
		return 0;
	memcpy(&e, data, sizeof(e));
	window = data[sizeof(e)] << 8 | data[sizeof(e) + 1];
	wscale = data[sizeof(e) + 2];
	ttl = data[sizeof(e) + 3];
	room = data[sizeof(e) + 4] % 120; /* often too little */
	/* Exactly `room` bytes, aligned as the daemon's buffer: ASan sees any
	 * overrun. The parser gets them behind an Ethernet header. */
	l3 = malloc(room ? room : 1);
	frame = malloc(14 + room);
	memset(frame, 0, 14);
	frame[12] = e.flags & SO_HO_V6 ? 0x86 : 0x08;
	frame[13] = e.flags & SO_HO_V6 ? 0xdd : 0x00;
	so_synack_of(&sa, &e, window, wscale);
	len = so_synack_write(l3, l3 + room, &e, &sa, ttl);
	if (len >= 0) {
		memcpy(frame + 14, l3, len);
		v6 = !!(e.flags & SO_HO_V6);
		alen = v6 ? 16 : 4;
		if ((size_t)len > room || !frame_parse(frame, 14 + len, &p) || p.v6 != v6 ||
		    !p.ip_csum_ok || !p.tcp_csum_ok || p.unknown_opt || p.payload_len ||
		    (p.flags & ~0x40) != 0x12 || p.ack != e.cisn + 1 || p.seq != e.isn ||
		    htons(p.sport) != e.dport || htons(p.dport) != e.sport ||
		    memcmp(p.l3 + (v6 ? 8 : 12), e.daddr, alen) ||
		    memcmp(p.l3 + (v6 ? 24 : 16), e.saddr, alen) || p.ttl != ttl ||
		    p.doff > 20 + 4 * SO_SYNACK_OPT_WORDS || (e.mss && p.mss != e.mss))
			abort();
	}
	free(frame);
	free(l3);
	return 0;
}
