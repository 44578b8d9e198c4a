// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink API from raw sockets, without the CLI: every malformed or
 * refused request gets the exact extack message expected and leaves the
 * configuration as it was; callers without CAP_NET_ADMIN may read only,
 * and not the sessions.
 *
 * Each test runs in a new network namespace of its own (the harness forks
 * one process per test). Needs the hlb module loaded.
 */
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "hlb_nl.h"
#include "kselftest_harness.h"

FIXTURE(api) {
	struct nl nl;
	struct snapshot before, after;
};

/* Two services and a server in a fresh namespace. */
FIXTURE_SETUP(api)
{
	struct req r;

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, nl_open(&self->nl));

	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVICE, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET, IPPROTO_TCP, "10.0.0.1", 80);
	nest_end(&r);
	ASSERT_EQ(0, nl_do(&self->nl, &r));

	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVICE, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET6, IPPROTO_UDP, "2001:db8::1", 53);
	put_u8(&r, HLB_SVC_A_MODE, HLB_MODE_HYBRID);
	nest_end(&r);
	ASSERT_EQ(0, nl_do(&self->nl, &r));

	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVER, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET, IPPROTO_TCP, "10.0.0.1", 80);
	nest_end(&r);
	nest_start(&r, HLB_A_SERVER);
	put_addr(&r, HLB_SRV_A_ADDR, AF_INET, "10.1.0.1");
	put_u16(&r, HLB_SRV_A_PORT, 8080);
	nest_end(&r);
	ASSERT_EQ(0, nl_do(&self->nl, &r));

	ASSERT_EQ(0, snapshot(&self->nl, &self->before));
}

FIXTURE_TEARDOWN(api)
{
	close(self->nl.fd);
}

/* Send @r, expect @err and exactly @msg, and an unchanged configuration. */
#define EXPECT_REFUSED(r, err, msg) do {				\
	EXPECT_EQ(err, nl_do(&self->nl, r));				\
	EXPECT_STREQ(msg, self->nl.err_msg);				\
	ASSERT_EQ(0, snapshot(&self->nl, &self->after));		\
	EXPECT_EQ(self->before.len, self->after.len);			\
	EXPECT_EQ(0, memcmp(self->before.data, self->after.data,	\
			    self->before.len));				\
} while (0)

/* A NEW_SERVICE for tcp 10.0.0.9:80, with room for more attributes. */
static void new_service(struct nl *nl, struct req *r)
{
	req_init(r, nl->family, HLB_CMD_NEW_SERVICE, 0);
	nest_start(r, HLB_A_SERVICE);
	put_vip(r, AF_INET, IPPROTO_TCP, "10.0.0.9", 80);
}

TEST_F(api, missing_service)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVICE, 0);
	EXPECT_REFUSED(&r, -EINVAL, "HLB_A_SERVICE: missing");
}

TEST_F(api, missing_port)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVICE, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_u16(&r, HLB_SVC_A_FAMILY, AF_INET);
	put_u8(&r, HLB_SVC_A_PROTO, IPPROTO_TCP);
	put_addr(&r, HLB_SVC_A_ADDR, AF_INET, "10.0.0.9");
	nest_end(&r);
	EXPECT_REFUSED(&r, -EINVAL, "HLB_SVC_A_PORT: missing");
}

TEST_F(api, missing_server_addr)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVER, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET, IPPROTO_TCP, "10.0.0.1", 80);
	nest_end(&r);
	nest_start(&r, HLB_A_SERVER);
	put_u16(&r, HLB_SRV_A_PORT, 80);
	nest_end(&r);
	EXPECT_REFUSED(&r, -EINVAL, "HLB_SRV_A_ADDR: missing");
}

TEST_F(api, wrong_type)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVICE, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_u16(&r, HLB_SVC_A_FAMILY, AF_INET);
	put_u8(&r, HLB_SVC_A_PROTO, IPPROTO_TCP);
	put_addr(&r, HLB_SVC_A_ADDR, AF_INET, "10.0.0.9");
	put_u32(&r, HLB_SVC_A_PORT, 80);		/* u16 expected */
	nest_end(&r);
	EXPECT_REFUSED(&r, -EINVAL,
		       "HLB_SVC_A_PORT: invalid type, length or value");
}

TEST_F(api, not_nested)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVICE, 0);
	put_u32(&r, HLB_A_SERVICE, 1);
	/* The generic netlink core parses the top level. */
	EXPECT_REFUSED(&r, -EINVAL, "NLA_F_NESTED is missing");
}

TEST_F(api, port_zero)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVICE, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET, IPPROTO_TCP, "10.0.0.9", 0);
	nest_end(&r);
	EXPECT_REFUSED(&r, -ERANGE,
		       "HLB_SVC_A_PORT: invalid type, length or value");
}

