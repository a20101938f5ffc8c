/* SPDX-License-Identifier: GPL-2.0 */
/* Attaching shakeoff_xdp (libxdp) and shakeoff_tc (libbpf TC), and undoing it. */
#ifndef SO_ATTACH_H
#define SO_ATTACH_H

#include <stdbool.h>
#include <xdp/libxdp.h>

/* Our TC filter's handle and priority on the clsact ingress hook. */
#define SO_TC_HANDLE 0x50ff
#define SO_TC_PRIO 0x50ff

/* Run first among XDP programs sharing the interface: we are a filter. */
#define SO_XDP_RUN_PRIO 10

/* Both hooks: ingress (the handoff) and egress (the server's FIN/RST). */
int tc_attach(int ifindex, int in_fd, int out_fd, bool *qdisc_created);
int tc_detach(int ifindex, bool destroy_qdisc);
/* Detach the shakeoff_xdp that any process attached to ifindex. 0, or -ENOENT. */
int xdp_detach_ours(int ifindex);
/* Whether shakeoff_xdp is attached to ifindex. */
bool xdp_is_ours(int ifindex);
/* Whether ifindex's XDP program is attached without libxdp's dispatcher. */
bool xdp_is_legacy(int ifindex);
const char *xdp_mode_name(enum xdp_attach_mode mode);

#endif /* SO_ATTACH_H */
