// SPDX-License-Identifier: GPL-2.0
/*
 * shakeoff run: the daemon. Loads the programs, pins the maps, attaches
 * shakeoff_xdp (libxdp), shakeoff_tc (TC ingress: tcx, or clsact) and
 * shakeoff_close (the kernel's socket state changes), then runs the timers
 * and keeps the cookie keys, the listener set and the host's TCP settings
 * current until SIGINT/SIGTERM, when it detaches and unpins everything.
 */
#define _GNU_SOURCE /* asprintf */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "attach.h"
#include "cli.h"
#include "daemon.h"
#include "flowtable.h"
#include "front.h"
#include "metrics.h"
#include "stats.h"
#include "cmd.h"
#include "config.h"
#include "keys.h"
#include "sockdiag.h"
#include "log.h"
#include "pin.h"
#include "shakeoff.skel.h"

#define NS 1000000000ULL

/* The command that runs the daemon: run, or backend. */
static const char *cmd = "run";

/* "V4,V6": two prefix lengths, 1-32 and 1-128. */
static int prefixes_parse(const char *s, int *p4, int *p6)
{
	char *end;
	long a, b;

	errno = 0;
	a = strtol(s, &end, 10);
	if (end == s || *end != ',' || a < 1 || a > 32)
		return -1;
	s = end + 1;
	b = strtol(s, &end, 10);
	if (end == s || *end || b < 1 || b > 128 || errno)
		return -1;
	*p4 = a;
	*p6 = b;
	return 0;
}

/* The config's budget: rate, and the masks of the prefix lengths. */
static void budget_configure(struct daemon *d)
{
	int i, bits;

	so_budget_config(&d->cfg, d->synack_rate);
	d->cfg.budget_mask4 = htonl(~0U << (32 - d->prefix4));
	for (i = 0; i < 4; i++) {
		bits = d->prefix6 - 32 * i;
		if (bits >= 32)
			d->cfg.budget_mask6[i] = ~0U;
		else if (bits <= 0)
			d->cfg.budget_mask6[i] = 0;
		else
			d->cfg.budget_mask6[i] = htonl(~0U << (32 - bits));
	}
}

#define CONFIG_MAX_ARGS 128

/*
 * --config PATH: a line "name value" or "name" is the option --name (value),
 * '#' starts a comment. Made into an argv for the one parser below; its
 * strings stay (options point into them). 0, or -1 after saying why.
 */
static int config_file_args(const char *path, int *argc, char ***argv)
{
	char line[1024], *p, *end, *val, **v;
	int n = 1, lineno = 0;
	FILE *f = fopen(path, "re");

	if (!f) {
		so_err("%s: --config %s: %s", cmd, path, strerror(errno));
		return -1;
	}
	v = calloc(CONFIG_MAX_ARGS + 1, sizeof(*v));
	if (!v) {
		fclose(f);
		so_err("%s: --config %s: %s", cmd, path, strerror(ENOMEM));
		return -1;
	}
	v[0] = "config";
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		p = strchr(line, '#');
		if (p)
			*p = 0;
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		end = p + strlen(p);
		while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n'))
			*--end = 0;
		if (!*p)
			continue;
		val = p + strcspn(p, " \t");
		if (*val) {
			*val++ = 0;
			val += strspn(val, " \t");
		}
		if (n + 2 > CONFIG_MAX_ARGS || asprintf(&v[n], "--%s", p) < 0 ||
		    (*val && !(v[n + 1] = strdup(val)))) {
			so_err("%s: --config %s:%d: too many lines", cmd, path, lineno);
			fclose(f);
			return -1;
		}
		n += *val ? 2 : 1;
	}
	fclose(f);
	*argc = n;
	*argv = v;
	return 0;
}

