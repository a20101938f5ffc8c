// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <time.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "json.h"
#include "log.h"

int so_verbose;

int so_json_errors;

void so_err(const char *fmt, ...)
{
	struct json j;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "shakeoff: %s\n", msg);
	if (!so_json_errors)
		return;
	/* Whoever asked for JSON on stdout parses the failure there too. */
	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_str(&j, "error", msg);
	json_obj_end(&j);
	fflush(stdout);
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
