// SPDX-License-Identifier: GPL-2.0
/*
 * synflood: a spoofed SYN flood for tests and benchmarks. It is a separate
 * tool, not a shakeoff subcommand: the operator's CLI should not ship an
 * attack generator, and the tests and benchmarks are its only users.
 *
 * BPF_PROG_TEST_RUN in live-frames mode runs synflood.bpf.c on a template
 * frame and sends each result from IFACE with XDP_TX: several Mpps from one
 * core, where a raw socket or hping3 tops out near 0.3 Mpps (about what the
 * kernel's own SYN cookie path absorbs, so it could not show a difference).
 * Always bounded: by --duration and by --count.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "synflood.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: synflood --dev IFACE --dst-mac MAC --dst ADDR --dport PORT\n"
		"                [--src CIDR] [--opts] [--rate PPS] [--duration S] [--count N]\n\n"
		"Send SYNs from random sources in CIDR (default 198.18.0.0/15 or\n"
		"2001:db8:ffff::/96) and random ports to ADDR:PORT out of IFACE.\n"
		"  --opts        Linux's SYN options (MSS, SACK, TS, WS); default none\n"
		"  --rate PPS    target rate (default: flat out)\n"
		"  --duration S  stop after S seconds (default 5, at most 600)\n"
		"  --count N     stop after N frames (default 100000000)\n");
}

static int die(const char *fmt, const char *arg)
{
	fprintf(stderr, "synflood: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 2;
}

static void put16(unsigned char *p, unsigned v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/* Ethernet + IP + TCP SYN; the BPF program fills in the rest per frame. */
static int build_template(unsigned char *f, const unsigned char *dmac, const unsigned char *smac,
			  int v6, const void *dst, unsigned dport, int opts)
{
	static const unsigned char linux_opts[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
						     0, 1, 0,	 0,    0, 0, 1, 3,  3, 7};
	int tcp_len = 20 + (opts ? 20 : 0), l3 = 14, l4;

	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	if (v6) {
		put16(f + 12, 0x86dd);
		f[l3] = 0x60;
		put16(f + l3 + 4, tcp_len);
		f[l3 + 6] = 6;
		f[l3 + 7] = 64;
		memcpy(f + l3 + 24, dst, 16);
		l4 = l3 + 40;
	} else {
		put16(f + 12, 0x0800);
		f[l3] = 0x45;
		put16(f + l3 + 2, 20 + tcp_len);
		put16(f + l3 + 6, 0x4000);
		f[l3 + 8] = 64;
		f[l3 + 9] = 6;
		memcpy(f + l3 + 16, dst, 4);
		l4 = l3 + 20;
	}
	put16(f + l4 + 2, dport);
	f[l4 + 12] = (tcp_len / 4) << 4;
	f[l4 + 13] = 0x02;
	put16(f + l4 + 14, 64240);
	if (opts)
		memcpy(f + l4 + 20, linux_opts, sizeof(linux_opts));
	return l4 + tcp_len;
}

