/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which TCP ports have a listener in this network namespace (sock_diag).
 * shakeoff answers SYNs only for those: answering for a port nobody serves
 * would tell the client "connected" before the RST.
 */
#ifndef SO_LISTEN_H
#define SO_LISTEN_H

#include <linux/types.h>

#include "shakeoff.h"

/* Set the bit of every port with a listener reachable from outside (bound
 * to a wildcard or non-loopback address). Returns 0 or -errno. */
int listeners_get(__u8 bitmap[SO_PORT_BITMAP_BYTES]);

#endif /* SO_LISTEN_H */
