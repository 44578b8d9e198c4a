// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink attribute policies and parsing that names the bad attribute.
 *
 * The kernel's policy checks report generic messages ("Attribute failed
 * policy validation") with the attribute's offset. An operator reading
 * "Error: ..." from the CLI deserves the attribute's name, so hlb parses
 * each nest itself and, when the policy refuses an attribute, replaces the
 * message by one that names it. Messages are static strings because the
 * 6.1 extack cannot carry formatted ones.
 */
#include <net/genetlink.h>
#include <linux/in.h>

#include "hlb.h"
#include "attrs.h"

#define HLB_MSG(a) \
	[a] = { #a ": missing", #a ": invalid type, length or value" }
/* What HLB_TIMEOUT_MAX is, where its value depends on the kernel's HZ. */
#define HLB_MSG_TO(a) \
	[a] = { #a ": missing", #a ": over the longest timeout: 30 days, " \
		"or 2^31 - 1 jiffies where HZ makes that less " \
		"(24.8 days at HZ=1000)" }
#define HLB_RO(a) \
	[a] = { #a ": missing", #a ": read-only" }
#define HLB_NEST(max, pol, m, unknown_msg, trailing_msg) {	\
	.maxtype = max, .policy = pol, .msgs = m,		\
	.unknown = unknown_msg, .trailing = trailing_msg,	\
}

static struct netlink_range_validation hlb_table_size_range = {
	.min = 3, .max = HLB_TABLE_SIZE_MAX,
};

static struct netlink_range_validation hlb_weight_range = {
	.max = HLB_WEIGHT_MAX,
};

/* Longer than any sane timer, short enough for jiffies arithmetic. */
static struct netlink_range_validation hlb_timeout_range = {
	.max = HLB_TIMEOUT_MAX,
};

static struct netlink_range_validation hlb_ms_range = {
	.max = 24 * 3600 * 1000,
};

static struct netlink_range_validation hlb_session_limit_range = {
	.min = 1, .max = HLB_SESSION_LIMIT_MAX,
};

/* Read-only at top level: the core refuses it, with this message. */
#define HLB_TOP_RO(a) \
	[a] = { .type = NLA_REJECT, .reject_message = #a ": read-only" }

/*
 * The family's policy: the generic netlink core parses the top level
 * (strictly, as for any family that validates its header) before hlb
 * sees a request; hlb parses the nests, naming what is wrong.
 */
const struct nla_policy hlb_top_policy[HLB_A_MAX + 1] = {
	HLB_TOP_RO(HLB_A_VERSION),
	HLB_TOP_RO(HLB_A_GENL_VERSION),
	[HLB_A_SERVICE] = { .type = NLA_NESTED },
	[HLB_A_SERVER] = { .type = NLA_NESTED },
	HLB_TOP_RO(HLB_A_SESSION),
	HLB_TOP_RO(HLB_A_STATS),
	[HLB_A_CONFIG] = { .type = NLA_NESTED },
	HLB_TOP_RO(HLB_A_EVENT),
	HLB_TOP_RO(HLB_A_OBJECTS),
	HLB_TOP_RO(HLB_A_MODULE_OBJECTS),
};

static const struct hlb_attr_msg hlb_top_msgs[HLB_A_MAX + 1] = {
	HLB_RO(HLB_A_VERSION),
	HLB_RO(HLB_A_GENL_VERSION),
	HLB_MSG(HLB_A_SERVICE),
	HLB_MSG(HLB_A_SERVER),
	HLB_RO(HLB_A_SESSION),
	HLB_RO(HLB_A_STATS),
	HLB_MSG(HLB_A_CONFIG),
	HLB_RO(HLB_A_EVENT),
	HLB_RO(HLB_A_OBJECTS),
	HLB_RO(HLB_A_MODULE_OBJECTS),
};

static const struct nla_policy hlb_svc_policy[HLB_SVC_A_MAX + 1] = {
	[HLB_SVC_A_FAMILY] = { .type = NLA_U16 },
	[HLB_SVC_A_PROTO] = { .type = NLA_U8 },
	[HLB_SVC_A_ADDR] = { .type = NLA_BINARY, .len = sizeof(struct in6_addr) },
	[HLB_SVC_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[HLB_SVC_A_MODE] = NLA_POLICY_MAX(NLA_U8, HLB_MODE_MAX),
	[HLB_SVC_A_HASH] = NLA_POLICY_MAX(NLA_U8, HLB_HASH_MAX),
	[HLB_SVC_A_TABLE_SIZE] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &hlb_table_size_range),
	[HLB_SVC_A_SEED] = { .type = NLA_U32 },
	[HLB_SVC_A_SCHED] = NLA_POLICY_MAX(NLA_U8, HLB_SCHED_MAX),
	[HLB_SVC_A_STRICT] = NLA_POLICY_MAX(NLA_U8, 1),
	[HLB_SVC_A_TIMEOUTS] = { .type = NLA_NESTED },
	[HLB_SVC_A_HYBRID] = { .type = NLA_NESTED },
	[HLB_SVC_A_PIN] = NLA_POLICY_MAX(NLA_U8, HLB_PIN_MAX),
	[HLB_SVC_A_TRANSITION_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &hlb_ms_range),
	[HLB_SVC_A_ID] = { .type = NLA_REJECT },
	[HLB_SVC_A_METHOD] = { .type = NLA_REJECT },
	[HLB_SVC_A_SWITCHES] = { .type = NLA_REJECT },
	[HLB_SVC_A_LAST_SWITCH] = { .type = NLA_REJECT },
	[HLB_SVC_A_LAST_REASON] = { .type = NLA_REJECT },
	[HLB_SVC_A_SERVERS] = { .type = NLA_REJECT },
	[HLB_SVC_A_STATS] = { .type = NLA_REJECT },
	[HLB_SVC_A_PAD] = { .type = NLA_REJECT },
};

static const struct hlb_attr_msg hlb_svc_msgs[HLB_SVC_A_MAX + 1] = {
	HLB_MSG(HLB_SVC_A_FAMILY),
	HLB_MSG(HLB_SVC_A_PROTO),
	HLB_MSG(HLB_SVC_A_ADDR),
	HLB_MSG(HLB_SVC_A_PORT),
	HLB_MSG(HLB_SVC_A_MODE),
	HLB_MSG(HLB_SVC_A_HASH),
	HLB_MSG(HLB_SVC_A_TABLE_SIZE),
	HLB_MSG(HLB_SVC_A_SEED),
	HLB_MSG(HLB_SVC_A_SCHED),
	HLB_MSG(HLB_SVC_A_STRICT),
	HLB_MSG(HLB_SVC_A_TIMEOUTS),
	HLB_MSG(HLB_SVC_A_HYBRID),
	HLB_MSG(HLB_SVC_A_PIN),
	HLB_MSG(HLB_SVC_A_TRANSITION_MS),
	HLB_RO(HLB_SVC_A_ID),
	HLB_RO(HLB_SVC_A_METHOD),
	HLB_RO(HLB_SVC_A_SWITCHES),
	HLB_RO(HLB_SVC_A_LAST_SWITCH),
	HLB_RO(HLB_SVC_A_LAST_REASON),
	HLB_RO(HLB_SVC_A_SERVERS),
	HLB_RO(HLB_SVC_A_STATS),
	HLB_RO(HLB_SVC_A_PAD),
};

static const struct nla_policy hlb_to_policy[HLB_TO_A_MAX + 1] = {
	[HLB_TO_A_TCP_SYN] = NLA_POLICY_FULL_RANGE(NLA_U32, &hlb_timeout_range),
	[HLB_TO_A_TCP_EST] = NLA_POLICY_FULL_RANGE(NLA_U32, &hlb_timeout_range),
	[HLB_TO_A_TCP_FIN] = NLA_POLICY_FULL_RANGE(NLA_U32, &hlb_timeout_range),
	[HLB_TO_A_TCP_CLOSE] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &hlb_timeout_range),
	[HLB_TO_A_UDP] = NLA_POLICY_FULL_RANGE(NLA_U32, &hlb_timeout_range),
};

static const struct hlb_attr_msg hlb_to_msgs[HLB_TO_A_MAX + 1] = {
	HLB_MSG_TO(HLB_TO_A_TCP_SYN),
	HLB_MSG_TO(HLB_TO_A_TCP_EST),
	HLB_MSG_TO(HLB_TO_A_TCP_FIN),
	HLB_MSG_TO(HLB_TO_A_TCP_CLOSE),
	HLB_MSG_TO(HLB_TO_A_UDP),
};

static const struct nla_policy hlb_hyb_policy[HLB_HYB_A_MAX + 1] = {
	[HLB_HYB_A_SESSIONS_HIGH] = { .type = NLA_U32 },
	[HLB_HYB_A_SESSIONS_LOW] = { .type = NLA_U32 },
	[HLB_HYB_A_NEWFLOW_HIGH] = { .type = NLA_U32 },
	[HLB_HYB_A_NEWFLOW_LOW] = { .type = NLA_U32 },
	[HLB_HYB_A_PACKET_HIGH] = { .type = NLA_U32 },
	[HLB_HYB_A_PACKET_LOW] = { .type = NLA_U32 },
	[HLB_HYB_A_HOLD_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &hlb_ms_range),
	[HLB_HYB_A_DWELL_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &hlb_ms_range),
};

static const struct hlb_attr_msg hlb_hyb_msgs[HLB_HYB_A_MAX + 1] = {
	HLB_MSG(HLB_HYB_A_SESSIONS_HIGH),
	HLB_MSG(HLB_HYB_A_SESSIONS_LOW),
	HLB_MSG(HLB_HYB_A_NEWFLOW_HIGH),
	HLB_MSG(HLB_HYB_A_NEWFLOW_LOW),
	HLB_MSG(HLB_HYB_A_PACKET_HIGH),
	HLB_MSG(HLB_HYB_A_PACKET_LOW),
	HLB_MSG(HLB_HYB_A_HOLD_MS),
	HLB_MSG(HLB_HYB_A_DWELL_MS),
};

static const struct nla_policy hlb_srv_policy[HLB_SRV_A_MAX + 1] = {
	[HLB_SRV_A_ADDR] = { .type = NLA_BINARY, .len = sizeof(struct in6_addr) },
	[HLB_SRV_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[HLB_SRV_A_WEIGHT] = NLA_POLICY_FULL_RANGE(NLA_U32, &hlb_weight_range),
	[HLB_SRV_A_MAX_CONNS] = { .type = NLA_U32 },
	[HLB_SRV_A_STATE] = { .type = NLA_REJECT },
	[HLB_SRV_A_STATS] = { .type = NLA_REJECT },
	[HLB_SRV_A_PAD] = { .type = NLA_REJECT },
};

static const struct hlb_attr_msg hlb_srv_msgs[HLB_SRV_A_MAX + 1] = {
	HLB_MSG(HLB_SRV_A_ADDR),
	HLB_MSG(HLB_SRV_A_PORT),
	HLB_MSG(HLB_SRV_A_WEIGHT),
	HLB_MSG(HLB_SRV_A_MAX_CONNS),
	HLB_RO(HLB_SRV_A_STATE),
	HLB_RO(HLB_SRV_A_STATS),
	HLB_RO(HLB_SRV_A_PAD),
};

static const struct nla_policy hlb_cfg_policy[HLB_CFG_A_MAX + 1] = {
	[HLB_CFG_A_SESSION_LIMIT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &hlb_session_limit_range),
	[HLB_CFG_A_FILL_LIMIT] = NLA_POLICY_MAX(NLA_U32, 100),
	[HLB_CFG_A_TIMEOUTS] = { .type = NLA_NESTED },
	[HLB_CFG_A_SESSIONS] = { .type = NLA_REJECT },
	[HLB_CFG_A_SERVICES] = { .type = NLA_REJECT },
};

static const struct hlb_attr_msg hlb_cfg_msgs[HLB_CFG_A_MAX + 1] = {
	HLB_MSG(HLB_CFG_A_SESSION_LIMIT),
	HLB_MSG(HLB_CFG_A_FILL_LIMIT),
	HLB_MSG(HLB_CFG_A_TIMEOUTS),
	HLB_RO(HLB_CFG_A_SESSIONS),
	HLB_RO(HLB_CFG_A_SERVICES),
};

/* For hlb_require() only: the core parses the top level. */
const struct hlb_nest hlb_nest_top =
	HLB_NEST(HLB_A_MAX, hlb_top_policy, hlb_top_msgs, NULL, NULL);
const struct hlb_nest hlb_nest_svc =
	HLB_NEST(HLB_SVC_A_MAX, hlb_svc_policy, hlb_svc_msgs,
		 "HLB_A_SERVICE: unknown attribute",
		 "HLB_A_SERVICE: trailing bytes after attributes");
const struct hlb_nest hlb_nest_to =
	HLB_NEST(HLB_TO_A_MAX, hlb_to_policy, hlb_to_msgs,
		 "HLB_*_A_TIMEOUTS: unknown attribute",
		 "HLB_*_A_TIMEOUTS: trailing bytes after attributes");
const struct hlb_nest hlb_nest_hyb =
	HLB_NEST(HLB_HYB_A_MAX, hlb_hyb_policy,
		 hlb_hyb_msgs,
		 "HLB_SVC_A_HYBRID: unknown attribute",
		 "HLB_SVC_A_HYBRID: trailing bytes after attributes");
const struct hlb_nest hlb_nest_srv =
	HLB_NEST(HLB_SRV_A_MAX, hlb_srv_policy, hlb_srv_msgs,
		 "HLB_A_SERVER: unknown attribute",
		 "HLB_A_SERVER: trailing bytes after attributes");
const struct hlb_nest hlb_nest_cfg =
	HLB_NEST(HLB_CFG_A_MAX, hlb_cfg_policy, hlb_cfg_msgs,
		 "HLB_A_CONFIG: unknown attribute",
		 "HLB_A_CONFIG: trailing bytes after attributes");

static bool hlb_attr_within(const struct nlattr *a, const struct nlattr *head,
			    int len)
{
	const void *p = a, *start = head;

	return a && p >= start && p < start + len;
}

int hlb_nla_parse(struct nlattr **tb, const struct hlb_nest *nest,
		  const struct nlattr *head, int len,
		  struct netlink_ext_ack *extack)
{
	const struct nlattr *bad;
	int err, type;

	err = __nla_parse(tb, nest->maxtype, head, len, nest->policy,
			  NL_VALIDATE_STRICT, extack);
	if (!err || !extack)
		return err;
	bad = extack->bad_attr;
	if (!hlb_attr_within(bad, head, len)) {
		/* Only the trailing-bytes check fails without an attribute. */
		extack->_msg = nest->trailing;
		return err;
	}
	type = nla_type(bad);
	if (type == 0 || type > nest->maxtype)
		extack->_msg = nest->unknown;
	else if (nest->msgs[type].invalid)
		extack->_msg = nest->msgs[type].invalid;
	return err;
}

int hlb_parse_nested(struct nlattr **tb, const struct hlb_nest *nest,
		     const struct nlattr *nla, struct netlink_ext_ack *extack)
{
	return hlb_nla_parse(tb, nest, nla_data(nla), nla_len(nla), extack);
}

/* For messages chosen at run time; @msg must be a static string. */
void hlb_set_err(struct netlink_ext_ack *extack, const struct nlattr *attr,
		 const char *msg)
{
	if (!extack)
		return;
	extack->_msg = msg;
	extack->bad_attr = attr;
}

bool hlb_require(struct nlattr **tb, int type, const struct hlb_nest *nest,
		 const struct nlattr *parent, struct netlink_ext_ack *extack)
{
	if (tb[type])
		return true;
	hlb_set_err(extack, NULL, nest->msgs[type].missing);
	NL_SET_ERR_ATTR_MISS(extack, parent, type);
	return false;
}
