// SPDX-License-Identifier: GPL-2.0
/* hlb version: this CLI's version and the kernel module's. */
#include <inttypes.h>

#include "json_print.h"
#include "nl.h"
#include "utils.h"

/*
 * Objects: the namespace's ("objects"), or, for the host's administrator,
 * the module's in all namespaces ("module-objects": a leak never goes
 * down).
 */
static void print_objects(struct nlattr *nest, const char *key,
			  const char *label)
{
	static const char *const names[HLB_OBJ_A_MAX + 1] = {
		[HLB_OBJ_A_SERVICES] = "services",
		[HLB_OBJ_A_SERVERS] = "servers",
		[HLB_OBJ_A_TABLES] = "tables",
		[HLB_OBJ_A_SESSIONS] = "sessions",
	};
	struct nlattr *a;
	int rem;

	open_json_object(key);
	print_text("%s", label);
	nla_for_each_nested(a, nest, rem) {
		int t = nla_type(a);

		if (t > HLB_OBJ_A_MAX || !names[t] || nla_len(a) != 8)
			continue;
		print_text(" %s", names[t]);
		print_u64(PRINT_ANY, names[t], " %" PRIu64, nla_get_u64(a));
	}
	print_nl();
	close_json_object();
}

static int print_info(struct nlattr **tb)
{
	open_json_object(NULL);
	print_string(PRINT_ANY, "cli", "hlb %s\n", HLB_VERSION);
	if (tb[HLB_A_VERSION])
		print_string(PRINT_ANY, "module", "module %s",
			     nla_get_string(tb[HLB_A_VERSION]));
	else
		print_text("module ?");
	if (tb[HLB_A_GENL_VERSION])
		print_uint(PRINT_ANY, "genl_version", " genl-version %u",
			   nla_get_u32(tb[HLB_A_GENL_VERSION]));
	print_nl();
	if (tb[HLB_A_OBJECTS])
		print_objects(tb[HLB_A_OBJECTS], "objects", "objects");
	if (tb[HLB_A_MODULE_OBJECTS])
		print_objects(tb[HLB_A_MODULE_OBJECTS], "module_objects",
			      "module-objects");
	close_json_object();
	return HLB_OK;
}

int do_version(int argc, char **argv)
{
	if (argc && !matches(argv[0], "help")) {
		printf("Usage: hlb version\n");
		return HLB_OK;
	}
	if (argc)
		return too_many(argv[0]);
	return hlb_show_one(HLB_CMD_GET_INFO, print_info);
}
