// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's timers over the connection tables:
 *  - half-open entries: SYN-ACK retransmission with exponential backoff
 *    (1 s, 2 s, 4 s ... like the kernel's tcp_synack_retries), expiry after
 *    the last one's timeout, and the backlog's high/low-water switch;
 *  - flows: TIME_WAIT after 2*MSL, idle ESTABLISHED/CLOSING entries.
 *
 * so_halfopen is read through mmap: a scan of a full 65536-entry table is a
 * pass over 8 MiB of memory and no system call (bench/RESULTS.md has its
 * cost). Only the data plane writes it; our bookkeeping is in d->shadow.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/libbpf.h>

#include "cookie.h"
#include "daemon.h"
#include "keys.h"
#include "log.h"
#include "pkt.h"
#include "sockdiag.h"
#include "shakeoff.skel.h"

#define NS 1000000000ULL

void counter_add(struct daemon *d, enum so_stat idx, __u64 n)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 vals[ncpu];
	__u32 key = idx;

	d->counters[idx] += n;
	memset(vals, 0, sizeof(vals));
	vals[0] = d->counters[idx];
	bpf_map__update_elem(d->skel->maps.so_stats, &key, sizeof(key), vals, sizeof(vals), 0);
}

int retrans_init(struct daemon *d)
{
	__u64 now = now_mono_ns();
	__u32 key;
	int err, i;

	/* Our counters go on from what a previous run left in the pinned map. */
	for (i = 0; i < SO_STAT_MAX; i++)
		if (SO_STAT_DAEMON(i))
			stat_sum(bpf_map__fd(d->skel->maps.so_stats), i, &d->counters[i]);
	err = halfopen_map(bpf_map__fd(d->skel->maps.so_halfopen), &d->ho);
	if (err)
		return err;
	d->shadow = calloc(d->ho.n, sizeof(*d->shadow));
	if (!d->shadow)
		return -ENOMEM;
	/* Entries a previous run saw expire are not counted twice. */
	for (key = 0; key < d->ho.n; key++)
		if (d->ho.e[key].state == SO_SYN_RECV &&
		    now - d->ho.e[key].first_ns >= d->cfg.halfopen_life_ns)
			d->shadow[key] = (struct shadow){ .seq = d->ho.e[key].seq, .done = 1, .known = 1 };
	d->pkt_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	return d->pkt_fd < 0 ? -errno : 0;
}

void retrans_fini(struct daemon *d)
{
	halfopen_unmap(&d->ho);
	free(d->shadow);
	if (d->pkt_fd > 0)
		close(d->pkt_fd);
}

/* The entry's ISN must be our cookie for its tuple: a check against tearing. */
static int cookie_consistent(struct daemon *d, const struct so_halfopen *e, __u64 now)
{
	__u64 tai_slot = slot_ago(now - e->first_ns);
	__u64 slot = so_cookie_slot(e->sa.seq, tai_slot);
	__u32 idx = slot % SO_NKEYS;
	struct so_key key;

	if (bpf_map__lookup_elem(d->skel->maps.so_keys, &idx, sizeof(idx), &key, sizeof(key), 0) ||
	    key.slot != slot)
		return 0;
	return so_cookie_check(e->sa.seq, so_cookie_hash(key.k, &e->t, e->sa.ack - 1, slot)) ==
	       e->data;
}