TEST_F(api, unknown_mode)
{
	struct req r;

	new_service(&self->nl, &r);
	put_u8(&r, HLB_SVC_A_MODE, 7);
	nest_end(&r);
	EXPECT_REFUSED(&r, -ERANGE,
		       "HLB_SVC_A_MODE: invalid type, length or value");
}

TEST_F(api, unknown_family)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVICE, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_u16(&r, HLB_SVC_A_FAMILY, 99);
	put_u8(&r, HLB_SVC_A_PROTO, IPPROTO_TCP);
	put_addr(&r, HLB_SVC_A_ADDR, AF_INET, "10.0.0.9");
	put_u16(&r, HLB_SVC_A_PORT, 80);
	nest_end(&r);
	EXPECT_REFUSED(&r, -EAFNOSUPPORT,
		       "HLB_SVC_A_FAMILY: must be AF_INET or AF_INET6");
}

TEST_F(api, unknown_proto)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVICE, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET, IPPROTO_ICMP, "10.0.0.9", 80);
	nest_end(&r);
	EXPECT_REFUSED(&r, -EPROTONOSUPPORT,
		       "HLB_SVC_A_PROTO: must be IPPROTO_TCP or IPPROTO_UDP");
}

TEST_F(api, addr_length)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVICE, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_u16(&r, HLB_SVC_A_FAMILY, AF_INET6);
	put_u8(&r, HLB_SVC_A_PROTO, IPPROTO_TCP);
	put_addr(&r, HLB_SVC_A_ADDR, AF_INET, "10.0.0.9");
	put_u16(&r, HLB_SVC_A_PORT, 80);
	nest_end(&r);
	EXPECT_REFUSED(&r, -EINVAL,
		       "HLB_SVC_A_ADDR: length does not match HLB_SVC_A_FAMILY");
}

TEST_F(api, multicast_vip)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVICE, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET, IPPROTO_UDP, "239.1.1.1", 80);
	nest_end(&r);
	EXPECT_REFUSED(&r, -EINVAL, "HLB_SVC_A_ADDR: not a unicast address");
}

TEST_F(api, read_only)
{
	struct req r;

	new_service(&self->nl, &r);
	put_u32(&r, HLB_SVC_A_ID, 5);
	nest_end(&r);
	EXPECT_REFUSED(&r, -EINVAL, "HLB_SVC_A_ID: read-only");
}

TEST_F(api, unknown_nested)
{
	struct req r;

	new_service(&self->nl, &r);
	put_u32(&r, HLB_SVC_A_MAX + 1, 5);
	nest_end(&r);
	EXPECT_REFUSED(&r, -EINVAL, "HLB_A_SERVICE: unknown attribute");
}

TEST_F(api, unknown_top)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_GET_CONFIG, 0);
	put_u32(&r, HLB_A_MAX + 1, 5);
	EXPECT_REFUSED(&r, -EINVAL, "Unknown attribute type");
}

/* A dump's request is parsed as strictly as any other. */
TEST_F(api, unknown_top_in_dump)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_GET_SERVICE, NLM_F_DUMP);
	put_u32(&r, HLB_A_MAX + 1, 5);
	EXPECT_REFUSED(&r, -EINVAL, "Unknown attribute type");
}

TEST_F(api, read_only_top)
{
	struct req r;

	/* Not flagged NLA_F_NESTED: the core would say only that. */
	req_init(&r, self->nl.family, HLB_CMD_SET_CONFIG, 0);
	put_u32(&r, HLB_A_STATS, 0);
	EXPECT_REFUSED(&r, -EINVAL, "HLB_A_STATS: read-only");
}

/*
 * The family validates the generic netlink header (resv_start_op 0): a
 * request with the reserved field set, or with netlink flags the core
 * gives no meaning to here (NLM_F_CREATE), is refused, not ignored.
 */
TEST_F(api, reserved_header_field)
{
	struct genlmsghdr *g;
	struct req r;

	new_service(&self->nl, &r);
	nest_end(&r);
	g = NLMSG_DATA(r.nlh);
	g->reserved = 1;
	EXPECT_REFUSED(&r, -EINVAL, "genlmsghdr.reserved field is not 0");
}

TEST_F(api, reserved_flags)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVICE, NLM_F_CREATE);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET, IPPROTO_TCP, "10.0.0.9", 80);
	nest_end(&r);
	EXPECT_REFUSED(&r, -EINVAL,
		       "ambiguous or reserved bits set in nlmsg_flags");
}

TEST_F(api, duplicate_service)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVICE, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET, IPPROTO_TCP, "10.0.0.1", 80);
	put_u8(&r, HLB_SVC_A_MODE, HLB_MODE_STATELESS);
	nest_end(&r);
	EXPECT_REFUSED(&r, -EEXIST, "HLB_A_SERVICE: service exists");
}

