// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <bpf/libbpf.h>

#include "config.h"
#include "daemon.h"
#include "shakeoff.skel.h"

static int parse_port(const char *s, char **end, const char **why)
{
	unsigned long v;

	if (*s < '0' || *s > '9') {
		*why = "expected a port number";
		return -1;
	}
	errno = 0;
	v = strtoul(s, end, 10);
	if (errno || v == 0 || v > 65535) {
		*why = "ports are 1 to 65535";
		return -1;
	}
	return v;
}

int ports_parse(const char *s, __u8 bitmap[SO_PORT_BITMAP_BYTES], const char **why)
{
	char *end;
	int lo, hi, p;

	memset(bitmap, 0, SO_PORT_BITMAP_BYTES);
	for (;;) {
		lo = parse_port(s, &end, why);
		if (lo < 0)
			return -1;
		hi = lo;
		if (*end == '-') {
			hi = parse_port(end + 1, &end, why);
			if (hi < 0)
				return -1;
			if (hi < lo) {
				*why = "a range runs low to high";
				return -1;
			}
		}
		for (p = lo; p <= hi; p++)
			bitmap[p / 8] |= 1 << (p % 8);
		if (*end == '\0')
			return 0;
		if (*end != ',') {
			*why = "expected PORT or LO-HI, separated by commas";
			return -1;
		}
		s = end + 1;
	}
}

int ports_count(const __u8 bitmap[SO_PORT_BITMAP_BYTES])
{
	int i, n = 0;

	for (i = 0; i < SO_PORT_BITMAP_BYTES; i++)
		n += __builtin_popcount(bitmap[i]);
	return n;
}

/* Field n (from 0) of an integer sysctl: tcp_rmem's maximum is field 2. */
static int sysctl_read_field(const char *name, int n, long *val)
{
	char path[256];
	FILE *f;
	int i, ok = 1;

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	for (i = 0; i <= n && ok; i++)
		ok = fscanf(f, "%ld", val) == 1;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

int sysctl_read(const char *name, long *val)
{
	return sysctl_read_field(name, 0, val);
}

/* An ioctl, not /sys/class/net: /sys may show another network namespace. */
static int iface_mtu(const char *ifname, long *mtu)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFMTU, &ifr))
		err = -errno;
	else
		*mtu = ifr.ifr_mtu;
	close(fd);
	return err;
}

/* As tcp_select_initial_window(): enough shift for the largest receive buffer. */
static int kernel_wscale(long rmem_max)
{
	int shift = 0;

	while (shift < SO_WSCALE_MAX && (rmem_max >> shift) > 65535)
		shift++;
	return shift;
}

int config_from_host(struct so_config *c, const char *ifname, unsigned int mss_max)
{
	long v, rmem2, rmem_max, mtu = 0;
	int err;

	c->features = 0;
	if (!sysctl_read("net/ipv4/tcp_window_scaling", &v) && v)
		c->features |= SO_F_WSCALE;
	if (!sysctl_read("net/ipv4/tcp_sack", &v) && v)
		c->features |= SO_F_SACK;
	if (!sysctl_read("net/ipv4/tcp_timestamps", &v) && v)
		c->features |= SO_F_TS;
	if (!sysctl_read("net/ipv4/tcp_ecn", &v) && v)
		c->features |= SO_F_ECN;

	err = sysctl_read_field("net/ipv4/tcp_rmem", 2, &rmem2);
	if (!err)
		err = sysctl_read("net/core/rmem_max", &rmem_max);
	if (err)
		return err;
	c->wscale = kernel_wscale(rmem2 > rmem_max ? rmem2 : rmem_max);

	c->time_wait = !sysctl_read("net/ipv4/tcp_max_tw_buckets", &v) && v > 0;
	c->ttl = 64;
	if (!sysctl_read("net/ipv4/ip_default_ttl", &v) && v > 0 && v < 256)
		c->ttl = v;
	/* Linux's own first window for a 1460-byte MSS; the kernel takes over after. */
	c->window = 64240;

	err = iface_mtu(ifname, &mtu);
	if (err)
		return err;
	c->mss4 = mtu - 40;
	c->mss6 = mtu - 60;
	if (mss_max && mss_max < c->mss4)
		c->mss4 = mss_max;
	if (mss_max && mss_max < c->mss6)
		c->mss6 = mss_max;
	return 0;
}

int config_write(struct daemon *d)
{
	__u32 zero = 0;

	return bpf_map__update_elem(d->skel->maps.so_config, &zero, sizeof(zero), &d->cfg,
				    sizeof(d->cfg), 0)
		   ? -errno
		   : 0;
}
