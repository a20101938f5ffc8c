// SPDX-License-Identifier: GPL-2.0
/*
 * Events: the data plane's ring buffer (handshakes) and the daemon's own
 * (expiries, backlog switches) go to every `shakeoff events` reader over
 * an abstract unix socket, which belongs to the network namespace like the
 * interface does. A slow reader loses events (and is told how many); the
 * daemon never waits for one, as the data plane never waits for us.
 *
 * The data plane reports handshakes only while a reader is connected (the
 * config's `events`), and wakes us only when its ring fills past a mark:
 * we drain it every tick (100 ms) instead. Statistics never depend on
 * events: the RTT histogram is the data plane's own (so_rtt).
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

/*
 * A handshake via state tells its age; how many retransmissions it took
 * follows from the schedule (halfopen.c): the k-th goes at 2^k - 1 s.
 */
static __u8 retrans_of(const struct daemon *d, __u32 age_us)
{
	int k = 0;

	while (k < d->synack_retries && age_us >= ((1ULL << (k + 1)) - 1) * 1000000ULL)
		k++;
	return k;
}

static int on_ring(void *ctx, void *data, size_t len)
{
	struct daemon *d = ctx;
	struct so_event ev;

	if (len != sizeof(ev))
		return 0;
	memcpy(&ev, data, sizeof(ev));
	if (ev.type == SO_EV_HANDSHAKE && ev.via == SO_VIA_STATE)
		ev.retrans = retrans_of(d, ev.age_us);
	events_publish(d, &ev);
	return 0;
}

/* Readers connected: the data plane reports handshakes while there are any. */
static void events_wanted(struct daemon *d)
{
	__u8 want = 0;
	int i;

	for (i = 0; i < SO_MAX_SUBSCRIBERS; i++)
		want |= d->subs[i] >= 0;
	if (want == d->cfg.events)
		return;
	d->cfg.events = want;
	config_write(d);
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

static void drop_reader(struct daemon *d, int i)
{
	close(d->subs[i]);
	d->subs[i] = -1;
	events_wanted(d);
}

int events_fd(struct daemon *d)
{
	return ring_buffer__epoll_fd(d->rb);
}

void events_consume(struct daemon *d, bool check)
{
	char c;
	int i;

	ring_buffer__consume(d->rb);
	for (i = 0; check && i < SO_MAX_SUBSCRIBERS; i++)
		if (d->subs[i] >= 0 && recv(d->subs[i], &c, 1, MSG_DONTWAIT | MSG_PEEK) == 0)
			drop_reader(d, i); /* it hung up: stop the data plane's events */
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
	events_wanted(d);
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
			struct so_event lost = {
			    .type = SO_EV_LOST, .time_ns = ev->time_ns, .count = d->sub_lost[i]};

			if (send_one(d->subs[i], &lost) == 0)
				d->sub_lost[i] = 0;
		}
		err = d->sub_lost[i] ? -EAGAIN : send_one(d->subs[i], ev);
		if (err == -EAGAIN)
			d->sub_lost[i]++;
		else if (err)
			drop_reader(d, i); /* the reader went away */
	}
}