TEST_F(api, server_without_service)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVER, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET, IPPROTO_TCP, "10.0.0.77", 80);
	nest_end(&r);
	nest_start(&r, HLB_A_SERVER);
	put_addr(&r, HLB_SRV_A_ADDR, AF_INET, "10.1.0.2");
	put_u16(&r, HLB_SRV_A_PORT, 80);
	nest_end(&r);
	EXPECT_REFUSED(&r, -ENOENT, "HLB_A_SERVICE: no such service");
}

TEST_F(api, ambiguous_reverse_mapping)
{
	struct req r;

	/* A second TCP service may not use 10.1.0.1:8080 too. */
	new_service(&self->nl, &r);
	nest_end(&r);
	ASSERT_EQ(0, nl_do(&self->nl, &r));
	ASSERT_EQ(0, snapshot(&self->nl, &self->before));

	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVER, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET, IPPROTO_TCP, "10.0.0.9", 80);
	nest_end(&r);
	nest_start(&r, HLB_A_SERVER);
	put_addr(&r, HLB_SRV_A_ADDR, AF_INET, "10.1.0.1");
	put_u16(&r, HLB_SRV_A_PORT, 8080);
	nest_end(&r);
	EXPECT_REFUSED(&r, -EEXIST,
		       "HLB_SRV_A_ADDR: address and port already serve another service of this protocol; replies could not be mapped back");
}

TEST_F(api, duplicate_server)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVER, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET, IPPROTO_TCP, "10.0.0.1", 80);
	nest_end(&r);
	nest_start(&r, HLB_A_SERVER);
	put_addr(&r, HLB_SRV_A_ADDR, AF_INET, "10.1.0.1");
	put_u16(&r, HLB_SRV_A_PORT, 8080);
	nest_end(&r);
	EXPECT_REFUSED(&r, -EEXIST, "HLB_A_SERVER: server exists");
}

TEST_F(api, server_family_mismatch)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVER, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET, IPPROTO_TCP, "10.0.0.1", 80);
	nest_end(&r);
	nest_start(&r, HLB_A_SERVER);
	put_addr(&r, HLB_SRV_A_ADDR, AF_INET6, "2001:db8::5");
	put_u16(&r, HLB_SRV_A_PORT, 80);
	nest_end(&r);
	EXPECT_REFUSED(&r, -EINVAL,
		       "HLB_SRV_A_ADDR: length does not match the service's family");
}

TEST_F(api, weight_out_of_range)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVER, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET, IPPROTO_TCP, "10.0.0.1", 80);
	nest_end(&r);
	nest_start(&r, HLB_A_SERVER);
	put_addr(&r, HLB_SRV_A_ADDR, AF_INET, "10.1.0.3");
	put_u16(&r, HLB_SRV_A_PORT, 80);
	put_u32(&r, HLB_SRV_A_WEIGHT, HLB_WEIGHT_MAX + 1);
	nest_end(&r);
	EXPECT_REFUSED(&r, -ERANGE,
		       "HLB_SRV_A_WEIGHT: invalid type, length or value");
}

TEST_F(api, table_not_prime)
{
	struct req r;

	new_service(&self->nl, &r);
	put_u32(&r, HLB_SVC_A_TABLE_SIZE, 65536);
	nest_end(&r);
	EXPECT_REFUSED(&r, -EINVAL, "HLB_SVC_A_TABLE_SIZE: not a prime number");
}

TEST_F(api, table_too_large)
{
	struct req r;

	new_service(&self->nl, &r);
	put_u32(&r, HLB_SVC_A_TABLE_SIZE, 2000003);	/* prime */
	nest_end(&r);
	EXPECT_REFUSED(&r, -ERANGE,
		       "HLB_SVC_A_TABLE_SIZE: invalid type, length or value");
}

TEST_F(api, table_smaller_than_servers)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_SET_SERVICE, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET, IPPROTO_TCP, "10.0.0.1", 80);
	put_u32(&r, HLB_SVC_A_TABLE_SIZE, 3);
	nest_end(&r);
	/* One server and a table of 3 is fine; a second and third are not. */
	ASSERT_EQ(0, nl_do(&self->nl, &r));
	ASSERT_EQ(0, snapshot(&self->nl, &self->before));
	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVER, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET, IPPROTO_TCP, "10.0.0.1", 80);
	nest_end(&r);
	nest_start(&r, HLB_A_SERVER);
	put_addr(&r, HLB_SRV_A_ADDR, AF_INET, "10.1.0.9");
	put_u16(&r, HLB_SRV_A_PORT, 80);
	nest_end(&r);
	ASSERT_EQ(0, nl_do(&self->nl, &r));
	ASSERT_EQ(0, snapshot(&self->nl, &self->before));
	req_init(&r, self->nl.family, HLB_CMD_NEW_SERVER, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET, IPPROTO_TCP, "10.0.0.1", 80);
	nest_end(&r);
	nest_start(&r, HLB_A_SERVER);
	put_addr(&r, HLB_SRV_A_ADDR, AF_INET, "10.1.0.10");
	put_u16(&r, HLB_SRV_A_PORT, 80);
	nest_end(&r);
	EXPECT_REFUSED(&r, -ENOSPC,
		       "HLB_A_SERVER: service's HLB_SVC_A_TABLE_SIZE must exceed its number of servers");
}

