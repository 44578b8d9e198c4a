# SPDX-License-Identifier: GPL-2.0
#
# hlb: build the module and the CLI, run the tests, install.

# The kernel the tests boot: the newest Debian kernel installed. Its
# headers are the default build tree; otherwise the running kernel's.
KVER ?= $(shell ls /boot 2>/dev/null | sed -n 's/^vmlinuz-//p' | sort -V | tail -n1)
KDIR ?= $(firstword $(wildcard /usr/src/linux-headers-$(KVER)) \
		    /lib/modules/$(shell uname -r)/build)
W ?= 1
PREFIX ?= /usr/local

all: module cli

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=$(W) modules

cli:
	$(MAKE) -C tools/hlb

deps:
	@bash scripts/deps.sh

unit:
	$(MAKE) -C selftests/unit run

# Everything: packages, build, unit tests, then every selftest in one VM.
check: deps
	$(MAKE) all
	@bash selftests/check.sh

# hlb balancing real HTTP traffic in a VM, narrated; fails if anything
# does not behave as it says (HLB_DEMO_BREAK=1 shows that it can fail).
demo: deps
	$(MAKE) all
	tools/vm/run -- demo/demo.sh

style:
	@bash scripts/style.sh

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates modules_install
	depmod -a $(KVER)
	$(MAKE) -C tools/hlb install PREFIX=$(PREFIX)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tools/hlb clean
	rm -rf build

.PHONY: all module cli deps unit check demo style install clean
