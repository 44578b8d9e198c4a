/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP (version 13) harness for the userspace unit tests of
 * kmod/core. Each test binary is one translation unit that lists its cases
 * in an array and returns unit_run() of it from main(). The exit status
 * follows kselftest: 0 when every case passed, 1 otherwise.
 */
#ifndef _HLB_UNIT_H
#define _HLB_UNIT_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "types.h"		/* kmod/core's: u8..u64, bool */

struct unit_case {
	const char *name;
	void (*fn)(void);
};

/* Failed checks in the running case; only the first few are printed. */
static unsigned int unit_fails;
#define UNIT_FAILS_SHOWN	8

static inline void __attribute__((format(printf, 1, 2)))
unit_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static inline bool unit_check(bool ok, const char *file, int line,
			      const char *what)
{
	if (!ok && unit_fails++ < UNIT_FAILS_SHOWN)
		unit_diag("%s:%d: check failed: %s", file, line, what);
	return ok;
}

/* Whether details of the last failed check are still worth printing. */
static inline bool unit_verbose(void)
{
	return unit_fails <= UNIT_FAILS_SHOWN;
}

/* CHECK(cond) records a failure and carries on; it returns cond. */
#define CHECK(cond)	unit_check(!!(cond), __FILE__, __LINE__, #cond)

/* CHECK_EQ(a, b) for integers: shows both values on failure. */
#define CHECK_EQ(a, b) ({						\
	unsigned long long __a = (a), __b = (b);			\
	if (!unit_check(__a == __b, __FILE__, __LINE__, #a " == " #b) && \
	    unit_verbose())						\
		unit_diag("  %s = %llu (0x%llx), %s = %llu (0x%llx)",	\
			  #a, __a, __a, #b, __b, __b);			\
	__a == __b;							\
})

static inline u64 unit_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Deterministic test data: SplitMix64, seeded per use. */
static inline u64 unit_rand(u64 *state)
{
	u64 z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, bound), bound > 0; the bias is irrelevant for tests. */
static inline u32 unit_rand_below(u64 *state, u32 bound)
{
	return (u32)(((unit_rand(state) >> 32) * bound) >> 32);
}

static inline void *unit_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p) {
		printf("Bail out! out of memory (%zu bytes)\n", size);
		exit(1);
	}
	return p;
}

static inline int unit_run(const struct unit_case *cases, size_t n)
{
	size_t i, failed = 0;

	printf("TAP version 13\n1..%zu\n", n);
	for (i = 0; i < n; i++) {
		fflush(stdout);
		unit_fails = 0;
		cases[i].fn();
		if (unit_fails > UNIT_FAILS_SHOWN)
			unit_diag("... %u failed checks in all", unit_fails);
		printf("%sok %zu - %s\n", unit_fails ? "not " : "", i + 1,
		       cases[i].name);
		failed += !!unit_fails;
	}
	printf("# Totals: pass:%zu fail:%zu\n", n - failed, failed);
	return failed ? 1 : 0;
}

#define UNIT_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* _HLB_UNIT_H */
