/* SPDX-License-Identifier: GPL-2.0 */
/* Messages: errors are one line, "shakeoff: <what>: <why>", on stderr. */
#ifndef SO_LOG_H
#define SO_LOG_H

#include <stdarg.h>

/* Exit statuses of every command. */
#define EXIT_RUNTIME 1
#define EXIT_USAGE   2

extern int so_verbose;
/* Set when --json was asked for: so_err() also prints {"error": "..."} on stdout. */
extern int so_json_errors;

void so_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Daemon progress, timestamped on stderr. */
void so_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void so_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Route libbpf and libxdp messages through so_debug (shown with -v). */
void so_log_libs(void);

#endif /* SO_LOG_H */
