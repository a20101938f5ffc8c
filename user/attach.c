// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "attach.h"

#define XDP_PROG_NAME "shakeoff_xdp"

int tc_attach(int ifindex, int in_fd, int out_fd, bool *qdisc_created)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = SO_TC_HANDLE, .priority = SO_TC_PRIO,
		    .prog_fd = in_fd, .flags = BPF_TC_F_REPLACE);
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	*qdisc_created = !err;
	err = bpf_tc_attach(&hook, &opts);
	if (!err) {
		hook.attach_point = BPF_TC_EGRESS;
		opts.prog_fd = out_fd;
		opts.prog_id = 0;
		err = bpf_tc_attach(&hook, &opts);
		if (err) {
			hook.attach_point = BPF_TC_INGRESS;
			opts.prog_fd = opts.prog_id = 0;
			opts.flags = 0;
			bpf_tc_detach(&hook, &opts);
		}
	}
	if (err && *qdisc_created) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
	}
	return err;
}

int tc_detach(int ifindex, bool destroy_qdisc)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = SO_TC_HANDLE, .priority = SO_TC_PRIO);
	int err = bpf_tc_detach(&hook, &opts);

	hook.attach_point = BPF_TC_EGRESS;
	if (bpf_tc_detach(&hook, &opts) && !err)
		err = -ENOENT;

	if (destroy_qdisc) {
		/* Both hooks at once: that removes the qdisc itself. */
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
	}
	return err;
}

static struct xdp_program *find_ours(struct xdp_multiprog *mp)
{
	struct xdp_program *p;

	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		return p && !strcmp(xdp_program__name(p), XDP_PROG_NAME) ? p : NULL;
	}
	for (p = xdp_multiprog__next_prog(NULL, mp); p; p = xdp_multiprog__next_prog(p, mp))
		if (!strcmp(xdp_program__name(p), XDP_PROG_NAME))
			return p;
	return NULL;
}

bool xdp_is_ours(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	bool ours;

	if (libxdp_get_error(mp))
		return false;
	ours = find_ours(mp) != NULL;
	xdp_multiprog__close(mp);
	return ours;
}

bool xdp_is_legacy(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	bool legacy;

	if (libxdp_get_error(mp))
		return false;
	legacy = xdp_multiprog__is_legacy(mp);
	xdp_multiprog__close(mp);
	return legacy;
}

int xdp_detach_ours(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p;
	int err;

	if (libxdp_get_error(mp))
		return -ENOENT;
	p = find_ours(mp);
	if (!p)
		err = -ENOENT;
	else if (xdp_multiprog__is_legacy(mp))
		err = xdp_multiprog__detach(mp);
	else
		err = xdp_program__detach(p, ifindex, xdp_multiprog__attach_mode(mp), 0);
	xdp_multiprog__close(mp);
	return err;
}

const char *xdp_mode_name(enum xdp_attach_mode mode)
{
	switch (mode) {
	case XDP_MODE_NATIVE:
		return "native";
	case XDP_MODE_SKB:
		return "skb";
	case XDP_MODE_HW:
		return "hw";
	default:
		return "unknown";
	}
}
