/* SPDX-License-Identifier: GPL-2.0 */
/* A fake hlb kernel module for the CLI's unit tests (fake_kernel.c). */
#ifndef HLB_FAKE_KERNEL_H
#define HLB_FAKE_KERNEL_H

#include "../nl.h"

void fake_kernel(struct nlmsghdr *req, struct hlb_replies *out);
void fake_switch_event(void);
const struct hlb_replies *fake_events(void);
void fake_kernel_free(void);

#endif /* HLB_FAKE_KERNEL_H */
