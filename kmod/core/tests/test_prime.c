// SPDX-License-Identifier: GPL-2.0
/* Unit tests of hlb_is_prime() and the table size check. */
#include <linux/hlb.h>

#include "unit.h"
#include "maglev.h"

#define SIEVE_MAX 2097152	/* 2^21 */

/* Every n below 2^21 against a sieve of Eratosthenes. */
static void test_sieve(void)
{
	u8 *comp = calloc(SIEVE_MAX, 1);
	u32 i, j, primes = 0;

	if (!CHECK(comp))
		return;
	comp[0] = 1;
	comp[1] = 1;
	for (i = 2; i * i < SIEVE_MAX; i++)
		if (!comp[i])
			for (j = i * i; j < SIEVE_MAX; j += i)
				comp[j] = 1;
	for (i = 0; i < SIEVE_MAX; i++) {
		CHECK_EQ(hlb_is_prime(i), !comp[i]);
		primes += !comp[i];
	}
	/* pi(2^21) = 155611 */
	CHECK_EQ(primes, 155611);
	free(comp);
}

/* Near 2^32, where i * i would overflow a u32. */
static void test_large(void)
{
	static const u32 primes[] = {
		65521, 65537, 2147483647u, 4294967291u, 4294967279u,
	};
	static const u32 composites[] = {
		4294967295u,		/* 3 * 5 * 17 * 257 * 65537 */
		4293001441u,		/* 65521^2, the largest prime square */
		4292870399u,		/* 65519 * 65521 */
		4294836225u,		/* 65535^2 */
		4294967293u, 4294967289u,
		561, 1105, 1729, 2465,	/* Carmichael numbers */
		3215031751u,		/* strong pseudoprime to 2, 3, 5, 7 */
	};
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(primes); i++)
		CHECK(hlb_is_prime(primes[i]));
	for (i = 0; i < UNIT_ARRAY_SIZE(composites); i++)
		CHECK(!hlb_is_prime(composites[i]));
}

static void test_table_size(void)
{
	CHECK(!hlb_maglev_size_valid(0));
	CHECK(!hlb_maglev_size_valid(1));
	CHECK(!hlb_maglev_size_valid(2));
	CHECK(hlb_maglev_size_valid(3));
	CHECK(!hlb_maglev_size_valid(4));
	CHECK(hlb_maglev_size_valid(HLB_TABLE_SIZE_DEFAULT));
	CHECK(hlb_maglev_size_valid(HLB_TABLE_SIZE_MAX));
	CHECK(hlb_maglev_size_valid(HLB_TABLE_SIZE_MAX - 2));	/* twin */
	CHECK(!hlb_maglev_size_valid(HLB_TABLE_SIZE_MAX - 4));
	CHECK(!hlb_maglev_size_valid(1048583));	/* next prime */
	CHECK(!hlb_maglev_size_valid(4294967291u));
}

static const struct unit_case cases[] = {
	{ "prime: agrees with a sieve below 2^21", test_sieve },
	{ "prime: values near 2^32", test_large },
	{ "prime: table size limits", test_table_size },
};

int main(void)
{
	return unit_run(cases, UNIT_ARRAY_SIZE(cases));
}
