// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the CLI's numbers. num_arg accepts a decimal in [min, max]
 * and nothing else: its value is the text's, and a refusal is -1.
 * (Refusals print their one line to stderr: run with -close_fd_mask=2.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long min, max, v;
	char *s, *end;
	long long ref;

	if (size < 4)
		return 0;
	/* Bounds as the subcommands use them: 0 or more, up to 2^31. */
	min = data[0] << 8 | data[1];
	max = min + ((long)data[2] << 24 | (long)data[3] << 8);
	s = malloc(size - 4 + 1);
	memcpy(s, data + 4, size - 4);
	s[size - 4] = '\0';
	v = num_arg("fuzz", "--n", s, min, max);
	ref = strtoll(s, &end, 10);
	if (v == -1 ? (end != s && !*end && ref >= min && ref <= max && ref != -1)
		    : (v != ref || v < min || v > max || end == s || *end))
		abort();
	free(s);
	return 0;
}
