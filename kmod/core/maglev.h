/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Weighted Maglev lookup tables.
 *
 * A service's lookup table maps every bucket (a flow hash reduced by
 * hlb_maglev_bucket()) to one of its servers. The table depends only on
 * the set of servers (keys and weights), the seed and the size, never on
 * the order in which the servers are given, so every router with the same
 * configuration picks the same server for the same flow. See the "Lookup
 * table" section of Documentation/design.rst.
 */
#ifndef _HLB_CORE_MAGLEV_H
#define _HLB_CORE_MAGLEV_H

#include "types.h"

/**
 * struct hlb_maglev_server - one server as the table builder sees it
 * @addr: address, network byte order; only the first @addr_len bytes count
 * @addr_len: 4 (IPv4) or 16 (IPv6)
 * @port: port, host byte order
 * @weight: 0..HLB_WEIGHT_MAX; 0 gets no entries (a draining server)
 *
 * (@addr, @addr_len, @port) is the server's key; keys must be unique.
 */
struct hlb_maglev_server {
	u8 addr[16];
	u8 addr_len;
	u16 port;
	u32 weight;
};

/* Return values of hlb_maglev_build() besides 0. */
#define HLB_MAGLEV_EMPTY	1	/* no server has a weight: no table */
#define HLB_MAGLEV_INVALID	(-1)	/* bad size, count, key or weight */

bool hlb_is_prime(u32 n);
bool hlb_maglev_size_valid(u32 m);
size_t hlb_maglev_scratch_size(u32 m, u32 n);
int hlb_maglev_build(u16 *entry, u32 m, const struct hlb_maglev_server *srv,
		     u32 n, u32 seed, void *scratch);

/*
 * hlb_maglev_bucket - reduce a 32-bit flow hash to a bucket in [0, m)
 *
 * Multiply-shift instead of a modulo: no division on the packet path, and
 * as uniform as the hash's upper bits are (hlb_flow_hash() mixes them all).
 */
static inline u32 hlb_maglev_bucket(u32 hash, u32 m)
{
	return (u32)(((u64)hash * m) >> 32);
}

#endif /* _HLB_CORE_MAGLEV_H */
