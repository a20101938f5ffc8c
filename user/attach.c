// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.h"

#define XDP_PROG_NAME "shakeoff_xdp"

/* A filter on the clsact qdisc (made if there is none: then ours to remove). */
static int clsact_attach(int ifindex, int prog_fd, bool *qdisc_created)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = SO_TC_HANDLE, .priority = SO_TC_PRIO,
		    .prog_fd = prog_fd, .flags = BPF_TC_F_REPLACE);
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	*qdisc_created = !err;
	err = bpf_tc_attach(&hook, &opts);
	if (err && *qdisc_created) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
		*qdisc_created = false;
	}
	return err;
}

int tc_attach(int ifindex, int prog_fd, enum so_tc_mode mode, const char *pin, bool *qdisc_created)
{
	int fd, err;

	*qdisc_created = false;
	if (mode == SO_TC_CLSACT)
		return clsact_attach(ifindex, prog_fd, qdisc_created);
	/* tcx: no qdisc, no classifier walk; the link lives as long as its pin. */
	fd = bpf_link_create(prog_fd, ifindex, SO_BPF_TCX_INGRESS, NULL);
	if (fd < 0)
		return -errno;
	err = bpf_obj_pin(fd, pin) ? -errno : 0;
	close(fd);
	return err;
}

int tc_detach(int ifindex, const char *pin, bool destroy_qdisc)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = SO_TC_HANDLE, .priority = SO_TC_PRIO);
	int err = -ENOENT;

	if (pin && !unlink(pin))
		err = 0; /* the last reference to the tcx link: it detaches */
	if (ifindex && !bpf_tc_detach(&hook, &opts))
		err = 0;
	if (ifindex && destroy_qdisc) {
		/* Both hooks at once: that removes the qdisc itself. */
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
	}
	return err;
}

const char *tc_mode_name(__u8 mode)
{
	switch (mode) {
	case SO_TC_TCX:
		return "tcx";
	case SO_TC_CLSACT:
		return "clsact";
	default:
		return "none";
	}
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

int xdp_prog_ours(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p;
	int fd = -ENOENT;

	if (libxdp_get_error(mp))
		return -ENOENT;
	p = find_ours(mp);
	if (p)
		fd = fcntl(xdp_program__fd(p), F_DUPFD_CLOEXEC, 0);
	xdp_multiprog__close(mp);
	return fd < 0 && fd != -ENOENT ? -errno : fd;
}

int xdp_foreign(int ifindex, bool detach, char *name, size_t len, __u32 *id)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p;
	int ret = 0;

	if (libxdp_get_error(mp))
		return 0;
	/* Through the dispatcher programs share the hook: nobody has to go. */
	p = xdp_multiprog__is_legacy(mp) ? xdp_multiprog__main_prog(mp) : NULL;
	if (p && strcmp(xdp_program__name(p), XDP_PROG_NAME)) {
		snprintf(name, len, "%s", xdp_program__name(p));
		*id = xdp_program__id(p);
		ret = 1;
		if (detach)
			ret = xdp_multiprog__detach(mp) ?: 1;
	}
	xdp_multiprog__close(mp);
	return ret;
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
