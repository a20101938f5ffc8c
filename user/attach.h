/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attaching shakeoff's programs and undoing it: shakeoff_xdp through libxdp,
 * shakeoff_tc as a tcx link (or a clsact filter), shakeoff_close as a
 * tracing link. Links are pinned beside the maps, so they outlive a crashed
 * daemon as the XDP program does, and a restart or detach finds them.
 */
#ifndef SO_ATTACH_H
#define SO_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <xdp/libxdp.h>

#include "shakeoff.h"

/* Our TC filter's handle and priority on the clsact ingress hook. */
#define SO_TC_HANDLE 0x50ff
#define SO_TC_PRIO   0x50ff

/* Run first among XDP programs sharing the interface: we are a filter. */
#define SO_XDP_RUN_PRIO 10

/* Pin names of the links, in the instance's pin directory. */
#define SO_PIN_TC_LINK	  "link_tc"
#define SO_PIN_CLOSE_LINK "link_close"

/* libbpf 1.1 predates tcx (Linux 6.6): the attach type's value. */
#define SO_BPF_TCX_INGRESS 46

/* Attach prog_fd at ifindex's TC ingress in mode; tcx links are pinned at pin. */
int tc_attach(int ifindex, int prog_fd, enum so_tc_mode mode, const char *pin, bool *qdisc_created);
/* Remove both kinds: the pinned tcx link, our clsact filter (and the qdisc). */
int tc_detach(int ifindex, const char *pin, bool destroy_qdisc);
const char *tc_mode_name(__u8 mode);

/* Detach the shakeoff_xdp that any process attached to ifindex. 0, or -ENOENT. */
int xdp_detach_ours(int ifindex);
/* A new fd of the shakeoff_xdp attached to ifindex, or -ENOENT. */
int xdp_prog_ours(int ifindex);
/*
 * Another XDP program attached alone to ifindex (not through libxdp's
 * dispatcher): ours could only replace it. 1 with its name and id, 0 if
 * there is none; with detach, it is detached (then -errno on failure).
 */
int xdp_foreign(int ifindex, bool detach, char *name, size_t len, __u32 *id);
/* Whether ifindex's XDP program is attached without libxdp's dispatcher. */
bool xdp_is_legacy(int ifindex);
const char *xdp_mode_name(enum xdp_attach_mode mode);

#endif /* SO_ATTACH_H */
