/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Seeded, deterministic hashing for hlb.
 *
 * Every router that runs the same configuration must compute the same
 * hashes, so the functions here are defined on bytes (never on host words)
 * and their output is part of the on-the-wire behaviour: changing them
 * moves flows between servers when routers are upgraded one by one. The
 * unit tests pin golden values for that reason.
 *
 * This is not a cryptographic hash. Seeds keep the bucket of a flow
 * unpredictable to outsiders who do not know them.
 */
#ifndef _HLB_CORE_HASH_H
#define _HLB_CORE_HASH_H

#include "types.h"

/*
 * Hash domains: a 32-bit seed from the configuration is widened to the
 * 64-bit seed of hlb_hash64() with one of these in its upper half, so that
 * the flow hash and the Maglev permutations are independent functions even
 * though they share the service's seed.
 */
#define HLB_HASH_DOM_FLOW	1
#define HLB_HASH_DOM_MAGLEV	2

static inline u64 hlb_hash_seed(u32 domain, u32 seed)
{
	return ((u64)domain << 32) | seed;
}

u64 hlb_hash64(const void *data, size_t len, u64 seed);
u64 hlb_hash_u64(u64 x, u64 seed);

/* The upper half of hlb_hash64(): its best-mixed bits. */
static inline u32 hlb_hash32(const void *data, size_t len, u64 seed)
{
	return (u32)(hlb_hash64(data, len, seed) >> 32);
}

u32 hlb_flow_hash(const u8 *addr, unsigned int addr_len, u16 port,
		  bool use_port, u32 seed);

#endif /* _HLB_CORE_HASH_H */
