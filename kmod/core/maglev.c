// SPDX-License-Identifier: GPL-2.0
/*
 * Weighted Maglev lookup table (after Eisenbud et al., "Maglev: A Fast and
 * Reliable Software Network Load Balancer", NSDI 2016).
 *
 * Each server walks its own permutation of the M slots, offset = h1 % M,
 * skip = h2 % (M - 1) + 1, which visits every slot because M is prime.
 * Servers take turns claiming the next free slot of their permutation
 * until the table is full. Weights decide how often a server gets a turn,
 * as in stride scheduling: the server of weight w makes its k-th claim
 * (k = 1, 2, ...) at virtual time k / w, claims happen in virtual time
 * order, and ties go by key order. With equal weights this is the plain
 * round-robin of Maglev. When the table is full at time T every server
 * has made floor(T * w) claims, so shares track weights to within one
 * slot (precisely: between M * w / S - 1 and (M + N) * w / S, S being the
 * sum of the N weights).
 *
 * A server's schedule depends on its own weight only, not on the largest
 * or the total weight, so reweighting one server does not reorder the
 * claims of the others, which keeps the entries that move close to the
 * minimum. (Rounds relative to the largest weight, the other common
 * scheme, reshuffle everyone's turns when that weight changes.)
 *
 * Time is bounded: a min-heap of servers keyed by their next claim time
 * gives each claim in O(log N), so filling costs O(M log N) however skewed
 * the weights (one pass per round over every server would cost
 * O(M * N) when one heavy server makes the rounds many). The slot walk is
 * amortised: a server's position only moves forward over slots that stay
 * taken, and its expected total walk over the fill is O(M log M).
 */
#include <linux/hlb.h>
#include "hash.h"
#include "maglev.h"

/*
 * Per-server state of the fill, in key order. The k-th claim (k = 1, 2,
 * ...) of a server of weight w is due at virtual time k / w, kept as the
 * 32.32 fixed-point floor(k * 2^32 / w) in its heap node and advanced by
 * adding 2^32 / w as a quotient and a remainder: no division per claim.
 *
 * The fixed point orders claims exactly as the rationals would: two
 * different times k / w and k' / w' (w, w' <= 65535) differ by at least
 * 1 / (w * w') > 2^-32, so their scaled values differ by more than 1 and
 * their floors keep the order; equal times give equal floors, and the tie
 * goes to key order, as it should.
 */
struct hlb_mg_perm {
	u64 step;	/* 2^32 / weight */
	u32 step_rem;	/* 2^32 % weight */
	u32 frac;	/* k * 2^32 % weight */
	u32 weight;
	u32 slot;	/* next slot of the permutation to try */
	u32 skip;
	u32 index;	/* in the caller's array */
};

/* A heap node: when the server at @pos in key order claims next. */
struct hlb_mg_node {
	u64 time;
	u32 pos;
};

/**
 * hlb_is_prime - whether @n is prime
 * @n: any value
 *
 * Trial division by 6k +/- 1: at most about 22000 steps for n near 2^32,
 * cheap enough for validating a table size from netlink.
 */
bool hlb_is_prime(u32 n)
{
	u32 i;

	if (n < 4)
		return n >= 2;
	if (n % 2 == 0 || n % 3 == 0)
		return false;
	/* i <= n / i rather than i * i <= n, which overflows u32 */
	for (i = 5; i <= n / i; i += 6)
		if (n % i == 0 || n % (i + 2) == 0)
			return false;
	return true;
}

/* A table size is a prime in (2, HLB_TABLE_SIZE_MAX]. */
bool hlb_maglev_size_valid(u32 m)
{
	return m > 2 && m <= HLB_TABLE_SIZE_MAX && hlb_is_prime(m);
}

/*
 * Taken slots are tracked in a bitmap rather than by reading @entry: the
 * slot walk is a random access per probe, about ln(M) probes per slot, and
 * the bitmap (M / 8 bytes) stays in cache where the table (2 * M) may not.
 */
static size_t hlb_mg_bitmap_size(u32 m)
{
	return ((size_t)m + 63) / 64 * sizeof(u64);
}

/**
 * hlb_maglev_scratch_size - bytes of scratch hlb_maglev_build() needs
 * @m: table size
 * @n: number of servers
 *
 * Return: the size of a buffer, aligned to 8 bytes, to pass as @scratch.
 */
size_t hlb_maglev_scratch_size(u32 m, u32 n)
{
	return hlb_mg_bitmap_size(m) +
	       (size_t)n * (sizeof(struct hlb_mg_node) +
			    sizeof(struct hlb_mg_perm) + sizeof(u32));
}

static int hlb_mg_key_cmp(const struct hlb_maglev_server *a,
			  const struct hlb_maglev_server *b)
{
	int d;

	if (a->addr_len != b->addr_len)
		return a->addr_len < b->addr_len ? -1 : 1;
	d = memcmp(a->addr, b->addr, a->addr_len);
	if (d)
		return d;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return 0;
}

