// SPDX-License-Identifier: GPL-2.0
/* Unit tests of kmod/core/hash.c. */
#include <string.h>

#include "unit.h"
#include "hash.h"
#include "maglev.h"

/*
 * Golden values. Routers of one cluster may run different hlb versions
 * while an upgrade rolls through; they must keep choosing the same server
 * for a flow, so these values may only change together with a documented,
 * deliberate change of the flow hash.
 */
static void test_golden(void)
{
	static const u8 v4[4] = { 192, 0, 2, 1 };
	static const u8 v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const char s[] = "hlb: hybrid load balancer";

	CHECK_EQ(hlb_hash64("", 0, 0), 0xe220a8397b1dcdafULL);
	CHECK_EQ(hlb_hash64("hlb", 3, 1), 0x42fbd2a7a7e99214ULL);
	CHECK_EQ(hlb_hash64(s, sizeof(s) - 1, 0x0123456789abcdefULL),
		 0xef7ed69a6dee8270ULL);
	CHECK_EQ(hlb_hash_u64(42, 7), 0x436af2c8966dc582ULL);
	CHECK_EQ(hlb_flow_hash(v4, 4, 12345, true, 1), 0x1d8075c7U);
	CHECK_EQ(hlb_flow_hash(v4, 4, 12345, false, 1), 0x2f96fdedU);
	CHECK_EQ(hlb_flow_hash(v6, 16, 443, true, 0xdeadbeef),
		 0xfc4f735fU);
}

static void test_deterministic(void)
{
	u8 buf[64];
	u64 st = 1, h;
	size_t i, len;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)unit_rand(&st);
	for (len = 0; len <= sizeof(buf); len++) {
		h = hlb_hash64(buf, len, len * 3);
		CHECK_EQ(hlb_hash64(buf, len, len * 3), h);
		CHECK_EQ(hlb_hash32(buf, len, len * 3), (u32)(h >> 32));
	}
}

/* The same bytes hash the same wherever they sit in memory. */
static void test_alignment(void)
{
	u8 src[40], buf[48];
	u64 st = 2, ref;
	size_t off, len, i;

	for (i = 0; i < sizeof(src); i++)
		src[i] = (u8)unit_rand(&st);
	for (len = 0; len <= sizeof(src); len++) {
		ref = hlb_hash64(src, len, 99);
		for (off = 1; off < 8; off++) {
			memset(buf, 0xa5, sizeof(buf));
			memcpy(buf + off, src, len);
			CHECK_EQ(hlb_hash64(buf + off, len, 99), ref);
		}
	}
}

/* hlb_hash_u64() is hlb_hash64() of the little-endian bytes. */
static void test_u64(void)
{
	u64 st = 3, x, seed;
	u8 b[8];
	int i, j;

	for (i = 0; i < 1000; i++) {
		x = unit_rand(&st);
		seed = unit_rand(&st);
		for (j = 0; j < 8; j++)
			b[j] = (u8)(x >> (8 * j));
		CHECK_EQ(hlb_hash_u64(x, seed), hlb_hash64(b, 8, seed));
	}
}

/* The flow hash is the hash of the flow's wire bytes. */
static void test_flow_spec(void)
{
	u8 addr[16], b[18];
	u64 st = 4;
	u32 seed;
	u16 port;
	int i, j;

	for (i = 0; i < 1000; i++) {
		/* The two lengths that have a fast path, and the others. */
		unsigned int len = i % 3 == 0 ? 4 : i % 3 == 1 ? 16 : i % 16;

		for (j = 0; j < 16; j++)
			addr[j] = (u8)unit_rand(&st);
		port = (u16)unit_rand(&st);
		seed = (u32)unit_rand(&st);
		memcpy(b, addr, len);
		b[len] = port >> 8;
		b[len + 1] = port & 0xff;
		CHECK_EQ(hlb_flow_hash(addr, len, port, true, seed),
			 hlb_hash32(b, len + 2,
				    hlb_hash_seed(HLB_HASH_DOM_FLOW, seed)));
		CHECK_EQ(hlb_flow_hash(addr, len, port, false, seed),
			 hlb_flow_hash(addr, len, port ^ 0x5555, false, seed));
		CHECK_EQ(hlb_flow_hash(addr, len, 0, false, seed),
			 hlb_hash32(b, len,
				    hlb_hash_seed(HLB_HASH_DOM_FLOW, seed)));
	}
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static size_t count_dups(u64 *v, size_t n)
{
	size_t i, d = 0;

	qsort(v, n, sizeof(*v), cmp_u64);
	for (i = 1; i < n; i++)
		d += v[i] == v[i - 1];
	return d;
}

/*
 * No 64-bit collisions among inputs that differ only in seed, in length
 * (zero bytes) or in one byte: with a sound hash the chance of one is
 * about n^2 / 2^65, nil here.
 */
static void test_no_collisions(void)
{
	static u8 zero[256];
	size_t n = 0, i, b;
	u64 *v = unit_xmalloc(100000 * sizeof(*v));

	for (i = 0; i < 50000; i++)
		v[n++] = hlb_hash64("flow", 4, i);
	for (i = 0; i <= sizeof(zero); i++)
		v[n++] = hlb_hash64(zero, i, 0);
	for (i = 0; i < 16; i++) {
		for (b = 1; b < 256; b++) {
			u8 x[16] = { 0 };

			x[i] = (u8)b;
			v[n++] = hlb_hash64(x, sizeof(x), 0);
		}
	}
	CHECK_EQ(count_dups(v, n), 0);
	free(v);
}

/*
 * Avalanche: flipping any one input bit flips each output bit with
 * probability 1/2. With 4000 samples a cell's standard deviation is
 * 0.008, so the largest of 128 * 64 cells stays below about 0.04; 0.06
 * fails only for a real bias.
 */
static void avalanche(size_t len, int samples, double *worst)
{
	static int flips[128][64];
	u64 st = 5 + len, h, d;
	u8 in[16];
	size_t bit, i, o;
	int s;

	memset(flips, 0, sizeof(flips));
	for (s = 0; s < samples; s++) {
		for (i = 0; i < len; i++)
			in[i] = (u8)unit_rand(&st);
		h = hlb_hash64(in, len, 77);
		for (bit = 0; bit < len * 8; bit++) {
			in[bit / 8] ^= 1 << (bit % 8);
			d = h ^ hlb_hash64(in, len, 77);
			in[bit / 8] ^= 1 << (bit % 8);
			for (o = 0; o < 64; o++)
				flips[bit][o] += (d >> o) & 1;
		}
	}
	*worst = 0;
	for (bit = 0; bit < len * 8; bit++) {
		for (o = 0; o < 64; o++) {
			double p = (double)flips[bit][o] / samples - 0.5;

			if (p < 0)
				p = -p;
			if (p > *worst)
				*worst = p;
		}
	}
}

static void test_avalanche(void)
{
	static const size_t lens[] = { 4, 6, 8, 16 };
	double worst;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(lens); i++) {
		avalanche(lens[i], 4000, &worst);
		unit_diag("avalanche len %zu: worst bias %.4f", lens[i], worst);
		CHECK(worst < 0.06);
	}
}

