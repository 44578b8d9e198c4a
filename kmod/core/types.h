/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compat header for kmod/core: the files there are compiled both into the
 * module and into userspace unit tests, so they get their basic types and
 * memcpy()/memcmp() from here and from nowhere else.
 */
#ifndef _HLB_CORE_TYPES_H
#define _HLB_CORE_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#else
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif

#endif /* _HLB_CORE_TYPES_H */