TEST_F(api, hybrid_low_above_high)
{
	struct req r;

	new_service(&self->nl, &r);
	nest_start(&r, HLB_SVC_A_HYBRID);
	put_u32(&r, HLB_HYB_A_NEWFLOW_HIGH, 100);
	put_u32(&r, HLB_HYB_A_NEWFLOW_LOW, 200);
	nest_end(&r);
	nest_end(&r);
	EXPECT_REFUSED(&r, -EINVAL,
		       "HLB_HYB_A_NEWFLOW_LOW: above HLB_HYB_A_NEWFLOW_HIGH");
}

/* kmod/attrs.c's HLB_MSG_TO(). */
#define TIMEOUT_MSG(a)	a ": over the longest timeout: 30 days, or 2^31 - 1 " \
	"jiffies where HZ makes that less (24.8 days at HZ=1000)"

TEST_F(api, timeout_out_of_range)
{
	struct req r;

	new_service(&self->nl, &r);
	nest_start(&r, HLB_SVC_A_TIMEOUTS);
	put_u32(&r, HLB_TO_A_TCP_EST, 100 * 24 * 3600);
	nest_end(&r);
	nest_end(&r);
	EXPECT_REFUSED(&r, -ERANGE, TIMEOUT_MSG("HLB_TO_A_TCP_EST"));
}

/* One second over 30 days: refused whatever the kernel's HZ. */
TEST_F(api, timeout_over_30_days)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_SET_CONFIG, 0);
	nest_start(&r, HLB_A_CONFIG);
	nest_start(&r, HLB_CFG_A_TIMEOUTS);
	put_u32(&r, HLB_TO_A_UDP, 30 * 24 * 3600 + 1);
	nest_end(&r);
	nest_end(&r);
	EXPECT_REFUSED(&r, -ERANGE, TIMEOUT_MSG("HLB_TO_A_UDP"));
}

TEST_F(api, config_zero_timeout)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_SET_CONFIG, 0);
	nest_start(&r, HLB_A_CONFIG);
	nest_start(&r, HLB_CFG_A_TIMEOUTS);
	put_u32(&r, HLB_TO_A_UDP, 0);
	nest_end(&r);
	nest_end(&r);
	EXPECT_REFUSED(&r, -EINVAL,
		       "HLB_CFG_A_TIMEOUTS: a namespace timeout cannot be 0");
}

TEST_F(api, config_session_limit_zero)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_SET_CONFIG, 0);
	nest_start(&r, HLB_A_CONFIG);
	put_u32(&r, HLB_CFG_A_SESSION_LIMIT, 0);
	nest_end(&r);
	EXPECT_REFUSED(&r, -ERANGE,
		       "HLB_CFG_A_SESSION_LIMIT: invalid type, length or value");
}

TEST_F(api, set_missing_service)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_SET_SERVICE, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET, IPPROTO_TCP, "10.0.0.55", 80);
	put_u8(&r, HLB_SVC_A_MODE, HLB_MODE_STATELESS);
	nest_end(&r);
	EXPECT_REFUSED(&r, -ENOENT, "HLB_A_SERVICE: no such service");
}

TEST_F(api, del_missing_server)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_DEL_SERVER, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET, IPPROTO_TCP, "10.0.0.1", 80);
	nest_end(&r);
	nest_start(&r, HLB_A_SERVER);
	put_addr(&r, HLB_SRV_A_ADDR, AF_INET, "10.1.0.1");
	put_u16(&r, HLB_SRV_A_PORT, 8081);
	nest_end(&r);
	EXPECT_REFUSED(&r, -ENOENT,
		       "HLB_A_SERVER: no such server in this service");
}

TEST_F(api, dump_filter_missing_service)
{
	struct req r;

	req_init(&r, self->nl.family, HLB_CMD_GET_SERVER, NLM_F_DUMP);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET, IPPROTO_TCP, "10.0.0.55", 80);
	nest_end(&r);
	EXPECT_REFUSED(&r, -ENOENT, "HLB_A_SERVICE: no such service");
}

