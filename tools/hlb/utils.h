/* SPDX-License-Identifier: GPL-2.0 */
/* Parsing and formatting helpers for the command line. */
#ifndef HLB_UTILS_H
#define HLB_UTILS_H

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>

#include "hlb.h"

/* "[ffff:...:ffff]:65535" and a NUL. */
#define ADDRPORT_STRLEN (INET6_ADDRSTRLEN + 8)
/* "4294967295ms" and a NUL, with room to spare. */
#define DURATION_STRLEN 24

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* iproute2's matches(): 0 if arg is a non-empty prefix of word. */
int matches(const char *arg, const char *word);

/*
 * Usage errors: each prints an iproute2-style message on stderr and
 * returns HLB_USAGE, so callers can "return invarg(...)".
 */
int invarg(const char *why, const char *arg);
int incomplete(void);
int duparg(const char *key, const char *arg);
int unknown_cmd(const char *cmd, const char *object);
int too_many(const char *arg);

int parse_u32(const char *arg, uint32_t *v);
int parse_duration(const char *arg, uint32_t unit_ms, uint32_t *v,
		   const char **why);

int parse_proto(const char *arg, uint8_t *proto);
int parse_key(int *argcp, char ***argvp, struct hlb_key *key);
int parse_server_addr(const char *arg, const struct hlb_key *svc,
		      uint8_t addr[16], uint16_t *port);

size_t addr_len(uint16_t family);
const char *family_name(uint16_t family);
const char *proto_name(uint8_t proto, char *buf, size_t len);
const char *fmt_addr(uint16_t family, const void *addr, char *buf,
		     size_t len);
const char *fmt_addr_port(uint16_t family, const void *addr, uint16_t port,
			  char *buf, size_t len);
const char *fmt_ms(uint32_t ms, char *buf, size_t len);
/* Room for "2024-01-01T00:00:00.000Z" and more. */
#define TIME_STRLEN 48
const char *fmt_time_ns(uint64_t ns, char *buf, size_t len);
const char *fmt_enum(const char *const *names, unsigned int n,
		     unsigned int v, char *buf, size_t len);

/* Prints the key: " tcp 10.0.0.1:80" or family/proto/vip/port in JSON. */
void print_key(const struct hlb_key *key);
int key_cmp(const struct hlb_key *a, const struct hlb_key *b);

#endif /* HLB_UTILS_H */
