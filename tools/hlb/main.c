// SPDX-License-Identifier: GPL-2.0
/* hlb - see cli.c. */
#include "hlb.h"

int main(int argc, char **argv)
{
	return hlb_main(argc, argv);
}