/* The options of argv, the command line's or a config file's. */
static int parse_opts(struct daemon *d, int argc, char **argv, bool *sized)
{
	const char *why;
	long v;
	int opt;

	optind = 0; /* glibc: start afresh, every pass */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, SO_SHORTOPTS,
				  d->backend ? so_opts_backend : so_opts_run, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (strlen(optarg) >= sizeof(d->ports_str)) {
				so_err("%s: --ports: list too long", cmd);
				return EXIT_USAGE;
			}
			if (ports_parse(optarg, d->ports, &why)) {
				so_err("%s: --ports %s: %s", cmd, optarg, why);
				return EXIT_USAGE;
			}
			strcpy(d->ports_str, optarg);
			break;
		case 'm':
			if (!strcmp(optarg, "native")) {
				d->mode = XDP_MODE_NATIVE;
			} else if (!strcmp(optarg, "skb")) {
				d->mode = XDP_MODE_SKB;
			} else {
				so_err("%s: --mode %s: expected native or skb", cmd, optarg);
				return EXIT_USAGE;
			}
			break;
		case 'T':
			if (!strcmp(optarg, "tcx")) {
				d->tc_mode = SO_TC_TCX;
			} else if (!strcmp(optarg, "clsact")) {
				d->tc_mode = SO_TC_CLSACT;
			} else {
				so_err("%s: --tc-mode %s: expected tcx or clsact", cmd, optarg);
				return EXIT_USAGE;
			}
			break;
		case 's':
			/* The handoff refuses an MSS below 536 (IPv4). */
			v = num_arg(cmd, "--mss", optarg, 536, 65535);
			if (v < 0)
				return EXIT_USAGE;
			d->mss_max = v;
			break;
		case 'k':
			d->key_file = optarg;
			break;
		case 'S':
			d->stateless = true;
			break;
		case 'X':
			d->replace = true;
			break;
		case 'f':
			d->front = true;
			break;
		case 'O':
			d->forward_xdp = optarg;
			break;
		case 'A':
			if (d->nprotect == SO_PROTECT_MAX) {
				so_err("%s: --protect: at most %d", cmd, SO_PROTECT_MAX);
				return EXIT_USAGE;
			}
			d->protect[d->nprotect++] = optarg;
			break;
		case 'L':
			if (metrics_addr_parse(optarg, &d->metrics_addr, &d->metrics_addr_len,
					       &why)) {
				so_err("%s: --metrics-listen %s: %s", cmd, optarg, why);
				return EXIT_USAGE;
			}
			break;
		case 'W':
			d->metrics_file = optarg;
			break;
		case 'H':
			v = num_arg(cmd, "--max-half-open", optarg, SO_HALFOPEN_WAYS, 1 << 24);
			if (v < 0)
				return EXIT_USAGE;
			/* Whole sets of SO_HALFOPEN_WAYS entries. */
			d->max_half_open =
			    (v + SO_HALFOPEN_WAYS - 1) / SO_HALFOPEN_WAYS * SO_HALFOPEN_WAYS;
			*sized = true;
			break;
		case 'F':
			v = num_arg(cmd, "--max-flows", optarg, 16, 1 << 24);
			if (v < 0)
				return EXIT_USAGE;
			/* Whole sets of SO_FLOW_WAYS entries. */
			d->max_flows = (v + SO_FLOW_WAYS - 1) / SO_FLOW_WAYS * SO_FLOW_WAYS;
			break;
		case 'R':
			/* 2^(N+1) - 1 seconds of lifetime: 10 is 34 minutes. */
			v = num_arg(cmd, "--synack-retries", optarg, 0, 10);
			if (v < 0)
				return EXIT_USAGE;
			d->synack_retries = v;
			break;
		case 'r':
			v = num_arg(cmd, "--synack-rate", optarg, 0, 100000000);
			if (v < 0)
				return EXIT_USAGE;
			d->synack_rate = v;
			break;
		case 'P':
			if (prefixes_parse(optarg, &d->prefix4, &d->prefix6)) {
				so_err("%s: --synack-prefix %s: expected V4,V6 prefix lengths, "
				       "1-32 and 1-128 (24,64)",
				       cmd, optarg);
				return EXIT_USAGE;
			}
			break;
		case 'K':
			v = num_arg(cmd, "--slot-shift", optarg, SO_SLOT_SHIFT_MIN,
				    SO_SLOT_SHIFT_MAX);
			if (v < 0)
				return EXIT_USAGE;
			d->cfg.slot_shift = v;
			d->slot_shift_set = true;
			break;
		case 'M':
			v = num_arg(cmd, "--msl", optarg, 1, 3600);
			if (v < 0)
				return EXIT_USAGE;
			d->msl = v;
			break;
		case 'I':
			v = num_arg(cmd, "--flow-idle", optarg, SO_FLOW_IDLE_MIN_S,
				    SO_FLOW_IDLE_MAX_S);
			if (v < 0)
				return EXIT_USAGE;
			d->flow_idle = v;
			break;
		case 'c':
			if (argv[0][0] == 'c') {
				so_err("%s: --config: not inside a config file", cmd);
				return EXIT_USAGE;
			}
			d->config = optarg;
			break;
		case 'h':
			fputs(d->backend ? so_usage_backend : so_usage_run, stdout);
			exit(0);
		default:
			return usage_error(cmd, argc, argv, opt);
		}
	}
	return 0;
}

/*
 * A key file's features are offered in every SYN-ACK of every host sharing
 * it, so every server's stack must take them (the handoff kfunc refuses an
 * option its sysctl has off): a server that would not is refused at start,
 * rather than its clients reset one by one.
 */
static int features_check(const struct daemon *d)
{
	static const struct {
		int bit;
		const char *word, *sysctl;
	} f[] = {{SO_F_WSCALE, "wscale", "net.ipv4.tcp_window_scaling"},
		 {SO_F_SACK, "sack", "net.ipv4.tcp_sack"},
		 {SO_F_TS, "ts", "net.ipv4.tcp_timestamps"},
		 {SO_F_ECN, "ecn", "net.ipv4.tcp_ecn"}};
	struct so_config host = {};
	size_t i;

	if (d->features_fixed < 0 || d->front || config_from_host(&host, d->ifname, 0))
		return 0;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if ((d->features_fixed & f[i].bit) && !(host.features & f[i].bit)) {
			so_err("%s: --key-file %s offers %s, but %s is 0 here: this host's "
			       "handoffs would fail",
			       cmd, d->key_file, f[i].word, f[i].sysctl);
			return -1;
		}
	return 0;
}

/* A front hands validated handshakes to the kernel to forward: say if it will not. */
static void front_check_forwarding(const char *ifname)
{
	long v4 = 1, v6 = 1;

	sysctl_read("net/ipv4/ip_forward", &v4);
	sysctl_read("net/ipv6/conf/all/forwarding", &v6);
	if (!v4 || !v6)
		so_log("%s: --front: forwarding is off for IPv%s (sysctl -w %s=1): validated "
		       "handshakes to such servers go nowhere",
		       ifname, !v4 ? "4" : "6",
		       !v4 ? "net.ipv4.ip_forward" : "net.ipv6.conf.all.forwarding");
}

