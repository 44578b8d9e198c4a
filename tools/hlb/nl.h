/* SPDX-License-Identifier: GPL-2.0 */
/* Generic netlink plumbing: socket, family, requests, dumps, errors. */
#ifndef HLB_NL_H
#define HLB_NL_H

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <linux/hlb.h>

#include "hlb.h"

/* Adds a request's attributes; returns 0 or a negative libnl error. */
typedef int (*hlb_build_fn)(struct nl_msg *msg, const void *arg);
/* Handles one reply; returns 0, or HLB_FAIL after printing why. */
typedef int (*hlb_parse_fn)(struct nlmsghdr *nlh, void *arg);

int hlb_netns_switch(const char *name);

struct nl_sock *hlb_sock_open(int *family);
void hlb_nl_close(void);

/*
 * A request that changes something, acknowledged by the kernel. Returns
 * HLB_OK or HLB_FAIL (the error, with the kernel's extended ACK message,
 * already printed).
 */
int hlb_nl_do(uint8_t cmd, hlb_build_fn build, const void *barg);

/*
 * Replies of a request (dump or not), kept back to back. They are
 * collected before anything is printed, so a failed request prints only
 * its error, and a dump the kernel marks NLM_F_DUMP_INTR is retried from
 * scratch without printing anything twice.
 */
struct hlb_replies {
	char *buf;
	size_t len;
};

int hlb_nl_collect(uint8_t cmd, bool dump, hlb_build_fn build,
		   const void *barg, struct hlb_replies *r);
int hlb_replies_each(const struct hlb_replies *r, hlb_parse_fn parse,
		     void *parg);
void hlb_replies_free(struct hlb_replies *r);
/* collect + each + free. */
int hlb_nl_query(uint8_t cmd, bool dump, hlb_build_fn build,
		 const void *barg, hlb_parse_fn parse, void *parg);

/* collect, then print each reply inside one JSON array. */
int hlb_show_list(uint8_t cmd, bool dump, hlb_build_fn build,
		  const void *barg, hlb_parse_fn print, void *parg);
/* Prints one reply from its parsed top-level attributes (HLB_A_MAX + 1). */
typedef int (*hlb_top_fn)(struct nlattr **tb);
/*
 * collect, then print as one JSON document, no array: for a request with
 * no attributes that the kernel answers with one message (config, the
 * namespace's stats, version). Each reply is parsed here, not by print.
 */
int hlb_show_one(uint8_t cmd, hlb_top_fn print);

/* Unit tests only: a fake kernel that answers requests (see nl.c). */
#define HLB_FAKE_FAMILY 0x7e
typedef void (*hlb_fake_fn)(struct nlmsghdr *req, struct hlb_replies *out);
extern hlb_fake_fn hlb_fake_kernel;

/* Parses a reply's top-level attributes (tb has HLB_A_MAX + 1 slots). */
int hlb_parse_reply(struct nlmsghdr *nlh, struct nlattr **tb);
int hlb_malformed(const char *what);

int hlb_put_key(struct nl_msg *msg, const struct hlb_key *key);
int hlb_put_key_nest(struct nl_msg *msg, const struct hlb_key *key);
int hlb_build_key(struct nl_msg *msg, const void *key);
int hlb_get_key(struct nlattr **tb, struct hlb_key *key);

/* Policies for the nests the kernel sends. */
extern struct nla_policy hlb_svc_policy[HLB_SVC_A_MAX + 1];
extern struct nla_policy hlb_srv_policy[HLB_SRV_A_MAX + 1];

#endif /* HLB_NL_H */
