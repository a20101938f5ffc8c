// SPDX-License-Identifier: GPL-2.0
/* shakeoff status [IFACE]: what is attached where, since when, and its maps. */
#include <dirent.h>
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
#include "cmd.h"
#include "config.h"
#include "json.h"
#include "log.h"
#include "pin.h"
#include "tables.h"

#define CMD "status"

struct map_use {
	char name[BPF_OBJ_NAME_LEN];
	const char *type;
	__u32 capacity;
	long long entries; /* -1: not counted (arrays are always full) */
	long long bytes;   /* the kernel's own accounting (fdinfo memlock) */
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

static long long map_entries(int fd, const struct bpf_map_info *info)
{
	char key[64], next[64];
	long long n = 0;

	if (info->type == BPF_MAP_TYPE_ARRAY || info->type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	    info->type == BPF_MAP_TYPE_RINGBUF || info->key_size > sizeof(key))
		return -1;
	if (bpf_map_get_next_key(fd, NULL, next))
		return 0;
	do {
		memcpy(key, next, info->key_size);
		n++;
	} while (!bpf_map_get_next_key(fd, key, next));
	return n;
}

static int map_use(const char *ifname, const char *map, struct map_use *u)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = pin_map_open(ifname, map);

	if (fd < 0)
		return fd;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		close(fd);
		return -errno;
	}
	memcpy(u->name, info.name, sizeof(u->name));
	u->type = libbpf_bpf_map_type_str(info.type);
	u->capacity = info.max_entries;
	u->entries = map_entries(fd, &info);
	u->bytes = map_bytes(fd);
	close(fd);
	return 0;
}

static int show(const char *ifname, struct json *j)
{
	struct so_status st;
	struct so_config cfg;
	struct tables_now now;
	struct map_use maps[16];
	char dir[256], since[64];
	struct dirent *de;
	int nmaps = 0, i, fd, err;
	__u32 zero = 0;
	bool alive, xdp;
	DIR *d;

	err = status_read(ifname, &st);
	if (err)
		return err;
	fd = pin_map_open(ifname, "so_config");
	if (fd < 0 || bpf_map_lookup_elem(fd, &zero, &cfg))
		memset(&cfg, 0, sizeof(cfg));
	if (fd >= 0)
		close(fd);
	alive = st.pid && (kill(st.pid, 0) == 0 || errno == EPERM);
	xdp = xdp_is_ours(st.ifindex);
	strftime(since, sizeof(since), "%Y-%m-%d %H:%M:%S", localtime((time_t *)&st.started));

	tables_now(ifname, &now);
	pin_path(dir, sizeof(dir), ifname, NULL);
	d = opendir(dir);
	while (d && (de = readdir(d)) && nmaps < 16)
		if (de->d_name[0] != '.' && !map_use(ifname, de->d_name, &maps[nmaps]))
			nmaps++;
	if (d)
		closedir(d);

	if (j) {
		json_obj_begin(j, NULL);
		json_str(j, "iface", ifname);
		json_u64(j, "ifindex", st.ifindex);
		json_str(j, "mode", xdp_mode_name(st.xdp_mode));
		json_u64(j, "pid", st.pid);
		json_bool(j, "daemon_alive", alive);
		json_bool(j, "xdp_attached", xdp);
		json_u64(j, "since", st.started);
		json_str(j, "ports", st.ports);
		json_str(j, "pin_dir", dir);
		json_u64(j, "ports_answered", ports_count(cfg.ports));
		json_str(j, "backlog", now.backlog);
		json_u64(j, "half_open", now.half_open);
		json_u64(j, "flows", now.flows);
		json_arr_begin(j, "maps");
		for (i = 0; i < nmaps; i++) {
			json_obj_begin(j, NULL);
			json_str(j, "name", maps[i].name);
			json_str(j, "type", maps[i].type);
			json_u64(j, "capacity", maps[i].capacity);
			if (maps[i].entries >= 0)
				json_u64(j, "entries", maps[i].entries);
			if (maps[i].bytes >= 0)
				json_u64(j, "bytes", maps[i].bytes);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_obj_end(j);
		return 0;
	}
	printf("%s: %s XDP %s, daemon pid %u %s, since %s\n", ifname, xdp_mode_name(st.xdp_mode),
	       xdp ? "attached" : "NOT attached", st.pid, alive ? "running" : "GONE (shakeoff detach)",
	       since);
	printf("  maps pinned in %s\n", dir);
	printf("  ports %s (answering for %d with a listener)\n", st.ports, ports_count(cfg.ports));
	printf("  backlog: %s, %u half-open, %ld flows tracked\n", now.backlog, now.half_open,
	       now.flows);
	printf("  %-12s %-14s %10s %10s %12s\n", "map", "type", "capacity", "entries", "bytes");
	for (i = 0; i < nmaps; i++) {
		printf("  %-12s %-14s %10u ", maps[i].name, maps[i].type, maps[i].capacity);
		if (maps[i].entries >= 0)
			printf("%10lld ", maps[i].entries);
		else
			printf("%10s ", "-");
		printf("%12lld\n", maps[i].bytes);
	}
	return 0;
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct json jw, *j = NULL;
	const char *ifname = NULL;
	char name[IF_NAMESIZE];
	struct dirent *de;
	int opt, err, n = 0;
	DIR *d;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json_init(&jw, stdout);
			j = &jw;
			break;
		case 'h':
			printf("usage: shakeoff status [IFACE] [--json]\n\n"
			       "Where shakeoff is attached, in which mode, since when, for which\n"
			       "ports, and what its maps hold and cost. All interfaces without IFACE.\n");
			return 0;
		default:
			return usage_error(CMD, argc, argv, opt);
		}
	}
	if (iface_positional(CMD, argc, argv, &ifname, false))
		return EXIT_USAGE;
	if (need_root(CMD))
		return EXIT_RUNTIME;
	bpffs_ensure();
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
	d = opendir(SO_PIN_ROOT);
	while (d && (de = readdir(d)))
		if (pin_name_ours(de->d_name, name, sizeof(name)) && !show(name, j))
			n++;
	if (d)
		closedir(d);
	if (j) {
		json_arr_end(j);
		putchar('\n');
	} else if (!n) {
		printf("shakeoff is not attached anywhere\n");
	}
	return 0;
}
