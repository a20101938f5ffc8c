/* SPDX-License-Identifier: GPL-2.0 */
/* A small test harness: kernel-selftest style asserts and a test table. */
#ifndef SO_TEST_HARNESS_H
#define SO_TEST_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

extern int test_failed; /* the running test failed an assert */

#define ASSERT_EQ(actual, expected, name)                                                         \
	({                                                                                        \
		long long _a = (long long)(actual), _e = (long long)(expected);                   \
		bool _ok = _a == _e;                                                              \
		if (!_ok) {                                                                       \
			fprintf(stderr, "    %s:%d: %s: got %lld (0x%llx), want %lld (0x%llx)\n", \
				__FILE__, __LINE__, name, _a, (unsigned long long)_a, _e,         \
				(unsigned long long)_e);                                          \
			test_failed = 1;                                                          \
		}                                                                                 \
		_ok;                                                                              \
	})

#define ASSERT_TRUE(cond, name)                                                              \
	({                                                                                   \
		bool _ok = !!(cond);                                                         \
		if (!_ok) {                                                                  \
			fprintf(stderr, "    %s:%d: %s: false\n", __FILE__, __LINE__, name); \
			test_failed = 1;                                                     \
		}                                                                            \
		_ok;                                                                         \
	})

struct test_case {
	const char *name;
	void (*fn)(void);
};

/* Each test file defines a table and registers it with TEST_TABLE. */
struct test_table {
	const struct test_case *cases;
	int n;
};

#define TEST(fn)        \
	{               \
#fn, fn \
	}

#endif /* SO_TEST_HARNESS_H */
