// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: --ports lists. Whatever the text, ports_parse either fails with
 * a reason or returns a set without port 0 that reads back the same when
 * written out as a list again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

/* The set as a list: "a,b-c,...". */
static void render(const __u8 *bm, char *out, size_t size)
{
	size_t n = 0;
	int p = 1, q;

	out[0] = '\0';
	while (p < 65536) {
		if (!(bm[p / 8] & 1 << p % 8)) {
			p++;
			continue;
		}
		for (q = p; q + 1 < 65536 && bm[(q + 1) / 8] & 1 << (q + 1) % 8; q++)
			;
		n += snprintf(out + n, size - n, n ? ",%d" : "%d", p);
		if (q > p)
			n += snprintf(out + n, size - n, "-%d", q);
		if (n >= size)
			abort();
		p = q + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[1 << 20];
	__u8 a[SO_PORT_BITMAP_BYTES], b[SO_PORT_BITMAP_BYTES];
	const char *why = NULL;
	char *s = malloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	if (ports_parse(s, a, &why)) {
		if (!why || !*why)
			abort(); /* a failure always says why */
	} else {
		if (a[0] & 1)
			abort(); /* port 0 is never a port */
		render(a, text, sizeof(text));
		if (text[0] && (ports_parse(text, b, &why) || memcmp(a, b, sizeof(a))))
			abort(); /* the set written out reads back the same */
	}
	free(s);
	return 0;
}
