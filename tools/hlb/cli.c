// SPDX-License-Identifier: GPL-2.0
/*
 * hlb - command line interface of the hybrid stateless/stateful L4 load
 * balancer, in the manner of iproute2:
 *
 *	hlb [ OPTIONS ] OBJECT { COMMAND | help } [ ARGS ]
 *
 * Options, usage and dispatch to the objects; main() itself is in main.c
 * so that the unit tests can run the whole CLI against a fake kernel.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "hlb.h"
#include "json_print.h"
#include "nl.h"
#include "utils.h"

struct hlb_opts hlb_opts;

void hlb_usage(FILE *f)
{
	fprintf(f,
"Usage: hlb [ OPTIONS ] OBJECT { COMMAND | help } [ ARGS ]\n"
"       hlb [ OPTIONS ] -b FILE\n"
"OBJECT := { service | server | session | stats | config | monitor |\n"
"            save | version | help }\n"
"OPTIONS := { -j[son] | -p[retty] | -n[etns] NAME | -b[atch] FILE |\n"
"             -V[ersion] | -h[elp] }\n"
"\n");
	service_usage(f);
	fputc('\n', f);
	server_usage(f);
	fputc('\n', f);
	session_usage(f);
	fputc('\n', f);
	stats_usage(f);
	fputc('\n', f);
	config_usage(f);
	fprintf(f,
"\n"
"Usage: hlb monitor\n"
"       hlb save\n"
"       hlb version\n"
"\n"
"Objects and commands may be abbreviated: hlb serv sh.\n"
"Exit status: 0 success, 1 refused by the kernel or failed, 2 usage error.\n");
}

static int do_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	hlb_usage(stdout);
	return HLB_OK;
}

/*
 * Earlier entries win an abbreviation, as in iproute2: "s" and "serv" are
 * service, "serve" server, "ses" session, "st" stats, "sa" save.
 */
static const struct {
	const char *name;
	int (*func)(int argc, char **argv);
} objects[] = {
	{ "service", do_service },
	{ "server", do_server },
	{ "session", do_session },
	{ "stats", do_stats },
	{ "config", do_config },
	{ "monitor", do_monitor },
	{ "save", do_save },
	{ "version", do_version },
	{ "help", do_help },
};

int hlb_dispatch(int argc, char **argv)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(objects); i++)
		if (!matches(argv[0], objects[i].name))
			return objects[i].func(argc - 1, argv + 1);
	fprintf(stderr, "Object \"%s\" is unknown, try \"hlb help\".\n",
		argv[0]);
	return HLB_USAGE;
}

int hlb_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "netns", required_argument, NULL, 'n' },
		{ "batch", required_argument, NULL, 'b' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *netns = NULL, *batch = NULL;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+jpn:b:Vh", longopts,
				     NULL)) != -1) {
		switch (c) {
		case 'j':
			hlb_opts.json = true;
			break;
		case 'p':	/* implies JSON: text is pretty already */
			hlb_opts.json = hlb_opts.pretty = true;
			break;
		case 'n':
			netns = optarg;
			break;
		case 'b':
			batch = optarg;
			break;
		case 'V':
			printf("hlb %s\n", HLB_VERSION);
			return HLB_OK;
		case 'h':
			hlb_usage(stdout);
			return HLB_OK;
		default:
			if (optopt)
				fprintf(stderr, "Option \"-%c\" %s, try \"hlb "
					"-help\".\n", optopt,
					strchr("nb", optopt) ?
					"needs an argument" : "is unknown");
			else
				fprintf(stderr, "Option \"%s\" is unknown, "
					"try \"hlb -help\".\n",
					argv[optind - 1]);
			return HLB_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (!batch && !argc) {
		hlb_usage(stderr);
		return HLB_USAGE;
	}
	if (batch && argc)
		return too_many(argv[0]);

	json_print_init(stdout, hlb_opts.json, hlb_opts.pretty);
	if (netns && hlb_netns_switch(netns))
		return HLB_FAIL;
	ret = batch ? do_batch(batch) : hlb_dispatch(argc, argv);
	hlb_nl_close();
	/* A full disk or a closed pipe must not look like success. */
	if (fflush(stdout) || ferror(stdout)) {
		perror("Error: writing output");
		if (!ret)
			ret = HLB_FAIL;
	}
	return ret;
}
