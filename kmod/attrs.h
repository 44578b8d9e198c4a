/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HLB_ATTRS_H
#define _HLB_ATTRS_H

#include <net/netlink.h>

/* What to tell the caller about one attribute. */
struct hlb_attr_msg {
	const char *missing;
	const char *invalid;
};

/* One kind of nest: its policy and the messages that name its members. */
struct hlb_nest {
	int maxtype;
	const struct nla_policy *policy;
	const struct hlb_attr_msg *msgs;
	const char *unknown;
	const char *trailing;
};

extern const struct nla_policy hlb_top_policy[HLB_A_MAX + 1];
extern const struct hlb_nest hlb_nest_top, hlb_nest_svc, hlb_nest_to,
	hlb_nest_hyb, hlb_nest_srv, hlb_nest_cfg;

int hlb_nla_parse(struct nlattr **tb, const struct hlb_nest *nest,
		  const struct nlattr *head, int len,
		  struct netlink_ext_ack *extack);
int hlb_parse_nested(struct nlattr **tb, const struct hlb_nest *nest,
		     const struct nlattr *nla, struct netlink_ext_ack *extack);
void hlb_set_err(struct netlink_ext_ack *extack, const struct nlattr *attr,
		 const char *msg);
bool hlb_require(struct nlattr **tb, int type, const struct hlb_nest *nest,
		 const struct nlattr *parent, struct netlink_ext_ack *extack);

#endif /* _HLB_ATTRS_H */
