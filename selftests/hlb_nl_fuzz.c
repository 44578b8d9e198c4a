// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink fuzzing: mutated and random requests to every hlb command -
 * wrong nesting, lengths, types, huge values, truncated messages - from a
 * namespace of their own, while a reference configuration sits in
 * another. Afterwards the module must still answer, the reference
 * configuration must be byte-for-byte what it was, and the fuzzed
 * namespace's configuration must still dump. Kernel reports fail the run
 * through selftests/run.sh and tools/vm/run.
 *
 *   HLB_FUZZ_N=100000 HLB_FUZZ_SEED=1 hlb_nl_fuzz
 */
#include <sched.h>
#include <stdbool.h>
#include <sys/time.h>

#include "hlb_nl.h"

static unsigned long long rng;

static unsigned int rnd(void)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return rng >> 33;
}

static unsigned int below(unsigned int n)
{
	return n ? rnd() % n : 0;
}

/* A valid request of a random kind, the seed of a mutation. */
static void seed_service(struct req *r, bool v6)
{
	if (v6)
		put_vip(r, AF_INET6, below(2) ? IPPROTO_TCP : IPPROTO_UDP,
			"2001:db8::1", 1 + below(4));
	else
		put_vip(r, AF_INET, below(2) ? IPPROTO_TCP : IPPROTO_UDP,
			"10.0.0.1", 1 + below(4));
}

static void seed_options(struct req *r)
{
	put_u8(r, HLB_SVC_A_MODE, below(3));
	put_u32(r, HLB_SVC_A_TABLE_SIZE, below(2) ? 251 : 65537);
	put_u32(r, HLB_SVC_A_SEED, rnd());
	nest_start(r, HLB_SVC_A_TIMEOUTS);
	put_u32(r, HLB_TO_A_TCP_EST, below(1000));
	nest_end(r);
	nest_start(r, HLB_SVC_A_HYBRID);
	put_u32(r, HLB_HYB_A_NEWFLOW_HIGH, 100);
	put_u32(r, HLB_HYB_A_NEWFLOW_LOW, below(150));
	nest_end(r);
}

static void seed_server(struct req *r, bool v6)
{
	nest_start(r, HLB_A_SERVER);
	if (v6)
		put_addr(r, HLB_SRV_A_ADDR, AF_INET6, "2001:db8:1::5");
	else
		put_addr(r, HLB_SRV_A_ADDR, AF_INET, "10.1.0.5");
	put_u16(r, HLB_SRV_A_PORT, 80 + below(3));
	put_u32(r, HLB_SRV_A_WEIGHT, below(4));
	nest_end(r);
}

static void seed(struct nl *nl, struct req *r)
{
	__u8 cmd = 1 + below(HLB_CMD_MAX + 1);
	bool v6 = below(2);

	req_init(r, nl->family, cmd, below(4) ? 0 : NLM_F_DUMP);
	switch (cmd) {
	case HLB_CMD_SET_CONFIG:
		nest_start(r, HLB_A_CONFIG);
		put_u32(r, HLB_CFG_A_SESSION_LIMIT, 1 + below(100000));
		nest_end(r);
		return;
	case HLB_CMD_GET_INFO:
	case HLB_CMD_GET_CONFIG:
	case HLB_CMD_FLUSH:
	case HLB_CMD_RESET_STATS:
		return;
	}
	nest_start(r, HLB_A_SERVICE);
	seed_service(r, v6);
	if (cmd == HLB_CMD_NEW_SERVICE || cmd == HLB_CMD_SET_SERVICE)
		seed_options(r);
	nest_end(r);
	if (cmd >= HLB_CMD_NEW_SERVER && cmd <= HLB_CMD_GET_SERVER)
		seed_server(r, v6);
}

/* The attributes of @r, in order, whatever their nesting. */
static int attrs(struct req *r, struct nlattr **out, int max)
{
	char *p = r->buf + NLMSG_LENGTH(GENL_HDRLEN), *end;
	int n = 0;

	end = r->buf + r->nlh->nlmsg_len;
	while (p + NLA_HDRLEN <= end && n < max) {
		struct nlattr *a = (struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN || p + a->nla_len > end)
			break;
		out[n++] = a;
		/* Step into nests, over everything else. */
		p += (a->nla_type & NLA_F_NESTED) ? NLA_HDRLEN :
		     NLA_ALIGN(a->nla_len);
	}
	return n;
}

static const __u32 extremes[] = {
	0, 1, 2, 3, 0x7f, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
	0xffffffff, 65537, 1048573, 1048583, 100000,
};

