// SPDX-License-Identifier: GPL-2.0
/* shakeoff status [IFACE]: what is attached where, since when, and its maps. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <net/if.h>

#include "attach.h"
#include "cli.h"
#include "cmd.h"
#include "config.h"
#include "json.h"
#include "log.h"
#include "pin.h"
#include "maps.h"

#define CMD "status"

struct map_use {
	char name[BPF_OBJ_NAME_LEN];
	const char *type;
	__u32 capacity;
	long long bytes; /* the kernel's own accounting (fdinfo memlock) */
};

/* The memory the kernel charges for this map, from /proc/self/fdinfo. */
static long long map_bytes(int fd)
{
	char path[64], line[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static int map_use(int fd, struct map_use *u)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	memcpy(u->name, info.name, sizeof(u->name));
	u->type = libbpf_bpf_map_type_str(info.type);
	u->capacity = info.max_entries;
	u->bytes = map_bytes(fd);
	return 0;
}

static const char *role_name(__u8 role)
{
	switch (role) {
	case SO_ROLE_BACKEND:
		return "backend";
	case SO_ROLE_FRONT:
		return "front";
	default:
		return "local";
	}
}

static int show(const char *ifname, struct json *j)
{
	struct so_status st = {};
	struct so_config cfg = {};
	struct so_daemon dm = {};
	struct map_use maps[SO_MAP_MAX];
	struct so_maps m;
	char dir[256], since[64];
	int nmaps = 0, i, err;
	__u32 zero = 0;
	bool alive, pinned;

	err = so_maps_open(ifname, &m);
	if (err)
		return err;
	if (m.fd[SO_MAP_STATUS] >= 0)
		bpf_map_lookup_elem(m.fd[SO_MAP_STATUS], &zero, &st);
	if (m.fd[SO_MAP_CONFIG] >= 0)
		bpf_map_lookup_elem(m.fd[SO_MAP_CONFIG], &zero, &cfg);
	if (m.fd[SO_MAP_DAEMON] >= 0)
		daemon_read(m.fd[SO_MAP_DAEMON], &dm);
	for (i = 0; i < SO_MAP_MAX; i++)
		if (m.fd[i] >= 0 && !map_use(m.fd[i], &maps[nmaps]))
			nmaps++;
	so_maps_close(&m);
	alive = daemon_alive(st.pid);
	pin_path(dir, sizeof(dir), ifname, "so_stats");
	pinned = access(dir, F_OK) == 0;
	pin_path(dir, sizeof(dir), ifname, NULL);
	strftime(since, sizeof(since), "%Y-%m-%d %H:%M:%S", localtime((time_t *)&st.started));

	if (j) {
		json_obj_begin(j, NULL);
		json_str(j, "iface", ifname);
		json_str(j, "role", role_name(st.role));
		json_u64(j, "ifindex", st.ifindex);
		json_str(j, "mode", xdp_mode_name(st.xdp_mode));
		json_str(j, "tc_mode", tc_mode_name(st.tc_mode));
		json_u64(j, "pid", st.pid);
		json_bool(j, "daemon_alive", alive);
		json_bool(j, "xdp_attached", m.prog_id != 0);
		json_u64(j, "since", st.started);
		json_str(j, "ports", st.ports);
		json_str(j, "pin_dir", dir);
		json_bool(j, "pinned", pinned);
		json_u64(j, "ports_answered", ports_count(cfg.ports));
		json_str(j, "backlog", backlog_name(cfg.backlog));
		json_u64(j, "half_open", dm.half_open);
		json_u64(j, "flows", dm.flows);
		json_arr_begin(j, "maps");
		for (i = 0; i < nmaps; i++) {
			json_obj_begin(j, NULL);
			json_str(j, "name", maps[i].name);
			json_str(j, "type", maps[i].type);
			json_u64(j, "capacity", maps[i].capacity);
			if (maps[i].bytes >= 0)
				json_u64(j, "bytes", maps[i].bytes);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_obj_end(j);
		return 0;
	}
	if (st.role == SO_ROLE_BACKEND)
		printf("%s: backend (the front's cookies), TC ingress by %s, daemon pid %u %s, "
		       "since %s\n",
		       ifname, tc_mode_name(st.tc_mode), st.pid,
		       alive ? "running" : "GONE (shakeoff detach)", since);
	else if (st.role == SO_ROLE_FRONT)
		printf(
		    "%s: front for the servers behind it, %s XDP %s, daemon pid %u %s, since %s\n",
		    ifname, xdp_mode_name(st.xdp_mode), m.prog_id ? "attached" : "NOT attached",
		    st.pid, alive ? "running" : "GONE (shakeoff detach)", since);
	else
		printf("%s: %s XDP %s, TC ingress by %s, daemon pid %u %s, since %s\n", ifname,
		       xdp_mode_name(st.xdp_mode), m.prog_id ? "attached" : "NOT attached",
		       tc_mode_name(st.tc_mode), st.pid,
		       alive ? "running" : "GONE (shakeoff detach)", since);
	if (pinned)
		printf("  maps pinned in %s\n", dir);
	else
		printf("  maps not pinned in view of this process (found through %s)\n", ifname);
	if (st.role == SO_ROLE_FRONT)
		printf("  protecting %s\n", st.ports);
	else
		printf("  ports %s (answering for %d with a listener)\n", st.ports,
		       ports_count(cfg.ports));
	printf("  backlog: %s, %u half-open, %llu flows tracked\n", backlog_name(cfg.backlog),
	       dm.half_open, (unsigned long long)dm.flows);
	printf("  %-12s %-14s %10s %12s\n", "map", "type", "capacity", "bytes");
	for (i = 0; i < nmaps; i++)
		printf("  %-12s %-14s %10u %12lld\n", maps[i].name, maps[i].type, maps[i].capacity,
		       maps[i].bytes);
	return 0;
}

int cmd_status(int argc, char **argv)
{
	struct json jw, *j = NULL;
	struct if_nameindex *ifs;
	const char *ifname = NULL;
	int opt, err, n = 0, i;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, SO_SHORTOPTS, so_opts_status, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json_init(&jw, stdout);
			j = &jw;
			break;
		case 'h':
			fputs(so_usage_status, stdout);
			return 0;
		default:
			return usage_error(CMD, argc, argv, opt);
		}
	}
	if (iface_positional(CMD, argc, argv, &ifname, false))
		return EXIT_USAGE;
	if (need_root(CMD))
		return EXIT_RUNTIME;
	if (ifname) {
		err = show(ifname, j);
		if (err == -ENOENT) {
			if (!iface_arg(CMD, ifname))
				return EXIT_USAGE;
			so_err(CMD ": %s: shakeoff is not attached", ifname);
		} else if (err) {
			so_err(CMD ": %s: %s", ifname, strerror(-err));
		}
		return err ? EXIT_RUNTIME : 0;
	}
	if (j)
		json_arr_begin(j, NULL);
	/* Every interface of this network namespace that runs shakeoff_xdp. */
	ifs = if_nameindex();
	for (i = 0; ifs && ifs[i].if_index; i++)
		if (!show(ifs[i].if_name, j))
			n++;
	if (ifs)
		if_freenameindex(ifs);
	if (j) {
		json_arr_end(j);
		putchar('\n');
	} else if (!n) {
		printf("shakeoff is not attached anywhere\n");
	}
	return 0;
}