TEST_F(api, truncated_attribute)
{
	struct req r;

	new_service(&self->nl, &r);
	nest_end(&r);
	/* Claim one byte more than the message holds. */
	((struct nlattr *)r.nest[0])->nla_len += 4;
	EXPECT_EQ(-EINVAL, nl_do(&self->nl, &r));
	ASSERT_EQ(0, snapshot(&self->nl, &self->after));
	EXPECT_EQ(self->before.len, self->after.len);
}

/* What HLB_CMD_GET_INFO says about objects. */
struct info {
	__u64 obj[__HLB_OBJ_A_MAX];	/* HLB_A_OBJECTS */
	int objects, module_objects;	/* how many of each nest */
};

static void info_cb(struct nlmsghdr *h, void *arg)
{
	struct nlattr *a = (void *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
	int len = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	struct info *in = arg;

	for (; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN;
	     len -= NLA_ALIGN(a->nla_len),
	     a = (void *)((char *)a + NLA_ALIGN(a->nla_len))) {
		struct nlattr *o = (void *)((char *)a + NLA_HDRLEN);
		int olen = a->nla_len - NLA_HDRLEN;

		if ((a->nla_type & NLA_TYPE_MASK) == HLB_A_MODULE_OBJECTS)
			in->module_objects++;
		if ((a->nla_type & NLA_TYPE_MASK) != HLB_A_OBJECTS)
			continue;
		in->objects++;
		for (; olen >= NLA_HDRLEN && o->nla_len >= NLA_HDRLEN;
		     olen -= NLA_ALIGN(o->nla_len),
		     o = (void *)((char *)o + NLA_ALIGN(o->nla_len)))
			if (o->nla_type < __HLB_OBJ_A_MAX &&
			    o->nla_len == NLA_HDRLEN + 8)
				memcpy(&in->obj[o->nla_type],
				       (char *)o + NLA_HDRLEN, 8);
	}
}

static int get_info(struct nl *nl, struct info *in)
{
	struct req r;

	memset(in, 0, sizeof(*in));
	req_init(&r, nl->family, HLB_CMD_GET_INFO, 0);
	return nl_send(nl, &r) ?: nl_recv(nl, info_cb, in);
}

/*
 * A namespace's objects are its own: the fixture's two services, one
 * server and one table (the other service has no server), and nothing
 * in a new namespace, whatever the others hold.
 */
TEST_F(api, objects_per_namespace)
{
	struct info in;
	struct nl nl2;

	ASSERT_EQ(0, get_info(&self->nl, &in));
	EXPECT_EQ(1, in.objects);
	EXPECT_EQ(2ULL, in.obj[HLB_OBJ_A_SERVICES]);
	EXPECT_EQ(1ULL, in.obj[HLB_OBJ_A_SERVERS]);
	EXPECT_EQ(1ULL, in.obj[HLB_OBJ_A_TABLES]);
	EXPECT_EQ(0ULL, in.obj[HLB_OBJ_A_SESSIONS]);

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, nl_open(&nl2));
	ASSERT_EQ(0, get_info(&nl2, &in));
	EXPECT_EQ(1, in.objects);
	EXPECT_EQ(0ULL, in.obj[HLB_OBJ_A_SERVICES]);
	EXPECT_EQ(0ULL, in.obj[HLB_OBJ_A_SERVERS]);
	EXPECT_EQ(0ULL, in.obj[HLB_OBJ_A_TABLES]);
	EXPECT_EQ(0ULL, in.obj[HLB_OBJ_A_SESSIONS]);
	/* The host's root also sees the module's, which hold the first's. */
	EXPECT_EQ(1, in.module_objects);
	close(nl2.fd);
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok ? 0 : -1;
}

/*
 * Allocation failures, one at a time: with fail-nth (fault injection,
 * CONFIG_FAULT_INJECTION and CONFIG_FAILSLAB: the debug kernel of `make
 * check-debug`), the Nth slab allocation of this thread fails, whatever
 * its cache. failslab ignores allocations that may sleep unless told not
 * to, and logs each failure with a stack unless told not to; with its
 * probability at 0 (the default) that changes nothing else. The
 * fail-nth file's fd, or -1 if the kernel cannot.
 */
static int fail_nth_open(void)
{
	struct stat st;

	if (stat("/sys/kernel/debug/failslab", &st))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	if (write_file("/sys/kernel/debug/failslab/ignore-gfp-wait", "N") ||
	    write_file("/sys/kernel/debug/failslab/verbose", "0"))
		return -1;
	return open("/proc/thread-self/fail-nth", O_RDWR);
}

static int fail_nth_set(int fd, int nth)
{
	char b[16];
	int len = snprintf(b, sizeof(b), "%d", nth);

	return pwrite(fd, b, len, 0) == len ? 0 : -1;
}

