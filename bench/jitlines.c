// SPDX-License-Identifier: GPL-2.0
/*
 * jitlines NAME: where the source lines of the newest loaded BPF program
 * called NAME sit in its JITed image, from the kernel's own line info:
 *   func ADDRESS LENGTH       one line per function (the program, its subprograms)
 *   line ADDRESS FILE:LINE SOURCE
 * perf cannot annotate a JITed BPF program here (perf lacks libopcodes,
 * bpftool lacks libbfd), but it records the addresses; bench/profile.py
 * maps them to these lines (make profile).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

/* The fd of the newest program named name (the highest id), or -1. */
static int newest(const char *name)
{
	__u32 id = 0;
	int best = -1;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, name)) {
			if (best >= 0)
				close(best);
			best = fd;
		} else {
			close(fd);
		}
	}
	return best;
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int main(int argc, char **argv)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), i, nfuncs, nlines;
	struct bpf_line_info *lines;
	__u64 *funcs, *addrs;
	__u32 *func_lens;
	struct btf *btf;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: jitlines PROGRAM-NAME\n");
		return 2;
	}
	fd = newest(argv[1]);
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		fprintf(stderr, "jitlines: no loaded BPF program named %s\n", argv[1]);
		return 1;
	}
	nfuncs = info.nr_jited_ksyms;
	nlines = info.nr_jited_line_info;
	if (!nlines || nlines != info.nr_line_info) {
		fprintf(stderr, "jitlines: %s has no JITed line info (built without BTF?)\n",
			argv[1]);
		return 1;
	}
	funcs = calloc(nfuncs, sizeof(*funcs));
	func_lens = calloc(nfuncs, sizeof(*func_lens));
	addrs = calloc(nlines, sizeof(*addrs));
	lines = calloc(nlines, sizeof(*lines));
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!funcs || !func_lens || !addrs || !lines || !btf) {
		fprintf(stderr, "jitlines: %s\n", strerror(errno));
		return 1;
	}
	memset(&info, 0, sizeof(info));
	info.nr_jited_ksyms = nfuncs;
	info.jited_ksyms = (__u64)(unsigned long)funcs;
	info.nr_jited_func_lens = nfuncs;
	info.jited_func_lens = (__u64)(unsigned long)func_lens;
	info.nr_jited_line_info = nlines;
	info.jited_line_info_rec_size = sizeof(*addrs);
	info.jited_line_info = (__u64)(unsigned long)addrs;
	info.nr_line_info = nlines;
	info.line_info_rec_size = sizeof(*lines);
	info.line_info = (__u64)(unsigned long)lines;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		fprintf(stderr, "jitlines: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < nfuncs; i++)
		printf("func %llx %u\n", (unsigned long long)funcs[i], func_lens[i]);
	for (i = 0; i < nlines; i++) {
		const char *file = btf__name_by_offset(btf, lines[i].file_name_off);
		const char *src = btf__name_by_offset(btf, lines[i].line_off);

		printf("line %llx %s:%u %s\n", (unsigned long long)addrs[i],
		       base(file ? file : "?"), BPF_LINE_INFO_LINE_NUM(lines[i].line_col),
		       src ? src : "");
	}
	btf__free(btf);
	return 0;
}
