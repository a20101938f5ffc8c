/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where shakeoff leaves its maps: /sys/fs/bpf/shakeoff/IFACE/<map>, pinned
 * with BTF so `bpftool map dump pinned ...` shows named fields. Any process
 * (stats, status, detach) finds a daemon's state there.
 *
 * One bpffs serves every network namespace, and interface names repeat
 * across them: outside the initial namespace the directory is
 * IFACE@<netns inode> (e.g. s0@4026532451), so each namespace sees its own.
 */
#ifndef SO_PIN_H
#define SO_PIN_H

#include <stddef.h>

#include "shakeoff.h"

#define SO_PIN_ROOT "/sys/fs/bpf/shakeoff"

/* The pin directory's name for ifname in this namespace (a static buffer). */
const char *pin_name(const char *ifname);
/* Whether a directory under SO_PIN_ROOT belongs to this namespace; sets *ifname. */
int pin_name_ours(const char *dirname, char *ifname, size_t len);
void pin_path(char *buf, size_t len, const char *ifname, const char *map);
/*
 * Make /sys/fs/bpf a bpffs other processes see. `ip netns exec` remounts
 * /sys and hides it: then join the mount namespace we were started from
 * (the network namespace stays). Returns 0, 1 when only a bpffs of our own
 * could be mounted (no other process will see its pins), or -errno.
 */
int bpffs_ensure(void);
/* Open a pinned map of ifname. Returns an fd or -errno. */
int pin_map_open(const char *ifname, const char *map);
int status_read(const char *ifname, struct so_status *st);
/* Unpin every map of ifname and remove its directory. */
void pin_remove(const char *ifname);

#endif /* SO_PIN_H */
