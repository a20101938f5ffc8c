// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <bpf/bpf.h>

#include "keys.h"
#include "shakeoff.h"
#include "cookie.h"

int key_parse(const char *text, __u64 master[2], const char **why)
{
	const char *p = text;
	int i;

	master[0] = master[1] = 0;
	for (i = 0; i < 32; i++, p++) {
		int d = isdigit((unsigned char)*p)    ? *p - '0'
			: isxdigit((unsigned char)*p) ? tolower((unsigned char)*p) - 'a' + 10
						      : -1;

		if (d < 0)
			break;
		master[i / 16] = master[i / 16] << 4 | d;
	}
	if (i != 32 || (*p && *p != '\n')) {
		*why =
		    "expected 32 hex digits (head -c16 /dev/urandom | od -An -tx1 | tr -d ' \\n')";
		return -1;
	}
	return 0;
}

/* The words after "features": any of wscale, sack, ts, ecn (none: no options). */
static int features_parse(const char *p, struct key_settings *ks, const char **why)
{
	static const struct {
		const char *word;
		int bit;
	} words[] = {
	    {"wscale", SO_F_WSCALE}, {"sack", SO_F_SACK}, {"ts", SO_F_TS}, {"ecn", SO_F_ECN}};
	char word[16];
	int n, i, f = 0;

	while (sscanf(p, "%15s%n", word, &n) == 1) {
		if (word[0] == '#')
			break;
		for (i = 0; i < 4 && strcmp(word, words[i].word); i++)
			;
		if (i == 4) {
			*why = "features: expected any of wscale sack ts ecn";
			return -1;
		}
		f |= words[i].bit;
		p += n;
	}
	ks->features = f;
	return 0;
}

int key_setting_parse(const char *line, struct key_settings *ks, const char **why)
{
	char name[16], extra;
	int v, n;

	line += strspn(line, " \t");
	if (!*line || *line == '\n' || *line == '#')
		return 0;
	n = sscanf(line, "%15s %d %c", name, &v, &extra);
	if (n == 2 && !strcmp(name, "wscale") && v >= 0 && v <= 14) {
		ks->wscale = v;
		return 0;
	}
	if (n == 2 && !strcmp(name, "slot-shift") && v >= 31 && v <= 40) {
		ks->slot_shift = v;
		return 0;
	}
	if (sscanf(line, "%15s", name) == 1 && !strcmp(name, "features"))
		return features_parse(line + strlen("features"), ks, why);
	*why = "expected \"wscale N\" (0-14), \"slot-shift N\" (31-40) or \"features "
	       "[wscale] [sack] [ts] [ecn]\"";
	return -1;
}

int key_file_read(const char *path, __u64 master[2], struct key_settings *ks, int *line,
		  const char **why)
{
	char buf[128];
	struct stat st;
	int err = 0;
	FILE *f;

	ks->wscale = ks->slot_shift = ks->features = -1;
	*line = 0;
	f = fopen(path, "r");
	if (!f) {
		*why = strerror(errno);
		return -1;
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077)) {
		fclose(f);
		*why = "readable by others: chmod 600 it";
		return -1;
	}
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	*line = 1;
	err = key_parse(buf, master, why);
	while (!err && fgets(buf, sizeof(buf), f)) {
		++*line;
		err = key_setting_parse(buf, ks, why);
	}
	fclose(f);
	return err;
}

int key_random(__u64 master[2])
{
	return getrandom(master, 2 * sizeof(__u64), 0) == 2 * sizeof(__u64) ? 0 : -errno;
}

/* The BPF side reads CLOCK_TAI (bpf_ktime_get_tai_ns): so must we. */
__u64 slot_now(unsigned int shift)
{
	struct timespec ts;

	clock_gettime(CLOCK_TAI, &ts);
	return ((__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec) >> shift;
}

#define KDF_DOMAIN 0x73686b6f66663031ULL /* "shkoff01" */

void key_derive(const __u64 master[2], __u64 slot, __u64 k[2])
{
	struct so_sip s;
	int i;

	for (i = 0; i < 2; i++) {
		so_sip_init(&s, master);
		so_sip_word(&s, KDF_DOMAIN);
		so_sip_word(&s, slot);
		so_sip_word(&s, i);
		k[i] = so_sip_final(&s);
	}
}

int keys_sync(int map_fd, const __u64 master[2], bool force, unsigned int shift)
{
	__u64 now = slot_now(shift), s;
	int written = 0;

	for (s = now - 1; s <= now + 2; s++) {
		__u32 idx = s % SO_NKEYS;
		struct so_key key;

		if (!force && !bpf_map_lookup_elem(map_fd, &idx, &key) && key.slot == s)
			continue;
		key.slot = s;
		key_derive(master, s, key.k);
		if (bpf_map_update_elem(map_fd, &idx, &key, BPF_ANY))
			return -errno;
		written++;
	}
	return written;
}
