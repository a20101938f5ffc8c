/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommands, one file each, and what they share. */
#ifndef SO_CMD_H
#define SO_CMD_H

#include <stdbool.h>

int cmd_run(int argc, char **argv);
int cmd_backend(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_top(int argc, char **argv);

/* An unknown option or a missing argument: one line, exit status 2. */
int usage_error(const char *cmd, int argc, char **argv, int opt);
/* After getopt: the one interface argument (required or not), nothing else.
 * Returns 0, or -1 after reporting the error. */
int iface_positional(const char *cmd, int argc, char **argv, const char **ifname, bool required);
/* The interface argument of cmd: its index, or 0 after reporting the error. */
int iface_arg(const char *cmd, const char *ifname);
/* A positive integer argument; returns -1 after reporting the error. */
long num_arg(const char *cmd, const char *flag, const char *s, long min, long max);
int need_root(const char *cmd);

#endif /* SO_CMD_H */