/* --front's own rules: what it protects, and a key its backends share. */
static int front_args_check(struct daemon *d)
{
	struct so_protect_key k;
	struct so_protect *p;
	const char *why = NULL;
	int i, err = 0;

	if (!d->front) {
		if (d->nprotect || d->forward_xdp)
			so_err("%s: --protect and --forward-xdp are for --front", cmd);
		return d->nprotect || d->forward_xdp ? -1 : 0;
	}
	if (!d->nprotect || !d->key_file) {
		so_err("%s: --front needs --protect (what to shield) and --key-file (the key its "
		       "backends hold)",
		       cmd);
		return -1;
	}
	p = malloc(sizeof(*p));
	for (i = 0; p && i < d->nprotect && !err; i++) {
		err = protect_parse(d->protect[i], d->ports_str[0] ? d->ports : NULL, &k, p, &why);
		if (err)
			so_err("%s: --protect %s: %s", cmd, d->protect[i], why);
	}
	free(p);
	return p ? err : -1;
}

/* Defaults, then --config's file, then the command line, which wins. */
static int parse_args(struct daemon *d, int argc, char **argv)
{
	bool sized = false;
	char **cargv;
	int cargc, err;

	d->mode = XDP_MODE_NATIVE;
	d->tc_mode = SO_TC_TCX;
	d->max_half_open = SO_HALFOPEN_DEFAULT;
	d->max_flows = SO_FLOWS_DEFAULT;
	d->synack_retries = 5;
	d->msl = 30;
	d->prefix4 = 24;
	d->prefix6 = 64;
	d->cfg.slot_shift = SO_SLOT_SHIFT_DEFAULT;
	err = parse_opts(d, argc, argv, &sized);
	if (!err && d->config) {
		if (config_file_args(d->config, &cargc, &cargv))
			return EXIT_USAGE;
		err = parse_opts(d, cargc, cargv, &sized);
		if (!err)
			err = parse_opts(d, argc, argv, &sized);
	}
	if (err)
		return err;
	if (iface_positional(cmd, argc, argv, &d->ifname, true))
		return EXIT_USAGE;
	if (!d->ports_str[0] && !d->front) {
		so_err("%s: --ports is required", cmd);
		return EXIT_USAGE;
	}
	if (front_args_check(d))
		return EXIT_USAGE;
	if (d->backend && !d->key_file) {
		so_err("%s: --key-file is required: the front's key", cmd);
		return EXIT_USAGE;
	}
	if (d->stateless && sized) {
		so_err("%s: --stateless keeps no half-open entries: --max-half-open makes no sense",
		       cmd);
		return EXIT_USAGE;
	}
	if (d->stateless)
		d->max_half_open = SO_HALFOPEN_WAYS; /* the map must exist; it stays empty */
	if (!d->flow_idle)
		d->flow_idle = d->front ? SO_FRONT_FLOW_IDLE_S : SO_FLOW_IDLE_S;
	return 0;
}

/* What the kernel must have; named, so the operator knows what is missing. */
static int check_kernel(void)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	long cookies;
	int found;

	if (libbpf_get_error(vmlinux)) {
		so_err("%s: kernel BTF (/sys/kernel/btf/vmlinux) unavailable: it is needed", cmd);
		return -1;
	}
	found = btf__find_by_name_kind(vmlinux, "bpf_sk_assign_tcp_reqsk", BTF_KIND_FUNC) >= 0;
	btf__free(vmlinux);
	if (!found) {
		so_err("%s: kernel lacks the bpf_sk_assign_tcp_reqsk kfunc (Linux >= 6.9 needed)",
		       cmd);
		return -1;
	}
	/* With 0 the kfunc succeeds and the kernel then answers our ACK with a RST. */
	if (sysctl_read("net/ipv4/tcp_syncookies", &cookies) || cookies == 0) {
		so_err("%s: net.ipv4.tcp_syncookies is 0: the handoff needs 1 or 2 "
		       "(sysctl -w net.ipv4.tcp_syncookies=1)",
		       cmd);
		return -1;
	}
	return 0;
}

/* CLOCK_TAI - CLOCK_MONOTONIC: the data plane reads the one, slots are the other. */
static __u64 tai_offset(void)
{
	struct timespec tai, mono;

	clock_gettime(CLOCK_TAI, &tai);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return (tai.tv_sec - mono.tv_sec) * NS + tai.tv_nsec - mono.tv_nsec;
}

/*
 * The data plane's config: the host's TCP settings, the TAI offset, and the
 * configured ports that have a listener right now. Written only when it
 * changed (the TAI offset only when the clock was stepped).
 */
