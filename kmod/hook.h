/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The packet path's netfilter hooks.
 */
#ifndef _HLB_HOOK_H
#define _HLB_HOOK_H

#include "hlb.h"

/*
 * Register the hooks when the namespace has services, unregister them
 * when it has none; with hn->lock held.
 */
int hlb_hooks_update(struct hlb_net *hn);

#endif /* _HLB_HOOK_H */
