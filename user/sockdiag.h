/* SPDX-License-Identifier: GPL-2.0 */
/* What the kernel's TCP sockets in this network namespace are (sock_diag). */
#ifndef SO_SOCKDIAG_H
#define SO_SOCKDIAG_H

#include <linux/types.h>

#include "shakeoff.h"

/*
 * Set the bit of every port with a listener reachable from outside (bound
 * to a wildcard or non-loopback address). shakeoff answers SYNs only for
 * those: answering for a port nobody serves would tell the client
 * "connected" before the RST. Returns 0 or -errno.
 */
int listeners_get(__u8 bitmap[SO_PORT_BITMAP_BYTES]);

/*
 * Call fn for every connection of the kernel's on a local port in ports:
 * its tuple as the client sends it, its SO_* state, and for TIME_WAIT the
 * milliseconds it has left. Returns 0 or -errno.
 */
typedef void (*conn_fn)(const struct so_tuple *t, __u8 state, __u32 ms_left, void *ctx);
int connections_get(const __u8 ports[SO_PORT_BITMAP_BYTES], conn_fn fn, void *ctx);

#endif /* SO_SOCKDIAG_H */
