// SPDX-License-Identifier: GPL-2.0
/*
 * connrate: handshakes and nothing else, to measure a server's connection
 * rate with the handshake as its whole cost.
 *   connrate server PORT                 accept and close, forever (dual stack)
 *   connrate client HOST PORT [--threads N] [--seconds S]
 *                                        connect and reset, flat out
 * The client closes with a RST (SO_LINGER 0): no TIME_WAIT on either side,
 * so every client port is free again at once and each connection is a new
 * handshake. Bounded: at most 60 seconds. Prints
 * "connrate: N connections in S s: R/s (F failed)".
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#define MAX_THREADS 64
#define MAX_SECONDS 60

static struct addrinfo *target;
static volatile int stop;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct counts {
	unsigned long ok, failed;
};

static void *client(void *arg)
{
	struct linger abort = {.l_onoff = 1, .l_linger = 0};
	struct counts *c = arg;

	while (!stop) {
		int fd = socket(target->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof(abort)) ||
		    connect(fd, target->ai_addr, target->ai_addrlen))
			c->failed++;
		else
			c->ok++;
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

static int serve(const char *port)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(atoi(port))};
	int ls = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, zero = 0, fd;

	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(ls, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 4096)) {
		perror("connrate: server");
		return 1;
	}
	for (;;) {
		fd = accept(ls, NULL, NULL);
		if (fd >= 0)
			close(fd);
	}
}

int main(int argc, char **argv)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
	struct counts c[MAX_THREADS] = {};
	pthread_t th[MAX_THREADS];
	unsigned long ok = 0, failed = 0;
	double t0, t, seconds = 5;
	int threads = 4, i;

	if (argc == 3 && !strcmp(argv[1], "server"))
		return serve(argv[2]);
	if (argc < 4 || strcmp(argv[1], "client")) {
		fprintf(stderr, "usage: connrate server PORT | client HOST PORT [--threads N] "
				"[--seconds S]\n");
		return 2;
	}
	for (i = 4; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--threads"))
			threads = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = atof(argv[i + 1]);
	}
	if (threads < 1 || threads > MAX_THREADS || seconds <= 0 || seconds > MAX_SECONDS ||
	    getaddrinfo(argv[2], argv[3], &hints, &target)) {
		fprintf(stderr, "connrate: bad arguments\n");
		return 2;
	}
	t0 = now_s();
	for (i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, client, &c[i]);
	while (now_s() - t0 < seconds)
		usleep(10000);
	stop = 1;
	for (i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		ok += c[i].ok;
		failed += c[i].failed;
	}
	t = now_s() - t0;
	printf("connrate: %lu connections in %.2f s: %.0f/s (%lu failed)\n", ok, t, ok / t, failed);
	return 0;
}
