// SPDX-License-Identifier: GPL-2.0
/*
 * Events: the data plane's ring buffer (handshakes) and the daemon's own
 * (expiries, backlog switches) go to every `shakeoff events` reader over
 * an abstract unix socket, which belongs to the network namespace like the
 * interface does. A slow reader loses events (and is told how many); the
 * daemon never waits for one, as the data plane never waits for us.
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <bpf/libbpf.h>

#include "daemon.h"
#include "log.h"
#include "pin.h"
#include "shakeoff.skel.h"

socklen_t events_addr(const char *ifname, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	/* Abstract (sun_path[0] stays 0): it belongs to the network namespace. */
	snprintf(sun->sun_path + 1, sizeof(sun->sun_path) - 1, "shakeoff/%s", pin_name(ifname));
	return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(sun->sun_path + 1);
}

/* Four buckets per power of two: bucket b holds RTTs below 2^((b+1)/4) us. */
static int rtt_bucket(__u32 us)
{
	int b = 0;

	while (b < SO_RTT_BUCKETS - 1 && us >= (1ULL << ((b + 1) / 4)) * (4 + (b + 1) % 4) / 4)
		b++;
	return b;
}

static __u32 rtt_bucket_top(int b)
{
	return (1ULL << ((b + 1) / 4)) * (4 + (b + 1) % 4) / 4;
}

static int on_ring(void *ctx, void *data, size_t len)
{
	struct daemon *d = ctx;
	struct so_event ev;

	if (len != sizeof(ev))
		return 0;
	memcpy(&ev, data, sizeof(ev));
	if (ev.type == SO_EV_HANDSHAKE && ev.via == SO_VIA_STATE && ev.slot < d->ho.n) {
		const struct shadow *s = &d->shadow[ev.slot];

		/* Retransmitted: the RTT runs from the SYN-ACK the client answered. */
		if (s->known && s->seq == ev.slot_seq && s->retrans) {
			ev.retrans = s->retrans;
			ev.rtt_us = (ev.time_ns - s->last_ns) / 1000;
		}
	}
	/*
	 * Percentiles from handshakes that completed via state: timed to the
	 * microsecond. A cookie handshake's RTT comes from the TSecr, to the
	 * millisecond: good for its event, too coarse for a percentile.
	 */
	if (ev.type == SO_EV_HANDSHAKE && ev.via == SO_VIA_STATE && ev.rtt_us)
		d->rtt_hist[rtt_bucket(ev.rtt_us)]++;
	events_publish(d, &ev);
	return 0;
}

int events_init(struct daemon *d)
{
	struct sockaddr_un sun;
	socklen_t alen = events_addr(d->ifname, &sun);
	int i;

	for (i = 0; i < SO_MAX_SUBSCRIBERS; i++)
		d->subs[i] = -1;
	d->rb = ring_buffer__new(bpf_map__fd(d->skel->maps.so_events), on_ring, d, NULL);
	if (!d->rb)
		return -errno;
	d->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->listen_fd < 0)
		return -errno;
	if (bind(d->listen_fd, (struct sockaddr *)&sun, alen) || listen(d->listen_fd, 8))
		return -errno;
	return 0;
}

void events_fini(struct daemon *d)
{
	int i;

	ring_buffer__free(d->rb);
	if (d->listen_fd > 0)
		close(d->listen_fd);
	for (i = 0; i < SO_MAX_SUBSCRIBERS; i++)
		if (d->subs[i] >= 0)
			close(d->subs[i]);
}

int events_fd(struct daemon *d)
{
	return ring_buffer__epoll_fd(d->rb);
}

void events_consume(struct daemon *d)
{
	ring_buffer__consume(d->rb);
}

void events_accept(struct daemon *d)
{
	int fd, i, buf = 4 << 20;

	while ((fd = accept4(d->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		/* Room for bursts (a handshake storm): a reader loses only past it. */
		setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf));
		for (i = 0; i < SO_MAX_SUBSCRIBERS && d->subs[i] >= 0; i++)
			;
		if (i == SO_MAX_SUBSCRIBERS) {
			close(fd);
			continue;
		}
		d->subs[i] = fd;
		d->sub_lost[i] = 0;
	}
}

static int send_one(int fd, const struct so_event *ev)
{
	return send(fd, ev, sizeof(*ev), MSG_DONTWAIT | MSG_NOSIGNAL) == sizeof(*ev) ? 0 : -errno;
}

void events_publish(struct daemon *d, const struct so_event *ev)
{
	int i, err;

	for (i = 0; i < SO_MAX_SUBSCRIBERS; i++) {
		if (d->subs[i] < 0)
			continue;
		if (d->sub_lost[i]) {
			struct so_event lost = { .type = SO_EV_LOST, .time_ns = ev->time_ns,
						 .count = d->sub_lost[i] };

			if (send_one(d->subs[i], &lost) == 0)
				d->sub_lost[i] = 0;
		}
		err = d->sub_lost[i] ? -EAGAIN : send_one(d->subs[i], ev);
		if (err == -EAGAIN) {
			d->sub_lost[i]++;
		} else if (err) {
			close(d->subs[i]); /* the reader went away */
			d->subs[i] = -1;
		}
	}
}

void rtt_publish(struct daemon *d)
{
	struct so_rtt r = {};
	__u64 seen = 0;
	__u32 zero = 0;
	int b;

	for (b = 0; b < SO_RTT_BUCKETS; b++)
		r.samples += d->rtt_hist[b];
	for (b = 0; b < SO_RTT_BUCKETS && r.samples; b++) {
		seen += d->rtt_hist[b];
		if (!r.p50_us && seen * 100 >= r.samples * 50)
			r.p50_us = rtt_bucket_top(b);
		if (!r.p90_us && seen * 100 >= r.samples * 90)
			r.p90_us = rtt_bucket_top(b);
		if (!r.p99_us && seen * 100 >= r.samples * 99)
			r.p99_us = rtt_bucket_top(b);
	}
	bpf_map__update_elem(d->skel->maps.so_rtt, &zero, sizeof(zero), &r, sizeof(r), 0);
}
