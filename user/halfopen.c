// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's half-open timers. so_halfopen is read through mmap (the data
 * plane is its only writer, under a per-entry seqlock), and nothing is kept
 * per entry here: an entry's schedule follows from its birth. Each tick
 * judges every live entry on the time since the last one, (scan_ns, now],
 * read on the coarse clock as the data plane reads it, so the retransmission
 * an ACK answers is always one its own clock says was due:
 *  - SYN-ACK retransmission k is due when the entry turns 2^k - 1 s old
 *    (1 s, 3 s, 7 s ...: the kernel's tcp_synack_retries backoff), for k
 *    up to --synack-retries;
 *  - it expires at 2^(N+1) - 1 s, as a request socket does after its last
 *    retransmission's timeout: counted, and an event;
 *  - the live ones are the backlog in use: above the high-water mark the
 *    data plane keeps no state (cookies only) until it drains.
 * The gauge and the counters that explain it are published together.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/libbpf.h>

#include "cookie.h"
#include "daemon.h"
#include "keys.h"
#include "log.h"
#include "synack.h"
#include "shakeoff.skel.h"

#define NS 1000000000ULL

/* Per-entry expiry events a tick; a flood's thousands become one count. */
#define EXPIRED_EVENTS_PER_TICK 32

#define BUDGET_BYTES (SO_BUDGET_BUCKETS * sizeof(struct so_budget))

int halfopen_init(struct daemon *d)
{
	int err = halfopen_map(bpf_map__fd(d->skel->maps.so_halfopen), &d->ho);
	__u64 now;
	void *p;

	if (err)
		return err;
	p = mmap(NULL, BUDGET_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED,
		 bpf_map__fd(d->skel->maps.so_budget), 0);
	if (p == MAP_FAILED)
		return -errno;
	d->budget = p;
	/* A run adopting a dead one's maps goes on from its last scan, so the
	 * retransmissions and expiries that fell due in between happen (late)
	 * and are counted, once; a fresh run starts now. */
	now = now_coarse_ns();
	d->scan_ns = d->pub.scan_ns && d->pub.scan_ns <= now ? d->pub.scan_ns : now;
	d->raw4 = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	d->raw6 = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	return d->raw4 < 0 || d->raw6 < 0 ? -errno : 0;
}

void halfopen_fini(struct daemon *d)
{
	halfopen_unmap(&d->ho);
	if (d->budget)
		munmap(d->budget, BUDGET_BYTES);
	d->budget = NULL;
	if (d->raw4 >= 0)
		close(d->raw4);
	if (d->raw6 >= 0)
		close(d->raw6);
}

/* Entry e's age at now, in ns: `born` is 32 bits of ns >> SO_BORN_SHIFT. */
static __u64 age_ns(const struct so_halfopen *e, __u64 now)
{
	__s32 age = (__u32)(now >> SO_BORN_SHIFT) - e->born;

	return age > 0 ? (__u64)age << SO_BORN_SHIFT : 0;
}

/* The retransmission (1..n) that falls due in the ages (from, to]; 0 if none. */
static int retrans_due(__u64 from, __u64 to, int n)
{
	int k;

	for (k = n; k >= 1; k--) {
		__u64 at = ((1ULL << k) - 1) * NS;

		if (from < at && at <= to)
			return k;
	}
	return 0;
}

/*
 * The key of cookie slot `slot`: the installed one while so_keys still holds
 * that slot (a previous run's random master died with it, the keys it
 * installed did not: a restart goes on retransmitting its entries), else
 * derived from our master (an entry can outlive the installed keys).
 */
static void key_for(struct daemon *d, const struct so_key keys[SO_NKEYS], __u64 slot, __u64 k[2])
{
	const struct so_key *in = &keys[slot % SO_NKEYS];

	if (in->slot == slot) {
		k[0] = in->k[0];
		k[1] = in->k[1];
	} else {
		key_derive(d->master, slot, k);
	}
}

/* The entry's ISN must be our cookie for its tuple: a guard against acting
 * on a torn or foreign entry. */
static int cookie_consistent(struct daemon *d, const struct so_key keys[SO_NKEYS],
			     const struct so_halfopen *e, __u64 age)
{
	struct so_tuple t = {.v6 = !!(e->flags & SO_HO_V6)};
	__u64 slot = (now_coarse_ns() - age + d->cfg.tai_off_ns) >> d->cfg.slot_shift, k[2];

	memcpy(t.saddr, e->saddr, SO_TUPLE_ADDR_WORDS * 4);
	/* Made from the coarse clock, it may be a slot behind the birth: parity says. */
	slot = so_cookie_slot(e->isn, slot);
	key_for(d, keys, slot, k);
	return so_cookie_check(e->isn, so_cookie_hash(k, &t, e->cisn)) == e->copts;
}

/* The entry's SYN-ACK again, through the kernel's routing to the client. */
static int retransmit(struct daemon *d, const struct so_halfopen *e)
{
	struct sockaddr_in6 to6 = {.sin6_family = AF_INET6, .sin6_scope_id = d->ifindex};
	struct sockaddr_in to4 = {.sin_family = AF_INET};
	struct so_synack sa;
	__u8 buf[128];
	ssize_t n;
	int len;

	so_synack_of(&sa, e, d->cfg.window, d->cfg.wscale);
	len = so_synack_write(buf, buf + sizeof(buf), e, &sa, d->cfg.ttl);
	if (len < 0)
		return -EINVAL;
	if (e->flags & SO_HO_V6) {
		memcpy(&to6.sin6_addr, e->saddr, 16);
		n = sendto(d->raw6, buf, len, 0, (struct sockaddr *)&to6, sizeof(to6));
	} else {
		to4.sin_addr.s_addr = e->saddr[0];
		n = sendto(d->raw4, buf, len, 0, (struct sockaddr *)&to4, sizeof(to4));
	}
	return n == len ? 0 : -errno;
}

static void expired(struct daemon *d, const struct so_halfopen *e, __u64 now, __u32 nth)
{
	struct so_event ev = {.type = SO_EV_EXPIRED, .time_ns = now, .count = 1};

	if (nth >= EXPIRED_EVENTS_PER_TICK)
		return;
	memcpy(ev.t.saddr, e->saddr, SO_TUPLE_ADDR_WORDS * 4);
	ev.t.v6 = !!(e->flags & SO_HO_V6);
	events_publish(d, &ev);
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
	struct so_event ev = {.type = SO_EV_BACKLOG, .count = live};
	bool cookies = d->cfg.backlog == SO_BACKLOG_COOKIES;
	struct so_counters c;
	__u64 rate;

	if (counters_read(bpf_map__fd(d->skel->maps.so_stats), &c))
		return;
	rate = (c.cookie_fallback - d->fallback_syns) * (1000 / TICK_MS);
	d->fallback_syns = c.cookie_fallback;
	if (cookies ? live >= low || rate * (d->cfg.halfopen_life_ns / NS) >= high - live
		    : live < high)
		return;
	d->cfg.backlog = cookies ? SO_BACKLOG_STATE : SO_BACKLOG_COOKIES;
	config_write(d);
	so_log("%s: %u of %u half-open entries in use: %s", d->ifname, live, d->ho.n,
	       cookies ? "keeping state again" : "SYN cookies only until it drains");
	ev.mode = d->cfg.backlog;
	ev.time_ns = now_mono_ns();
	events_publish(d, &ev);
}

void halfopen_tick(struct daemon *d)
{
	__u64 now = now_coarse_ns(), life = d->cfg.halfopen_life_ns, from, to;
	__u32 i, live = 0, sent = 0, gone = 0;
	struct so_key keys[SO_NKEYS];
	struct so_halfopen e;

	for (i = 0; i < SO_NKEYS; i++)
		if (bpf_map_lookup_elem(bpf_map__fd(d->skel->maps.so_keys), &i, &keys[i]))
			keys[i].slot = ~0ULL;

	for (i = 0; i < d->ho.n; i++) {
		const volatile struct so_halfopen *m = &d->ho.e[i];
		__u32 seq = m->seq;

		if (seq & 1 || !(m->flags & SO_HO_LIVE))
			continue;
		memcpy(&e, (const void *)m, sizeof(e));
		__sync_synchronize();
		if (m->seq != seq)
			continue; /* rewritten under us: it is judged next tick */
		from = age_ns(&e, d->scan_ns);
		to = age_ns(&e, now);
		if (to >= life) {
			/* Past the last retransmission's timeout: gone, like the kernel's. */
			if (from < life)
				expired(d, &e, now, gone++);
			continue;
		}
		live++;
		/* In a flood (cookies only) the table is mostly spoofed sources:
		 * a real client whose SYN-ACK was lost sends its SYN again, and
		 * its entry answers that. (Checked first: no hash per entry then.) */
		if (d->cfg.backlog == SO_BACKLOG_COOKIES ||
		    !retrans_due(from, to, d->synack_retries) ||
		    !cookie_consistent(d, keys, &e, to))
			continue;
		if (d->cfg.budget_refill &&
		    !so_budget_take(
			&d->cfg, &d->budget[so_budget_bucket(&d->cfg, e.saddr, e.flags & SO_HO_V6)],
			now)) {
			d->pub.retrans_ratelimited++;
			continue;
		}
		if (retransmit(d, &e) == 0)
			sent++;
	}
	d->scan_ns = now;
	d->pub.half_open = live;
	d->pub.synack_retrans += sent;
	d->pub.expired_half_open += gone;
	if (gone > EXPIRED_EVENTS_PER_TICK) {
		struct so_event ev = {
		    .type = SO_EV_EXPIRED, .time_ns = now, .count = gone - EXPIRED_EVENTS_PER_TICK};

		events_publish(d, &ev); /* "and N more", without a tuple */
	}
	if (!d->stateless)
		backlog(d, live);
}