static int config_refresh(struct daemon *d)
{
	struct so_config c = d->cfg; /* what the daemon itself decides carries over */
	__u8 listening[SO_PORT_BITMAP_BYTES];
	__s64 drift;
	int err, i;

	err = config_from_host(&c, d->ifname, d->mss_max);
	/* A key file's wscale: every host sharing it advertises and hands off with it. */
	if (!err && d->wscale_fixed >= 0)
		c.wscale = d->wscale_fixed;
	/* ... and its features: a front offers them as they are (the servers' stacks
	 * were checked against them, there); a server never beyond its own stack. */
	if (!err && d->features_fixed >= 0)
		c.features = d->front ? d->features_fixed : c.features & d->features_fixed;
	/*
	 * Local mode answers only for ports with a listener. A front has none
	 * of its own to ask; a backend finds the listener by socket lookup,
	 * packet by packet, so a listener that comes after a tick is not missed.
	 */
	if (!err && !d->front && !d->backend)
		err = listeners_get(listening);
	if (err)
		return err;
	c.front = d->front;
	c.front_redirect = d->forward_xdp != NULL;
	for (i = 0; i < SO_PORT_BITMAP_BYTES; i++)
		c.ports[i] = d->front || d->backend ? d->ports[i] : d->ports[i] & listening[i];
	c.tai_off_ns = tai_offset();
	drift = c.tai_off_ns - d->cfg.tai_off_ns;
	if (drift > -1000000 && drift < 1000000)
		c.tai_off_ns = d->cfg.tai_off_ns; /* the two clocks read a moment apart */
	if (!memcmp(&c, &d->cfg, sizeof(c)))
		return 0;
	if (d->front && c.features != d->cfg.features)
		so_log("%s: front for %d destinations, forgets a connection idle %d s; "
		       "wscale %u, mss %u/%u, features%s%s%s%s",
		       d->ifname, d->nprotect, d->flow_idle, c.wscale, c.mss4, c.mss6,
		       c.features & SO_F_WSCALE ? " wscale" : "",
		       c.features & SO_F_SACK ? " sack" : "", c.features & SO_F_TS ? " ts" : "",
		       c.features & SO_F_ECN ? " ecn" : "");
	else if (d->backend && c.features != d->cfg.features)
		so_log("%s: backend for ports %s; wscale %u, features%s%s%s%s", d->ifname,
		       d->ports_str, c.wscale, c.features & SO_F_WSCALE ? " wscale" : "",
		       c.features & SO_F_SACK ? " sack" : "", c.features & SO_F_TS ? " ts" : "",
		       c.features & SO_F_ECN ? " ecn" : "");
	else if (!d->front && !d->backend &&
		 (memcmp(c.ports, d->cfg.ports, sizeof(c.ports)) || c.features != d->cfg.features))
		so_log("%s: answering for %d of %d ports (the others have no listener); "
		       "wscale %u, mss %u/%u, features%s%s%s%s",
		       d->ifname, ports_count(c.ports), ports_count(d->ports), c.wscale, c.mss4,
		       c.mss6, c.features & SO_F_WSCALE ? " wscale" : "",
		       c.features & SO_F_SACK ? " sack" : "", c.features & SO_F_TS ? " ts" : "",
		       c.features & SO_F_ECN ? " ecn" : "");
	d->cfg = c;
	return config_write(d);
}

/* The capacity of a map, or 0 if there is none. */
static __u32 map_size(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.max_entries;
}

/*
 * Another daemon alive on this interface? Or the remains of a dead one to
 * adopt: found through the interface (or the pins), so they are adopted
 * even when its pins went with a bpffs only it could see.
 */
static int check_previous(struct daemon *d)
{
	struct so_maps *prev = &d->prev;
	struct so_status st = {};
	struct so_config cfg;
	char pin[256];
	__u32 zero = 0, ho, fl;

	if (so_maps_open(d->ifname, prev))
		return 0;
	if (prev->fd[SO_MAP_STATUS] >= 0)
		bpf_map_lookup_elem(prev->fd[SO_MAP_STATUS], &zero, &st);
	if (daemon_alive(st.pid)) {
		so_err("%s: %s: shakeoff already runs here (pid %u)", cmd, d->ifname, st.pid);
		return -1;
	}
	ho = map_size(prev->fd[SO_MAP_HALFOPEN]);
	fl = map_size(prev->fd[SO_MAP_FLOWS]);
	if ((ho && ho != d->max_half_open) || (fl && fl != d->max_flows)) {
		so_err("%s: %s: the maps a previous run left are sized %u/%u "
		       "(--max-half-open/--max-flows): run shakeoff detach %s first",
		       cmd, d->ifname, ho, fl, d->ifname);
		return -1;
	}
	/* Its entries were placed, and its flows marked, with its seed: keep finding them. */
	if (prev->fd[SO_MAP_CONFIG] >= 0 &&
	    !bpf_map_lookup_elem(prev->fd[SO_MAP_CONFIG], &zero, &cfg)) {
		d->cfg.hash_seed = cfg.hash_seed;
		d->cfg.flowmark_gen = cfg.flowmark_gen;
	}
	so_log("%s: adopting the maps of a previous run (pid %u is gone)", d->ifname, st.pid);
	xdp_detach_ours(d->ifindex);
	pin_path(pin, sizeof(pin), d->ifname, SO_PIN_TC_LINK);
	tc_detach(d->ifindex, pin, false);
	pin_path(pin, sizeof(pin), d->ifname, SO_PIN_CLOSE_LINK);
	unlink(pin);
	/* The qdisc we made then is still ours to remove at the end. */
	d->status.qdisc_created = st.qdisc_created;
	return 0;
}

/* Someone else's XDP program on the interface: replaced only when asked. */
static int check_foreign(struct daemon *d)
{
	char name[BPF_OBJ_NAME_LEN];
	__u32 id;
	int err;

	if (!xdp_foreign(d->ifindex, false, name, sizeof(name), &id))
		return 0;
	if (!d->replace) {
		so_err("%s: %s: XDP program %s (id %u) is attached and cannot share the "
		       "interface on this kernel: detach it, or pass --replace",
		       cmd, d->ifname, name, id);
		return -1;
	}
	err = xdp_foreign(d->ifindex, true, name, sizeof(name), &id);
	if (err < 0) {
		so_err("%s: %s: detach XDP program %s (id %u): %s", cmd, d->ifname, name, id,
		       strerror(-err));
		return -1;
	}
	so_log("%s: --replace: detached XDP program %s (id %u)", d->ifname, name, id);
	return 0;
}

/* The words of so_flowmark: SO_FLOWMARK_BITS_PER_FLOW bits a flow, 32 a word. */
static __u32 flowmark_words(__u32 max_flows)
{
	__u32 words = 1;

	while (words * 32ULL < (__u64)max_flows * SO_FLOWMARK_BITS_PER_FLOW)
		words *= 2;
	return words;
}

static int netns_cookie(__u64 *cookie)
{
	socklen_t len = sizeof(*cookie);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len))
		err = -errno;
	close(fd);
	return err;
}

