/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small raw generic netlink client for hlb's C selftests: build a
 * request attribute by attribute, send it, read replies and the extended
 * ACK. No libnl, so that tests can send anything, malformed included.
 */
#ifndef _HLB_SELFTEST_NL_H
#define _HLB_SELFTEST_NL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/hlb.h>

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

static inline void req_init(struct req *r, __u16 type, __u8 cmd, __u16 flags)
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

static inline void put(struct req *r, __u16 type, const void *data, int len)
{
	struct nlattr *a = (void *)(r->buf + NLMSG_ALIGN(r->nlh->nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	r->nlh->nlmsg_len = NLMSG_ALIGN(r->nlh->nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static inline void put_u8(struct req *r, __u16 t, __u8 v) { put(r, t, &v, 1); }
static inline void put_u16(struct req *r, __u16 t, __u16 v) { put(r, t, &v, 2); }
static inline void put_u32(struct req *r, __u16 t, __u32 v) { put(r, t, &v, 4); }

static inline void nest_start(struct req *r, __u16 type)
{
	r->nest[r->depth++] = (void *)(r->buf + NLMSG_ALIGN(r->nlh->nlmsg_len));
	put(r, type | NLA_F_NESTED, NULL, 0);
}

static inline void nest_end(struct req *r)
{
	struct nlattr *a = r->nest[--r->depth];

	a->nla_len = r->buf + r->nlh->nlmsg_len - (char *)a;
}

static inline void put_addr(struct req *r, __u16 type, int family, const char *s)
{
	unsigned char a[16];

	inet_pton(family, s, a);
	put(r, type, a, family == AF_INET ? 4 : 16);
}

/* The service key (VIP) attributes, inside an open HLB_A_SERVICE. */
static inline void put_vip(struct req *r, int family, __u8 proto, const char *addr,
		    __u16 port)
{
	put_u16(r, HLB_SVC_A_FAMILY, family);
	put_u8(r, HLB_SVC_A_PROTO, proto);
	put_addr(r, HLB_SVC_A_ADDR, family, addr);
	put_u16(r, HLB_SVC_A_PORT, port);
}

static inline int nl_send(struct nl *nl, struct req *r)
{
	r->nlh->nlmsg_seq = ++nl->seq;
	return send(nl->fd, r->buf, r->nlh->nlmsg_len, 0) < 0 ? -errno : 0;
}

/* The attribute @type among the @len bytes of attributes at @a, or NULL. */
static inline struct nlattr *find_attr(void *a, int len, __u16 type)
{
	struct nlattr *b = a;

	while (len >= NLA_HDRLEN && b->nla_len >= NLA_HDRLEN &&
	       b->nla_len <= len) {
		if ((b->nla_type & NLA_TYPE_MASK) == type)
			return b;
		len -= NLA_ALIGN(b->nla_len);
		b = (void *)((char *)b + NLA_ALIGN(b->nla_len));
	}
	return NULL;
}

/* A top-level attribute of a generic netlink message, or NULL. */
static inline struct nlattr *msg_attr(struct nlmsghdr *h, __u16 type)
{
	return find_attr((char *)NLMSG_DATA(h) + GENL_HDRLEN,
			 h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), type);
}

/* An attribute nested in @nest (which may be NULL), or NULL. */
static inline struct nlattr *nest_attr(struct nlattr *nest, __u16 type)
{
	return nest ? find_attr((char *)nest + NLA_HDRLEN,
				nest->nla_len - NLA_HDRLEN, type) : NULL;
}

/* The extack message of an error or done message, if there is one. */
static inline void nl_extack(struct nl *nl, struct nlmsghdr *h, int skip)
{
	char *a = (char *)NLMSG_DATA(h) + skip;
	struct nlattr *msg;

	nl->err_msg[0] = 0;
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	msg = find_attr(a, (char *)h + h->nlmsg_len - a, NLMSGERR_ATTR_MSG);
	if (msg)
		snprintf(nl->err_msg, sizeof(nl->err_msg), "%s",
			 (char *)msg + NLA_HDRLEN);
}

/*
 * Read replies until the ACK or the end of a dump. Each reply message is
 * passed to @cb. Returns the kernel's error (0 or -errno).
 */
static inline int nl_recv(struct nl *nl, void (*cb)(struct nlmsghdr *, void *),
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

static inline int nl_do(struct nl *nl, struct req *r)
{
	int err = nl_send(nl, r);

	return err ? err : nl_recv(nl, NULL, NULL);
}

static inline void family_cb(struct nlmsghdr *h, void *arg)
{
	struct nlattr *a = msg_attr(h, CTRL_ATTR_FAMILY_ID);

	if (a)
		*(__u16 *)arg = *(__u16 *)((char *)a + NLA_HDRLEN);
}

/*
 * A generic netlink socket in @nl, and the controller's answer about
 * hlb's family passed to @cb: its id, its multicast groups.
 */
static inline int nl_open_ctrl(struct nl *nl,
			       void (*cb)(struct nlmsghdr *, void *), void *arg)
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
	return nl_recv(nl, cb, arg);
}

static inline int nl_open(struct nl *nl)
{
	return nl_open_ctrl(nl, family_cb, &nl->family) ?:
	       (nl->family ? 0 : -ENOENT);
}

/* Everything a dump of services and servers returns, as bytes. */
struct snapshot {
	size_t len;
	char data[1 << 20];
};

static inline void snap_cb(struct nlmsghdr *h, void *arg)
{
	struct snapshot *s = arg;
	size_t len = h->nlmsg_len - NLMSG_HDRLEN;

	if (s->len + len <= sizeof(s->data)) {
		memcpy(s->data + s->len, NLMSG_DATA(h), len);
		s->len += len;
	}
}

static inline int snapshot(struct nl *nl, struct snapshot *s)
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


#endif /* _HLB_SELFTEST_NL_H */
