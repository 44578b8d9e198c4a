// SPDX-License-Identifier: GPL-2.0
/*
 * The whole hlb CLI against a fake kernel (fake_kernel.c): same options,
 * same commands, same output, so tests/unit.sh can check show, save,
 * restore, errors and dump retries without a kernel module.
 *
 * With FAKE_EVENTS set, the events the fake kernel would have multicast
 * are printed afterwards through the monitor's printer.
 */
#include <stdlib.h>

#include "../hlb.h"
#include "../objects.h"
#include "fake_kernel.h"

static int print_events(void)
{
	const struct hlb_replies *ev;
	int ret;

	fake_switch_event();
	ev = fake_events();
	ret = hlb_replies_each(ev, monitor_event, NULL);
	fflush(stdout);
	return ret;
}

int main(int argc, char **argv)
{
	int ret;

	hlb_fake_kernel = fake_kernel;
	ret = hlb_main(argc, argv);
	if (!ret && getenv("FAKE_EVENTS"))
		ret = print_events();
	fake_kernel_free();
	return ret;
}
