// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <bpf/bpf.h>

#include "pin.h"

/* 0 in the initial network namespace, else this namespace's inode. */
static unsigned long netns_id(void)
{
	struct stat self, init;

	if (stat("/proc/self/ns/net", &self) || stat("/proc/1/ns/net", &init) ||
	    self.st_ino == init.st_ino)
		return 0;
	return self.st_ino;
}

const char *pin_name(const char *ifname)
{
	static char name[64];
	unsigned long ns = netns_id();

	if (ns)
		snprintf(name, sizeof(name), "%s@%lu", ifname, ns);
	else
		snprintf(name, sizeof(name), "%s", ifname);
	return name;
}

int pin_name_ours(const char *dirname, char *ifname, size_t len)
{
	const char *at = strchr(dirname, '@');
	unsigned long ns = netns_id();

	if (at ? strtoul(at + 1, NULL, 10) != ns : ns != 0)
		return 0;
	snprintf(ifname, len, "%.*s", at ? (int)(at - dirname) : (int)strlen(dirname), dirname);
	return 1;
}

void pin_path(char *buf, size_t len, const char *ifname, const char *map)
{
	snprintf(buf, len, SO_PIN_ROOT "/%s%s%s", pin_name(ifname), map ? "/" : "",
		 map ? map : "");
}

static int is_bpffs(const char *path)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && fs.f_type == BPF_FS_MAGIC;
}

int bpffs_ensure(void)
{
	if (is_bpffs("/sys/fs/bpf"))
		return 0;
	if (is_bpffs("/proc/1/root/sys/fs/bpf")) {
		if (mount("/proc/1/root/sys/fs/bpf", "/sys/fs/bpf", NULL, MS_BIND, NULL))
			return -errno;
		return 0;
	}
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"))
		return -errno;
	return 0;
}

int pin_map_open(const char *ifname, const char *map)
{
	char path[256];
	int fd;

	pin_path(path, sizeof(path), ifname, map);
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

int status_read(const char *ifname, struct so_status *st)
{
	__u32 zero = 0;
	int fd = pin_map_open(ifname, "so_status"), err = 0;

	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &zero, st))
		err = -errno;
	close(fd);
	return err;
}

void pin_remove(const char *ifname)
{
	char dir[256], path[512];
	struct dirent *de;
	DIR *d;

	pin_path(dir, sizeof(dir), ifname, NULL);
	d = opendir(dir);
	if (d) {
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
	rmdir(SO_PIN_ROOT); /* only if no other interface is left */
}
