// SPDX-License-Identifier: GPL-2.0
/*
 * Throwaway module for tools/vm/tests/test_runner.sh: warns once on load, so
 * the VM runner must fail the run. Loads successfully otherwise.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init warn_mod_init(void)
{
	WARN_ON(1);
	return 0;
}

static void __exit warn_mod_exit(void)
{
}

module_init(warn_mod_init);
module_exit(warn_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hlb VM runner selftest: WARN_ON(1) at load");
