// SPDX-License-Identifier: GPL-2.0
/* Test frames, built and parsed byte by byte (no shakeoff code here). */
#include <string.h>

#include "frame.h"

const uint8_t client_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0c};
const uint8_t server_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x05};
const uint8_t client_ip4[4] = {198, 51, 100, 7};
const uint8_t server_ip4[4] = {192, 0, 2, 1};
const uint8_t client_ip6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};
const uint8_t server_ip6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

uint16_t get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* RFC 1071, the slow and obvious way: big-endian 16-bit words. */
static uint32_t sum16(const uint8_t *d, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += d[i] << 8 | d[i + 1];
	if (len & 1)
		sum += d[len - 1] << 8;
	return sum;
}

uint16_t csum_fold_rfc1071(const uint8_t *data, size_t len, uint32_t init)
{
	uint32_t sum = sum16(data, len, init);

	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

uint32_t pseudo_sum(bool v6, const uint8_t *src, const uint8_t *dst, uint32_t len)
{
	int alen = v6 ? 16 : 4;
	uint32_t sum = sum16(src, alen, 0);

	sum = sum16(dst, alen, sum);
	return sum + 6 + (len >> 16) + (len & 0xffff);
}

int frame_build(const struct frame_spec *s, uint8_t *buf)
{
	uint8_t caddr[16], *l3, *l4;
	int off = 12, i, opt_len = (s->opt_len + 3) & ~3, tcp_len, l4_len, ip_hlen;
	uint32_t pseudo;
	uint8_t proto = s->proto ? s->proto : 6;

	memset(buf, 0, FRAME_MAX);
	memcpy(buf, server_mac, 6);
	memcpy(buf + 6, client_mac, 6);
	if (s->vlans == 2) {
		put16(buf + off, 0x88a8);
		put16(buf + off + 2, 200);
		off += 4;
	}
	if (s->vlans >= 1) {
		put16(buf + off, 0x8100);
		put16(buf + off + 2, 100);
		off += 4;
	}
	put16(buf + off, s->v6 ? 0x86dd : 0x0800);
	off += 2;
	l3 = buf + off;

	memcpy(caddr, s->v6 ? client_ip6 : client_ip4, s->v6 ? 16 : 4);
	if (s->addr_last)
		caddr[s->v6 ? 15 : 3] = s->addr_last;

	tcp_len = 20 + opt_len;
	l4_len = proto == 6 ? tcp_len + s->payload_len : 8 + s->payload_len;
	if (s->v6) {
		ip_hlen = 40 + s->ext_len;
		l3[0] = 0x60;
		put16(l3 + 4, s->ext_len + l4_len + s->tot_len_delta);
		l3[6] = s->ext_len ? s->ext_first : proto;
		l3[7] = 64;
		memcpy(l3 + 8, caddr, 16);
		memcpy(l3 + 24, server_ip6, 16);
		if (s->ext_len)
			memcpy(l3 + 40, s->ext, s->ext_len);
	} else {
		ip_hlen = 20 + s->ip_opt_len;
		l3[0] = 0x40 | ip_hlen / 4;
		put16(l3 + 2, ip_hlen + l4_len + s->tot_len_delta);
		put16(l3 + 4, 0x1234);
		put16(l3 + 6, s->frag_off);
		l3[8] = 64;
		l3[9] = proto;
		memcpy(l3 + 12, caddr, 4);
		memcpy(l3 + 16, server_ip4, 4);
		/* Router Alert options (RFC 2113), 4 bytes each. */
		for (i = 0; i < s->ip_opt_len; i += 4) {
			l3[20 + i] = 0x94;
			l3[21 + i] = 4;
		}
		put16(l3 + 10, csum_fold_rfc1071(l3, ip_hlen, 0));
	}
	l4 = l3 + ip_hlen;
	if (proto != 6) {
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
		put16(l4 + 4, l4_len);
		return l4 + l4_len - buf;
	}
	put16(l4, s->sport);
	put16(l4 + 2, s->dport);
	put32(l4 + 4, s->seq);
	put32(l4 + 8, s->ack);
	l4[12] = (s->doff_override ? s->doff_override : tcp_len / 4) << 4;
	l4[13] = s->flags;
	put16(l4 + 14, s->window ? s->window : 64240);
	if (s->opt_len)
		memcpy(l4 + 20, s->opts, s->opt_len);
	for (i = 0; i < s->payload_len; i++)
		l4[tcp_len + i] = 0xab;
	pseudo =
	    pseudo_sum(s->v6, caddr, s->v6 ? server_ip6 : server_ip4, tcp_len + s->payload_len);
	/* Partial: the pseudo-header's folded sum alone, as TX offload leaves it. */
	put16(l4 + 16, s->partial_csum ? 0xffff ^ csum_fold_rfc1071(NULL, 0, pseudo)
				       : csum_fold_rfc1071(l4, tcp_len + s->payload_len, pseudo));
	return l4 + tcp_len + s->payload_len - buf;
}

static void parse_opts(const uint8_t *o, int len, struct parsed *p)
{
	int i = 0;

	p->mss = p->wscale = -1;
	while (i < len) {
		uint8_t kind = o[i], olen;

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= len || (olen = o[i + 1]) < 2 || i + olen > len) {
			p->unknown_opt = true;
			break;
		}
		if (kind == 2 && olen == 4)
			p->mss = get16(o + i + 2);
		else if (kind == 3 && olen == 3)
			p->wscale = o[i + 2];
		else if (kind == 4 && olen == 2)
			p->sack_perm = true;
		else if (kind == 8 && olen == 10) {
			p->ts = true;
			p->tsval = get32(o + i + 2);
			p->tsecr = get32(o + i + 6);
		} else
			p->unknown_opt = true;
		i += olen;
	}
}

