/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hlb - command line interface of the hybrid L4 load balancer.
 * Declarations shared by the object files.
 */
#ifndef HLB_CLI_H
#define HLB_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifndef HLB_VERSION
#define HLB_VERSION "0.1.0"
#endif

/* Exit statuses: every command handler returns one of these. */
#define HLB_OK		0
#define HLB_FAIL	1	/* refused by the kernel, or a system error */
#define HLB_USAGE	2	/* bad command line */

/* Global options, set once by main(). */
struct hlb_opts {
	bool json;
	bool pretty;
};
extern struct hlb_opts hlb_opts;

/* A service's key: what HLB_SVC_A_FAMILY/PROTO/ADDR/PORT hold. */
struct hlb_key {
	uint16_t family;	/* AF_INET or AF_INET6 */
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t port;		/* host byte order */
	uint8_t addr[16];	/* network byte order, 4 or 16 bytes used */
};

/* cli.c / batch.c */
int hlb_main(int argc, char **argv);
int hlb_dispatch(int argc, char **argv);
void hlb_usage(FILE *f);
int do_batch(const char *name);
int split_line(char *line, size_t len, int *argcp, char ***argvp,
	       size_t *capp);

/* One entry point per object; argv starts after the object's name. */
int do_version(int argc, char **argv);
int do_service(int argc, char **argv);
int do_server(int argc, char **argv);
int do_session(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_config(int argc, char **argv);
int do_monitor(int argc, char **argv);
int do_save(int argc, char **argv);

void service_usage(FILE *f);
void server_usage(FILE *f);
void session_usage(FILE *f);
void stats_usage(FILE *f);
void config_usage(FILE *f);

#endif /* HLB_CLI_H */
