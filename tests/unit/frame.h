/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test frames, built and checked by code independent of shakeoff's own
 * builder: byte by byte, with a textbook RFC 1071 checksum.
 */
#ifndef SO_TEST_FRAME_H
#define SO_TEST_FRAME_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define FRAME_MAX 2048

struct frame_spec {
	bool v6;
	int vlans;	    /* 0, 1 or 2 tags */
	int ip_opt_len;	    /* IPv4 options bytes (multiple of 4) */
	const uint8_t *ext; /* IPv6 extension headers, raw, chained by next_hdr */
	int ext_len;
	uint8_t ext_first; /* next header of the IPv6 header when ext is used */
	uint8_t proto;	   /* 0: TCP */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint16_t flags; /* TCP flags byte */
	uint16_t window;
	const uint8_t *opts; /* raw TCP options */
	int opt_len;	     /* padded by the builder to a multiple of 4 */
	int payload_len;
	int doff_override; /* != 0: write this doff (words) instead */
	uint16_t frag_off; /* IPv4 frag_off field (host order) */
	int tot_len_delta; /* added to the IP length field */
	uint8_t addr_last; /* varies the client address */
	bool partial_csum; /* TCP checksum as TX offload leaves it (CHECKSUM_PARTIAL) */
};

/* Client and server as the tests use them. */
extern const uint8_t client_mac[6], server_mac[6];
extern const uint8_t client_ip4[4], server_ip4[4];
extern const uint8_t client_ip6[16], server_ip6[16];

/* Build a client->server frame. Returns its length. */
int frame_build(const struct frame_spec *s, uint8_t *buf);

/* A parsed output frame (a SYN-ACK, normally). */
struct parsed {
	int len;
	int vlans;
	uint16_t vlan_tci[2];
	bool v6;
	int l3_off, l4_off;
	const uint8_t *eth, *l3, *l4;
	uint8_t ttl;
	uint16_t ip_len; /* tot_len (v4) or payload_len (v6) */
	uint16_t frag_off;
	bool ip_csum_ok, tcp_csum_ok;
	bool tcp_csum_partial; /* the field holds only the pseudo-header's sum (TX offload) */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t window;
	int doff;
	/* options */
	int mss;    /* -1 absent */
	int wscale; /* -1 absent */
	bool sack_perm, ts;
	uint32_t tsval, tsecr;
	bool unknown_opt;
	int payload_len;
};

/* Parse a frame independently of shakeoff. Returns false when it is not TCP. */
bool frame_parse(const uint8_t *buf, int len, struct parsed *p);

uint16_t csum_fold_rfc1071(const uint8_t *data, size_t len, uint32_t init);
/* The TCP pseudo-header's sum (unfolded), for csum_fold_rfc1071's init. */
uint32_t pseudo_sum(bool v6, const uint8_t *src, const uint8_t *dst, uint32_t len);
/* Big-endian fields. */
uint16_t get16(const uint8_t *p);
uint32_t get32(const uint8_t *p);

#endif /* SO_TEST_FRAME_H */
