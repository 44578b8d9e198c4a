/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compat header for kmod/core: the files there are compiled both into the
 * module and into userspace unit tests, so they get their basic types and
 * memcpy()/memcmp() from here and from nowhere else.
 */
#ifndef _HLB_CORE_TYPES_H
#define _HLB_CORE_TYPES_H

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/types.h>
#include <linux/string.h>
#else
#include <stddef.h>
#include <stdbool.h>
#include <string.h>

/* The compiler's own names: no <stdint.h> types in kernel-style code. */
typedef __UINT8_TYPE__ u8;
typedef __UINT16_TYPE__ u16;
typedef __UINT32_TYPE__ u32;
typedef __UINT64_TYPE__ u64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#endif /* _HLB_CORE_TYPES_H */
