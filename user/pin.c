// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE /* setns */
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
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

/*
 * The initial network namespace's inode: fixed (PROC_NET_INIT_INO) on
 * kernels that number init namespaces statically, as this one does.
 */
#define SO_NET_INIT_INO 0xEFFFFFF9UL

/* 0 in the initial network namespace, else this namespace's inode. */
static unsigned long netns_id(void)
{
	struct stat self, init;

	if (stat("/proc/self/ns/net", &self))
		return 0;
	/* PID 1 may be out of reach (not dumpable): then the fixed number decides. */
	if (stat("/proc/1/ns/net", &init))
		init.st_ino = SO_NET_INIT_INO;
	return self.st_ino == init.st_ino ? 0 : self.st_ino;
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
	snprintf(buf, len, SO_PIN_ROOT "/%s%s%s", pin_name(ifname), map ? "/" : "", map ? map : "");
}

static int is_bpffs(const char *path)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && fs.f_type == BPF_FS_MAGIC;
}

/* The parent of pid, from /proc/PID/stat ("pid (comm) state ppid ..."). */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	int ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		ppid = 0;
	fclose(f);
	return ppid;
}

static ino_t mntns_of(pid_t pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
	return stat(path, &st) ? 0 : st.st_ino;
}

/*
 * A process of the mount namespace we were started from: our nearest
 * ancestor in another mount namespace (`ip netns exec` made ours from its).
 * 0 if there is none to be seen.
 */
static pid_t outer_mntns_pid(void)
{
	ino_t ours = mntns_of(getpid()), theirs;
	pid_t pid = getppid();
	int depth;

	for (depth = 0; pid > 0 && depth < 64; depth++, pid = parent_of(pid)) {
		theirs = mntns_of(pid);
		if (!theirs)
			return 0;
		if (theirs != ours)
			return pid;
	}
	return 0;
}

/*
 * Join the mount namespace of pid: bpffs cannot be bind-mounted from
 * another namespace, but we can live in that one (as under nsenter --net).
 * The working directory is kept, so relative paths still mean what they did.
 */
static int join_mntns(pid_t pid)
{
	char path[64];
	int ns, cwd, err = 0;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return -errno;
	cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (setns(ns, CLONE_NEWNS))
		err = -errno;
	else if (cwd >= 0 && fchdir(cwd))
		err = -errno;
	if (cwd >= 0)
		close(cwd);
	close(ns);
	return err;
}

int bpffs_ensure(void)
{
	char path[64];
	pid_t outer;

	if (is_bpffs("/sys/fs/bpf"))
		return 0;
	/* Hidden by a remount of /sys: see the bpffs of the namespace we came from. */
	outer = outer_mntns_pid();
	if (outer) {
		snprintf(path, sizeof(path), "/proc/%d/root/sys/fs/bpf", outer);
		if (is_bpffs(path) && !join_mntns(outer) && is_bpffs("/sys/fs/bpf"))
			return 0;
	}
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"))
		return -errno;
	return 1;
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