/* The SYN-ACK of entry e, L2 to L4, in buf: the data plane's, to the byte. */
static int build_synack(const struct so_halfopen *e, __u8 *buf, size_t size)
{
	__u16 tcp_len = so_synack_tcp_len(&e->sa);
	__u8 *end = buf + size, *l3;
	int i, off = 2 * ETH_ALEN;

	memcpy(buf, e->mac_client, ETH_ALEN);
	memcpy(buf + ETH_ALEN, e->mac_server, ETH_ALEN);
	for (i = 0; i < e->nvlan && i < SO_VLAN_MAX; i++, off += 4)
		memcpy(buf + off, &e->vlan[i], 4);
	*(__u16 *)(buf + off) = htons(e->t.v6 ? ETH_P_IPV6 : ETH_P_IP);
	l3 = buf + off + 2;
	if (e->t.v6) {
		if (so_ip6_write(l3, end, e->t.daddr, e->t.saddr, e->ttl, tcp_len) < 0 ||
		    so_tcp_write(l3 + sizeof(struct ipv6hdr), end, &e->sa,
				 so_pseudo6(e->t.daddr, e->t.saddr, tcp_len)) < 0)
			return -1;
		return l3 - buf + sizeof(struct ipv6hdr) + tcp_len;
	}
	if (so_ip4_write(l3, end, e->t.daddr[0], e->t.saddr[0], e->ttl, tcp_len) < 0 ||
	    so_tcp_write(l3 + sizeof(struct iphdr), end, &e->sa,
			 so_pseudo4(e->t.daddr[0], e->t.saddr[0], tcp_len)) < 0)
		return -1;
	return l3 - buf + sizeof(struct iphdr) + tcp_len;
}

static int retransmit(struct daemon *d, const struct so_halfopen *e)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = d->ifindex,
		.sll_halen = ETH_ALEN,
	};
	__u8 frame[128];
	int len = build_synack(e, frame, sizeof(frame));

	if (len < 0)
		return -EINVAL;
	memcpy(sll.sll_addr, e->mac_client, ETH_ALEN);
	if (sendto(d->pkt_fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll)) != len)
		return -errno;
	return 0;
}

/* Per-entry expiry events a tick; a flood's thousands become one count. */
#define EXPIRED_EVENTS_PER_TICK 32

static void expired(struct daemon *d, const struct so_halfopen *e, __u64 now, __u32 nth)
{
	struct so_event ev = { .type = SO_EV_EXPIRED, .time_ns = now, .t = e->t, .count = 1 };

	if (nth < EXPIRED_EVENTS_PER_TICK)
		events_publish(d, &ev);
}

/* The data plane's count of SYNs answered without state since it started. */
static __u64 fallback_syns(struct daemon *d)
{
	__u64 sum;

	stat_sum(bpf_map__fd(d->skel->maps.so_stats), SO_STAT_COOKIE_FALLBACK, &sum);
	return sum;
}

/*
 * Above the high-water mark: cookies only. Back to state below the low-water
 * mark, and only when the SYNs still arriving would not fill the table again
 * within an entry's lifetime: a long flood does not get state back each
 * time its entries expire.
 */
static void backlog(struct daemon *d, __u32 live)
{
	__u32 high = (__u64)d->ho.n * SO_BACKLOG_HIGH_PCT / 100;
	__u32 low = (__u64)d->ho.n * SO_BACKLOG_LOW_PCT / 100;
	struct so_event ev = { .type = SO_EV_BACKLOG, .count = live };
	__u64 syns = fallback_syns(d), rate = (syns - d->fallback_syns) * (1000 / TICK_MS);
	__u32 zero = 0;

	d->fallback_syns = syns;
	if (d->cfg.fallback ? live >= low || rate * (d->cfg.halfopen_life_ns / NS) >= high - live
			    : live < high)
		return;
	d->cfg.fallback = !d->cfg.fallback;
	bpf_map__update_elem(d->skel->maps.so_config, &zero, sizeof(zero), &d->cfg, sizeof(d->cfg), 0);
	so_log("%s: %u of %u half-open entries in use: %s", d->ifname, live, d->ho.n,
	       d->cfg.fallback ? "SYN cookies only until it drains" : "keeping state again");
	ev.via = d->cfg.fallback;
	ev.time_ns = now_mono_ns();
	events_publish(d, &ev);
}

