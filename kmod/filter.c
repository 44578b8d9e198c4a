// SPDX-License-Identifier: GPL-2.0
/*
 * Which packets can be hlb's at all. The packet path tests this before
 * any lookup, so that traffic that only passes through the router (most
 * of it, on a router) costs a parse and a bit test:
 *  - per kind (VIP or server) and protocol, a bitmap of ports: a packet
 *    whose destination port no service has (PRE_ROUTING), or whose
 *    source port no server has (POST_ROUTING), is not hlb's;
 *  - per kind, the set of addresses, for the one decision that has no
 *    port to go by: whether a packet too malformed to parse is hlb's to
 *    drop and count, or a bystander's to pass untouched.
 * Both are kept exact for "no" by counting the users of each bit and
 * address under hn->lock; the packet path only reads them, under RCU.
 * IPv4 and IPv6 share the bitmaps: a false "yes" costs one lookup.
 */
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "filter.h"

struct hlb_filter_key {
	union hlb_addr addr;
	u8 family;
	u8 kind;
	u16 pad;
};

struct hlb_filter_addr {
	struct rhash_head node;
	struct hlb_filter_key key;
	u32 users;
	struct rcu_head rcu;
};

static const struct rhashtable_params hlb_filter_params = {
	.key_len = sizeof(struct hlb_filter_key),
	.key_offset = offsetof(struct hlb_filter_addr, key),
	.head_offset = offsetof(struct hlb_filter_addr, node),
	.automatic_shrinking = true,
};

int hlb_filter_init(struct hlb_net *hn)
{
	xa_init(&hn->filter_refs);
	return rhashtable_init(&hn->filter_addrs, &hlb_filter_params);
}

/* After every service is gone: nothing is left in either. */
void hlb_filter_exit(struct hlb_net *hn)
{
	WARN_ON(!xa_empty(&hn->filter_refs));
	xa_destroy(&hn->filter_refs);
	rhashtable_destroy(&hn->filter_addrs);
}

static void hlb_filter_addr_key(int kind, const struct hlb_key *key,
				struct hlb_filter_key *k)
{
	memset(k, 0, sizeof(*k));
	k->addr = key->addr;
	k->family = key->family;
	k->kind = kind;
}

bool hlb_filter_addr(struct hlb_net *hn, int kind, u8 family,
		     const union hlb_addr *addr)
{
	struct hlb_filter_key k;

	memset(&k, 0, sizeof(k));
	memcpy(&k.addr, addr, hlb_addr_len(family));
	k.family = family;
	k.kind = kind;
	return rhashtable_lookup_fast(&hn->filter_addrs, &k,
				      hlb_filter_params);
}

static int hlb_filter_addr_get(struct hlb_net *hn, int kind,
			       const struct hlb_key *key)
{
	struct hlb_filter_addr *a;
	struct hlb_filter_key k;
	int err;

	hlb_filter_addr_key(kind, key, &k);
	a = rhashtable_lookup_fast(&hn->filter_addrs, &k, hlb_filter_params);
	if (a) {
		a->users++;
		return 0;
	}
	a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	if (!a)
		return -ENOMEM;
	a->key = k;
	a->users = 1;
	err = rhashtable_insert_fast(&hn->filter_addrs, &a->node,
				     hlb_filter_params);
	if (err)
		kfree(a);
	return err;
}

static void hlb_filter_addr_put(struct hlb_net *hn, int kind,
				const struct hlb_key *key)
{
	struct hlb_filter_addr *a;
	struct hlb_filter_key k;

	hlb_filter_addr_key(kind, key, &k);
	a = rhashtable_lookup_fast(&hn->filter_addrs, &k, hlb_filter_params);
	if (WARN_ON(!a) || --a->users)
		return;
	rhashtable_remove_fast(&hn->filter_addrs, &a->node, hlb_filter_params);
	kfree_rcu(a, rcu);
}

/* Where the users of a key's port bit are counted. */
static unsigned long hlb_filter_index(int kind, const struct hlb_key *key)
{
	unsigned long map = kind * 2 + (key->proto == IPPROTO_UDP);

	return map * HLB_FILTER_BITS + (key->port & (HLB_FILTER_BITS - 1));
}

static int hlb_filter_port_get(struct hlb_net *hn, int kind,
			       const struct hlb_key *key)
{
	unsigned long i = hlb_filter_index(kind, key);
	unsigned long users = xa_to_value(xa_load(&hn->filter_refs, i));
	int err;

	err = xa_err(xa_store(&hn->filter_refs, i, xa_mk_value(users + 1),
			      GFP_KERNEL_ACCOUNT));
	if (err)
		return err;
	set_bit(key->port & (HLB_FILTER_BITS - 1),
		hlb_filter_map(hn, kind, key->proto));
	return 0;
}

static void hlb_filter_port_put(struct hlb_net *hn, int kind,
				const struct hlb_key *key)
{
	unsigned long i = hlb_filter_index(kind, key);
	unsigned long users = xa_to_value(xa_load(&hn->filter_refs, i));

	if (WARN_ON(!users))
		return;
	if (users > 1) {
		/* Replacing an entry allocates nothing. */
		xa_store(&hn->filter_refs, i, xa_mk_value(users - 1),
			 GFP_KERNEL);
		return;
	}
	xa_erase(&hn->filter_refs, i);
	clear_bit(key->port & (HLB_FILTER_BITS - 1),
		  hlb_filter_map(hn, kind, key->proto));
}

/* Before the service or server is published: the packet path must never
 * miss it because its bit is not set yet.
 */
int hlb_filter_add(struct hlb_net *hn, int kind, const struct hlb_key *key)
{
	int err;

	lockdep_assert_held(&hn->lock);
	err = hlb_filter_port_get(hn, kind, key);
	if (err)
		return err;
	err = hlb_filter_addr_get(hn, kind, key);
	if (err)
		hlb_filter_port_put(hn, kind, key);
	return err;
}

void hlb_filter_del(struct hlb_net *hn, int kind, const struct hlb_key *key)
{
	lockdep_assert_held(&hn->lock);
	hlb_filter_port_put(hn, kind, key);
	hlb_filter_addr_put(hn, kind, key);
}