static int parse_mac(const char *s, unsigned char *mac)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3],
		      &mac[4], &mac[5]) == 6
		   ? 0
		   : -1;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {{"dev", required_argument, NULL, 'd'},
					      {"dst-mac", required_argument, NULL, 'm'},
					      {"dst", required_argument, NULL, 'a'},
					      {"dport", required_argument, NULL, 'p'},
					      {"src", required_argument, NULL, 's'},
					      {"opts", no_argument, NULL, 'o'},
					      {"rate", required_argument, NULL, 'r'},
					      {"duration", required_argument, NULL, 't'},
					      {"count", required_argument, NULL, 'c'},
					      {"help", no_argument, NULL, 'h'},
					      {}};
	const char *dev = NULL, *dst = NULL, *src = NULL, *dmac_s = NULL;
	unsigned char dmac[6], smac[6], frame[128], dst_addr[16], src_addr[16];
	unsigned long long count = 100000000ULL, sent = 0;
	double rate = 0, duration = 5, t0, elapsed;
	int opt, opts = 0, v6, plen, len, ifindex, fd, err = 0;
	unsigned dport = 0;
	struct synflood *skel;
	struct ifreq ifr = {};
	char srcbuf[64], *slash;

	while ((opt = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dev = optarg;
			break;
		case 'm':
			dmac_s = optarg;
			break;
		case 'a':
			dst = optarg;
			break;
		case 'p':
			dport = strtoul(optarg, NULL, 10);
			break;
		case 's':
			src = optarg;
			break;
		case 'o':
			opts = 1;
			break;
		case 'r':
			rate = strtod(optarg, NULL);
			break;
		case 't':
			duration = strtod(optarg, NULL);
			break;
		case 'c':
			count = strtoull(optarg, NULL, 10);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!dev || !dst || !dmac_s || !dport || dport > 65535) {
		usage(stderr);
		return 2;
	}
	if (duration <= 0 || duration > 600)
		return die("--duration %s: 0 to 600 seconds", "");
	ifindex = if_nametoindex(dev);
	if (!ifindex)
		return die("%s: no such interface", dev);
	if (parse_mac(dmac_s, dmac))
		return die("--dst-mac %s: expected aa:bb:cc:dd:ee:ff", dmac_s);
	v6 = strchr(dst, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, dst, dst_addr) != 1)
		return die("--dst %s: not an address", dst);
	if (!src)
		src = v6 ? "2001:db8:ffff::/96" : "198.18.0.0/15";
	snprintf(srcbuf, sizeof(srcbuf), "%s", src);
	src = srcbuf;
	slash = strchr(srcbuf, '/');
	plen = slash ? atoi(slash + 1) : (v6 ? 128 : 32);
	if (slash)
		*slash = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, src, src_addr) != 1 || plen < (v6 ? 96 : 0) ||
	    plen > (v6 ? 128 : 32))
		return die("--src %s: expected a CIDR (IPv6: /96 or longer)", src);

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr))
		return die("%s: cannot read its MAC address", dev);
	close(fd);
	memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);

	skel = synflood__open();
	if (!skel)
		return die("open BPF object: %s", strerror(errno));
	skel->rodata->v6 = v6;
	skel->rodata->tcp_len = 20 + (opts ? 20 : 0);
	{
		__u32 host_mask =
		    plen - (v6 ? 96 : 0) >= 32 ? 0 : 0xffffffffU >> (plen - (v6 ? 96 : 0));
		__u32 w[4];

		memcpy(w, src_addr, v6 ? 16 : 4);
		if (!v6)
			w[3] = w[0], w[0] = w[1] = w[2] = 0;
		w[3] = htonl(ntohl(w[3]) & ~host_mask);
		memcpy((void *)skel->rodata->src_base, w, sizeof(w));
		skel->rodata->src_mask = host_mask;
	}
	memset(frame, 0, sizeof(frame));
	/* Ethernet padding to whole words, so the program rewrites every byte. */
	len = (build_template(frame, dmac, smac, v6, dst_addr, dport, opts) + 3) & ~3;
	memcpy((void *)skel->rodata->tmpl, frame, sizeof(skel->rodata->tmpl));
	skel->rodata->tmpl_words = len / 4;
	if (synflood__load(skel))
		return die("load BPF object: %s", strerror(errno));

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	t0 = now_s();
	while (!stop && sent < count && (elapsed = now_s() - t0) < duration) {
		struct xdp_md ctx = {.data_end = len, .ingress_ifindex = ifindex};
		unsigned long long batch = rate ? (unsigned long long)(rate / 100) + 1 : 1 << 16;
		/*
		 * Flat out, each call should run for about 0.2 s (and not past the
		 * deadline): a test run with repeat > 1 swaps the XDP dispatcher's
		 * program in and out, and each swap waits for an RCU grace period,
		 * which with small batches left the generator asleep most of the time.
		 */
		if (!rate && sent)
			batch =
			    sent / elapsed * (duration - elapsed < 0.2 ? duration - elapsed : 0.2) +
			    1;
		LIBBPF_OPTS(bpf_test_run_opts, ropts, .data_in = frame, .data_size_in = len,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = 256);

		if (batch > count - sent)
			batch = count - sent;
		ropts.repeat = batch;
		err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.synflood), &ropts);
		if (err && errno != EINTR) {
			fprintf(stderr, "synflood: test run: %s\n", strerror(errno));
			break;
		}
		sent = skel->bss->sent;
		if (rate) {
			double ahead = sent / rate - (now_s() - t0);

			if (ahead > 0)
				usleep(ahead * 1e6);
		}
	}
	elapsed = now_s() - t0;
	printf("synflood: sent %llu SYNs in %.2f s: %.0f pps\n", sent, elapsed, sent / elapsed);
	synflood__destroy(skel);
	return err && errno != EINTR ? 1 : 0;
}