/* The maps no program uses, bound to shakeoff_xdp: readers find them through it. */
static int bind_maps(struct daemon *d)
{
	int prog = xdp_program__fd(d->xdp);

	if (bpf_prog_bind_map(prog, bpf_map__fd(d->skel->maps.so_daemon), NULL) ||
	    bpf_prog_bind_map(prog, bpf_map__fd(d->skel->maps.so_status), NULL))
		return -errno;
	return 0;
}

static int attach_close_hook(struct daemon *d)
{
	struct bpf_link *link = bpf_program__attach(d->skel->progs.shakeoff_close);
	char pin[256];
	int err;

	err = libbpf_get_error(link);
	if (err) {
		so_err("%s: attach tp_btf/inet_sock_set_state: %s", cmd, strerror(-err));
		return err;
	}
	pin_path(pin, sizeof(pin), d->ifname, SO_PIN_CLOSE_LINK);
	err = bpf_link__pin(link, pin);
	/* The pin holds it now: it outlives a crashed daemon as XDP does. */
	bpf_link__disconnect(link);
	bpf_link__destroy(link);
	if (err)
		so_err("%s: pin %s: %s", cmd, pin, strerror(-err));
	return err;
}

/* What status shows as the ports: --ports, or a front's --protect values. */
static void status_ports(struct daemon *d)
{
	char *p = d->status.ports, *end = p + sizeof(d->status.ports);
	int i;

	snprintf(p, end - p, "%s", d->ports_str);
	for (i = 0; d->front && i < d->nprotect; i++) {
		p += strlen(p);
		snprintf(p, end - p, "%s%s", p == d->status.ports ? "" : " ", d->protect[i]);
	}
}

