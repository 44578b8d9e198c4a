// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink API from raw sockets, without the CLI: every malformed or
 * refused request gets the exact extack message expected and leaves the
 * configuration as it was; callers without CAP_NET_ADMIN may read only.
 *
 * Each test runs in a new network namespace of its own (the harness forks
 * one process per test). Needs the hlb module loaded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/hlb.h>

#include "kselftest_harness.h"

#define BUF_SIZE 65536

struct nl {
	int fd;
	__u16 family;
	__u32 seq;
	char err_msg[256];
	char buf[BUF_SIZE];
};

/* A request under construction: header, genl header, attributes. */
struct req {
	char buf[4096];
	struct nlmsghdr *nlh;
	struct nlattr *nest[4];
	int depth;
};

static void req_init(struct req *r, __u16 type, __u8 cmd, __u16 flags)
{
	struct genlmsghdr *g;

	memset(r, 0, sizeof(*r));
	r->nlh = (struct nlmsghdr *)r->buf;
	r->nlh->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->nlh->nlmsg_type = type;
	r->nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	g = NLMSG_DATA(r->nlh);
	g->cmd = cmd;
	g->version = HLB_GENL_VERSION;
}

static void put(struct req *r, __u16 type, const void *data, int len)
{
	struct nlattr *a = (void *)(r->buf + NLMSG_ALIGN(r->nlh->nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	r->nlh->nlmsg_len = NLMSG_ALIGN(r->nlh->nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static void put_u8(struct req *r, __u16 t, __u8 v) { put(r, t, &v, 1); }
static void put_u16(struct req *r, __u16 t, __u16 v) { put(r, t, &v, 2); }
static void put_u32(struct req *r, __u16 t, __u32 v) { put(r, t, &v, 4); }

static void nest_start(struct req *r, __u16 type)
{
	r->nest[r->depth++] = (void *)(r->buf + NLMSG_ALIGN(r->nlh->nlmsg_len));
	put(r, type | NLA_F_NESTED, NULL, 0);
}

static void nest_end(struct req *r)
{
	struct nlattr *a = r->nest[--r->depth];

	a->nla_len = r->buf + r->nlh->nlmsg_len - (char *)a;
}

static void put_addr(struct req *r, __u16 type, int family, const char *s)
{
	unsigned char a[16];

	inet_pton(family, s, a);
	put(r, type, a, family == AF_INET ? 4 : 16);
}

/* The service key (VIP) attributes, inside an open HLB_A_SERVICE. */
static void put_vip(struct req *r, int family, __u8 proto, const char *addr,
		    __u16 port)
{
	put_u16(r, HLB_SVC_A_FAMILY, family);
	put_u8(r, HLB_SVC_A_PROTO, proto);
	put_addr(r, HLB_SVC_A_ADDR, family, addr);
	put_u16(r, HLB_SVC_A_PORT, port);
}

static int nl_send(struct nl *nl, struct req *r)
{
	r->nlh->nlmsg_seq = ++nl->seq;
	return send(nl->fd, r->buf, r->nlh->nlmsg_len, 0) < 0 ? -errno : 0;
}

/* The extack message of an error or done message, if there is one. */
static void nl_extack(struct nl *nl, struct nlmsghdr *h, int skip)
{
	struct nlattr *a;
	int len;

	nl->err_msg[0] = 0;
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	a = (void *)((char *)NLMSG_DATA(h) + skip);
	len = (char *)h + h->nlmsg_len - (char *)a;
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		if (a->nla_type == NLMSGERR_ATTR_MSG)
			snprintf(nl->err_msg, sizeof(nl->err_msg), "%s",
				 (char *)a + NLA_HDRLEN);
		len -= NLA_ALIGN(a->nla_len);
		a = (void *)((char *)a + NLA_ALIGN(a->nla_len));
	}
}

/*
 * Read replies until the ACK or the end of a dump. Each reply message is
 * passed to @cb. Returns the kernel's error (0 or -errno).
 */
static int nl_recv(struct nl *nl, void (*cb)(struct nlmsghdr *, void *),
		   void *arg)
{
	for (;;) {
		int n = recv(nl->fd, nl->buf, sizeof(nl->buf), 0);
		struct nlmsghdr *h;

		if (n < 0)
			return -errno;
		for (h = (void *)nl->buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);
				int skip = sizeof(*e);

				if (!(h->nlmsg_flags & NLM_F_CAPPED))
					skip += e->msg.nlmsg_len - sizeof(e->msg);
				nl_extack(nl, h, skip);
				return e->error;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				nl_extack(nl, h, sizeof(int));
				return *(int *)NLMSG_DATA(h);
			}
			if (cb)
				cb(h, arg);
		}
	}
}

static int nl_do(struct nl *nl, struct req *r)
{
	int err = nl_send(nl, r);

	return err ? err : nl_recv(nl, NULL, NULL);
}

static void family_cb(struct nlmsghdr *h, void *arg)
{
	struct nlattr *a = (void *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
	int len = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN) {
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			*(__u16 *)arg = *(__u16 *)((char *)a + NLA_HDRLEN);
		len -= NLA_ALIGN(a->nla_len);
		a = (void *)((char *)a + NLA_ALIGN(a->nla_len));
	}
}

static int nl_open(struct nl *nl)
{
	int one = 1;
	struct req r;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -errno;
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	req_init(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	put(&r, CTRL_ATTR_FAMILY_NAME, HLB_GENL_NAME, sizeof(HLB_GENL_NAME));
	if (nl_send(nl, &r))
		return -errno;
	return nl_recv(nl, family_cb, &nl->family) ?: (nl->family ? 0 : -ENOENT);
}

/* Everything a dump of services and servers returns, as bytes. */
struct snapshot {
	size_t len;
	char data[1 << 20];
};

static void snap_cb(struct nlmsghdr *h, void *arg)
{
	struct snapshot *s = arg;
	size_t len = h->nlmsg_len - NLMSG_HDRLEN;

	if (s->len + len <= sizeof(s->data)) {
		memcpy(s->data + s->len, NLMSG_DATA(h), len);
		s->len += len;
	}
}

static int snapshot(struct nl *nl, struct snapshot *s)
{
	struct req r;
	int err;

	s->len = 0;
	req_init(&r, nl->family, HLB_CMD_GET_SERVICE, NLM_F_DUMP);
	err = nl_send(nl, &r) ?: nl_recv(nl, snap_cb, s);
	if (err)
		return err;
	req_init(&r, nl->family, HLB_CMD_GET_SERVER, NLM_F_DUMP);
	err = nl_send(nl, &r) ?: nl_recv(nl, snap_cb, s);
	if (err)
		return err;
	req_init(&r, nl->family, HLB_CMD_GET_CONFIG, 0);
	return nl_send(nl, &r) ?: nl_recv(nl, snap_cb, s);
}

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

TEST_F(api, timeout_out_of_range)
{
	struct req r;

	new_service(&self->nl, &r);
	nest_start(&r, HLB_SVC_A_TIMEOUTS);
	put_u32(&r, HLB_TO_A_TCP_EST, 100 * 24 * 3600);
	nest_end(&r);
	nest_end(&r);
	EXPECT_REFUSED(&r, -ERANGE,
		       "HLB_TO_A_TCP_EST: invalid type, length or value");
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
