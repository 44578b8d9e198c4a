// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing and formatting of the command line's values: numbers, durations,
 * protocols, addresses with ports.
 *
 * Parsers are strict on purpose: a value the kernel would silently read
 * differently (a trailing "x", a negative number that strtoul would wrap,
 * 1500ms for a seconds attribute) is a usage error here, not a surprise
 * later.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <inttypes.h>
#include <time.h>

#include "json_print.h"
#include "utils.h"

int matches(const char *arg, const char *word)
{
	size_t len = strlen(arg);

	if (!len || len > strlen(word))
		return 1;
	return memcmp(arg, word, len) != 0;
}

int invarg(const char *why, const char *arg)
{
	fprintf(stderr, "Error: argument \"%s\" is wrong: %s\n", arg, why);
	return HLB_USAGE;
}

int incomplete(void)
{
	fprintf(stderr, "Command line is not complete. Try option \"help\"\n");
	return HLB_USAGE;
}

int duparg(const char *key, const char *arg)
{
	fprintf(stderr,
		"Error: duplicate \"%s\": \"%s\" is the second value.\n",
		key, arg);
	return HLB_USAGE;
}

int unknown_cmd(const char *cmd, const char *object)
{
	fprintf(stderr, "Command \"%s\" is unknown, try \"hlb %s%shelp\".\n",
		cmd, object ? object : "", object ? " " : "");
	return HLB_USAGE;
}

int too_many(const char *arg)
{
	return invarg("unexpected argument", arg);
}

/*
 * Decimal digits only: no sign, no space, no base prefix. Returns -1 if
 * there are none, -2 if they overflow.
 */
