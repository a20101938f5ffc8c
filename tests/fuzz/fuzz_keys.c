// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: key files. key_parse accepts exactly 32 hex digits (then the
 * end or a newline), and what it accepts is those digits' value. A
 * settings line sets only a value in its range, and says why it refuses.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct key_settings ks = {-1, -1, -1};
	char *s = malloc(size + 1), back[40];
	const char *why = NULL;
	bool hex = size >= 32;
	__u64 m[2];
	size_t i;

	memcpy(s, data, size);
	s[size] = '\0';
	for (i = 0; i < 32 && i < size; i++)
		hex &= isxdigit((unsigned char)s[i]) != 0;
	hex &= size >= 32 && (s[32] == '\0' || s[32] == '\n');
	if (key_parse(s, m, &why)) {
		if (hex || !why || !*why)
			abort(); /* refused a good key, or without a reason */
	} else {
		if (!hex)
			abort(); /* accepted something else */
		snprintf(back, sizeof(back), "%016llx%016llx", (unsigned long long)m[0],
			 (unsigned long long)m[1]);
		if (strncasecmp(back, s, 32))
			abort(); /* not the digits' value */
	}
	why = NULL;
	if (key_setting_parse(s, &ks, &why)) {
		if (!why || !*why || ks.wscale != -1 || ks.slot_shift != -1)
			abort(); /* refused without a reason, or changed something anyway */
	} else if ((ks.wscale != -1 && (ks.wscale < 0 || ks.wscale > 14)) ||
		   (ks.slot_shift != -1 && (ks.slot_shift < 31 || ks.slot_shift > 40)) ||
		   (ks.features != -1 && (ks.features & ~0xf)) ||
		   (ks.wscale != -1) + (ks.slot_shift != -1) + (ks.features != -1) > 1) {
		abort(); /* out of range, or one line set two things */
	}
	free(s);
	return 0;
}
