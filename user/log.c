// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <time.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "log.h"

int so_verbose;

void so_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("shakeoff: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void vlog(const char *fmt, va_list ap)
{
	char stamp[32];
	time_t now = time(NULL);

	strftime(stamp, sizeof(stamp), "%H:%M:%S", localtime(&now));
	fprintf(stderr, "%s shakeoff: ", stamp);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void so_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void so_debug(const char *fmt, ...)
{
	va_list ap;

	if (!so_verbose)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

static int lib_print(const char *fmt, va_list ap)
{
	if (so_verbose)
		vfprintf(stderr, fmt, ap);
	return 0;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return lib_print(fmt, ap);
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return lib_print(fmt, ap);
}

void so_log_libs(void)
{
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}