/* Max-heap sift for the heapsort of server indices by key. */
static void hlb_mg_sort_sift(u32 *ord, u32 root, u32 cnt,
			     const struct hlb_maglev_server *srv)
{
	u32 child, tmp;

	while ((child = 2 * root + 1) < cnt) {
		if (child + 1 < cnt &&
		    hlb_mg_key_cmp(&srv[ord[child]], &srv[ord[child + 1]]) < 0)
			child++;
		if (hlb_mg_key_cmp(&srv[ord[root]], &srv[ord[child]]) >= 0)
			return;
		tmp = ord[root];
		ord[root] = ord[child];
		ord[child] = tmp;
		root = child;
	}
}

/*
 * Sorts @ord (indices into @srv) by key. Heapsort: no recursion, no extra
 * memory, O(n log n) whatever the input.
 */
static void hlb_mg_sort(u32 *ord, u32 n, const struct hlb_maglev_server *srv)
{
	u32 i, tmp;

	for (i = 0; i < n; i++)
		ord[i] = i;
	for (i = n / 2; i-- > 0;)
		hlb_mg_sort_sift(ord, i, n, srv);
	for (i = n; i-- > 1;) {
		tmp = ord[0];
		ord[0] = ord[i];
		ord[i] = tmp;
		hlb_mg_sort_sift(ord, 0, i, srv);
	}
}

static bool hlb_mg_server_valid(const struct hlb_maglev_server *s)
{
	return (s->addr_len == 4 || s->addr_len == 16) &&
	       s->weight <= HLB_WEIGHT_MAX;
}

static bool hlb_mg_servers_valid(const struct hlb_maglev_server *srv, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (!hlb_mg_server_valid(&srv[i]))
			return false;
	return true;
}

/*
 * Keys must be unique: with duplicates the table would depend on the input
 * order, the very thing sorting removes. @ord is sorted, so neighbours.
 */
static bool hlb_mg_has_dup(const struct hlb_maglev_server *srv,
			   const u32 *ord, u32 n)
{
	u32 i;

	for (i = 1; i < n; i++)
		if (!hlb_mg_key_cmp(&srv[ord[i - 1]], &srv[ord[i]]))
			return true;
	return false;
}

/* The server's permutation: its hash input is its key, as on the wire. */
static void hlb_mg_perm_init(struct hlb_mg_perm *p,
			     const struct hlb_maglev_server *s, u32 index,
			     u32 m, u32 seed)
{
	u8 buf[18];
	u64 h;

	memcpy(buf, s->addr, s->addr_len);
	buf[s->addr_len] = s->port >> 8;
	buf[s->addr_len + 1] = s->port & 0xff;
	h = hlb_hash64(buf, s->addr_len + 2,
		       hlb_hash_seed(HLB_HASH_DOM_MAGLEV, seed));

	p->slot = (u32)(h >> 32) % m;
	p->skip = (u32)h % (m - 1) + 1;
	p->weight = s->weight;
	p->index = index;
	/* 2^32 = step * w + rem, from 2^32 - 1 without a 64-bit division */
	p->step = 0xffffffffU / p->weight;
	p->step_rem = 0xffffffffU % p->weight + 1;
	if (p->step_rem == p->weight) {
		p->step_rem = 0;
		p->step++;
	}
	p->frac = 0;
}

/* Earlier time first, then key order: the claim order. */
static bool hlb_mg_before(const struct hlb_mg_node *a,
			  const struct hlb_mg_node *b)
{
	return a->time < b->time || (a->time == b->time && a->pos < b->pos);
}

static void hlb_mg_heap_sift(struct hlb_mg_node *heap, u32 root, u32 cnt)
{
	struct hlb_mg_node tmp;
	u32 child;

	while ((child = 2 * root + 1) < cnt) {
		if (child + 1 < cnt && hlb_mg_before(&heap[child + 1],
						     &heap[child]))
			child++;
		if (!hlb_mg_before(&heap[child], &heap[root]))
			return;
		tmp = heap[root];
		heap[root] = heap[child];
		heap[child] = tmp;
		root = child;
	}
}

/*
 * Restores the heap after the top's time grew. The server that just
 * claimed is due after nearly all others (with equal weights, after all
 * of them), so rather than comparing it at every level on the way down,
 * move the hole to a leaf along the earlier children, then bring the node
 * back up the few levels it needs (Floyd's bottom-up heap): about half
 * the comparisons. Keys are unique (pos), so the claim order is the same.
 */