/* --forward-xdp: the interfaces a front may XDP_REDIRECT to. */
static int tx_write(struct daemon *d)
{
	char names[256], *name, *save;
	__u32 ifindex;

	if (!d->forward_xdp)
		return 0;
	snprintf(names, sizeof(names), "%s", d->forward_xdp);
	for (name = strtok_r(names, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		ifindex = if_nametoindex(name);
		if (!ifindex) {
			so_err("%s: --forward-xdp: %s: no such interface", cmd, name);
			return -1;
		}
		if (bpf_map__update_elem(d->skel->maps.so_tx, &ifindex, sizeof(ifindex), &ifindex,
					 sizeof(ifindex), 0)) {
			so_err("%s: --forward-xdp: %s: %s", cmd, name, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* The handoff at TC ingress: shakeoff_tc, or a backend's own check. */
static int tc_attach_ours(struct daemon *d)
{
	/* A backend has no XDP program to validate handshakes: its TC program does. */
	struct bpf_program *tc =
	    d->backend ? d->skel->progs.shakeoff_backend : d->skel->progs.shakeoff_tc;
	bool qdisc_created;
	char path[256];
	int err;

	pin_path(path, sizeof(path), d->ifname, SO_PIN_TC_LINK);
	err = tc_attach(d->ifindex, bpf_program__fd(tc), d->tc_mode, path, &qdisc_created);
	if (err && d->tc_mode == SO_TC_TCX) {
		so_log("%s: tcx link: %s: using a clsact filter", d->ifname, strerror(-err));
		d->tc_mode = SO_TC_CLSACT;
		err = tc_attach(d->ifindex, bpf_program__fd(tc), d->tc_mode, path, &qdisc_created);
	}
	if (err) {
		so_err("%s: attach TC ingress to %s: %s", cmd, d->ifname, strerror(-err));
		return -1;
	}
	d->tc_attached = true;
	d->status.qdisc_created |= qdisc_created;
	return 0;
}

/* Local mode's tables, timers and events, and the connections the kernel has. */
static int local_init(struct daemon *d)
{
	int err;

	err = halfopen_init(d);
	if (!err)
		err = flows_init(d);
	if (!err)
		err = events_init(d);
	if (err) {
		so_err("%s: connection tables and events: %s", cmd, strerror(-err));
		return -1;
	}
	/*
	 * Connections the kernel already has are the kernel's: above all its
	 * TIME_WAIT sockets, which a reused client port would otherwise run
	 * into with our handoff. (A front's are not the servers'.)
	 */
	err = d->front ? 0 : flows_seed(d);
	if (err)
		so_log("%s: reading the kernel's connections: %s", d->ifname, strerror(-err));
	else if (d->seeded[0] || d->seeded[1])
		so_log("%s: tracking %u connections the kernel already had (%u in TIME_WAIT)",
		       d->ifname, d->seeded[0] + d->seeded[1], d->seeded[1]);
	return 0;
}

/* Load the object through libxdp and attach shakeoff_xdp (local mode). */
static int xdp_load_attach(struct daemon *d)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, xopts, .prog_name = "shakeoff_xdp");
	char errbuf[128];
	int err;

	xopts.obj = d->skel->obj;
	d->xdp = xdp_program__create(&xopts);
	err = libxdp_get_error(d->xdp);
	if (err) {
		d->xdp = NULL;
		so_err("%s: libxdp: %s", cmd, strerror(-err));
		return -1;
	}
	xdp_program__set_run_prio(d->xdp, SO_XDP_RUN_PRIO);
	/* Loads the whole object (all programs, the pinned maps) and attaches. */
	err = xdp_program__attach(d->xdp, d->ifindex, d->mode, 0);
	if (err) {
		libxdp_strerror(err, errbuf, sizeof(errbuf));
		so_err("%s: attach XDP to %s in %s mode: %s%s", cmd, d->ifname,
		       xdp_mode_name(d->mode), errbuf,
		       d->mode == XDP_MODE_NATIVE ? " (try --mode skb; -v shows why)"
						  : " (-v shows why)");
		return -1;
	}
	d->xdp_attached = true;
	if (xdp_is_legacy(d->ifindex))
		so_log("%s: this kernel cannot run libxdp's dispatcher: shakeoff_xdp is attached "
		       "alone, and no other XDP program can share %s",
		       d->ifname, d->ifname);
	err = bind_maps(d);
	if (err) {
		so_err("%s: bind maps to shakeoff_xdp: %s", cmd, strerror(-err));
		return -1;
	}
	return 0;
}

static int open_and_attach(struct daemon *d)
{
	struct bpf_map *map;
	char path[256];
	__u32 zero = 0;
	int err, k;

	d->skel = shakeoff__open();
	if (!d->skel) {
		so_err("%s: open BPF object: %s", cmd, strerror(errno));
		return -1;
	}
	/* Pinned by name: a restart finds and adopts them. */
	if (mkdir(SO_PIN_ROOT, 0700) && errno != EEXIST) {
		so_err("%s: mkdir " SO_PIN_ROOT ": %s", cmd, strerror(errno));
		return -1;
	}
	bpf_map__set_max_entries(d->skel->maps.so_halfopen, d->max_half_open);
	bpf_map__set_max_entries(d->skel->maps.so_flows, d->max_flows);
	bpf_map__set_max_entries(d->skel->maps.so_flowmark, d->cfg.flowmark_words);
	bpf_map__set_max_entries(d->skel->maps.so_flowroom, so_flowroom_words(d->cfg.flow_sets));
	bpf_object__for_each_map(map, d->skel->obj) {
		k = so_map_index(bpf_map__name(map));
		if (k < 0)
			continue; /* libbpf's own (.rodata and the like) */
		/* A previous run's map, pinned or not: the pin is made again if missing. */
		if (d->prev.fd[k] >= 0 && (err = bpf_map__reuse_fd(map, d->prev.fd[k]))) {
			so_err("%s: adopt %s: %s", cmd, bpf_map__name(map), strerror(-err));
			return -1;
		}
		pin_path(path, sizeof(path), d->ifname, bpf_map__name(map));
		bpf_map__set_pin_path(map, path);
	}
	/* Loaded for a tcx link; a clsact filter does not mind the attach type. */
	bpf_program__set_expected_attach_type(d->skel->progs.shakeoff_tc, SO_BPF_TCX_INGRESS);
	bpf_program__set_expected_attach_type(d->skel->progs.shakeoff_backend, SO_BPF_TCX_INGRESS);
	if (d->backend) {
		/* No XDP program to attach: the object is loaded as it is. */
		err = shakeoff__load(d->skel);
		if (err) {
			so_err("%s: load BPF programs: %s (-v shows why)", cmd, strerror(-err));
			return -1;
		}
	} else if (xdp_load_attach(d)) {
		return -1;
	}
	so_maps_close(&d->prev); /* the object holds what it adopted */
	bpf_object__for_each_map(map, d->skel->obj) {
		k = so_map_index(bpf_map__name(map));
		if (k >= 0)
			d->self.fd[k] = bpf_map__fd(map);
	}
	/* The counters of a previous run go on. */
	bpf_map_lookup_elem_flags(bpf_map__fd(d->skel->maps.so_daemon), &zero, &d->pub, BPF_F_LOCK);

	err = config_refresh(d);
	if (err) {
		so_err("%s: configure %s: %s", cmd, d->ifname, strerror(-err));
		return -1;
	}
	err = keys_sync(bpf_map__fd(d->skel->maps.so_keys), d->master, d->key_file != NULL,
			d->cfg.slot_shift);
	if (err < 0) {
		so_err("%s: install cookie keys: %s", cmd, strerror(-err));
		return -1;
	}
	if (!d->backend && local_init(d))
		return -1;
	if (d->front) {
		err = protect_write(bpf_map__fd(d->skel->maps.so_protect), d->protect, d->nprotect,
				    d->ports_str[0] ? d->ports : NULL);
		if (err) {
			so_err("%s: --protect: %s", cmd, strerror(-err));
			return -1;
		}
		if (tx_write(d))
			return -1;
	} else if (tc_attach_ours(d) || (!d->backend && attach_close_hook(d))) {
		/* A front has no sockets to hand off to or to follow: no TC, no close hook. */
		return -1;
	}
	d->status.ifindex = d->ifindex;
	d->status.pid = getpid();
	d->status.started = time(NULL);
	d->status.xdp_mode = d->mode;
	d->status.role = d->backend ? SO_ROLE_BACKEND : d->front ? SO_ROLE_FRONT : SO_ROLE_LOCAL;
	d->status.tc_mode = d->tc_mode;
	status_ports(d);
	if (bpf_map__update_elem(d->skel->maps.so_status, &zero, sizeof(zero), &d->status,
				 sizeof(d->status), 0)) {
		so_err("%s: write status: %s", cmd, strerror(errno));
		return -1;
	}
	return 0;
}

static void detach(struct daemon *d)
{
	char pin[256];

	pin_path(pin, sizeof(pin), d->ifname, SO_PIN_TC_LINK);
	if (d->tc_attached && tc_detach(d->ifindex, pin, d->status.qdisc_created))
		so_log("%s: TC filter already gone", d->ifname);
	if (d->xdp_attached && xdp_program__detach(d->xdp, d->ifindex, d->mode, 0))
		so_log("%s: XDP program already gone", d->ifname);
	if (d->skel)
		pin_remove(d->ifname); /* the close hook's link goes with its pin */
	events_fini(d);
	flows_fini(d);
	halfopen_fini(d);
	if (d->xdp)
		xdp_program__close(d->xdp);
	shakeoff__destroy(d->skel);
}

/* The gauges and the counters that explain them, in one locked update. */
static void publish(struct daemon *d)
{
	__u32 zero = 0;

	d->pub.scan_ns = d->scan_ns;
	bpf_map__update_elem(d->skel->maps.so_daemon, &zero, sizeof(zero), &d->pub, sizeof(d->pub),
			     BPF_F_LOCK);
}

/* Every TICK_MS: half-open timers and events; every second: the rest. */
/*
 * systemd's readiness protocol (Type=notify): a datagram to $NOTIFY_SOCKET
 * ('@' for an abstract address). Without it, nothing to do.
 */
static void sd_notify_send(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	socklen_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sun.sun_path))
		return;
	strcpy(sun.sun_path, path);
	if (path[0] == '@')
		sun.sun_path[0] = 0;
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sun, len) < 0)
		so_debug("NOTIFY_SOCKET %s: %s", path, strerror(errno));
	close(fd);
}