/* Whether the failure was injected; and no more failures. */
static int fail_nth_injected(int fd)
{
	char b[16] = "";

	if (pread(fd, b, sizeof(b) - 1, 0) <= 0)
		return -1;
	fail_nth_set(fd, 0);
	return atoi(b) == 0;
}

/*
 * Send @r with its Nth allocation failing: 0 or the kernel's error, or
 * 1 if the request never reached the kernel (its skb was the one).
 * *@injected: whether an allocation failed at all.
 */
static int send_failing(struct nl *nl, struct req *r, int fd, int nth,
			int *injected)
{
	int err;

	if (fail_nth_set(fd, nth))
		return -EIO;
	err = nl_send(nl, r) ? 1 : nl_recv(nl, NULL, NULL);
	*injected = fail_nth_injected(fd);
	return err;
}

static void del_req(struct nl *nl, struct req *r, __u8 cmd)
{
	req_init(r, nl->family, cmd, 0);
	nest_start(r, HLB_A_SERVICE);
	put_vip(r, AF_INET, IPPROTO_TCP,
		cmd == HLB_CMD_DEL_SERVICE ? "10.0.0.9" : "10.0.0.1", 80);
	nest_end(r);
	if (cmd == HLB_CMD_DEL_SERVICE)
		return;
	nest_start(r, HLB_A_SERVER);
	put_addr(r, HLB_SRV_A_ADDR, AF_INET, "10.1.0.7");
	put_u16(r, HLB_SRV_A_PORT, 80);
	nest_end(r);
}

/*
 * Every allocation of a NEW_SERVICE or NEW_SERVER failing in turn: each
 * refusal names what it refuses and changes nothing. One refusal may come
 * without a message, and before any that has one: the genl core's own
 * buffer for the parsed attributes, allocated before hlb sees the
 * request.
 */
static void nomem_refusals(struct __test_metadata *_metadata,
			   FIXTURE_DATA(api) *self, __u8 cmd, __u8 del)
{
	int fd = fail_nth_open(), nth, injected, err, bare = 0, named = 0;
	struct req r;

	if (fd < 0)
		SKIP(return, "no fail-nth (CONFIG_FAULT_INJECTION, FAILSLAB)");
	for (nth = 1; nth < 1000; nth++) {
		if (cmd == HLB_CMD_NEW_SERVICE) {
			new_service(&self->nl, &r);
			nest_end(&r);
		} else {
			/* The same service and server as deleted after. */
			del_req(&self->nl, &r, HLB_CMD_DEL_SERVER);
			((struct genlmsghdr *)NLMSG_DATA(r.nlh))->cmd = cmd;
		}
		err = send_failing(&self->nl, &r, fd, nth, &injected);
		ASSERT_LE(0, injected);
		if (!injected) {
			EXPECT_EQ(0, err);
			break;
		}
		if (err < 0 && err != -ENOBUFS) {	/* ENOBUFS: no ACK */
			if (!self->nl.err_msg[0]) {
				EXPECT_EQ(0, named) TH_LOG("nth %d: %d", nth, err);
				bare++;
			} else {
				named++;
			}
			ASSERT_EQ(0, snapshot(&self->nl, &self->after));
			EXPECT_EQ(self->before.len, self->after.len);
			EXPECT_EQ(0, memcmp(self->before.data, self->after.data,
					    self->before.len));
		}
		del_req(&self->nl, &r, del);
		nl_do(&self->nl, &r);
	}
	EXPECT_GT(1000, nth);
	EXPECT_GE(1, bare);
	EXPECT_LT(0, named);
	TH_LOG("%d allocations, %d refusals named", nth - 1, named);
	close(fd);
}

TEST_F(api, nomem_new_service)
{
	nomem_refusals(_metadata, self, HLB_CMD_NEW_SERVICE,
		       HLB_CMD_DEL_SERVICE);
}

TEST_F(api, nomem_new_server)
{
	nomem_refusals(_metadata, self, HLB_CMD_NEW_SERVER, HLB_CMD_DEL_SERVER);
}

/* The id of hlb's one multicast group, into *@arg. */
static void grp_cb(struct nlmsghdr *h, void *arg)
{
	/* The groups are nests numbered from 1: hlb has one. */
	struct nlattr *g = nest_attr(msg_attr(h, CTRL_ATTR_MCAST_GROUPS), 1);
	struct nlattr *id = nest_attr(g, CTRL_ATTR_MCAST_GRP_ID);

	if (id)
		memcpy(arg, (char *)id + NLA_HDRLEN, 4);
}