/*
 * Chi-square of structured inputs (consecutive addresses or ports) over
 * 1021 buckets. With 1020 degrees of freedom the statistic has mean 1020
 * and deviation 45; 1300 is over six deviations out.
 */
#define NBUCKETS 1021

static double chi2(const unsigned int *cnt, unsigned int total)
{
	double e = (double)total / NBUCKETS, x = 0;
	int i;

	for (i = 0; i < NBUCKETS; i++)
		x += (cnt[i] - e) * (cnt[i] - e) / e;
	return x;
}

static void test_distribution(void)
{
	static unsigned int cnt[3][NBUCKETS];
	const unsigned int total = 1 << 20;
	u8 v4[4], v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	unsigned int i;
	double x;
	int k;

	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < total; i++) {
		u32 a = 0x0a000000 + i;

		v4[0] = a >> 24;
		v4[1] = a >> 16;
		v4[2] = a >> 8;
		v4[3] = a;
		cnt[0][hlb_maglev_bucket(hlb_flow_hash(v4, 4, 0, false, 9),
					 NBUCKETS)]++;
		v4[0] = 198;
		v4[1] = 51;
		v4[2] = 100;
		v4[3] = i >> 16;
		cnt[1][hlb_maglev_bucket(hlb_flow_hash(v4, 4, (u16)i, true, 9),
					 NBUCKETS)]++;
		v6[13] = i >> 16;
		v6[14] = i >> 8;
		v6[15] = i;
		cnt[2][hlb_maglev_bucket(hlb_flow_hash(v6, 16, 80, true, 9),
					 NBUCKETS)]++;
	}
	for (k = 0; k < 3; k++) {
		x = chi2(cnt[k], total);
		unit_diag("chi-square %d: %.1f (expect 1020 +/- 45)", k, x);
		CHECK(x < 1300);
	}
}

/* Different seeds give unrelated bucket choices. */
static void test_seed_independence(void)
{
	static const u8 a[4] = { 203, 0, 113, 7 };
	unsigned int same = 0;
	u32 s;

	for (s = 0; s < 100000; s++)
		same += hlb_maglev_bucket(hlb_flow_hash(a, 4, 1000, true, s),
					  64) ==
			hlb_maglev_bucket(hlb_flow_hash(a, 4, 1000, true,
							s + 1), 64);
	/* expect 100000 / 64 = 1562, deviation 39 */
	unit_diag("same bucket under seeds s, s+1: %u of 100000", same);
	CHECK(same > 1350 && same < 1780);
}

static void test_bucket_range(void)
{
	static const u32 ms[] = { 3, 5, 65537, 1048573 };
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(ms); i++) {
		CHECK_EQ(hlb_maglev_bucket(0, ms[i]), 0);
		CHECK_EQ(hlb_maglev_bucket(0xffffffff, ms[i]), ms[i] - 1);
	}
}

static const struct unit_case cases[] = {
	{ "hash: golden values", test_golden },
	{ "hash: deterministic", test_deterministic },
	{ "hash: independent of alignment", test_alignment },
	{ "hash: u64 is hash of little-endian bytes", test_u64 },
	{ "hash: flow hash is hash of wire bytes", test_flow_spec },
	{ "hash: no collisions on near inputs", test_no_collisions },
	{ "hash: avalanche", test_avalanche },
	{ "hash: bucket distribution", test_distribution },
	{ "hash: seeds independent", test_seed_independence },
	{ "hash: bucket range", test_bucket_range },
};

int main(void)
{
	return unit_run(cases, UNIT_ARRAY_SIZE(cases));
}
