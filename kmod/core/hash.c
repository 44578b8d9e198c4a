// SPDX-License-Identifier: GPL-2.0
/*
 * Seeded byte-string hash.
 *
 * The input is cut into 8-byte little-endian words, read byte by byte so
 * that the result does not depend on the host's endianness or on the
 * alignment of the buffer. Each word is folded into a 64-bit state by
 * "xor, multiply by an odd constant, xor-shift": every step is a bijection
 * of the state, so two inputs of the same length that differ only in their
 * last word never collide, and the multiply spreads each input bit upwards
 * while the shift brings the high bits back down. The length is folded in
 * last (so zero-padding the tail word is unambiguous) and a full 64-bit
 * finalizer (two multiply-xorshift rounds, the well-known SplitMix64
 * constants) gives every output bit a dependence on every input bit.
 */
#include "hash.h"

#define HLB_K_INIT	0x9e3779b97f4a7c15ULL	/* 2^64 / golden ratio */
#define HLB_K_ROUND	0xff51afd7ed558ccdULL
#define HLB_K_FIN1	0xbf58476d1ce4e5b9ULL
#define HLB_K_FIN2	0x94d049bb133111ebULL

static u64 hlb_round(u64 h, u64 w)
{
	h ^= w;
	h *= HLB_K_ROUND;
	return h ^ (h >> 32);
}

static u64 hlb_fmix64(u64 h)
{
	h ^= h >> 30;
	h *= HLB_K_FIN1;
	h ^= h >> 27;
	h *= HLB_K_FIN2;
	return h ^ (h >> 31);
}

/* Reads @len (at most 8) bytes as a little-endian word. */
static u64 hlb_load_le(const u8 *p, size_t len)
{
	u64 w = 0;
	size_t i;

	for (i = 0; i < len; i++)
		w |= (u64)p[i] << (8 * i);
	return w;
}

static u64 hlb_load_le32(const u8 *p)
{
	return (u64)p[0] | (u64)p[1] << 8 | (u64)p[2] << 16 | (u64)p[3] << 24;
}

static u64 hlb_load_le64(const u8 *p)
{
	return hlb_load_le32(p) | hlb_load_le32(p + 4) << 32;
}

/**
 * hlb_hash64 - hash a byte string
 * @data: the bytes; any alignment
 * @len: their number
 * @seed: selects one of 2^64 hash functions
 *
 * Return: a 64-bit hash whose every bit depends on every input bit.
 */
u64 hlb_hash64(const void *data, size_t len, u64 seed)
{
	const u8 *p = data;
	u64 h = seed ^ HLB_K_INIT;
	size_t left = len;

	while (left >= 8) {
		h = hlb_round(h, hlb_load_le64(p));
		p += 8;
		left -= 8;
	}
	if (left)
		h = hlb_round(h, hlb_load_le(p, left));
	return hlb_fmix64(h ^ len);
}

/**
 * hlb_hash_u64 - hash a 64-bit value
 * @x: the value
 * @seed: as for hlb_hash64()
 *
 * Return: hlb_hash64() of the 8 little-endian bytes of @x, without the
 * byte shuffling.
 */
u64 hlb_hash_u64(u64 x, u64 seed)
{
	return hlb_fmix64(hlb_round(seed ^ HLB_K_INIT, x) ^ 8);
}

/**
 * hlb_flow_hash - hash that picks the lookup-table bucket of a flow
 * @addr: client address, network byte order
 * @addr_len: 4 or 16 (longer is cut to 16)
 * @port: client port, host byte order
 * @use_port: false to hash the address only (every flow of a client lands
 *	on the same server)
 * @seed: the service's seed
 *
 * Hashes the address bytes followed, if @use_port, by the port in network
 * byte order, so the input is the flow's bytes as they are on the wire.
 *
 * Return: a 32-bit hash; see hlb_maglev_bucket() to reduce it.
 *
 * The same as hlb_hash64() of the flow's bytes (the unit tests check it),
 * without copying them to a buffer: this runs for every stateless packet,
 * and the words of an address and a port are known in advance. Byte
 * loads at fixed offsets compile to one load each.
 */
u32 hlb_flow_hash(const u8 *addr, unsigned int addr_len, u16 port,
		  bool use_port, u32 seed)
{
	u64 h = hlb_hash_seed(HLB_HASH_DOM_FLOW, seed) ^ HLB_K_INIT;
	u64 pw = use_port ? (u64)(port >> 8) | (u64)(port & 0xff) << 8 : 0;
	size_t len;

	if (addr_len > 16)
		addr_len = 16;
	len = addr_len + (use_port ? 2 : 0);
	if (addr_len == 4) {
		h = hlb_round(h, hlb_load_le32(addr) | pw << 32);
	} else if (addr_len == 16) {
		h = hlb_round(h, hlb_load_le64(addr));
		h = hlb_round(h, hlb_load_le64(addr + 8));
		if (use_port)
			h = hlb_round(h, pw);
	} else {
		u8 buf[18];

		memcpy(buf, addr, addr_len);
		buf[addr_len] = port >> 8;
		buf[addr_len + 1] = port & 0xff;
		return hlb_hash32(buf, len,
				  hlb_hash_seed(HLB_HASH_DOM_FLOW, seed));
	}
	return (u32)(hlb_fmix64(h ^ len) >> 32);
}
