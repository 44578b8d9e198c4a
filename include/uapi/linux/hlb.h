/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * hlb - hybrid stateless/stateful layer-4 load balancer: netlink API.
 *
 * The API is the generic netlink family HLB_GENL_NAME, version
 * HLB_GENL_VERSION, with one multicast group, HLB_GENL_MCGRP_EVENTS. Every
 * object lives in the network namespace of the socket that talks to it.
 * Commands that change anything, and the dump of sessions (clients'
 * addresses), need CAP_NET_ADMIN in the user namespace that owns that
 * network namespace; other reading needs nothing.
 *
 * Conventions
 * -----------
 *
 * Every message carries its objects in nested attributes at top level:
 * HLB_A_SERVICE, HLB_A_SERVER, HLB_A_CONFIG, ...  Addresses are
 * NLA_BINARY in network byte order, 4 bytes for AF_INET and 16 for
 * AF_INET6; ports are NLA_U16 in host byte order; durations are NLA_U32
 * in the unit their name gives. Counters are NLA_U64 (padded with
 * HLB_*_A_PAD). Attributes marked "read-only" are reported by the kernel
 * and refused when sent.
 *
 * A service is named by its key: HLB_SVC_A_FAMILY, HLB_SVC_A_PROTO,
 * HLB_SVC_A_ADDR and HLB_SVC_A_PORT. A server is named by its service's
 * key (in HLB_A_SERVICE) and its own HLB_SRV_A_ADDR and HLB_SRV_A_PORT (in
 * HLB_A_SERVER).
 *
 * Every refusal comes with an extended ACK message that names the
 * offending attribute, and with the attribute's offset where there is one.
 *
 * Commands
 * --------
 *
 * HLB_CMD_GET_INFO: replies with HLB_A_VERSION, HLB_A_GENL_VERSION and
 *	HLB_A_OBJECTS (the namespace's); to CAP_NET_ADMIN in the initial user
 *	namespace, HLB_A_MODULE_OBJECTS (all namespaces') too.
 *
 * HLB_CMD_NEW_SERVICE: creates a service. Needs the key in HLB_A_SERVICE;
 *	every other service attribute is optional and takes its default.
 *	Refused if the service exists.
 * HLB_CMD_SET_SERVICE: changes the options given in HLB_A_SERVICE of an
 *	existing service; options not given keep their values.
 * HLB_CMD_DEL_SERVICE: deletes the service named in HLB_A_SERVICE, its
 *	servers and its sessions.
 * HLB_CMD_GET_SERVICE: with a key, replies with that service; as a dump,
 *	lists every service.
 * HLB_CMD_FLUSH: deletes every service of the namespace.
 *
 * HLB_CMD_NEW_SERVER: adds the server in HLB_A_SERVER to the service in
 *	HLB_A_SERVICE. Refused if the server exists, or if another service of
 *	the same protocol already has a server with that address and port
 *	(the reverse mapping from servers to services must stay unambiguous).
 * HLB_CMD_SET_SERVER: changes an existing server's weight or limit.
 * HLB_CMD_DEL_SERVER: removes a server; its sessions are removed too.
 * HLB_CMD_GET_SERVER: with both keys, replies with that server; as a dump,
 *	lists every server, or those of the service given in HLB_A_SERVICE.
 *	Each reply carries HLB_A_SERVICE (the key) and HLB_A_SERVER.
 *
 * HLB_CMD_GET_SESSION: dump of live sessions, optionally of the service
 *	in HLB_A_SERVICE. Each reply carries HLB_A_SESSION. Needs
 *	CAP_NET_ADMIN, as changes do.
 * HLB_CMD_FLUSH_SESSIONS: removes every session, or those of the service
 *	in HLB_A_SERVICE.
 *
 * HLB_CMD_GET_STATS: replies with HLB_A_STATS for the namespace; with a
 *	service key, with HLB_A_SERVICE holding that service's HLB_SVC_A_STATS.
 * HLB_CMD_RESET_STATS: zeroes the counters of the namespace and of every
 *	service and server (gauges such as active sessions are kept).
 *
 * HLB_CMD_GET_CONFIG / HLB_CMD_SET_CONFIG: namespace-wide settings in
 *	HLB_A_CONFIG.
 *
 * HLB_CMD_SWITCH: an event only, never a request: a hybrid service
 *	switched method.
 *
 * Events
 * ------
 *
 * Every successful change is sent to HLB_GENL_MCGRP_EVENTS as a message
 * with the command that made it and the object after the change (for a
 * deletion, its key). A hybrid service that switches method sends
 * HLB_CMD_SWITCH with HLB_A_SERVICE (the key) and HLB_A_EVENT.
 */
#ifndef _UAPI_LINUX_HLB_H
#define _UAPI_LINUX_HLB_H

#define HLB_GENL_NAME		"hlb"
#define HLB_GENL_VERSION	1
#define HLB_GENL_MCGRP_EVENTS	"events"

/* Limits and defaults. */
#define HLB_TABLE_SIZE_DEFAULT	65537		/* prime */
#define HLB_TABLE_SIZE_MAX	1048573		/* largest prime < 2^20 */
#define HLB_SERVERS_MAX		65535		/* per service */
#define HLB_WEIGHT_MAX		65535
#define HLB_WEIGHT_DEFAULT	1

enum hlb_cmd {
	HLB_CMD_UNSPEC,
	HLB_CMD_GET_INFO,
	HLB_CMD_NEW_SERVICE,
	HLB_CMD_SET_SERVICE,
	HLB_CMD_DEL_SERVICE,
	HLB_CMD_GET_SERVICE,
	HLB_CMD_FLUSH,
	HLB_CMD_NEW_SERVER,
	HLB_CMD_SET_SERVER,
	HLB_CMD_DEL_SERVER,
	HLB_CMD_GET_SERVER,
	HLB_CMD_GET_SESSION,
	HLB_CMD_FLUSH_SESSIONS,
	HLB_CMD_GET_STATS,
	HLB_CMD_RESET_STATS,
	HLB_CMD_GET_CONFIG,
	HLB_CMD_SET_CONFIG,
	HLB_CMD_SWITCH,		/* event only */
	__HLB_CMD_MAX
};

#define HLB_CMD_MAX (__HLB_CMD_MAX - 1)

/* Top-level attributes. */
enum hlb_attr {
	HLB_A_UNSPEC,
	HLB_A_VERSION,		/* string: module version */
	HLB_A_GENL_VERSION,	/* u32: HLB_GENL_VERSION */
	HLB_A_SERVICE,		/* nest: enum hlb_svc_attr */
	HLB_A_SERVER,		/* nest: enum hlb_srv_attr */
	HLB_A_SESSION,		/* nest: enum hlb_sess_attr */
	HLB_A_STATS,		/* nest: enum hlb_stats_attr */
	HLB_A_CONFIG,		/* nest: enum hlb_cfg_attr */
	HLB_A_EVENT,		/* nest: enum hlb_evt_attr */
	HLB_A_OBJECTS,		/* nest: enum hlb_obj_attr, read-only */
	HLB_A_MODULE_OBJECTS,	/* nest: enum hlb_obj_attr, read-only */
	__HLB_A_MAX
};

#define HLB_A_MAX (__HLB_A_MAX - 1)

/*
 * enum hlb_mode - how a service processes packets that miss the session
 * table (sessions, once they exist, always win):
 * @HLB_MODE_STATELESS: never create sessions.
 * @HLB_MODE_STATEFUL: create a session for every new flow.
 * @HLB_MODE_HYBRID: switch between the two by the thresholds in
 *	HLB_SVC_A_HYBRID (or as pinned by HLB_SVC_A_PIN).
 */
enum hlb_mode {
	HLB_MODE_STATELESS,
	HLB_MODE_STATEFUL,
	HLB_MODE_HYBRID,
	__HLB_MODE_MAX
};

#define HLB_MODE_MAX (__HLB_MODE_MAX - 1)

/* enum hlb_method - what a service does right now (read-only). */
enum hlb_method {
	HLB_METHOD_STATELESS,
	HLB_METHOD_STATEFUL,
};

/* enum hlb_hash - which packet fields pick a server in the lookup table. */
enum hlb_hash {
	HLB_HASH_SRC_ADDR,	/* a client always lands on the same server */
	HLB_HASH_SRC_ADDR_PORT,	/* each flow independently (default) */
	__HLB_HASH_MAX
};

#define HLB_HASH_MAX (__HLB_HASH_MAX - 1)

/* enum hlb_sched - how a new stateful session picks its server. */
enum hlb_sched {
	HLB_SCHED_HASH,		/* consistent hash, as stateless (default) */
	HLB_SCHED_WLC,		/* weighted least-connection */
	__HLB_SCHED_MAX
};

#define HLB_SCHED_MAX (__HLB_SCHED_MAX - 1)

/* enum hlb_pin - administrator override of a hybrid service's method. */
enum hlb_pin {
	HLB_PIN_NONE,		/* thresholds decide (default) */
	HLB_PIN_STATELESS,
	HLB_PIN_STATEFUL,
	__HLB_PIN_MAX
};

#define HLB_PIN_MAX (__HLB_PIN_MAX - 1)

/* enum hlb_srv_state - a server's state (read-only). */
enum hlb_srv_state {
	HLB_SRV_ACTIVE,		/* weight > 0: takes new flows */
	HLB_SRV_DRAINING,	/* weight 0: keeps existing flows only */
};

/* enum hlb_tcp_state - a session's TCP state (read-only). */
enum hlb_tcp_state {
	HLB_TCP_NONE,		/* UDP */
	HLB_TCP_SYN_SENT,
	HLB_TCP_SYN_RECV,
	HLB_TCP_ESTABLISHED,
	HLB_TCP_FIN_WAIT,
	HLB_TCP_CLOSE_WAIT,
	HLB_TCP_TIME_WAIT,
	HLB_TCP_CLOSE,
	__HLB_TCP_MAX
};

#define HLB_TCP_MAX (__HLB_TCP_MAX - 1)

/* enum hlb_reason - the measure that triggered a method switch. */
enum hlb_reason {
	HLB_REASON_NONE,
	HLB_REASON_SESSIONS,	/* active sessions >= high watermark */
	HLB_REASON_NEWFLOW_RATE, /* new flows/s >= high watermark */
	HLB_REASON_PACKET_RATE,	/* packets/s >= high watermark */
	HLB_REASON_FILL_LIMIT,	/* namespace session table over fill limit */
	HLB_REASON_LOW,		/* every measure low for the hold time */
	HLB_REASON_PIN,		/* administrator pinned the method */
	__HLB_REASON_MAX
};

#define HLB_REASON_MAX (__HLB_REASON_MAX - 1)

/* Service attributes, nested in HLB_A_SERVICE. */
enum hlb_svc_attr {
	HLB_SVC_A_UNSPEC,
	HLB_SVC_A_FAMILY,	/* u16: AF_INET or AF_INET6 (key) */
	HLB_SVC_A_PROTO,	/* u8: IPPROTO_TCP or IPPROTO_UDP (key) */
	HLB_SVC_A_ADDR,		/* binary: virtual address (key) */
	HLB_SVC_A_PORT,		/* u16: virtual port, 1..65535 (key) */
	HLB_SVC_A_MODE,		/* u8: enum hlb_mode, default stateful */
	HLB_SVC_A_HASH,		/* u8: enum hlb_hash */
	HLB_SVC_A_TABLE_SIZE,	/* u32: lookup table size, prime */
	HLB_SVC_A_SEED,		/* u32: lookup table and flow hash seed */
	HLB_SVC_A_SCHED,	/* u8: enum hlb_sched */
	HLB_SVC_A_STRICT,	/* u8: 1 = TCP without a session must be SYN */
	HLB_SVC_A_TIMEOUTS,	/* nest: enum hlb_to_attr; 0 = namespace's */
	HLB_SVC_A_HYBRID,	/* nest: enum hlb_hyb_attr */
	HLB_SVC_A_PIN,		/* u8: enum hlb_pin */
	HLB_SVC_A_TRANSITION_MS, /* u32: flow protection period, 0 = off */
	HLB_SVC_A_ID,		/* u32: read-only, stable while it exists */
	HLB_SVC_A_METHOD,	/* u8: read-only, enum hlb_method */
	HLB_SVC_A_SWITCHES,	/* u64: read-only, method switches */
	HLB_SVC_A_LAST_SWITCH,	/* u64: read-only, CLOCK_REALTIME ns */
	HLB_SVC_A_LAST_REASON,	/* u8: read-only, enum hlb_reason */
	HLB_SVC_A_SERVERS,	/* u32: read-only, number of servers */
	HLB_SVC_A_STATS,	/* nest: read-only, enum hlb_stats_attr */
	HLB_SVC_A_PAD,
	__HLB_SVC_A_MAX
};

#define HLB_SVC_A_MAX (__HLB_SVC_A_MAX - 1)

/*
 * Session timeouts in seconds, nested in HLB_SVC_A_TIMEOUTS or
 * HLB_CFG_A_TIMEOUTS. In a service, 0 means "use the namespace's".
 * At most 30 days, or 2^31 - 1 jiffies where the kernel's HZ makes
 * that less (24.8 days at HZ=1000); a longer one is refused.
 */
enum hlb_to_attr {
	HLB_TO_A_UNSPEC,
	HLB_TO_A_TCP_SYN,	/* u32: handshake not complete */
	HLB_TO_A_TCP_EST,	/* u32: established */
	HLB_TO_A_TCP_FIN,	/* u32: closing (FIN seen) */
	HLB_TO_A_TCP_CLOSE,	/* u32: closed (RST, or both FINs) */
	HLB_TO_A_UDP,		/* u32: UDP */
	__HLB_TO_A_MAX
};

#define HLB_TO_A_MAX (__HLB_TO_A_MAX - 1)

/*
 * Hybrid thresholds, nested in HLB_SVC_A_HYBRID. A measure takes part only
 * if its high watermark is non-zero; its low watermark must not exceed
 * the high one. Rates are per second over a one-second window.
 */
enum hlb_hyb_attr {
	HLB_HYB_A_UNSPEC,
	HLB_HYB_A_SESSIONS_HIGH,	/* u32 */
	HLB_HYB_A_SESSIONS_LOW,		/* u32 */
	HLB_HYB_A_NEWFLOW_HIGH,		/* u32: new flows per second */
	HLB_HYB_A_NEWFLOW_LOW,		/* u32 */
	HLB_HYB_A_PACKET_HIGH,		/* u32: packets per second */
	HLB_HYB_A_PACKET_LOW,		/* u32 */
	HLB_HYB_A_HOLD_MS,		/* u32: low this long to go stateful */
	HLB_HYB_A_DWELL_MS,		/* u32: minimum time between switches */
	__HLB_HYB_A_MAX
};

#define HLB_HYB_A_MAX (__HLB_HYB_A_MAX - 1)

/* Server attributes, nested in HLB_A_SERVER. */
enum hlb_srv_attr {
	HLB_SRV_A_UNSPEC,
	HLB_SRV_A_ADDR,		/* binary: same family as the service (key) */
	HLB_SRV_A_PORT,		/* u16: 1..65535 (key) */
	HLB_SRV_A_WEIGHT,	/* u32: 0..HLB_WEIGHT_MAX, 0 = drain */
	HLB_SRV_A_MAX_CONNS,	/* u32: session limit, 0 = none */
	HLB_SRV_A_STATE,	/* u8: read-only, enum hlb_srv_state */
	HLB_SRV_A_STATS,	/* nest: read-only, enum hlb_stats_attr */
	HLB_SRV_A_PAD,
	__HLB_SRV_A_MAX
};

#define HLB_SRV_A_MAX (__HLB_SRV_A_MAX - 1)

/* Session attributes (read-only), nested in HLB_A_SESSION. */
enum hlb_sess_attr {
	HLB_SESS_A_UNSPEC,
	HLB_SESS_A_FAMILY,	/* u16 */
	HLB_SESS_A_PROTO,	/* u8 */
	HLB_SESS_A_CLIENT_ADDR,	/* binary */
	HLB_SESS_A_CLIENT_PORT,	/* u16 */
	HLB_SESS_A_VIP_ADDR,	/* binary */
	HLB_SESS_A_VIP_PORT,	/* u16 */
	HLB_SESS_A_SERVER_ADDR,	/* binary */
	HLB_SESS_A_SERVER_PORT,	/* u16 */
	HLB_SESS_A_STATE,	/* u8: enum hlb_tcp_state */
	HLB_SESS_A_IDLE_MS,	/* u32: since the last packet */
	HLB_SESS_A_EXPIRES_MS,	/* u32: until it ages out */
	HLB_SESS_A_LEARNED,	/* u8: 1 = created by flow protection */
	HLB_SESS_A_PAD,
	__HLB_SESS_A_MAX
};

#define HLB_SESS_A_MAX (__HLB_SESS_A_MAX - 1)

/*
 * Counters (read-only), nested in HLB_A_STATS, HLB_SVC_A_STATS or
 * HLB_SRV_A_STATS. All are u64; a level reports those that apply to it.
 */
enum hlb_stats_attr {
	HLB_ST_A_UNSPEC,
	HLB_ST_A_PACKETS,		/* translated packets */
	HLB_ST_A_BYTES,			/* translated bytes */
	HLB_ST_A_SESSION_HITS,		/* translated from a session */
	HLB_ST_A_MAPPING_HITS,		/* translated from the mapping */
	HLB_ST_A_SESSIONS_CREATED,
	HLB_ST_A_SESSIONS_ACTIVE,	/* gauge */
	HLB_ST_A_DROP_NO_SERVER,	/* service had no usable server */
	HLB_ST_A_DROP_STRICT,		/* strict: TCP without session, !SYN */
	HLB_ST_A_DROP_SESSION_LIMIT,	/* new session refused at the limit */
	HLB_ST_A_DROP_MAX_CONNS,	/* every server at its max_conns */
	HLB_ST_A_MALFORMED,		/* unparsable packets (namespace) */
	HLB_ST_A_LEARNED,		/* sessions created by flow protection */
	HLB_ST_A_SWITCHES,		/* hybrid method switches */
	HLB_ST_A_PAD,
	HLB_ST_A_NEW_FLOWS,		/* packets that start a flow: TCP
					 * SYNs, UDP without a session
					 */
	HLB_ST_A_DROP_SESSION_FAIL,	/* new session failed: memory short,
					 * or its server is going away
					 */
	HLB_ST_A_SESSIONS_EVICTED,	/* sessions taken out at the limit
					 * to make room for a new one
					 */
	__HLB_ST_A_MAX
};

#define HLB_ST_A_MAX (__HLB_ST_A_MAX - 1)

/* Namespace-wide settings, nested in HLB_A_CONFIG. */
enum hlb_cfg_attr {
	HLB_CFG_A_UNSPEC,
	HLB_CFG_A_SESSION_LIMIT,	/* u32: sessions in this namespace */
	HLB_CFG_A_FILL_LIMIT,		/* u32: percent of the session limit
					 * at which every hybrid service goes
					 * stateless, 0 = never
					 */
	HLB_CFG_A_TIMEOUTS,		/* nest: enum hlb_to_attr, defaults */
	HLB_CFG_A_SESSIONS,		/* u32: read-only, live sessions */
	HLB_CFG_A_SERVICES,		/* u32: read-only */
	__HLB_CFG_A_MAX
};

#define HLB_CFG_A_MAX (__HLB_CFG_A_MAX - 1)

/* Method switch event, nested in HLB_A_EVENT. */
enum hlb_evt_attr {
	HLB_EVT_A_UNSPEC,
	HLB_EVT_A_METHOD,	/* u8: enum hlb_method, the new one */
	HLB_EVT_A_REASON,	/* u8: enum hlb_reason */
	HLB_EVT_A_VALUE,	/* u64: the measure's value */
	HLB_EVT_A_THRESHOLD,	/* u64: the watermark it crossed */
	HLB_EVT_A_TIME,		/* u64: CLOCK_REALTIME ns */
	HLB_EVT_A_PAD,
	__HLB_EVT_A_MAX
};

#define HLB_EVT_A_MAX (__HLB_EVT_A_MAX - 1)

/*
 * Objects, nested in HLB_A_OBJECTS: the namespace's, what its tables hold;
 * and in HLB_A_MODULE_OBJECTS: the module's in all namespaces together,
 * counted from allocation to free (so including those waiting for an RCU
 * grace period). All are u64.
 */
enum hlb_obj_attr {
	HLB_OBJ_A_UNSPEC,
	HLB_OBJ_A_SERVICES,
	HLB_OBJ_A_SERVERS,
	HLB_OBJ_A_TABLES,	/* lookup tables, current and previous */
	HLB_OBJ_A_SESSIONS,
	HLB_OBJ_A_PAD,
	__HLB_OBJ_A_MAX
};

#define HLB_OBJ_A_MAX (__HLB_OBJ_A_MAX - 1)

#endif /* _UAPI_LINUX_HLB_H */
