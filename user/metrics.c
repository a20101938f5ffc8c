// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/time.h>

#include "metrics.h"
#include "rtt.h"

/* A label value: backslash, double quote and newline escaped. */
static void label(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP shakeoff_%s %s\n# TYPE shakeoff_%s %s\n", name, help, name, type);
}

/* One sample: shakeoff_NAME{interface="IF"[,EXTRA]} VALUE. */
static void sample(FILE *f, const char *name, const char *ifname, const char *extra,
		   unsigned long long v)
{
	fprintf(f, "shakeoff_%s{interface=\"", name);
	label(f, ifname);
	fprintf(f, "\"%s} %llu\n", extra ? extra : "", v);
}

static void gauge(FILE *f, const char *name, const char *help, const char *ifname, __u64 v)
{
	head(f, name, "gauge", help);
	sample(f, name, ifname, NULL, v);
}

void metrics_print(FILE *f, const char *ifname, const struct stats *s)
{
	static const __u8 modes[] = {SO_BACKLOG_STATE, SO_BACKLOG_COOKIES, SO_BACKLOG_STATELESS};
	char name[64], extra[64];
	__u64 n = 0;
	size_t i;
	int b;

	for (i = 0; i < stat_count; i++) {
		snprintf(name, sizeof(name), "%s_total", stat_info[i].name);
		head(f, name, "counter", stat_info[i].desc);
		sample(f, name, ifname, NULL, stat_value(s, &stat_info[i]));
	}
	head(f, "dropped_malformed_total", "counter", "malformed frames dropped (all reasons)");
	sample(f, "dropped_malformed_total", ifname, NULL, dropped_malformed(s));
	gauge(f, "half_open", "half-open entries at the daemon's last scan", ifname,
	      s->d.half_open);
	gauge(f, "half_open_max", "capacity of the half-open table (--max-half-open)", ifname,
	      s->half_open_max);
	gauge(f, "flows", "connections tracked at the daemon's last sweep", ifname, s->d.flows);
	gauge(f, "flows_max", "capacity of the flow table (--max-flows)", ifname, s->flows_max);
	gauge(f, "daemon_up", "1 while the daemon that attached shakeoff runs", ifname,
	      s->daemon_alive);
	head(f, "backlog", "gauge", "1 for the backlog's current mode");
	for (i = 0; i < sizeof(modes); i++) {
		snprintf(extra, sizeof(extra), ",mode=\"%s\"", backlog_name(modes[i]));
		sample(f, "backlog", ifname, extra, s->backlog == modes[i]);
	}
	/* Cumulative at every power of two: there the data plane's buckets are exact. */
	head(f, "handshake_rtt_seconds", "histogram",
	     "SYN-ACK to final ACK of the handshakes timed to the microsecond");
	for (b = 0; b < SO_RTT_BUCKETS; b++) {
		n += s->rtt.bucket[b];
		if (b % 4 != 3 || b == SO_RTT_BUCKETS - 1)
			continue;
		snprintf(extra, sizeof(extra), ",le=\"%.9g\"", rtt_bucket_top_us(b) / 1e6);
		sample(f, "handshake_rtt_seconds_bucket", ifname, extra, n);
	}
	sample(f, "handshake_rtt_seconds_bucket", ifname, ",le=\"+Inf\"", n);
	fprintf(f, "shakeoff_handshake_rtt_seconds_sum{interface=\"");
	label(f, ifname);
	fprintf(f, "\"} %.9f\n", s->rtt.sum_ns / 1e9);
	sample(f, "handshake_rtt_seconds_count", ifname, NULL, n);
}

int metrics_file_write(const char *path, const char *ifname, const struct stats *s)
{
	char tmp[4096];
	FILE *f;
	int err = 0;

	/* node_exporter reads every *.prom: the temporary name must not be one. */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	metrics_print(f, ifname, s);
	if (ferror(f))
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int metrics_addr_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len, const char **why)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	const char *colon = strrchr(s, ':');
	char host[64], *end;
	size_t hl;
	long port;

	*why = "expected ADDR:PORT, e.g. 127.0.0.1:9464 or [::1]:9464";
	if (!colon || colon == s)
		return -1;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || port < 1 || port > 65535)
		return -1;
	hl = colon - s;
	if (s[0] == '[') {
		if (hl < 3 || s[hl - 1] != ']')
			return -1;
		s++;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = 0;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*len = sizeof(*a6);
	} else {
		*why = "ADDR must be a numeric IPv4 or IPv6 address ([::1] for IPv6)";
		return -1;
	}
	return 0;
}

static void reply(int c, const char *status, const char *type, const char *body, size_t len)
{
	char h[256];
	int n = snprintf(h, sizeof(h),
			 "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n",
			 status, type, len);

	if (send(c, h, n, MSG_NOSIGNAL) == n && len)
		send(c, body, len, MSG_NOSIGNAL);
}

/* One request: GET /metrics (or /) gets a reading, anything else an error. */
static void serve_one(struct metrics_srv *m, int c)
{
	struct timeval tv = {.tv_sec = 2};
	char req[2048], *body = NULL;
	size_t have = 0, len = 0;
	struct stats s;
	ssize_t r;
	FILE *f;

	/* A client that stalls holds this thread only, and only for a moment. */
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (have < sizeof(req) - 1) {
		r = recv(c, req + have, sizeof(req) - 1 - have, 0);
		if (r <= 0)
			return;
		have += r;
		req[have] = 0;
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	if (strncmp(req, "GET ", 4)) {
		reply(c, "405 Method Not Allowed", "text/plain", "GET only\n", 9);
		return;
	}
	if (strncmp(req + 4, "/metrics ", 9) && strncmp(req + 4, "/ ", 2)) {
		reply(c, "404 Not Found", "text/plain", "try /metrics\n", 13);
		return;
	}
	f = open_memstream(&body, &len);
	if (!f)
		return;
	if (stats_read(m->maps, &s))
		fprintf(f, "# shakeoff: reading the counters failed\n");
	else
		metrics_print(f, m->ifname, &s);
	fclose(f);
	reply(c, "200 OK", "text/plain; version=0.0.4; charset=utf-8", body, len);
	free(body);
}

static void *srv_main(void *arg)
{
	struct metrics_srv *m = arg;
	int c;

	for (;;) {
		c = accept4(m->fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break; /* shut down by metrics_srv_stop() */
		}
		serve_one(m, c);
		close(c);
	}
	return NULL;
}

int metrics_srv_start(struct metrics_srv *m, const struct sockaddr_storage *ss, socklen_t len)
{
	int one = 1, err;

	m->fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (m->fd < 0)
		return -errno;
	setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(m->fd, (const struct sockaddr *)ss, len) || listen(m->fd, 16)) {
		err = -errno;
		close(m->fd);
		m->fd = -1;
		return err;
	}
	err = -pthread_create(&m->thread, NULL, srv_main, m);
	if (err) {
		close(m->fd);
		m->fd = -1;
		return err;
	}
	m->running = true;
	return 0;
}

void metrics_srv_stop(struct metrics_srv *m)
{
	if (!m->running)
		return;
	/* accept() returns EINVAL on a listening socket shut down: the thread ends. */
	shutdown(m->fd, SHUT_RDWR);
	pthread_join(m->thread, NULL);
	close(m->fd);
	m->running = false;
}