static void mutate_once(struct req *r)
{
	struct nlattr *a[64];
	int n = attrs(r, a, 64), len = r->nlh->nlmsg_len, i;
	char *body = r->buf + NLMSG_LENGTH(GENL_HDRLEN);
	int body_len = len - NLMSG_LENGTH(GENL_HDRLEN);
	struct nlattr *x;

	switch (below(9)) {
	case 0:	/* a random byte */
		if (body_len > 0)
			body[below(body_len)] = rnd();
		break;
	case 1:	/* a random length */
		if (n)
			a[below(n)]->nla_len = below(len + 16);
		break;
	case 2:	/* truncate */
		r->nlh->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) +
				    below(body_len + 1);
		break;
	case 3:	/* append a random attribute */
		if (len + 80 > (int)sizeof(r->buf))
			break;
		x = (struct nlattr *)(r->buf + NLMSG_ALIGN(len));
		x->nla_type = below(40) | (below(4) ? 0 : NLA_F_NESTED);
		x->nla_len = NLA_HDRLEN + below(64);
		for (i = 0; i < x->nla_len - NLA_HDRLEN; i++)
			((char *)x)[NLA_HDRLEN + i] = rnd();
		r->nlh->nlmsg_len = NLMSG_ALIGN(len) + NLA_ALIGN(x->nla_len);
		break;
	case 4:	/* an extreme value in a 4-byte attribute */
		for (i = 0; i < n; i++) {
			x = a[below(n)];
			if (x->nla_len == NLA_HDRLEN + 4) {
				__u32 v = extremes[below(sizeof(extremes) / 4)];

				memcpy((char *)x + NLA_HDRLEN, &v, 4);
				break;
			}
		}
		break;
	case 5:	/* another command */
		((struct genlmsghdr *)NLMSG_DATA(r->nlh))->cmd = below(24);
		break;
	case 6:	/* the nested flag on, or off */
		if (n)
			a[below(n)]->nla_type ^= NLA_F_NESTED;
		break;
	case 7:	/* another type */
		if (n)
			a[below(n)]->nla_type = (a[0]->nla_type & NLA_F_NESTED) |
						below(40);
		break;
	default: /* wrap everything in one more nest */
		if (len + NLA_HDRLEN > (int)sizeof(r->buf))
			break;
		memmove(body + NLA_HDRLEN, body, body_len);
		x = (struct nlattr *)body;
		x->nla_type = below(10) | NLA_F_NESTED;
		x->nla_len = NLA_HDRLEN + body_len;
		r->nlh->nlmsg_len = len + NLA_HDRLEN;
		break;
	}
}

static long accepted;

/* Any answer will do; none at all is a failure. */
static int exchange(struct nl *nl, struct req *r)
{
	int err = nl_send(nl, r);

	if (err == -EINVAL || err == -EMSGSIZE)
		return 0;	/* refused by the socket layer */
	if (err)
		return err;
	err = nl_recv(nl, NULL, NULL);
	if (err == -EAGAIN)
		return -ETIMEDOUT;
	accepted += !err;
	return 0;
}

static int check(bool ok, int n, const char *what)
{
	printf("%sok %d - %s\n", ok ? "" : "not ", n, what);
	return ok ? 0 : 1;
}

/* The reference configuration: what must survive untouched. */
static int reference(struct nl *nl)
{
	struct req r;
	int i, err = 0;

	for (i = 0; i < 20 && !err; i++) {
		req_init(&r, nl->family, HLB_CMD_NEW_SERVICE, 0);
		nest_start(&r, HLB_A_SERVICE);
		put_vip(&r, AF_INET, IPPROTO_TCP, "10.0.0.1", 1 + i);
		nest_end(&r);
		err = nl_do(nl, &r);
		req_init(&r, nl->family, HLB_CMD_NEW_SERVER, 0);
		nest_start(&r, HLB_A_SERVICE);
		put_vip(&r, AF_INET, IPPROTO_TCP, "10.0.0.1", 1 + i);
		nest_end(&r);
		nest_start(&r, HLB_A_SERVER);
		put_addr(&r, HLB_SRV_A_ADDR, AF_INET, "10.1.0.5");
		put_u16(&r, HLB_SRV_A_PORT, 1 + i);
		nest_end(&r);
		err = err ?: nl_do(nl, &r);
	}
	return err;
}

int main(void)
{
	static struct snapshot before, after, fuzzed;
	static struct nl ref, fz;
	const char *e = getenv("HLB_FUZZ_N");
	long n = e ? atol(e) : 100000, i, lost = 0;
	struct timeval tv = { .tv_sec = 5 };
	int fail = 0;
	struct req r;

	e = getenv("HLB_FUZZ_SEED");
	rng = e ? strtoull(e, NULL, 0) : 20261126;
	printf("TAP version 13\n1..5\n# %ld messages, seed %llu\n", n, rng);
	if (unshare(CLONE_NEWNET) || nl_open(&ref) || reference(&ref) ||
	    snapshot(&ref, &before)) {
		printf("Bail out! cannot set up the reference namespace\n");
		return 1;
	}
	if (unshare(CLONE_NEWNET) || nl_open(&fz)) {
		printf("Bail out! cannot set up the fuzz namespace\n");
		return 1;
	}
	setsockopt(fz.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (i = 0; i < n; i++) {
		int k, rounds = 1 + below(4);

		seed(&fz, &r);
		for (k = 0; k < rounds; k++)
			mutate_once(&r);
		if (exchange(&fz, &r))
			lost++;
		/* Keep the fuzzed configuration small. */
		if (i % 2000 == 1999) {
			req_init(&r, fz.family, HLB_CMD_FLUSH, 0);
			nl_do(&fz, &r);
		}
	}
	/* Mutations that leave a request valid reach deeper code. */
	printf("# %ld accepted, %ld refused\n", accepted, n - accepted - lost);
	fail |= check(!lost, 1, "every message was answered");
	if (lost)
		printf("# %ld unanswered\n", lost);
	req_init(&r, ref.family, HLB_CMD_GET_INFO, 0);
	fail |= check(!nl_do(&ref, &r), 2, "the module still answers");
	fail |= check(!snapshot(&ref, &after) && after.len == before.len &&
		      !memcmp(after.data, before.data, before.len), 3,
		      "the reference configuration is intact");
	fail |= check(!snapshot(&fz, &fuzzed), 4,
		      "the fuzzed configuration still dumps");
	req_init(&r, fz.family, HLB_CMD_FLUSH, 0);
	fail |= check(!nl_do(&fz, &r), 5, "and flushes");
	return fail;
}
