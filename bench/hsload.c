// SPDX-License-Identifier: GPL-2.0
/*
 * hsload: complete TCP handshakes through the shakeoff_xdp attached to an
 * interface, at a set rate, with BPF_PROG_TEST_RUN: a SYN in, the SYN-ACK
 * out, the ACK that answers it in. No packet touches a wire, but every
 * handshake takes the data plane's real path, counters, flow table and
 * events, so the event stream can be loaded far past what veth carries.
 * (The ACKs are not handed off: test-run stops at XDP.)
 *   hsload --dev IFACE --dst ADDR --dport PORT --count N --rate R
 * Run it in the interface's network namespace. Bounded by --count and by
 * 60 seconds. Prints "hsload: N handshakes in S s: R/s (V valid)".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#define MAX_S 60

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void put16(unsigned char *p, unsigned v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(unsigned char *p, unsigned v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static unsigned get32(const unsigned char *p)
{
	return (unsigned)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static unsigned csum(const unsigned char *d, int len, unsigned sum)
{
	int i;

	for (i = 0; i + 1 < len; i += 2)
		sum += d[i] << 8 | d[i + 1];
	if (len & 1)
		sum += d[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* An IPv4 TCP segment without options, checksums right. Returns its length. */
static int segment(unsigned char *f, unsigned saddr, unsigned daddr, unsigned sport, unsigned dport,
		   unsigned seq, unsigned ack, unsigned flags)
{
	unsigned char *ip = f + 14, *th = ip + 20, ph[12];

	memset(f, 0, 54);
	put16(f + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, 40);
	put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, &saddr, 4);
	memcpy(ip + 16, &daddr, 4);
	put16(ip + 10, ~csum(ip, 20, 0) & 0xffff);
	put16(th, sport);
	put16(th + 2, dport);
	put32(th + 4, seq);
	put32(th + 8, ack);
	th[12] = 5 << 4;
	th[13] = flags;
	put16(th + 14, 64240);
	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = 6;
	put16(ph + 10, 20);
	put16(th + 16, ~csum(th, 20, csum(ph, 12, 0)) & 0xffff);
	return 54;
}

static int run(int fd, unsigned char *in, int len, unsigned char *out, __u32 *out_len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = len, .data_out = out,
		    .data_size_out = 256, .repeat = 1);

	if (bpf_prog_test_run_opts(fd, &o))
		return -errno;
	*out_len = o.data_size_out;
	return o.retval;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
	    {"dev", required_argument, NULL, 'd'},   {"dst", required_argument, NULL, 'a'},
	    {"dport", required_argument, NULL, 'p'}, {"count", required_argument, NULL, 'c'},
	    {"rate", required_argument, NULL, 'r'},  {}};
	const char *dev = NULL, *dst = NULL;
	unsigned char in[256], out[256];
	unsigned long count = 0, done = 0, valid = 0;
	unsigned dport = 0, daddr, saddr;
	double rate = 0, t0, t, ahead;
	__u32 prog_id = 0, out_len;
	int opt, fd, ifindex, len, ret;

	while ((opt = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dev = optarg;
			break;
		case 'a':
			dst = optarg;
			break;
		case 'p':
			dport = strtoul(optarg, NULL, 10);
			break;
		case 'c':
			count = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			rate = strtod(optarg, NULL);
			break;
		default:
			return 2;
		}
	}
	if (!dev || !dst || !dport || !count || rate <= 0 || inet_pton(AF_INET, dst, &daddr) != 1) {
		fprintf(stderr,
			"usage: hsload --dev IFACE --dst ADDR --dport PORT --count N --rate R\n");
		return 2;
	}
	ifindex = if_nametoindex(dev);
	if (!ifindex || bpf_xdp_query_id(ifindex, 0, &prog_id) || !prog_id ||
	    (fd = bpf_prog_get_fd_by_id(prog_id)) < 0) {
		fprintf(stderr, "hsload: no XDP program on %s\n", dev);
		return 1;
	}
	srandom(getpid());
	t0 = now_s();
	while (done < count && (t = now_s() - t0) < MAX_S) {
		unsigned sport = 1024 + random() % 64000, isn = random();

		/* 198.18.0.0/15, as the flood's sources: routed back through the client. */
		saddr = htonl(0xc6120000 | (random() & 0x1ffff));
		len = segment(in, saddr, daddr, sport, dport, isn, 0, 0x02);
		ret = run(fd, in, len, out, &out_len);
		if (ret == 3 /* XDP_TX */ && out_len >= 54) {
			len = segment(in, saddr, daddr, sport, dport, isn + 1,
				      get32(out + 14 + 20 + 4) + 1, 0x10);
			valid += run(fd, in, len, out, &out_len) == 2 /* XDP_PASS */;
		}
		done++;
		/* One clock read: read twice, the second could be past the target,
		 * and a negative sleep converts to a huge one. */
		ahead = done / rate - (now_s() - t0);
		if (ahead > 0)
			usleep(ahead * 1e6);
	}
	t = now_s() - t0;
	printf("hsload: %lu handshakes in %.2f s: %.0f/s (%lu valid)\n", done, t, done / t, valid);
	return done == count ? 0 : 1;
}