void halfopen_tick(struct daemon *d)
{
	__u64 now = now_mono_ns(), life = d->cfg.halfopen_life_ns;
	struct so_halfopen copy;
	__u32 i, live = 0, sent = 0, gone = 0;

	for (i = 0; i < d->ho.n; i++) {
		const volatile struct so_halfopen *e = &d->ho.e[i];
		struct shadow *s = &d->shadow[i];
		__u32 seq = e->seq;

		if (seq & 1 || e->state != SO_SYN_RECV)
			continue;
		if (!s->known || s->seq != seq)
			*s = (struct shadow){ .seq = seq, .known = 1, .last_ns = e->first_ns };
		if (s->done)
			continue;
		if (now - e->first_ns >= life) {
			/* Past the last retransmission's timeout: gone, like the kernel's. */
			memcpy(&copy, (const void *)e, sizeof(copy));
			s->done = 1;
			if (e->seq == seq)
				expired(d, &copy, now, gone++);
			continue;
		}
		live++;
		if (s->retrans >= d->synack_retries || now - s->last_ns < (NS << s->retrans))
			continue;
		memcpy(&copy, (const void *)e, sizeof(copy));
		__sync_synchronize();
		if (e->seq != seq)
			continue; /* rewritten under us: look again next tick */
		s->retrans++;
		s->last_ns = now;
		if (!cookie_consistent(d, &copy, now)) {
			s->done = 1; /* not a SYN-ACK we would have sent */
			continue;
		}
		if (retransmit(d, &copy) == 0)
			sent++;
	}
	if (sent)
		counter_add(d, SO_STAT_SYNACK_RETRANS, sent);
	if (gone) {
		counter_add(d, SO_STAT_EXPIRED_HALF_OPEN, gone);
		if (gone > EXPIRED_EVENTS_PER_TICK) {
			struct so_event ev = { .type = SO_EV_EXPIRED, .time_ns = now,
					       .count = gone - EXPIRED_EVENTS_PER_TICK };

			events_publish(d, &ev); /* "and N more", without a tuple */
		}
	}
	if (!d->stateless)
		backlog(d, live);
}

/* Once a second: TIME_WAIT after 2*MSL, silent flows after SO_FLOW_IDLE_S. */
void flows_tick(struct daemon *d)
{
	int fd = bpf_map__fd(d->skel->maps.so_flows);
	__u64 now = now_mono_ns(), tw = 0, idle = 0;
	static struct so_tuple keys[4096], dead[4096];
	static struct so_flow vals[4096];
	__u32 in = 0, out, n, i, ndead = 0;
	bool first = true;
	int err;

	do {
		n = 4096;
		err = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, vals, &n, NULL);
		if (err && errno != ENOENT)
			break;
		first = false;
		in = out;
		for (i = 0; i < n && ndead < 4096; i++) {
			if (vals[i].state == SO_TIME_WAIT) {
				/* Signed: a seeded entry may start in the future (flows_seed). */
				if ((__s64)(now - vals[i].since_ns) < (__s64)(2ULL * d->msl * NS))
					continue;
				tw++;
			} else if (now - vals[i].seen_ns >= SO_FLOW_IDLE_S * NS) {
				idle++;
			} else {
				continue;
			}
			dead[ndead++] = keys[i];
		}
	} while (!err);
	for (i = 0; i < ndead; i++)
		bpf_map_delete_elem(fd, &dead[i]);
	if (tw)
		counter_add(d, SO_STAT_TIME_WAIT_EXPIRED, tw);
	if (idle)
		counter_add(d, SO_STAT_FLOW_IDLE_EXPIRED, idle);
}

static void seed_one(const struct so_tuple *t, __u8 state, __u32 ms_left, void *ctx)
{
	struct daemon *d = ctx;
	__u64 now = now_mono_ns();
	struct so_flow f = { .state = state, .since_ns = now, .seen_ns = now };

	/*
	 * A TIME_WAIT socket of the kernel's lasts as long as it has left,
	 * even past 2*MSL: until it is gone, a SYN for its tuple is the
	 * kernel's (the handoff cannot place a socket over it).
	 */
	if (state == SO_TIME_WAIT)
		f.since_ns = now + ms_left * 1000000ULL - 2ULL * d->msl * NS;
	if (bpf_map__update_elem(d->skel->maps.so_flows, t, sizeof(*t), &f, sizeof(f), BPF_NOEXIST) == 0)
		d->seeded[state == SO_TIME_WAIT]++;
}

int flows_seed(struct daemon *d)
{
	return connections_get(d->ports, seed_one, d);
}