/*
 * SIGHUP: read --config (and the command line over it) again. The ports and
 * the SYN-ACK budget apply at once, tables and connections untouched; the
 * rest (sizes, modes, keys) needs a restart.
 */
static void reload(struct daemon *d)
{
	struct daemon n = {.backend = d->backend};
	__u32 zero = 0;
	int err;

	if (!d->config) {
		so_log("%s: SIGHUP: no --config to reload", d->ifname);
		return;
	}
	sd_notify_send("RELOADING=1");
	if (parse_args(&n, d->argc, d->argv)) {
		so_log("%s: SIGHUP: %s has an error (above): nothing changed", d->ifname,
		       d->config);
		sd_notify_send("READY=1");
		return;
	}
	memcpy(d->ports, n.ports, sizeof(d->ports));
	memcpy(d->protect, n.protect, sizeof(d->protect));
	d->nprotect = n.nprotect;
	strcpy(d->ports_str, n.ports_str);
	d->synack_rate = n.synack_rate;
	d->prefix4 = n.prefix4;
	d->prefix6 = n.prefix6;
	budget_configure(d);
	err = config_write(d);
	if (!err)
		err = config_refresh(d);
	status_ports(d);
	if (!err && d->front)
		err = protect_write(bpf_map__fd(d->skel->maps.so_protect), d->protect, d->nprotect,
				    d->ports_str[0] ? d->ports : NULL);
	if (!err && bpf_map__update_elem(d->skel->maps.so_status, &zero, sizeof(zero), &d->status,
					 sizeof(d->status), 0))
		err = -errno;
	sd_notify_send("READY=1");
	if (err)
		so_log("%s: SIGHUP: %s", d->ifname, strerror(-err));
	else
		so_log("%s: reloaded %s: ports %s, synack-rate %ld per /%d,/%d", d->ifname,
		       d->config, d->ports_str, d->synack_rate, d->prefix4, d->prefix6);
}

/* --metrics-file: the reading of this second; a failure is said once, not every second. */
static void metrics_file_tick(struct daemon *d)
{
	struct stats s;
	int err = stats_read(&d->self, &s);

	if (!err)
		err = metrics_file_write(d->metrics_file, d->ifname, &s);
	if (err && !d->metrics_file_failed)
		so_log("%s: --metrics-file %s: %s", d->ifname, d->metrics_file, strerror(-err));
	d->metrics_file_failed = err != 0;
}

static void tick(struct daemon *d, __u64 n)
{
	bool second = n % (1000 / TICK_MS) == 0;
	int err;

	if (!d->stateless && !d->backend)
		halfopen_tick(d);
	if (!d->backend)
		events_consume(d, second);
	if (second) {
		if (!d->backend)
			flows_tick(d);
		err = keys_sync(bpf_map__fd(d->skel->maps.so_keys), d->master, false,
				d->cfg.slot_shift);
		if (err < 0)
			so_log("%s: cookie keys: %s", d->ifname, strerror(-err));
		else if (err)
			so_debug("%s: installed %d cookie key(s)", d->ifname, err);
		err = config_refresh(d);
		if (err)
			so_log("%s: refresh config: %s", d->ifname, strerror(-err));
		if (d->metrics_file)
			metrics_file_tick(d);
	}
	publish(d);
}

static int serve(struct daemon *d)
{
	struct itimerspec its = {.it_interval = {0, TICK_MS * 1000000},
				 .it_value = {0, TICK_MS * 1000000}};
	struct pollfd pfd[4];
	__u64 ticks = 0;
	sigset_t mask;
	int sfd, tfd, ret = 0;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	/* Started with the signals blocked: its thread inherits that. */
	if (d->metrics_addr_len) {
		d->metrics.ifname = d->ifname;
		d->metrics.maps = &d->self;
		ret = metrics_srv_start(&d->metrics, &d->metrics_addr, d->metrics_addr_len);
		if (ret) {
			so_err("%s: --metrics-listen: %s", cmd, strerror(-ret));
			return EXIT_RUNTIME;
		}
	}
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (sfd < 0 || tfd < 0 || timerfd_settime(tfd, 0, &its, NULL)) {
		so_err("%s: timers: %s", cmd, strerror(errno));
		return EXIT_RUNTIME;
	}
	pfd[0] = (struct pollfd){.fd = sfd, .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = tfd, .events = POLLIN};
	pfd[2] = (struct pollfd){.fd = d->backend ? -1 : events_fd(d), .events = POLLIN};
	pfd[3] = (struct pollfd){.fd = d->listen_fd, .events = POLLIN};
	for (;;) {
		if (poll(pfd, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			so_err("%s: poll: %s", cmd, strerror(errno));
			ret = EXIT_RUNTIME;
			break;
		}
		if (pfd[0].revents) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo == SIGHUP) {
				reload(d);
				continue;
			}
			so_log("%s: signal %u: detaching", d->ifname, si.ssi_signo);
			break;
		}
		if (pfd[2].revents)
			events_consume(d, false); /* the ring filled past its mark */
		if (pfd[3].revents)
			events_accept(d);
		if (pfd[1].revents) {
			__u64 n;

			if (read(tfd, &n, sizeof(n)) == sizeof(n))
				tick(d, ++ticks);
		}
	}
	metrics_srv_stop(&d->metrics);
	close(sfd);
	close(tfd);
	return ret;
}

