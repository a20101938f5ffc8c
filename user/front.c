// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "config.h"
#include "front.h"

int protect_parse(const char *s, const __u8 *default_ports, struct so_protect_key *k,
		  struct so_protect *p, const char **why)
{
	char addr[INET6_ADDRSTRLEN + 8];
	const char *ports = NULL, *slash = strchr(s, '/'), *end;
	long len = -1;
	char *e;
	int v6;

	memset(k, 0, sizeof(*k));
	memset(p, 0, sizeof(*p));
	*why = "expected ADDR[/LEN][:PORTS]: 10.0.1.0/24:80,443, 2001:db8::/64:443, "
	       "[2001:db8::1]:443";
	if (s[0] == '[') { /* [v6 address]:ports */
		end = strchr(s, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -1;
		ports = end[1] ? end + 2 : NULL;
		s++;
	} else if (slash) {
		end = slash;
		ports = strchr(slash, ':');
		errno = 0;
		len = strtol(slash + 1, &e, 10);
		if (e == slash + 1 || (*e && *e != ':') || errno)
			return -1;
	} else if (strchr(s, ':') && strchr(s, ':') == strrchr(s, ':')) {
		end = strchr(s, ':'); /* v4:ports */
		ports = end + 1;
	} else {
		end = s + strlen(s); /* an address alone */
	}
	if (end - s >= (long)sizeof(addr))
		return -1;
	memcpy(addr, s, end - s);
	addr[end - s] = 0;
	if (ports && ports[0] == ':')
		ports++;
	v6 = strchr(addr, ':') != NULL;
	if (v6 ? inet_pton(AF_INET6, addr, k->addr) != 1
	       : inet_pton(AF_INET, addr, &k->addr[3]) != 1)
		return -1;
	if (!v6)
		k->addr[2] = htonl(0xffff);
	if (len < 0)
		len = v6 ? 128 : 32;
	if (len < (v6 ? 1 : 8) || len > (v6 ? 128 : 32)) {
		*why = "the prefix length must be 8-32 (IPv4) or 1-128 (IPv6)";
		return -1;
	}
	k->prefixlen = v6 ? len : 96 + len;
	if (ports && *ports)
		return ports_parse(ports, p->ports, why);
	if (!default_ports) {
		*why = "no ports: give them (PREFIX:PORTS) or --ports";
		return -1;
	}
	memcpy(p->ports, default_ports, sizeof(p->ports));
	return 0;
}

/* Whether key k is among the n keys of ks. */
static int key_in(const struct so_protect_key *k, const struct so_protect_key *ks, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!memcmp(k, &ks[i], sizeof(*k)))
			return 1;
	return 0;
}

int protect_write(int map_fd, const char *const *vals, int n, const __u8 *default_ports)
{
	struct so_protect_key keys[SO_PROTECT_MAX], stale[SO_PROTECT_MAX], k, next;
	struct so_protect *p = malloc(sizeof(*p));
	const char *why;
	int i, stale_n = 0, err = 0;

	if (!p)
		return -ENOMEM;
	if (n > SO_PROTECT_MAX)
		n = SO_PROTECT_MAX;
	/* The new entries first, then the stale ones out: a reload never
	 * leaves a prefix that stays protected unprotected for a moment. */
	for (i = 0; i < n && !err; i++) {
		if (protect_parse(vals[i], default_ports, &keys[i], p, &why))
			err = -EINVAL;
		else if (bpf_map_update_elem(map_fd, &keys[i], p, BPF_ANY))
			err = -errno;
	}
	/* Collect, then delete: the walk must not lose its place. */
	for (i = 0; !err && stale_n < SO_PROTECT_MAX &&
		    !bpf_map_get_next_key(map_fd, i ? &k : NULL, &next);
	     i = 1) {
		k = next;
		if (!key_in(&k, keys, n))
			stale[stale_n++] = k;
	}
	for (i = 0; i < stale_n && !err; i++)
		if (bpf_map_delete_elem(map_fd, &stale[i]))
			err = -errno;
	free(p);
	return err;
}