bool frame_parse(const uint8_t *buf, int len, struct parsed *p)
{
	int off = 12, tcp_len;
	uint32_t pseudo;
	uint16_t type, partial;
	const uint8_t *l3, *l4;

	memset(p, 0, sizeof(*p));
	p->len = len;
	p->eth = buf;
	if (len < 14)
		return false;
	type = get16(buf + off);
	while ((type == 0x8100 || type == 0x88a8) && p->vlans < 2 && off + 6 <= len) {
		p->vlan_tci[p->vlans++] = get16(buf + off + 2);
		off += 4;
		type = get16(buf + off);
	}
	off += 2;
	p->l3_off = off;
	l3 = buf + off;
	if (type == 0x0800) {
		int ihl;

		if (off + 20 > len || l3[9] != 6)
			return false;
		ihl = (l3[0] & 0xf) * 4;
		p->ttl = l3[8];
		p->ip_len = get16(l3 + 2);
		p->frag_off = get16(l3 + 6);
		p->ip_csum_ok = csum_fold_rfc1071(l3, ihl, 0) == 0;
		l4 = l3 + ihl;
		tcp_len = p->ip_len - ihl;
	} else if (type == 0x86dd) {
		if (off + 40 > len || l3[6] != 6)
			return false;
		p->v6 = true;
		p->ttl = l3[7];
		p->ip_len = get16(l3 + 4);
		p->ip_csum_ok = true;
		l4 = l3 + 40;
		tcp_len = p->ip_len;
	} else {
		return false;
	}
	p->l3 = l3;
	p->l4 = l4;
	p->l4_off = l4 - buf;
	if (p->l4_off + 20 > len || p->l4_off + tcp_len > len)
		return false;
	pseudo = pseudo_sum(p->v6, p->v6 ? l3 + 8 : l3 + 12, p->v6 ? l3 + 24 : l3 + 16, tcp_len);
	p->tcp_csum_ok = csum_fold_rfc1071(l4, tcp_len, pseudo) == 0;
	partial = 0xffff ^ csum_fold_rfc1071(NULL, 0, pseudo);
	p->tcp_csum_partial = get16(l4 + 16) == partial;
	p->sport = get16(l4);
	p->dport = get16(l4 + 2);
	p->seq = get32(l4 + 4);
	p->ack = get32(l4 + 8);
	p->doff = (l4[12] >> 4) * 4;
	p->flags = l4[13];
	p->window = get16(l4 + 14);
	parse_opts(l4 + 20, p->doff - 20, p);
	p->payload_len = tcp_len - p->doff;
	return true;
}