/* A socket that listens to hlb's events. */
static int events_open(struct nl *ev)
{
	__u32 grp = 0;

	if (nl_open_ctrl(ev, grp_cb, &grp) || !grp)
		return -ENOENT;
	return setsockopt(ev->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
			  sizeof(grp)) ? -errno : 0;
}

/* Events waiting on @ev: how many, or -ENOBUFS if some were lost. */
static int events_pending(struct nl *ev)
{
	int n = 0, lost = 0;

	for (;;) {
		int len = recv(ev->fd, ev->buf, sizeof(ev->buf), MSG_DONTWAIT);
		struct nlmsghdr *h;

		if (len < 0 && errno == ENOBUFS) {
			lost = 1;
			continue;
		}
		if (len <= 0)
			break;
		for (h = (void *)ev->buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len))
			n++;
	}
	return lost ? -ENOBUFS : n;
}

/* SET_SERVER of the fixture's server: @weight, @max_conns. */
static void set_server(struct nl *nl, struct req *r, __u32 weight,
		       __u32 max_conns)
{
	req_init(r, nl->family, HLB_CMD_SET_SERVER, 0);
	nest_start(r, HLB_A_SERVICE);
	put_vip(r, AF_INET, IPPROTO_TCP, "10.0.0.1", 80);
	nest_end(r);
	nest_start(r, HLB_A_SERVER);
	put_addr(r, HLB_SRV_A_ADDR, AF_INET, "10.1.0.1");
	put_u16(r, HLB_SRV_A_PORT, 8080);
	put_u32(r, HLB_SRV_A_WEIGHT, weight);
	put_u32(r, HLB_SRV_A_MAX_CONNS, max_conns);
	nest_end(r);
}

/*
 * A server's weight and limit change together or not at all: with each
 * allocation failing in turn, a refused SET_SERVER leaves the server as
 * it was and announces nothing; one that went through is announced, or
 * the listener is told it lost events (ENOBUFS).
 */
TEST_F(api, nomem_set_server)
{
	int fd = fail_nth_open(), nth, injected, err, refused = 0;
	struct req r;
	struct nl ev;	/* 64 KiB: fine on the harness's stack */

	if (fd < 0)
		SKIP(return, "no fail-nth (CONFIG_FAULT_INJECTION, FAILSLAB)");
	ASSERT_EQ(0, events_open(&ev));
	for (nth = 1; nth < 1000; nth++) {
		set_server(&self->nl, &r, 5, 7);
		err = send_failing(&self->nl, &r, fd, nth, &injected);
		ASSERT_LE(0, injected);
		if (!injected) {
			EXPECT_EQ(0, err);
			break;
		}
		if (err == 0) {
			EXPECT_NE(0, events_pending(&ev))
				TH_LOG("nth %d: a change and no event", nth);
		} else if (err < 0 && err != -ENOBUFS) {
			/* Unnamed: the genl core's, as in nomem_refusals(). */
			if (!self->nl.err_msg[0])
				EXPECT_EQ(0, refused++);
			EXPECT_EQ(0, events_pending(&ev))
				TH_LOG("nth %d: refused, and an event", nth);
			ASSERT_EQ(0, snapshot(&self->nl, &self->after));
			EXPECT_EQ(self->before.len, self->after.len);
			EXPECT_EQ(0, memcmp(self->before.data,
					    self->after.data,
					    self->before.len))
				TH_LOG("nth %d: refused, half-applied", nth);
		}
		set_server(&self->nl, &r, HLB_WEIGHT_DEFAULT, 0);
		ASSERT_EQ(0, nl_do(&self->nl, &r));
		events_pending(&ev);
	}
	EXPECT_GT(1000, nth);
	TH_LOG("%d allocations", nth - 1);
	close(ev.fd);
	close(fd);
}

/* Drop every capability in this process (the test's own fork). */
/*
 * Add tcp VIP:80 with @n servers 10.@net.x.y:80; its table (2003, a prime)
 * just larger than @n, as each server added builds it again.
 */
static int service_with_servers(struct nl *nl, const char *vip, int net, int n)
{
	char addr[32];
	struct req r;
	int i, err;

	req_init(&r, nl->family, HLB_CMD_NEW_SERVICE, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET, IPPROTO_TCP, vip, 80);
	put_u32(&r, HLB_SVC_A_TABLE_SIZE, 2003);
	nest_end(&r);
	err = nl_do(nl, &r);
	for (i = 0; !err && i < n; i++) {
		snprintf(addr, sizeof(addr), "10.%d.%d.%d", net, i / 250,
			 i % 250 + 1);
		req_init(&r, nl->family, HLB_CMD_NEW_SERVER, 0);
		nest_start(&r, HLB_A_SERVICE);
		put_vip(&r, AF_INET, IPPROTO_TCP, vip, 80);
		nest_end(&r);
		nest_start(&r, HLB_A_SERVER);
		put_addr(&r, HLB_SRV_A_ADDR, AF_INET, addr);
		put_u16(&r, HLB_SRV_A_PORT, 80);
		nest_end(&r);
		err = nl_do(nl, &r);
	}
	return err;
}