/* run (local mode) and backend: one daemon, which a backend runs without XDP. */
static int daemon_main(int argc, char **argv, bool backend)
{
	struct daemon d = {.raw4 = -1,
			   .raw6 = -1,
			   .listen_fd = -1,
			   .wait_outer = -1,
			   .wait_inner = -1,
			   .backend = backend};
	struct key_settings ks;
	char pin[256];
	const char *why;
	int ret, err, line;

	cmd = backend ? "backend" : "run";
	d.wscale_fixed = d.features_fixed = -1;
	for (ret = 0; ret < SO_MAP_MAX; ret++)
		d.prev.fd[ret] = d.self.fd[ret] = -1;
	for (ret = 0; ret < SO_MAX_SUBSCRIBERS; ret++)
		d.subs[ret] = -1;
	ret = parse_args(&d, argc, argv);
	if (ret)
		return ret;
	d.argc = argc;
	d.argv = argv;
	if (need_root(cmd))
		return EXIT_RUNTIME;
	d.ifindex = iface_arg(cmd, d.ifname);
	if (!d.ifindex)
		return EXIT_USAGE;
	if (d.key_file) {
		if (key_file_read(d.key_file, d.master, &ks, &line, &why)) {
			so_err("%s: --key-file %s:%d: %s", cmd, d.key_file, line, why);
			return EXIT_USAGE;
		}
		if (ks.slot_shift >= 0 && d.slot_shift_set &&
		    ks.slot_shift != (int)d.cfg.slot_shift) {
			so_err(
			    "%s: --slot-shift %u, but --key-file %s says slot-shift %d: the hosts "
			    "sharing it must agree",
			    cmd, d.cfg.slot_shift, d.key_file, ks.slot_shift);
			return EXIT_USAGE;
		}
		if (ks.slot_shift >= 0)
			d.cfg.slot_shift = ks.slot_shift;
		d.wscale_fixed = ks.wscale;
		d.features_fixed = ks.features;
		if (features_check(&d))
			return EXIT_USAGE;
	} else if ((err = key_random(d.master))) {
		so_err("%s: random key: %s", cmd, strerror(-err));
		return EXIT_RUNTIME;
	}
	if (check_kernel())
		return EXIT_RUNTIME;
	if (d.front)
		front_check_forwarding(d.ifname);
	err = bpffs_ensure();
	if (err < 0) {
		so_err("%s: mount bpffs on /sys/fs/bpf: %s", cmd, strerror(-err));
		return EXIT_RUNTIME;
	}
	if (err)
		so_log("%s: no bpffs in sight (ip netns exec hides /sys): mounted one only "
		       "this process sees, its pins vanish with it; to share them, mount "
		       "-t bpf bpf /sys/fs/bpf before ip netns exec, or use nsenter --net",
		       d.ifname);
	d.cfg.backlog = d.stateless ? SO_BACKLOG_STATELESS : SO_BACKLOG_STATE;
	d.cfg.halfopen_sets = d.max_half_open / SO_HALFOPEN_WAYS;
	d.cfg.flow_sets = d.max_flows / SO_FLOW_WAYS;
	d.cfg.halfopen_life_ns = ((2ULL << d.synack_retries) - 1) * NS;
	d.cfg.flowmark_words = flowmark_words(d.max_flows);
	budget_configure(&d);
	if (getrandom(&d.cfg.hash_seed, sizeof(d.cfg.hash_seed), 0) != sizeof(d.cfg.hash_seed)) {
		so_err("%s: random seed: %s", cmd, strerror(errno));
		return EXIT_RUNTIME;
	}
	err = netns_cookie(&d.cfg.netns_cookie);
	if (err) {
		so_err("%s: network namespace cookie (Linux >= 5.14): %s", cmd, strerror(-err));
		return EXIT_RUNTIME;
	}
	if (check_previous(&d) || (!d.backend && check_foreign(&d)))
		return EXIT_RUNTIME;

	if (open_and_attach(&d)) {
		detach(&d);
		return EXIT_RUNTIME;
	}
	pin_path(pin, sizeof(pin), d.ifname, NULL);
	if (d.backend)
		so_log("%s: attached (backend: TC ingress by %s), maps pinned in %s", d.ifname,
		       tc_mode_name(d.tc_mode), pin);
	else if (d.front)
		so_log("%s: attached (front: %s XDP), maps pinned in %s", d.ifname,
		       xdp_mode_name(d.mode), pin);
	else
		so_log("%s: attached (%s XDP, TC ingress by %s), maps pinned in %s", d.ifname,
		       xdp_mode_name(d.mode), tc_mode_name(d.tc_mode), pin);
	sd_notify_send("READY=1\nSTATUS=attached");
	ret = serve(&d);
	sd_notify_send("STOPPING=1");
	detach(&d);
	so_log("%s: detached", d.ifname);
	return ret;
}

int cmd_run(int argc, char **argv)
{
	return daemon_main(argc, argv, false);
}

int cmd_backend(int argc, char **argv)
{
	return daemon_main(argc, argv, true);
}
