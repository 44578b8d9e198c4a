/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The objects as the kernel reports them, parsed once and printed by the
 * show commands, the monitor and save alike.
 */
#ifndef HLB_OBJECTS_H
#define HLB_OBJECTS_H

#include "hlb.h"
#include "nl.h"
#include "opts.h"

/* Indexes into the service option table, in the order show prints. */
enum {
	SVC_MODE,
	SVC_HASH,
	SVC_TABLE_SIZE,
	SVC_SEED,
	SVC_SCHED,
	SVC_STRICT,
	SVC_PIN,
	SVC_TRANSITION,
	/* timeouts and hybrid thresholds follow */
};

struct hlb_service {
	struct hlb_key key;
	struct opt_vals opts;
	/* Read-only attributes, each with its presence. */
	bool has_id, has_method, has_switches, has_last_switch,
	     has_last_reason, has_servers;
	uint8_t method, last_reason;
	uint32_t id, servers;
	uint64_t switches, last_switch;
	struct nlattr *stats;	/* into the reply; valid while it lives */
};

struct hlb_server {
	struct hlb_key svc;
	uint8_t addr[16];
	uint16_t port;
	struct opt_vals opts;
	bool has_state;
	uint8_t state;
	struct nlattr *stats;	/* into the reply; valid while it lives */
};

struct hlb_config {
	struct opt_vals opts;
	bool has_sessions, has_services;
	uint32_t sessions, services;
};

extern const struct opt_table svc_opt_table;
extern const struct opt_table srv_opt_table;
extern const struct opt_table cfg_opt_table;

extern const char *const hlb_method_names[2];
extern const char *const hlb_reason_names[__HLB_REASON_MAX];

int service_parse(struct nlattr *nest, struct hlb_service *s);
void service_print(const struct hlb_service *s, const char *json_name,
		   bool oneline);

int server_parse(struct nlattr **tb, struct hlb_server *s);
void server_print(const struct hlb_server *s, const char *json_name,
		  bool oneline);
/* An hlb_parse_fn for GET_SERVER replies: server show and stats. */
int server_print_msg(struct nlmsghdr *nlh, void *arg);

int config_parse(struct nlattr *nest, struct hlb_config *c);
void config_print(const struct hlb_config *c, const char *json_name,
		  bool oneline);

int session_print_msg(struct nlmsghdr *nlh, void *arg);
/* Prints one event message; arg is NULL or the monitor's state. */
int monitor_event(struct nlmsghdr *nlh, void *arg);

/* Counters from an HLB_*_STATS nest: " name value" / "name": value. */
void counters_print(struct nlattr *nest, const char *json_name);

#endif /* HLB_OBJECTS_H */
