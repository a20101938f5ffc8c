/* SPDX-License-Identifier: GPL-2.0 */
/* Building struct so_config: ports from the command line, the rest from the host. */
#ifndef SO_CONFIG_H
#define SO_CONFIG_H

#include <linux/types.h>

#include "shakeoff.h"

/*
 * Parse "80,443,8000-8010" into a port bitmap. Returns 0, or -1 with a
 * reason in *why.
 */
int ports_parse(const char *s, __u8 bitmap[SO_PORT_BITMAP_BYTES], const char **why);
int ports_count(const __u8 bitmap[SO_PORT_BITMAP_BYTES]);

/* An integer sysctl, e.g. "net/ipv4/tcp_sack". Returns 0 or -errno. */
int sysctl_read(const char *name, long *val);

/*
 * Fill everything but the ports from the host: its TCP sysctls (we offer
 * only what the server's stack will accept from the handoff), the window
 * scale the kernel would choose, and MSS from the interface MTU, clamped by
 * mss_max when it is not 0. Returns 0 or -errno.
 */
int config_from_host(struct so_config *c, const char *ifname, unsigned int mss_max);

#endif /* SO_CONFIG_H */