static void hlb_mg_heap_fix_top(struct hlb_mg_node *heap, u32 cnt)
{
	struct hlb_mg_node top = heap[0];
	u32 hole = 0, child, parent;

	/* a server much heavier than the rest often claims again at once */
	if (cnt < 2 || (hlb_mg_before(&top, &heap[1]) &&
			(cnt < 3 || hlb_mg_before(&top, &heap[2]))))
		return;
	while ((child = 2 * hole + 1) < cnt) {
		if (child + 1 < cnt && hlb_mg_before(&heap[child + 1],
						     &heap[child]))
			child++;
		heap[hole] = heap[child];
		hole = child;
	}
	while (hole > 0) {
		parent = (hole - 1) / 2;
		if (!hlb_mg_before(&top, &heap[parent]))
			break;
		heap[hole] = heap[parent];
		hole = parent;
	}
	heap[hole] = top;
}

/* Moves @t on from claim k's time to claim k + 1's. */
static void hlb_mg_advance(struct hlb_mg_perm *p, u64 *t)
{
	*t += p->step;
	p->frac += p->step_rem;
	if (p->frac >= p->weight) {
		p->frac -= p->weight;
		(*t)++;
	}
}

/*
 * Takes the next free slot of @p's permutation. One exists because the
 * table is not full, and the walk cannot pass it: every slot it skips is
 * taken for good, and the permutation is a single cycle over all slots.
 */
static void hlb_mg_claim(u16 *entry, u64 *taken, u32 m,
			 struct hlb_mg_perm *p)
{
	u32 slot = p->slot;

	while (taken[slot / 64] & (1ULL << (slot % 64))) {
		slot += p->skip;
		if (slot >= m)
			slot -= m;
	}
	taken[slot / 64] |= 1ULL << (slot % 64);
	entry[slot] = p->index;
	p->slot = slot;
}

/* Sets up the heap of servers with a weight; returns their number. */
static u32 hlb_mg_setup(struct hlb_mg_perm *perm, struct hlb_mg_node *heap,
			const struct hlb_maglev_server *srv, const u32 *ord,
			u32 n, u32 m, u32 seed)
{
	u32 i, cnt = 0;

	for (i = 0; i < n; i++) {
		if (!srv[ord[i]].weight)
			continue;
		hlb_mg_perm_init(&perm[cnt], &srv[ord[i]], ord[i], m, seed);
		heap[cnt].time = 0;
		heap[cnt].pos = cnt;
		hlb_mg_advance(&perm[cnt], &heap[cnt].time);
		cnt++;
	}
	for (i = cnt / 2; i-- > 0;)
		hlb_mg_heap_sift(heap, i, cnt);
	return cnt;
}

static void hlb_mg_fill(u16 *entry, u64 *taken, u32 m,
			struct hlb_mg_perm *perm, struct hlb_mg_node *heap,
			u32 cnt)
{
	struct hlb_mg_perm *p;
	u32 filled;

	memset(taken, 0, hlb_mg_bitmap_size(m));
	for (filled = 0; filled < m; filled++) {
		p = &perm[heap[0].pos];
		hlb_mg_claim(entry, taken, m, p);
		hlb_mg_advance(p, &heap[0].time);
		hlb_mg_heap_fix_top(heap, cnt);
	}
}

/**
 * hlb_maglev_build - fill a lookup table
 * @entry: the table, @m entries; each becomes an index into @srv
 * @m: table size, see hlb_maglev_size_valid()
 * @srv: the servers, in any order
 * @n: their number, at most HLB_SERVERS_MAX
 * @seed: the service's seed
 * @scratch: hlb_maglev_scratch_size(@m, @n) bytes, 8-byte aligned
 *
 * The table depends on the set of (key, weight) in @srv, @seed and @m
 * only: permuting @srv permutes the indices in @entry and nothing else.
 * Servers of weight 0 get no entries and do not change the table.
 *
 * Return: 0, HLB_MAGLEV_EMPTY if no server has a weight (then @entry is
 * not a table), or HLB_MAGLEV_INVALID.
 */
int hlb_maglev_build(u16 *entry, u32 m, const struct hlb_maglev_server *srv,
		     u32 n, u32 seed, void *scratch)
{
	struct hlb_mg_node *heap;
	struct hlb_mg_perm *perm;
	u64 *taken;
	u32 *ord, cnt;

	if (!hlb_maglev_size_valid(m) || n > HLB_SERVERS_MAX ||
	    !hlb_mg_servers_valid(srv, n))
		return HLB_MAGLEV_INVALID;
	if (!n)
		return HLB_MAGLEV_EMPTY;

	/* 8-byte items first, then 4-byte ones: all stay aligned */
	heap = scratch;
	perm = (struct hlb_mg_perm *)(heap + n);
	taken = (u64 *)(perm + n);
	ord = (u32 *)((u8 *)taken + hlb_mg_bitmap_size(m));

	hlb_mg_sort(ord, n, srv);
	if (hlb_mg_has_dup(srv, ord, n))
		return HLB_MAGLEV_INVALID;
	cnt = hlb_mg_setup(perm, heap, srv, ord, n, m, seed);
	if (!cnt)
		return HLB_MAGLEV_EMPTY;
	hlb_mg_fill(entry, taken, m, perm, heap, cnt);
	return 0;
}