/* Counts the servers in 10.N/16 of one dump message, in @arg[N]. */
static void count_servers_cb(struct nlmsghdr *h, void *arg)
{
	struct nlattr *addr = nest_attr(msg_attr(h, HLB_A_SERVER),
					HLB_SRV_A_ADDR);
	int *count = arg;

	if (addr && addr->nla_len == NLA_HDRLEN + 4)
		count[((__u8 *)addr + NLA_HDRLEN)[1]]++;
}

/*
 * A server dump that stops inside a service which is deleted before the
 * next chunk goes on with the next service from its first server, not
 * from the deleted one's position.
 */
TEST_F_TIMEOUT(api, server_dump_resumes_after_delete, 600)
{
	int count[256] = { 0 }, seen, n, err;
	struct nlmsghdr *h;
	struct nl other;
	struct req r;

	ASSERT_EQ(0, service_with_servers(&self->nl, "10.0.0.20", 2, 2000));
	ASSERT_EQ(0, service_with_servers(&self->nl, "10.0.0.21", 3, 2000));
	ASSERT_EQ(0, nl_open(&other));

	req_init(&r, self->nl.family, HLB_CMD_GET_SERVER, NLM_F_DUMP);
	ASSERT_EQ(0, nl_send(&self->nl, &r));
	/* The first chunk only: it ends inside the first big service. */
	n = recv(self->nl.fd, self->nl.buf, 4096, 0);
	ASSERT_GT(n, 0);
	for (h = (void *)self->nl.buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
		ASSERT_NE(NLMSG_DONE, h->nlmsg_type);
		count_servers_cb(h, count);
	}
	seen = count[2];
	ASSERT_GT(seen, 0);
	ASSERT_LT(seen, 2000);

	req_init(&r, other.family, HLB_CMD_DEL_SERVICE, 0);
	nest_start(&r, HLB_A_SERVICE);
	put_vip(&r, AF_INET, IPPROTO_TCP, "10.0.0.20", 80);
	nest_end(&r);
	ASSERT_EQ(0, nl_do(&other, &r));
	close(other.fd);

	err = nl_recv(&self->nl, count_servers_cb, count);
	ASSERT_EQ(0, err);
	TH_LOG("first chunk: %d servers; after the delete: %d of the next service",
	       seen, count[3]);
	EXPECT_EQ(2000, count[3]);
}

static int drop_caps(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2] = {};

	return syscall(SYS_capset, &h, d);
}

TEST_F(api, unprivileged)
{
	static const __u8 cmds[] = {
		HLB_CMD_NEW_SERVICE, HLB_CMD_SET_SERVICE, HLB_CMD_DEL_SERVICE,
		HLB_CMD_FLUSH, HLB_CMD_NEW_SERVER, HLB_CMD_SET_SERVER,
		HLB_CMD_DEL_SERVER, HLB_CMD_RESET_STATS, HLB_CMD_SET_CONFIG,
	};
	struct info in;
	struct req r;
	unsigned int i;

	ASSERT_EQ(0, drop_caps());
	for (i = 0; i < sizeof(cmds); i++) {
		req_init(&r, self->nl.family, cmds[i], 0);
		nest_start(&r, HLB_A_SERVICE);
		put_vip(&r, AF_INET, IPPROTO_TCP, "10.0.0.1", 80);
		nest_end(&r);
		EXPECT_EQ(-EPERM, nl_do(&self->nl, &r)) {
			TH_LOG("command %u was not refused", cmds[i]);
		}
	}
	/* Sessions show clients' addresses: the admin's only. */
	req_init(&r, self->nl.family, HLB_CMD_GET_SESSION, NLM_F_DUMP);
	EXPECT_EQ(-EPERM, nl_do(&self->nl, &r));
	/* Other reading needs nothing. */
	ASSERT_EQ(0, snapshot(&self->nl, &self->after));
	EXPECT_EQ(self->before.len, self->after.len);
	req_init(&r, self->nl.family, HLB_CMD_GET_STATS, 0);
	EXPECT_EQ(0, nl_send(&self->nl, &r) ?: nl_recv(&self->nl, NULL, NULL));
	/* The namespace's objects, not every namespace's. */
	ASSERT_EQ(0, get_info(&self->nl, &in));
	EXPECT_EQ(1, in.objects);
	EXPECT_EQ(2ULL, in.obj[HLB_OBJ_A_SERVICES]);
	EXPECT_EQ(0, in.module_objects);
}

TEST_HARNESS_MAIN
