/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus: a reading (stats.h) in the text exposition format (0.0.4),
 * for `stats --prometheus`, for node_exporter's textfile collector
 * (`run --metrics-file`) and over HTTP from the daemon (`run
 * --metrics-listen`). Names carry the shakeoff_ prefix, counters end in
 * _total, and every sample has the label interface="IFACE".
 */
#ifndef SO_METRICS_H
#define SO_METRICS_H

#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>

#include "maps.h"
#include "stats.h"

void metrics_print(FILE *f, const char *ifname, const struct stats *s);
/* Write to path, atomically (a temporary file renamed). 0 or -errno. */
int metrics_file_write(const char *path, const char *ifname, const struct stats *s);

/* "ADDR:PORT" ("127.0.0.1:9464", "[::1]:9464", "0.0.0.0:9464"). 0 or -1 with *why. */
int metrics_addr_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len,
		       const char **why);

/* The HTTP endpoint: GET /metrics, served by a thread of its own. */
struct metrics_srv {
	int fd;
	const char *ifname;
	const struct so_maps *maps;
	pthread_t thread;
	bool running;
};
/* Bind and listen; 0 or -errno. */
int metrics_srv_start(struct metrics_srv *m, const struct sockaddr_storage *ss, socklen_t len);
void metrics_srv_stop(struct metrics_srv *m);

#endif /* SO_METRICS_H */
