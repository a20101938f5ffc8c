/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cookie keys. One 128-bit master secret (random, or from a key file that
 * several hosts share) and a KDF: the key of slot t is SipHash(master, t),
 * so every host with the same file computes the same keys from its clock,
 * with nothing to distribute at run time.
 */
#ifndef SO_KEYS_H
#define SO_KEYS_H

#include <linux/types.h>
#include <stdbool.h>

/* Reads 32 hex digits (then the end, or a newline). Returns 0, or -1 with a
 * reason in *why. */
int key_parse(const char *text, __u64 master[2], const char **why);
/*
 * What hosts sharing a key file must also agree on, set in the file itself
 * so they agree by construction: lines after the key, "wscale N" (the
 * window scale every host advertises and hands off with, 0-14),
 * "slot-shift N" (31-40) and "features WORD..." (the TCP options a SYN-ACK
 * may offer, of wscale sack ts ecn: every host's stack must accept them).
 * -1: not set.
 */
struct key_settings {
	int wscale;
	int slot_shift;
	int features; /* "features wscale sack ts ecn" (any of them): enum so_feature bits */
};
/* One line after the key (blank and '#' lines are nothing). 0, or -1 with *why. */
int key_setting_parse(const char *line, struct key_settings *ks, const char **why);
/* key_parse of a file's first line, then its settings; the file must not be
 * readable by others. On error, *line is the line at fault (0: the file). */
int key_file_read(const char *path, __u64 master[2], struct key_settings *ks, int *line,
		  const char **why);
int key_random(__u64 master[2]);
/* The cookie slot of now, slots being 2^shift ns of CLOCK_TAI. */
__u64 slot_now(unsigned int shift);
void key_derive(const __u64 master[2], __u64 slot, __u64 k[2]);

/*
 * Make the key map hold slots now-1 .. now+2. With force, every entry is
 * rewritten from master (a key file: all hosts must agree); without, entries
 * already holding their slot are kept (keys a previous daemon installed, so
 * its cookies stay valid). Returns the number written, or -errno.
 */
int keys_sync(int map_fd, const __u64 master[2], bool force, unsigned int shift);

#endif /* SO_KEYS_H */