static int parse_digits(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t n = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (n > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -2;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	*v = n;
	return 0;
}

int parse_u32(const char *arg, uint32_t *v)
{
	uint64_t n;

	if (parse_digits(&arg, &n) || *arg || n > UINT32_MAX)
		return -1;
	*v = (uint32_t)n;
	return 0;
}

/*
 * A duration is a whole number with an optional unit (ms, s, m, h; bare
 * numbers are seconds), converted to unit_ms (1 or 1000). Values that do
 * not fit in u32, or that the conversion would round, are refused.
 */
int parse_duration(const char *arg, uint32_t unit_ms, uint32_t *v,
		   const char **why)
{
	static const struct {
		const char *suffix;
		uint64_t ms;
	} units[] = {
		{ "", 1000 }, { "ms", 1 }, { "s", 1000 },
		{ "m", 60 * 1000 }, { "h", 60 * 60 * 1000 },
	};
	const char *p = arg;
	uint64_t n, ms;
	size_t i;
	int err;

	*why = "not a duration (a whole number with unit ms, s, m or h)";
	err = parse_digits(&p, &n);
	if (err == -2)
		*why = "duration out of range";
	if (err)
		return -1;
	for (i = 0; i < ARRAY_SIZE(units); i++)
		if (!strcmp(p, units[i].suffix))
			break;
	if (i == ARRAY_SIZE(units))
		return -1;
	*why = "duration out of range";
	if (n > UINT64_MAX / units[i].ms)
		return -1;
	ms = n * units[i].ms;
	if (ms % unit_ms) {
		*why = "duration must be a whole number of seconds";
		return -1;
	}
	if (ms / unit_ms > UINT32_MAX)
		return -1;
	*v = (uint32_t)(ms / unit_ms);
	return 0;
}

int parse_proto(const char *arg, uint8_t *proto)
{
	if (!strcmp(arg, "tcp"))
		*proto = IPPROTO_TCP;
	else if (!strcmp(arg, "udp"))
		*proto = IPPROTO_UDP;
	else
		return invarg("PROTO must be tcp or udp", arg);
	return 0;
}

static int parse_port(const char *s, uint16_t *port)
{
	uint32_t v;

	if (parse_u32(s, &v) || v < 1 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/*
 * Splits "10.0.0.1:80", "10.0.0.1", "[2001:db8::1]:80" or "[2001:db8::1]"
 * into address and port. need_port: the port is mandatory. On success the
 * port is 0 when absent.
 */
static int parse_addr_port(const char *arg, bool need_port, uint16_t *family,
			   uint8_t addr[16], uint16_t *port)
{
	const char *host, *colon, *rb;
	char *copy;
	int ret;

	*port = 0;
	if (arg[0] == '[') {
		rb = strchr(arg, ']');
		if (!rb)
			return invarg("unbalanced \"[\" in address", arg);
		host = arg + 1;
		colon = rb[1] ? rb + 1 : NULL;
		if (colon && *colon != ':')
			return invarg("expected \":PORT\" after \"]\"", arg);
		*family = AF_INET6;
		copy = strndup(host, (size_t)(rb - host));
	} else {
		colon = strrchr(arg, ':');
		if (colon && memchr(arg, ':', (size_t)(colon - arg)))
			return invarg("IPv6 addresses must be in brackets, "
				      "e.g. [2001:db8::1]:80", arg);
		*family = AF_INET;
		copy = colon ? strndup(arg, (size_t)(colon - arg))
			     : strdup(arg);
	}
	if (!copy) {
		fprintf(stderr, "Error: out of memory\n");
		return HLB_FAIL;
	}
	ret = inet_pton(*family, copy, addr) == 1 ? 0 : -1;
	free(copy);
	if (ret)
		return invarg(*family == AF_INET6 ? "invalid IPv6 address"
						  : "invalid IPv4 address",
			      arg);
	if (!colon) {
		if (need_port)
			return invarg("missing port (ADDR:PORT)", arg);
		return 0;
	}
	if (parse_port(colon + 1, port))
		return invarg("port must be a number from 1 to 65535", arg);
	return 0;
}

/* Consumes "PROTO VIP:PORT" from the argument vector. */
int parse_key(int *argcp, char ***argvp, struct hlb_key *key)
{
	char **argv = *argvp;
	int ret;

	if (*argcp < 2)
		return incomplete();
	memset(key, 0, sizeof(*key));
	ret = parse_proto(argv[0], &key->proto);
	if (ret)
		return ret;
	ret = parse_addr_port(argv[1], true, &key->family, key->addr,
			      &key->port);
	if (ret)
		return ret;
	*argcp -= 2;
	*argvp += 2;
	return 0;
}

/* ADDR[:PORT] of a server; the port defaults to the service's. */
int parse_server_addr(const char *arg, const struct hlb_key *svc,
		      uint8_t addr[16], uint16_t *port)
{
	uint16_t family;
	int ret;

	ret = parse_addr_port(arg, false, &family, addr, port);
	if (ret)
		return ret;
	if (family != svc->family)
		return invarg("server and service must be of the same family",
			      arg);
	if (!*port)
		*port = svc->port;
	return 0;
}

size_t addr_len(uint16_t family)
{
	return family == AF_INET6 ? 16 : 4;
}

const char *family_name(uint16_t family)
{
	switch (family) {
	case AF_INET:
		return "inet";
	case AF_INET6:
		return "inet6";
	}
	return "unknown";
}

const char *proto_name(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	}
	snprintf(buf, len, "%u", proto);
	return buf;
}

const char *fmt_addr(uint16_t family, const void *addr, char *buf,
		     size_t len)
{
	if (!inet_ntop(family, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *fmt_addr_port(uint16_t family, const void *addr, uint16_t port,
			  char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	fmt_addr(family, addr, a, sizeof(a));
	if (family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
	return buf;
}

/*
 * Milliseconds in the shortest exact form parse_duration() reads back:
 * "5s" for 5000, "1500ms" for 1500, "0ms" for 0.
 */
const char *fmt_ms(uint32_t ms, char *buf, size_t len)
{
	if (ms && ms % 1000 == 0)
		snprintf(buf, len, "%us", ms / 1000);
	else
		snprintf(buf, len, "%ums", ms);
	return buf;
}

/* A name from an enum's table, or its number when this CLI is older. */
const char *fmt_enum(const char *const *names, unsigned int n,
		     unsigned int v, char *buf, size_t len)
{
	if (v < n && names[v])
		return names[v];
	snprintf(buf, len, "%u", v);
	return buf;
}

void print_key(const struct hlb_key *key)
{
	char a[INET6_ADDRSTRLEN], ap[ADDRPORT_STRLEN], p[8];

	print_string(PRINT_JSON, "family", NULL, family_name(key->family));
	print_string(PRINT_ANY, "proto", " %s",
		     proto_name(key->proto, p, sizeof(p)));
	print_string(PRINT_JSON, "vip", NULL,
		     fmt_addr(key->family, key->addr, a, sizeof(a)));
	print_uint(PRINT_JSON, "port", NULL, key->port);
	print_string(PRINT_FP, NULL, " %s",
		     fmt_addr_port(key->family, key->addr, key->port, ap,
				   sizeof(ap)));
}

/* Orders keys the way save prints them: family, proto, address, port. */
int key_cmp(const struct hlb_key *a, const struct hlb_key *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	c = memcmp(a->addr, b->addr, addr_len(a->family));
	if (c)
		return c < 0 ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return 0;
}

/* CLOCK_REALTIME nanoseconds as UTC ISO 8601 with milliseconds. */
const char *fmt_time_ns(uint64_t ns, char *buf, size_t len)
{
	time_t secs = (time_t)(ns / 1000000000u);
	struct tm tm;
	char date[32];

	if (!gmtime_r(&secs, &tm) ||
	    !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(buf, len, "%" PRIu64, ns);
		return buf;
	}
	snprintf(buf, len, "%s.%03uZ", date,
		 (unsigned int)(ns % 1000000000u / 1000000u));
	return buf;
}
