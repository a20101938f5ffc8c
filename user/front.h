/* SPDX-License-Identifier: GPL-2.0 */
/*
 * run --front: the destinations a front protects, --protect PREFIX[:PORTS]
 * ("10.0.1.0/24:80,443", "2001:db8::/64:443", "[2001:db8::1]:22",
 * "192.0.2.7" with --ports as its ports), into so_protect.
 */
#ifndef SO_FRONT_H
#define SO_FRONT_H

#include "shakeoff.h"

/*
 * One --protect value into its LPM key and ports bitmap (default_ports
 * when it names none; NULL: it must). 0, or -1 with *why.
 */
int protect_parse(const char *s, const __u8 *default_ports, struct so_protect_key *k,
		  struct so_protect *p, const char **why);
/* Replace so_protect's entries with those of the n values; 0 or -errno. */
int protect_write(int map_fd, const char *const *vals, int n, const __u8 *default_ports);

#endif /* SO_FRONT_H */
