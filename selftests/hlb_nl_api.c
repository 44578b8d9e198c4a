// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink API from raw sockets, without the CLI: every malformed or
 * refused request gets the exact extack message expected and leaves the
 * configuration as it was; callers without CAP_NET_ADMIN may read only.
 *
 * Each test runs in a new network namespace of its own (the harness forks
 * one process per test). Needs the hlb module loaded.
 */
#include <sched.h>
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
	EXPECT_REFUSED(&r, -EINVAL,
		       "HLB_A_SERVICE: invalid type, length or value");
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
	EXPECT_REFUSED(&r, -EINVAL, "unknown top-level attribute");
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

/* Drop every capability in this process (the test's own fork). */
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
	/* Reading needs nothing. */
	ASSERT_EQ(0, snapshot(&self->nl, &self->after));
	EXPECT_EQ(self->before.len, self->after.len);
	req_init(&r, self->nl.family, HLB_CMD_GET_STATS, 0);
	EXPECT_EQ(0, nl_send(&self->nl, &r) ?: nl_recv(&self->nl, NULL, NULL));
}

TEST_HARNESS_MAIN
